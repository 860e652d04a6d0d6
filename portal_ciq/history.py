"""Reading the audit trail (django-simple-history) of every audited model, for the managers."""

from dataclasses import dataclass
from datetime import datetime
from heapq import merge
from itertools import islice

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.text import Truncator
from django.utils.translation import get_language
from simple_history.models import registered_models

from accounts.demo import SEED_REASON
from farms.models import Farm, Finding


def audited_models() -> list[type[models.Model]]:
    """Return every model that keeps its history, in a stable order."""
    return sorted(registered_models.values(), key=lambda m: m._meta.label_lower)


def audited_model(label: str) -> type[models.Model]:
    """Return the audited model called ``label`` (``app.model``), or raise Http404."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError) as exc:
        raise Http404 from exc
    if model not in registered_models.values():
        raise Http404
    return model


@dataclass
class Change:
    field: str
    old: str
    new: str


def _display(record, field: str) -> str:
    value = getattr(record, field, None)
    model_field = record.instance_type._meta.get_field(field)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return "" if value is None else str(value)


def record_changes(records) -> list[tuple[object, list[Change]]]:
    """Pair each history record (oldest first) with what changed since the one before."""
    out, previous = [], None
    for record in records:
        changes = []
        if previous is not None:
            delta = record.diff_against(previous)
            for change in delta.changes:
                field = record.instance_type._meta.get_field(change.field)
                changes.append(
                    Change(
                        str(field.verbose_name),
                        _display(previous, change.field),
                        _display(record, change.field),
                    )
                )
        out.append((record, changes))
        previous = record
    return out


# Loaded, not done: the seed's rows, and rows that name neither a person nor a reason (the
# reference tables every installation gets). A service always gives a reason, a task too.
LOADED = Q(history_change_reason=SEED_REASON) | Q(
    history_user__isnull=True, history_change_reason__isnull=True
)


def recent_changes(
    *, model=None, user_id=None, since: datetime | None = None, seeded: bool = False, limit: int = 100
):
    """Return the newest ``limit`` history records across audited models, newest first.

    Rows written by loading reference or demo data (LOADED) are left out unless ``seeded``: a
    demo database holds tens of thousands of them, and they would bury every change a person made.
    """
    streams = []
    for each in [model] if model else audited_models():
        rows = each.history.select_related("history_user").order_by("-history_date")
        if user_id:
            rows = rows.filter(history_user_id=user_id)
        if since:
            rows = rows.filter(history_date__gte=since)
        if not seeded:
            rows = rows.exclude(LOADED)
        streams.append(rows[:limit])
    return describe(list(islice(merge(*streams, key=lambda r: r.history_date, reverse=True), limit)))


# What names a record in the trail: its own name, or its kind, words and date.
NAME_FIELDS = ("name_zh", "full_name", "username", "title", "disease_zh", "code", "number")
TEXT_FIELDS = ("description", "entered")
DATE_FIELDS = ("occurred_on", "visited_on", "inspected_on", "deadline", "published_on", "planned_on")


def record_label(record) -> str:
    """Name a historical record from its own fields, in the reader's language where it has both.

    ``record.instance`` would rebuild the object, and reads the database for every field the
    history leaves out (a user's password and last log-in): one query per row.
    """
    english = (get_language() or "").startswith("en")
    for name in NAME_FIELDS:
        value = getattr(record, name, "")
        if value:
            other = getattr(record, name.replace("_zh", "_en"), "") if name.endswith("_zh") else ""
            return str((english and other) or value)
    parts = []
    for name in ("kind", "severity", "conclusion"):
        if getattr(record, name, ""):
            parts.append(_display(record, name))
    text = next((getattr(record, n) for n in TEXT_FIELDS if getattr(record, n, "")), "")
    if text:
        parts.append(Truncator(text).chars(40))
    day = next((getattr(record, n) for n in DATE_FIELDS if getattr(record, n, None)), None)
    if day:
        parts.append(day.isoformat())
    return " · ".join(parts) or f"#{record.id}"


def describe(records: list) -> list:
    """Give each history row its ``label`` and ``farm_label`` (the name of the farm a visit,
    finding, corrective action, inspection, production record or alert is about), in two queries."""
    findings = {r.finding_id for r in records if getattr(r, "finding_id", None)}
    finding_farm = (
        dict(Finding.objects.filter(pk__in=findings).values_list("pk", "farm_id")) if findings else {}
    )
    farm_of = {}
    for r in records:
        farm_of[id(r)] = getattr(r, "farm_id", None) or finding_farm.get(getattr(r, "finding_id", None))
    wanted = {f for f in farm_of.values() if f}
    english = (get_language() or "").startswith("en")
    names = {
        pk: (english and name_en) or name_zh
        for pk, name_zh, name_en in Farm.objects.filter(pk__in=wanted).values_list("pk", "name_zh", "name_en")
    }
    for r in records:
        r.label = record_label(r)
        r.farm_label = names.get(farm_of[id(r)], "")
    return records
