"""Who and why, for django-simple-history, set by services rather than guessed."""

from django.db import models

# django-simple-history keeps the reason in a varchar(100) in every history table; a longer
# reason (a note or a lift reason people may write at length, kept whole on their own rows)
# would make the save fail in the database.
REASON_MAX = 100


def save_audited(obj: models.Model, *, actor, reason: str, update_fields=None) -> None:
    """Save ``obj`` so that its history row records ``actor`` and ``reason`` (cut to fit)."""
    if reason is not None and len(text := str(reason)) > REASON_MAX:
        reason = text[: REASON_MAX - 1] + "…"
    obj._history_user = actor
    obj._change_reason = reason
    obj.save(update_fields=update_fields)
