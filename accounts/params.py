"""The one reader of query-string parameters: pages, page sizes, ids, months, dates and words.

Anything in a query string can be forged, and Python's own parsers accept more than a page can
use: ``int()`` takes ``"１２"``, ``" 12 "`` and ``"1_000"`` and turns ``"²"`` (for which
``str.isdigit`` is true) into a ValueError; ``int("9" * 30)`` is a number no column holds;
``date(9999, 12, 1)`` exists but the month after it does not (OverflowError), nor does year 0;
and a NUL character makes PostgreSQL refuse the query. Each helper here parses strictly (ASCII
digits, ISO forms) and returns a value a page can use: clamped into range, or the default.

- ``int_param`` / ``id_param``: whole numbers; an id outside the id columns' range is no id.
- ``month_param`` / ``date_param``: ``YYYY-MM`` / ``YYYY-MM-DD`` between ``EARLIEST`` and ``LATEST``.
- ``text_param``: words to search for, without control characters, cut to a length.
- ``ClampedPaginator`` (and ``paginate``, ``ClampedPageMixin`` for list views): a page number
  that is not a number shows the first page, one out of range the last, never an error; a
  page size is clamped to ``1..MAX_PER_PAGE``.
- ``open_page``: a page of a list too long to count (no total: "newer" and "older" only).
- ``next_param``: the address a form sends the user back to, if it is a path on this site.
- ``DateField``: the form field for dates people type, refusing those outside the same window,
  so no stored date can later overflow when a page adds days to it.

``accounts.middleware.QueryStringGuardMiddleware`` refuses (400) a query string holding a NUL
character before any view reads it. The rules are described in docs/architecture.md.
"""

import datetime as dt
import re
from collections.abc import Sequence

from django import forms
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

# The dates a person can mean: old enough for any document of the reference library, and far
# enough ahead for any plan, with room on both sides for adding or removing a year of days.
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2099, 12, 31)
MAX_PER_PAGE = 100
MAX_ID = 2**63 - 1  # the largest value of a bigint primary key
MAX_TEXT = 200  # the longest search words kept

DATE_OUT_OF_RANGE = format_lazy(
    _("Enter a date between {earliest} and {latest}."),
    earliest=EARLIEST.isoformat(),
    latest=LATEST.isoformat(),
)

_INT = re.compile(r"[+-]?[0-9]+", re.ASCII)
_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})", re.ASCII)
_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", re.ASCII)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MAX_DIGITS = 30  # longer numbers are only "very large": their exact value is never needed


def _text(value) -> str:
    """The parameter as one string: the last of a repeated one (as QueryDict.get), "" for none."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        value = value[-1] if value else ""
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


def _clamp(number, minimum, maximum):
    if minimum is not None and number < minimum:
        return minimum
    if maximum is not None and number > maximum:
        return maximum
    return number


def int_param(value, *, default=None, minimum: int | None = None, maximum: int | None = None):
    """Return ``value`` as an int clamped to ``minimum..maximum``, or ``default`` if it is not one."""
    text = _text(value)
    if not _INT.fullmatch(text):
        return default
    digits = text.lstrip("+-")
    if len(digits) > _MAX_DIGITS:
        number = 10**_MAX_DIGITS * (-1 if text.startswith("-") else 1)
    else:
        number = int(text)
    return _clamp(number, minimum, maximum)


def id_param(value) -> int | None:
    """Return ``value`` as a primary key, or None when no row can have it (not a number, out of range)."""
    number = int_param(value)
    return number if number is not None and 1 <= number <= MAX_ID else None


def month_param(value, *, default: dt.date | None = None) -> dt.date | None:
    """Return the first day of the month ``YYYY-MM``, clamped to EARLIEST..LATEST, else ``default``."""
    match = _MONTH.fullmatch(_text(value))
    if not match or not 1 <= int(match[2]) <= 12:
        return default
    year = _clamp(int(match[1]), EARLIEST.year, LATEST.year)
    return dt.date(year, int(match[2]), 1)


def date_param(value, *, default: dt.date | None = None) -> dt.date | None:
    """Return the date ``YYYY-MM-DD`` if it exists and lies in EARLIEST..LATEST, else ``default``."""
    match = _DATE.fullmatch(_text(value))
    if not match:
        return default
    try:
        day = dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return default
    return day if EARLIEST <= day <= LATEST else default


def text_param(value, *, max_length: int = MAX_TEXT) -> str:
    """Return words to search for: control characters (NUL among them) removed, cut to ``max_length``."""
    return _CONTROL.sub("", _text(value))[:max_length].strip()


def choice_param(value, choices, *, default=""):
    """Return ``value`` if it is one of ``choices``, else ``default``."""
    text = _text(value)
    return text if text in choices else default


class ClampedPaginator(Paginator):
    """A paginator that shows a page that exists instead of raising for one that does not.

    As Django's ``Paginator.get_page`` (and django-tables2) do, for every caller and from
    ``page()`` too: not a whole number is the first page; a number out of range, below 1 (as
    a negative index counts from the end) or past the last (``99999999999999999999`` too), is
    the last page, and so is ``last``, as Django's list views accept. The page size is kept
    within ``1..MAX_PER_PAGE``.
    """

    def __init__(self, object_list, per_page, *args, **kwargs):
        per_page = int_param(per_page, default=MAX_PER_PAGE, minimum=1, maximum=MAX_PER_PAGE)
        super().__init__(object_list, per_page, *args, **kwargs)

    def validate_number(self, number):
        if _text(number) == "last":
            return self.num_pages
        number = int_param(number)
        if number is None:
            return 1
        return number if 1 <= number <= self.num_pages else self.num_pages


def per_page_param(value, *, default: int) -> int:
    """Return the page size asked for, clamped to ``1..MAX_PER_PAGE``; ``default`` for none or below 1."""
    number = int_param(value, default=default, maximum=MAX_PER_PAGE)
    return number if number >= 1 else default


def paginate(request, object_list, per_page: int, *, param: str = "page"):
    """Return the page of ``object_list`` that ``?page=`` asks for, clamped to the pages there are."""
    return ClampedPaginator(object_list, per_page).page(request.GET.get(param))


MAX_OPEN_PAGE = 10_000  # deeper pages of an uncounted list are the last one asked for


class OpenPage:
    """A page of a list too long to count: its rows, and whether another page follows.

    Shaped like Django's ``Page`` for the templates (``has_previous``, ``start_index``, ...),
    without a paginator: nothing here knows how many rows there are.
    """

    def __init__(self, rows: list, number: int, per_page: int, has_next: bool):
        self.object_list, self.number, self.per_page, self._has_next = rows, number, per_page, has_next

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)


def open_page(request, object_list, per_page: int, *, param: str = "page") -> OpenPage:
    """The page ``?page=`` asks for of an ordered queryset, read as one slice of ``per_page + 1``
    rows (the extra one says whether a next page exists): no ``COUNT(*)`` of the whole list."""
    number = int_param(request.GET.get(param), default=1, minimum=1, maximum=MAX_OPEN_PAGE)
    start = (number - 1) * per_page
    rows = list(object_list[start : start + per_page + 1])
    return OpenPage(rows[:per_page], number, per_page, len(rows) > per_page)


class ClampedPageMixin:
    """For Django's list views: the page asked for is clamped (not a 404 beyond the last page)."""

    paginator_class = ClampedPaginator

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(
            queryset,
            page_size,
            orphans=self.get_paginate_orphans(),
            allow_empty_first_page=self.get_allow_empty(),
        )
        number = self.kwargs.get(self.page_kwarg) or self.request.GET.get(self.page_kwarg)
        page = paginator.page(number)
        return paginator, page, page.object_list, page.has_other_pages()


class DateField(forms.DateField):
    """A date typed into a form: refused outside EARLIEST..LATEST with a message saying so."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators += [
            MinValueValidator(EARLIEST, message=DATE_OUT_OF_RANGE),
            MaxValueValidator(LATEST, message=DATE_OUT_OF_RANGE),
        ]


def next_param(request, *, default: str) -> str:
    """Return the ``next`` address posted with a form if it is a path on this site, else ``default``.

    Only an absolute path is taken: a bare word would be read by ``redirect`` as the name of a URL
    pattern (NoReverseMatch, a 500), and an address elsewhere would send the user off the site.
    """
    target = _CONTROL.sub("", _text(request.POST.get("next")))
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
