"""The transit screens of the load benchmark (bench/load.py) render in a bounded number of
queries: the same number with one truck as with three (no query per row), under a cap."""

import json
from unittest import mock

import pytest
from django.urls import reverse

from .journeys_factories import QINGSHUIHE, straight_track, trip_on_road
from .port_factories import on_the_road

# (namespace:name, who, takes the trip's pk, cap): the GET screens bench/load.py measures, each
# rendered (the page cache off): a few queries over what one render takes, the session's and the
# user's included.
SCREENS = [
    ("portal_ciq:fleet_review", "manager", None, 8),
    ("portal_ciq:loading_list", "manager", None, 10),
    ("portal_ciq:loading_detail", "manager", "loading", 30),
    ("portal_ciq:journey_live", "manager", None, 6),
    ("portal_ciq:journey_live_data", "manager", None, 7),
    ("portal_ciq:trip_journey", "manager", "trip", 25),
    ("portal_ciq:trip_track", "manager", "trip", 20),
    ("portal_ciq:corridor_list", "manager", None, 8),
    ("portal_ciq:warehouse_board", "manager", None, 10),
    ("portal_ciq:port_screen", "manager", None, 10),
    ("portal_enterprise:fleet", "ent_a_admin", None, 9),
    ("portal_enterprise:journey_live", "ent_a_admin", None, 6),
    ("portal_enterprise:journey_live_data", "ent_a_admin", None, 7),
    ("portal_enterprise:trip_journey", "ent_a_admin", "trip", 25),
]


def _tracked(world, client, farm=None):
    trip, token = trip_on_road(world, farm=farm)
    answer = client.post(
        reverse("gps_api:points"),
        json.dumps({"points": straight_track((22.80, 114.35), QINGSHUIHE, minutes=20)}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert answer.status_code == 200
    return trip


def _counts(world, client, django_assert_max_num_queries, trip) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.pagecache import PageCacheMixin

    counts = {}
    # What a render costs (the first request after a change), not a page served from the cache.
    with mock.patch.object(PageCacheMixin, "page_cache", False):
        for name, who, arg, cap in SCREENS:
            client.force_login(getattr(world, who))
            args = {None: [], "trip": [trip.pk], "loading": [trip.loading_id]}[arg]
            with django_assert_max_num_queries(cap), CaptureQueriesContext(connection) as queries:
                page = client.get(reverse(name, args=args))
            assert page.status_code == 200, name
            counts[name] = len(queries.captured_queries)
    return counts


@pytest.mark.django_db
def test_each_transit_screen_costs_the_same_queries_for_one_truck_or_three(
    world, client, django_assert_max_num_queries
):
    trip = _tracked(world, client)
    farm = trip.loading.consignment.farm
    on_the_road(world, farm=farm)
    # A first pass fills the process's caches (content types…): not what a request costs.
    _counts(world, client, django_assert_max_num_queries, trip)
    one = _counts(world, client, django_assert_max_num_queries, trip)
    _tracked(world, client, farm=farm)
    on_the_road(world, farm=farm)
    on_the_road(world, farm=farm)
    three = _counts(world, client, django_assert_max_num_queries, trip)
    assert three == one, {name: (one[name], three[name]) for name in one if one[name] != three[name]}
