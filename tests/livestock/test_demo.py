"""The demo herds: realistic shape, consistent with the services' rules, idempotent."""

import pytest
from django.db.models import Count, F, Q
from django.utils import timezone

from farms import demo as farms_demo
from livestock import demo, selectors
from livestock.models import Animal, EarTag, Event, ProductionLog, SubstanceAlert

pytestmark = pytest.mark.django_db


def test_demo_herds(world):
    farms_demo.seed()
    created = demo.seed(scale=0.03)
    assert created
    assert demo.seed(scale=0.03) == {}  # the second time: nothing
    animals = Animal.objects.all()
    assert animals.count() > 500
    # Every animal has its registration event, and wears an in-use tag that points back at it.
    registered = Event.objects.filter(kind="registered").values("animal").distinct().count()
    assert registered == animals.count()
    assert not EarTag.objects.filter(status="in_use", animal__isnull=True).exists()
    assert not animals.exclude(tag__animal_id=F("pk")).exists()
    # Records of every kind, deaths spread over months, open withdrawals, flagged origins.
    kinds = set(ProductionLog.objects.values_list("kind", flat=True))
    assert kinds == set(ProductionLog.Kind.values)
    assert animals.filter(died_on__isnull=False).dates("died_on", "month").count() >= 3
    assert animals.filter(status__in=Animal.ON_FARM, withdrawal_until__gte=timezone.localdate()).exists()
    assert animals.filter(~Q(origin=Animal.Origin.SELF_BRED)).exists()
    # Coverage is realistic: not everything covered everywhere.
    farm = (
        animals.filter(status__in=Animal.ON_FARM)
        .values("farm")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()["farm"]
    )
    from farms.models import Farm

    reqs, pens = selectors.farm_coverage(farm=Farm.objects.get(pk=farm))
    percents = [p.percent(r.pk) for p in pens for r in reqs if p.percent(r.pk) is not None]
    assert percents and min(percents) < 100
    # Alerts for the Huizhou branch, one handled.
    alerts = SubstanceAlert.objects.filter(branch=world.branch_a)
    assert alerts.exists() and alerts.filter(alert__state="closed").exists()
    assert {a.alert.state for a in alerts} == {"new", "acknowledged", "closed"}
    # Every demo enterprise keeps tags to register animals with.
    for enterprise in (world.ent_a, world.ent_b):
        assert EarTag.objects.filter(enterprise=enterprise, status="available").count() >= 50
