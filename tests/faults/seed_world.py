"""Seed the fault tests' own database: the demo world, a farm with a herd, one reader per test.

Run as ``python -m tests.faults.seed_world`` with DATABASE_URL set; prints the devices (code and
secret) and the animals' RFID numbers as one line of JSON.
"""

import json

import django

django.setup()

from accounts import demo  # noqa: E402
from livestock import reference  # noqa: E402
from livestock.services.devices import device_register  # noqa: E402
from tests.conftest import load_world  # noqa: E402
from tests.farms.factories import registered_farm  # noqa: E402
from tests.livestock.factories import herd  # noqa: E402

SCENARIOS = 8
PER_SCENARIO = 100


def main() -> None:
    demo.seed()
    reference.ensure()
    world = load_world()
    farm = registered_farm(world)
    animals = herd(world.ent_a_staff, farm, range(1, SCENARIOS * PER_SCENARIO + 1))
    devices = [
        device_register(actor=world.manager, code=f"fault-{n}", name=f"fault test {n}", farm=farm)
        for n in range(SCENARIOS)
    ]
    print(
        json.dumps(
            {
                "devices": [{"code": d.code, "secret": d.secret} for d in devices],
                "rfids": [a.rfid for a in animals],
                "per_scenario": PER_SCENARIO,
            }
        )
    )


if __name__ == "__main__":
    main()
