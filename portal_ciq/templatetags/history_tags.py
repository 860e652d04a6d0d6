from django import template

register = template.Library()


@register.filter
def model_label(model) -> str:
    """Return ``app.model`` for a model class (templates cannot read ``_meta``)."""
    return model._meta.label_lower


@register.filter
def model_name(model) -> str:
    return str(model._meta.verbose_name).capitalize()
