"""The order of pens: as people number them, 1号, 2号 … 10号 (plain Python)."""

import re
import unicodedata

_RUNS = re.compile(r"\d+|\D+")


def pen_sort_key(name: str) -> tuple:
    """Sort key of a pen's name: its numbers as numbers (10号 after 9号), in any digit width."""
    text = unicodedata.normalize("NFKC", name or "")
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold()) for part in _RUNS.findall(text)
    )
