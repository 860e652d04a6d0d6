"""Receiving ear tags: a supplier's list binds each national code to its RFID number."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from accounts.errors import DomainError
from accounts.models import User
from farms.models import Farm

from .. import tabular
from ..bulk import insert_rows
from ..eartags import NationalCode
from ..models import EarTag, TagIssue
from . import cells
from .common import NOT_YOUR_FARM

COLUMNS = {
    "national_code": ("国家标识码", "畜禽标识码", "耳标号", "耳标编码", "national code", "ear tag", "code"),
    "rfid": ("电子标识号", "RFID", "RFID号", "芯片号", "电子耳标号", "rfid number", "transponder"),
}
SUPPLIER_REQUIRED = _("Name the supplier of the tags.")
NOT_NATIONAL = _("This is an RFID number; the national 15-digit code (e.g. 144132200000123) goes here.")
REPEATED_IN_FILE = _("Also on row {row} of this file.")
ALREADY_ISSUED = _("Tag {code} has already been issued.")
RACE = _("Some of these tags were issued by someone else just now. Upload the list again to see which.")
ONLY_ENTERPRISE = _("Only an enterprise can receive ear tags.")


def _error(errors, row, column, value, message):
    errors.append({"row": row, "column": column, "value": value, "error": str(message)})


def tag_rows_check(rows: list[dict], *, first_row: int = 2) -> tuple[list[tuple[str, str, str]], list[dict]]:
    """Return ([(national_code, rfid, species)], errors) for the rows of a supplier's list."""
    good, errors = [], []
    seen_national, seen_rfid = {}, {}
    for offset, row in enumerate(rows):
        n = first_row + offset
        national = rfid = None
        raw_n, raw_r = row.get("national_code", ""), row.get("rfid", "")
        try:
            code = cells.tag(raw_n)
            if not isinstance(code, NationalCode):
                raise cells.CellError(NOT_NATIONAL)
            national = code.format()
            if national in seen_national:
                raise cells.CellError(format_lazy(REPEATED_IN_FILE, row=seen_national[national]))
            seen_national[national] = n
        except cells.CellError as exc:
            _error(errors, n, "national_code", raw_n, exc.message)
        try:
            rfid = cells.rfid(raw_r).format_decimal("")
            if rfid in seen_rfid:
                raise cells.CellError(format_lazy(REPEATED_IN_FILE, row=seen_rfid[rfid]))
            seen_rfid[rfid] = n
        except cells.CellError as exc:
            _error(errors, n, "rfid", raw_r, exc.message)
        if national and rfid:
            good.append((national, rfid, national[0], n))
    # Already issued anywhere: one query per chunk, whatever the file's size.
    for key, rows_by_code in (("national_code", seen_national), ("rfid", seen_rfid)):
        values = list(rows_by_code)
        for start in range(0, len(values), 5000):
            chunk = values[start : start + 5000]
            for code in EarTag.objects.filter(**{f"{key}__anyof": chunk}).values_list(key, flat=True):
                _error(errors, rows_by_code[code], key, code, format_lazy(ALREADY_ISSUED, code=code))
    errors.sort(key=lambda e: (e["row"], e["column"]))
    return [g[:3] for g in good], errors


def tag_issue_import(
    *, actor: User, file, supplier: str, reference: str = "", farm: Farm | None = None
) -> TagIssue:
    """Import a supplier's list of tags for the actor's enterprise: all rows, or none."""
    if not actor.is_enterprise_user:
        raise DomainError(ONLY_ENTERPRISE)
    if farm is not None and farm.enterprise_id != actor.organisation_id:
        raise DomainError(NOT_YOUR_FARM, field="farm")
    supplier = cells.text(supplier)
    if not supplier:
        raise DomainError(SUPPLIER_REQUIRED, field="supplier")
    table = tabular.read_table(
        file, columns=COLUMNS, required=("national_code", "rfid"), max_rows=settings.LIVESTOCK_IMPORT_MAX_ROWS
    )
    good, errors = tag_rows_check(table.rows, first_row=table.first_row)
    if errors:
        refused = ngettext_lazy(
            "Nothing was imported: {count} problem in the list. Correct it and upload the list again.",
            "Nothing was imported: {count} problems in the list. Correct them and upload the list again.",
            len(errors),
        )
        raise DomainError(format_lazy(refused, count=len(errors)), field="file", items=errors)
    try:
        with transaction.atomic():
            file.seek(0)
            issue = TagIssue.objects.create(
                enterprise_id=actor.organisation_id,
                farm=farm,
                supplier=supplier,
                reference=cells.text(reference),
                source_file=file,
                tag_count=len(good),
                issued_by=actor,
            )
            insert_rows(
                EarTag,
                (
                    "national_code",
                    "rfid",
                    "species",
                    "enterprise",
                    "issue",
                    "status",
                    "ear",
                    "retired_reason",
                ),
                (
                    (n, r, s, actor.organisation_id, issue.pk, EarTag.Status.AVAILABLE, "", "")
                    for n, r, s in good
                ),
            )
    except IntegrityError as exc:
        raise DomainError(RACE, field="file") from exc
    return issue
