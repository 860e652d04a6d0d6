"""The bureau's herd pages in the permission matrix (their alerts are in matrix_surveillance.py).

Inspectors and managers read the herds; an inspector only those of the own branch's farms (the
Hunan inspector gets a 404 for a Huizhou farm). The port, the warehouse, the lab and the system
administrator (an admin-site role) are refused by the rule before any look-up.
"""

from .cases import METHODS, case, to

READERS = {"insp_a", "insp_b", "manager"}
HUIZHOU = {"insp_a", "manager"}


def huizhou_farm(world):
    from tests.farms.factories import registered_farm

    return {"farm_pk": registered_farm(world).pk}


MATRIX = {
    "portal_ciq:herd_list": case(READERS),
    "portal_ciq:herd_farm": case(HUIZHOU, not_found={"insp_b"}, kwargs=huizhou_farm),
    # The old list of banned-substance alerts sends its readers to the alerts centre.
    "portal_ciq:alert_list": case(READERS, **dict.fromkeys(METHODS, to("portal_ciq:alert_centre"))),
}
