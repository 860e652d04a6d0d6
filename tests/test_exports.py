"""Every spreadsheet or CSV file the system writes neutralises text that would run as a formula.

A farm named ``=HYPERLINK(…)`` or an uploaded cell ``=cmd|' /C calc'!A0`` must reach the
inspector's spreadsheet as text. Each export is fetched here with such text in it; a last test
finds every place in the code that writes CSV or Excel, so that a new export cannot skip this.
"""

import csv
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.spreadsheets import FORMULA_STARTS, safe_cell, safe_row
from tests.farms.factories import registered_farm
from tests.livestock.factories import csv_file

pytestmark = pytest.mark.django_db

HOSTILE = {
    "=": '=HYPERLINK("http://example.com/x","点击")',
    "+": "+86 139 0000 0001",
    "-": "-2+3+cmd|' /C calc'!A0",
    "@": "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t": "\t=1+1",
    "\r": "\r=1+1",
}


def test_safe_cell_neutralises_text_not_numbers():
    import datetime as dt
    from decimal import Decimal

    for start, text in HOSTILE.items():
        assert safe_cell(text) == "'" + text, start
    assert safe_cell("华丰一场") == "华丰一场" and safe_cell("") == ""
    for number in (-5, -0.5, Decimal("-1.25"), 0, True, None, dt.date(2026, 1, 1)):
        assert safe_cell(number) == number
    assert safe_row(["=1", -1, "a"]) == ["'=1", -1, "a"]


def dangerous(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def test_the_farm_registry_workbook(world, client_for):
    registered_farm(
        world,
        name_zh=HOSTILE["="],
        name_en=HOSTILE["-"],
        address=HOSTILE["@"],
        vet_name=HOSTILE["+"],
        vet_licence=HOSTILE["\t"],
    )
    response = client_for(world.manager).get(reverse("portal_ciq:farm_export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a cell is a formula"
    assert not [c.value for c in cells if dangerous(c.value)]
    texts = {c.value for c in cells}
    assert "'" + HOSTILE["="] in texts and "'" + HOSTILE["-"] in texts and "'" + HOSTILE["@"] in texts
    assert any(isinstance(c.value, int | float) for c in cells)  # numbers stay numbers


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_error_report_of_a_herd_list(world, client_for):
    from livestock.models import AnimalImport

    farm = registered_farm(world)
    clerk = client_for(world.ent_a_staff)
    upload = csv_file(
        "herd.csv",
        ["耳标号", "性别", "出生日期", "圈舍"],
        # (the factory joins cells with commas: values without one)
        [["=cmd|' /C calc'!A0", "母", "2026-08-01", "1号猪舍"], ["12345", HOSTILE["@"], HOSTILE["-"], "+1"]],
    )
    clerk.post(reverse("portal_enterprise:animal_import", args=[farm.pk]), {"file": upload})
    animal_import = AnimalImport.objects.get()
    rows = csv_rows(clerk.get(reverse("portal_enterprise:animal_import_errors", args=[animal_import.pk])))
    values = [cell for row in rows for cell in row]
    assert not [v for v in values if dangerous(v)], rows
    assert "'=cmd|' /C calc'!A0" in values and "'" + HOSTILE["@"] in values, rows


@pytest.mark.parametrize("name", ["portal_enterprise:herd_template", "portal_enterprise:tag_template"])
def test_the_csv_templates(world, client_for, name):
    registered_farm(world)
    rows = csv_rows(client_for(world.ent_a_staff).get(reverse(name)))
    assert rows and not [v for row in rows for v in row if dangerous(v)]


ROOT = Path(__file__).resolve().parents[1]
WRITERS = re.compile(r"csv\.writer\(|csv\.DictWriter\(|Workbook\(|xlsxwriter")
# Each file that writes a spreadsheet, and the test above that fetches what it writes.
KNOWN = {
    "portal_ciq/farms/exports.py": test_the_farm_registry_workbook,
    "portal_enterprise/livestock/imports.py": test_the_error_report_of_a_herd_list,
}


def test_every_export_is_known_and_neutralised():
    found = set()
    for path in ROOT.glob("*/**/*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if (
            relative.startswith((".venv/", "tests/", "bench/", "static/", "var/"))
            or "/migrations/" in relative
            # Build scripts that write the project's own data files, run by developers (no user text).
            or "/data/build_" in relative
        ):
            continue
        text = path.read_text(encoding="utf-8")
        if WRITERS.search(text):
            found.add(relative)
            assert "safe_cell" in text or "safe_row" in text, f"{relative} writes cells without safe_cell"
    assert found == set(KNOWN), f"a new export? add its test to tests/test_exports.py: {found - set(KNOWN)}"
