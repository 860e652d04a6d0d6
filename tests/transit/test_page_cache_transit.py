"""A cached transit screen never shows stale data: after every kind of transit change it equals a
fresh render (as tests/portals/test_page_cache.py does for the herd screens).

Each screen is opened (and so cached) before the change; after it, the page as served must be the
page rendered from scratch (accounts.pagecache switched off), CSRF tokens aside. The changes go
through the services, as the officers' screens and the GPS units make them.
"""

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.portals.test_page_cache import assert_fresh, normal
from tests.transit.journeys_factories import QINGSHUIHE, straight_track, trip_on_road
from tests.transit.loading_factories import certified, driver, vehicle
from tests.transit.port_factories import arrive, on_the_road, rested_and_gone, set_aside
from tests.transit.test_journeys import ROUTE
from transit.models import Loading, Vehicle
from transit.services import fleet
from transit.services.journeys import corridor_save, journeys_check
from transit.services.loading import loading_close, loading_open, loading_seal_add, loading_tag_add
from transit.services.port import port_hold, port_release
from transit.services.warehouse import clinical_check_record, warehouse_depart

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(world):
    """A consignment waiting to be loaded, a truck with a GPS unit on the road, one on its way to
    the warehouse, one rested and on its way to the port, and a vehicle waiting for review."""
    consignment, certificate, animals = certified(world)
    farm = consignment.farm
    tracked, token = trip_on_road(world, farm=farm)
    return SimpleNamespace(
        consignment=consignment,
        animals=animals,
        truck=vehicle(world),
        driver=driver(world),
        tracked=tracked,
        token=token,
        inbound=on_the_road(world, head=4, farm=farm),
        to_port=_rested(world, farm),
        waiting=vehicle(world, plate="粤L20002", approve=False, disinfect=False),
        loading=None,
        arrival=None,
    )


def _rested(world, farm):
    road = on_the_road(world, head=3, farm=farm)
    rested_and_gone(world, road)
    return road


def bureau_urls(scene) -> list[str]:
    ciq = "portal_ciq:"
    return [
        reverse(ciq + "fleet_review"),
        reverse(ciq + "loading_list"),
        reverse(ciq + "journey_live"),
        reverse(ciq + "journey_live_data"),
        reverse(ciq + "corridor_list"),
        reverse(ciq + "warehouse_board"),
        reverse(ciq + "port_screen"),
        reverse(ciq + "port_screen") + "?q=" + scene.inbound.certificate.number,
        reverse(ciq + "port_screen") + "?q=" + scene.to_port.certificate.number,
        *(reverse(ciq + name, args=[t.pk]) for t in trips(scene) for name in ("trip_journey", "trip_track")),
        *(reverse(ciq + "loading_detail", args=[trip.loading_id]) for trip in trips(scene)),
    ]


def trips(scene) -> list:
    """The trips whose pages are watched: one with a GPS unit on the road, one that reaches the
    warehouse and is held at the port, one released."""
    return [scene.tracked, scene.inbound.trip, scene.to_port.trip]


def enterprise_urls(scene) -> list[str]:
    ent = "portal_enterprise:"
    return [
        reverse(ent + "fleet"),
        reverse(ent + "journey_live"),
        reverse(ent + "journey_live_data"),
        *(reverse(ent + name, args=[scene.tracked.pk]) for name in ("trip_journey", "trip_track")),
    ]


def changes(world, client, scene):
    """Every kind of change the transit screens show, one after the other."""

    def approve():
        fleet.registration_act(actor=world.manager, obj=scene.waiting, action="approve")

    def register():
        fleet.driver_register(
            actor=world.ent_a_staff,
            name="张师傅",
            id_number="440000199202020022",
            phone="13800000002",
            licence_number="440000199202020022",
            licence_valid_until=timezone.localdate() + dt.timedelta(days=700),
        )

    def open_loading():
        scene.loading = loading_open(
            actor=world.insp_a, consignment=scene.consignment, vehicle=scene.truck, driver=scene.driver
        )

    def load_and_seal():
        for animal in scene.animals:
            loading_tag_add(actor=world.insp_a, loading=scene.loading, tag=animal.national_code)
        loading_seal_add(actor=world.insp_a, loading=scene.loading, number="SZ000101")

    def close_loading():
        loading_close(actor=world.insp_a, loading=Loading.objects.get(pk=scene.loading.pk))

    def gps_batch():
        answer = client.post(
            reverse("gps_api:points"),
            json.dumps({"points": straight_track((22.80, 114.35), QINGSHUIHE, minutes=20)}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {scene.token}",
        )
        assert answer.status_code == 200

    def corridor():
        corridor_save(
            actor=world.insp_a,
            farm=scene.tracked.loading.consignment.farm,
            route=ROUTE,
            buffer_m=500,
            planned_minutes=120,
            stop_minutes=20,
        )

    def journey_alerts():
        # The periodic check: the corridor just drawn, lateness, stops (alerts on the live map).
        journeys_check()

    def arrival():
        scene.arrival = arrive(world, scene.inbound, pen="B2")

    def set_aside_and_check():
        set_aside(world, scene.arrival, scene.inbound.codes[0])
        clinical_check_record(actor=world.transit, arrival=scene.arrival, healthy=True)

    def depart():
        warehouse_depart(actor=world.transit, trip=scene.inbound.trip, seals=["W-B2-1"])

    def hold():
        port_hold(
            actor=world.port,
            certificate=scene.inbound.certificate,
            reason="封条破损",
            head_counted=3,
            seals_intact=False,
        )

    def release():
        road = scene.to_port
        port_release(
            actor=world.port, certificate=road.certificate, head_counted=3, seals_intact=True, tags=road.codes
        )

    return [
        approve,
        register,
        open_loading,
        load_and_seal,
        close_loading,
        gps_batch,
        corridor,
        journey_alerts,
        arrival,
        set_aside_and_check,
        depart,
        hold,
        release,
    ]


def test_every_transit_screen_is_fresh_after_every_kind_of_change(world, client_for, scene):
    bureau, enterprise = bureau_urls(scene), enterprise_urls(scene)
    viewers = (
        (world.manager, bureau),
        (world.transit, [reverse("portal_ciq:warehouse_board")]),
        (world.ent_a_admin, enterprise),
    )
    for change in changes(world, client_for(None), scene):
        # Cached before the change...
        for user, urls in viewers:
            client = client_for(user)
            for url in urls:
                assert client.get(url).status_code == 200, url
        change()
        # ...and the same as a fresh render after it.
        for user, urls in viewers:
            client = client_for(user)
            for url in urls:
                assert_fresh(client, url)


def test_the_transit_pages_do_show_the_changes(world, client_for, scene):
    """The comparison above is not empty: a change the page shows is on the page once cached."""
    client = client_for(world.manager)
    url = reverse("portal_ciq:fleet_review")
    before = normal(client.get(url).content.decode())
    assert normal(client.get(url).content.decode()) == before  # from the cache
    assert 'data-testid="approve"' in before
    fleet.registration_act(actor=world.manager, obj=scene.waiting, action="approve")
    after = normal(client.get(url).content.decode())
    assert after != before
    assert Vehicle.objects.get(pk=scene.waiting.pk).get_status_display() in after

    data = reverse("portal_ciq:journey_live_data")
    first = client.get(data).json()
    assert client.get(data).json() == first
    client.post(
        reverse("gps_api:points"),
        json.dumps({"points": straight_track((22.80, 114.35), QINGSHUIHE, minutes=20)}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {scene.token}",
    )
    moved = {t["id"]: t for t in client.get(data).json()["trucks"]}
    assert moved[scene.tracked.pk]["lat"] == pytest.approx(QINGSHUIHE[0], abs=1e-4)
    assert moved != {t["id"]: t for t in first["trucks"]}

    track = reverse("portal_ciq:trip_track", args=[scene.tracked.pk])
    points = len(client.get(track).json()["points"])
    assert len(client.get(track).json()["points"]) == points  # from the cache
    later = timezone.now() + dt.timedelta(seconds=1)
    client.post(
        reverse("gps_api:points"),
        json.dumps({"points": [{"time": later.isoformat(), "lat": 22.5840, "lng": 114.1140, "speed": 5.0}]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {scene.token}",
    )
    assert len(client.get(track).json()["points"]) == points + 1
