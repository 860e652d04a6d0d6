"""Counting, line by line, what a bridge killed with SIGKILL lost (tests/faults, bench/bridge_kill.py).

Why the count is exact. The test writes uniquely numbered lines into the cable, in order. What the
bridge has not read stays in the serial port (the kernel's tty buffer) and is read by the next
bridge; what it committed to its spool stays there and is delivered. So, with the spool's last
seq read from the spool file after each kill (the killed process cannot tell), the lines the
killed bridge took from the port and never committed are exactly the lines between

- the line of the last read it spooled (seq = the spool's last seq after the kill), and
- the line of the first read the next bridge spooled (the next seq);

a half line it took is among them (its rest reaches the next bridge as a non-tag line). Every
other line must be stored once, every seq once, in the order of the lines.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field

# The goal for a kill: no more than 50 ms of reads at the rate they arrive (issue 9).
LOSS_GOAL_S = 0.050


def loss_bound(rate: float) -> int:
    """The most lines a kill may cost at ``rate`` lines per second."""
    return math.ceil(rate * LOSS_GOAL_S)


@dataclass
class Kill:
    written: int  # lines in the cable once the bridge was dead (at least those before the kill)
    spool_last_seq: int  # read from the spool file after the kill
    lost: list[int] = field(default_factory=list)  # line numbers, filled in by account()


def account(tags: list[str], rows: list[tuple[int, str]], kills: list[Kill]) -> list[int]:
    """Check every stored read against the lines and attribute each missing line to its kill.

    ``tags``: the tag of each line written, in order; ``rows``: (seq, tag) as stored, by seq.
    Fills ``kill.lost`` and returns the lines missing away from any kill (none, if all is well);
    raises AssertionError when a read is doubled, out of order or was never written.
    """
    seqs = [seq for seq, _tag in rows]
    assert seqs == list(range(1, len(seqs) + 1)), "read ids missing or doubled"
    position = {tag: i for i, tag in enumerate(tags)}
    stored = [tag for _seq, tag in rows]
    assert len(stored) == len(set(stored)), "a line was stored twice"
    unknown = [tag for tag in stored if tag not in position]
    assert not unknown, f"stored reads that were never written: {unknown[:5]}"
    line_of = [position[tag] for tag in stored]  # line of seq n at index n - 1
    assert line_of == sorted(line_of), "reads spooled out of the order of the lines"

    def line_of_seq(seq: int) -> int:
        # -1 before the first read; len(tags) after the last (nothing was spooled after it).
        return -1 if seq < 1 else line_of[seq - 1] if seq <= len(line_of) else len(tags)

    explained = set()
    for kill in kills:
        before, after = line_of_seq(kill.spool_last_seq), line_of_seq(kill.spool_last_seq + 1)
        kill.lost = list(range(before + 1, after))
        # The killed bridge can only have taken lines that were in the cable when it died.
        assert not kill.lost or kill.lost[-1] < kill.written, (
            f"lines {kill.lost} lost at a kill, but written after it ({kill.written} lines were)"
        )
        explained.update(kill.lost)
    missing = sorted(set(range(len(tags))) - set(line_of))
    return [line for line in missing if line not in explained]


class Writer(threading.Thread):
    """Writes lines into a cable at ``rate`` lines a second, whatever else happens, until stopped.

    ``written`` is how many lines are in the cable. Writing blocks while the cable is full (no
    bridge reading it), as a serial line with flow control would.
    """

    def __init__(self, write, lines: list[str], rate: float):
        super().__init__(daemon=True)
        self.write, self.lines, self.rate = write, lines, rate
        self.written = 0
        self.error: BaseException | None = None
        self._halt = threading.Event()

    def run(self) -> None:
        start = time.monotonic()
        try:
            for line in self.lines:
                if self._halt.is_set():
                    return
                self.write(line)
                self.written += 1
                delay = start + self.written / self.rate - time.monotonic()
                if delay > 0:
                    self._halt.wait(delay)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc

    def stop(self) -> None:
        self._halt.set()
        self.join(30)
