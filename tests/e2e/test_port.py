"""The warehouse and the port in the browser, on a tablet-sized screen.

A certified consignment of four pigs, loaded and sealed (made with the ORM: the loading is
another part's), arrives at Qingshuihe: the officer checks seals, head count and tags, sets one
dead pig aside with a photo, records the clinical check and sends the truck on under a new seal.
At Wenjindu the port officer opens the certificate, types the tags read: one tag is missing, so
the truck is held with the reason. A manager overrides the hold in writing, and the port
officer releases it: the animals are "exported", the certificate used, and every animal's
record shows each step. Screenshots of the port screen in both languages.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.helpers import event_labels, jpeg_photo, tablet

pytestmark = pytest.mark.browser


@pytest.fixture
def road(demo_world):
    from livestock import reference as livestock_reference
    from quarantine import reference
    from surveillance import reference as surveillance_reference
    from tests.transit.port_factories import on_the_road

    reference.ensure()
    livestock_reference.ensure()
    surveillance_reference.ensure()
    return on_the_road(demo_world, head=4)


def test_arrival_dead_pig_hold_override_release(new_context, login, road, shot, tmp_path):
    from livestock.models import Animal, Event
    from quarantine.models import Certificate
    from transit.models import PortCheck

    codes = road.codes
    photo = jpeg_photo(tmp_path / "dead.jpg")

    # Qingshuihe: receive the truck.
    page = tablet(new_context)
    login(page, "transit_qsh")
    page.goto(reverse("portal_ciq:warehouse_board"))
    page.get_by_test_id("arrive-link").click()
    page.fill("#id_seals_found", " ".join(road.seals))
    page.fill("#id_head_counted", "4")
    page.fill("#id_pen", "A1")
    page.fill("#id_tags", "\n".join(codes))
    page.get_by_test_id("arrive-submit").click()
    expect(page.get_by_test_id("arrival-missing")).to_have_text("0")

    # One pig arrived dead: set aside with a photo, disposed of, witnessed.
    form = page.get_by_test_id("ineligible-form")
    form.locator("#id_national_code").fill(codes[0])
    form.locator("#id_condition").select_option("dead")
    form.locator("#id_cause").fill("运输应激死亡")
    form.locator("#id_disposal_method").select_option("rendering")
    form.locator("#id_witnesses").fill("吴海涛、司机李师傅")
    form.locator("#id_photos").set_input_files(str(photo))
    page.get_by_test_id("ineligible-submit").click()
    expect(page.get_by_test_id("set-aside-row")).to_have_count(1)

    page.get_by_test_id("clinical-form").locator("input[value='1']").check()
    page.get_by_test_id("clinical-submit").click()
    page.get_by_test_id("depart-form").locator("#id_seals").fill("WJD-E2E-001")
    page.get_by_test_id("depart-submit").click()
    expect(page.get_by_test_id("departed")).to_be_visible()
    shot(page, "warehouse-departed")

    # Wenjindu: the port officer types the tags read; one is missing.
    number = road.certificate.number
    port = tablet(new_context)
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
    expect(port.get_by_test_id("tags-missing")).to_be_visible()
    port.evaluate("window.scrollTo(0, 0)")
    shot(port, "port-screen-zh")
    # Released anyway: refused with the reason, nothing written.
    port.get_by_test_id("port-release").click()
    expect(port.get_by_test_id("port-error")).to_be_visible()
    assert not PortCheck.objects.exists()
    port.fill("#id_reason", "一个耳标读不到")
    port.get_by_test_id("port-hold").click()
    expect(port.get_by_test_id("outcome")).to_have_text("已扣留")

    # The same screen in English.
    english = tablet(new_context, "en-GB")
    login(english, "port_wjd")
    english.goto(reverse("portal_ciq:port_screen") + f"?q={number}")
    expect(english.get_by_test_id("validity")).to_have_text("Valid")
    shot(english, "port-screen-en")

    # A manager overrides the hold, in writing.
    check = PortCheck.objects.get()
    boss = tablet(new_context)
    login(boss, "manager")
    boss.goto(reverse("portal_ciq:port_check", kwargs={"pk": check.pk}))
    expect(boss.locator("#id_reason")).to_have_attribute("required", "")  # no override without a reason
    boss.fill("#id_reason", "耳标脱落，已人工核对体貌与清单一致")
    boss.get_by_test_id("override-submit").click()
    expect(boss.get_by_test_id("override")).to_contain_text("耳标脱落")

    # Released.
    port.goto(reverse("portal_ciq:port_screen") + f"?q={number}")
    port.locator("input[name=source][value=typed]").check()
    port.fill("#id_tags", "\n".join(codes[1:3]))
    port.get_by_test_id("head-counted").fill("3")
    port.get_by_test_id("port-release").click()
    expect(port.get_by_test_id("outcome")).to_have_text("已放行")
    expect(port.get_by_test_id("notice-pdf")).to_be_visible()
    shot(port, "port-released")
    pdf = port.request.get(port.get_by_test_id("notice-pdf").get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")

    assert Certificate.objects.get(pk=road.certificate.pk).used_at
    statuses = dict(Animal.objects.filter(national_code__in=codes).values_list("national_code", "status"))
    assert statuses == {codes[0]: "disposed", **dict.fromkeys(codes[1:], "released")}
    for animal in road.animals[1:]:
        kinds = set(Event.objects.filter(animal=animal).values_list("kind", flat=True))
        assert {"certified", "warehouse_arrived", "transit_examined", "warehouse_departed"} <= kinds
        assert {"port_held", "port_hold_overridden", "exported"} <= kinds
    dead = set(Event.objects.filter(animal=road.animals[0]).values_list("kind", flat=True))
    assert {"warehouse_arrived", "set_aside", "death", "disposal"} <= dead

    # The record of an exported animal, as the manager sees it.
    boss.goto(reverse("portal_ciq:animal_detail", kwargs={"pk": road.animals[1].pk}))
    kinds = ("warehouse_arrived", "transit_examined", "port_held", "port_hold_overridden", "exported")
    for label in event_labels(*kinds):
        expect(boss.get_by_text(label).first).to_be_visible()
    expect(boss.get_by_text("已出境").first).to_be_visible()
