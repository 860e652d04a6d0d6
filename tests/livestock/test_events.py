"""Event IDs: unique, and time-ordered so that new ones go to the end of their unique index."""

import uuid

from livestock.services.events import event_uuid


def test_event_ids_are_uuids_of_version_7_in_the_order_they_were_made():
    ids = [event_uuid() for _ in range(20_000)]
    assert len(set(ids)) == len(ids)
    assert {i.version for i in ids} == {7} and {i.variant for i in ids} == {uuid.RFC_4122}
    # Ordered by their millisecond (random within one): never one of an earlier millisecond later.
    millis = [i.int >> 80 for i in ids]
    assert millis == sorted(millis)
