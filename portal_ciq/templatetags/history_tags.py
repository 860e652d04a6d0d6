from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def model_label(model) -> str:
    """Return ``app.model`` for a model class (templates cannot read ``_meta``)."""
    return model._meta.label_lower


@register.filter
def model_name(model) -> str:
    return str(model._meta.verbose_name).capitalize()


LABEL_FIELDS = ("name_zh", "full_name", "username", "code", "number")


@register.filter
def record_label(record) -> str:
    """Name a historical record from its own fields.

    ``record.instance`` would rebuild the object, and reads the database for every field the
    history leaves out (a user's password and last log-in): one query per row.
    """
    for name in LABEL_FIELDS:
        value = getattr(record, name, "")
        if value:
            return str(value)
    return f"#{record.pk}"


@register.filter
def reason(value) -> str:
    """Return a change's reason in the reader's language.

    Reasons the system writes (a seed, the admin site) are stored as their English message
    ids, marked with gettext_noop, and translated here; what a person typed has no entry in
    the catalogue and is shown as typed.
    """
    return gettext(value) if value else "—"
