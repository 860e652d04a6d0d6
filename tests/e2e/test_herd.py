"""Issue 4's "done when", in Chromium: a farm clerk keeps the herd's records through the pages.

The clerk registers ten animals from a herd list (upload, preview, confirm), records a
vaccination for their pen and a medication with a 14-day withdrawal period for one of them; that
animal's page shows both and says until when it cannot be exported, in the enterprise portal and
in the bureau's. A second story receives the ear tags through the page, registers an animal by
"scanning" it (a reader types the number and presses Enter) and uses quick entry on a phone.
Screenshots go to test-artifacts/screenshots/ (desktop, and 390 px wide for the phone pages).
"""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PEN = "1号猪舍"
PHONE = {"width": 390, "height": 844}


def national(serial: int) -> str:
    from tests.livestock.factories import national as code

    return code(serial)


def csv_upload(name: str, header: list[str], rows: list[list]) -> dict:
    text = ",".join(header) + "\n" + "".join(",".join(str(c) for c in row) + "\n" for row in rows)
    return {"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}


@pytest.fixture
def herd_farm(demo_world):
    """A registered farm of enterprise A (one pen, 1号猪舍) and the bureau's reference tables."""
    from livestock import reference
    from tests.farms.factories import registered_farm

    reference.ensure()
    return registered_farm(demo_world)


def open_page(new_context, login, errors, username="ent_a_staff", locale="zh-CN", viewport=None):
    page = new_context(locale).new_page()
    if viewport:
        page.set_viewport_size(viewport)
    page.on("pageerror", lambda exc: errors.append(f"{username}: {exc}"))
    login(page, username)
    return page


def top_shot(shot, page, step):
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(200)
    return shot(page, step)


def test_herd_list_vaccination_and_withdrawal(new_context, login, demo_world, herd_farm, shot):
    from livestock.models import Animal, ProductionLog
    from tests.livestock.factories import issue_tags

    farm, errors = herd_farm, []
    serials = range(1, 11)
    issue_tags(demo_world.ent_a_staff, serials)  # the supplier's list, received through the service
    clerk = open_page(new_context, login, errors)

    # 1. The herd list: upload, preview (every row checked), confirm.
    clerk.goto(reverse("portal_enterprise:herd_farm", args=[farm.pk]))
    clerk.get_by_test_id("import").click()
    expect(clerk).to_have_url(re.compile(rf"/herd/{farm.pk}/import/$"))
    born = (timezone.localdate() - dt.timedelta(days=70)).isoformat()
    rows = [[national(s), "母" if s % 2 else "公", "杜洛克", born, PEN, "自繁"] for s in serials]
    clerk.set_input_files(
        "#id_file",
        csv_upload("华丰一场-猪群.csv", ["耳标号", "性别", "品种", "出生日期", "圈舍", "来源"], rows),
    )
    top_shot(shot, clerk, "1-upload-zh")
    clerk.get_by_test_id("upload").click()
    expect(clerk.get_by_test_id("ready")).to_be_visible()
    expect(clerk.get_by_test_id("rows").locator("tbody tr")).to_have_count(10)
    assert not Animal.objects.exists()  # nothing before the confirmation
    top_shot(shot, clerk, "2-preview-zh")
    clerk.get_by_test_id("confirm").click()
    expect(clerk).to_have_url(re.compile(rf"/herd/{farm.pk}/$"))
    expect(clerk.get_by_test_id("animals").locator("tbody tr[data-animal]")).to_have_count(10)
    assert Animal.objects.filter(farm=farm).count() == 10
    top_shot(shot, clerk, "3-herd-zh")

    # 2. A vaccination for the whole pen, through the "new record" menu.
    clerk.get_by_test_id("new-record").first.click()
    clerk.locator(".dropdown-menu.show [data-kind=vaccination]").click()
    form = clerk.get_by_test_id("log-form")
    form.locator("#id_requirement").select_option(label="猪瘟")
    form.locator("#id_product").fill("猪瘟活疫苗（传代细胞源）")
    form.locator("#id_maker").fill("中牧实业股份有限公司")
    form.locator("#id_batch").fill("2026-031")
    form.locator("#id_dose").fill("1")
    form.locator("#id_dose_unit").select_option("dose")
    form.locator("#id_route").fill("肌肉注射")
    form.locator("#id_pen").select_option(PEN)
    top_shot(shot, clerk, "4-vaccination-form-zh")
    form.get_by_test_id("save").click()
    expect(clerk).to_have_url(re.compile(r"/herd/records/\d+/$"))
    expect(clerk.get_by_test_id("log-animals").locator("tbody tr")).to_have_count(10)
    top_shot(shot, clerk, "5-vaccination-recorded-zh")

    # 3. A medication with a 14-day withdrawal period, for one animal, from its own page.
    animal = Animal.objects.get(national_code=national(3))
    clerk.goto(reverse("portal_enterprise:animal_detail", args=[animal.pk]))
    clerk.get_by_test_id("new-record").click()
    clerk.locator(".dropdown-menu.show [data-kind=medication]").click()
    form = clerk.get_by_test_id("log-form")
    expect(form.get_by_test_id("chosen").locator("input:checked")).to_have_count(1)
    form.locator("#id_product").fill("阿莫西林可溶性粉")
    form.locator("#id_active_substance").fill("阿莫西林")
    form.locator("#id_dose").fill("20")
    form.locator("#id_dose_unit").select_option("mg")
    form.locator("#id_withdrawal_days").fill("14")
    form.locator("#id_symptoms").fill("咳嗽，体温 40.2℃")
    form.get_by_test_id("save").click()
    expect(clerk).to_have_url(re.compile(r"/herd/records/\d+/$"))
    assert ProductionLog.objects.get(kind="medication").animal_count == 1

    # 4. The animal's page: both records, and the date it may be exported again.
    until = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    clerk.goto(reverse("portal_enterprise:animal_detail", args=[animal.pk]))
    banner = clerk.get_by_test_id("withdrawal-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(until)
    expect(banner).to_contain_text("阿莫西林可溶性粉")
    timeline = clerk.get_by_test_id("timeline")
    expect(timeline.locator("[data-kind=vaccination]")).to_contain_text("2026-031")
    expect(timeline.locator("[data-kind=withdrawal]")).to_contain_text(until)
    expect(clerk.get_by_test_id("coverage").locator("li[data-state=covered]")).to_contain_text("猪瘟")
    top_shot(shot, clerk, "6-animal-zh")
    # Another animal of the pen has the vaccination and no banner.
    clerk.goto(
        reverse("portal_enterprise:animal_detail", args=[Animal.objects.get(national_code=national(4)).pk])
    )
    expect(clerk.get_by_test_id("timeline").locator("[data-kind=vaccination]")).to_have_count(1)
    expect(clerk.get_by_test_id("withdrawal-banner")).to_have_count(0)

    clerk_en = open_page(new_context, login, errors, locale="en-US")
    clerk_en.goto(reverse("portal_enterprise:animal_detail", args=[animal.pk]))
    expect(clerk_en.get_by_test_id("withdrawal-banner")).to_contain_text(f"Cannot be exported until {until}")
    top_shot(shot, clerk_en, "6-animal-en")
    clerk_en.goto(reverse("portal_enterprise:herd_farm", args=[farm.pk]))
    top_shot(shot, clerk_en, "3-herd-en")

    # 5. The bureau reads the same record: the Huizhou inspector finds it by its tag.
    inspector = open_page(new_context, login, errors, username="insp_huizhou")
    inspector.goto(f"{reverse('portal_ciq:animal_find')}?q={animal.rfid}")
    expect(inspector).to_have_url(re.compile(rf"/bureau/herds/animals/{animal.pk}/$"))
    expect(inspector.get_by_test_id("withdrawal-banner")).to_contain_text(until)
    expect(inspector.get_by_test_id("timeline").locator("[data-kind=vaccination]")).to_have_count(1)
    top_shot(shot, inspector, "7-bureau-animal-zh")
    # The Hunan inspector does not see it at all.
    other = open_page(new_context, login, errors, username="insp_hunan")
    assert other.goto(reverse("portal_ciq:animal_detail", args=[animal.pk])).status == 404
    assert errors == [], errors


def test_tags_received_scanned_in_and_quick_entry_on_a_phone(new_context, login, demo_world, herd_farm, shot):
    from livestock.models import Animal, EarTag, ProductionLog
    from tests.livestock.factories import rfid

    farm, errors = herd_farm, []
    clerk = open_page(new_context, login, errors)

    # 1. The supplier's list, through the page: a wrong row refuses it all, with the reason.
    clerk.goto(reverse("portal_enterprise:tag_list"))
    clerk.get_by_test_id("tag-import").click()
    form = clerk.get_by_test_id("tag-import-form")
    form.locator("#id_supplier").fill("牧翔耳标厂")
    form.locator("#id_reference").fill("MX-2026-118")
    form.locator("#id_farm").select_option(str(farm.pk))
    bad = [[national(21), rfid(21)], ["14413220000002", rfid(22)]]
    clerk.set_input_files("#id_file", csv_upload("耳标.csv", ["国家标识码", "电子标识号"], bad))
    form.get_by_test_id("upload").click()
    expect(clerk.get_by_test_id("errors").locator("tr[data-row='3']")).to_contain_text("14413220000002")
    assert not EarTag.objects.exists()
    top_shot(shot, clerk, "1-tag-import-refused-zh")
    good = [[national(s), rfid(s)] for s in range(21, 27)]
    clerk.locator("#id_supplier").fill("牧翔耳标厂")
    clerk.set_input_files("#id_file", csv_upload("耳标.csv", ["国家标识码", "电子标识号"], good))
    clerk.get_by_test_id("upload").click()
    expect(clerk).to_have_url(re.compile(r"/herd/tags/\?status=available$"))
    expect(clerk.get_by_test_id("tags").locator("tbody tr[data-tag]")).to_have_count(6)
    top_shot(shot, clerk, "2-tags-zh")

    # 2. One animal at a time: the reader types the RFID number and Enter, which moves on.
    clerk.goto(reverse("portal_enterprise:animal_create", args=[farm.pk]))
    tag = clerk.locator("#id_tag")
    expect(tag).to_be_focused()
    for serial in (21, 22):
        tag.press_sequentially(rfid(serial))
        tag.press("Enter")
        expect(clerk.locator("#id_sex")).to_be_focused()
        clerk.locator("#id_sex").select_option("female")
        clerk.locator("#id_birth_date").fill((timezone.localdate() - dt.timedelta(days=40)).isoformat())
        clerk.locator("#id_pen").select_option(PEN)
        clerk.get_by_test_id("register-next").click()
        expect(clerk.locator(".alert-success")).to_contain_text(national(serial))
        expect(clerk.locator("#id_tag")).to_be_focused()
        expect(clerk.locator("#id_pen")).to_have_value(PEN)  # kept for the next animal
    top_shot(shot, clerk, "3-register-by-scan-zh")
    # A tag that was never received is refused beside the field, and nothing is registered.
    tag.fill(national(99))
    clerk.locator("#id_sex").select_option("male")
    clerk.locator("#id_birth_date").fill((timezone.localdate() - dt.timedelta(days=40)).isoformat())
    clerk.get_by_test_id("register-open").click()
    expect(clerk.get_by_test_id("error-tag")).to_be_visible()
    assert Animal.objects.count() == 2
    top_shot(shot, clerk, "4-register-refused-zh")

    # 3. Quick entry on a phone: pick the pen, scan one tag, tick the other, submit.
    phone = open_page(new_context, login, errors, viewport=PHONE)
    phone.goto(reverse("portal_enterprise:herd_home") + "?go=quick")
    expect(phone).to_have_url(re.compile(rf"/herd/{farm.pk}/quick/$"))  # its only farm
    expect(phone.locator("#quick-pen")).to_have_value(PEN)  # its only pen with animals
    expect(phone.get_by_test_id("quick-animals").locator(".quick-animal")).to_have_count(2)
    phone.get_by_test_id("quick-kinds").locator("[data-kind=vaccination]").click()
    phone.locator("#id_requirement").select_option(label="口蹄疫")
    phone.locator("#id_product").fill("口蹄疫O型灭活疫苗")
    phone.locator("#id_maker").fill("金宇保灵")
    phone.locator("#id_batch").fill("FMD-0412")
    phone.locator("#id_dose").fill("2")
    phone.locator("#id_dose_unit").select_option("ml")
    save = phone.get_by_test_id("quick-save")
    expect(save).to_be_disabled()
    scan = phone.get_by_test_id("scan")
    scan.press_sequentially(f"{rfid(21)[:3]} {rfid(21)[3:]}")  # the reader's spaced form
    scan.press("Enter")
    first = phone.locator(f".quick-animal[data-code='{national(21)}'] input")
    expect(first).to_be_checked()
    phone.locator(f".quick-animal[data-code='{national(22)}']").click()
    # A tag this farm does not have is refused as it is scanned, not after submitting.
    scan.press_sequentially(national(99))
    scan.press("Enter")
    expect(phone.get_by_test_id("scan-note")).to_contain_text(national(99))
    expect(phone.get_by_test_id("scan-note")).to_have_class(re.compile(r"text-danger"))
    expect(phone.get_by_test_id("scanned-chip")).to_have_count(0)
    top_shot(shot, phone, "5a-quick-entry-unknown-tag-phone-zh")
    expect(save).to_be_enabled()
    expect(save).to_contain_text("2")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the phone page is {width}px wide"
    # A full-page shot draws the sticky "record" button mid-page; the phone's own view is shown
    # too, once at the top and once scrolled to the ticked animals.
    full = top_shot(shot, phone, "5-quick-entry-phone-zh")
    phone.screenshot(path=str(full.with_name(full.stem + "-top.png")))
    phone.get_by_test_id("quick-animals").scroll_into_view_if_needed()
    phone.screenshot(path=str(full.with_name(full.stem + "-animals.png")))
    save.click()
    expect(phone.locator(".alert-success")).to_contain_text(national(21))  # it names the animals
    expect(phone.locator(".alert-success")).to_contain_text(national(22))
    log = ProductionLog.objects.get(kind="vaccination")
    assert log.animal_count == 2 and log.pen == PEN
    top_shot(shot, phone, "6-quick-entry-saved-phone-zh")
    assert errors == [], errors
