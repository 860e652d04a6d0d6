"""The enterprise's herd pages: what they show, what they refuse, and that a refusal changes nothing.

The services' own rules are tested in tests/livestock; here a clerk goes through the pages. Pages
are read in English where a test compares a service's message with its msgid.
"""

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.text import format_lazy

from livestock.models import Animal, AnimalImport, EarTag, Event, ProductionLog, SubstanceAlert, TagIssue
from livestock.models import VaccinationRequirement as Requirement
from livestock.services import animals as animal_services
from livestock.services import cells
from livestock.services import records as record_services
from livestock.services.records import log_record
from tests.farms.factories import registered_farm
from tests.livestock.factories import (
    csv_file,
    feed_records,
    herd,
    herd_file,
    issue_tags,
    national,
    rfid,
    sightings,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def farm(world):
    return registered_farm(world)


@pytest.fixture
def animals(world, farm):
    return herd(world.ent_a_staff, farm, range(1, 6))


@pytest.fixture
def clerk(client_for, world):
    """Enterprise A's clerk, reading the pages in English."""
    client = client_for(world.ent_a_staff)
    client.cookies["django_language"] = "en"
    return client


def english(message, **kw):
    """A message as an English page shows it (HTML-escaped)."""
    with translation.override("en"):
        return escape(str(format_lazy(message, **kw) if kw else message))


def url(name, *args, **kwargs):
    return reverse(f"portal_enterprise:{name}", args=args or None, kwargs=kwargs or None)


def today():
    return timezone.localdate()


def medicate(world, farm, animal, days=14, product="阿莫西林可溶性粉", on=None):
    return log_record(
        actor=world.ent_a_staff,
        farm=farm,
        kind="medication",
        occurred_on=on or today(),
        fields={
            "product": product,
            "active_substance": "阿莫西林",
            "dose": "20",
            "dose_unit": "mg",
            "withdrawal_days": str(days),
        },
        animal_ids=[animal.pk],
    )


# --- every page, both languages, and nobody else's herd ------------------------------------


def all_pages(world, farm, animals):
    log = medicate(world, farm, animals[0])
    issue_tags(world.ent_a_staff, [50])
    check = animal_services.animals_import_check(actor=world.ent_a_staff, farm=farm, file=herd_file([50]))
    pages = [
        url("herd_home"),
        url("herd_farm", farm.pk),
        url("animal_create", farm.pk),
        url("animal_import", farm.pk),
        url("animal_import_preview", check.pk),
        url("log_list", farm.pk),
        url("quick_entry", farm.pk),
        url("log_detail", log.pk),
        url("animal_detail", animals[0].pk),
        url("animal_edit", animals[0].pk),
        url("animal_retag", animals[0].pk),
        url("animal_find"),
        url("tag_list"),
        url("tag_import"),
    ]
    pages += [url("log_create", farm.pk, kind) for kind in ProductionLog.Kind.values]
    return pages


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_renders_for_the_own_enterprise(world, farm, animals, client_for, language):
    client = client_for(world.ent_a_staff)
    client.cookies["django_language"] = language
    for page in all_pages(world, farm, animals):
        response = client.get(page)
        assert response.status_code == 200, page
        assert f'<html lang="{language}"' in response.content.decode(), page


def test_another_enterprise_finds_nothing(world, farm, animals, client_for):
    pages = [p for p in all_pages(world, farm, animals) if "/find/" not in p]
    client = client_for(world.ent_b_admin)
    for page in pages:
        if page.endswith(("/herd/", "/tags/", "/tags/import/")):
            assert client.get(page).status_code == 200  # its own (empty) herd and stock
        else:
            assert client.get(page).status_code == 404, page
    response = client.get(url("animal_find"), {"q": animals[0].national_code})
    assert response.status_code == 200 and b'data-testid="not-found"' in response.content
    waiting = AnimalImport.objects.get(status=AnimalImport.Status.CHECKED)
    assert client.post(url("animal_import_confirm", waiting.pk)).status_code == 404


def test_the_bureau_is_refused_in_the_enterprise_portal(world, farm, animals, client_for):
    client = client_for(world.insp_a)
    assert client.get(url("herd_farm", farm.pk)).status_code == 403
    assert client.get(url("animal_detail", animals[0].pk)).status_code == 403


def test_the_navigation_has_a_herd_section(world, clerk):
    page = clerk.get(url("herd_home")).content.decode()
    for href in (
        url("herd_home"),
        f"{url('herd_home')}?go=records",
        f"{url('herd_home')}?go=quick",
        url("tag_list"),
    ):
        assert f'href="{href}"' in page


def test_with_one_farm_records_and_quick_entry_open_it(world, farm, clerk):
    from farms.models import Farm

    Farm.objects.filter(enterprise=world.ent_a).exclude(pk=farm.pk).delete()
    assert clerk.get(url("herd_home"), {"go": "records"})["Location"] == url("log_list", farm.pk)
    assert clerk.get(url("herd_home"), {"go": "quick"})["Location"] == url("quick_entry", farm.pk)


def test_home_summary_counts_the_herd(world, farm, animals, clerk):
    medicate(world, farm, animals[0])
    page = clerk.get(url("herd_home"), {"fragment": "summary"}).content.decode()
    assert 'data-testid="herd-summary"' in page and farm.name_en in page
    assert "<html" not in page  # a fragment for the company's home page
    assert 'hx-get="/enterprise/herd/?fragment=summary"' in clerk.get(url("home")).content.decode()


# --- registering one animal ------------------------------------------------------------------


def register_post(**overrides):
    data = {
        "tag": national(70),
        "sex": "female",
        "breed": "杜洛克",
        "birth_date": "2026-08-01",
        "entry_date": "",
        "pen": "1号猪舍",
        "origin": "self_bred",
        "origin_note": "",
    }
    data.update(overrides)
    return data


def test_the_tag_field_takes_the_reader(world, farm, clerk):
    page = clerk.get(url("animal_create", farm.pk)).content.decode()
    assert 'name="tag"' in page
    tag_input = page[page.index('name="tag"') - 400 : page.index('name="tag"') + 400]
    assert "autofocus" in tag_input and 'data-scan="1"' in tag_input and 'autocomplete="off"' in tag_input


def test_register_by_rfid_as_a_reader_prints_it(world, farm, clerk):
    issue_tags(world.ent_a_staff, [70])
    dot_hex = f"{156:03X}.{900_000_070:010X}"  # the reader's dot-hex form of rfid(70)
    response = clerk.post(url("animal_create", farm.pk), register_post(tag=dot_hex))
    animal = Animal.objects.get(national_code=national(70))
    assert response["Location"] == url("animal_detail", animal.pk)
    assert animal.rfid == rfid(70) and animal.pen == "1号猪舍"


def test_register_and_next_keeps_what_the_next_animal_shares(world, farm, clerk):
    issue_tags(world.ent_a_staff, [70])
    response = clerk.post(url("animal_create", farm.pk), {**register_post(), "next": "1"})
    assert response.status_code == 302
    location = response["Location"]
    assert (
        location.startswith(url("animal_create", farm.pk)) and "breed=" in location and "tag=" not in location
    )
    page = clerk.get(location).content.decode()
    assert 'value="杜洛克"' in page
    assert national(70)[1:7] in page  # the animal just registered is listed


@pytest.mark.parametrize(
    ("post", "field", "message"),
    [
        ({"tag": "12345"}, "tag", "A decimal RFID number has 15 digits, not 5."),
        ({"birth_date": "2099-01-01"}, "birth_date", format_lazy(cells.FUTURE_DATE, date="2099-01-01")),
        ({"pen": ""}, None, None),  # no pen is allowed: registers (sanity check of the harness)
    ],
)
def test_register_refusals_are_shown_beside_the_field(world, farm, clerk, post, field, message):
    issue_tags(world.ent_a_staff, [70])
    response = clerk.post(url("animal_create", farm.pk), register_post(**post))
    if field is None:
        assert response.status_code == 302
        return
    assert response.status_code == 200
    page = response.content.decode()
    errors = page[page.index(f'data-testid="error-{field}"') :]
    assert english(message) in errors[:400]
    assert not Animal.objects.exists() and not Event.objects.exists()
    assert EarTag.objects.get(national_code=national(70)).status == EarTag.Status.AVAILABLE


def test_a_tag_of_another_enterprise_is_refused(world, farm, clerk):
    issue_tags(world.ent_b_admin, [71])
    response = clerk.post(url("animal_create", farm.pk), register_post(tag=national(71)))
    assert english(animal_services.TAG_UNKNOWN, tag=national(71)) in response.content.decode()
    assert not Animal.objects.exists()
    assert EarTag.objects.get(national_code=national(71)).status == EarTag.Status.AVAILABLE


def test_a_farm_that_is_not_registered_keeps_no_herd(world, clerk):
    from tests.farms.factories import draft_farm

    draft = draft_farm(world)
    response = clerk.get(url("animal_create", draft.pk))
    assert response["Location"] == url("herd_farm", draft.pk)
    assert clerk.get(url("herd_farm", draft.pk)).status_code == 200


# --- the herd list: upload, preview, errors, confirm -----------------------------------------


def test_preview_with_errors_lists_row_column_value_and_offers_no_confirm(world, farm, clerk):
    issue_tags(world.ent_a_staff, [1, 2])
    bad = csv_file(
        "herd.csv",
        ["耳标号", "性别", "出生日期", "圈舍"],
        [[national(1), "母", "2026-08-01", "1号猪舍"], ["12345", "母", "2026-08-01", "9号猪舍"]],
    )
    response = clerk.post(url("animal_import", farm.pk), {"file": bad})
    animal_import = AnimalImport.objects.get()
    assert response["Location"] == url("animal_import_preview", animal_import.pk)
    assert animal_import.status == AnimalImport.Status.REFUSED
    page = clerk.get(response["Location"]).content.decode()
    errors = page[page.index('data-testid="errors"') :]
    assert '<td class="font-monospace">3</td><td>Ear tag</td><td class="font-monospace">12345</td>' in errors
    assert "A decimal RFID number has 15 digits, not 5." in errors
    assert "9号猪舍" in errors and "Pen" in errors
    assert 'data-testid="confirm"' not in page
    assert url("animal_import_confirm", animal_import.pk) not in page
    assert not Animal.objects.exists()
    # A confirmation sent anyway is refused, and still nothing is imported.
    clerk.post(url("animal_import_confirm", animal_import.pk))
    assert not Animal.objects.exists()

    report = clerk.get(url("animal_import_errors", animal_import.pk))
    assert report["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert rows[0] == ["Row", "Column", "Value", "Error"]
    assert ["3", "Ear tag", "12345", "A decimal RFID number has 15 digits, not 5."] in rows


def test_confirm_imports_every_row(world, farm, clerk):
    serials = range(1, 11)
    issue_tags(world.ent_a_staff, serials)
    response = clerk.post(url("animal_import", farm.pk), {"file": herd_file(serials)})
    preview = clerk.get(response["Location"]).content.decode()
    assert 'data-testid="confirm"' in preview and "Register 10 animals" in preview
    animal_import = AnimalImport.objects.get()
    response = clerk.post(url("animal_import_confirm", animal_import.pk))
    assert response["Location"] == url("herd_farm", farm.pk)
    assert Animal.objects.filter(farm=farm).count() == 10
    animal_import.refresh_from_db()
    assert animal_import.status == AnimalImport.Status.IMPORTED
    # Confirming twice does not import twice.
    clerk.post(url("animal_import_confirm", animal_import.pk))
    assert Animal.objects.filter(farm=farm).count() == 10


def test_cancel_imports_nothing(world, farm, clerk):
    issue_tags(world.ent_a_staff, [1])
    clerk.post(url("animal_import", farm.pk), {"file": herd_file([1])})
    animal_import = AnimalImport.objects.get()
    response = clerk.post(url("animal_import_cancel", animal_import.pk))
    assert response["Location"] == url("animal_import", farm.pk)
    animal_import.refresh_from_db()
    assert animal_import.status == AnimalImport.Status.CANCELLED and not Animal.objects.exists()


def test_an_unreadable_file_is_refused_on_the_form(world, farm, clerk):
    from django.core.files.uploadedfile import SimpleUploadedFile

    junk = SimpleUploadedFile("herd.pdf", b"%PDF-1.4\x00\x00", content_type="application/pdf")
    response = clerk.post(url("animal_import", farm.pk), {"file": junk})
    assert response.status_code == 200
    assert "neither a CSV file nor an Excel workbook" in response.content.decode()
    assert not AnimalImport.objects.exists()


def test_the_template_has_the_headers_the_import_reads(clerk):
    response = clerk.get(url("herd_template"))
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[0] == "ear tag" and "sex" in header and "pen" in header
    assert AnimalImport.objects.count() == 0


# --- production records ----------------------------------------------------------------------


def vaccination_post(farm, **overrides):
    requirement = Requirement.objects.get(species="1", disease_zh="猪瘟")
    data = {
        "occurred_on": today().isoformat(),
        "requirement": str(requirement.pk),
        "product": "猪瘟活疫苗",
        "maker": "中牧股份",
        "batch": "2026031",
        "dose": "1",
        "dose_unit": "dose",
        "route": "",
        "notes": "",
        "pen": "1号猪舍",
        "tags": "",
    }
    data.update(overrides)
    return data


def test_a_vaccination_for_a_pen_reaches_every_animal_and_its_coverage(world, farm, animals, clerk):
    response = clerk.post(url("log_create", farm.pk, "vaccination"), vaccination_post(farm))
    log = ProductionLog.objects.get()
    assert response["Location"] == url("log_detail", log.pk)
    assert log.animal_count == 5 and log.pen == "1号猪舍"
    page = clerk.get(url("animal_detail", animals[0].pk)).content.decode()
    coverage = page[page.index('data-testid="coverage"') :]
    covered = f'data-requirement="{log.requirement_id}" data-state="covered"'
    assert covered in coverage


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"occurred_on": "2099-01-01"},
            "occurred_on",
            format_lazy(cells.FUTURE_DATE, date="2099-01-01"),
        ),
        (
            {"dose": "5000", "dose_unit": "ml"},
            "dose",
            format_lazy(record_services.DOSE_RANGE, dose="5000", unit="ml", low="0.01", high="500"),
        ),
        ({"tags": "144132299999999"}, "tags", None),
    ],
)
def test_record_refusals_are_shown_beside_the_field(world, farm, animals, clerk, overrides, field, message):
    response = clerk.post(url("log_create", farm.pk, "vaccination"), vaccination_post(farm, **overrides))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-testid="error-{field}"' in page
    if message is not None:
        assert english(message) in page
    assert not ProductionLog.objects.exists() and not Event.objects.exclude(kind="registered").exists()


def test_a_banned_drug_is_refused_and_the_inspector_alerted(world, farm, animals, clerk):
    post = {
        "occurred_on": today().isoformat(),
        "product": "盐酸克仑特罗",
        "active_substance": "克仑特罗",
        "dose": "1",
        "dose_unit": "mg",
        "withdrawal_days": "0",
        "animals": [str(animals[0].pk)],
    }
    response = clerk.post(url("log_create", farm.pk, "medication"), post)
    assert response.status_code == 200
    page = response.content.decode()
    assert english(record_services.BANNED, substance="Clenbuterol") in page
    assert 'data-testid="error-product"' in page
    assert not ProductionLog.objects.exists()
    alert = SubstanceAlert.objects.get()
    assert alert.farm == farm and alert.branch == world.branch_a and alert.animal_count == 1
    animals[0].refresh_from_db()
    assert animals[0].withdrawal_until is None
    # It is in the branch inspector's alerts centre, and nowhere else needs to be looked at.
    from django.test import Client

    inspector = Client()
    inspector.force_login(world.insp_a)
    centre = inspector.get(reverse("portal_ciq:alert_centre"))
    assert [a.pk for a in centre.context["alerts"]] == [alert.alert_id]
    assert farm.name_zh in centre.content.decode()


def test_a_medication_blocks_export_and_the_page_says_until_when(world, farm, animals, clerk):
    post = {
        "occurred_on": today().isoformat(),
        "product": "阿莫西林可溶性粉",
        "active_substance": "阿莫西林",
        "dose": "20",
        "dose_unit": "mg",
        "withdrawal_days": "14",
        "animals": [str(animals[1].pk)],
        "pen": "",
    }
    clerk.post(url("log_create", farm.pk, "medication"), post)
    until = today() + dt.timedelta(days=14)
    page = clerk.get(url("animal_detail", animals[1].pk)).content.decode()
    banner = page[page.index('data-testid="withdrawal-banner"') :][:800]
    assert f"Cannot be exported until {until:%Y-%m-%d} (withdrawal period of 阿莫西林可溶性粉)" in banner
    assert (
        'data-testid="withdrawal-banner"'
        not in clerk.get(url("animal_detail", animals[2].pk)).content.decode()
    )
    table = clerk.get(url("herd_farm", farm.pk), {"withdrawal": "yes"}).content.decode()
    assert table.count('data-testid="withdrawal"') == 1 and f'data-animal="{animals[1].pk}"' in table


def test_ticked_animals_from_the_herd_table_come_to_the_form(world, farm, animals, clerk):
    page = clerk.get(url("log_create", farm.pk, "feed"), {"animal": [animals[0].pk, animals[3].pk]})
    chosen = page.content.decode()
    chosen = chosen[chosen.index('data-testid="chosen"') :]
    assert f'name="animals" value="{animals[0].pk}" checked' in chosen
    assert f'name="animals" value="{animals[3].pk}" checked' in chosen
    assert "2 animals chosen" in chosen


def test_quick_entry_by_scanned_tags(world, farm, animals, clerk):
    page = clerk.get(url("quick_entry", farm.pk), {"pen": "1号猪舍", "kind": "vaccination"}).content.decode()
    assert page.count('class="quick-animal') == 5
    post = vaccination_post(farm, kind="vaccination")
    # A reader's lines: one national code, one RFID number (decimal), one spaced.
    post["tags"] = f"{animals[0].national_code}\n{animals[1].rfid}\n1 441322 {national(3)[7:]}\n"
    response = clerk.post(url("quick_entry", farm.pk), post)
    assert response.status_code == 302
    assert (
        response["Location"].startswith(url("quick_entry", farm.pk))
        and "kind=vaccination" in response["Location"]
    )
    log = ProductionLog.objects.get()
    assert {link.animal_id for link in log.links.all()} == {animals[0].pk, animals[1].pk, animals[2].pk}


def test_quick_entry_checks_each_tag_as_it_is_scanned(world, farm, animals, clerk, client_for):
    """An unknown tag was taken into the list and refused only after submitting: now the scan
    is checked at once, by the same rule as saving, within the user's own farms."""
    check = url("quick_tag_check", farm.pk)
    known = clerk.get(check, {"tag": animals[1].rfid}).json()
    assert known == {
        "ok": True,
        "id": animals[1].pk,
        "code": animals[1].national_code,
        "rfid": animals[1].rfid,
        "pen": animals[1].pen,
    }
    unknown = clerk.get(check, {"tag": national(99)}).json()
    assert (
        unknown["ok"] is False
        and national(99) in unknown["error"]
        and "Not an animal of this farm" in unknown["error"]
    )
    garbled = clerk.get(check, {"tag": "12AB"}).json()
    assert garbled["ok"] is False and garbled["error"]
    assert clerk.get(check, {"tag": ""}).json()["ok"] is False
    # Another enterprise cannot ask about this farm's animals at all.
    assert client_for(world.ent_b_staff).get(check, {"tag": animals[1].rfid}).status_code == 404


def test_quick_entry_says_which_animals_were_recorded(world, farm, animals, clerk):
    post = vaccination_post(farm, kind="vaccination", animals=[str(animals[4].pk), str(animals[0].pk)])
    response = clerk.post(url("quick_entry", farm.pk), post, follow=True)
    shown = " ".join(str(m) for m in response.context["messages"])
    codes = sorted([animals[0].national_code, animals[4].national_code])
    assert f"for 2 animals: {codes[0]}, {codes[1]}." in shown
    one = vaccination_post(farm, kind="vaccination", animals=[str(animals[2].pk)])
    shown = " ".join(
        str(m) for m in clerk.post(url("quick_entry", farm.pk), one, follow=True).context["messages"]
    )
    assert f"for 1 animal: {animals[2].national_code}." in shown


def test_quick_entry_with_nothing_chosen_records_nothing(world, farm, animals, clerk):
    response = clerk.post(url("quick_entry", farm.pk), vaccination_post(farm, kind="vaccination"))
    assert response.status_code == 200
    assert english(record_services.NO_ANIMALS) in response.content.decode()
    assert not ProductionLog.objects.exists()


def test_quick_entry_ticked_animals(world, farm, animals, clerk):
    post = vaccination_post(farm, kind="vaccination", animals=[str(animals[4].pk)])
    clerk.post(url("quick_entry", farm.pk), post)
    assert [link.animal_id for link in ProductionLog.objects.get().links.all()] == [animals[4].pk]


def test_the_log_list_filters_by_kind(world, farm, animals, clerk):
    medicate(world, farm, animals[0])
    clerk.post(url("log_create", farm.pk, "vaccination"), vaccination_post(farm))
    page = clerk.get(url("log_list", farm.pk), {"kind": "medication"}).content.decode()
    rows = page[page.index('data-testid="logs"') :]
    assert rows.count("data-log=") == 1 and 'data-kind="medication"' in rows


# --- re-tagging, finding, the record page ----------------------------------------------------


def test_retag_keeps_the_old_tag_in_the_record(world, farm, animals, clerk):
    issue_tags(world.ent_a_staff, [80])
    old = animals[0].national_code
    response = clerk.post(url("animal_retag", animals[0].pk), {"new_tag": national(80), "reason": "Lost"})
    assert response["Location"] == url("animal_detail", animals[0].pk)
    page = clerk.get(response["Location"]).content.decode()
    assert f'data-code="{national(80)}"' in page[page.index('data-testid="current-tag"') :][:300]
    former = page[page.index('data-testid="former-tag"') :][:600]
    assert f'data-code="{old}"' in former and "Lost" in former
    assert clerk.get(url("animal_find"), {"q": old})["Location"] == url("animal_detail", animals[0].pk)


def test_retag_with_a_used_tag_changes_nothing(world, farm, animals, clerk):
    response = clerk.post(
        url("animal_retag", animals[0].pk), {"new_tag": animals[1].national_code, "reason": "Lost"}
    )
    assert response.status_code == 200
    assert 'data-testid="error-new_tag"' in response.content.decode()
    animals[0].refresh_from_db()
    assert animals[0].national_code == national(1)


def test_edit_moves_the_animal_and_records_it(world, farm, animals, clerk):
    post = {
        "sex": "male",
        "breed": "长白",
        "birth_date": animals[0].birth_date.isoformat(),
        "entry_date": "",
        "pen": "",
        "origin": "purchased",
        "origin_note": "从博罗县某场购入",
    }
    response = clerk.post(url("animal_edit", animals[0].pk), post)
    assert response.status_code == 302
    page = clerk.get(url("animal_detail", animals[0].pk)).content.decode()
    assert (
        'data-testid="origin-flag"' in page and 'data-kind="moved"' in page and 'data-kind="updated"' in page
    )


def test_find_by_any_form_of_the_tag(world, farm, animals, clerk):
    spaced = f"{animals[2].rfid[:3]} {animals[2].rfid[3:]}"
    assert clerk.get(url("animal_find"), {"q": spaced})["Location"] == url("animal_detail", animals[2].pk)
    response = clerk.get(url("animal_find"), {"q": "144132299999999"})
    assert response.status_code == 200 and b'data-testid="not-found"' in response.content


def test_the_timeline_runs_either_way(world, farm, animals, clerk):
    medicate(world, farm, animals[0])
    oldest = clerk.get(url("animal_detail", animals[0].pk)).content.decode()
    newest = clerk.get(url("animal_detail", animals[0].pk), {"order": "newest"}).content.decode()

    def kinds(page):
        timeline = page[page.index('data-testid="timeline"') :]
        return [chunk.split('"')[0] for chunk in timeline.split('class="record-event record-kind-')[1:]]

    assert kinds(oldest) == ["registered", "withdrawal"]
    assert kinds(newest) == ["withdrawal", "registered"]


# --- the timeline, a page at a time ----------------------------------------------------------


def shown_events(page: str) -> list[str]:
    """The events of a page's timeline in the order shown: the kind, or the gate of a sighting."""
    timeline = page[
        page.index('data-testid="timeline"') : page.index("</ol>", page.index('data-testid="timeline"'))
    ]
    shown = []
    for chunk in timeline.split('class="record-event record-kind-')[1:]:
        kind = chunk.split('"')[0]
        shown.append(chunk.split("urn:test:gate:")[1][:3] if kind == "seen" else kind)
    return shown


def recorded_events(animal) -> list[str]:
    """The same, from the database, oldest first."""
    events = Event.objects.filter(animal=animal).order_by("event_time", "pk")
    return [e.biz_location.rpartition(":")[2] if e.kind == "seen" else e.kind for e in events]


@pytest.fixture
def long_record(world, farm, animals):
    """animals[0] with 120 events: registered, a medication's withdrawal, 118 sightings."""
    medicate(world, farm, animals[0])
    sightings(animals[0], 118)
    return animals[0]


def test_the_timeline_is_shown_50_events_a_page(long_record, clerk):
    everything = recorded_events(long_record)
    assert len(everything) == 120
    pages = [
        clerk.get(url("animal_detail", long_record.pk), {"events_page": n}).content.decode()
        for n in (1, 2, 3)
    ]
    assert [len(shown_events(p)) for p in pages] == [50, 50, 20]
    assert shown_events(pages[0]) + shown_events(pages[1]) + shown_events(pages[2]) == everything
    assert all('data-testid="event-count">120<' in p for p in pages)  # the count is of the whole record
    assert "Page 1 of 3 · 120 events" in pages[0] and "Page 3 of 3" in pages[2]
    # The record's link of an event is still there on whichever page the event falls.
    log = ProductionLog.objects.get(links__animal=long_record)
    assert f"Record #{log.pk}" in pages[0]

    newest = [
        clerk.get(
            url("animal_detail", long_record.pk), {"order": "newest", "events_page": n}
        ).content.decode()
        for n in (1, 2, 3)
    ]
    assert shown_events(newest[0])[0] == "117"  # the last sighting first
    assert shown_events(newest[2])[-2:] == ["withdrawal", "registered"]
    assert shown_events(newest[0]) + shown_events(newest[1]) + shown_events(newest[2]) == everything[::-1]
    assert f"Record #{log.pk}" in newest[2] and f"Record #{log.pk}" not in newest[0]


def test_the_pager_keeps_the_other_parameters(long_record, clerk):
    first = clerk.get(url("animal_detail", long_record.pk), {"order": "newest"}).content.decode()
    pager = first[first.index('data-testid="events-pager"') :]
    assert 'href="?order=newest&amp;events_page=2#timeline"' in pager
    assert 'rel="prev"' not in pager  # nothing before the first page
    middle = clerk.get(
        url("animal_detail", long_record.pk), {"order": "newest", "events_page": 2}
    ).content.decode()
    assert 'href="?order=newest&amp;events_page=1#timeline"' in middle
    assert 'href="?order=newest&amp;events_page=3#timeline"' in middle
    # Turning the order round starts again at the first page.
    assert 'href="?order=oldest"' in middle and 'href="?order=newest"' in middle


@pytest.mark.parametrize(
    "number, shown", [("", 50), ("abc", 50), ("2.5", 50), ("0", 20), ("-1", 20), ("999", 20)]
)
def test_a_bad_page_number_gives_the_nearest_page(long_record, clerk, number, shown):
    response = clerk.get(url("animal_detail", long_record.pk), {"events_page": number})
    assert response.status_code == 200
    assert len(shown_events(response.content.decode())) == shown


def test_a_short_record_has_no_pager(animals, clerk):
    page = clerk.get(url("animal_detail", animals[0].pk)).content.decode()
    assert shown_events(page) == ["registered"] and 'data-testid="events-pager"' not in page


def test_the_record_page_queries_do_not_grow_with_the_events(
    world, farm, animals, long_record, clerk, django_assert_max_num_queries
):
    def queries(animal, **params) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert clerk.get(url("animal_detail", animal.pk), params).status_code == 200
        return len(captured)

    medicate(world, farm, animals[1])  # a short record: registered and withdrawal
    short = queries(animals[1])
    for params in ({}, {"order": "newest", "events_page": 3}):  # pages with the medication's event
        assert queries(long_record, **params) == short, params
    for params in ({"events_page": 2}, {"events_page": 3}):  # sightings only: no record to look up
        assert queries(long_record, **params) == short - 1, params
    with django_assert_max_num_queries(18):  # +1: the navigation's open alerts
        clerk.get(url("animal_detail", long_record.pk), {"order": "newest", "events_page": 3})


# --- the production records, a page at a time -----------------------------------------------


def shown_logs(page: str) -> list[int]:
    """The production records of a page's table in the order shown (their ids)."""
    table = page[page.index('data-testid="records"') :]
    return [int(pk) for pk in re.findall(r'<tr data-kind="[a-z]+" data-log="(\d+)"', table)]


def recorded_logs(animal) -> list[int]:
    """The same, from the database, newest first."""
    return list(
        ProductionLog.objects.filter(links__animal=animal)
        .order_by("-occurred_on", "-pk")
        .values_list("pk", flat=True)
    )


def pager(page: str, testid: str) -> str:
    start = page.index(f'data-testid="{testid}"')
    return page[start : page.index("</nav>", start)]


@pytest.fixture
def many_logs(world, farm, animals):
    """animals[0] with 120 production records: 118 days of feed, a medication 60 days ago whose
    90-day withdrawal still runs (and puts the record on the second page of the table), and one of
    today whose shorter withdrawal does not change the date (it is never shortened). Its record
    has 121 events: registered, the 118 feeds and the two withdrawals."""
    animal = animals[0]
    feed_records(world.ent_a_staff, farm, animal, 118)
    medicate(world, farm, animal, days=90, product="氟苯尼考粉", on=today() - dt.timedelta(days=60))
    medicate(world, farm, animal, days=10)
    return animal


def test_the_records_are_shown_50_a_page_newest_first(many_logs, clerk):
    everything = recorded_logs(many_logs)
    assert len(everything) == 120
    pages = [
        clerk.get(url("animal_detail", many_logs.pk), {"logs_page": n}).content.decode() for n in (1, 2, 3)
    ]
    assert [len(shown_logs(p)) for p in pages] == [50, 50, 20]
    assert shown_logs(pages[0]) + shown_logs(pages[1]) + shown_logs(pages[2]) == everything
    assert all('data-testid="log-count">120<' in p for p in pages)  # the count is of every record
    assert "Page 1 of 3 · 120 records" in pager(pages[0], "logs-pager")
    assert "Page 3 of 3 · 120 records" in pager(pages[2], "logs-pager")
    first_day = pages[0][pages[0].index('data-testid="records"') :]
    assert first_day.index(today().isoformat()) < first_day.index(
        (today() - dt.timedelta(days=1)).isoformat()
    )
    # The timeline is paged on its own: 121 events, whichever page of the table is shown.
    assert all("Page 1 of 3 · 121 events" in pager(p, "events-pager") for p in pages)
    assert len({tuple(shown_events(p)) for p in pages}) == 1


def test_the_two_pagers_keep_each_other(many_logs, clerk):
    page = clerk.get(
        url("animal_detail", many_logs.pk), {"order": "newest", "events_page": 2, "logs_page": 2}
    ).content.decode()
    logs_pager, events_pager = pager(page, "logs-pager"), pager(page, "events-pager")
    assert 'href="?order=newest&amp;events_page=2&amp;logs_page=1#records"' in logs_pager
    assert 'href="?order=newest&amp;events_page=2&amp;logs_page=3#records"' in logs_pager
    assert 'href="?order=newest&amp;events_page=1&amp;logs_page=2#timeline"' in events_pager
    assert 'href="?order=newest&amp;events_page=3&amp;logs_page=2#timeline"' in events_pager
    # Turning the timeline round starts it again at its first page; the table stays where it was.
    assert 'href="?order=oldest&amp;logs_page=2"' in page and 'href="?order=newest&amp;logs_page=2"' in page
    # Each list shows the same page whatever the other's page is.
    alone = clerk.get(url("animal_detail", many_logs.pk), {"order": "newest", "events_page": 2})
    assert shown_events(alone.content.decode()) == shown_events(page)
    other = clerk.get(url("animal_detail", many_logs.pk), {"events_page": 3, "logs_page": 2})
    assert shown_logs(other.content.decode()) == shown_logs(page) == recorded_logs(many_logs)[50:100]


@pytest.mark.parametrize(
    "number, shown", [("", 50), ("abc", 50), ("2.5", 50), ("0", 20), ("-1", 20), ("999", 20)]
)
def test_a_bad_records_page_number_gives_the_nearest_page(many_logs, clerk, number, shown):
    response = clerk.get(url("animal_detail", many_logs.pk), {"logs_page": number, "events_page": number})
    assert response.status_code == 200
    page = response.content.decode()
    assert len(shown_logs(page)) == shown and len(shown_events(page)) == (21 if shown == 20 else 50)


def test_the_banner_names_its_medication_on_any_page_of_the_table(many_logs, clerk):
    treated = today() - dt.timedelta(days=60)
    medication = ProductionLog.objects.get(links__animal=many_logs, product="氟苯尼考粉")
    for n in (1, 2, 3):
        page = clerk.get(url("animal_detail", many_logs.pk), {"logs_page": n}).content.decode()
        banner = page[page.index('data-testid="withdrawal-banner"') :][:1000]
        until = treated + dt.timedelta(days=90)
        assert f"Cannot be exported until {until:%Y-%m-%d} (withdrawal period of 氟苯尼考粉)" in banner
        assert f"Treated on {treated:%Y-%m-%d}; withdrawal period 90 days." in banner
        assert (medication.pk in shown_logs(page)) == (n == 2)


def test_every_event_links_its_record_whichever_page_of_the_table_it_is_on(many_logs, clerk):
    page = clerk.get(url("animal_detail", many_logs.pk)).content.decode()  # both lists on page 1
    start = page.index('data-testid="timeline"')
    timeline = page[start : page.index("</ol>", start)]
    linked = [int(pk) for pk in re.findall(r"Record #(\d+)</a>", timeline)]
    # The oldest events are the oldest feeds: records at the end of the table, not on its page.
    events = Event.objects.filter(animal=many_logs).order_by("event_time", "pk")[:50]
    assert linked == [e.data["log"] for e in events if "log" in e.data] and len(linked) >= 49
    assert set(linked) <= set(recorded_logs(many_logs)[50:]) and not set(linked) & set(shown_logs(page))
    assert set(linked) & set(recorded_logs(many_logs)[100:])  # some of them on the last page
    assert all(f'href="{url("log_detail", pk)}"' in timeline for pk in linked)


def test_the_record_page_queries_do_not_grow_with_the_records(
    world, farm, animals, many_logs, clerk, django_assert_max_num_queries
):
    def queries(animal, **params) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert clerk.get(url("animal_detail", animal.pk), params).status_code == 200
        return len(captured)

    medicate(world, farm, animals[1])  # a short record: one record, two events, a withdrawal
    short = queries(animals[1])
    for params in (
        {},
        {"logs_page": 2},
        {"logs_page": 3},
        {"events_page": 3},
        {"order": "newest", "events_page": 2, "logs_page": 3},
    ):
        assert queries(many_logs, **params) == short, params
    with django_assert_max_num_queries(18):  # +1: the navigation's open alerts
        clerk.get(url("animal_detail", many_logs.pk), {"logs_page": 3, "events_page": 3})


# --- the ear-tag stock -----------------------------------------------------------------------


def test_tag_import_through_the_page(world, clerk):
    rows = [[national(s), rfid(s)] for s in (90, 91)]
    upload = csv_file("tags.csv", ["国家标识码", "电子标识号"], rows)
    response = clerk.post(url("tag_import"), {"supplier": "牧翔耳标厂", "reference": "DN-1", "file": upload})
    assert response.status_code == 302
    assert TagIssue.objects.get().tag_count == 2
    page = clerk.get(response["Location"]).content.decode()
    assert page.count("data-tag=") == 2


def test_tag_import_errors_are_listed_and_nothing_is_imported(world, clerk):
    rows = [[national(90), rfid(90)], ["1441322", rfid(91)]]
    upload = csv_file("tags.csv", ["national_code", "rfid"], rows)
    response = clerk.post(url("tag_import"), {"supplier": "牧翔耳标厂", "file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    errors = page[page.index('data-testid="errors"') :]
    assert 'data-row="3" data-column="national_code"' in errors and "1441322" in errors
    assert not EarTag.objects.exists() and not TagIssue.objects.exists()


def test_tag_list_filters_by_status(world, farm, animals, clerk):
    issue_tags(world.ent_a_staff, [95, 96])
    page = clerk.get(url("tag_list"), {"status": "available"}).content.decode()
    assert page.count("data-tag=") == 2
    page = clerk.get(url("tag_list"), {"q": animals[0].rfid}).content.decode()
    assert page.count("data-tag=") == 1


# --- query counts ----------------------------------------------------------------------------


def test_query_counts_do_not_grow_with_the_herd(world, farm, clerk, django_assert_max_num_queries):
    animals = herd(world.ent_a_staff, farm, range(1, 61))
    for animal in animals[:3]:
        medicate(world, farm, animal)
    clerk.post(url("log_create", farm.pk, "vaccination"), vaccination_post(farm))
    # Each page pays the same few queries for the session, the user and the permissions; the
    # rest must not depend on the size of the herd.
    with django_assert_max_num_queries(16):
        response = clerk.get(url("herd_farm", farm.pk))
    assert response.content.decode().count("data-animal=") == 50  # 50 a page
    # The two pagers' counts, the events' records, the banner's, the navigation's open alerts.
    with django_assert_max_num_queries(18):
        clerk.get(url("animal_detail", animals[0].pk))
    with django_assert_max_num_queries(12):
        clerk.get(url("log_list", farm.pk))
    with django_assert_max_num_queries(12):  # 11, and the navigation's open alerts
        clerk.get(url("log_detail", ProductionLog.objects.order_by("pk").last().pk))
    with django_assert_max_num_queries(12):
        clerk.get(url("tag_list"))
    with django_assert_max_num_queries(15):
        response = clerk.get(url("quick_entry", farm.pk), {"pen": "1号猪舍"})
    assert response.content.decode().count('class="quick-animal') == 60


# --- the same record in the bureau's portal --------------------------------------------------


def test_the_bureau_reads_the_same_record(world, farm, animals, client_for):
    medicate(world, farm, animals[0])
    until = today() + dt.timedelta(days=14)
    inspector = client_for(world.insp_a)
    inspector.cookies["django_language"] = "en"
    page = inspector.get(reverse("portal_ciq:animal_detail", args=[animals[0].pk])).content.decode()
    assert f"Cannot be exported until {until:%Y-%m-%d} (withdrawal period of 阿莫西林可溶性粉)" in page
    assert 'data-kind="withdrawal"' in page and world.ent_a.name_en in page
    assert "/enterprise/" not in page.split('data-testid="timeline"')[1]  # no link into the other portal
    found = inspector.get(reverse("portal_ciq:animal_find"), {"q": animals[0].rfid})
    assert found["Location"] == reverse("portal_ciq:animal_detail", args=[animals[0].pk])

    other = client_for(world.insp_b)
    assert other.get(reverse("portal_ciq:animal_detail", args=[animals[0].pk])).status_code == 404
    missing = other.get(reverse("portal_ciq:animal_find"), {"q": animals[0].rfid})
    assert missing.status_code == 200 and b'data-testid="not-found"' in missing.content


def test_the_bureau_record_page_counts_its_queries(
    world, farm, animals, client_for, django_assert_max_num_queries
):
    for animal in animals:
        medicate(world, farm, animal)
    inspector = client_for(world.insp_a)
    # 14, the count of the events for their pager, the count of the records for theirs, the
    # records the events of the page name, the medication behind the withdrawal banner.
    with django_assert_max_num_queries(18):
        assert inspector.get(reverse("portal_ciq:animal_detail", args=[animals[0].pk])).status_code == 200


def test_quick_entry_starts_the_next_record_from_the_last(world, farm, animals, clerk):
    post = vaccination_post(farm, kind="vaccination", animals=[str(animals[0].pk)])
    location = clerk.post(url("quick_entry", farm.pk), post)["Location"]
    page = clerk.get(location).content.decode()
    assert 'value="猪瘟活疫苗"' in page and 'value="2026031"' in page
    assert "checked" not in page.split('data-testid="quick-animals"')[1].split("</form>")[0]
