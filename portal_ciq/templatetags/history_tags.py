from django import template
from django.utils.translation import gettext

from .. import history

register = template.Library()


@register.filter
def model_label(model) -> str:
    """Return ``app.model`` for a model class (templates cannot read ``_meta``)."""
    return model._meta.label_lower


@register.filter
def model_name(model) -> str:
    return str(model._meta.verbose_name).capitalize()


@register.filter
def record_label(record) -> str:
    """Name a historical record from its own fields (portal_ciq.history.record_label)."""
    return history.record_label(record)


@register.filter
def reason(value) -> str:
    """Return a change's reason in the reader's language.

    Reasons the system writes (a seed, the admin site) are stored as their English message
    ids, marked with gettext_noop, and translated here; what a person typed has no entry in
    the catalogue and is shown as typed.
    """
    return gettext(value) if value else "—"
