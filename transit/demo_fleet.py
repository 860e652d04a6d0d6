"""Demo vehicles, drivers, GPS units and disinfections of the demo enterprises (idempotent).

Each enterprise gets two trucks with a GPS unit each, and two drivers, all approved and
disinfected yesterday, so that a demo consignment can be loaded at once; enterprise A's third
truck and driver wait for the bureau's review. A demo unit's token is ``demo-<unit ID>``
(only its hash is stored, as for any unit) so that a simulator may post its positions.
Every other enterprise with an approved consignment gets two trucks and two drivers as well
(transit.generate takes those consignments through transit on them).
"""

import datetime as dt

from django.utils import timezone

from accounts.models import Organisation, Role, User

from .models import Disinfection, Driver, GpsUnit, Vehicle
from .models.fleet import Approval
from .services.fleet import TOKEN_PREFIX_LEN, token_hash

# (enterprise code, plate prefix, province letter) — plates are fictitious.
FLEETS = [
    ("ent-huafeng", "粤L", "HF"),
    ("ent-xiangrun", "湘A", "XR"),
    ("ent-ganlv", "赣B", "GL"),
    ("ent-guinan", "桂C", "GN"),
    ("ent-zhongyuan", "豫A", "ZY"),
    ("ent-wuyi", "粤J", "WY"),
]
DRIVER_NAMES = ["张建国", "李卫东", "陈志明"]
# Head per species: the first truck, the others of ``seed``, and those ``truck_add`` adds (a
# double-deck truck that takes the year's lots of about 37 head of cattle too).
CAPACITY = {1: {"1": 200, "3": 400}, 2: {"1": 120, "2": 30, "3": 200}, 3: {"1": 120, "2": 30, "3": 200}}
EXTRA_CAPACITY = {"1": 200, "2": 40, "3": 400}


def _unit(enterprise, identifier: str) -> GpsUnit:
    token = f"demo-{identifier}"
    unit, _ = GpsUnit.objects.update_or_create(
        identifier=identifier,
        defaults={
            "enterprise": enterprise,
            "token_prefix": token[:TOKEN_PREFIX_LEN],
            "token_hash": token_hash(token),
        },
    )
    return unit


# Plate prefixes of the other enterprises' trucks (fictitious, cycled).
OTHER_PREFIXES = ["湘B", "桂A", "赣C", "粤S", "鄂A", "粤H", "闽A", "粤M"]


def _fleets() -> list[tuple[str, str, str]]:
    """FLEETS, then every other enterprise with an approved consignment."""
    from quarantine.models import Consignment

    named = {code for code, _p, _s in FLEETS}
    others = (
        Organisation.objects.filter(
            kind=Organisation.Kind.ENTERPRISE, consignments__status=Consignment.Status.APPROVED
        )
        .exclude(code__in=named)
        .distinct()
        .order_by("code")
        .values_list("code", "pk")
    )
    return [
        *FLEETS,
        *(
            (code, OTHER_PREFIXES[n % len(OTHER_PREFIXES)], f"E{pk:03d}")
            for n, (code, pk) in enumerate(others)
        ),
    ]


def seed() -> None:
    manager = User.objects.filter(role=Role.MANAGER).order_by("pk").first()
    for index, (code, prefix, short) in enumerate(_fleets()):
        enterprise = Organisation.objects.filter(code=code).first()
        if enterprise is None or manager is None:
            continue
        waiting = code == "ent-huafeng"
        for n in range(1, 4 if waiting else 3):
            _truck(enterprise, (index, prefix, short), n, manager=manager, approved=n < 3, washed=True)


def numbering() -> dict[str, tuple[int, str, str]]:
    """Enterprise code -> how ``seed`` numbers its trucks (index, plate prefix, short code)."""
    return {code: (index, prefix, short) for index, (code, prefix, short) in enumerate(_fleets())}


def truck_add(enterprise, n: int, *, numbers: dict | None = None) -> tuple[Vehicle, Driver]:
    """The enterprise's truck number ``n`` (4 and up: 1–3 are ``seed``'s) and its driver, approved,
    numbered as ``seed`` numbers them (``numbers``: ``numbering()``, read once by a caller that
    adds many): for an enterprise with more trucks on the road at once than the demo's two
    (bench/year.py takes a fortnight of Shenzhen's supply through transit). No wash recorded:
    ``transit.generate`` records one before each loading (and numbers its rows itself from the
    table's last ID when it starts: a row written meanwhile would take one of its IDs)."""
    manager = User.objects.filter(role=Role.MANAGER).order_by("pk").first()
    numbers = numbers or numbering()
    return _truck(enterprise, numbers[enterprise.code], n, manager=manager, approved=True, washed=False)


def _truck(
    enterprise, numbering: tuple, n: int, *, manager, approved: bool, washed: bool
) -> tuple[Vehicle, Driver]:
    index, prefix, short = numbering
    today = timezone.localdate()
    yesterday = timezone.now() - dt.timedelta(days=1)
    staff = User.objects.filter(organisation=enterprise).order_by("pk").first()
    # An enterprise without a demo login: its trucks were registered at the bureau's counter.
    staff = staff or manager
    plate = f"{prefix}{index + 1}{n:04d}"
    unit = _unit(enterprise, f"IMEI-{short}-{n:04d}")
    vehicle, created = Vehicle.objects.get_or_create(
        plate=plate,
        defaults={
            "enterprise": enterprise,
            "hk_plate": f"{short}{n:04d}",
            "permit_number": f"GDHK-{short}-{n:04d}",
            "permit_valid_until": today + dt.timedelta(days=300),
            "decks": 2,
            "capacity": CAPACITY.get(n, EXTRA_CAPACITY),
            "gps_unit": unit,
            "status": Approval.APPROVED if approved else Approval.SUBMITTED,
            "approved_by": manager if approved else None,
            "approved_at": timezone.now() if approved else None,
            "created_by": staff,
        },
    )
    if created and approved and washed:
        Disinfection.objects.create(
            vehicle=vehicle,
            site=enterprise,
            place="场内洗消中心",
            agent="过氧乙酸",
            concentration="0.5%",
            performed_at=yesterday,
            performed_by="洗消员 王师傅",
            recorded_by=staff,
        )
    driver, _ = Driver.objects.get_or_create(
        enterprise=enterprise,
        id_number=f"44000019800101{index:02d}{n:02d}",
        defaults={
            "name": DRIVER_NAMES[(n - 1) % len(DRIVER_NAMES)],
            "phone": f"139000{index:02d}{n:03d}",
            "licence_number": f"DL{index:02d}{n:06d}",
            "licence_valid_until": today + dt.timedelta(days=900),
            "permit_number": f"HKDP-{short}-{n:02d}",
            "status": Approval.APPROVED if approved else Approval.SUBMITTED,
            "approved_by": manager if approved else None,
            "approved_at": timezone.now() if approved else None,
            "created_by": staff,
        },
    )
    return vehicle, driver
