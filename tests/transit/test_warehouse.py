"""The Qingshuihe warehouse: arrival, animals set aside, clinical check, treatment, departure."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.errors import DomainError
from farms.models import CreditEvent
from livestock.models import Animal, Event
from surveillance.models import Alert
from tests.transit.port_factories import arrive, on_the_road, photo, rested_and_gone, set_aside
from transit.models import Arrival, Disinfection, Ineligible, Seal, Trip
from transit.selectors.warehouse import pens_board_for_user
from transit.services.warehouse import (
    clinical_check_record,
    overnight_alerts_raise,
    treatment_record,
    warehouse_depart,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def test_arrival_moves_animals_and_opens_the_seals(world):
    road = on_the_road(world, head=4)
    arrival = arrive(world, road)
    road.trip.refresh_from_db()
    assert road.trip.status == Trip.Status.AT_WAREHOUSE and road.trip.arrived_warehouse_at
    assert arrival.seals_intact and arrival.missing == [] and not arrival.discrepant
    assert set(
        Animal.objects.filter(pk__in=[a.pk for a in road.animals]).values_list("status", flat=True)
    ) == {"at_warehouse"}
    assert Event.objects.filter(kind="warehouse_arrived").count() == 4
    assert not Seal.objects.filter(loading=road.loading, broken_at__isnull=True).exists()
    assert not Alert.objects.filter(kind__in=["discrepancy", "seal_mismatch"]).exists()


def test_arrival_with_broken_seal_and_missing_tag_is_a_finding_and_an_alert(world):
    road = on_the_road(world, head=4)
    arrival = arrive(world, road, seals=road.seals[:1], tags=road.codes[:3], head=3)
    assert not arrival.seals_intact and arrival.missing == [road.codes[3]]
    assert Alert.objects.filter(kind="seal_mismatch").count() == 2
    assert CreditEvent.objects.filter(enterprise=world.ent_a, kind="finding").count() == 2


@pytest.mark.parametrize(
    "change, message",
    [
        ({"tags": ["999999999999999"]}, "Not on the manifest"),
        ({"tags": []}, "Read or type the tags"),
        ({"pen": " "}, "Say which pen"),
        ({"head": -1}, "head counted"),
    ],
)
def test_arrival_refusals_write_nothing(world, change, message):
    road = on_the_road(world, head=3)
    kwargs = {"pen": change.get("pen", "A1"), "tags": change.get("tags"), "head": change.get("head")}
    with pytest.raises(DomainError, match=message):
        arrive(world, road, **kwargs)
    road.trip.refresh_from_db()
    assert road.trip.status == Trip.Status.EN_ROUTE and not Arrival.objects.exists()
    assert not Animal.objects.filter(pk__in=[a.pk for a in road.animals], status="at_warehouse").exists()


def test_arrival_twice_and_by_others_refused(world):
    road = on_the_road(world, head=2)
    arrive(world, road)
    with pytest.raises(DomainError, match="cannot be received"):
        arrive(world, road)
    other = on_the_road(world, head=2)
    from transit.services.warehouse import arrival_record

    for user in (world.port, world.insp_a, world.ent_a_staff, world.manager):
        with pytest.raises(DomainError, match="transit officer"):
            arrival_record(
                actor=user,
                trip=other.trip,
                seals_found=other.seals,
                head_counted=2,
                tags=other.codes,
                pen="B",
            )


def test_dead_animal_set_aside_dies_and_is_disposed_of(world):
    road = on_the_road(world, head=3)
    arrival = arrive(world, road)
    item = set_aside(world, arrival, road.codes[0])
    animal = Animal.objects.get(pk=road.animals[0].pk)
    assert animal.status == "disposed" and animal.died_on
    kinds = list(
        Event.objects.filter(animal=animal).order_by("recorded_at", "pk").values_list("kind", flat=True)
    )
    assert kinds[-3:] == ["set_aside", "death", "disposal"]
    assert item.photos.count() == 1


@pytest.mark.parametrize(
    "change, message",
    [
        ({"national_code": "999999999999999"}, "Not on the manifest"),
        ({"cause": ""}, "cause"),
        ({"witnesses": " "}, "witnesses"),
        ({"condition": "bored"}, "condition"),
        ({"disposal_method": "river"}, "harmless disposal"),
        ({"photos": []}, "photo"),
        ({"disposed_at": timezone.now() + dt.timedelta(days=1)}, "future"),
    ],
)
def test_set_aside_refusals(world, change, message):
    road = on_the_road(world, head=2)
    arrival = arrive(world, road)
    with pytest.raises(DomainError, match=message):
        set_aside(world, arrival, road.codes[0], **change)
    assert not Ineligible.objects.exists()
    assert Animal.objects.get(pk=road.animals[0].pk).status == "at_warehouse"


def test_set_aside_refuses_a_file_that_is_not_an_image(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    road = on_the_road(world, head=2)
    arrival = arrive(world, road)
    fake = SimpleUploadedFile("pig.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    with pytest.raises(DomainError, match="not an image"):
        set_aside(world, arrival, road.codes[0], photos=[photo(), fake])
    assert not Ineligible.objects.exists()


def test_set_aside_twice_refused(world):
    road = on_the_road(world, head=2)
    arrival = arrive(world, road)
    set_aside(world, arrival, road.codes[0])
    with pytest.raises(DomainError, match="already set aside"):
        set_aside(world, arrival, road.codes[0])


def test_departure_needs_a_clinical_check_and_fresh_seals(world):
    road = on_the_road(world, head=2)
    arrival = arrive(world, road)
    with pytest.raises(DomainError, match="clinical check"):
        warehouse_depart(actor=world.transit, trip=road.trip, seals=["NEW1"])
    with pytest.raises(DomainError, match="Say what"):
        clinical_check_record(actor=world.transit, arrival=arrival, healthy=False)
    clinical_check_record(actor=world.transit, arrival=arrival, healthy=True)
    with pytest.raises(DomainError, match="already recorded"):
        clinical_check_record(actor=world.transit, arrival=arrival, healthy=True)
    with pytest.raises(DomainError, match="Give the numbers"):
        warehouse_depart(actor=world.transit, trip=road.trip, seals=[" "])
    with pytest.raises(DomainError, match="used once"):
        warehouse_depart(actor=world.transit, trip=road.trip, seals=[road.seals[0]])
    with pytest.raises(DomainError, match="twice"):
        warehouse_depart(actor=world.transit, trip=road.trip, seals=["N1", "n1"])
    assert not Seal.objects.filter(stage="warehouse").exists()
    warehouse_depart(actor=world.transit, trip=road.trip, seals=["NEW1", "NEW2"])
    road.trip.refresh_from_db()
    arrival.refresh_from_db()
    assert road.trip.status == Trip.Status.TO_PORT and arrival.left_at
    assert list(Seal.objects.filter(stage="warehouse").values_list("number", flat=True)) == ["NEW1", "NEW2"]
    assert Event.objects.filter(kind="warehouse_departed").count() == 2


def test_a_failed_clinical_check_keeps_the_truck(world):
    road = on_the_road(world, head=2)
    arrival = arrive(world, road)
    clinical_check_record(actor=world.transit, arrival=arrival, healthy=False, notes="咳嗽")
    with pytest.raises(DomainError, match="found problems"):
        warehouse_depart(actor=world.transit, trip=road.trip, seals=["NEW9"])


def test_nothing_recorded_after_the_animals_left(world):
    road = on_the_road(world, head=2)
    arrival = rested_and_gone(world, road)
    with pytest.raises(DomainError, match="left the warehouse"):
        set_aside(world, arrival, road.codes[0])


def test_pens_board_shows_overnight_stays_and_raises_the_alert(world):
    road = on_the_road(world, head=2)
    arrival = arrive(world, road, pen="C3")
    Arrival.objects.filter(pk=arrival.pk).update(arrived_at=timezone.now() - dt.timedelta(days=1, hours=1))
    board = pens_board_for_user(user=world.transit)
    assert [(a.pen, a.overnight) for a in board] == [("C3", True)]
    assert overnight_alerts_raise(arrivals=board) == 1
    assert Alert.objects.get(kind="overnight").organisation_id == world.transit.organisation_id
    overnight_alerts_raise(arrivals=board)
    assert Alert.objects.filter(kind="overnight").count() == 1


def test_board_scoping(world):
    road = on_the_road(world, head=2)
    arrive(world, road)
    assert len(pens_board_for_user(user=world.transit)) == 1
    assert len(pens_board_for_user(user=world.insp_a)) == 1
    assert len(pens_board_for_user(user=world.insp_b)) == 0
    assert len(pens_board_for_user(user=world.ent_a_staff)) == 1
    assert len(pens_board_for_user(user=world.ent_b_staff)) == 0
    assert len(pens_board_for_user(user=world.port)) == 1  # its port is the exit port


def test_treatment(world):
    road = on_the_road(world, head=1)
    now = timezone.now()
    made = treatment_record(
        actor=world.transit,
        target="vehicle",
        vehicle=road.vehicle,
        agent="过氧乙酸",
        concentration="0.5%",
        performed_by="王师傅",
        performed_at=now,
    )
    assert made.site_id == world.transit.organisation_id
    treatment_record(
        actor=world.transit,
        target="pen",
        pen="A1",
        agent="火碱",
        concentration="2%",
        performed_by="王",
        performed_at=now,
    )
    for bad, message in [
        ({"target": "pen", "pen": ""}, "vehicle or a pen"),
        ({"target": "vehicle"}, "vehicle or a pen"),
        ({"target": "pen", "pen": "A", "agent": ""}, "disinfectant"),
        ({"target": "pen", "pen": "A", "performed_at": now + dt.timedelta(days=1)}, "future"),
    ]:
        data = {"agent": "火碱", "concentration": "2%", "performed_by": "王", "performed_at": now, **bad}
        with pytest.raises(DomainError, match=message):
            treatment_record(actor=world.transit, **data)
    with pytest.raises(DomainError, match="transit officer"):
        treatment_record(
            actor=world.port,
            target="pen",
            pen="A",
            agent="a",
            concentration="1",
            performed_by="x",
            performed_at=now,
        )
    assert Disinfection.objects.count() == 2
