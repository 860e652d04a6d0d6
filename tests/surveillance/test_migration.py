"""The banned-substance alerts that existed before the alerts centre are moved into it, evidence kept."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("livestock", "0003_rejected_payload_bounded"), ("surveillance", "0001_initial")]
AFTER = [("livestock", "0006_substancealert_handling_moved")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def seeded(transactional_db):
    """The demo world, committed (an earlier transactional test may have emptied the database)."""
    from accounts import demo
    from livestock import reference
    from tests.conftest import load_world

    demo.seed()
    reference.ensure()
    return load_world()


def test_old_alerts_become_alerts_of_the_centre(seeded):
    from tests.farms.factories import registered_farm

    world = seeded
    farm = registered_farm(world)
    old = migrate(BEFORE)
    try:
        SubstanceAlert = old.get_model("livestock", "SubstanceAlert")
        BannedSubstance = old.get_model("livestock", "BannedSubstance")
        clenbuterol = BannedSubstance.objects.get(name_en="Clenbuterol")
        ractopamine = BannedSubstance.objects.get(name_en="Ractopamine")
        common = {
            "farm_id": farm.pk,
            "enterprise_id": farm.enterprise_id,
            "branch_id": farm.branch_id,
            "attempted_by_id": world.ent_a_staff.pk,
            "animal_count": 12,
        }
        handled = SubstanceAlert.objects.create(
            substance=clenbuterol,
            kind="feed",
            entered="product: 盐酸克仑特罗",
            handled_by_id=world.insp_a.pk,
            handled_at=timezone.now() - dt.timedelta(days=3),
            handling_note="已封存饲料",
            **common,
        )
        open_1 = SubstanceAlert.objects.create(
            substance=ractopamine, kind="feed", entered="additives: 莱克多巴胺", **common
        )
        open_2 = SubstanceAlert.objects.create(
            substance=ractopamine, kind="feed", entered="additives: 莱克多巴胺", **common
        )
    finally:
        migrate(AFTER)

    from livestock.models import SubstanceAlert as Attempt
    from surveillance.models import Alert

    closed = Attempt.objects.get(pk=handled.pk).alert
    assert (
        closed.state == "closed" and closed.close_reason == "已封存饲料" and closed.closed_by == world.insp_a
    )
    assert closed.notes.get().action == "close"
    opened = Attempt.objects.get(pk=open_1.pk).alert
    assert Attempt.objects.get(pk=open_2.pk).alert == opened
    assert opened.state == "new" and opened.count == 2 and opened.kind == "banned_substance"
    assert (opened.organisation_id, opened.role, opened.farm_id) == (farm.branch_id, "inspector", farm.pk)
    assert "Ractopamine" in opened.text_en and "莱克多巴胺" in opened.text_zh
    assert Alert.objects.count() == 2 and closed.history.count() == 1
