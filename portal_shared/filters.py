"""django-filter filters whose values come from the query string through accounts.params' window.

A filter's field refuses what it cannot use with a form error; django-filter then leaves that
filter out and the page shows the error beside it, instead of the query failing (a year lookup
of year -1 raised ValueError while the query was built).
"""

import django_filters

from accounts.params import EARLIEST, LATEST, DateField


class DateFilter(django_filters.DateFilter):
    """A date between EARLIEST and LATEST."""

    field_class = DateField


class YearFilter(django_filters.NumberFilter):
    """A year between those of EARLIEST and LATEST, for a ``year`` lookup."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("lookup_expr", "year")
        super().__init__(*args, min_value=EARLIEST.year, max_value=LATEST.year, decimal_places=0, **kwargs)
