"""Supervised loading: opening, tags typed and read, seals, closing and cancelling, and every refusal."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.errors import DomainError
from livestock.models import Animal, Event
from quarantine import compact, keys
from quarantine import services as quarantine_services
from tests.livestock.factories import rfid
from transit.models import Loading, LoadingAnimal, Seal, Trip, Vehicle
from transit.models.fleet import Approval
from transit.selectors.loading import addendum_holds, loading_progress
from transit.services import fleet
from transit.services.loading import (
    loading_cancel,
    loading_close,
    loading_open,
    loading_seal_add,
    loading_tag_add,
)

from .loading_factories import certified, deliver, driver, reader, vehicle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _services_speak_english():
    """Service messages are read in English here."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def setup(world):
    consignment, certificate, animals = certified(world)
    return consignment, certificate, animals, vehicle(world), driver(world)


def opened(world, setup, **kw):
    consignment, _, _, truck, person = setup
    return loading_open(actor=world.insp_a, consignment=consignment, vehicle=truck, driver=person, **kw)


def test_a_loading_by_typed_tags_closes_into_a_signed_addendum_events_and_a_trip(world, setup, settings):
    settings.TRANSIT_TRIP_PLANNED_HOURS = 5
    consignment, certificate, animals, truck, _ = setup
    loading = opened(world, setup)
    assert loading.head_expected == 5 and loading.status == Loading.Status.OPEN
    for animal in animals:
        loading_tag_add(actor=world.insp_a, loading=loading, tag=animal.national_code)
    loading_seal_add(actor=world.insp_a, loading=loading, number="sz 000101")
    loading_seal_add(actor=world.insp_a, loading=loading, number="SZ000102")
    closed = loading_close(actor=world.insp_a, loading=loading)
    closed.refresh_from_db()
    assert closed.status == Loading.Status.CLOSED and closed.head_loaded == 5
    assert closed.addendum["seals"] == ["SZ000101", "SZ000102"]
    assert closed.addendum["certificate"] == certificate.number and closed.addendum["vehicle"] == truck.plate
    assert closed.addendum["head_loaded"] == 5 and closed.addendum["inspector"]
    assert addendum_holds(closed) and closed.addendum_key_id == keys.current_key_id()
    # The certificate row is untouched: it still verifies.
    certificate.refresh_from_db()
    public = keys.public_keys()[certificate.key_id]
    assert compact.signature_holds(public, compact.canonical(certificate.content), certificate.signature)
    assert set(Animal.objects.filter(pk__in=[a.pk for a in animals]).values_list("status", flat=True)) == {
        Animal.Status.IN_TRANSIT
    }
    events = Event.objects.filter(kind="loaded", animal__in=animals)
    assert events.count() == 5
    event = events.first()
    assert event.type == "AggregationEvent" and event.action == "ADD"
    assert event.parent.endswith(f"vehicle:{truck.pk}")
    trip = Trip.objects.get(loading=closed)
    assert trip.departed_at == closed.closed_at
    assert trip.due_at - trip.departed_at == dt.timedelta(hours=5)
    assert closed.history.count() >= 2


def test_reads_of_the_reader_match_and_the_unknown_are_unexpected(world, setup):
    consignment, _, animals, _, _ = setup
    device = reader(consignment.farm)
    deliver(device, [rfid(99)])  # read before the session: not counted
    loading = opened(world, setup, device=device)
    deliver(device, [rfid(1), rfid(2), rfid(2), "999000000000042"], start=10)
    progress = loading_progress(loading)
    assert progress.head_matched == 2 and len(progress.missing) == 3
    assert progress.unexpected == ["999000000000042"]
    loading_tag_add(actor=world.insp_a, loading=loading, tag=animals[2].national_code)
    loading_seal_add(actor=world.insp_a, loading=loading, number="SZ1")
    with pytest.raises(DomainError, match="2 animals of the certificate are not loaded"):
        loading_close(actor=world.insp_a, loading=loading)
    closed = loading_close(actor=world.insp_a, loading=loading, reason="两头跛行，留场观察")
    assert closed.head_loaded == 3 and closed.unexpected == ["999000000000042"]
    assert closed.addendum["missing_reason"] == "两头跛行，留场观察" and len(closed.addendum["missing"]) == 2
    manifest = LoadingAnimal.objects.filter(loading=closed)
    assert sorted(manifest.values_list("how", flat=True)) == ["reader", "reader", "typed"]
    assert Animal.objects.get(pk=animals[4].pk).status == Animal.Status.DECLARED


def test_a_tag_not_on_the_certificate_is_never_loaded(world, setup):
    loading = opened(world, setup)
    with pytest.raises(DomainError, match="Tag 144132200009999 is not on certificate"):
        loading_tag_add(actor=world.insp_a, loading=loading, tag="144132200009999")
    assert not LoadingAnimal.objects.filter(loading=loading).exists()


def test_a_tag_twice_is_refused(world, setup):
    loading = opened(world, setup)
    tag = setup[2][0].national_code
    loading_tag_add(actor=world.insp_a, loading=loading, tag=tag)
    with pytest.raises(DomainError, match="already loaded"):
        loading_tag_add(actor=world.insp_a, loading=loading, tag=tag)


def test_a_seal_is_used_once_ever(world, setup):
    loading = opened(world, setup)
    loading_seal_add(actor=world.insp_a, loading=loading, number="SZ777")
    with pytest.raises(DomainError, match=f"Seal SZ777 has already been used \\(loading {loading.number}\\)"):
        loading_seal_add(actor=world.insp_a, loading=loading, number="sz777")
    loading_cancel(actor=world.insp_a, loading=loading, reason="车辆故障")
    consignment, _, _, _, _ = setup
    again = loading_open(
        actor=world.insp_a,
        consignment=consignment,
        vehicle=vehicle(world, plate="粤L10002"),
        driver=setup[4],
    )
    with pytest.raises(DomainError, match="Seal SZ777 has already been used"):
        loading_seal_add(actor=world.insp_a, loading=again, number="SZ777")
    assert Seal.objects.filter(number="SZ777").count() == 1


def test_closing_twice_is_refused(world, setup):
    loading = opened(world, setup)
    for animal in setup[2]:
        loading_tag_add(actor=world.insp_a, loading=loading, tag=animal.national_code)
    loading_seal_add(actor=world.insp_a, loading=loading, number="SZ9")
    loading_close(actor=world.insp_a, loading=loading)
    with pytest.raises(DomainError, match="cannot be closed"):
        loading_close(actor=world.insp_a, loading=loading)
    assert Trip.objects.filter(loading=loading).count() == 1
    assert Event.objects.filter(kind="loaded").count() == 5


def test_closing_needs_seals_and_an_animal(world, setup):
    loading = opened(world, setup)
    with pytest.raises(DomainError, match="Record the seal numbers"):
        loading_close(actor=world.insp_a, loading=loading)
    loading_seal_add(actor=world.insp_a, loading=loading, number="SZ10")
    with pytest.raises(DomainError, match="No animal of the certificate"):
        loading_close(actor=world.insp_a, loading=loading, reason="x")


def test_cancelling_needs_a_reason(world, setup):
    loading = opened(world, setup)
    with pytest.raises(DomainError, match="reason"):
        loading_cancel(actor=world.insp_a, loading=loading, reason=" ")
    loading_cancel(actor=world.insp_a, loading=loading, reason="改期")
    loading.refresh_from_db()
    assert loading.status == Loading.Status.CANCELLED and loading.cancel_reason == "改期"


def test_an_unapproved_vehicle_cannot_be_loaded(world, setup):
    consignment, _, _, _, person = setup
    truck = vehicle(world, plate="粤L20001", approve=False)
    with pytest.raises(DomainError, match="only an approved vehicle may be loaded"):
        loading_open(actor=world.insp_a, consignment=consignment, vehicle=truck, driver=person)


def test_a_suspended_vehicle_cannot_be_loaded(world, setup):
    consignment, _, _, truck, person = setup
    fleet.registration_act(actor=world.insp_a, obj=truck, action="suspend", reason="年检过期")
    with pytest.raises(DomainError, match="Suspended"):
        loading_open(actor=world.insp_a, consignment=consignment, vehicle=truck, driver=person)


def test_an_expired_permit_is_refused(world, setup):
    consignment, _, _, truck, person = setup
    Vehicle.objects.filter(pk=truck.pk).update(permit_valid_until=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(DomainError, match="permit expired"):
        loading_open(actor=world.insp_a, consignment=consignment, vehicle=truck, driver=person)


def test_over_capacity_is_refused(world, setup):
    consignment, _, _, _, person = setup
    small = vehicle(world, plate="粤L20002", capacity={"1": 4})
    with pytest.raises(DomainError, match="carries at most 4 head"):
        loading_open(actor=world.insp_a, consignment=consignment, vehicle=small, driver=person)
    cattle = vehicle(world, plate="粤L20003", capacity={"2": 40})
    with pytest.raises(DomainError, match="not registered to carry"):
        loading_open(actor=world.insp_a, consignment=consignment, vehicle=cattle, driver=person)


def test_no_disinfection_since_the_last_trip_is_refused(world, setup):
    consignment, _, _, _, person = setup
    truck = vehicle(world, plate="粤L20004", disinfect=False)
    with pytest.raises(DomainError, match="no disinfection recorded"):
        loading_open(actor=world.insp_a, consignment=consignment, vehicle=truck, driver=person)
    # A trip that ended after the last disinfection (a stand-in for the port's release).
    truck = vehicle(world, plate="粤L20005")
    other, _, _ = certified(world, serials=range(20, 22), farm=consignment.farm)
    first = loading_open(actor=world.insp_a, consignment=other, vehicle=truck, driver=person)
    for item in other.items.all():
        loading_tag_add(actor=world.insp_a, loading=first, tag=item.national_code)
    loading_seal_add(actor=world.insp_a, loading=first, number="SZ55")
    loading_close(actor=world.insp_a, loading=first)
    with pytest.raises(DomainError, match="still on trip"):
        loading_open(actor=world.insp_a, consignment=consignment, vehicle=truck, driver=person)
    Trip.objects.filter(loading=first).update(status=Trip.Status.RELEASED, ended_at=timezone.now())
    with pytest.raises(DomainError, match="no disinfection recorded since its last trip"):
        loading_open(actor=world.insp_a, consignment=consignment, vehicle=truck, driver=person)
    fleet.disinfection_record(
        actor=world.ent_a_staff,
        vehicle=truck,
        agent="过氧乙酸",
        concentration="0.5%",
        performed_at=timezone.now(),
        performed_by="王师傅",
    )
    assert loading_open(actor=world.insp_a, consignment=consignment, vehicle=truck, driver=person).pk


def test_an_unapproved_driver_is_refused(world, setup):
    consignment, _, _, truck, _ = setup
    person = driver(world, id_number="440000199001010099", approve=False)
    with pytest.raises(DomainError, match="only an approved driver"):
        loading_open(actor=world.insp_a, consignment=consignment, vehicle=truck, driver=person)


def test_another_branch_or_enterprise_is_refused(world, setup):
    consignment, _, _, truck, person = setup
    with pytest.raises(DomainError, match="only its inspectors or a manager"):
        loading_open(actor=world.insp_b, consignment=consignment, vehicle=truck, driver=person)
    theirs = vehicle(world, plate="湘A30001", actor=world.ent_b_staff, disinfect=False)
    with pytest.raises(DomainError, match="belongs to another enterprise"):
        loading_open(actor=world.insp_a, consignment=consignment, vehicle=theirs, driver=person)


def test_a_void_certificate_or_an_unapproved_consignment_cannot_be_loaded(world, setup):
    consignment, certificate, _, truck, person = setup
    quarantine_services.certificate_void(actor=world.insp_a, certificate=certificate, reason="错填")
    with pytest.raises(DomainError, match="no certificate in force"):
        loading_open(actor=world.insp_a, consignment=consignment, vehicle=truck, driver=person)


def test_a_reader_of_another_farm_is_refused(world, setup):
    from livestock.models import ReaderDevice

    elsewhere = ReaderDevice.objects.create(code="port-gate", name="口岸读写器", site=world.port_wenjindu)
    with pytest.raises(DomainError, match="is not on farm"):
        opened(world, setup, device=elsewhere)


def test_one_loading_per_consignment(world, setup):
    loading = opened(world, setup)
    with pytest.raises(DomainError, match=f"already has loading {loading.number}"):
        opened(world, setup)


def test_the_vehicle_approval_steps_follow_the_table(world):
    truck = vehicle(world, approve=False, disinfect=False)
    with pytest.raises(DomainError, match="Only the inspectors of"):
        fleet.registration_act(actor=world.insp_b, obj=truck, action="approve")
    with pytest.raises(DomainError, match="reason"):
        fleet.registration_act(actor=world.insp_a, obj=truck, action="return")
    truck = fleet.registration_act(actor=world.insp_a, obj=truck, action="return", reason="行驶证不清")
    assert truck.status == Approval.RETURNED
    with pytest.raises(DomainError, match="cannot be approved"):
        fleet.registration_act(actor=world.insp_a, obj=truck, action="approve")
    with pytest.raises(DomainError, match="another enterprise"):
        fleet.registration_act(actor=world.ent_b_staff, obj=truck, action="resubmit")
    truck = fleet.registration_act(actor=world.ent_a_staff, obj=truck, action="resubmit")
    truck = fleet.registration_act(actor=world.insp_a, obj=truck, action="approve")
    assert truck.status == Approval.APPROVED and truck.approved_by == world.insp_a
    assert [h.history_change_reason for h in truck.history.order_by("history_id")][-1] == "approve"
