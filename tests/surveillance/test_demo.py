"""The demo outbreaks: a lifted one and an active zone over demo farms, alerts in every state."""

import pytest

from farms import demo as farms_demo
from surveillance import demo
from surveillance.models import Alert, DiseaseReport, FarmRestriction
from surveillance.selectors import alert_list_for_user, restrictions_for_farms


@pytest.fixture
def seeded(world):
    farms_demo.seed()
    return demo.seed()


def test_a_lifted_outbreak_and_an_active_zone_over_demo_farms(world, seeded):
    assert set(seeded) >= {"past", "active", "flagged"}
    lifted = DiseaseReport.objects.get(status="lifted")
    active = DiseaseReport.objects.get(status="confirmed")
    assert lifted.disease.code == "fmd" and lifted.lift_reason and lifted.confirmed_on < active.confirmed_on
    assert not FarmRestriction.objects.filter(zone__report=lifted, lifted_at__isnull=True).exists()
    flagged = set(
        FarmRestriction.objects.filter(zone__report=active, lifted_at__isnull=True).values_list(
            "farm", flat=True
        )
    )
    assert len(flagged) >= 2 and seeded["flagged"] == len(flagged)
    # Enterprise A's farm is among them, and the restriction check agrees with the table.
    assert any(r for pk, r in restrictions_for_farms(farm_ids=flagged).items())
    assert FarmRestriction.objects.filter(zone__report=active, farm__enterprise=world.ent_a).exists()


def test_alerts_in_every_state_and_one_shown_to_the_enterprise(world, seeded):
    alerts = Alert.objects.filter(kind=Alert.Kind.FARM_IN_ZONE)
    assert {a.state for a in alerts} == {"new", "acknowledged", "closed"}
    assert all(a.notified_at for a in alerts)  # the demo's past is not e-mailed
    assert alert_list_for_user(user=world.ent_a_admin).exists()
    assert alert_list_for_user(user=world.insp_a).exists()


def test_seeding_again_changes_nothing(world, seeded):
    before = (DiseaseReport.objects.count(), Alert.objects.count(), FarmRestriction.objects.count())
    assert demo.seed() == {}
    assert (DiseaseReport.objects.count(), Alert.objects.count(), FarmRestriction.objects.count()) == before
