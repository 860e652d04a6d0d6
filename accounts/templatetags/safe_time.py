"""Formatting stored times that may come from a wrong clock: ``{{ read.read_at|safe_date:"Y-m-d H:i" }}``.

Django's ``date`` filter (and ``{{ value }}``) first converts an aware time to the local time zone,
and a time late on 9999-12-31 UTC, which a bridge with a wrong clock could send before times were
checked, has no local time east of UTC: the conversion raises OverflowError and the page is a
500 for everyone who opens it. ``safe_date`` formats like ``date``; a time that local time cannot
hold is shown in UTC, marked so, rather than hidden: it is evidence of a wrong clock.
"""

import datetime as dt

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import timezone

register = template.Library()


def local_or_utc(value: dt.datetime) -> tuple[dt.datetime, bool]:
    """``(value in local time, False)``, or ``(value in UTC, True)`` when local time cannot hold it."""
    if timezone.is_naive(value):
        return value, False
    try:
        return timezone.localtime(value), False
    except (OverflowError, ValueError):
        return value.astimezone(dt.UTC), True


@register.filter(expects_localtime=False, is_safe=False)
def safe_date(value, arg=None):
    """Format a date or time like Django's ``date`` filter, never failing on an extreme value."""
    if isinstance(value, dt.datetime):
        value, in_utc = local_or_utc(value)
        text = date_filter(value, arg)
        return f"{text} UTC" if in_utc and text else text
    return date_filter(value, arg)
