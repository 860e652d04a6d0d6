"""What a newcomer meets on the first day, in both languages, on a desktop and on a phone.

Each test looks at a page the way a new user does and takes screenshots of it for a person to
look at (test-artifacts/screenshots/): the log-in sent empty, the map's own buttons, the
supervision calendar with long farm names, the audit trail.
"""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
LANGUAGES = [("zh-CN", "zh"), ("en-US", "en")]
SCREENS = [("desktop", DESKTOP), ("phone", PHONE)]


@pytest.mark.parametrize(("locale", "lang"), LANGUAGES)
@pytest.mark.parametrize(("screen", "viewport"), SCREENS)
def test_an_empty_log_in_names_what_is_missing(new_context, shot, locale, lang, screen, viewport):
    page = new_context(locale).new_page()
    page.set_viewport_size(viewport)
    page.goto("/accounts/login/")
    with page.expect_navigation():
        page.locator("form", has=page.locator("#id_password")).locator("button[type=submit]").click()
    expect(page.get_by_test_id("login-error")).to_have_count(0)  # no empty red box
    missing = {
        "zh": ("请输入用户名。", "请输入密码。"),
        "en": ("Enter your user name.", "Enter your password."),
    }
    expect(page.get_by_test_id("login-username-error")).to_have_text(missing[lang][0])
    expect(page.get_by_test_id("login-password-error")).to_have_text(missing[lang][1])
    shot(page, f"login-empty-{lang}-{screen}")


@pytest.mark.parametrize(("locale", "lang"), LANGUAGES)
def test_the_maps_buttons_speak_the_pages_language(new_context, login, shot, locale, lang):
    page = new_context(locale).new_page()
    page.set_viewport_size(DESKTOP)
    login(page, "manager")
    zoom_in = page.locator("#orgmap .leaflet-control-zoom-in")
    titles = {"zh": ("放大", "缩小"), "en": ("Zoom in", "Zoom out")}[lang]
    expect(zoom_in).to_have_attribute("title", titles[0])
    expect(page.locator("#orgmap .leaflet-control-zoom-out")).to_have_attribute("title", titles[1])
    # The organisations counted with their nouns in the right number.
    if lang == "en":
        expect(page.get_by_test_id("kind-counts")).to_contain_text("Enterprises")
    shot(page, f"home-{lang}")


@pytest.fixture
def long_names(demo_world):
    """Three farms of one county and town (their names alike but for the end), each planned."""
    from decimal import Decimal

    from farms.services import supervision as sv
    from farms.supervision_defaults import checklist_templates_ensure
    from tests.farms.factories import BOLUO, registered_farm

    checklist_templates_ensure()
    day = timezone.localdate() + dt.timedelta(days=1)
    if day.month != timezone.localdate().month:
        day = timezone.localdate()
    for n in (1, 2, 3):
        farm = registered_farm(
            demo_world,
            name_zh=f"博罗县杨村镇罗浮第{n}养殖场",
            name_en=f"Luofu Farm No. {n}, Yangcun, Boluo",
            latitude=BOLUO["latitude"] + Decimal("0.01") * n,
        )
        sv.visit_plan_create(actor=demo_world.insp_a, farm=farm, inspector=demo_world.insp_a, planned_on=day)
    return day


@pytest.mark.parametrize(("locale", "lang"), LANGUAGES)
@pytest.mark.parametrize(("screen", "viewport"), SCREENS)
def test_the_calendar_shows_farm_names_whole(
    new_context, login, shot, long_names, locale, lang, screen, viewport
):
    page = new_context(locale).new_page()
    page.set_viewport_size(viewport)
    login(page, "insp_huizhou")
    page.goto(reverse("portal_ciq:supervision_calendar"))
    if screen == "desktop":
        chips = page.locator(f"[data-date='{long_names.isoformat()}'] [data-testid=plan-chip]")
        expect(chips).to_have_count(3)
        clipped = chips.evaluate_all("cs => cs.filter(c => c.scrollWidth > c.clientWidth + 1).length")
        assert clipped == 0, "a farm name is cut off"
        if lang == "zh":
            for n in (1, 2, 3):
                expect(chips.nth(n - 1)).to_contain_text(f"罗浮第{n}养殖场")
    else:
        expect(page.get_by_test_id("calendar")).to_be_hidden()
        expect(page.get_by_test_id("agenda")).to_be_visible()
        assert page.get_by_test_id("agenda-plan").count() >= 3
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"the calendar is {width}px wide on a phone"
    shot(page, f"calendar-{lang}-{screen}")


@pytest.mark.parametrize(("locale", "lang"), LANGUAGES)
def test_the_audit_trail_opens_on_what_people_did(new_context, login, shot, demo_world, locale, lang):
    from accounts.services import user_update

    user_update(
        actor=demo_world.ent_a_admin,
        user=demo_world.ent_a_staff,
        full_name="林晓梅",
        role="enterprise_admin",
        reason="兼任管理员",
    )
    page = new_context(locale).new_page()
    page.set_viewport_size(DESKTOP)
    login(page, "manager")
    page.goto(reverse("portal_ciq:history_list"))
    rows = page.get_by_test_id("history").locator("tbody tr")
    expect(rows.first).to_contain_text("兼任管理员")
    seeded = {"zh": "初始化基础数据", "en": "Seeded reference data"}[lang]
    expect(page.get_by_test_id("history")).not_to_contain_text(seeded)
    shot(page, f"audit-{lang}")
    page.locator("#id_seeded").check()
    page.locator("form").filter(has=page.locator("#id_seeded")).locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"seeded=on"))
    expect(page.get_by_test_id("history")).to_contain_text(seeded)
