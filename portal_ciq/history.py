"""Reading the audit trail (django-simple-history) of every audited model, for the managers."""

from dataclasses import dataclass
from datetime import datetime
from heapq import merge
from itertools import islice

from django.apps import apps
from django.db import models
from django.http import Http404
from simple_history.models import registered_models


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


def recent_changes(*, model=None, user_id=None, since: datetime | None = None, limit: int = 100):
    """Return the newest ``limit`` history records across audited models, newest first."""
    streams = []
    for each in [model] if model else audited_models():
        rows = each.history.select_related("history_user").order_by("-history_date")
        if user_id:
            rows = rows.filter(history_user_id=user_id)
        if since:
            rows = rows.filter(history_date__gte=since)
        streams.append(rows[:limit])
    return list(islice(merge(*streams, key=lambda r: r.history_date, reverse=True), limit))
