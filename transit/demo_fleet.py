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
    today = timezone.localdate()
    yesterday = timezone.now() - dt.timedelta(days=1)
    for index, (code, prefix, short) in enumerate(_fleets()):
        enterprise = Organisation.objects.filter(code=code).first()
        staff = User.objects.filter(organisation=enterprise).order_by("pk").first() if enterprise else None
        # An enterprise without a demo login: its trucks were registered at the bureau's counter.
        staff = staff or manager
        if enterprise is None or staff is None or manager is None:
            continue
        waiting = code == "ent-huafeng"
        for n in range(1, 4 if waiting else 3):
            approved = n < 3
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
                    "capacity": {"1": 200, "3": 400} if n == 1 else {"1": 120, "2": 30, "3": 200},
                    "gps_unit": unit,
                    "status": Approval.APPROVED if approved else Approval.SUBMITTED,
                    "approved_by": manager if approved else None,
                    "approved_at": timezone.now() if approved else None,
                    "created_by": staff,
                },
            )
            if created and approved:
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
            Driver.objects.get_or_create(
                enterprise=enterprise,
                id_number=f"44000019800101{index:02d}{n:02d}",
                defaults={
                    "name": DRIVER_NAMES[n - 1],
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
