"""Consignments made in bulk (the demo's, the year's) look like the services' own to every reader."""

import datetime as dt

import pytest

from livestock.models import Event
from quarantine.generate import Generator, Lot, reset_sequences
from quarantine.models import Certificate, Consignment, ConsignmentStatusChange, LabResult, Sample
from quarantine.sampling import draw
from quarantine.selectors import certificate_check

from .factories import declare, farm_a, ready_herd, today

pytestmark = pytest.mark.django_db


def _lot(farm, animals, fate, days=-3):
    return Lot(farm, [(a.pk, a.national_code) for a in animals], today() + dt.timedelta(days=days), fate)


def test_each_fate_stops_where_it_says_and_certificates_verify(world):
    farm = farm_a(world)
    herd = ready_herd(world, farm, range(1, 31))
    gen = Generator()
    fates = ["approved", "replaced", "rejected", "withdrawn", "cancelled"]
    fates += ["declared", "sampled", "results_in"]
    made = {}
    for n, fate in enumerate(fates):
        made[fate] = gen.add(_lot(farm, herd[n * 3 : n * 3 + 3], fate, days=-3 if n < 5 else 1))
    gen.flush()
    reset_sequences()
    status = dict(Consignment.objects.values_list("number", "status"))
    assert status[made["approved"].number] == "approved" and status[made["replaced"].number] == "approved"
    assert status[made["rejected"].number] == "rejected" and status[made["withdrawn"].number] == "withdrawn"
    assert status[made["declared"].number] == "declared" and status[made["results_in"].number] == "results_in"
    # Signed over the content rebuilt from the rows: every reader finds them as issued.
    states = {c.number: certificate_check(c).state for c in Certificate.objects.all()}
    assert sorted(states.values()) == ["expired", "expired", "replaced"]
    replaced = Certificate.objects.get(number__endswith="-2")
    assert replaced.replaces.voided_at and replaced.consignment.number == made["replaced"].number
    # The draw can be repeated from the seed; every sample has its results.
    approved = Consignment.objects.get(number=made["approved"].number)
    tags = sorted(approved.items.values_list("national_code", flat=True))
    drawn = draw(tags=tags, count=approved.samples.count(), seed=approved.sampling_seed)
    assert list(approved.samples.order_by("number").values_list("national_code", flat=True)) == drawn
    assert LabResult.objects.filter(sample__consignment=approved).count() >= approved.samples.count()
    # Every step: its status change, and an event on each animal.
    steps = ["declare", "accept", "examine", "sample", "results", "approve"]
    assert list(approved.status_changes.values_list("action", flat=True)) == steps
    assert Event.objects.filter(source=f"quarantine.consignment:{approved.pk}").count() == 3 * len(steps)
    assert approved.history.count() == len(steps)
    # What the caller applies to the animals.
    assert {gen.statuses[a.pk] for a in herd[:3]} == {"released"}
    assert {gen.statuses[a.pk] for a in herd[6:9]} == {"on_farm"}
    assert {gen.statuses[a.pk] for a in herd[15:18]} == {"declared"}
    assert gen.last_consignment[farm.pk] <= today()


def test_the_services_carry_on_after_the_generated_rows(world):
    farm = farm_a(world)
    herd = ready_herd(world, farm, range(1, 7))
    gen = Generator()
    gen.add(_lot(farm, herd[:3], "withdrawn"))
    gen.flush()
    reset_sequences()
    before = (Consignment.objects.count(), ConsignmentStatusChange.objects.count(), Sample.objects.count())
    consignment = declare(world, farm, herd[3:])  # the next ids follow the generated ones
    assert consignment.pk > max(Consignment.objects.exclude(pk=consignment.pk).values_list("pk", flat=True))
    assert Consignment.objects.count() == before[0] + 1
