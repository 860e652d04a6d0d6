"""The key pages run under the Content-Security-Policy with nothing refused and no script error.

The policy allows no inline script (config/settings/base.py). A page that still had one (a
{% leaflet_map %} with django-leaflet's own template, an onchange=, a <style> block) would lose
it silently for users; here it is a failure: every violation the browser reports (the
securitypolicyviolation event, or the console's "Refused to ...") and every uncaught error fails
the test, and every map must really have been made.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.farms.factories import registered_farm

pytestmark = pytest.mark.browser

# Collected in the page from the first byte on (an init script runs outside the page's policy).
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def world_with_work(demo_world):
    from livestock import reference as livestock_reference
    from livestock.services import devices
    from surveillance import reference
    from tests.livestock.factories import herd

    reference.ensure()
    livestock_reference.ensure()  # the live-server tests empty the database
    farm = registered_farm(demo_world)
    herd(demo_world.ent_a_staff, farm, range(1, 4))
    device = devices.device_register(actor=demo_world.insp_a, code="csp-1", name="华丰一场装猪台", farm=farm)
    return demo_world, farm, device


def watched_page(new_context, problems, locale="zh-CN"):
    page = new_context(locale).new_page()
    page.add_init_script(WATCH_VIOLATIONS)
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: page error {exc}"))

    def console(msg):
        text = msg.text
        if "Content Security Policy" in text or text.startswith("Refused to"):
            problems.append(f"{page.url}: {text}")

    page.on("console", console)
    return page


def visit(page, url, problems, maps=()):
    response = page.goto(url)
    assert response.status < 400, f"{url}: {response.status}"
    for map_id in maps:
        # The map was made (by static/js/leaflet_maps.js or the page's own script).
        expect(page.locator(f"#{map_id}.leaflet-container")).to_be_attached()
        expect(page.locator(f"#{map_id} .leaflet-control-zoom-in")).to_be_attached()
    page.wait_for_load_state("load")
    problems.extend(f"{url}: {v}" for v in page.evaluate("window.__cspViolations"))


def test_the_key_pages_break_no_rule_of_the_policy(new_context, login, world_with_work):
    world, farm, device = world_with_work
    problems: list[str] = []

    clerk = watched_page(new_context, problems)
    login(clerk, "ent_a_staff")
    visit(clerk, reverse("portal_enterprise:home"), problems)
    visit(clerk, reverse("portal_enterprise:herd_home"), problems)
    visit(clerk, reverse("portal_enterprise:herd_farm", args=[farm.pk]), problems)
    visit(clerk, reverse("portal_enterprise:farm_create"), problems, maps=["farm-location", "farm-layout"])
    visit(clerk, reverse("portal_enterprise:farm_detail", args=[farm.pk]), problems, maps=["farm-detail-map"])
    visit(clerk, reverse("portal_enterprise:alerts"), problems)

    manager = watched_page(new_context, problems, locale="en-US")
    login(manager, "manager")
    visit(manager, reverse("portal_ciq:home"), problems, maps=["orgmap"])
    visit(manager, reverse("portal_ciq:farm_map"), problems, maps=["farmsmap"])
    visit(manager, reverse("portal_ciq:farm_detail", args=[farm.pk]), problems, maps=["farmmap"])
    visit(manager, reverse("portal_ciq:zone_map"), problems)
    expect(manager.locator(".leaflet-container").first).to_be_attached()
    visit(manager, reverse("portal_ciq:report_create"), problems)
    organisation = reverse("portal_ciq:organisation_detail", args=[world.ent_a.pk])
    visit(manager, organisation, problems, maps=["orgmap"])
    visit(manager, reverse("portal_ciq:herd_farm", args=[farm.pk]), problems)
    visit(manager, reverse("portal_ciq:reader_list"), problems)
    visit(manager, reverse("portal_ciq:reader_detail", args=[device.pk]), problems)
    visit(manager, reverse("portal_ciq:supervision_calendar"), problems)

    inspector = watched_page(new_context, problems)
    login(inspector, "insp_huizhou")
    visit(inspector, f"{reverse('portal_ciq:visit_create')}?farm={farm.pk}", problems)
    # The calendar's branch filter sends its form without an inline onchange.
    visit(inspector, reverse("portal_ciq:supervision_calendar"), problems)

    admin = watched_page(new_context, problems)
    login(admin, "sysadmin")
    visit(admin, "/admin/", problems)
    visit(admin, f"/admin/accounts/user/{world.ent_a_staff.pk}/change/", problems)

    anonymous = watched_page(new_context, problems)
    for url in ["/accounts/login/", "/accounts/password/reset/", "/no-such-page/"]:
        anonymous.goto(url)
        anonymous.wait_for_load_state("load")
        problems.extend(f"{url}: {v}" for v in anonymous.evaluate("window.__cspViolations"))

    assert problems == []


def test_the_policy_refuses_an_inline_script(new_context, demo_world):
    """The watch above would see a violation: an injected inline script is refused and reported."""
    problems: list[str] = []
    page = watched_page(new_context, problems)
    page.goto("/accounts/login/")
    page.evaluate(
        """() => { const s = document.createElement("script"); s.textContent = "window.__ran = true";
                   document.body.appendChild(s); }"""
    )
    expect(page.locator("body")).to_be_attached()
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.__ran === undefined")
    assert any("script-src" in v for v in page.evaluate("window.__cspViolations"))
