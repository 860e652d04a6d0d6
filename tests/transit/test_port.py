"""Release at the exit port: validity, hold with a reason, a supervisor's override, release."""

import datetime as dt
from unittest import mock

import pytest
from django.contrib.auth.models import Group

from accounts.errors import DomainError
from farms.models import CreditEvent
from livestock.models import Animal, Event
from quarantine.models import Certificate
from quarantine.selectors import certificate_check
from quarantine.services import certificate_void
from surveillance.models import Alert
from tests.transit.port_factories import on_the_road, rested_and_gone
from transit.models import PortCheck, Trip
from transit.selectors.port import (
    certificate_find,
    port_certificate_for_user,
    port_checks_for_user,
    port_queue_for_user,
    port_view,
    trip_of_certificate,
)
from transit.services.port import is_supervisor, port_hold, port_override, port_release

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def at_port(world):
    road = on_the_road(world, head=4)
    rested_and_gone(world, road, dead=road.codes[0])
    return road


def release(world, road, **overrides):
    data = {"head_counted": 3, "seals_intact": True, "tags": road.codes[1:]}
    data.update(overrides)
    return port_release(actor=world.port, certificate=road.certificate, **data)


def test_clean_release_exports_everything(world, at_port):
    road = at_port
    view = port_view(certificate=road.certificate, trip=road.trip, tags=road.codes[1:])
    assert view.valid and view.missing == [] and view.head_expected == 3 and view.set_aside == [road.codes[0]]
    check = release(world, road)
    assert check.outcome == "released" and check.notice["head_released"] == 3
    road.trip.refresh_from_db()
    road.consignment.refresh_from_db()
    certificate = Certificate.objects.get(pk=road.certificate.pk)
    assert road.trip.status == Trip.Status.RELEASED and road.trip.ended_at
    assert road.consignment.status == "exported"
    assert certificate.used_at and certificate.used_by == world.port
    assert certificate_check(certificate).state == "used"
    statuses = dict(
        Animal.objects.filter(pk__in=[a.pk for a in road.animals]).values_list("national_code", "status")
    )
    assert statuses == {road.codes[0]: "disposed", **dict.fromkeys(road.codes[1:], "released")}
    assert Animal.Status.RELEASED.label == "Exported"
    steps = list(
        Event.objects.filter(animal=road.animals[1])
        .order_by("recorded_at", "pk")
        .values_list("kind", flat=True)
    )
    for kind in ("certified", "warehouse_arrived", "transit_examined", "warehouse_departed", "exported"):
        assert kind in steps
    assert not road.consignment.items.filter(holding=True).exists()


def test_missing_tag_hold_override_release(world, at_port):
    road = at_port
    tags = road.codes[1:3]  # one animal's tag not read
    with pytest.raises(DomainError, match="discrepancies"):
        release(world, road, tags=tags)
    assert not PortCheck.objects.exists()
    with pytest.raises(DomainError, match="reason"):
        port_hold(
            actor=world.port,
            certificate=road.certificate,
            reason=" ",
            head_counted=3,
            seals_intact=True,
            tags=tags,
        )
    hold = port_hold(
        actor=world.port,
        certificate=road.certificate,
        reason="一个耳标读不到",
        head_counted=3,
        seals_intact=True,
        tags=tags,
    )
    road.trip.refresh_from_db()
    assert road.trip.status == Trip.Status.HELD and hold.missing == [road.codes[3]]
    assert CreditEvent.objects.filter(kind="port_discrepancy", enterprise=world.ent_a).count() == 1
    assert Alert.objects.filter(kind="discrepancy", key__startswith="transit:port-hold").count() == 2
    with pytest.raises(DomainError, match="discrepancies"):
        release(world, road, tags=tags)
    with pytest.raises(DomainError, match="supervisor"):
        port_override(actor=world.port, check=hold, reason="ok")
    with pytest.raises(DomainError, match="supervisor"):
        port_override(actor=world.insp_a, check=hold, reason="ok")
    with pytest.raises(DomainError, match="reason"):
        port_override(actor=world.manager, check=hold, reason="")
    hold.refresh_from_db()
    assert not hold.override_at
    port_override(actor=world.manager, check=hold, reason="耳标脱落，已人工核对体貌")
    with pytest.raises(DomainError, match="already"):
        port_override(actor=world.manager, check=hold, reason="again")
    check = release(world, road, tags=tags)
    assert check.notice["override"]["reason"] == "耳标脱落，已人工核对体貌"
    assert Animal.objects.get(pk=road.animals[3].pk).status == "released"
    assert Event.objects.filter(animal=road.animals[3], kind="port_hold_overridden").exists()


def test_port_officer_named_supervisor_may_override_but_not_their_own_hold(world, at_port, django_user_model):
    road = at_port
    group, _ = Group.objects.get_or_create(name="port_supervisors")
    hold = port_hold(
        actor=world.port, certificate=road.certificate, reason="封条破损", head_counted=3, seals_intact=False
    )
    world.port.groups.add(group)
    assert is_supervisor(world.port, world.port.organisation_id)
    with pytest.raises(DomainError, match="another officer"):
        port_override(actor=world.port, check=hold, reason="ok")
    other = django_user_model.objects.create_user(
        username="port_sup", password="x", role="port_officer", organisation=world.port.organisation
    )
    other.groups.add(group)
    port_override(actor=other, check=hold, reason="封条编号与加封记录核对无误")


def test_refusals_certificate_states(world, at_port):
    road = at_port
    later = road.certificate.valid_until + dt.timedelta(days=1)
    with (
        mock.patch("django.utils.timezone.localdate", return_value=later),
        pytest.raises(DomainError, match="Expired"),
    ):
        release(world, road)
    certificate_void(actor=world.insp_a, certificate=road.certificate, reason="装运推迟")
    with pytest.raises(DomainError, match="Void"):
        release(world, road)
    road.trip.refresh_from_db()
    assert road.trip.status == Trip.Status.TO_PORT and not PortCheck.objects.exists()


def test_used_certificate_refused(world, at_port):
    release(world, at_port)
    with pytest.raises(DomainError, match="Used"):
        release(world, at_port)


def test_tag_not_on_manifest_and_set_aside_tag_refused(world, at_port):
    road = at_port
    with pytest.raises(DomainError, match="Not on the manifest"):
        release(world, road, tags=[*road.codes[1:], "999999999999999"])
    with pytest.raises(DomainError, match="Not on the manifest"):
        release(world, road, tags=road.codes)  # the dead one's tag cannot leave
    assert Certificate.objects.get(pk=road.certificate.pk).used_at is None


def test_release_without_a_loading_or_before_the_warehouse(world):
    from tests.transit.port_factories import certified

    consignment, certificate, _animals = certified(world, head=2)
    with pytest.raises(DomainError, match="no closed loading"):
        port_release(actor=world.port, certificate=certificate, head_counted=2, seals_intact=True, tags=[])
    road = on_the_road(world, head=2)
    with pytest.raises(DomainError, match="cannot be released"):
        port_release(
            actor=world.port, certificate=road.certificate, head_counted=2, seals_intact=True, tags=road.codes
        )


def test_only_the_exit_ports_officers(world, at_port):
    for user in (world.transit, world.insp_a, world.manager, world.ent_a_admin):
        with pytest.raises(DomainError, match="port officer"):
            port_release(actor=user, certificate=at_port.certificate, head_counted=3, seals_intact=True)
    assert not PortCheck.objects.exists()


def test_bad_head_count_refused(world, at_port):
    with pytest.raises(DomainError, match="head counted"):
        release(world, at_port, head_counted=-2)


def test_find_by_number_and_by_qr(world, at_port):
    certificate = at_port.certificate
    assert certificate_find(text=certificate.number.lower()) == certificate
    assert certificate_find(text=certificate.qr_payload) == certificate
    assert certificate_find(text="https://example.org/V/" + certificate.qr_payload) == certificate
    forged = certificate.qr_payload[:-6] + (
        "A" * 6 if not certificate.qr_payload.endswith("AAAAAA") else "B" * 6
    )
    with pytest.raises(DomainError, match="not a certificate"):
        certificate_find(text=forged)
    with pytest.raises(DomainError, match="No certificate"):
        certificate_find(text="HC000000-1")


def test_warehouse_read_as_the_tag_source(world, at_port):
    view = port_view(
        certificate=at_port.certificate, trip=trip_of_certificate(at_port.certificate), source="warehouse"
    )
    assert view.source == "warehouse" and view.missing == [] and view.unexpected == []


def test_scoping(world, at_port):
    port_hold(
        actor=world.port, certificate=at_port.certificate, reason="x", head_counted=3, seals_intact=True
    )
    assert port_checks_for_user(user=world.port).count() == 1
    assert port_checks_for_user(user=world.manager).count() == 1
    assert port_checks_for_user(user=world.insp_a).count() == 1
    assert port_checks_for_user(user=world.insp_b).count() == 0
    assert port_checks_for_user(user=world.ent_a_staff).count() == 1
    assert port_checks_for_user(user=world.ent_b_staff).count() == 0
    assert port_checks_for_user(user=world.lab).count() == 0
    assert list(port_queue_for_user(user=world.port)) == [at_port.trip]
    assert list(port_queue_for_user(user=world.ent_b_admin)) == []
    assert port_certificate_for_user(user=world.port, text=at_port.certificate.number) == at_port.certificate


def test_public_verification_says_used(world, at_port, client):
    from django.urls import reverse

    release(world, at_port)
    certificate = at_port.certificate
    page = client.get(
        reverse("certificate_verify"), {"number": certificate.number, "token": certificate.token}
    )
    assert page.status_code == 200 and 'data-state="used"' in page.content.decode()


def test_port_pages_hold_and_refusal(world, at_port, client_for):
    from django.urls import reverse

    client = client_for(world.port)
    number = at_port.certificate.number
    page = client.get(reverse("portal_ciq:port_screen"), {"q": at_port.certificate.qr_payload})
    assert page.status_code == 200 and page.context["check"].head_expected == 3
    form = {
        "q": number,
        "source": "typed",
        "tags": " ".join(at_port.codes[1:3]),
        "seals_intact": "1",
        "head_counted": "3",
    }
    page = client.post(reverse("portal_ciq:port_screen"), {**form, "action": "release"})
    assert page.status_code == 200 and not PortCheck.objects.exists()
    assert "discrepancies" in page.content.decode() or "不符" in page.content.decode()
    page = client.post(reverse("portal_ciq:port_screen"), {**form, "action": "hold", "reason": "少一个耳标"})
    check = PortCheck.objects.get()
    assert page.status_code == 302 and check.outcome == "held"
    manager = client_for(world.manager)
    page = manager.post(reverse("portal_ciq:port_check", kwargs={"pk": check.pk}), {"reason": ""})
    assert page.status_code == 200
    check.refresh_from_db()
    assert not check.override_at
    notice = client_for(world.port).get(reverse("portal_ciq:port_notice_pdf", kwargs={"pk": check.pk}))
    assert notice.status_code == 404  # a hold has no export notice


def test_port_screen_shows_the_hold_of_a_held_truck(world, at_port, client_for):
    """Reopened, a held truck's screen says it is held, why, and by whom it was overridden."""
    from django.urls import reverse

    from transit.services.port import port_hold, port_override

    check = port_hold(
        actor=world.port,
        certificate=at_port.certificate,
        head_counted=3,
        seals_intact=True,
        tags=at_port.codes[1:3],
        source="typed",
        reason="少一个耳标",
    )
    client = client_for(world.port)
    page = client.get(reverse("portal_ciq:port_screen"), {"q": at_port.certificate.number})
    assert page.context["held"] == check
    assert 'data-testid="held-banner"' in page.content.decode() and "少一个耳标" in page.content.decode()
    port_override(actor=world.manager, check=check, reason="已人工核对")
    page = client.get(reverse("portal_ciq:port_screen"), {"q": at_port.certificate.number})
    assert "已人工核对" in page.content.decode()
