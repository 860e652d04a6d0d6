"""The bureau's herd pages and banned-substance alerts in the permission matrix.

Inspectors and managers read the herds and handle the alerts; an inspector only those of the
own branch's farms (the Hunan inspector gets a 404 for a Huizhou farm or alert). The port, the
warehouse, the lab and the system administrator (an admin-site role) are refused by the rule
before any look-up.
"""

import contextlib

from django.utils import timezone

from .cases import case

READERS = {"insp_a", "insp_b", "manager"}
HUIZHOU = {"insp_a", "manager"}


def huizhou_farm(world):
    from tests.farms.factories import registered_farm

    return {"farm_pk": registered_farm(world).pk}


def huizhou_alert(world):
    """A disinfection record naming clenbuterol: refused, and an alert raised for branch A."""
    from accounts.errors import DomainError
    from livestock.models import SubstanceAlert
    from livestock.services.records import log_record
    from tests.farms.factories import registered_farm

    farm = registered_farm(world)
    with contextlib.suppress(DomainError):  # refused, as it must be; the alert stays
        log_record(
            actor=world.ent_a_staff,
            farm=farm,
            kind="disinfection",
            occurred_on=timezone.localdate(),
            fields={"product": "盐酸克仑特罗", "area": "1号猪舍"},
        )
    return {"pk": SubstanceAlert.objects.get(farm=farm).pk}


MATRIX = {
    "portal_ciq:herd_list": case(READERS),
    "portal_ciq:herd_farm": case(HUIZHOU, not_found={"insp_b"}, kwargs=huizhou_farm),
    "portal_ciq:alert_list": case(READERS),
    "portal_ciq:alert_handle": case(
        HUIZHOU, not_found={"insp_b"}, kwargs=huizhou_alert, method="post", data={"note": "permission matrix"}
    ),
}
