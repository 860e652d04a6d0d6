"""Import of a LIMS CSV export: every row checked (a preview) before anything is written.

The file has one row per sample and analyte; its columns are found by name (English or
Chinese). Rows are matched to consignments by sample number; each consignment must be waiting
for its results and get a result for each sample and analyte, as when they are typed in.
"""

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.errors import DomainError
from accounts.models import Role, User

from ..models import Consignment, LabResult, Sample
from .workflow import LAB_ONLY, lab_require, lab_results_check, lab_results_record

COLUMNS = {
    "sample": {"sample", "sample number", "sample_number", "样品编号", "样品号"},
    "analyte": {"analyte", "analyte code", "test", "检测项目", "项目"},
    "result": {"result", "value", "检测结果", "结果"},
}
MAX_BYTES = 2 * 1024 * 1024
NOT_TEXT = _("The file is not UTF-8 or GB18030 text; export it from LIMS as CSV.")
COLUMNS_MISSING = _("The file has no column for: {columns}. Expected e.g. 样品编号, 检测项目, 结果.")
TOO_BIG = _("The file is larger than 2 MB; export one day's results at a time.")
NO_ROWS = _("The file holds no results.")
UNKNOWN_SAMPLES = _("Sample numbers not on record: {samples}.")
OTHER_LAB = _("{problem} Its samples in the file: {samples}.")
NOT_WAITING = _("Consignment {number} is “{status}”, not waiting for lab results.")


@dataclass
class LimsPreview:
    """What an import would write, per consignment, and every problem found."""

    rows: list[dict]
    consignments: list[Consignment] = field(default_factory=list)
    problems: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.consignments)


def lims_parse(file) -> list[dict]:
    """Read the CSV into rows ``{"sample", "analyte", "result"}`` (DomainError if unreadable)."""
    raw = file.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise DomainError(TOO_BIG, field="file")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DomainError(NOT_TEXT, field="file")
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    where = {}
    for key, names in COLUMNS.items():
        found = next((i for i, h in enumerate(header) if h in names), None)
        if found is not None:
            where[key] = found
    missing = [key for key in COLUMNS if key not in where]
    if missing:
        raise DomainError(format_lazy(COLUMNS_MISSING, columns=", ".join(missing)), field="file")
    rows = []
    for line in reader:
        if not any(cell.strip() for cell in line):
            continue
        rows.append({key: (line[i].strip() if i < len(line) else "") for key, i in where.items()})
    if not rows:
        raise DomainError(NO_ROWS, field="file")
    return rows


def lims_check(*, actor: User, rows: list[dict]) -> LimsPreview:
    """Check every row against its consignment; nothing is written."""
    if actor.role not in (Role.LAB_ANALYST, Role.MANAGER):
        raise DomainError(LAB_ONLY)
    preview = LimsPreview(rows=rows)
    numbers = {r["sample"] for r in rows}
    found = dict(Sample.objects.filter(number__in=numbers).values_list("number", "consignment_id"))
    unknown = sorted(numbers - set(found))
    if unknown:
        preview.problems.append(format_lazy(UNKNOWN_SAMPLES, samples="、".join(unknown)))
    consignments = (
        Consignment.objects.filter(pk__in=set(found.values())).select_related("branch").order_by("number")
    )
    for consignment in consignments:
        try:
            lab_require(actor, consignment)
        except DomainError as error:
            # Named with its samples: the analyst finds the rows to take out of the file.
            own = sorted(n for n, pk in found.items() if pk == consignment.pk)
            preview.problems.append(format_lazy(OTHER_LAB, problem=error.message, samples="、".join(own)))
            continue
        if not consignment.can("results"):
            preview.problems.append(
                format_lazy(NOT_WAITING, number=consignment.number, status=consignment.get_status_display())
            )
            continue
        own = [r for r in rows if found.get(r["sample"]) == consignment.pk]
        try:
            lab_results_check(consignment=consignment, rows=own)
        except DomainError as error:
            preview.problems.extend(error.items or [error.message])
            continue
        preview.consignments.append(consignment)
    return preview


@transaction.atomic
def lims_import(*, actor: User, rows: list[dict]) -> list[Consignment]:
    """Check again and record every consignment's results from the file, all or nothing."""
    preview = lims_check(actor=actor, rows=rows)
    if not preview.ok:
        raise DomainError(preview.problems[0] if preview.problems else NO_ROWS, items=preview.problems)
    done = []
    for consignment in preview.consignments:
        numbers = set(consignment.samples.values_list("number", flat=True))
        own = [r for r in rows if r["sample"] in numbers]
        done.append(
            lab_results_record(actor=actor, consignment=consignment, rows=own, source=LabResult.Source.LIMS)
        )
    return done
