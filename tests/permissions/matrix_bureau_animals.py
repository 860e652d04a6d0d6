"""The bureau's page of one animal, and the tag look-up that leads to it.

The animal is on a farm of enterprise A, supervised by the Huizhou branch: its inspector and the
managers read it, the Hunan inspector is told it does not exist (404); the port, the warehouse,
the lab, the enterprises and the system administrator (an admin-site role) are refused by the rule.
"""

from .cases import OK, case, per_role, to

READERS = {"insp_a", "insp_b", "manager"}


def huizhou_animal(world):
    from tests.farms.factories import registered_farm
    from tests.livestock.factories import herd

    animal = herd(world.ent_a_staff, registered_farm(world), [9101])[0]
    return {"pk": animal.pk, "tag": animal.national_code}


MATRIX = {
    "portal_ciq:animal_detail": case({"insp_a", "manager"}, not_found={"insp_b"}, kwargs=huizhou_animal),
    # A tag of that animal: who may read it is sent to its page, the Hunan inspector is told
    # that no animal it supervises has it.
    "portal_ciq:animal_find": case(
        READERS,
        kwargs=huizhou_animal,
        query=lambda given: {"q": given["tag"]},
        get=per_role(({"insp_a", "manager"}, to("portal_ciq:animal_detail")), ({"insp_b"}, OK)),
    ),
}
