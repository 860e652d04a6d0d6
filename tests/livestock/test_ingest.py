"""Tag-read ingestion: idempotent on (device, seq), unknown tags kept, one presence event per visit."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from accounts.errors import DomainError
from livestock.models import Animal, Event, ReaderDevice, RejectedPayload, TagRead
from livestock.services import devices
from livestock.services.ingest import Refused, Unauthenticated, heartbeat_record, reads_ingest
from livestock.tasks import ingest_reads
from rfid_bridge import protocol
from tests.farms.factories import registered_farm

from .factories import herd

pytestmark = pytest.mark.django_db


@pytest.fixture
def farm(world):
    return registered_farm(world)


@pytest.fixture
def device(world, farm):
    device = devices.device_register(actor=world.insp_a, code="hf-chute-1", name="装猪台读卡器", farm=farm)
    # Registered two days ago: reads of the last hours are within its time window.
    ReaderDevice.objects.filter(pk=device.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    device.refresh_from_db()
    return device


def payload(device, reads, secret=None):
    return protocol.reads_payload(device.code, reads, secret or device.secret)


def read(seq, tag, at, rep=False):
    return {"seq": seq, "tag": tag, "at": protocol.iso_ms(at), "rep": rep, "raw": f"LA {tag[:3]} {tag[3:]}"}


def test_a_storm_of_re_reads_is_one_presence_event_and_fifty_raw_reads(world, farm, device):
    (animal,) = herd(world.ent_a_staff, farm, [1])
    start = timezone.now()
    reads = [read(i, animal.rfid, start + dt.timedelta(milliseconds=50 * i), rep=i > 0) for i in range(50)]
    # Delivered in three batches, the last one twice (a worker killed after the insert).
    for chunk in (reads[:20], reads[20:35], reads[35:], reads[35:]):
        reads_ingest(payload(device, chunk))
    assert TagRead.objects.filter(device=device).count() == 50
    events = Event.objects.filter(animal=animal, kind="seen")
    assert events.count() == 1
    event = events.get()
    assert event.event_time == TagRead.objects.get(device=device, seq=0).read_at
    assert event.biz_location == f"urn:hk-livestock:farm:{farm.pk}" and event.data == {"device": "hf-chute-1"}
    animal.refresh_from_db()
    assert animal.last_seen_at == TagRead.objects.get(device=device, seq=49).read_at
    device.refresh_from_db()
    assert device.reads_total == 50


def test_redelivery_changes_nothing(world, farm, device):
    (animal,) = herd(world.ent_a_staff, farm, [1])
    body = payload(device, [read(7, animal.rfid, timezone.now())])
    first = reads_ingest(body)
    again = ingest_reads(body)  # through the task, as the worker runs it
    assert (first.stored, first.visits) == (1, 1)
    assert again == {
        "received": 1,
        "stored": 0,
        "duplicates": 1,
        "unknown": 0,
        "visits": 0,
        "refused_reads": 0,
        "refusals": [],
    }
    assert Event.objects.filter(kind="seen").count() == 1


def test_a_new_visit_after_the_gap_is_a_new_event(world, farm, device, settings):
    settings.LIVESTOCK_VISIT_GAP_S = 60
    (animal,) = herd(world.ent_a_staff, farm, [1])
    t0 = timezone.now() - dt.timedelta(minutes=10)
    reads_ingest(
        payload(device, [read(1, animal.rfid, t0), read(2, animal.rfid, t0 + dt.timedelta(seconds=30))])
    )
    reads_ingest(payload(device, [read(3, animal.rfid, t0 + dt.timedelta(minutes=5))]))
    assert Event.objects.filter(animal=animal, kind="seen").count() == 2


def test_unknown_tags_are_kept_and_flagged(world, farm, device):
    result = reads_ingest(payload(device, [read(1, "999000000000042", timezone.now())]))
    assert result.unknown == 1
    stored = TagRead.objects.get()
    assert stored.unknown and stored.tag == "999000000000042"


def test_a_replaced_tag_still_finds_its_animal(world, farm, device):
    from livestock.services.animals import animal_retag

    from .factories import issue_tags, rfid

    (animal,) = herd(world.ent_a_staff, farm, [1])
    old_rfid = animal.rfid
    issue_tags(world.ent_a_staff, [2])
    animal_retag(actor=world.ent_a_staff, animal=animal, new_tag=rfid(2), reason="damaged")
    reads_ingest(payload(device, [read(1, old_rfid, timezone.now())]))
    assert TagRead.objects.get().animal == animal


@pytest.mark.parametrize("problem", ["bad signature", "unknown device", "unsigned", "not a payload"])
def test_an_unauthenticated_payload_stores_nothing(world, farm, device, problem):
    body = payload(device, [read(1, "156000000000001", timezone.now())])
    if problem == "bad signature":
        body = payload(device, body["reads"], secret="stolen")
    elif problem == "unknown device":
        body = protocol.reads_payload("nobody", body["reads"], "x")
    elif problem == "unsigned":
        del body["sig"]
    else:
        body = [body]
    with pytest.raises(Unauthenticated):
        reads_ingest(body)
    assert "refused" in ingest_reads(body)  # the task: not acknowledged (tests/livestock/test_acks.py)
    assert not TagRead.objects.exists() and not RejectedPayload.objects.exists()


@pytest.mark.parametrize("problem", ["device revoked", "schema"])
def test_a_signed_payload_refused_all_the_same_is_kept(world, farm, device, problem):
    reads = [read(1, "156000000000001", timezone.now())]
    if problem == "device revoked":
        devices.device_revoke(actor=world.manager, device=device, reason="stolen")
    else:
        reads[0]["tag"] = "12AB"
    with pytest.raises(Refused):
        reads_ingest(payload(device, reads))
    assert not TagRead.objects.exists()
    kept = RejectedPayload.objects.get()
    assert kept.device_code == "hf-chute-1" and kept.kind == (
        "revoked" if problem == "device revoked" else "invalid"
    )


def test_reads_out_of_their_time_window_are_refused_one_by_one(world, farm, device, settings):
    settings.LIVESTOCK_CLOCK_SKEW_S = 300
    settings.LIVESTOCK_READ_MAX_AGE_DAYS = 1
    (animal,) = herd(world.ent_a_staff, farm, [1])
    now = timezone.now()
    ReaderDevice.objects.filter(pk=device.pk).update(created_at=now - dt.timedelta(days=3))
    reads = [
        read(1, animal.rfid, now),
        read(2, animal.rfid, dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC)),  # a wrong clock
        read(3, animal.rfid, now + dt.timedelta(minutes=10)),
        read(4, animal.rfid, now - dt.timedelta(days=2)),  # older than a day
        read(5, animal.rfid, now - dt.timedelta(days=4)),  # before the reader was registered
        {**read(6, animal.rfid, now), "raw": "LA\x00"},  # PostgreSQL cannot store a NUL
        read(7, animal.rfid, now + dt.timedelta(minutes=4)),  # within the clock skew
    ]
    result = reads_ingest(payload(device, reads))
    assert (result.received, result.stored, result.refused_reads) == (7, 2, 5)
    assert "seq 2: read time 9999-12-31T23:59:59.000Z is more than 300 s ahead" in result.refusals[0]
    assert sorted(TagRead.objects.values_list("seq", flat=True)) == [1, 7]
    kept = RejectedPayload.objects.get()
    assert kept.kind == "reads" and kept.reason.startswith("5 of 7 reads refused")
    evidence = json.loads(kept.body)
    assert evidence["device"] == "hf-chute-1"
    assert [(r["seq"], r["refused"]) for r in evidence["reads"]] == [
        (2, "future"),
        (3, "future"),
        (4, "too_old"),
        (5, "before_registration"),
        (6, "unstorable_text"),
    ]
    animal.refresh_from_db()
    device.refresh_from_db()
    assert animal.last_seen_at == device.last_read_at == TagRead.objects.get(seq=7).read_at
    # Delivered again (acknowledgement lost): the refused reads are kept again, nothing doubles.
    again = ingest_reads(payload(device, reads))
    assert (again["stored"], again["duplicates"], again["refused_reads"]) == (0, 2, 5)
    assert TagRead.objects.count() == 2


def test_a_batch_of_refused_reads_only_is_still_a_batch(world, farm, device):
    future = timezone.now() + dt.timedelta(days=400)
    result = reads_ingest(payload(device, [read(1, "156000000000001", future)]))
    assert (result.stored, result.refused_reads) == (0, 1)
    assert not TagRead.objects.exists() and RejectedPayload.objects.get().kind == "reads"
    device.refresh_from_db()
    assert device.last_read_at is None and device.reads_total == 0


STATE = {
    "connected": True,
    "port": "/dev/ttyUSB0",
    "spool": 12,
    "last_read_at": None,
    "raw_reads": 3,
    "sightings": 1,
    "non_tags": 0,
    "alarm": None,
    "version": "1.0",
}


def test_a_heartbeat_out_of_its_time_window_is_refused_and_kept(world, device):
    for at in (dt.datetime(9999, 12, 31, tzinfo=dt.UTC), timezone.now() - dt.timedelta(days=400)):
        with pytest.raises(Refused, match="heartbeat time"):
            heartbeat_record(
                protocol.heartbeat_payload(device.code, STATE, device.secret, at=protocol.iso_ms(at))
            )
    with pytest.raises(Refused, match="NUL"):
        heartbeat_record(protocol.heartbeat_payload(device.code, {**STATE, "alarm": "\x00"}, device.secret))
    device.refresh_from_db()
    assert device.heartbeat_at is None
    # A bridge beats every 30 s whatever happens: one refused heartbeat an hour is kept.
    kept = RejectedPayload.objects.get()
    assert kept.kind == "heartbeat" and "9999-12-31" in kept.reason
    RejectedPayload.objects.update(received_at=timezone.now() - dt.timedelta(minutes=61))
    devices.device_revoke(actor=world.manager, device=device, reason="stolen")
    for _ in range(3):
        with pytest.raises(Refused, match="device revoked"):
            heartbeat_record(protocol.heartbeat_payload(device.code, STATE, device.secret))
    assert RejectedPayload.objects.filter(kind="heartbeat", reason="device revoked").count() == 1


def test_times_from_a_wrong_clock_stored_earlier_give_way_to_real_ones(world, farm, device):
    # Stored before times were checked: a heartbeat, a last read and a last sighting in 9999.
    (animal,) = herd(world.ent_a_staff, farm, [1])
    bogus = dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
    ReaderDevice.objects.filter(pk=device.pk).update(heartbeat_at=bogus, last_read_at=bogus)
    Animal.objects.filter(pk=animal.pk).update(last_seen_at=bogus)
    now = timezone.now()
    heartbeat_record(protocol.heartbeat_payload(device.code, STATE, device.secret, at=protocol.iso_ms(now)))
    reads_ingest(payload(device, [read(1, animal.rfid, now)]))
    device.refresh_from_db()
    animal.refresh_from_db()
    stored = TagRead.objects.get().read_at
    assert device.heartbeat_at == stored and device.heartbeat["spool"] == 12
    assert device.last_read_at == stored and animal.last_seen_at == stored


def test_heartbeat_keeps_the_newest_state(world, device):
    state = STATE
    now = timezone.now()
    heartbeat_record(protocol.heartbeat_payload(device.code, state, device.secret, at=protocol.iso_ms(now)))
    old = protocol.heartbeat_payload(
        device.code, {**state, "spool": 99}, device.secret, at=protocol.iso_ms(now - dt.timedelta(minutes=1))
    )
    heartbeat_record(old)
    device.refresh_from_db()
    assert device.heartbeat["spool"] == 12


def test_device_registration_rules(world, farm):
    with pytest.raises(DomainError, match="device ID is"):
        devices.device_register(actor=world.manager, code="bad id!", name="x", farm=farm)
    with pytest.raises(DomainError, match="only on the farms"):
        devices.device_register(actor=world.insp_b, code="x1", name="x", farm=farm)
    with pytest.raises(DomainError, match="either a farm or a site"):
        devices.device_register(actor=world.manager, code="x1", name="x")
    port = devices.device_register(
        actor=world.manager, code="wjd-1", name="文锦渡通道", site=world.port_wenjindu
    )
    assert port.site_uri == "urn:hk-livestock:site:port-wenjindu"
    assert not ReaderDevice.objects.filter(code="x1").exists()
    assert Animal.objects.count() == 0


def test_reader_lines_and_times_are_stored_exactly_whatever_they_hold(world, farm, device):
    # On PostgreSQL a batch goes as array text (services.ingest._insert): what means something
    # in it (quotes, backslashes, commas, braces, NULL, spaces) must come back as the reader sent it.
    (animal,) = herd(world.ent_a_staff, farm, [1])
    at = timezone.now().replace(microsecond=123456) - dt.timedelta(hours=1)
    lines = ['LA "982" 0001', "C:\\reader\\n, {a,b}", "NULL", "  spaced  ", "", '标签 ⅓ \\\\"', "'; DROP"]
    reads = [
        {
            **read(i, animal.rfid, at + dt.timedelta(microseconds=i)),
            "at": (at + dt.timedelta(microseconds=i)).isoformat(),
        }
        | {"raw": line}
        for i, line in enumerate(lines)
    ]
    assert reads_ingest(payload(device, reads)).stored == len(lines)
    stored = dict(TagRead.objects.filter(device=device).values_list("seq", "raw"))
    assert stored == dict(enumerate(lines))
    times = dict(TagRead.objects.filter(device=device).values_list("seq", "read_at"))
    assert times == {i: at + dt.timedelta(microseconds=i) for i in range(len(lines))}
    assert set(TagRead.objects.filter(device=device).values_list("animal", flat=True)) == {animal.pk}


def test_a_read_time_in_another_form_python_reads_is_stored_as_python_read_it(world, farm, device):
    # The times go to PostgreSQL as Python read them, whatever form the bridge used.
    (animal,) = herd(world.ent_a_staff, farm, [1])
    at = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
    forms = [
        protocol.iso_ms(at),
        at.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
        at.strftime("%Y-%m-%d %H:%M:%SZ"),
        at.strftime("%Y%m%dT%H%M%SZ"),
    ]
    reads = [{**read(i, animal.rfid, at), "at": text} for i, text in enumerate(forms)]
    assert reads_ingest(payload(device, reads)).stored == len(forms)
    assert set(TagRead.objects.filter(device=device).values_list("read_at", flat=True)) == {at}
    assert TagRead.objects.get(device=device, seq=0).animal == animal


@pytest.mark.django_db(transaction=True)
def test_a_batch_stored_meanwhile_by_another_worker_is_skipped_not_doubled(world, farm, device):
    # On PostgreSQL a batch goes in with COPY after a look for reads already stored. Another worker
    # storing some of them between the look and the COPY (a redelivered batch while its first
    # delivery still runs) makes the COPY wait for it, then fail on (device, seq): the batch must
    # then go in without those reads, once each, with one presence event.
    import threading

    from django.db import connection, transaction

    from tests.conftest import need_postgresql

    need_postgresql("COPY after a look, and the unique index's wait")
    (animal,) = herd(world.ent_a_staff, farm, [1])
    at = timezone.now() - dt.timedelta(minutes=5)
    reads = [read(i, animal.rfid, at + dt.timedelta(milliseconds=10 * i), rep=i > 0) for i in range(6)]
    holding, release, results = threading.Event(), threading.Event(), {}

    def other_worker():
        try:
            with transaction.atomic():
                reads_ingest(payload(device, reads[3:4]))  # stored, not committed yet
                holding.set()
                release.wait(60)
        finally:
            connection.close()

    def this_worker():
        try:
            results["this"] = reads_ingest(payload(device, reads))
        finally:
            connection.close()

    other = threading.Thread(target=other_worker)
    other.start()
    assert holding.wait(60)
    mine = threading.Thread(target=this_worker)
    mine.start()
    with connection.cursor() as cursor:  # until this worker's COPY waits for the other's row
        for _ in range(6000):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'COPY%%'"
            )
            if cursor.fetchone()[0]:
                break
            threading.Event().wait(0.01)
        else:
            raise AssertionError("the second worker's COPY never waited for the first worker's read")
    release.set()
    other.join(60)
    mine.join(60)
    result = results["this"]
    assert (result.stored, result.duplicates) == (5, 1)
    assert sorted(TagRead.objects.filter(device=device).values_list("seq", flat=True)) == list(range(6))
    assert Event.objects.filter(animal=animal, kind="seen").count() == 1
    device.refresh_from_db()
    assert device.reads_total == 6
