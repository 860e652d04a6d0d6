"""Which animals of a consignment are sampled: a draw anyone can repeat from its recorded seed.

Each tag is ranked by SHA-256 over ``seed + ":" + tag`` (hex, compared as text) and the first
``count`` are sampled. Any language reproduces it from the seed and the tag list on the
certificate (docs/quarantine.md), with no dependence on a library's random generator.
"""

import hashlib
import math
import secrets


def sample_count(*, head_count: int, percent: int, minimum: int = 1) -> int:
    """Return how many of ``head_count`` animals a sampling ratio of ``percent`` % takes."""
    return min(head_count, max(minimum, math.ceil(head_count * percent / 100)))


def new_seed() -> str:
    return secrets.token_hex(16)


def draw(*, tags: list[str], count: int, seed: str) -> list[str]:
    """Return the ``count`` tags drawn for sampling with ``seed``, in the order drawn."""
    ranked = sorted(tags, key=lambda tag: hashlib.sha256(f"{seed}:{tag}".encode()).hexdigest())
    return ranked[:count]
