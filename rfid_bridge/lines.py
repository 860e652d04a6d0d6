"""Cutting a reader's byte stream into lines, and the back-off used when something is down."""

from __future__ import annotations

import re

from .profiles import MAX_LINE

_EOL = re.compile(rb"\r\n|\r|\n")


class LineSplitter:
    """Cut a byte stream into lines at CR LF, LF or CR (a CR LF split across two reads is one end).

    A "line" that grows past ``max_line`` bytes without an end is cut off and returned as it is
    (it is noise: the caller counts it as a non-tag line).
    """

    def __init__(self, max_line: int = MAX_LINE + 1):
        self.max_line = max_line
        self._buf = b""
        self._after_cr = False

    def feed(self, data: bytes) -> list[bytes]:
        if self._after_cr and data[:1] == b"\n":
            data = data[1:]
        if not data:
            return []
        buf = self._buf + data
        parts = _EOL.split(buf)
        self._buf = parts.pop()
        self._after_cr = buf.endswith(b"\r")
        if len(self._buf) > self.max_line:
            parts.append(self._buf)
            self._buf = b""
        return parts

    def take_partial(self) -> bytes:
        """The unfinished line (e.g. when the cable was pulled mid-line), emptied."""
        partial, self._buf, self._after_cr = self._buf, b"", False
        return partial


class Backoff:
    """Delays 0.5 s, 1 s, 2 s … capped at ``maximum``; ``reset`` after a success."""

    def __init__(self, minimum: float = 0.5, maximum: float = 30.0):
        self.minimum, self.maximum = minimum, maximum
        self._next = minimum

    def next(self) -> float:
        delay = self._next
        self._next = min(self.maximum, self._next * 2)
        return delay

    def reset(self) -> None:
        self._next = self.minimum
