"""The farm registry as an Excel workbook (openpyxl), written row by row.

openpyxl's write-only mode keeps memory flat however many farms are exported: rows go to a
temporary file as they are read (``iterator()``), and the response streams that file. Every cell
goes through ``accounts.spreadsheets.safe_cell``: a farm's text never becomes a formula.
"""

import tempfile

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from accounts.spreadsheets import safe_cell
from farms.places import county_label

DATE_FORMAT = "yyyy-mm-dd"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="0F766E")


def _columns():
    """Return (title, width, value of a farm, is a date) for each column, titles in the active language."""
    return [
        (_("Registration number"), 18, lambda f: f.registration_number, False),
        (_("Farm name (Chinese)"), 28, lambda f: f.name_zh, False),
        (_("Farm name (English)"), 28, lambda f: f.name_en, False),
        (_("Enterprise"), 32, lambda f: f.enterprise.name_zh, False),
        (_("Unified social credit code"), 22, lambda f: f.enterprise.credit_code, False),
        (_("Species"), 12, lambda f: str(f.get_species_display()), False),
        (_("Capacity (head)"), 12, lambda f: f.capacity, False),
        (_("County code"), 10, lambda f: f.county_code, False),
        (_("County"), 26, lambda f: county_label(f.county_code), False),
        (_("Address"), 36, lambda f: f.address, False),
        (_("Latitude"), 11, lambda f: None if f.latitude is None else float(f.latitude), False),
        (_("Longitude"), 11, lambda f: None if f.longitude is None else float(f.longitude), False),
        (_("Supervising branch"), 24, lambda f: f.branch.name_zh, False),
        (_("Status"), 14, lambda f: str(f.get_status_display()), False),
        (_("Credit grade"), 10, lambda f: f.credit_grade or "", False),
        (_("Registered on"), 13, lambda f: f.registered_on, True),
        (_("Valid until"), 13, lambda f: f.valid_until, True),
        (_("Last consignment"), 13, lambda f: f.last_consignment_on, True),
        (_("Assigned inspector"), 14, lambda f: f.inspector.full_name if f.inspector else "", False),
        (_("Filed veterinarian"), 14, lambda f: f.vet_name, False),
        (_("Submitted"), 13, lambda f: timezone.localdate(f.submitted_at) if f.submitted_at else None, True),
    ]


def farm_registry_workbook(farms) -> tempfile.SpooledTemporaryFile:
    """Write ``farms`` (with ``credit_grade`` annotated) to an .xlsx file; return it rewound."""
    columns = _columns()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Farm registry")[:31])
    for index, (_title, width, _value, _is_date) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    header = []
    for title, *_rest in columns:
        cell = WriteOnlyCell(sheet, value=safe_cell(title))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        header.append(cell)
    sheet.append(header)
    for farm in farms.iterator(chunk_size=500):
        row = []
        for _title, _width, value, is_date in columns:
            cell = WriteOnlyCell(sheet, value=safe_cell(value(farm)))
            if is_date:
                cell.number_format = DATE_FORMAT
            row.append(cell)
        sheet.append(row)
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 -- the response closes it
    workbook.save(out)
    out.seek(0)
    return out


def export_filename() -> str:
    return f"farms-{timezone.localdate():%Y%m%d}.xlsx"
