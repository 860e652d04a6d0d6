"""The bureau's tag readers: the list, registering one, its live page and feed, revoking it."""

import datetime as dt
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from livestock.models import ReaderDevice, RejectedPayload
from livestock.services import devices
from livestock.services.ingest import Refused, heartbeat_record, reads_ingest
from portal_ciq.readers.views import NEW_READER_KEY
from rfid_bridge import protocol
from tests.farms.factories import BOLUO, registered_farm
from tests.livestock.factories import herd

UNKNOWN_TAG = "999000000000042"


def speak(client, language: str):
    client.cookies["django_language"] = language
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def read(seq: int, tag: str, at=None, rep: bool = False) -> dict:
    at = at or timezone.now()
    return {"seq": seq, "tag": tag, "at": protocol.iso_ms(at), "rep": rep, "raw": f"LA {tag[:3]} {tag[3:]}"}


def deliver(device, reads):
    return reads_ingest(protocol.reads_payload(device.code, reads, device.secret))


def beat(device, *, at=None, **state):
    state = {
        "connected": True,
        "port": "/dev/ttyUSB0",
        "spool": 0,
        "last_read_at": None,
        "raw_reads": 10,
        "sightings": 8,
        "non_tags": 1,
        "alarm": None,
        "version": "1.0.0",
        **state,
    }
    heartbeat_record(protocol.heartbeat_payload(device.code, state, device.secret, at=at))


@pytest.fixture
def huizhou(world):
    """A Huizhou farm with five tagged pigs and a reader on its loading chute; one at the warehouse."""
    farm = registered_farm(world)
    animals = herd(world.ent_a_staff, farm, range(1, 6))
    chute = devices.device_register(actor=world.insp_a, code="hf-chute-1", name="装猪台读卡器", farm=farm)
    gate = devices.device_register(
        actor=world.manager, code="qsh-gate-1", name="清水河1号门", site=world.orgs["wh-qingshuihe"]
    )
    # Registered yesterday: a heartbeat or read of ten minutes ago is within their time window.
    ReaderDevice.objects.filter(pk__in=[chute.pk, gate.pk]).update(
        created_at=timezone.now() - dt.timedelta(days=1)
    )
    chute.refresh_from_db()
    gate.refresh_from_db()
    return SimpleNamespace(farm=farm, animals=animals, chute=chute, gate=gate)


def list_url() -> str:
    return reverse("portal_ciq:reader_list")


def detail_url(device) -> str:
    return reverse("portal_ciq:reader_detail", args=[device.pk])


def feed_url(device, after=None) -> str:
    url = reverse("portal_ciq:reader_feed", args=[device.pk])
    return url if after is None else f"{url}?after={after}"


def revoke_url(device) -> str:
    return reverse("portal_ciq:reader_revoke", args=[device.pk])


def row_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr data-read="(\d+)"', html)]


def listed(response) -> set[str]:
    return {device.code for device in response.context["readers"]}


# --- rendering, languages and scope -----------------------------------------------------------


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("role", ["insp_a", "manager"])
def test_pages_render_in_both_languages(world, client_for, huizhou, role, language):
    deliver(huizhou.chute, [read(1, huizhou.animals[0].rfid)])
    client = speak(client_for(getattr(world, role)), language)
    for url in (list_url(), reverse("portal_ciq:reader_create"), detail_url(huizhou.chute)):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<html lang="{language}">' in html
        assert 'data-nav="readers"' in html
    html = client.get(detail_url(huizhou.chute)).content.decode()
    assert "装猪台读卡器" in html and "hf-chute-1" in html
    assert huizhou.animals[0].national_code in html
    if language == "en":
        for text in ("Reads as they arrive", "Reader and bridge", "Never heard from", "reads/min"):
            assert text in html


def test_each_role_sees_the_readers_of_its_sites(world, client_for, huizhou):
    assert listed(client_for(world.insp_a).get(list_url())) == {"hf-chute-1", "qsh-gate-1"}
    assert listed(client_for(world.manager).get(list_url())) == {"hf-chute-1", "qsh-gate-1"}
    # The other branch: the warehouse, not the Huizhou farm.
    assert listed(client_for(world.insp_b).get(list_url())) == {"qsh-gate-1"}
    # The warehouse and the ports see the readers of registered farms too (loading, arrival).
    assert listed(client_for(world.transit).get(list_url())) == {"hf-chute-1", "qsh-gate-1"}


def test_another_branch_cannot_open_a_reader_on_a_huizhou_farm(world, client_for, huizhou):
    client = client_for(world.insp_b)
    assert client.get(detail_url(huizhou.chute)).status_code == 404
    assert client.get(feed_url(huizhou.chute, 0)).status_code == 404
    assert client.post(revoke_url(huizhou.chute), {"reason": "不是我的"}).status_code == 404
    huizhou.chute.refresh_from_db()
    assert huizhou.chute.is_active
    # It may watch the warehouse's reader, but not revoke it: that is the managers'.
    assert client.get(detail_url(huizhou.gate)).status_code == 200
    assert client.post(revoke_url(huizhou.gate), {"reason": "x"}).status_code == 404


def test_enterprise_users_are_refused(world, client_for, huizhou):
    client = client_for(world.ent_a_staff)
    for url in (list_url(), detail_url(huizhou.chute), feed_url(huizhou.chute, 0)):
        assert client.get(url).status_code == 403


def test_only_managers_of_the_reader_see_the_revoke_form(world, client_for, huizhou):
    def has_form(user, device):
        return 'data-testid="reader-revoke"' in client_for(user).get(detail_url(device)).content.decode()

    assert has_form(world.insp_a, huizhou.chute)
    assert not has_form(world.insp_a, huizhou.gate)
    assert has_form(world.manager, huizhou.gate)
    assert not has_form(world.transit, huizhou.gate)


# --- the list ---------------------------------------------------------------------------------


def test_list_shows_status_backlog_last_read_and_alarm(world, client_for, huizhou, settings):
    settings.LIVESTOCK_HEARTBEAT_STALE_S = 90
    deliver(huizhou.chute, [read(1, huizhou.animals[0].rfid), read(2, huizhou.animals[1].rfid)])
    beat(huizhou.chute, spool=37, alarm="reader not answering on /dev/ttyUSB0", connected=False)
    beat(huizhou.gate, at=protocol.iso_ms(timezone.now() - dt.timedelta(minutes=10)))
    with translation.override("en"):
        response = speak(client_for(world.manager), "en").get(list_url())
    rows = {device.code: device for device in response.context["readers"]}
    chute, gate = rows["hf-chute-1"], rows["qsh-gate-1"]
    assert (chute.status.state, chute.status.backlog, chute.status.connected) == ("online", 37, False)
    assert chute.reads_total == 2 and chute.last_read_at is not None
    assert gate.status.state == "offline"
    html = response.content.decode()
    chute_row = re.search(rf'<tr data-reader="{huizhou.chute.pk}".*?</tr>', html, re.S).group(0)
    assert 'class="reader-alarm' in chute_row and "reader not answering" in chute_row
    assert 'data-backlog="37"' in chute_row and 'data-connected="no"' in chute_row
    assert 'data-state="online"' in chute_row
    gate_row = re.search(rf'<tr data-reader="{huizhou.gate.pk}".*?</tr>', html, re.S).group(0)
    assert 'data-state="offline"' in gate_row and "reader-alarm" not in gate_row


def test_reads_after_a_not_connected_heartbeat_show_the_reader_attached(world, client_for, huizhou):
    """A bridge's first heartbeat goes out before its port is open (connected: false); the reads
    that follow prove the reader is attached, until a later heartbeat says otherwise."""
    start = timezone.now() - dt.timedelta(seconds=20)
    beat(huizhou.chute, at=protocol.iso_ms(start), connected=False)
    client = client_for(world.manager)
    page = client.get(detail_url(huizhou.chute)).content.decode()
    assert 'data-connected="no"' in page
    deliver(huizhou.chute, [read(1, huizhou.animals[0].rfid, at=start + dt.timedelta(seconds=5))])
    page = client.get(detail_url(huizhou.chute)).content.decode()
    assert 'data-connected="yes"' in page and 'data-connected="no"' not in page
    feed = client.get(feed_url(huizhou.chute, after=0) + "&card=1").content.decode()
    assert 'data-connected="yes"' in feed
    # Unplugged after that read: the newer heartbeat is believed again.
    beat(huizhou.chute, at=protocol.iso_ms(start + dt.timedelta(seconds=10)), connected=False)
    assert 'data-connected="no"' in client.get(detail_url(huizhou.chute)).content.decode()


def test_list_refreshes_as_a_partial_and_filters(world, client_for, huizhou):
    client = client_for(world.manager)
    page = client.get(list_url()).content.decode()
    assert 'hx-trigger="every 5s"' in page and 'id="reader-table"' in page
    partial = client.get(list_url(), headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert "<html" not in html
    assert 'id="reader-table"' in html and "hf-chute-1" in html
    assert "HX-Request" in partial["Vary"]
    assert listed(client.get(list_url(), {"q": "清水河"})) == {"qsh-gate-1"}
    devices.device_revoke(actor=world.manager, device=huizhou.gate, reason="stolen")
    assert listed(client.get(list_url(), {"state": "revoked"})) == {"qsh-gate-1"}
    assert listed(client.get(list_url(), {"state": "offline"})) == {"hf-chute-1"}


# --- registering ------------------------------------------------------------------------------


def test_registering_shows_the_secret_and_bridge_settings_once(world, client_for, huizhou):
    client = client_for(world.insp_a)
    response = client.post(
        reverse("portal_ciq:reader_create"), {"code": "hf-scale-2", "name": "称重台", "farm": huizhou.farm.pk}
    )
    device = ReaderDevice.objects.get(code="hf-scale-2")
    assert response.status_code == 302 and response["Location"] == detail_url(device)
    assert device.farm == huizhou.farm and device.created_by == world.insp_a
    html = client.get(detail_url(device)).content.decode()
    assert device.secret in html
    secret_file = "/etc/rfid-bridge/hf-scale-2.secret"
    assert (
        "python -m rfid_bridge run --port /dev/ttyUSB0 --device hf-scale-2 "
        f"--server http://testserver --secret-file {secret_file}"
    ) in html
    for line in (
        "RFID_BRIDGE_DEVICE=hf-scale-2",
        "RFID_BRIDGE_SERVER=http://testserver",
        "RFID_BRIDGE_SECRET=",
    ):
        assert line in html
    # Once: not on the next visit, and never for anyone else.
    assert NEW_READER_KEY not in client.session
    assert device.secret not in client.get(detail_url(device)).content.decode()
    assert device.secret not in client_for(world.manager).get(detail_url(device)).content.decode()


def test_the_command_line_options_are_the_bridges(world, client_for, huizhou):
    """The command shown is one rfid_bridge's own parser accepts, with the settings it needs."""
    from rfid_bridge import cli, config

    client = client_for(world.manager)
    client.post(
        reverse("portal_ciq:reader_create"),
        {"code": "wjd-1", "name": "文锦渡1号", "site": world.port_wenjindu.pk},
    )
    html = client.get(detail_url(ReaderDevice.objects.get(code="wjd-1"))).content.decode()
    command = re.search(r'data-testid="reader-command">(.*?)</pre>', html, re.S).group(1)
    argv = command.split()[3:]  # after "python -m rfid_bridge"
    args = cli.build_parser().parse_args(argv)
    values = config.resolve({k: v for k, v in vars(args).items() if k in config.OPTIONS}, environ={})
    config.check_run(values)
    assert values["device"] == "wjd-1" and values["server"] == "http://testserver"
    env = re.search(r'data-testid="reader-env">(.*?)</pre>', html, re.S).group(1)
    names = {line.split("=", 1)[0] for line in env.strip().splitlines()}
    assert names <= {config.ENV_PREFIX + name.upper() for name in config.OPTIONS} | {config.SECRET_ENV}


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"code": "hf chute!", "name": "x"}, "code", devices.BAD_CODE),
        ({"code": "hf-chute-1", "name": "x"}, "code", devices.CODE_TAKEN),
        ({"code": "new-1", "name": "  "}, "name", None),
        ({"code": "new-2", "name": "x", "both": True}, "farm", devices.ONE_SITE),
        ({"code": "new-3", "name": "x", "neither": True}, "farm", devices.ONE_SITE),
    ],
)
def test_registration_errors_are_shown_on_the_form(world, client_for, huizhou, data, field, message):
    post = {"code": data["code"], "name": data["name"]}
    if not data.get("neither"):
        post["farm"] = huizhou.farm.pk
    if data.get("both"):
        post["site"] = world.port_wenjindu.pk
    client = speak(client_for(world.manager), "en")
    before = ReaderDevice.objects.count()
    response = client.post(reverse("portal_ciq:reader_create"), post)
    assert response.status_code == 200
    assert ReaderDevice.objects.count() == before
    errors = response.context["form"].errors
    assert field in errors
    if message is not None:
        with translation.override("en"):
            expected = str(message).format(code=data["code"])
        assert expected in errors[field]
        assert expected.replace("“", "&ldquo;")[:20] in response.content.decode() or expected[:20] in (
            response.content.decode()
        )


def test_an_inspector_registers_only_on_the_own_branchs_farms(world, client_for, huizhou):
    client = client_for(world.insp_b)
    form = client.get(reverse("portal_ciq:reader_create")).context["form"]
    assert "site" not in form.fields
    assert huizhou.farm not in form.fields["farm"].queryset
    response = client.post(
        reverse("portal_ciq:reader_create"), {"code": "hn-1", "name": "x", "farm": huizhou.farm.pk}
    )
    assert response.status_code == 200 and "farm" in response.context["form"].errors
    assert not ReaderDevice.objects.filter(code="hn-1").exists()
    # Roles that do not manage readers cannot open the form.
    assert client_for(world.port).get(reverse("portal_ciq:reader_create")).status_code == 403


# --- the live feed ----------------------------------------------------------------------------


def test_the_feed_returns_only_new_reads(world, client_for, huizhou):
    a = huizhou.animals
    deliver(huizhou.chute, [read(1, a[0].rfid), read(2, a[1].rfid), read(3, a[1].rfid, rep=True)])
    client = client_for(world.manager)
    page = client.get(detail_url(huizhou.chute)).content.decode()
    first = row_ids(page)
    assert len(first) == 3 and first == sorted(first, reverse=True)
    after = first[0]
    poller = re.search(r'<div id="reader-feed-\d+"[^>]*>', page, re.S).group(0)
    assert f"?after={after}" in poller and 'hx-trigger="every 2s"' in poller

    nothing = client.get(feed_url(huizhou.chute, after)).content.decode()
    assert row_ids(nothing) == []
    assert f"?after={after}" in nothing  # the next poll asks from the same place

    deliver(huizhou.chute, [read(4, a[2].rfid), read(5, UNKNOWN_TAG)])
    response = client.get(feed_url(huizhou.chute, after))
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    new = row_ids(html)
    assert len(new) == 2 and min(new) > after
    assert f"?after={max(new)}" in html
    assert 'hx-swap-oob="afterbegin:#reader-reads-' in html
    rows = dict(re.findall(r'<tr data-read="(\d+)" data-tag="(\d+)"', html))
    assert set(rows.values()) == {a[2].rfid, UNKNOWN_TAG}
    unknown_row = re.search(rf'<tr data-read="\d+" data-tag="{UNKNOWN_TAG}".*?</tr>', html, re.S).group(0)
    assert 'data-testid="unknown-tag"' in unknown_row
    known_row = re.search(rf'<tr data-read="\d+" data-tag="{a[2].rfid}".*?</tr>', html, re.S).group(0)
    assert a[2].national_code in known_row
    # The counts of the last minute: five reads of four different tags.
    assert re.search(r'data-count="reads">5<', html) and re.search(r'data-count="tags">4<', html)
    assert row_ids(client.get(feed_url(huizhou.chute, max(new))).content.decode()) == []


def test_feed_flags_re_reads_and_links_known_animals_when_the_page_exists(world, client_for, huizhou):
    a = huizhou.animals
    deliver(huizhou.chute, [read(1, a[0].rfid), read(2, a[0].rfid, rep=True)])
    html = client_for(world.insp_a).get(feed_url(huizhou.chute, 0)).content.decode()
    assert html.count('data-testid="re-read"') == 1
    try:
        href = reverse("portal_ciq:animal_detail", args=[a[0].pk])
    except NoReverseMatch:  # the animal page comes with its own change: the code shows unlinked
        href = None
    if href:
        assert f'href="{href}"' in html
    else:
        assert 'data-testid="animal-link"' not in html and a[0].national_code in html
    # The port has no animal pages: no links for it.
    assert (
        'data-testid="animal-link"'
        not in client_for(world.port).get(feed_url(huizhou.chute, 0)).content.decode()
    )


def test_feed_caps_a_burst_to_the_newest_and_says_so(world, client_for, huizhou, monkeypatch):
    from portal_ciq.readers import views

    deliver(huizhou.chute, [read(1, huizhou.animals[0].rfid)])
    client = client_for(world.manager)
    after = row_ids(client.get(detail_url(huizhou.chute)).content.decode())[0]
    deliver(huizhou.chute, [read(i, huizhou.animals[i % 5].rfid) for i in range(2, 12)])
    monkeypatch.setattr(views, "FEED_LIMIT", 4)
    html = client.get(feed_url(huizhou.chute, after)).content.decode()
    ids = row_ids(html)
    assert len(ids) == 4 and f"?after={ids[0]}" in html
    assert 'class="read-gap"' in html


def test_feed_refreshes_the_status_card_on_the_readers_page(world, client_for, huizhou):
    client = client_for(world.manager)
    page = client.get(detail_url(huizhou.chute)).content.decode()
    assert "&amp;card=1" in page
    beat(huizhou.chute, spool=5, alarm="天线故障")
    html = client.get(feed_url(huizhou.chute, 0) + "&card=1").content.decode()
    assert 'id="reader-status-' in html and "天线故障" in html and 'data-backlog="5"' in html
    # Without card=1 (a page with only the feed) the card is not sent.
    assert 'id="reader-status-' not in client.get(feed_url(huizhou.chute, 0)).content.decode()


def test_a_bad_after_is_read_as_the_start(world, client_for, huizhou):
    deliver(huizhou.chute, [read(1, huizhou.animals[0].rfid)])
    client = client_for(world.manager)
    for after in ("abc", "-5", "", "1e3"):
        response = client.get(feed_url(huizhou.chute) + f"?after={after}")
        assert response.status_code == 200 and len(row_ids(response.content.decode())) == 1
    response = client.get(feed_url(huizhou.chute, "9" * 40))
    assert response.status_code == 200 and row_ids(response.content.decode()) == []


# --- revoking ---------------------------------------------------------------------------------


def test_revoke_then_a_signed_payload_is_refused(world, client_for, huizhou):
    client = speak(client_for(world.insp_a), "en")
    response = client.post(revoke_url(huizhou.chute), {"reason": "bridge stolen from the chute"}, follow=True)
    assert response.status_code == 200
    (message,) = messages_of(response)
    assert "revoked" in message and "bridge stolen from the chute" in message
    huizhou.chute.refresh_from_db()
    assert not huizhou.chute.is_active and huizhou.chute.revoked_by == world.insp_a
    html = response.content.decode()
    assert 'data-state="revoked"' in html and 'data-testid="reader-revoke"' not in html
    assert "hx-get" not in re.search(r'<div id="reader-feed-\d+"[^>]*>', html, re.S).group(0)
    with pytest.raises(Refused):
        deliver(huizhou.chute, [read(99, huizhou.animals[0].rfid)])
    assert RejectedPayload.objects.filter(device_code="hf-chute-1", reason="device revoked").exists()


def test_revoke_needs_a_reason_and_a_second_revoke_is_a_message(world, client_for, huizhou):
    client = speak(client_for(world.manager), "en")
    response = client.post(revoke_url(huizhou.gate), {"reason": "  "}, follow=True)
    assert response.status_code == 200 and messages_of(response)
    huizhou.gate.refresh_from_db()
    assert huizhou.gate.is_active
    client.post(revoke_url(huizhou.gate), {"reason": "retired"}, follow=True)
    response = client.post(revoke_url(huizhou.gate), {"reason": "again"}, follow=True)
    assert response.status_code == 200
    with translation.override("en"):
        assert messages_of(response) == [str(devices.ALREADY_REVOKED)]


# --- queries ----------------------------------------------------------------------------------


def test_query_counts_do_not_grow_with_readers_or_reads(world, client_for, huizhou):
    client = client_for(world.insp_a)

    def count(url) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    deliver(huizhou.chute, [read(1, huizhou.animals[0].rfid)])
    urls = [list_url(), detail_url(huizhou.chute), feed_url(huizhou.chute, 0)]
    few = {url: count(url) for url in urls}
    other = registered_farm(world, name_zh="华丰二场", latitude=BOLUO["latitude"] + Decimal("0.02"))
    for i in range(5):
        device = devices.device_register(actor=world.insp_a, code=f"hf2-{i}", name=f"二场{i}", farm=other)
        beat(device, spool=i)
    deliver(
        huizhou.chute,
        [read(i, huizhou.animals[i % 5].rfid if i % 3 else UNKNOWN_TAG) for i in range(2, 60)],
    )
    # Of these, three are the session's save (every request) and two the user and organisation.
    caps = {urls[0]: 10, urls[1]: 12, urls[2]: 8}
    for url in urls:
        n = count(url)
        assert n == few[url] <= caps[url], (url, few[url], n)


def test_the_live_feed_partial_needs_only_the_device_and_its_url(world, huizhou, rf):
    """What a later page (loading, port checks) includes: it fills itself on the first poll."""
    from django.template.loader import render_to_string

    url = reverse("portal_ciq:reader_feed", args=[huizhou.gate.pk])
    html = render_to_string("readers/_live_feed.html", {"device": huizhou.gate, "feed_url": url})
    poller = re.search(r'<div id="reader-feed-\d+"[^>]*>', html, re.S).group(0)
    assert f'hx-get="{url}?after=0"' in poller and 'hx-trigger="load, every 2s"' in poller
    assert f'id="reader-reads-{huizhou.gate.pk}"' in html and f'id="reader-counts-{huizhou.gate.pk}"' in html
    assert "js/readers.js" in html
