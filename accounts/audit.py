"""Who and why, for django-simple-history, set by services rather than guessed."""

from django.db import models


def save_audited(obj: models.Model, *, actor, reason: str, update_fields=None) -> None:
    """Save ``obj`` so that its history row records ``actor`` and ``reason``."""
    obj._history_user = actor
    obj._change_reason = reason
    obj.save(update_fields=update_fields)
