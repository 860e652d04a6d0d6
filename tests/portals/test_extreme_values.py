"""No stored value, whatever it is, makes a page answer 500.

Before times were checked at the door, one read dated in the year 9999 broke the animal page,
the reader pages and their live feed for every user (local time cannot hold it), and a heartbeat
from the future showed its reader online for good. The values are written straight into the
database here, as anything stored before the checks (or by hand) may be, and every page that
shows them is opened, in both languages.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from livestock.models import Animal, Event, ReaderDevice, RejectedPayload, TagRead
from livestock.services import devices
from livestock.services.events import Happening, Where, event_append
from tests.farms.factories import registered_farm
from tests.livestock.factories import herd

pytestmark = pytest.mark.django_db

LATEST = dt.datetime.max.replace(tzinfo=dt.UTC)  # 9999-12-31 23:59:59.999999 UTC
EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)  # 0001-01-01 00:00 UTC
ODD_STATES = [
    {"connected": "yes", "spool": 10**40, "alarm": {"nested": ["<b>x</b>"]}, "port": None, "raw_reads": True},
    ["not", "an", "object"],
    "text",
    {"spool": -5, "version": 3.5, "sightings": "many", "non_tags": [1]},
]


@pytest.fixture
def extremes(world):
    farm = registered_farm(world)
    (animal,) = herd(world.ent_a_staff, farm, [1])
    device = devices.device_register(actor=world.insp_a, code="hf-odd-1", name="<i>读卡器</i>", farm=farm)
    TagRead.objects.bulk_create(
        [
            TagRead(
                device=device,
                seq=1,
                tag=animal.rfid,
                read_at=LATEST,
                received_at=timezone.now(),
                animal=animal,
            ),
            TagRead(
                device=device, seq=2, tag=animal.rfid, read_at=EARLIEST, received_at=LATEST, animal=animal
            ),
            TagRead(
                device=device, seq=3, tag="999000000000042", read_at=LATEST, received_at=EARLIEST, raw="<x>"
            ),
        ]
    )
    ReaderDevice.objects.filter(pk=device.pk).update(
        heartbeat_at=LATEST, last_read_at=LATEST, heartbeat=ODD_STATES[0], reads_total=-1
    )
    Animal.objects.filter(pk=animal.pk).update(last_seen_at=LATEST, last_seen_where="<script>x</script>")
    event_append(
        animal=animal,
        happening=Happening(
            kind="seen", when=timezone.now(), where=Where(farm_id=farm.pk), data={"device": 5}
        ),
    )
    Event.objects.filter(animal=animal, kind="seen").update(event_time=LATEST, recorded_at=LATEST)
    RejectedPayload.objects.create(
        device_code=device.code, kind="reads", reason="<b>x</b>", body="\u2028" * 10 + "{", size=10**9
    )
    return farm, animal, device


def pages(farm, animal, device) -> list[tuple[str, str, dict]]:
    """(who, url, headers) of every page that shows the reads, the reader or the animal."""
    feed = reverse("portal_ciq:reader_feed", args=[device.pk])
    readers = reverse("portal_ciq:reader_list")
    return [
        ("manager", readers, {}),
        ("manager", readers + "?state=online", {}),
        ("manager", readers + "?state=offline", {}),
        ("manager", readers, {"HTTP_HX_REQUEST": "true"}),
        ("manager", reverse("portal_ciq:reader_detail", args=[device.pk]), {}),
        ("manager", feed, {}),
        ("manager", feed + "?after=0&card=1", {}),
        ("insp_a", reverse("portal_ciq:reader_detail", args=[device.pk]), {}),
        ("insp_a", reverse("portal_ciq:animal_detail", args=[animal.pk]), {}),
        ("insp_a", reverse("portal_ciq:herd_farm", args=[farm.pk]), {}),
        ("ent_a_staff", reverse("portal_enterprise:animal_detail", args=[animal.pk]), {}),
        ("ent_a_staff", reverse("portal_enterprise:herd_farm", args=[farm.pk]), {}),
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_extreme_times_and_odd_states_never_break_a_page(client, world, extremes, language):
    farm, animal, device = extremes
    client.cookies["django_language"] = language
    for who, url, headers in pages(farm, animal, device):
        client.force_login(getattr(world, who))
        response = client.get(url, **headers)
        assert response.status_code == 200, (who, url)
        text = response.content.decode()
        assert "<script>x</script>" not in text and "<b>x</b>" not in text
    # The extreme time is shown (in UTC, marked), not hidden: it is evidence of a wrong clock.
    client.force_login(world.manager)
    detail = client.get(reverse("portal_ciq:reader_detail", args=[device.pk])).content.decode()
    assert "9999-12-31 23:59:59 UTC" in detail


@pytest.mark.parametrize("state", ODD_STATES)
def test_any_stored_bridge_state_is_shown(client, world, extremes, state):
    _farm, _animal, device = extremes
    ReaderDevice.objects.filter(pk=device.pk).update(heartbeat=state, heartbeat_at=timezone.now())
    client.force_login(world.manager)
    for url in (reverse("portal_ciq:reader_list"), reverse("portal_ciq:reader_detail", args=[device.pk])):
        assert client.get(url).status_code == 200


def test_a_heartbeat_from_the_future_does_not_show_the_reader_online(client, world, extremes):
    _farm, _animal, device = extremes
    client.force_login(world.manager)
    page = client.get(reverse("portal_ciq:reader_detail", args=[device.pk])).content.decode()
    assert 'data-state="offline"' in page and 'data-testid="clock-ahead"' in page
    online = client.get(reverse("portal_ciq:reader_list") + "?state=online").content.decode()
    assert "hf-odd-1" not in online
