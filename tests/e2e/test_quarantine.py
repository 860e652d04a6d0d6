"""Origin quarantine in the browser: a refused declaration naming its animals, then the bureau's pages.

The enterprise pastes tags of which one animal is in withdrawal, while its farm lies in an African
swine fever zone: the refusal names the animal and its rule, and the zone and its disease. Once the
zone is lifted and declared without that animal, the consignment reaches the Huizhou inspector's
queue, is accepted in the browser, examined and sampled; the laboratory uploads the LIMS CSV export,
sees every row checked and imports it; approved, the public page says "valid" for its QR code;
the PDF holds the tags and the Chinese title, the QR code's content verifies offline with the
published keys, and once the inspector voids the certificate the public page says "void".
Screenshots of the declaration form, the queue, the consignment, the LIMS preview and the
verification page, in both languages.
"""

import datetime as dt
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def references(demo_world):
    from livestock import reference as livestock_reference
    from quarantine import reference
    from surveillance import reference as surveillance_reference

    reference.ensure()
    livestock_reference.ensure()
    surveillance_reference.ensure()
    return demo_world


def snap(shot, page, step):
    page.evaluate("window.scrollTo(0, 0)")
    return shot(page, step)


@pytest.mark.parametrize("locale", ["zh-CN", "en-GB"])
def test_declaration_queue_and_verification(new_context, login, references, shot, locale, tmp_path):
    from decimal import Decimal

    from livestock.services.records import log_record
    from quarantine.models import Certificate, Consignment
    from quarantine.pdf import verify_url
    from quarantine.verify import main as verify_main
    from surveillance.models import Disease, DiseaseReport
    from surveillance.services import report_create, report_lift
    from tests.farms.factories import BOLUO
    from tests.quarantine.factories import farm_a, negative_rows, ready_herd, through

    world = references
    farm = farm_a(world)
    animals = ready_herd(world, farm, range(1, 9))
    log_record(
        actor=world.ent_a_staff,
        farm=farm,
        kind="medication",
        occurred_on=timezone.localdate(),
        fields={
            "product": "阿莫西林",
            "active_substance": "阿莫西林",
            "dose": "10",
            "dose_unit": "mg",
            "withdrawal_days": 10,
        },
        animal_ids=[animals[0].pk],
    )
    report = report_create(
        actor=world.manager,
        disease=Disease.objects.get(code="asf"),
        confirmed_on=timezone.localdate(),
        source=DiseaseReport.Source.NATIONAL_BULLETIN,
        latitude=BOLUO["latitude"] + Decimal("0.01"),
        longitude=BOLUO["longitude"],
    )
    today = timezone.localdate()
    page = new_context(locale).new_page()
    if locale.startswith("en"):
        page.set_extra_http_headers({"Accept-Language": "en"})
    login(page, "ent_a_staff")
    page.goto(f"/enterprise/consignments/declare/?farm={farm.pk}")
    page.select_option("#id_species", farm.species)
    page.fill("#id_tags", "\n".join(a.national_code for a in animals))
    page.fill("#id_head_count", str(len(animals)))
    page.fill("#id_planned_loading_on", (today + dt.timedelta(days=1)).isoformat())
    page.fill("#id_isolation_started_on", (today - dt.timedelta(days=16)).isoformat())
    page.select_option("#id_exit_port", str(world.port_wenjindu.pk))
    page.fill("#id_consignee", "五丰行有限公司")
    page.fill("#id_destination", "上水屠房 Sheung Shui Slaughterhouse")
    page.fill("#id_contact_name", "陈经理")
    page.fill("#id_contact_phone", "13800000000")
    page.select_option("#id_farm", str(farm.pk))
    page.click("[data-testid=submit]")
    problems = page.locator("[data-testid=problems]")
    expect(problems).to_contain_text(animals[0].national_code)
    expect(problems.locator("[data-rule=withdrawal]")).to_have_count(1)
    expect(problems.locator("[data-rule=zone]").first).to_contain_text(
        "非洲猪瘟" if locale == "zh-CN" else "African swine fever"
    )
    snap(shot, page, "declaration-refused")
    assert not Consignment.objects.exists()
    report_lift(actor=world.manager, report=report, reason="疫区解除封锁")

    page.fill("#id_tags", "\n".join(a.national_code for a in animals[1:]))
    page.fill("#id_head_count", str(len(animals) - 1))
    page.click("[data-testid=submit]")
    expect(page.locator("[data-testid=status]")).to_be_visible()
    consignment = Consignment.objects.get()
    snap(shot, page, "consignment-enterprise")

    inspector = new_context(locale).new_page()
    login(inspector, "insp_huizhou")
    inspector.goto("/bureau/consignments/")
    expect(inspector.locator(f"[data-consignment='{consignment.pk}']")).to_be_visible()
    snap(shot, inspector, "queue")
    inspector.goto(f"/bureau/consignments/{consignment.pk}/")
    inspector.click("[data-testid=accept]")
    expect(inspector.locator("[data-testid=examine]")).to_be_visible()
    snap(shot, inspector, "consignment-examine")

    through(world, consignment, "sample", start="examine")

    # The laboratory's LIMS export, uploaded: every row checked and shown, then imported.
    lab = new_context(locale).new_page()
    login(lab, "lab_analyst")
    lab.goto("/bureau/consignments/lims/")
    lims = tmp_path / "lims.csv"
    lims.write_text(
        "样品编号,检测项目,结果\n"
        + "".join(f"{r['sample']},{r['analyte']},{r['result']}\n" for r in negative_rows(consignment)),
        encoding="utf-8",
    )
    lab.set_input_files("#file", str(lims))
    lab.click("[data-testid=check]")
    expect(lab.locator("[data-testid=preview]")).to_contain_text(consignment.number)
    snap(shot, lab, "lims-preview")
    lab.click("[data-testid=confirm]")
    expect(lab.locator(".alert-success")).to_be_visible()
    consignment.refresh_from_db()
    assert consignment.status == "results_in"

    through(world, consignment, "approve", start="approve")
    certificate = Certificate.objects.get()
    inspector.goto(f"/bureau/consignments/{consignment.pk}/")
    expect(inspector.locator("[data-testid=certificate-state]")).to_have_attribute("data-state", "valid")
    snap(shot, inspector, "consignment-certified")

    public = new_context(locale).new_page()
    public.goto("/" + verify_url(certificate).split("/", 3)[3])
    expect(public.locator("[data-testid=verify-result]")).to_have_attribute("data-state", "valid")
    snap(shot, public, "verification")

    # The PDF, as the inspector downloads it: its text holds the tags and the Chinese title.
    pdf = inspector.request.get(
        reverse("portal_ciq:certificate_pdf", args=[consignment.pk, certificate.number])
    )
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    (tmp_path / "c.pdf").write_bytes(pdf.body())
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "c.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "动物卫生证书" in text and all(a.national_code in text for a in animals[1:])

    # Offline: the QR code's content checked with only the published keys, no server asked.
    keys = public.request.get("/.well-known/hk-livestock/certificate-keys.json")
    assert keys.ok
    (tmp_path / "keys.json").write_bytes(keys.body())
    assert verify_main([verify_url(certificate), "--keys", str(tmp_path / "keys.json")]) == 0

    # Voided by the inspector with a reason: the public page says so at once.
    inspector.goto(f"/bureau/consignments/{consignment.pk}/")
    card = inspector.locator(f"[data-certificate='{certificate.number}']")
    card.locator("input[name=reason]").fill("装车前发现证书信息有误")
    card.get_by_test_id("void").click()
    expect(inspector.locator("[data-testid=certificate-state]")).to_have_attribute("data-state", "void")
    public.reload()
    expect(public.locator("[data-testid=verify-result]")).to_have_attribute("data-state", "void")
    snap(shot, public, "verification-void")
