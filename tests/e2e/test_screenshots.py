"""A screenshot tour of the main pages, in Chinese and in English, for a human to look at.

Screenshots go to test-artifacts/screenshots/ (gitignored). The tour also checks that each
page opens and is served in the browser's language (Accept-Language).
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _map_drawn(page):
    expect(page.locator("#orgmap")).to_have_attribute("data-markers", re.compile(r"^[1-9]\d*$"))
    # Outlines outside the view are clipped to an empty path; at least one must show.
    outlines = page.locator(".leaflet-overlay-pane svg path[stroke='#94a3b8']")
    expect(outlines.filter(visible=True).first).to_be_visible()


@pytest.mark.parametrize(("locale", "lang"), [("zh-CN", "zh-hans"), ("en-US", "en")])
def test_screenshot_tour(new_context, login, demo_world, shot, locale, lang):
    enterprise = new_context(locale).new_page()
    html = enterprise.locator("html")

    enterprise.goto("/accounts/login/")
    expect(html).to_have_attribute("lang", lang)
    shot(enterprise, "login")

    login(enterprise, "ent_a_admin")
    expect(enterprise.get_by_test_id("organisation-name")).to_be_visible()
    expect(html).to_have_attribute("lang", lang)
    shot(enterprise, "enterprise-home")

    enterprise.goto("/enterprise/settings/users/")
    expect(enterprise.get_by_test_id("users")).to_be_visible()
    shot(enterprise, "enterprise-users")

    bureau = new_context(locale).new_page()
    login(bureau, "manager")
    expect(bureau).to_have_url(re.compile(r"/bureau/$"))
    expect(bureau.locator("html")).to_have_attribute("lang", lang)
    _map_drawn(bureau)
    shot(bureau, "bureau-home")

    bureau.goto("/bureau/organisations/")
    expect(bureau.locator(".table-card table")).to_be_visible()
    shot(bureau, "organisations")

    bureau.goto(f"/bureau/organisations/{demo_world.ent_a.pk}/")
    ent_a = demo_world.ent_a
    name = ent_a.name_en if lang == "en" else ent_a.name_zh
    expect(bureau.get_by_test_id("organisation-name")).to_have_text(name)
    _map_drawn(bureau)
    shot(bureau, "organisation-detail")

    bureau.goto("/bureau/audit/")
    expect(bureau.get_by_test_id("history").locator("tbody tr").first).to_be_visible()
    shot(bureau, "audit-trail")
