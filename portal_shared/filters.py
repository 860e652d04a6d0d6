"""django-filter filters that keep their values within what the query can be built with.

A filter's field refuses what it cannot use with a form error; django-filter then leaves that
filter out and the page shows the error beside it, instead of the query failing (a year lookup
of year -1 raised ValueError while the query was built). Date filters need nothing: a date
comparison holds for any date a form accepts.
"""

import django_filters

from accounts.params import EARLIEST, LATEST


class YearFilter(django_filters.NumberFilter):
    """A year between those of EARLIEST and LATEST, for a ``year`` lookup."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("lookup_expr", "year")
        super().__init__(*args, min_value=EARLIEST.year, max_value=LATEST.year, decimal_places=0, **kwargs)
