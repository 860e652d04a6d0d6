"""Registration services: every arrow of Farm.TRANSITIONS, numbers, validity, expiry and lapse."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from accounts.errors import DomainError
from farms import services
from farms.models import CreditEvent, CreditRating, Farm, FarmStatusChange, SiteInspection
from farms.services import registration

from .factories import draft_farm, registered_farm, submitted_farm, under_review_farm

S = Farm.Status
PASS = SiteInspection.Conclusion.PASS
NUMBER = re.compile(r"^GK44P-(\d{4})-(\d{4})$")


def age(farm: Farm, **fields) -> Farm:
    """Pretend time has passed: move the farm's dates back (services always use today)."""
    Farm.objects.filter(pk=farm.pk).update(**fields)
    farm.refresh_from_db()
    return farm


def farm_in(world, status: str) -> Farm:
    """Return a farm of enterprise A in ``status``, taken there through the services."""
    insp, ent = world.insp_a, world.ent_a_staff
    if status == S.DRAFT:
        return draft_farm(world)
    if status == S.SUBMITTED:
        return submitted_farm(world)
    if status == S.UNDER_REVIEW:
        return under_review_farm(world)
    if status == S.REGISTERED:
        return registered_farm(world)
    if status == S.RETURNED:
        return services.farm_return(actor=insp, farm=submitted_farm(world), reason="补充平面图")
    if status == S.REJECTED:
        return services.farm_reject(actor=insp, farm=submitted_farm(world), reason="选址不符合要求")
    if status == S.WITHDRAWN:
        return services.farm_withdraw(actor=ent, farm=draft_farm(world))
    if status == S.SUSPENDED:
        return services.farm_suspend(actor=insp, farm=registered_farm(world), reason="整改期间暂停")
    if status == S.REVOKED:
        return services.farm_revoke(actor=insp, farm=registered_farm(world), reason="严重违规")
    farm = registered_farm(world)
    today = timezone.localdate()
    if status == S.EXPIRED:
        age(farm, valid_until=today - dt.timedelta(days=1))
    else:  # lapsed: registered more than FARM_LAPSE_YEARS ago, never supplied since
        age(farm, registered_on=today.replace(year=today.year - 3))
    registration.registrations_expire_and_lapse()
    farm.refresh_from_db()
    assert farm.status == status
    return farm


def inspect(world, farm, conclusion=PASS):
    return services.site_inspection_record(
        actor=world.insp_a,
        farm=farm,
        inspected_on=timezone.localdate(),
        conclusion=conclusion,
        notes="现场核查",
    )


# action -> (how to call it, the status it leads to, the statuses it is allowed from)
ACTIONS = {
    "submit": (
        lambda w, f: services.farm_submit(actor=w.ent_a_staff, farm=f),
        S.SUBMITTED,
        {S.DRAFT, S.RETURNED, S.LAPSED, S.EXPIRED},
    ),
    "withdraw": (
        lambda w, f: services.farm_withdraw(actor=w.ent_a_staff, farm=f),
        S.WITHDRAWN,
        {S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.RETURNED},
    ),
    "assign": (
        lambda w, f: services.farm_assign(actor=w.insp_a, farm=f, inspector=w.insp_a),
        S.UNDER_REVIEW,
        {S.SUBMITTED, S.UNDER_REVIEW},
    ),
    "approve": (lambda w, f: services.farm_approve(actor=w.insp_a, farm=f), S.REGISTERED, {S.UNDER_REVIEW}),
    "return": (
        lambda w, f: services.farm_return(actor=w.insp_a, farm=f, reason="r"),
        S.RETURNED,
        {S.SUBMITTED, S.UNDER_REVIEW},
    ),
    "reject": (
        lambda w, f: services.farm_reject(actor=w.insp_a, farm=f, reason="r"),
        S.REJECTED,
        {S.SUBMITTED, S.UNDER_REVIEW},
    ),
    "suspend": (
        lambda w, f: services.farm_suspend(actor=w.insp_a, farm=f, reason="r"),
        S.SUSPENDED,
        {S.REGISTERED},
    ),
    "reinstate": (
        lambda w, f: services.farm_reinstate(actor=w.insp_a, farm=f, reason="r"),
        S.REGISTERED,
        {S.SUSPENDED},
    ),
    "revoke": (
        lambda w, f: services.farm_revoke(actor=w.insp_a, farm=f, reason="r"),
        S.REVOKED,
        {S.REGISTERED, S.SUSPENDED},
    ),
    "renew": (
        lambda w, f: services.farm_renew(actor=w.insp_a, farm=f),
        S.REGISTERED,
        {S.REGISTERED, S.EXPIRED},
    ),
}

CASES = [(action, status) for action in ACTIONS for status in S.values]


def test_the_actions_cover_every_arrow_of_the_table():
    arrows = {(frm, to) for frm, targets in Farm.TRANSITIONS.items() for to in targets}
    taken = {(frm, to) for _call, to, froms in ACTIONS.values() for frm in froms}
    taken |= {(S.REGISTERED, S.LAPSED), (S.REGISTERED, S.EXPIRED)}  # the periodic task's arrows
    # Reassigning an application under review keeps its status: no arrow.
    assert arrows == taken - {(S.UNDER_REVIEW, S.UNDER_REVIEW)}


@pytest.mark.parametrize(("action", "status"), CASES, ids=[f"{a}-from-{s}" for a, s in CASES])
def test_each_action_is_allowed_exactly_from_its_statuses(action, status, world):
    call, target, allowed = ACTIONS[action]
    farm = farm_in(world, status)
    if action == "approve" and status == S.UNDER_REVIEW:
        inspect(world, farm)
    rows = FarmStatusChange.objects.filter(farm=farm).count()
    if status in allowed:
        call(world, farm)
        farm.refresh_from_db()
        assert farm.status == target
        return
    with translation.override("en"), pytest.raises(DomainError) as refused:
        call(world, farm)
    farm.refresh_from_db()
    assert farm.status == status, "a refused action changes nothing"
    assert FarmStatusChange.objects.filter(farm=farm).count() == rows
    message = str(refused.value)
    assert str(S(status).label) in message or "can no longer be changed" in message, message


def test_refusal_names_the_status_and_what_to_do(world):
    farm = submitted_farm(world)
    with translation.override("en"), pytest.raises(DomainError) as refused:
        services.farm_suspend(actor=world.insp_a, farm=farm, reason="r")
    with translation.override("en"):
        assert (
            str(refused.value)
            == "A farm that is “Submitted” cannot be suspended. Reload the page to see its current status."
        )


@pytest.mark.parametrize(
    "service", ["farm_return", "farm_reject", "farm_suspend", "farm_reinstate", "farm_revoke"]
)
def test_decisions_need_a_reason(service, world):
    farm = farm_in(
        world,
        S.SUSPENDED
        if service == "farm_reinstate"
        else S.REGISTERED
        if service in {"farm_suspend", "farm_revoke"}
        else S.SUBMITTED,
    )
    before = farm.status
    with pytest.raises(DomainError) as refused:
        getattr(services, service)(actor=world.insp_a, farm=farm, reason="   ")
    assert refused.value.field == "reason"
    assert str(refused.value) == str(registration.REASON_REQUIRED)
    farm.refresh_from_db()
    assert farm.status == before


def test_approval_needs_a_passing_site_inspection(world):
    farm = under_review_farm(world)
    with pytest.raises(DomainError) as refused:
        services.farm_approve(actor=world.insp_a, farm=farm)
    assert str(refused.value) == str(registration.INSPECTION_MISSING)
    inspect(world, farm)
    inspect(world, farm, conclusion=SiteInspection.Conclusion.FAIL)  # the latest one counts
    with pytest.raises(DomainError):
        services.farm_approve(actor=world.insp_a, farm=farm)
    farm.refresh_from_db()
    assert (farm.status, farm.registration_number) == (S.UNDER_REVIEW, "")


def test_site_inspection_only_while_under_review(world):
    farm = submitted_farm(world)
    with pytest.raises(DomainError):
        inspect(world, farm)
    assert not farm.site_inspections.exists()


@pytest.mark.parametrize(
    ("days", "notes", "conclusion", "field"),
    [
        (1, "现场核查", PASS, "inspected_on"),  # tomorrow
        (-1, "现场核查", PASS, "inspected_on"),  # before the application was submitted
        (0, "   ", PASS, "notes"),
        (0, "现场核查", "maybe", "conclusion"),
    ],
)
def test_site_inspection_rules_are_the_services(world, days, notes, conclusion, field):
    """The date, conclusion and notes are checked by the service, whatever form sends them."""
    farm = under_review_farm(world)
    with pytest.raises(DomainError) as refused:
        services.site_inspection_record(
            actor=world.insp_a,
            farm=farm,
            inspected_on=timezone.localdate() + dt.timedelta(days=days),
            conclusion=conclusion,
            notes=notes,
        )
    assert refused.value.field == field
    assert not farm.site_inspections.exists()


def test_site_inspection_on_the_day_of_submission_is_kept(world):
    farm = under_review_farm(world)
    inspection = inspect(world, farm)
    assert (inspection.inspected_on, inspection.inspector) == (timezone.localdate(), world.insp_a)


def test_only_an_inspector_of_the_farms_branch_may_be_assigned(world):
    farm = submitted_farm(world)
    for person in (world.insp_b, world.manager, world.ent_a_staff):
        with translation.override("en"), pytest.raises(DomainError) as refused:
            services.farm_assign(actor=world.insp_a, farm=farm, inspector=person)
        assert refused.value.field == "inspector"
        assert "is not an inspector of" in str(refused.value)
    farm.refresh_from_db()
    assert (farm.status, farm.inspector) == (S.SUBMITTED, None)


def test_registration_number_format_and_sequence(world):
    first = registered_farm(world)
    second = registered_farm(world, name_zh="华丰二场", latitude=first.latitude + Decimal("0.01"))
    year = timezone.localdate().year
    numbers = [NUMBER.match(f.registration_number) for f in (first, second)]
    assert all(numbers), [first.registration_number, second.registration_number]
    assert {int(m.group(1)) for m in numbers} == {year}
    assert int(numbers[1].group(2)) == int(numbers[0].group(2)) + 1


def test_registration_number_is_unique_and_kept_on_renewal(world):
    farm = registered_farm(world)
    number = farm.registration_number
    services.farm_renew(actor=world.insp_a, farm=farm)
    farm.refresh_from_db()
    assert farm.registration_number == number
    other = draft_farm(world, name_zh="华丰三场", latitude=farm.latitude + Decimal("0.02"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Farm.objects.filter(pk=other.pk).update(registration_number=number)


def test_registration_is_valid_five_years(world, settings):
    settings.FARM_REGISTRATION_YEARS = 5
    farm = registered_farm(world)
    today = timezone.localdate()
    assert farm.registered_on == today
    assert farm.valid_until == registration._valid_from(today)
    assert (farm.valid_until.year - today.year, farm.valid_until.month) == (5, today.month)
    assert registration._valid_from(dt.date(2028, 2, 29)) == dt.date(2033, 2, 28)


def test_renewal_extends_validity_from_today(world):
    farm = age(registered_farm(world), valid_until=timezone.localdate() + dt.timedelta(days=30))
    services.farm_renew(actor=world.insp_a, farm=farm)
    farm.refresh_from_db()
    assert farm.valid_until == registration._valid_from(timezone.localdate())


def test_expire_and_lapse(world):
    today = timezone.localdate()
    expiring = age(registered_farm(world), valid_until=today - dt.timedelta(days=1))
    idle = age(
        registered_farm(world, name_zh="华丰二场", latitude=expiring.latitude + Decimal("0.01")),
        registered_on=today.replace(year=today.year - 3),
    )
    supplying = age(
        registered_farm(world, name_zh="华丰三场", latitude=expiring.latitude + Decimal("0.02")),
        registered_on=today.replace(year=today.year - 3),
    )
    services.farm_consignment_recorded(farm=supplying, on=today - dt.timedelta(days=30))
    fresh = registered_farm(world, name_zh="华丰四场", latitude=expiring.latitude + Decimal("0.03"))

    done = services.registrations_expire_and_lapse(today=today)

    assert done["expired"] >= 1 and done["lapsed"] >= 1
    for farm, status in [
        (expiring, S.EXPIRED),
        (idle, S.LAPSED),
        (supplying, S.REGISTERED),
        (fresh, S.REGISTERED),
    ]:
        farm.refresh_from_db()
        assert farm.status == status, farm
    change = expiring.status_changes.latest("at")
    assert (change.action, change.actor) == ("expire", None)
    assert idle.status_changes.latest("at").action == "lapse"
    # Running again finds nothing more to do.
    assert services.registrations_expire_and_lapse(today=today) == {"expired": 0, "lapsed": 0}


def test_expire_and_lapse_command(world, capsys):
    farm = age(registered_farm(world), valid_until=timezone.localdate() - dt.timedelta(days=1))
    call_command("farms_expire_lapse")
    farm.refresh_from_db()
    assert farm.status == S.EXPIRED
    assert "expired" in capsys.readouterr().out


def test_revocation_counts_against_the_enterprises_credit(world):
    farm = registered_farm(world)
    before = CreditRating.objects.filter(enterprise=world.ent_a).order_by("-computed_at", "-pk").first()
    services.farm_revoke(actor=world.insp_a, farm=farm, reason="使用违禁药物")
    event = CreditEvent.objects.get(source=f"farm:{farm.pk}:revoked")
    assert (event.enterprise, event.farm, event.kind, event.points) == (world.ent_a, farm, "revocation", -40)
    assert event.reason == "使用违禁药物"
    after = CreditRating.objects.filter(enterprise=world.ent_a).order_by("-computed_at", "-pk").first()
    assert after is not None and after != before
    assert after.score == max(0, (before.score if before else 100) - 40)
    assert any(r["kind"] == "revocation" for r in after.reasons)


def test_a_returned_application_stays_complete(world):
    """Only a draft never submitted may lack what submission needs: the bureau has the others."""
    from .factories import FAR_ENOUGH, farm_data

    farm = services.farm_return(actor=world.insp_a, farm=submitted_farm(world), reason="补充平面图")
    with pytest.raises(DomainError) as refused:
        services.farm_application_save(
            actor=world.ent_a_staff,
            farm=farm,
            data={**farm_data(world), "latitude": None, "longitude": None},
            surroundings=FAR_ENOUGH,
        )
    assert refused.value.items == ["latitude", "longitude"]
    farm.refresh_from_db()
    assert farm.latitude is not None
