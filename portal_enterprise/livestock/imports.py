"""Bulk registration from a herd list: upload, preview (row by row), confirm or cancel.

Nothing is imported until every row is valid: the service checks the whole file first and keeps
it, with its errors, for the preview; confirming checks it again and imports all rows or none.
"""

import csv
import io

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts.errors import DomainError
from accounts.spreadsheets import safe_row
from livestock.models import AnimalImport
from livestock.services.animals import (
    COLUMNS,
    animal_import_rows,
    animals_import_cancel,
    animals_import_check,
    animals_import_confirm,
)

from .common import WRITE, HerdMixin, KeeperMixin, import_get_for_user, refuse
from .forms import UploadForm

PREVIEW_ROWS = 200
CANCELLED = _("The upload of “{name}” has been cancelled; nothing was imported.")
COLUMN_LABELS = {
    "tag": _("Ear tag"),
    "species": _("Species"),
    "sex": _("Sex"),
    "breed": _("Breed"),
    "birth_date": _("Birth date"),
    "entry_date": _("Entry date"),
    "pen": _("Pen"),
    "origin": _("Origin"),
    "origin_note": _("Origin details"),
}
COLUMN_HELP = {
    "tag": _("National code or RFID number, any form. Required."),
    "species": _("Optional; checked against the tag."),
    "sex": _("公/母/阉, or male / female / castrated. Required."),
    "breed": _("Free text."),
    "birth_date": _("2026-03-01. Birth or entry date is required."),
    "entry_date": _("For bought-in animals."),
    "pen": _("A pen drawn on the farm's layout."),
    "origin": _("自繁 / 外购 / 其他; empty means self-bred."),
    "origin_note": _("Seller or source of a bought-in animal."),
}


def header_for(key: str, aliases: tuple[str, ...], language: str) -> str:
    """The header a template file uses: the Chinese one, or the first English one."""
    if language.startswith("en"):
        # The first English word (not an abbreviation such as "RFID", which names another form).
        return next((a for a in aliases if a.isascii() and a != a.upper()), key)
    return aliases[0] if aliases else key


def csv_response(filename: str, rows) -> HttpResponse:
    """A CSV download that Excel opens correctly in Chinese (UTF-8 with a byte-order mark).

    No cell runs as a formula (accounts.spreadsheets): the error report repeats what was uploaded.
    """
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(safe_row(row))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class AnimalImportView(KeeperMixin, FormView):
    """Upload a herd list for one farm; it is checked in full and shown for confirmation."""

    template_name = "portal_enterprise/livestock/animal_import.html"
    form_class = UploadForm

    def get_context_data(self, **kwargs):
        language = translation.get_language() or ""
        return super().get_context_data(
            columns=[
                (header_for(k, a, language), COLUMN_LABELS[k], COLUMN_HELP[k], a) for k, a in COLUMNS.items()
            ],
            imports=AnimalImport.objects.filter(farm=self.farm).select_related("uploaded_by")[:10],
            **kwargs,
        )

    def form_valid(self, form):
        try:
            animal_import = animals_import_check(
                actor=self.request.user, farm=self.farm, file=form.cleaned_data["file"]
            )
        except DomainError as exc:
            refuse(form, exc)
            return self.form_invalid(form)
        return redirect("portal_enterprise:animal_import_preview", pk=animal_import.pk)


class ImportMixin(HerdMixin):
    @cached_property
    def animal_import(self) -> AnimalImport:
        return import_get_for_user(user=self.request.user, pk=self.kwargs["pk"])


class AnimalImportPreviewView(ImportMixin, TemplateView):
    """The rows of an uploaded list and, if any, its errors (row, column, value, what is wrong)."""

    template_name = "portal_enterprise/livestock/animal_import_preview.html"

    def get_context_data(self, **kwargs):
        animal_import = self.animal_import
        rows, present = [], []
        if animal_import.status in (AnimalImport.Status.CHECKED, AnimalImport.Status.REFUSED):
            bad = {(e["row"], e["column"]) for e in animal_import.errors}
            bad_rows = {e["row"] for e in animal_import.errors}
            try:
                table = animal_import_rows(animal_import)
            except (DomainError, OSError):
                table = []  # the kept file can no longer be read: the errors are still shown
            present = [k for k in COLUMNS if any(k in r for r in table[:1])]
            for number, row in enumerate(table[:PREVIEW_ROWS], start=2):
                cells = [(row.get(k, ""), (number, k) in bad) for k in present]
                rows.append({"number": number, "cells": cells, "bad": number in bad_rows})
        return super().get_context_data(
            animal_import=animal_import,
            farm=animal_import.farm,
            errors=[
                {**e, "label": COLUMN_LABELS.get(e["column"], e["column"])} for e in animal_import.errors
            ],
            headers=[COLUMN_LABELS[k] for k in present],
            rows=rows,
            shown=len(rows),
            can_confirm=animal_import.status == AnimalImport.Status.CHECKED
            and self.request.user.has_perms(WRITE),
            can_cancel=animal_import.status in (AnimalImport.Status.CHECKED, AnimalImport.Status.REFUSED)
            and self.request.user.has_perms(WRITE),
            **kwargs,
        )


class AnimalImportErrorsView(ImportMixin, View):
    """The error report of an upload as CSV, to correct the file in a spreadsheet."""

    def get(self, request, *args, **kwargs):
        animal_import = self.animal_import
        rows = [[_("Row"), _("Column"), _("Value"), _("Error")]]
        rows += [
            [e["row"], COLUMN_LABELS.get(e["column"], e["column"]), e["value"], e["error"]]
            for e in animal_import.errors
        ]
        return csv_response(f"errors-{animal_import.pk}.csv", rows)


class _ImportActionView(ImportMixin, View):
    permission_required = WRITE
    http_method_names = ["post"]


class AnimalImportConfirmView(_ImportActionView):
    def post(self, request, *args, **kwargs):
        animal_import = self.animal_import
        try:
            count = animals_import_confirm(actor=request.user, animal_import=animal_import)
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect("portal_enterprise:animal_import_preview", pk=animal_import.pk)
        text = ngettext(
            "{count} animal imported onto {farm}.", "{count} animals imported onto {farm}.", count
        )
        messages.success(request, text.format(count=count, farm=animal_import.farm.name))
        return redirect("portal_enterprise:herd_farm", farm_pk=animal_import.farm_id)


class AnimalImportCancelView(_ImportActionView):
    def post(self, request, *args, **kwargs):
        animal_import = self.animal_import
        try:
            animals_import_cancel(actor=request.user, animal_import=animal_import)
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect("portal_enterprise:animal_import_preview", pk=animal_import.pk)
        messages.info(request, format_lazy(CANCELLED, name=animal_import.file_name))
        return redirect("portal_enterprise:animal_import", farm_pk=animal_import.farm_id)


class HerdTemplateView(HerdMixin, View):
    """An empty herd list with the column headers the import reads, in the user's language."""

    def get(self, request, *args, **kwargs):
        language = translation.get_language() or ""
        return csv_response("herd-list.csv", [[header_for(k, a, language) for k, a in COLUMNS.items()]])
