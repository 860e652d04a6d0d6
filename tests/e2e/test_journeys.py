"""The journey in Chromium: a simulated GPS unit posts a track with a detour through the API, the
periodic check raises "off its corridor", and the bureau's live map and the trip's replay show it;
the enterprise sees its own truck. Screenshots on a tablet and a desktop, in both languages."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

TABLET = {"width": 1024, "height": 768}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def references(demo_world):
    from livestock import reference as livestock_reference
    from quarantine import reference
    from surveillance import reference as surveillance_reference

    reference.ensure()
    livestock_reference.ensure()
    surveillance_reference.ensure()
    return demo_world


def open_page(new_context, locale, viewport):
    context = new_context(locale=locale)
    page = context.new_page()
    page.set_viewport_size(viewport)
    if locale.startswith("en"):
        page.set_extra_http_headers({"Accept-Language": "en"})
    return page


def test_a_detour_raises_an_alert_seen_on_the_live_map_and_the_replay(new_context, login, references, shot):
    from tests.transit.journeys_factories import straight_track, trip_on_road
    from transit.services import journeys

    world = references
    trip, token = trip_on_road(world)
    journeys.corridor_save(
        actor=world.insp_a,
        farm=trip.loading.consignment.farm,
        route={
            "type": "LineString",
            "coordinates": [[114.35, 22.80], [114.1137, 22.5838], [114.1283, 22.5395]],
        },
        buffer_m=500,
        planned_minutes=150,
        stop_minutes=20,
    )
    now = timezone.now()
    on_route = straight_track(
        (22.80, 114.35), (22.70, 114.2407), minutes=15, until=now - dt.timedelta(minutes=11)
    )
    detour = straight_track((22.70, 114.2407), (22.72, 114.18), minutes=10, until=now)

    page = open_page(new_context, "zh-CN", DESKTOP)
    # The unit posts through the real API (its token, JSON), as a truck would.
    answer = page.request.post(
        "/api/gps/points/",
        data={"points": on_route + detour[1:]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status == 200, answer.text()
    assert answer.json()["stored"] == len(on_route) + len(detour) - 1
    result = journeys.journeys_check()  # what beat runs every minute
    assert result.raised == {"off_route": 1}

    login(page, "insp_huizhou")
    page.goto("/bureau/journeys/")
    item = page.locator(f"[data-truck='{trip.pk}']")
    expect(item).to_contain_text(trip.vehicle.plate)
    expect(item).to_contain_text("偏离")
    expect(page.locator(".journey-truck-icon.sev-3")).to_have_count(1)
    shot(page, "live-zh-desktop")

    item.click()
    expect(page.get_by_test_id("trip-alerts")).to_contain_text("偏离")
    expect(page.get_by_test_id("replay-time")).not_to_have_text("—")
    page.get_by_test_id("replay-scrub").fill("5")
    shot(page, "replay-zh-desktop")
    page.get_by_test_id("replay-play").click()
    page.wait_for_timeout(800)
    shot(page, "replay-zh-playing")

    page = open_page(new_context, "en-GB", TABLET)
    login(page, "insp_huizhou")
    page.goto("/bureau/journeys/")
    expect(page.locator(f"[data-truck='{trip.pk}']")).to_contain_text("off its corridor")
    shot(page, "live-en-tablet")
    page.goto(f"/bureau/journeys/{trip.pk}/")
    expect(page.get_by_test_id("replay-time")).not_to_have_text("—")
    shot(page, "replay-en-tablet")

    page = open_page(new_context, "zh-CN", TABLET)
    login(page, "ent_a_staff")
    page.goto("/enterprise/journeys/")
    expect(page.locator(f"[data-truck='{trip.pk}']")).to_contain_text(trip.vehicle.plate)
    shot(page, "enterprise-live-zh-tablet")
