"""Every filter and sort the herd screens offer on the big tables is served by an index (EXPLAIN).

The test database is small, so the planner would rightly scan the tables: sequential scans and
sorts in memory are switched off for the query, and the plan must then read each big table
through an index *condition* — a plan that still scans a table sequentially, or walks a whole
index filtering row by row (what the planner did for a farm's animals in tag order with two
million animals, before the index on (farm, national_code)), names a filter or sort with no index
behind it. PostgreSQL only.
"""

import pytest
from django.db import connection
from django.utils import timezone

from livestock.models import Animal, Event, HeadCount, LogAnimal, ProductionLog, TagRead
from livestock.selectors import (
    animal_events,
    animal_list_for_user,
    animal_logs,
    deaths_for_farm,
    farms_with_herd_for_user,
    withdrawals_open,
)
from tests.conftest import need_postgresql
from tests.farms.factories import registered_farm

from .factories import herd

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql():
    need_postgresql("EXPLAIN plans of PostgreSQL")


BIG = [Animal, Event, TagRead, LogAnimal, ProductionLog]


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # Sorting in memory is switched off too: an order must then come from an index.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        text = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")
        cursor.execute("SET LOCAL enable_sort = on")
    return text


def assert_indexed(queryset):
    """No big table read whole: no sequential scan, and no index walked without a condition.

    An index scan with only a ``Filter`` (no ``Index Cond``) reads the whole index in its order and
    throws away what does not match: the plan of a sort whose filter has no index beside it.
    """
    text = plan(queryset)
    lines = text.splitlines()
    tables = [model._meta.db_table for model in BIG]
    for n, line in enumerate(lines):
        assert not any(f"Seq Scan on {t}" in line for t in tables), text
        if "Index" in line and "Scan" in line and any(f" on {t} " in line + " " for t in tables):
            depth = len(line) - len(line.lstrip())
            details = []
            for following in lines[n + 1 :]:
                if len(following) - len(following.lstrip()) <= depth or "->" in following:
                    break
                details.append(following.strip())
            assert any(d.startswith("Index Cond") for d in details), text


@pytest.fixture
def farm(world):
    return registered_farm(world)


def test_the_farm_herd_screens_filter_and_sort_by_index(world, farm):
    animals = herd(world.ent_a_staff, farm, range(1, 6))
    user = world.manager
    scoped = animal_list_for_user(user=user, farm=farm)
    # The animals table: by farm, pen and status (index farm, status, pen), by tag (within the
    # farm), in the default order and by pen.
    assert_indexed(scoped.order_by("national_code")[:25])
    assert_indexed(scoped.filter(status__in=Animal.ON_FARM, pen="1号猪舍")[:25])
    assert_indexed(scoped.filter(status=Animal.Status.DEAD)[:25])
    assert_indexed(scoped.filter(national_code__contains="0001")[:25])
    # The panels: withdrawals (farm, withdrawal_until), deaths (farm, kind, occurred_on).
    assert_indexed(withdrawals_open(farm=farm)[:100])
    assert_indexed(deaths_for_farm(farm=farm)[:25])
    # The herd list reads the maintained counts, not the animals.
    listed = plan(farms_with_herd_for_user(user=user))
    assert HeadCount._meta.db_table in listed
    assert_indexed(farms_with_herd_for_user(user=user))
    # An animal's page: its events and records, a page at a time.
    assert_indexed(animal_events(animal=animals[0])[:50])
    assert_indexed(animal_logs(animal=animals[0])[:50])


def test_the_reader_feed_polls_and_counts_by_index(world):
    assert_indexed(TagRead.objects.filter(device_id=1, pk__gt=10).order_by("-pk")[:200])
    # read_counts: the cut-off among the device's newest reads, then the last minute after it.
    assert_indexed(TagRead.objects.filter(device_id=1).order_by("-pk").values_list("pk")[20_000:20_001])
    assert_indexed(TagRead.objects.filter(device_id=1, pk__gt=10, read_at__gte=timezone.now()))
