"""The whole transit chain in Chromium, with the real parts, as the officers would work it.

An inspector opens a loading for a certified consignment of four pigs on the farm's chute reader;
the reads come in through the real ingest, the screen follows, a seal is put on and the loading
closes: the trip starts. The truck's GPS unit (its token issued by the fleet service) posts its
track through the real API, with a detour; the periodic check raises "off its corridor". At
Qingshuihe the transit officer receives the truck, sets one dead pig aside with a photo and sends
the rest on under a new seal. At Wenjindu the port officer reads one tag short and holds; the
manager overrides in writing; the truck is released. Every animal's page shows each step, the
released are "exported", and the export notice is there as PDF and JSON.

Screenshots of the loading and the port screens, tablet-sized, in both languages.
"""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.helpers import TABLET_PORTRAIT, event_labels, jpeg_photo, tablet
from tests.livestock.factories import rfid
from tests.transit.journeys_factories import QINGSHUIHE
from tests.transit.loading_factories import certified, deliver, driver, reader, vehicle

pytestmark = pytest.mark.browser

WENJINDU = (22.5395, 114.1283)


@pytest.fixture
def world(demo_world):
    from livestock import reference as livestock_reference
    from quarantine import reference
    from surveillance import reference as surveillance_reference

    reference.ensure()
    livestock_reference.ensure()
    surveillance_reference.ensure()
    return demo_world


def track_with_detour(start, *, since, until, points=13):
    """A track leaving ``start`` (lat, lng) sideways, away from the road to Qingshuihe, ~2 km."""
    north, east = QINGSHUIHE[0] - start[0], QINGSHUIHE[1] - start[1]
    norm = (north**2 + east**2) ** 0.5
    # Perpendicular to the road, 0.02° (about 2 km) out.
    side = (-east / norm * 0.02, north / norm * 0.02)
    span = (until - since) / (points - 1)
    return [
        {
            "time": (since + span * i).isoformat(),
            "lat": round(start[0] + side[0] * i / (points - 1), 6),
            "lng": round(start[1] + side[1] * i / (points - 1), 6),
            "speed": 40.0,
        }
        for i in range(points)
    ]


def test_loading_journey_warehouse_hold_override_release(new_context, login, world, shot, tmp_path):
    from livestock.models import Animal, Event
    from quarantine.models import Certificate
    from surveillance.models import Alert
    from transit import tasks
    from transit.models import Loading, PortCheck, Trip
    from transit.services import fleet, journeys

    consignment, certificate, animals = certified(world, serials=range(1, 5))
    codes = [a.national_code for a in animals]
    farm = consignment.farm
    unit, token = fleet.gps_unit_register(actor=world.ent_a_staff, identifier="IMEI-E2E-CHAIN-01")
    truck = vehicle(world, plate="粤L66002", hk_plate="HK2234", gps_unit=unit)
    person = driver(world)
    device = reader(farm)
    start = (float(farm.latitude or 22.80), float(farm.longitude or 114.35))
    journeys.corridor_save(
        actor=world.insp_a,
        farm=farm,
        route={
            "type": "LineString",
            "coordinates": [[start[1], start[0]], [QINGSHUIHE[1], QINGSHUIHE[0]], [WENJINDU[1], WENJINDU[0]]],
        },
        buffer_m=500,
        planned_minutes=240,
        stop_minutes=30,
    )

    # 1. The farm: the inspector opens the loading on the chute reader.
    page = tablet(new_context, "zh-CN", TABLET_PORTRAIT)
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(page, "insp_huizhou")
    page.locator("[data-nav=loading]").click()
    page.locator(f"[data-consignment='{consignment.pk}']").click()
    form = page.get_by_test_id("open-form")
    form.locator("#id_vehicle").select_option(str(truck.pk))
    form.locator("#id_driver").select_option(str(person.pk))
    form.locator("#id_device").select_option(str(device.pk))
    page.get_by_test_id("open").click()
    loading = Loading.objects.get(consignment=consignment)
    expect(page).to_have_url(re.compile(rf"/loading/{loading.pk}/$"))

    # The reader's reads (the pigs' RFID numbers) go through the real ingest, signed as the bridge sends them.
    deliver(device, [rfid(1), rfid(2), rfid(3)])
    expect(page.get_by_test_id("head-matched")).to_contain_text("3", timeout=8_000)
    deliver(device, [rfid(4)], start=4)
    expect(page.get_by_test_id("head-matched")).to_contain_text("4", timeout=8_000)
    expect(page.get_by_test_id("head-missing")).to_have_text("0")
    page.get_by_test_id("seal-input").fill("SZ910001")
    page.get_by_test_id("seal-add").click()
    expect(page.get_by_test_id("seal")).to_have_text("SZ910001")
    shot(page, "loading-zh")
    english = tablet(new_context, "en-GB", TABLET_PORTRAIT)
    login(english, "insp_huizhou")
    english.goto(reverse("portal_ciq:loading_detail", kwargs={"pk": loading.pk}))
    expect(english.get_by_test_id("head-matched")).to_contain_text("4")
    shot(english, "loading-en")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("close").click()
    expect(page.get_by_test_id("addendum")).to_be_visible()
    trip = Trip.objects.get(loading=loading)
    assert trip.gps_unit_id == unit.pk, "the trip carries the vehicle's GPS unit"

    # 2. The journey: the unit posts its track through the API, with its token; it strays.
    # The trip departed at the close, moments ago: the track runs from then to a minute ahead
    # (within the API's tolerance for a unit's clock).
    since, until = trip.departed_at + dt.timedelta(seconds=1), timezone.now() + dt.timedelta(seconds=60)
    track = track_with_detour(start, since=since, until=until)
    answer = page.request.post(
        "/api/gps/points/", data={"points": track}, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status == 200, answer.text()
    assert answer.json()["stored"] == len(track) and answer.json()["trip"] == loading.number
    assert tasks.journeys_check_task()["raised"] == {"off_route": 1}  # what beat runs every minute
    assert Alert.objects.filter(kind=Alert.Kind.OFF_ROUTE, state__in=Alert.OPEN).count() == 1
    page.goto(reverse("portal_ciq:trip_journey", kwargs={"pk": trip.pk}))
    expect(page.get_by_test_id("trip-alerts")).to_contain_text("偏离")

    # 3. Qingshuihe: the transit officer receives the truck; one pig arrived dead.
    depot = tablet(new_context)
    login(depot, "transit_qsh")
    depot.goto(reverse("portal_ciq:warehouse_board"))
    depot.get_by_test_id("arrive-link").click()
    depot.fill("#id_seals_found", "SZ910001")
    depot.fill("#id_head_counted", "4")
    depot.fill("#id_pen", "B2")
    depot.fill("#id_tags", "\n".join(codes))
    depot.get_by_test_id("arrive-submit").click()
    expect(depot.get_by_test_id("arrival-missing")).to_have_text("0")
    aside = depot.get_by_test_id("ineligible-form")
    aside.locator("#id_national_code").fill(codes[0])
    aside.locator("#id_condition").select_option("dead")
    aside.locator("#id_cause").fill("运输应激死亡")
    aside.locator("#id_disposal_method").select_option("rendering")
    aside.locator("#id_witnesses").fill("吴海涛、司机李师傅")
    aside.locator("#id_photos").set_input_files(str(jpeg_photo(tmp_path / "dead.jpg")))
    depot.get_by_test_id("ineligible-submit").click()
    expect(depot.get_by_test_id("set-aside-row")).to_have_count(1)
    depot.get_by_test_id("clinical-form").locator("input[value='1']").check()
    depot.get_by_test_id("clinical-submit").click()
    depot.get_by_test_id("depart-form").locator("#id_seals").fill("WJD-CHAIN-001")
    depot.get_by_test_id("depart-submit").click()
    expect(depot.get_by_test_id("departed")).to_be_visible()

    # 4. Wenjindu: one tag of the three is not read: held, with the reason.
    number = certificate.number
    port = tablet(new_context, "zh-CN", TABLET_PORTRAIT)
    login(port, "port_wjd")
    port.goto(reverse("portal_ciq:port_screen"))
    port.get_by_test_id("port-q").fill(number)
    port.get_by_test_id("port-open").click()
    expect(port.get_by_test_id("validity")).to_have_attribute("data-state", "valid")
    expect(port.get_by_test_id("head-expected")).to_have_text("3")
    port.locator("input[name=source][value=typed]").check()
    port.fill("#id_tags", "\n".join(codes[1:3]))
    port.get_by_test_id("head-counted").fill("3")
    port.get_by_test_id("port-check").click()
    expect(port.get_by_test_id("missing-list")).to_have_text(codes[3])
    port.evaluate("window.scrollTo(0, 0)")
    shot(port, "port-zh")
    port.fill("#id_reason", "一个耳标读不到")
    port.get_by_test_id("port-hold").click()
    expect(port.get_by_test_id("outcome")).to_have_text("已扣留")
    english = tablet(new_context, "en-GB", TABLET_PORTRAIT)
    login(english, "port_wjd")
    english.goto(reverse("portal_ciq:port_screen") + f"?q={number}")
    expect(english.get_by_test_id("validity")).to_have_text("Valid")
    expect(english.get_by_test_id("held-banner")).to_contain_text("一个耳标读不到")
    shot(english, "port-en")

    # 5. The manager overrides the hold in writing; the port officer releases.
    boss = tablet(new_context)
    login(boss, "manager")
    boss.goto(reverse("portal_ciq:port_check", kwargs={"pk": PortCheck.objects.get().pk}))
    boss.fill("#id_reason", "耳标脱落，已人工核对体貌与清单一致")
    boss.get_by_test_id("override-submit").click()
    expect(boss.get_by_test_id("override")).to_contain_text("耳标脱落")
    port.goto(reverse("portal_ciq:port_screen") + f"?q={number}")
    port.locator("input[name=source][value=typed]").check()
    port.fill("#id_tags", "\n".join(codes[1:3]))
    port.get_by_test_id("head-counted").fill("3")
    port.get_by_test_id("port-release").click()
    expect(port.get_by_test_id("outcome")).to_have_text("已放行")
    shot(port, "port-released")
    pdf = port.request.get(port.get_by_test_id("notice-pdf").get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    notice = port.request.get(port.get_by_test_id("notice-json").get_attribute("href"))
    assert notice.ok and number in notice.text()
    assert all(code in notice.text() for code in codes[1:])

    # Every animal's record shows each step; the released are exported.
    assert Certificate.objects.get(pk=certificate.pk).used_at
    statuses = dict(Animal.objects.filter(national_code__in=codes).values_list("national_code", "status"))
    assert statuses == {codes[0]: "disposed", **dict.fromkeys(codes[1:], "released")}
    released = ("loaded", "warehouse_arrived", "transit_examined", "warehouse_departed", "exported")
    for animal in animals[1:]:
        kinds = set(Event.objects.filter(animal=animal).values_list("kind", flat=True))
        assert {*released, "port_held", "port_hold_overridden"} <= kinds, kinds
        boss.goto(reverse("portal_ciq:animal_detail", kwargs={"pk": animal.pk}))
        for label in event_labels(*released):
            expect(boss.get_by_text(label).first).to_be_visible()
        expect(boss.get_by_text("已出境").first).to_be_visible()
    dead = set(Event.objects.filter(animal=animals[0]).values_list("kind", flat=True))
    assert {"loaded", "warehouse_arrived", "set_aside", "death", "disposal"} <= dead, dead
    boss.goto(reverse("portal_ciq:animal_detail", kwargs={"pk": animals[0].pk}))
    for label in event_labels("loaded", "warehouse_arrived", "set_aside", "death"):
        expect(boss.get_by_text(label).first).to_be_visible()
    assert errors == [], errors
