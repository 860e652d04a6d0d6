"""The loading and fleet pages: scoped selectors, the screen and its live panel, the token shown once."""

import pytest
from django.urls import reverse

from tests.livestock.factories import rfid
from transit.selectors.fleet import vehicle_list_for_user
from transit.selectors.loading import (
    loadable_consignments_for_user,
    loadable_waiting_for_user,
    loading_list_for_user,
    loading_rows_for_user,
)
from transit.services.loading import loading_cancel, loading_open

from .loading_factories import certified, deliver, driver, reader, vehicle

pytestmark = pytest.mark.django_db


def test_selectors_are_scoped(world):
    consignment, _, _ = certified(world, serials=range(1, 3))
    truck = vehicle(world)
    assert list(vehicle_list_for_user(user=world.ent_a_staff)) == [truck]
    assert list(vehicle_list_for_user(user=world.ent_b_staff)) == []
    assert list(vehicle_list_for_user(user=world.insp_a)) == [truck]
    assert list(vehicle_list_for_user(user=world.insp_b)) == []
    assert list(loadable_consignments_for_user(user=world.insp_a)) == [consignment]
    assert list(loadable_consignments_for_user(user=world.insp_b)) == []
    loading = loading_open(actor=world.insp_a, consignment=consignment, vehicle=truck, driver=driver(world))
    assert list(loadable_consignments_for_user(user=world.insp_a)) == []
    assert list(loading_list_for_user(user=world.insp_a)) == [loading]
    assert list(loading_list_for_user(user=world.insp_b)) == []
    assert list(loading_list_for_user(user=world.ent_a_staff)) == [loading]
    assert list(loading_list_for_user(user=world.ent_b_staff)) == []


def test_the_list_shows_the_open_loadings_first_then_pages_the_others_newest_first(world, client):
    first, _, _ = certified(world, serials=range(1, 3))
    second, _, _ = certified(world, serials=range(3, 5), farm=first.farm)
    third, _, _ = certified(world, serials=range(5, 7), farm=first.farm)
    truck, person = vehicle(world), driver(world)

    def opened(consignment):
        return loading_open(actor=world.insp_a, consignment=consignment, vehicle=truck, driver=person)

    # What waits is what may be loaded, in the same order whichever way it is read.
    for user in (world.manager, world.insp_a, world.insp_b):
        assert loadable_waiting_for_user(user=user) == list(loadable_consignments_for_user(user=user))
    assert loadable_waiting_for_user(user=world.manager, limit=2) == [first, second]
    cancelled = loading_cancel(actor=world.insp_a, loading=opened(first), reason="车辆故障")
    later = loading_cancel(actor=world.insp_a, loading=opened(second), reason="改期")
    now_open = opened(third)
    assert loadable_waiting_for_user(user=world.manager) == [first, second]

    open_now, done, older = loading_rows_for_user(user=world.manager, page=1, per_page=1)
    assert (open_now, done, older) == ([now_open], [later], True)
    assert loading_rows_for_user(user=world.manager, page=2, per_page=1) == ([], [cancelled], False)
    assert loading_rows_for_user(user=world.insp_b, page=1, per_page=1) == ([], [], False)

    client.force_login(world.insp_a)
    page = client.get(reverse("portal_ciq:loading_list")).content.decode()
    assert page.index(now_open.number) < page.index(later.number) < page.index(cancelled.number)
    assert 'data-testid="waiting"' in page and 'data-testid="loadings-pager"' not in page
    # Past the first page: no waiting list, a way back.
    again = client.get(reverse("portal_ciq:loading_list") + "?page=2").content.decode()
    assert 'data-testid="waiting"' not in again and "?page=1" in again and now_open.number not in again


def test_the_screen_and_its_live_panel(world, client, django_assert_max_num_queries):
    consignment, _, animals = certified(world, serials=range(1, 4))
    device = reader(consignment.farm)
    loading = loading_open(
        actor=world.insp_a,
        consignment=consignment,
        vehicle=vehicle(world),
        driver=driver(world),
        device=device,
    )
    deliver(device, [rfid(1), "999000000000042"])
    client.force_login(world.insp_a)
    page = client.get(reverse("portal_ciq:loading_detail", args=[loading.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'hx-trigger="every 2s"' in body and "999000000000042" in body
    with django_assert_max_num_queries(15):
        live = client.get(reverse("portal_ciq:loading_live", args=[loading.pk]))
    assert live.status_code == 200 and live["Cache-Control"] == "no-store"
    assert animals[1].national_code in live.content.decode()  # missing
    client.force_login(world.insp_b)
    assert client.get(reverse("portal_ciq:loading_live", args=[loading.pk])).status_code == 404


def test_a_gps_unit_token_is_shown_once_and_only_its_hash_kept(world, client):
    from transit.models import GpsUnit
    from transit.services.fleet import token_hash

    client.force_login(world.ent_a_staff)
    page = client.post(reverse("portal_enterprise:gps_unit_create"), {"identifier": "IMEI-860000000001"})
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    token = page.context["token"]
    unit = GpsUnit.objects.get(identifier="IMEI-860000000001")
    assert unit.token_hash == token_hash(token) and unit.token_prefix == token[:8]
    assert token not in client.get(reverse("portal_enterprise:fleet")).content.decode()
