"""The enterprise's herd pages: enterprise users only, and each enterprise only its own herd.

The farm, its animals, an uploaded herd list and a record all belong to enterprise A: its people
are let in, enterprise B's administrator is told they do not exist (404), and the bureau's users
are refused by the rule before any look-up (the bureau reads animals in its own portal).
"""

from django.utils import timezone

from .cases import ENT_A, ENT_B, ENTERPRISE, OK, case, per_role, to

OWN, OTHER = ENT_A, ENT_B
SERIALS = range(9001, 9004)


def a_farm(w):
    from tests.farms.factories import registered_farm

    return registered_farm(w)


def farm_pk(w):
    return {"farm_pk": a_farm(w).pk}


def log_create_kwargs(w):
    return {"farm_pk": a_farm(w).pk, "kind": "vaccination"}


def an_animal(w):
    from tests.livestock.factories import herd

    animal = herd(w.ent_a_staff, a_farm(w), SERIALS)[0]
    return {"pk": animal.pk, "tag": animal.national_code}


def an_import(w):
    """A herd list of enterprise A's farm, checked and waiting for confirmation."""
    from livestock.services.animals import animals_import_check
    from tests.livestock.factories import herd_file, issue_tags

    issue_tags(w.ent_a_staff, SERIALS)
    farm = a_farm(w)
    check = animals_import_check(actor=w.ent_a_staff, farm=farm, file=herd_file(SERIALS))
    return {"pk": check.pk, "farm_pk": farm.pk}


def a_log(w):
    from livestock.services.records import log_record
    from tests.livestock.factories import herd

    farm = a_farm(w)
    animals = herd(w.ent_a_staff, farm, SERIALS)
    log = log_record(
        actor=w.ent_a_staff,
        farm=farm,
        kind="feed",
        occurred_on=timezone.localdate(),
        fields={"product": "育肥猪配合饲料", "maker": "海大饲料", "batch": "HD-1"},
        animal_ids=[a.pk for a in animals],
    )
    return {"pk": log.pk}


def _ours(kwargs, **kw):
    return case(OWN, not_found=OTHER, kwargs=kwargs, **kw)


MATRIX = {
    "portal_enterprise:herd_home": case(ENTERPRISE),
    "portal_enterprise:herd_template": case(ENTERPRISE),
    # A tag of enterprise A's herd: its people are sent to the animal, enterprise B's are told
    # that no animal of theirs has it.
    "portal_enterprise:animal_find": case(
        ENTERPRISE,
        kwargs=an_animal,
        query=lambda given: {"q": given["tag"]},
        get=per_role((OWN, to("portal_enterprise:animal_detail")), (OTHER, OK)),
    ),
    "portal_enterprise:tag_list": case(ENTERPRISE),
    "portal_enterprise:tag_import": case(ENTERPRISE),
    "portal_enterprise:tag_template": case(ENTERPRISE),
    "portal_enterprise:herd_farm": _ours(farm_pk),
    "portal_enterprise:animal_create": _ours(farm_pk),
    "portal_enterprise:animal_import": _ours(farm_pk),
    "portal_enterprise:log_list": _ours(farm_pk),
    "portal_enterprise:log_create": _ours(log_create_kwargs),
    "portal_enterprise:quick_entry": _ours(farm_pk),
    "portal_enterprise:quick_tag_check": _ours(farm_pk),
    "portal_enterprise:animal_detail": _ours(an_animal),
    "portal_enterprise:animal_edit": _ours(an_animal),
    "portal_enterprise:animal_retag": _ours(an_animal),
    "portal_enterprise:animal_import_preview": _ours(an_import),
    "portal_enterprise:animal_import_errors": _ours(an_import),
    # A confirmed list shows the herd it joined; a cancelled one goes back to the upload form.
    "portal_enterprise:animal_import_confirm": _ours(an_import, post=to("portal_enterprise:herd_farm")),
    "portal_enterprise:animal_import_cancel": _ours(an_import, post=to("portal_enterprise:animal_import")),
    "portal_enterprise:log_detail": _ours(a_log),
}
