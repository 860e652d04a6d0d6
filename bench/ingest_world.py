"""The ingestion benchmark's herd: a registered farm with thousands of animals and its readers.

Run as ``python -m bench.ingest_world HERD`` with DATABASE_URL set to the benchmark stack's
database (after tests.faults.seed_world): the tags are issued and the herd list imported through
the services a clerk's upload calls, and two readers are registered on the farm (one for the
herd's reads, one for tags nobody registered). Prints the readers and the animals' RFID numbers as
one line of JSON.
"""

import json
import sys
from decimal import Decimal

import django

django.setup()

from livestock.services.devices import device_register  # noqa: E402
from tests.conftest import load_world  # noqa: E402
from tests.farms.factories import registered_farm  # noqa: E402
from tests.livestock.factories import herd  # noqa: E402

SERIAL_FROM = 200_001  # after the fault tests' herd (serials 1-800)


def main(size: int) -> None:
    world = load_world()
    farm = registered_farm(
        world,
        name_zh="基准读卡场",
        name_en="Ingestion benchmark farm",
        latitude=Decimal("23.251234"),
        longitude=Decimal("114.351234"),
    )
    animals = herd(world.ent_a_staff, farm, range(SERIAL_FROM, SERIAL_FROM + size))
    devices = {
        name: device_register(actor=world.manager, code=f"bench-{name}", name=f"bench {name}", farm=farm)
        for name in ("herd", "unknown")
    }
    print(
        json.dumps(
            {
                "devices": {name: {"code": d.code, "secret": d.secret} for name, d in devices.items()},
                "rfids": [a.rfid for a in animals],
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]))
