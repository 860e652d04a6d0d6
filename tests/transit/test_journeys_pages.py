"""The journey pages: who sees which trucks, the replay's data, drawing a corridor."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from transit.models import Corridor
from transit.services import journeys

from .journeys_factories import QINGSHUIHE, straight_track, trip_on_road


@pytest.fixture
def moving(world, client):
    trip, token = trip_on_road(world)
    client.post(
        reverse("gps_api:points"),
        json.dumps({"points": straight_track((22.80, 114.35), QINGSHUIHE, minutes=40)}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    journeys.journeys_check(now=timezone.now() + timezone.timedelta(minutes=30))  # signal lost
    return trip


def trucks(client, name):
    answer = client.get(reverse(name))
    assert answer.status_code == 200
    return {t["id"]: t for t in answer.json()["trucks"]}


def test_the_enterprise_sees_only_its_own_trucks_with_their_alerts(world, client_for, moving):
    seen = trucks(client_for(world.ent_a_staff), "portal_enterprise:journey_live_data")
    assert list(seen) == [moving.pk]
    assert seen[moving.pk]["lat"] == pytest.approx(QINGSHUIHE[0])
    assert [a["kind"] for a in seen[moving.pk]["alerts"]] == ["signal_lost"]
    assert trucks(client_for(world.ent_b_staff), "portal_enterprise:journey_live_data") == {}


def test_the_bureau_sees_the_trucks_of_its_scope(world, client_for, moving, django_assert_max_num_queries):
    client = client_for(world.insp_a)
    with django_assert_max_num_queries(12):
        assert list(trucks(client, "portal_ciq:journey_live_data")) == [moving.pk]
    assert trucks(client_for(world.insp_b), "portal_ciq:journey_live_data") == {}
    assert list(trucks(client_for(world.transit), "portal_ciq:journey_live_data")) == [moving.pk]


def test_the_trip_page_and_its_track(world, client_for, moving):
    client = client_for(world.insp_a)
    page = client.get(reverse("portal_ciq:trip_journey", args=[moving.pk]))
    assert page.status_code == 200
    assert moving.loading.number in page.content.decode()
    assert b'data-testid="replay-map"' in page.content
    track = client.get(reverse("portal_ciq:trip_track", args=[moving.pk])).json()
    assert len(track["points"]) == 81 and track["corridor"] is None
    # Each point as [epoch ms, lat, lng, km/h, flag] in time order, whichever database computed
    # the milliseconds (PostgreSQL does, from the stored microseconds).
    stored = moving.points.order_by("recorded_at").values_list(
        "recorded_at", "lat", "lng", "speed_kmh", "flag"
    )
    assert track["points"] == [[int(t.timestamp() * 1000), *rest] for t, *rest in stored]
    assert (
        client_for(world.ent_b_staff)
        .get(reverse("portal_enterprise:trip_track", args=[moving.pk]))
        .status_code
        == 404
    )
    client = client_for(world.insp_a)
    for language in ("zh-hans", "en"):
        client.cookies["django_language"] = language
        assert client.get(reverse("portal_ciq:journey_live")).status_code == 200


def test_drawing_a_corridor(world, client_for, moving):
    farm = moving.loading.consignment.farm
    client = client_for(world.insp_a)
    url = reverse("portal_ciq:corridor_edit", args=[farm.pk])
    assert client.get(url).status_code == 200
    route = {"type": "LineString", "coordinates": [[114.35, 22.80], [114.1137, 22.5838]]}
    data = {
        "route": json.dumps(route),
        "buffer_m": 800,
        "planned_minutes": 120,
        "stop_minutes": 20,
        "note": "",
    }
    answer = client.post(url, data)
    assert answer.status_code == 302
    corridor = Corridor.objects.get(farm=farm)
    assert corridor.buffer_m == 800 and corridor.updated_by == world.insp_a
    assert client.post(url, data | {"route": "[NaN]"}).status_code == 200  # refused, shown again
    assert client.post(url, data | {"buffer_m": 1}).status_code == 200
    assert Corridor.objects.get(farm=farm).buffer_m == 800
    track = client.get(reverse("portal_ciq:trip_track", args=[moving.pk])).json()
    assert track["corridor"]["bufferM"] == 800
    assert client.get(reverse("portal_ciq:corridor_list")).status_code == 200
