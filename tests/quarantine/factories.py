"""Consignments made through the services, as an enterprise and the bureau would."""

import datetime as dt

from django.utils import timezone

from accounts.models import Organisation
from livestock.models import VaccinationRequirement
from livestock.services.records import log_record
from quarantine import services
from quarantine.models import ExamChecklistItem
from tests.farms.factories import registered_farm
from tests.livestock.factories import herd, national


def today() -> dt.date:
    return timezone.localdate()


def vaccinate(world, farm, animals, *, on=None) -> None:
    """Give ``animals`` every vaccination their species requires (on ``on``, default today)."""
    for requirement in VaccinationRequirement.objects.filter(species=farm.species, is_active=True):
        log_record(
            actor=world.ent_a_staff,
            farm=farm,
            kind="vaccination",
            occurred_on=on or today(),
            fields={
                "product": f"{requirement.disease_zh}疫苗",
                "maker": "中牧",
                "batch": "B1",
                "dose": "1",
                "dose_unit": "dose",
                "requirement": requirement.pk,
            },
            animal_ids=[a.pk for a in animals],
        )


def ready_herd(world, farm, serials):
    """A vaccinated herd of ``farm``, fit to be declared."""
    codes = {national(s, farm.species) for s in serials}
    animals = [a for a in herd(world.ent_a_staff, farm, serials) if a.national_code in codes]
    vaccinate(world, farm, animals)
    return animals


def port(world) -> Organisation:
    return world.port_wenjindu


def declaration(world, farm, animals, **overrides) -> services.Declaration:
    tags = [a.national_code for a in animals]
    data = {
        "farm": farm,
        "species": farm.species,
        "tags": tags,
        "planned_loading_on": today() + dt.timedelta(days=1),
        "isolation_started_on": today() - dt.timedelta(days=16),
        "exit_port": port(world),
        "consignee": "五丰行有限公司",
        "destination": "上水屠房 Sheung Shui Slaughterhouse",
        "contact_name": "陈经理",
        "contact_phone": "13800000000",
        "head_count": len(tags),
    }
    data.update(overrides)
    return services.Declaration(**data)


def declare(world, farm, animals, **overrides):
    return services.consignment_declare(
        actor=world.ent_a_staff, declaration=declaration(world, farm, animals, **overrides)
    )


def all_ok(consignment) -> dict[int, bool]:
    return {i.pk: True for i in ExamChecklistItem.objects.filter(species=consignment.species, is_active=True)}


def negative_rows(consignment) -> list[dict]:
    from quarantine.models import Analyte

    analytes = [
        a for a in Analyte.objects.filter(is_active=True) if not a.species or a.species == consignment.species
    ]
    return [
        {"sample": s.number, "analyte": a.code, "result": "0.1" if a.limit is not None else "negative"}
        for s in consignment.samples.all()
        for a in analytes
    ]


def through(world, consignment, upto: str, start: str = "accept"):
    """Take ``consignment`` through the workflow from ``start`` up to and including ``upto``."""
    steps = ["accept", "examine", "sample", "results", "approve"]
    result = consignment
    for step in steps[steps.index(start) : steps.index(upto) + 1]:
        if step == "accept":
            services.consignment_accept(actor=world.insp_a, consignment=consignment)
        elif step == "examine":
            services.consignment_examine(
                actor=world.insp_a, consignment=consignment, answers=all_ok(consignment)
            )
        elif step == "sample":
            services.consignment_sample(actor=world.insp_a, consignment=consignment, seed="fixed-seed")
        elif step == "results":
            services.lab_results_record(
                actor=world.lab, consignment=consignment, rows=negative_rows(consignment)
            )
        elif step == "approve":
            result = services.consignment_approve(actor=world.insp_a, consignment=consignment)
    consignment.refresh_from_db()
    return result


def farm_a(world, **overrides):
    return registered_farm(world, **overrides)
