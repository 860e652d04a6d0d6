"""The bureau's page of one animal, and the tag look-up that leads to it.

The animal is on a farm of enterprise A, supervised by the Huizhou branch: its inspector and the
managers read it, the Hunan inspector is told it does not exist (404); the port, the warehouse,
the lab, the enterprises and the system administrator (an admin-site role) are refused by the rule.
"""

from .cases import case

READERS = {"insp_a", "insp_b", "manager"}


def huizhou_animal(world):
    from tests.farms.factories import registered_farm
    from tests.livestock.factories import herd

    return {"pk": herd(world.ent_a_staff, registered_farm(world), [9101])[0].pk}


MATRIX = {
    "portal_ciq:animal_detail": case({"insp_a", "manager"}, not_found={"insp_b"}, kwargs=huizhou_animal),
    "portal_ciq:animal_find": case(READERS, data={"q": "144132209999999"}),
}
