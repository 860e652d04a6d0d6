"""Demo data of transit, for seed_demo: each part keeps its own module, called here lowest step
first (the fleet and its loadings, then the journeys' tracks, then the warehouse and the port)."""

from . import demo_fleet, demo_journeys, demo_loading, demo_port


def seed() -> None:
    demo_fleet.seed()
    demo_loading.seed()
    demo_journeys.seed()
    demo_port.seed()
