"""The demo registry: 300 plausible farms whose data obeys the same rules as the services'."""

import datetime as dt
import re
from collections import Counter
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.credit_code import validate
from accounts.models import Organisation, Role, User
from farms import demo, regions, services
from farms.demo.places import NEW_ENTERPRISES
from farms.models import (
    CorrectiveAction,
    CreditEvent,
    CreditRating,
    Farm,
    FarmStatusChange,
    FarmSurrounding,
    Finding,
    Question,
    RegistrationCounter,
    SiteInspection,
    SurroundingRule,
    Visit,
    VisitAnswer,
    VisitPlan,
)
from farms.services.supervision import corrective_actions_overdue

S = Farm.Status
MODELS = [
    Organisation,
    User,
    Farm,
    FarmStatusChange,
    FarmSurrounding,
    SiteInspection,
    Visit,
    VisitAnswer,
    Finding,
    CorrectiveAction,
    CreditEvent,
    CreditRating,
    VisitPlan,
    Question,
    RegistrationCounter,
    SurroundingRule,
]
NUMBER = re.compile(r"^GK(\d{2})([PCG])-(\d{4})-(\d{4})$")


def _counts() -> dict:
    return {m.__name__: m.objects.count() for m in MODELS} | {"history": Farm.history.count()}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module, inside a transaction rolled back at its end (the seed is heavy).
    How long it takes, the first time and again, is measured by `make bench` (bench/demo.py)."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo.seed()
        before = _counts()
        again = demo.seed()
        yield SimpleNamespace(before=before, after=_counts(), again=again)
        transaction.set_rollback(True)


@pytest.fixture
def farms(seeded, db):
    return list(Farm.objects.select_related("enterprise", "branch"))


def test_a_second_seed_changes_nothing(seeded):
    assert seeded.after == seeded.before
    assert not any(seeded.again.values())


def test_three_hundred_farms_in_every_status(farms):
    assert len(farms) == 300
    statuses = Counter(f.status for f in farms)
    assert set(statuses) == set(S)
    assert 0.7 <= statuses[S.REGISTERED] / len(farms) <= 0.8
    provinces = Counter(f.county_code[:2] for f in farms)
    assert provinces["44"] > len(farms) / 2 and {"45", "43", "36", "42", "41"} <= set(provinces)
    cattle = [f for f in farms if f.species == "2"]
    goats = [f for f in farms if f.species == "3"]
    assert sum(f.county_code[:2] in {"41", "42"} for f in cattle) > len(cattle) / 2
    assert sum(f.county_code[:2] in {"43", "45"} for f in goats) > len(goats) / 2


def test_every_farm_is_inside_its_county(farms):
    for farm in farms:
        lat, lng = float(farm.latitude), float(farm.longitude)
        assert regions.county(farm.county_code) is not None, farm.county_code
        assert regions.in_china(lat, lng)
        inside = regions.point_in_county(farm.county_code, lat, lng)
        assert inside or (
            inside is None and regions.distance_to_county_km(farm.county_code, lat, lng) < 10
        ), farm
        assert farm.branch_id == farm.enterprise.branch_id


def test_every_farm_meets_the_surroundings_rules_and_has_a_pen(farms):
    assert SurroundingRule.objects.count() == 7
    for farm in Farm.objects.prefetch_related("surroundings"):
        assert not services.surroundings_shortfalls(farm.surroundings.all()), farm
        assert any(f["properties"]["kind"] == "pen" for f in farm.layout["features"])


def test_registration_numbers_are_unique_and_follow_the_counters(farms):
    numbered = [f for f in farms if f.registered_on]
    assert {f.status for f in numbered} == {S.REGISTERED, S.SUSPENDED, S.REVOKED, S.LAPSED, S.EXPIRED}
    assert len({f.registration_number for f in numbered}) == len(numbered)
    assert all(not f.registration_number for f in farms if not f.registered_on)
    counters = dict(RegistrationCounter.objects.values_list("prefix", "last"))
    for farm in numbered:
        province, letter, year, seq = NUMBER.match(farm.registration_number).groups()
        assert (province, letter, int(year)) == (
            farm.county_code[:2],
            "PCG"[int(farm.species) - 1],
            farm.registered_on.year,
        )
        assert int(seq) <= counters[farm.registration_number[:-5]]
    assert all(f.valid_until >= timezone.localdate() for f in farms if f.status == S.REGISTERED)


def test_every_history_follows_the_transition_table(farms):
    changes = {}
    for change in FarmStatusChange.objects.order_by("at", "pk"):
        changes.setdefault(change.farm_id, []).append(change)
    now = timezone.now()
    for farm in farms:
        story = changes[farm.pk]
        assert (story[0].action, story[0].to_status) == ("create", S.DRAFT)
        for before, after in zip(story, story[1:], strict=False):
            assert after.from_status == before.to_status
            assert after.to_status in Farm.TRANSITIONS[S(after.from_status)], (farm, after)
        assert story[-1].to_status == farm.status
        assert story[-1].at <= now and story[0].at >= now - dt.timedelta(days=6 * 366)
    assert Farm.history.count() == len(farms)


def test_the_periodic_tasks_find_nothing_to_do(seeded, db):
    assert services.registrations_expire_and_lapse() == {"expired": 0, "lapsed": 0}
    assert corrective_actions_overdue() == 0


def test_enterprises_a_and_b_keep_farms_in_many_states_under_their_own_branch(world, seeded):
    for org, branch in ((world.ent_a, world.branch_a), (world.ent_b, world.branch_b)):
        mine = Farm.objects.filter(enterprise=org)
        assert set(mine.values_list("branch_id", flat=True)) == {branch.pk}
        assert len(set(mine.values_list("status", flat=True))) >= 6
        assert Question.objects.filter(enterprise=org, status=Question.Status.ANSWERED).exists()
    counties = set(Farm.objects.filter(enterprise=world.ent_a).values_list("county_code", flat=True))
    assert all(code.startswith("4413") for code in counties)  # 惠州市, as its name says


def test_the_new_enterprises_are_real_looking_and_supervised_nearby(seeded, db):
    orgs = Organisation.objects.filter(code__in=[f"ent-{e.slug}" for e in NEW_ENTERPRISES]).select_related(
        "branch"
    )
    assert (
        orgs.count() == len(NEW_ENTERPRISES) and Organisation.objects.filter(kind="enterprise").count() >= 60
    )
    for org in orgs:
        assert validate(org.credit_code) == org.credit_code
        assert org.branch.province == org.province
    branches = Organisation.objects.filter(kind=Organisation.Kind.CIQ_BRANCH)
    assert all(User.objects.filter(organisation=b, role=Role.INSPECTOR).exists() for b in branches)


def test_supervision_is_recent_complete_and_grades_spread(seeded, db):
    today = timezone.localdate()
    visits = Visit.objects.select_related("farm", "inspector").prefetch_related("answers", "template__items")
    for visit in visits:
        assert visit.farm.status in (S.REGISTERED, S.SUSPENDED)
        assert today - dt.timedelta(days=365) < visit.visited_on < today
        assert visit.inspector.organisation_id == visit.farm.branch_id
        assert {a.item_id for a in visit.answers.all()} == {i.pk for i in visit.template.items.all()}
    findings = Finding.objects.all()
    severities = Counter(findings.values_list("severity", flat=True))
    assert severities["minor"] > severities["major"] > severities["critical"] > 0
    not_ok = set(VisitAnswer.objects.filter(result="not_ok").values_list("visit_id", "item_id"))
    assert set(findings.values_list("visit_id", "item_id")) == not_ok
    sources = set(CreditEvent.objects.values_list("source", flat=True))
    assert {f"finding:{pk}" for pk in findings.values_list("pk", flat=True)} <= sources
    actions = Counter(CorrectiveAction.objects.values_list("status", flat=True))
    assert actions["verified"] > actions["open"] > 0
    assert CorrectiveAction.objects.filter(status="open", deadline__lt=today).exists()
    assert (
        VisitPlan.objects.filter(planned_on__gt=today, planned_on__lte=today + dt.timedelta(days=42)).count()
        > 30
    )
    grades = Counter(CreditRating.objects.values_list("grade", flat=True))
    assert sum(grades.values()) == Organisation.objects.filter(kind="enterprise").count()
    assert grades["A"] > grades["B"] > grades["C"] > 0 and grades["D"] > 0
    assert (grades["A"] + grades["B"]) / sum(grades.values()) >= 0.7


def test_the_services_carry_on_from_the_seeded_state(world, seeded):
    """A seeded application can be approved: its number follows the counter, not a seeded one."""
    farm = Farm.objects.filter(enterprise=world.ent_a, status=S.UNDER_REVIEW).first()
    services.site_inspection_record(
        actor=world.insp_a,
        farm=farm,
        inspected_on=timezone.localdate(),
        conclusion=SiteInspection.Conclusion.PASS,
        notes="符合要求",
    )
    farm = services.farm_approve(actor=world.insp_a, farm=farm)
    assert Farm.objects.filter(registration_number=farm.registration_number).count() == 1
    draft = Farm.objects.filter(enterprise=world.ent_a, status=S.DRAFT).first()
    assert services.farm_submit(actor=world.ent_a_staff, farm=draft).status == S.SUBMITTED
    for farm in Farm.objects.filter(status__in=Farm.EDITABLE):  # saved again: location and layout still valid
        surroundings = list(farm.surroundings.values("kind", "description", "distance_m"))
        actor = User.objects.filter(organisation=farm.enterprise_id).first()
        if actor is not None:
            services.farm_application_save(actor=actor, farm=farm, data={}, surroundings=surroundings)
