"""The maintained head counts (HeadCount) equal a count from scratch after every kind of change."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.errors import DomainError
from livestock import demo
from livestock.models import Animal, HeadCount
from livestock.selectors import farms_with_herd_for_user, herd_counts
from livestock.services import animals as svc
from livestock.services.counts import counts_from_scratch, counts_maintained, recount
from livestock.services.records import log_record
from tests.farms.factories import registered_farm

from .factories import herd, issue_tags, national, rfid

pytestmark = pytest.mark.django_db


def assert_counts_right():
    assert counts_maintained() == counts_from_scratch()


def scratch_herd_counts(farm) -> dict:
    """What herd_counts answered before the counts were maintained: a count over the animals."""
    from django.db.models import Count, Q

    on_farm = Q(status__in=Animal.ON_FARM)
    gone = Q(status__in=[Animal.Status.DEAD, Animal.Status.DISPOSED])
    shipped = ~on_farm & ~gone | Q(status=Animal.Status.DECLARED)
    return Animal.objects.filter(farm=farm).aggregate(
        total=Count("pk"),
        on_farm=Count("pk", filter=on_farm),
        withdrawing=Count("pk", filter=on_farm & Q(withdrawal_until__gte=timezone.localdate())),
        flagged=Count("pk", filter=on_farm & ~Q(origin=Animal.Origin.SELF_BRED)),
        dead=Count("pk", filter=gone),
        shipped=Count("pk", filter=shipped),
    )


@pytest.fixture
def farm(world):
    return registered_farm(world)


def test_every_kind_of_change_keeps_the_counts(world, farm):
    actor = world.ent_a_staff
    # A herd list (import), with some animals bought in (flagged origin).
    animals = herd(actor, farm, range(1, 9))
    herd(actor, farm, range(9, 12), origin="外购")
    assert_counts_right()
    assert herd_counts(farm=farm) == scratch_herd_counts(farm)
    # One animal registered from the form.
    issue_tags(actor, [20])
    svc.animal_register(
        actor=actor,
        farm=farm,
        data={
            "tag": national(20),
            "sex": "male",
            "birth_date": "2026-01-01",
            "pen": "1号猪舍",
            "origin": "外购",
        },
    )
    assert_counts_right()
    # Deaths: one dead, one dead and disposed of.
    for animal, fields in (
        (animals[0], {"cause": "肺炎", "disposal": "incineration"}),
        (animals[1], {"cause": "肺炎", "disposal": "incineration", "disposed_on": timezone.localdate()}),
    ):
        log_record(
            actor=actor,
            farm=farm,
            kind="death",
            occurred_on=timezone.localdate() - dt.timedelta(days=1),
            fields=fields,
            animal_ids=[animal.pk],
        )
    assert_counts_right()
    # Origin corrected both ways, and another correction (no count changes).
    svc.animal_update(actor=actor, animal=animals[2], data={"origin": "外购"})
    svc.animal_update(
        actor=actor, animal=Animal.objects.get(national_code=national(9)), data={"origin": "自繁"}
    )
    svc.animal_update(actor=actor, animal=animals[3], data={"breed": "长白"})
    assert_counts_right()
    # A re-tag changes no count.
    issue_tags(actor, [30])
    svc.animal_retag(actor=actor, animal=animals[4], new_tag=rfid(30), reason="lost")
    assert_counts_right()
    # A withdrawal shows in the page's counts (not maintained: counted through its index).
    log_record(
        actor=actor,
        farm=farm,
        kind="medication",
        occurred_on=timezone.localdate(),
        fields={"product": "阿莫西林", "active_substance": "阿莫西林", "dose": "10", "dose_unit": "mg",
                "withdrawal_days": 7},
        animal_ids=[animals[5].pk],
    )  # fmt: skip
    assert herd_counts(farm=farm) == scratch_herd_counts(farm)
    listed = farms_with_herd_for_user(user=world.manager).get(pk=farm.pk)
    scratch = scratch_herd_counts(farm)
    assert (listed.on_farm, listed.withdrawing, listed.dead) == (
        scratch["on_farm"],
        scratch["withdrawing"],
        scratch["dead"],
    )


def test_declaring_and_releasing_move_the_counts(world, farm):
    from livestock.services.events import Happening, Where
    from livestock.services.export import animals_move

    animals = herd(world.ent_a_staff, farm, range(1, 5))
    happening = Happening(
        kind="declared", when=timezone.now(), where=Where(farm_id=farm.pk), actor=world.ent_a_staff
    )
    animals_move(action="declare", animal_ids=[a.pk for a in animals[:3]], happening=happening)
    assert_counts_right()
    assert herd_counts(farm=farm)["shipped"] == 3
    animals_move(action="undeclare", animal_ids=[animals[0].pk], happening=happening)
    assert_counts_right()
    # Refused as a whole (an animal not declared): nothing moves, counts included.
    with pytest.raises(DomainError):
        animals_move(action="load", animal_ids=[animals[0].pk, animals[1].pk], happening=happening)
    assert_counts_right()


def test_recount_rebuilds_what_bulk_writers_bypass(world, farm):
    herd(world.ent_a_staff, farm, range(1, 4))
    # A bulk writer (COPY) changes animals around the services...
    Animal.objects.filter(farm=farm).update(status=Animal.Status.RELEASED)
    HeadCount.objects.filter(farm=farm).update(head=99)
    assert counts_maintained() != counts_from_scratch()
    # ...and calls recount at its end.
    recount()
    assert_counts_right()
    assert herd_counts(farm=farm)["shipped"] == 3


def test_the_demo_seed_leaves_the_counts_right(world):
    from farms import demo as farms_demo

    farms_demo.seed()
    demo.seed(scale=0.03)
    assert HeadCount.objects.exists()
    assert_counts_right()
