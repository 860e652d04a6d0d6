"""Transit's demo data, for seed_demo: each part's module in turn (fleet and loadings first)."""

from . import demo_journeys


def seed() -> None:
    demo_journeys.seed()
