"""A fake reader: write reader lines in a profile's format into a serial URL (demos, benchmarks).

``python -m rfid_bridge simulate --port URL --tags FILE_OR_COUNT --rate N --profile NAME`` writes
one line per tag read; the far end of a virtual cable (``socat -d -d pty,raw,echo=0,link=/tmp/rfid-a
pty,raw,echo=0,link=/tmp/rfid-b``) is a good URL. ``--port -`` writes to standard output.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

from . import iso11784
from .iso11784 import Code

# Lines a real reader also sends: power-on, blank, HDX industrial, a half line, garbage.
NOISE = ("\x02", "", "LR 0006 0000000018514243", "LA 982 0000010", "#@!~garbage~", "?")


def tag_codes(spec: str, seed: int = 1) -> list[Code]:
    """Codes from a file of 15-digit tags (one a line, '#' comments), or ``spec`` random ones."""
    if spec.isdigit():
        rng = random.Random(seed)
        countries = (156, 156, 156, 982, 999)
        return [
            Code(rng.choice(countries), rng.randrange(iso11784.MAX_NATIONAL_ID + 1)) for _ in range(int(spec))
        ]
    codes = []
    for number, line in enumerate(Path(spec).read_text().splitlines(), 1):
        text = line.split("#", 1)[0].replace(" ", "").strip()
        if not text:
            continue
        if len(text) != 15:
            raise ValueError(f"{spec}:{number}: {text!r} is not a 15-digit tag")
        try:
            codes.append(iso11784.from_decimal(text[:3], text[3:]))
        except iso11784.CodeError as exc:
            raise ValueError(f"{spec}:{number}: {text!r} is not a valid tag: {exc}") from exc
    return codes


def lines_for(codes: list[Code], profile, repeat: int = 1, noise: float = 0.0, seed: int = 1):
    """Yield (line, is_tag): each code ``repeat`` times in a row, with a ``noise`` share of non-tag lines."""
    if profile.format is None:
        raise ValueError(f"profile {profile.name} cannot be simulated: it has no known output format")
    rng = random.Random(seed)
    for code in codes:
        line = profile.format(code)
        for _ in range(repeat):
            if noise and rng.random() < noise:
                yield rng.choice(NOISE), False
            yield line, True


class _Stdout:
    def write(self, data: bytes) -> None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()

    def close(self) -> None:
        pass


def open_target(url: str, baudrate: int = 9600):
    if url == "-":
        return _Stdout()
    import serial  # only here: `simulate --port -` works without pyserial

    return serial.serial_for_url(url, baudrate=baudrate, write_timeout=10)


def simulate(
    target,
    codes: list[Code],
    profile,
    rate: float = 10.0,
    repeat: int = 1,
    noise: float = 0.0,
    power_on: bool = False,
    seed: int = 1,
) -> dict:
    """Write the lines at ``rate`` lines per second (0: as fast as possible); return the counts."""
    counts = {"lines": 0, "tags": 0, "noise": 0}
    pending: list[bytes] = []
    start = time.monotonic()
    if power_on:
        target.write(b"\x02\r\n")
        counts["lines"] += 1
        counts["noise"] += 1
    for line, is_tag in lines_for(codes, profile, repeat, noise, seed):
        pending.append(line.encode("latin-1") + b"\r\n")
        counts["lines"] += 1
        counts["tags" if is_tag else "noise"] += 1
        if rate <= 0:
            if len(pending) >= 256:
                target.write(b"".join(pending))
                pending.clear()
            continue
        due = start + counts["lines"] / rate
        now = time.monotonic()
        if due > now or len(pending) >= 256:
            target.write(b"".join(pending))
            pending.clear()
            if due > now:
                time.sleep(due - now)
    if pending:
        target.write(b"".join(pending))
    counts["seconds"] = round(time.monotonic() - start, 3)
    return counts
