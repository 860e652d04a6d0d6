"""De-duplication of re-reads: a tag in range is read many times a second.

Every raw read is kept and delivered; this only marks a read as a repeat (``rep``) when the same
tag was read less than ``window`` seconds before. The window slides: each re-read extends it, so
an animal standing at the reader for a minute is one sighting, not twenty.
"""

from __future__ import annotations

from collections import OrderedDict


class Deduplicator:
    def __init__(self, window: float = 3.0):
        if window < 0:
            raise ValueError("the de-duplication window cannot be negative")
        self.window = window
        self._last: OrderedDict[str, float] = OrderedDict()  # tag -> last read, oldest first
        self._calls = 0

    def is_repeat(self, tag: str, now: float) -> bool:
        """Record a read of ``tag`` at monotonic time ``now``; True when it is a re-read."""
        last = self._last.pop(tag, None)
        self._last[tag] = now
        self._calls += 1
        if not self._calls & 63:  # forgetting every 64 reads is plenty and keeps a read cheap
            self._forget(now)
        return last is not None and now - last < self.window

    def _forget(self, now: float) -> None:
        # Tags read longest ago are first, so forgetting stops at the first one still in the window.
        last = self._last
        while last:
            tag, when = next(iter(last.items()))
            if now - when < self.window:
                break
            del last[tag]

    def __len__(self) -> int:
        return len(self._last)
