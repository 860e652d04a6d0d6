"""Production records: the animals they cover, withdrawal, banned substances, coverage, deaths."""

import datetime as dt
import unicodedata
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.errors import DomainError
from livestock import selectors
from livestock.models import Animal, Event, LogAnimal, ProductionLog, SubstanceAlert, VaccinationRequirement
from livestock.services.records import log_record
from tests.farms.factories import registered_farm

from .factories import herd, national

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def farm(world):
    return registered_farm(world)


@pytest.fixture
def animals(world, farm):
    return herd(world.ent_a_staff, farm, range(1, 6))


def medicate(world, farm, animal, days=14, on=None):
    return log_record(
        actor=world.ent_a_staff,
        farm=farm,
        kind="medication",
        occurred_on=on or TODAY(),
        fields={
            "product": "阿莫西林可溶性粉",
            "active_substance": "阿莫西林",
            "dose": "10",
            "dose_unit": "mg",
            "withdrawal_days": days,
        },
        animal_ids=[animal.pk],
    )


def test_pen_vaccination_covers_every_animal_of_the_pen(world, farm, animals):
    csf = VaccinationRequirement.objects.get(species="1", disease_zh="猪瘟")
    log = log_record(
        actor=world.ent_a_staff,
        farm=farm,
        kind="vaccination",
        occurred_on=TODAY(),
        pen="1号猪舍",
        fields={
            "product": "猪瘟活疫苗",
            "maker": "中牧",
            "batch": "2026-11A",
            "dose": "1",
            "dose_unit": "dose",
            "requirement": csf.pk,
        },
    )
    assert log.animal_count == 5 and LogAnimal.objects.filter(log=log).count() == 5
    events = Event.objects.filter(source=f"livestock.productionlog:{log.pk}")
    assert events.count() == 5
    event = events.first()
    assert event.kind == "vaccination" and event.biz_step == "urn:hk-livestock:bizstep:vaccinating"
    assert event.read_point == f"urn:hk-livestock:farm:{farm.pk}:pen:1号猪舍"
    assert event.data["batch"] == "2026-11A" and event.data["disease"] == "猪瘟"
    reqs, pens = selectors.farm_coverage(farm=farm)
    assert pens[0].percent(csf.pk) == 100
    cover = {c.requirement.pk: c for c in selectors.animal_coverage(animal=animals[0])}
    assert cover[csf.pk].state == "covered" and cover[csf.pk].next_due == TODAY() + dt.timedelta(days=180)


def test_medication_withdrawal_blocks_export_until_it_ends(world, farm, animals):
    target = animals[0]
    medicate(world, farm, target, days=14)
    target.refresh_from_db()
    until = TODAY() + dt.timedelta(days=14)
    assert target.withdrawal_until == until
    assert target.export_blocked_until(TODAY()) == until
    blockers = selectors.export_blockers(animals=[target, animals[1]])
    assert str(until) in str(blockers[target.pk]) and animals[1].pk not in blockers
    assert list(selectors.withdrawals_open(farm=farm)) == [target]
    # A shorter later treatment does not shorten the running withdrawal.
    medicate(world, farm, target, days=2)
    target.refresh_from_db()
    assert target.withdrawal_until == until
    assert Event.objects.filter(animal=target, kind="withdrawal").count() == 2


def test_the_record_is_read_a_page_at_a_time(world, farm, animals):
    target = animals[0]
    first = medicate(world, farm, target, days=14)
    second = medicate(world, farm, target, days=20)  # registered, withdrawal, withdrawal
    record = selectors.animal_record(animal=target, per_page=2)
    assert [e.kind for e in record["events"]] == ["registered", "withdrawal"]
    assert record["events"][1].log == first and record["events"][1].label and record["events"][1].icon
    assert record["events_page"].paginator.count == 3 and record["events_page"].paginator.num_pages == 2
    assert list(record["events_page"]) == record["events"]  # the page holds the annotated events
    later = selectors.animal_record(animal=target, per_page=2, events_page="2")["events"]
    assert [(e.kind, e.log) for e in later] == [("withdrawal", second)]
    newest = selectors.animal_record(animal=target, per_page=2, newest_first=True)["events"]
    assert [(e.kind, e.log) for e in newest] == [("withdrawal", second), ("withdrawal", first)]
    for bad in (None, "", "x", "0", "9"):  # the first page, or the last for a number out of range
        page = selectors.animal_record(animal=target, per_page=2, events_page=bad)["events_page"]
        assert page.number == (1 if bad in (None, "", "x") else 2)


def test_the_records_are_read_a_page_at_a_time(world, farm, animals):
    target = animals[0]
    first = medicate(world, farm, target, days=30, on=TODAY() - dt.timedelta(days=3))
    second = medicate(world, farm, target, days=5, on=TODAY() - dt.timedelta(days=1))
    third = medicate(world, farm, target, days=1)  # newest first: third, second, first
    medicate(world, farm, animals[1], days=60)  # another animal's: not counted here
    target.refresh_from_db()
    record = selectors.animal_record(animal=target, per_page=2, logs_per_page=1)
    assert record["logs"] == [third] and list(record["logs_page"]) == [third]
    assert record["logs_page"].paginator.count == 3
    # The withdrawal is the first one's, though its record is not on this page of the table.
    assert record["blocked_until"] == first.withdrawal_until and record["withdrawal_log"] == first
    # The events name their records, whichever page of the table those are on (the animal was
    # registered today, after the first two).
    assert [(e.kind, e.log) for e in record["events"]] == [("withdrawal", first), ("withdrawal", second)]
    later = selectors.animal_record(animal=target, per_page=2, logs_per_page=1, logs_page="3", events_page=2)
    assert later["logs"] == [first] and [(e.kind, e.log) for e in later["events"]] == [
        ("registered", None),
        ("withdrawal", third),
    ]
    for bad, number in ((None, 1), ("", 1), ("x", 1), ("0", 3), ("9", 3)):
        page = selectors.animal_record(animal=target, logs_per_page=1, logs_page=bad)["logs_page"]
        assert page.number == number, bad
    # Once the withdrawal has ended, no banner and no record behind it.
    ended = selectors.animal_record(animal=target, today=first.withdrawal_until + dt.timedelta(days=1))
    assert ended["blocked_until"] is None and ended["withdrawal_log"] is None


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"dose": "0", "dose_unit": "mg"}, "out of range"),
        ({"dose": "5000", "dose_unit": "ml"}, "out of range"),
        ({"dose": "abc", "dose_unit": "ml"}, "not a number"),
        ({"dose": "5", "dose_unit": "bucket"}, "unit"),
        ({"withdrawal_days": "400"}, "withdrawal period"),
        ({"withdrawal_days": ""}, "required"),
        ({"active_substance": ""}, "required"),
    ],
)
def test_medication_bad_input_changes_nothing(world, farm, animals, fields, message):
    base = {
        "product": "药",
        "active_substance": "阿莫西林",
        "dose": "10",
        "dose_unit": "mg",
        "withdrawal_days": 7,
    }
    with pytest.raises(DomainError, match=message):
        log_record(
            actor=world.ent_a_staff,
            farm=farm,
            kind="medication",
            occurred_on=TODAY(),
            fields={**base, **fields},
            animal_ids=[animals[0].pk],
        )
    assert not ProductionLog.objects.exists() and not Event.objects.exclude(kind="registered").exists()


def test_future_date_and_other_farms_animals_are_refused(world, farm, animals):
    fields = {"symptoms": "咳嗽"}
    with pytest.raises(DomainError, match="in the future"):
        log_record(
            actor=world.ent_a_staff,
            farm=farm,
            kind="disease",
            occurred_on=TODAY() + dt.timedelta(days=1),
            fields=fields,
            animal_ids=[animals[0].pk],
        )
    other_farm = registered_farm(world, name_zh="华丰二场", latitude=Decimal("23.182771"))
    (stranger,) = herd(world.ent_a_staff, other_farm, [99])
    with pytest.raises(DomainError, match="Not an animal of this farm"):
        log_record(
            actor=world.ent_a_staff,
            farm=farm,
            kind="disease",
            occurred_on=TODAY(),
            fields=fields,
            animal_ids=[stranger.pk],
        )
    with pytest.raises(DomainError, match="Not an animal of this farm"):
        log_record(
            actor=world.ent_a_staff,
            farm=farm,
            kind="disease",
            occurred_on=TODAY(),
            fields=fields,
            tags=[national(99)],
        )
    with pytest.raises(DomainError, match="another enterprise"):
        log_record(
            actor=world.ent_b_staff,
            farm=farm,
            kind="disease",
            occurred_on=TODAY(),
            fields=fields,
            animal_ids=[animals[0].pk],
        )
    with pytest.raises(DomainError, match="Choose the animals"):
        log_record(actor=world.ent_a_staff, farm=farm, kind="disease", occurred_on=TODAY(), fields=fields)
    assert not ProductionLog.objects.exists()


def test_scanned_tags_pick_the_animals(world, farm, animals):
    log = log_record(
        actor=world.ent_a_staff,
        farm=farm,
        kind="feed",
        occurred_on=TODAY(),
        fields={"product": "育肥猪配合饲料", "maker": "海大", "batch": "F-1"},
        tags=[animals[1].rfid, national(3)],
    )
    assert set(log.links.values_list("animal_id", flat=True)) == {animals[1].pk, animals[2].pk}


@pytest.mark.parametrize(
    "field, text",
    [
        ("product", "盐酸克仑特罗"),
        ("additives", "含 Ractopamine"),
        ("active_substance", "ＳＡＬＢＵＴＡＭＯＬ"),
    ],
)
def test_banned_substance_is_refused_and_alerts_the_inspector(world, farm, animals, field, text):
    fields = {"product": "预混料", "maker": "某厂", "batch": "B1", field: text}
    kind = "feed" if field != "active_substance" else "medication"
    if kind == "medication":
        fields.update(dose="1", dose_unit="mg", withdrawal_days=3)
    with pytest.raises(DomainError, match="banned substance") as exc:
        log_record(
            actor=world.ent_a_staff, farm=farm, kind=kind, occurred_on=TODAY(), fields=fields, pen="1号猪舍"
        )
    assert "inspector has been alerted" in str(exc.value)
    assert not ProductionLog.objects.exists()
    alert = SubstanceAlert.objects.get()
    assert alert.branch == world.branch_a and alert.farm == farm and alert.animal_count == 5
    assert unicodedata.normalize("NFKC", text) in alert.entered
    from livestock.selectors import substance_attempts_for_user
    from surveillance.selectors import alert_list_for_user

    assert list(substance_attempts_for_user(user=world.insp_a)) == [alert]
    assert not substance_attempts_for_user(user=world.insp_b).exists()
    # The alert itself is in the alerts centre, for the farm's branch.
    assert list(alert_list_for_user(user=world.insp_a)) == [alert.alert]
    assert alert.alert.kind == "banned_substance" and alert.alert.subject == alert
    assert not alert_list_for_user(user=world.insp_b).exists()


def test_death_with_disposal_ends_the_record(world, farm, animals):
    dead = animals[0]
    yesterday = TODAY() - dt.timedelta(days=1)
    log_record(
        actor=world.ent_a_staff,
        farm=farm,
        kind="death",
        occurred_on=yesterday,
        fields={"cause": "肺炎", "disposal": "incineration", "disposed_on": TODAY()},
        animal_ids=[dead.pk],
    )
    dead.refresh_from_db()
    assert dead.status == Animal.Status.DISPOSED and dead.died_on == yesterday
    kinds = list(
        Event.objects.filter(animal=dead)
        .order_by("pk")
        .values_list("kind", "action", "biz_step", "disposition")
    )
    assert kinds[-2][0] == "death"
    assert kinds[-1] == ("disposal", "DELETE", "destroying", "destroyed")
    # A dead animal gets no more records.
    with pytest.raises(DomainError, match="No longer on the farm"):
        medicate(world, farm, dead)
    months = selectors.mortality_by_month(farm=farm)
    assert len(months) == 12 and sum(m["deaths"] for m in months) == 1
    assert months[-1]["month"] == yesterday.strftime("%Y-%m") or months[-2]["deaths"] == 1


def test_disinfection_may_cover_no_animals(world, farm):
    log = log_record(
        actor=world.ent_a_staff,
        farm=farm,
        kind="disinfection",
        occurred_on=TODAY(),
        fields={"product": "过氧乙酸", "area": "消毒池"},
    )
    assert log.animal_count == 0


def test_coverage_counts_due_and_missing(world, farm, animals):
    csf = VaccinationRequirement.objects.get(species="1", disease_zh="猪瘟")
    log_record(
        actor=world.ent_a_staff,
        farm=farm,
        kind="vaccination",
        occurred_on=TODAY(),
        fields={
            "product": "猪瘟活疫苗",
            "maker": "中牧",
            "batch": "A",
            "dose": "1",
            "dose_unit": "dose",
            "requirement": csf.pk,
        },
        animal_ids=[animals[0].pk, animals[1].pk],
    )
    cover = {c.requirement.pk: c.state for c in selectors.animal_coverage(animal=animals[4])}
    assert cover[csf.pk] == "missing"
    _reqs, pens = selectors.farm_coverage(farm=farm)
    assert pens[0].percent(csf.pk) == 40


def test_mortality_counts_the_herd_from_when_it_came_to_the_farm(
    world, farm, animals, django_assert_num_queries
):
    """A herd registered today was on the farm before: a death dated earlier is a rate, not 0 %."""
    today = dt.date(2026, 11, 20)
    Animal.objects.filter(pk__in=[a.pk for a in animals]).update(
        birth_date=None, entry_date=dt.date(2026, 6, 10)
    )
    Animal.objects.filter(pk=animals[0].pk).update(status=Animal.Status.DEAD, died_on=dt.date(2026, 8, 3))
    # One aggregate whatever the herd's size, and the herd's version (the key it is cached under).
    with django_assert_num_queries(2):
        months = {m["month"]: m for m in selectors.mortality_by_month(farm=farm, today=today)}
    assert len(months) == 12 and list(months)[0] == "2025-12" and list(months)[-1] == "2026-11"
    assert months["2026-05"]["head"] == 0  # before they came
    assert months["2026-06"]["head"] == 5
    assert months["2026-08"] == {"month": "2026-08", "deaths": 1, "head": 5, "rate": 20.0}
    assert months["2026-09"]["head"] == 4 and months["2026-09"]["deaths"] == 0


def test_places_are_named_not_shown_as_identifiers(world, farm, animals):
    # The warehouse's and the port's events carry the site's URI; the farm's, the farm itself.
    from livestock.services.events import Happening, Where, events_append
    from livestock.vocab import uri

    target = animals[0]
    port = world.port_wenjindu
    events_append(
        happening=Happening(kind="seen", when=timezone.now(), where=Where(site=uri("site", port.code))),
        animal_ids=[target.pk],
    )
    Animal.objects.filter(pk=target.pk).update(last_seen_where=uri("farm", farm.pk))
    target = Animal.objects.select_related("farm").get(pk=target.pk)
    record = selectors.animal_record(animal=target, newest_first=True)
    assert record["events"][0].place == port.name
    assert target.last_seen_place == farm.name
