"""The files the herd benchmark imports: a supplier's list of tags and a farm's herd list.

Deterministic (random.Random(2026)) and relative to today, like the demo data. The tags are
national codes of one county with serials from ``SERIAL_BASE`` and RFID numbers from
``RFID_BASE``: ranges the demo data and the tests never use. The herd list names each tag the way
clerks' spreadsheets do: mostly the national code, some spaced, some by the RFID number in the
decimal or hex form a reader printed, so that every parsing path is exercised.

    python -m bench.datagen --out /tmp/herd --rows 100000
"""

import argparse
import csv
import datetime as dt
import random
from pathlib import Path

from livestock.eartags import CHINA, RfidCode

SEED = 2026
COUNTY = "441322"  # 博罗县, supervised by the Huizhou branch of the demo world
SPECIES = "1"
SERIAL_BASE = 90_000_000
RFID_BASE = 270_000_000_000
PENS = [f"{n}号猪舍" for n in range(1, 13)]
TAG_HEADER = ["国家标识码", "电子标识号"]
HERD_HEADER = ["耳标号", "性别", "品种", "出生日期", "入场日期", "圈舍", "来源", "来源说明"]


def national(n: int) -> str:
    return f"{SPECIES}{COUNTY}{SERIAL_BASE + n:08d}"


def rfid(n: int) -> RfidCode:
    return RfidCode(CHINA, RFID_BASE + n)


def tag_rows(count: int) -> list[list[str]]:
    """The supplier's list: each national code bound to its RFID number (15 decimal digits)."""
    return [[national(n), rfid(n).format_decimal("")] for n in range(1, count + 1)]


def herd_rows(count: int, *, today: dt.date | None = None, pens: list[str] = PENS) -> list[list[str]]:
    """A herd list for the tags 1..count: born over the last six months, ~3 % bought in."""
    rng = random.Random(SEED)
    today = today or dt.date.today()
    rows = []
    for n in range(1, count + 1):
        form = rng.random()
        if form < 0.6:
            tag = national(n)
        elif form < 0.7:
            code = national(n)
            tag = f"{code[0]} {code[1:7]} {code[7:]}"
        elif form < 0.9:
            tag = rfid(n).format_decimal("")
        else:
            tag = rfid(n).format_full_hex()
        birth = today - dt.timedelta(days=rng.randint(2, 180))
        entry, origin, note = "", "自繁", ""
        if rng.random() < 0.03:
            entry = str(min(birth + dt.timedelta(days=rng.randint(20, 50)), today))
            origin, note = "外购", "购自博罗县源丰种猪场"
        rows.append(
            [
                tag,
                rng.choice(["母", "阉", "公"]),
                rng.choice(["杜长大三元", "杜长大三元", "长大二元"]),
                str(birth),
                entry,
                rng.choice(pens),
                origin,
                note,
            ]
        )
    return rows


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    """Write a CSV as Excel saves "CSV UTF-8" (with a byte-order mark)."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_files(out: Path, rows: int, *, today: dt.date | None = None) -> tuple[Path, Path]:
    """Write ``tags.csv`` and ``herd.csv`` for ``rows`` animals into ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    tags = write_csv(out / "tags.csv", TAG_HEADER, tag_rows(rows))
    herd = write_csv(out / "herd.csv", HERD_HEADER, herd_rows(rows, today=today))
    return tags, herd


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to write tags.csv and herd.csv into")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    for path in write_files(args.out, args.rows):
        print(path)


if __name__ == "__main__":
    main()
