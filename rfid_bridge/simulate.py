"""A fake reader: write reader lines in a profile's format into a serial URL (demos, benchmarks).

``python -m rfid_bridge simulate --port URL --tags FILE_OR_COUNT --rate N --profile NAME`` writes
one line per tag read; the far end of a virtual cable (``socat -d -d pty,raw,echo=0,link=/tmp/rfid-a
pty,raw,echo=0,link=/tmp/rfid-b``) is a good URL. ``--port -`` writes to standard output.

With ``--forever`` it acts as a reader at a chute: animals of the tag list pass in random order,
each read a few times while in range (``--repeat 3-8``), with a pause between two animals
(``--gap``), now and then a tag nobody registered (``--unknown``) — until it is stopped.
``make run`` feeds its simulated reader this way (livestock/management/commands/reader_demo.py).
"""

from __future__ import annotations

import itertools
import random
import re
import sys
import time
from pathlib import Path

from . import iso11784
from .iso11784 import Code

# Lines a real reader also sends: power-on, blank, HDX industrial, a half line, garbage.
NOISE = ("\x02", "", "LR 0006 0000000018514243", "LA 982 0000010", "#@!~garbage~", "?")
TEST_COUNTRY = 999  # ISO 11784's code for test tags: what an unknown tag is made with


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
            codes.append(iso11784.from_tag(text))
        except iso11784.CodeError as exc:
            raise ValueError(f"{spec}:{number}: {text!r} is not a valid tag: {exc}") from exc
    return codes


def unknown_code(rng: random.Random) -> Code:
    """A random test tag (country 999), whose national ID fits ISO 11784's 38 bits."""
    return Code(TEST_COUNTRY, rng.randrange(iso11784.MAX_NATIONAL_ID + 1))


def parse_repeat(text: str) -> tuple[int, int]:
    """``"3"`` or ``"3-8"``: the reads of one tag in a row, at least and at most."""
    found = re.fullmatch(r"([0-9]+)(?:-([0-9]+))?", str(text).strip())
    low, high = (int(found[1]), int(found[2] or found[1])) if found else (0, 0)
    if not 1 <= low <= high:
        raise ValueError(f"--repeat {text!r}: give a number or a range such as 3-8, at least 1")
    return low, high


def passages(
    codes: list[Code],
    profile,
    repeat: int | tuple[int, int] = 1,
    noise: float = 0.0,
    seed: int = 1,
    forever: bool = False,
    unknown: float = 0.0,
):
    """Yield one list of (line, is_tag) per tag passing the reader.

    Each tag is read ``repeat`` times in a row (a number, or a range (low, high) drawn at random),
    with a ``noise`` share of non-tag lines among them. The tags are taken in order, once; with
    ``forever``, at random and without end, an ``unknown`` share of them random test tags.
    """
    if profile.format is None:
        raise ValueError(f"profile {profile.name} cannot be simulated: it has no known output format")
    low, high = (repeat, repeat) if isinstance(repeat, int) else repeat
    if forever and not codes and unknown <= 0:
        raise ValueError("no tags to simulate")
    rng = random.Random(seed)
    for index in itertools.count() if forever else range(len(codes)):
        if not forever:
            code = codes[index]
        elif not codes or (unknown and rng.random() < unknown):
            code = unknown_code(rng)
        else:
            code = rng.choice(codes)
        line = profile.format(code)
        passage = []
        for _ in range(low if low == high else rng.randint(low, high)):
            if noise and rng.random() < noise:
                passage.append((rng.choice(NOISE), False))
            passage.append((line, True))
        yield passage


def lines_for(codes: list[Code], profile, repeat: int = 1, noise: float = 0.0, seed: int = 1):
    """Yield (line, is_tag): each code ``repeat`` times in a row, with a ``noise`` share of non-tag lines."""
    for passage in passages(codes, profile, repeat, noise, seed):
        yield from passage


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
    repeat: int | tuple[int, int] = 1,
    noise: float = 0.0,
    power_on: bool = False,
    seed: int = 1,
    forever: bool = False,
    unknown: float = 0.0,
    gap: float = 0.0,
    count: int = 0,
) -> dict:
    """Write the lines at ``rate`` lines per second (0: as fast as possible); return the counts.

    ``gap`` seconds pass after each tag's reads (the next animal coming); with ``forever``, ``count``
    stops after that many tags (0: never).
    """
    counts = {"lines": 0, "tags": 0, "noise": 0, "passages": 0}
    pending: list[bytes] = []
    start = time.monotonic()
    if power_on:
        target.write(b"\x02\r\n")
        counts["lines"] += 1
        counts["noise"] += 1
    paused = 0.0  # the gaps so far: the line rate is kept within the passages
    for passage in passages(codes, profile, repeat, noise, seed, forever=forever, unknown=unknown):
        for line, is_tag in passage:
            pending.append(line.encode("latin-1") + b"\r\n")
            counts["lines"] += 1
            counts["tags" if is_tag else "noise"] += 1
            if rate <= 0:
                if len(pending) >= 256:
                    target.write(b"".join(pending))
                    pending.clear()
                continue
            due = start + paused + counts["lines"] / rate
            now = time.monotonic()
            if due > now or len(pending) >= 256:
                target.write(b"".join(pending))
                pending.clear()
                if due > now:
                    time.sleep(due - now)
        counts["passages"] += 1
        if gap > 0:
            if pending:
                target.write(b"".join(pending))
                pending.clear()
            time.sleep(gap)
            paused += gap
        if count and counts["passages"] >= count:
            break
    if pending:
        target.write(b"".join(pending))
    counts["seconds"] = round(time.monotonic() - start, 3)
    return counts
