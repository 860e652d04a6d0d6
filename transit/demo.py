"""Demo data of transit: each part keeps its own module (demo_fleet, and the journeys' and the
warehouse's and port's once they land), called here lowest step first."""

from . import demo_fleet


def seed() -> None:
    demo_fleet.seed()
