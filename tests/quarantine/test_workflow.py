"""The consignment's workflow: every action against every status, the audit, and a positive result."""

import pytest

from accounts.errors import DomainError
from farms.models import CreditEvent, CreditRating
from livestock.models import Animal, Event
from quarantine import services
from quarantine.models import Certificate, Consignment, ConsignmentStatusChange, LabResult, Sample
from quarantine.sampling import draw
from surveillance.models import Alert

from .factories import all_ok, declare, farm_a, negative_rows, ready_herd, through

pytestmark = pytest.mark.django_db
S = Consignment.Status


@pytest.fixture
def farm(world):
    return farm_a(world)


@pytest.fixture
def consignment(world, farm):
    return declare(world, farm, ready_herd(world, farm, range(1, 5)))


ACTIONS = {
    "accept": lambda w, c: services.consignment_accept(actor=w.insp_a, consignment=c),
    "withdraw": lambda w, c: services.consignment_withdraw(actor=w.ent_a_staff, consignment=c, reason="改期"),
    "examine": lambda w, c: services.consignment_examine(actor=w.insp_a, consignment=c, answers=all_ok(c)),
    "sample": lambda w, c: services.consignment_sample(actor=w.insp_a, consignment=c),
    "results": lambda w, c: services.lab_results_record(actor=w.lab, consignment=c, rows=negative_rows(c)),
    "approve": lambda w, c: services.consignment_approve(actor=w.insp_a, consignment=c),
    "reject": lambda w, c: services.consignment_reject(actor=w.insp_a, consignment=c, reason="临床异常"),
    "cancel": lambda w, c: services.consignment_cancel(actor=w.insp_a, consignment=c, reason="申报错误"),
    # Released at the port (transit.services.port calls it).
    "export": lambda w, c: services.consignment_export(actor=w.port, consignment=c),
}
REACH = {
    S.DECLARED: None,
    S.ACCEPTED: "accept",
    S.EXAMINED: "examine",
    S.SAMPLED: "sample",
    S.RESULTS_IN: "results",
    S.APPROVED: "approve",
}


def bring_to(world, consignment, status):
    if status in REACH:
        if REACH[status]:
            through(world, consignment, REACH[status])
    elif status == S.REJECTED:
        through(world, consignment, "accept")
        ACTIONS["reject"](world, consignment)
    elif status == S.WITHDRAWN:
        ACTIONS["withdraw"](world, consignment)
    elif status == S.CANCELLED:
        ACTIONS["cancel"](world, consignment)
    elif status == S.EXPORTED:
        through(world, consignment, "approve")
        ACTIONS["export"](world, consignment)
    consignment.refresh_from_db()
    assert consignment.status == status


@pytest.mark.parametrize("status", list(S))
def test_every_action_out_of_order_is_refused_and_changes_nothing(world, consignment, status):
    bring_to(world, consignment, status)
    changes = ConsignmentStatusChange.objects.count()
    events = Event.objects.count()
    for action, (froms, _to) in Consignment.ACTIONS.items():
        if status in froms:
            continue
        with pytest.raises(DomainError, match="cannot be"):
            ACTIONS[action](world, consignment)
        consignment.refresh_from_db()
        assert consignment.status == status
    assert ConsignmentStatusChange.objects.count() == changes and Event.objects.count() == events


@pytest.mark.parametrize("action", [a for a in Consignment.ACTIONS if a != "approve"])
def test_every_action_allowed_from_its_statuses_moves_and_is_audited(world, farm, action):
    froms, to = Consignment.ACTIONS[action]
    for status in froms:
        consignment = declare(
            world,
            farm,
            ready_herd(
                world, farm, range(100 * (list(S).index(status) + 1), 100 * (list(S).index(status) + 1) + 2)
            ),
        )
        bring_to(world, consignment, status)
        ACTIONS[action](world, consignment)
        consignment.refresh_from_db()
        if action == "results":
            assert consignment.status == to
            continue
        assert consignment.status == to
        last = consignment.status_changes.last()
        assert (last.action, last.from_status, last.to_status) == (action, status, to)
        ids = list(consignment.items.values_list("animal_id", flat=True))
        assert (
            Event.objects.filter(animal_id__in=ids, source=f"quarantine.consignment:{consignment.pk}").count()
            >= len(ids) * 2
        )


def test_only_the_branch_acts_and_only_the_enterprise_withdraws(world, consignment):
    with pytest.raises(DomainError, match="only its inspectors"):
        services.consignment_accept(actor=world.insp_b, consignment=consignment)
    with pytest.raises(DomainError, match="another enterprise"):
        services.consignment_withdraw(actor=world.ent_b_staff, consignment=consignment)
    with pytest.raises(DomainError, match="laboratory"):
        services.lab_results_record(actor=world.insp_a, consignment=consignment, rows=[])
    consignment.refresh_from_db()
    assert consignment.status == S.DECLARED


def test_releasing_puts_the_animals_back_on_the_farm(world, consignment):
    ids = list(consignment.items.values_list("animal_id", flat=True))
    services.consignment_withdraw(actor=world.ent_a_staff, consignment=consignment, reason="改期")
    assert set(Animal.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"on_farm"}
    assert not consignment.items.filter(holding=True).exists()
    assert Event.objects.filter(animal_id__in=ids, kind="declaration_released").count() == len(ids)


def test_sampling_follows_the_credit_rating_and_the_draw_can_be_repeated(world, farm):
    consignment = declare(world, farm, ready_herd(world, farm, range(1, 41)))
    through(world, consignment, "sample")
    samples = list(Sample.objects.filter(consignment=consignment))
    # No rating yet: grade A's 5 % of 40 animals is 2 samples.
    assert len(samples) == 2 and consignment.sampling_percent == 5
    tags = list(consignment.items.values_list("national_code", flat=True))
    redrawn = draw(tags=tags, count=2, seed=consignment.sampling_seed)
    assert sorted(redrawn) == sorted(s.national_code for s in samples)
    assert all(s.number.startswith(consignment.number + "-S") for s in samples)


def test_lab_results_with_unknown_samples_or_bad_values_change_nothing(world, consignment):
    through(world, consignment, "sample")
    rows = negative_rows(consignment)
    bad = [*rows[1:], {"sample": "QD-NOPE", "analyte": "clenbuterol", "result": "0.1"}]
    bad[0] = {**bad[0], "result": "lots"}
    with pytest.raises(DomainError) as caught:
        services.lab_results_record(actor=world.lab, consignment=consignment, rows=bad)
    text = " ".join(str(i) for i in caught.value.items)
    assert "QD-NOPE" in text and "lots" in text
    assert not LabResult.objects.exists()
    consignment.refresh_from_db()
    assert consignment.status == S.SAMPLED


def test_a_positive_clenbuterol_result_rejects_blocks_lowers_the_rating_and_alerts(world, farm, consignment):
    through(world, consignment, "sample")
    rows = negative_rows(consignment)
    sample = consignment.samples.first()
    for row in rows:
        if row["sample"] == sample.number and row["analyte"] == "clenbuterol":
            row["result"] = "2.3"
    services.lab_results_record(actor=world.lab, consignment=consignment, rows=rows)
    consignment.refresh_from_db()
    assert consignment.status == S.REJECTED
    assert [c.action for c in consignment.status_changes.all()][-2:] == ["results", "reject"]
    ids = list(consignment.items.values_list("animal_id", flat=True))
    blocked = Animal.objects.filter(pk__in=ids)
    assert all(a.export_blocked_at and "Clenbuterol" in a.export_block_reason for a in blocked)
    assert {a.status for a in blocked} == {"on_farm"}
    assert Event.objects.filter(animal_id__in=ids, kind="export_blocked").count() == len(ids)
    event = CreditEvent.objects.get(kind="lab_failure")
    assert event.farm == farm and event.points < 0
    rating = CreditRating.objects.filter(enterprise=farm.enterprise).order_by("-computed_at", "-pk").first()
    assert rating.score < 100
    alerts = Alert.objects.filter(kind="lab_positive")
    assert {(a.organisation_id, a.role) for a in alerts} == {
        (farm.branch_id, "inspector"),
        (world.head_office.pk, "manager"),
    }
    assert all(a.severity == Alert.Severity.HIGH and sample.national_code in a.text_en for a in alerts)
    # The blocked animals cannot be declared again.
    from .factories import declaration

    with pytest.raises(services.DeclarationRefused) as caught:
        services.consignment_declare(
            actor=world.ent_a_staff, declaration=declaration(world, farm, list(blocked))
        )
    assert "blocked" in caught.value.rules()


def test_approval_issues_the_certificate_and_feeds_the_farms_record(world, farm, consignment):
    certificate = through(world, consignment, "approve")
    assert isinstance(certificate, Certificate) and consignment.status == S.APPROVED
    farm.refresh_from_db()
    assert farm.last_consignment_on is not None
    ids = list(consignment.items.values_list("animal_id", flat=True))
    assert Event.objects.filter(animal_id__in=ids, kind="certified").count() == len(ids)
    assert set(Animal.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"declared"}


def test_the_enterprise_is_told_of_each_step_once_it_is_committed_in_its_language(
    world, consignment, mailoutbox, django_capture_on_commit_callbacks
):
    from surveillance import sms

    world.ent_a.contact_phone = "13800000001"
    world.ent_a.save(update_fields=["contact_phone"])
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.consignment_accept(actor=world.insp_a, consignment=consignment)
    # Refused: nothing committed, nobody told.
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
        services.consignment_accept(actor=world.insp_a, consignment=consignment)
    # The enterprise asks for its notices in English (its settings page); the inspector works in Chinese.
    world.ent_a.language = "en"
    world.ent_a.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        services.consignment_reject(actor=world.insp_a, consignment=consignment, reason="临床异常")
    assert len(mailoutbox) == 2
    accepted, rejected = mailoutbox
    assert consignment.number in accepted.subject and consignment.number in rejected.subject
    assert world.ent_a_staff.email in accepted.to
    assert "已受理" in accepted.body and "Accepted" not in accepted.body
    assert "Rejected" in rejected.subject and "Rejected" in rejected.body and "已拒绝" not in rejected.body
    assert "临床异常" in rejected.body  # the reason as the inspector wrote it
    first, second = sms.outbox
    assert first.to == second.to == "13800000001"
    assert consignment.number in first.text and "[CIQ]" not in first.text
    assert "[CIQ]" in second.text and "Rejected" in second.text
