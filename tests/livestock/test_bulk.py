"""livestock.bulk.insert_rows: what goes in through COPY comes back exactly as Python held it."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest

from livestock.bulk import JsonText, insert_rows
from livestock.models import Event
from livestock.services.events import EVENT_FIELDS, event_uuid
from tests.farms.factories import registered_farm

from .factories import herd

pytestmark = pytest.mark.django_db


def test_times_uuids_and_json_come_back_exactly_shared_or_not(world):
    # On PostgreSQL dates, times and UUIDs go into COPY as their ISO text and hex digits (a value
    # shared by consecutive rows written out once): the offset, the microseconds, a time zone
    # other than UTC and the far years must come back as they were.
    farm = registered_farm(world)
    animals = herd(world.ent_a_staff, farm, [1, 2, 3, 4])
    shared = dt.datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=ZoneInfo("Asia/Shanghai"))
    times = [
        shared,
        shared,
        dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC),
        dt.datetime(1900, 1, 1, tzinfo=dt.UTC),
    ]
    ids = [event_uuid(), uuid.uuid4(), uuid.UUID(int=0), uuid.UUID(int=2**128 - 1)]
    details = [JsonText('{"a": "引号\\"和\\\\反斜杠"}'), {"b": [1, None]}, {"b": [1, None]}, {}]
    rows = []
    for animal, when, pk, data in zip(animals, times, ids, details, strict=True):
        row = dict.fromkeys(EVENT_FIELDS, "")
        row.update(
            event_id=pk, animal=animal.pk, kind="seen", type="ObjectEvent", action="OBSERVE",
            event_time=when, recorded_at=shared, farm=farm.pk, parent="",
            actor=None, organisation=None, data=data,
        )  # fmt: skip
        rows.append(tuple(row[f] for f in EVENT_FIELDS))
    insert_rows(Event, EVENT_FIELDS, rows)
    stored = {e.event_id: e for e in Event.objects.filter(event_id__in=ids)}
    assert [stored[pk].event_time for pk in ids] == times
    assert [stored[pk].data for pk in ids] == [
        {"a": '引号"和\\反斜杠'},
        {"b": [1, None]},
        {"b": [1, None]},
        {},
    ]
    assert {stored[pk].recorded_at for pk in ids} == {shared}
