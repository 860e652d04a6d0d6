"""The declaration: every rule refuses with its animals named, all at once, and nothing is stored."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.errors import DomainError
from farms import services as farm_services
from livestock.models import Animal, Event
from livestock.services.records import log_record
from quarantine import services
from quarantine.models import Consignment, ConsignmentAnimal, ConsignmentStatusChange
from surveillance.models import Disease, DiseaseReport
from surveillance.services import report_create
from tests.farms.factories import BOLUO
from tests.livestock.factories import herd

from .factories import declaration, declare, farm_a, ready_herd, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def farm(world):
    return farm_a(world)


@pytest.fixture
def animals(world, farm):
    return ready_herd(world, farm, range(1, 9))


def refused(world, decl) -> services.DeclarationRefused:
    before = (Consignment.objects.count(), ConsignmentAnimal.objects.count(), Event.objects.count())
    with pytest.raises(services.DeclarationRefused) as caught:
        services.consignment_declare(actor=world.ent_a_staff, declaration=decl)
    after = (Consignment.objects.count(), ConsignmentAnimal.objects.count(), Event.objects.count())
    assert before == after, "a refused declaration stores nothing"
    return caught.value


def problem(exc: services.DeclarationRefused, rule: str) -> services.Problem:
    found = [p for p in exc.problems if p.rule == rule]
    assert found, f"no {rule} problem among {[str(p) for p in exc.problems]}"
    return found[0]


def test_a_good_declaration_holds_its_animals_and_records_the_step(world, farm, animals):
    consignment = declare(world, farm, animals)
    assert consignment.number.startswith("QD") and consignment.status == "declared"
    assert consignment.branch_id == farm.branch_id and consignment.head_count == 8
    assert set(consignment.items.values_list("animal_id", flat=True)) == {a.pk for a in animals}
    assert set(Animal.objects.filter(pk__in=[a.pk for a in animals]).values_list("status", flat=True)) == {
        "declared"
    }
    events = Event.objects.filter(kind="declared", source=f"quarantine.consignment:{consignment.pk}")
    assert events.count() == 8 and events.first().data["consignment"] == consignment.number
    change = ConsignmentStatusChange.objects.get(consignment=consignment)
    assert (change.action, change.to_status, change.actor) == ("declare", "declared", world.ent_a_staff)
    assert consignment.history.count() == 1


def test_a_declaration_s_queries_do_not_grow_with_its_animals(world, farm, animals):
    """Every rule is checked for all the animals at once: two animals or eight, the same queries
    (a day's loading is 600)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for group in (animals[:2], animals[2:]):
        with CaptureQueriesContext(connection) as queries:
            declare(world, farm, group)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_every_failure_comes_back_at_once_each_naming_its_animals(world, farm, animals):
    in_withdrawal, fine, dead, ok = animals[0], animals[1], animals[2], animals[3]
    log_record(
        actor=world.ent_a_staff,
        farm=farm,
        kind="medication",
        occurred_on=today(),
        fields={
            "product": "阿莫西林",
            "active_substance": "阿莫西林",
            "dose": "10",
            "dose_unit": "mg",
            "withdrawal_days": 10,
        },
        animal_ids=[in_withdrawal.pk],
    )
    Animal.objects.filter(pk=dead.pk).update(status="dead")
    fresh = herd(world.ent_a_staff, farm, [50])[-1]
    tags = [
        in_withdrawal.national_code,
        dead.national_code,
        ok.national_code,
        ok.national_code,
        fresh.national_code,
    ]
    tags += ["144132299999999", "not-a-tag"]
    exc = refused(
        world,
        declaration(
            world,
            farm,
            [],
            tags=tags,
            head_count=3,
            planned_loading_on=today() - dt.timedelta(days=1),
            isolation_started_on=today() - dt.timedelta(days=30),
        ),
    )
    assert in_withdrawal.national_code in problem(exc, "withdrawal").tags
    assert problem(exc, "alive").tags == [dead.national_code]
    assert problem(exc, "duplicates").tags == [ok.national_code]
    assert fresh.national_code in problem(exc, "vaccination").tags
    assert problem(exc, "not_on_record").tags == ["144132299999999"]
    assert problem(exc, "tags").tags == ["not-a-tag"]
    assert "in the past" in str(problem(exc, "dates"))
    assert "head count is 3" in str(problem(exc, "head_count"))
    assert fine.national_code not in str(exc.items)  # it was not listed, and is named nowhere
    # Each message names its animals.
    assert in_withdrawal.national_code in str(problem(exc, "withdrawal"))
    assert set(Animal.objects.filter(farm=farm).values_list("status", flat=True)) <= {"on_farm", "dead"}


def test_a_farm_in_a_disease_zone_is_refused_with_the_zone_and_disease_named(world, farm, animals):
    report_create(
        actor=world.manager,
        disease=Disease.objects.get(code="asf"),
        confirmed_on=today(),
        source=DiseaseReport.Source.NATIONAL_BULLETIN,
        latitude=BOLUO["latitude"] + Decimal("0.01"),
        longitude=BOLUO["longitude"],
    )
    exc = refused(world, declaration(world, farm, animals))
    message = str(problem(exc, "zone"))
    assert "Huafeng Farm No. 1" in message and "African swine fever" in message


def test_a_suspended_farm_may_not_declare(world, farm, animals):
    farm_services.farm_suspend(actor=world.insp_a, farm=farm, reason="整改")
    farm.refresh_from_db()
    exc = refused(world, declaration(world, farm, animals))
    assert "Suspended" in str(problem(exc, "farm"))


def test_an_animal_in_an_open_consignment_is_refused_until_released(world, farm, animals):
    first = declare(world, farm, animals[:3])
    exc = refused(world, declaration(world, farm, animals[2:5]))
    other = problem(exc, "other_consignment")
    assert other.tags == [animals[2].national_code] and first.number in str(other)
    services.consignment_withdraw(actor=world.ent_a_staff, consignment=first, reason="改期")
    second = declare(world, farm, animals[2:5])
    assert second.items.count() == 3


def test_exported_and_blocked_animals_are_refused(world, farm, animals):
    Animal.objects.filter(pk=animals[0].pk).update(status="released")
    Animal.objects.filter(pk=animals[1].pk).update(
        export_blocked_at=timezone.now(), export_block_reason="阳性"
    )
    exc = refused(world, declaration(world, farm, animals))
    assert problem(exc, "exported").tags == [animals[0].national_code]
    assert problem(exc, "blocked").tags == [animals[1].national_code]


def test_animals_of_another_farm_or_enterprise_are_named(world, farm, animals):
    second = farm_a(
        world, name_zh="华丰二场", name_en="Huafeng Farm No. 2", latitude=BOLUO["latitude"] + Decimal("0.05")
    )
    theirs = ready_herd(world, second, [70])
    exc = refused(world, declaration(world, farm, [*animals, *theirs]))
    assert problem(exc, "other_farm").tags == [theirs[0].national_code]
    assert "Huafeng Farm No. 2" in str(problem(exc, "other_farm"))


def test_isolation_too_short_and_animals_that_came_late_are_refused(world, farm, animals):
    Animal.objects.filter(pk=animals[0].pk).update(entry_date=today() - dt.timedelta(days=3))
    exc = refused(
        world, declaration(world, farm, animals, isolation_started_on=today() - dt.timedelta(days=5))
    )
    messages = [str(p) for p in exc.problems if p.rule == "isolation"]
    assert any("at least 15 days" in m for m in messages)
    assert any(animals[0].national_code in m and "too late" in m for m in messages)


def test_another_enterprise_may_not_declare_for_the_farm(world, farm, animals):
    with pytest.raises(DomainError, match="another enterprise"):
        services.consignment_declare(actor=world.ent_b_staff, declaration=declaration(world, farm, animals))
    assert not Consignment.objects.exists()


def test_the_wrong_species_is_refused(world, farm, animals):
    exc = refused(world, declaration(world, farm, animals, species="2"))
    assert "keeps Pigs" in str(problem(exc, "farm"))
    assert len(problem(exc, "species").tags) == len(animals)
