"""Odd query strings and form fields never give a 500 (issue 9): clamped, refused, or ignored.

Every page of the permission matrix (tests/permissions) is opened as a role it lets in. Its
query-string parameters are the usual ones (``page``, ``per_page``, ``month``, ``q``, ids …)
plus the fields of the filter forms on the page; its forms are the ``<form method="post">`` on
it, with the values the page fills in as the starting point. Each page then gets:

- a fixed list of values known to have broken pages (``per_page=-1``, ``month=9999-12``, a page
  number past any integer column, a NUL, ``²`` …), each value on every parameter: cheap, and
  what catches a regression;
- a few examples of a Hypothesis strategy of odd strings, numbers, dates and raw bytes, on a few
  parameters or form fields at a time (repeated parameters included).

Every answer must be below 500. Dates outside the window of accounts.params must be refused by
every form with nothing stored. The whole file is budgeted at about a minute on PostgreSQL:
few examples per page, one page opened once per test, the database rolled back after each.
"""

import datetime as dt
import os
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote_from_bytes, urlsplit

import pytest
from django.db import connection
from django.urls import Resolver404, resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import params
from tests.permissions.cases import reverse_with
from tests.permissions.test_matrix import MATRIX
from tests.permissions.urls import offered_methods, routes_by_key

# The role each page is opened as: the first one the matrix lets in.
PREFERRED = ["ent_a_admin", "ent_a_staff", "manager", "insp_a", "sysadmin", "transit", "port", "lab"]
# Parameters some page reads by hand, beside the fields of its filter forms.
COMMON = [
    "page", "per_page", "sort", "month", "year", "day", "q", "pen", "status", "kind", "farm",
    "plan", "branch", "order", "events_page", "logs_page", "after", "card", "go", "fragment",
    "province", "report", "show", "state", "tag", "again", "animal", "animals", "since", "until",
    "download", "next",
]  # fmt: skip
# Never posted to from a page: logging out would end the test's session.
SKIPPED_FORMS = {"accounts:logout", "set_language"}
NUL = "\x00"
# Each stands for a kind of value that broke a page once: a negative page size, a number past
# any integer column, a month and a day with no successor, a year before any time zone, a digit
# that int() refuses though str.isdigit() takes it, too long, not UTF-8.
KNOWN_BAD = [
    "-1", "99999999999999999999", "9999-12", "9999-12-31", "0001-01-01", "²", "x" * 3000,
    b"\xff\xfe\xed\xa0\x80",
]  # fmt: skip
# Drawn from by the strategy only.
MORE_BAD = [
    "0", " ", "nan", "2024-02-30", "-99999999999999999999", "0000-00", "10000-01-01", "１２", "1e308",
    "last", "' OR 1=1 --", "1,2",
]  # fmt: skip
OUT_OF_WINDOW_DATES = ["9999-12-31", "0001-01-01", "10000-01-01"]


def as_bytes(value) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


def encode(pairs) -> str:
    """``name=value&…`` with every byte of each value as it is (invalid UTF-8 too), repeats kept."""
    return "&".join(f"{quote_from_bytes(as_bytes(k))}={quote_from_bytes(as_bytes(v))}" for k, v in pairs)


class FormFinder(HTMLParser):
    """The forms of a page: method, action, and the values the page fills in (or a plain one)."""

    FILL = {"number": "1", "date": dt.date.today().isoformat(), "email": "a@example.com"}

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.form = None
        self.select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.form = {"method": (a.get("method") or "get").lower(), "action": a.get("action") or ""}
            self.form.update(fields={}, dates=set(), lengths={})
            self.forms.append(self.form)
            return
        name = a.get("name")
        if self.form is None or not name or name == "csrfmiddlewaretoken":
            if tag == "option" and self.form is not None and self.select:
                self.option(a)
            return
        fields = self.form["fields"]
        if tag in ("input", "textarea") and (a.get("maxlength") or "").isdecimal():
            self.form["lengths"][name] = int(a["maxlength"])
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind == "date":
                self.form["dates"].add(name)
            if kind in ("checkbox", "radio"):
                if "checked" in a or name not in fields:
                    fields[name] = a.get("value") or "on"
            elif kind != "file":
                fields[name] = a.get("value") or self.FILL.get(kind, "测试")
        elif tag == "select":
            self.select = name
            fields.setdefault(name, "")
        elif tag == "textarea":
            fields[name] = "测试"

    def option(self, a):
        value, fields = a.get("value", ""), self.form["fields"]
        if "selected" in a or (value and not fields.get(self.select)):
            fields[self.select] = value

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None


@dataclass
class Form:
    action: str
    fields: dict
    dates: set = field(default_factory=set)
    lengths: dict = field(default_factory=dict)  # the maxlength of each text field that has one


@dataclass
class Page:
    key: str
    url: str
    client: object
    status: int
    paginated: bool = False
    params: list = field(default_factory=list)
    forms: list = field(default_factory=list)


def is_action(key) -> bool:
    """A view that serves no GET: an action the matrix posts to."""
    rule = MATRIX[key]
    offered = rule.methods or offered_methods(routes_by_key()[key].callback) or frozenset()
    return "get" not in offered


def _value(spec, given):
    return spec(given) if callable(spec) else spec


def role_for(rule) -> str | None:
    return next((r for r in PREFERRED if rule.public or r in rule.allowed), None)


def url_name(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


def open_page(key, world, client_for) -> Page:
    """Open a page of the matrix as a role it lets in; find its parameters and forms."""
    rule = MATRIX[key]
    client = client_for(getattr(world, role_for(rule)))
    given = rule.kwargs(world) if rule.kwargs else {}
    url = reverse_with(key, given)
    if is_action(key):  # an action: its own fields, as the matrix posts them
        fields = {**_value(rule.data, given), "next": "/", "reason": "测试", "note": "测试"}
        return Page(key, url, client, 0, forms=[Form(url, fields)])
    response = client.get(url, _value(rule.query, given))
    page = Page(key, url, client, response.status_code, params=list(COMMON))
    if response.status_code >= 300:
        return page
    context = response.context or {}
    page.paginated = "page_obj" in context or "table" in context
    if "html" not in response.get("Content-Type", ""):
        return page
    finder = FormFinder()
    finder.feed(response.content.decode())
    seen = set()
    for found in finder.forms:
        if found["method"] == "get":
            page.params += [n for n in found["fields"] if n not in page.params]
            continue
        action = found["action"] or url
        name = url_name(action)
        if name is None or name in SKIPPED_FORMS or name in seen:
            continue
        seen.add(name)  # one form of each kind (a list repeats the same form on every row)
        page.forms.append(Form(action, found["fields"], found["dates"], found["lengths"]))
    return page


def post(page: Page, url: str, pairs):
    return page.client.post(url, encode(pairs).encode(), content_type="application/x-www-form-urlencoded")


def get(page: Page, pairs):
    return page.client.get(page.url, QUERY_STRING=encode(pairs))


def history_rows() -> int:
    """The number of rows in every history table: what a refused form must leave unchanged."""
    from simple_history.models import registered_models

    tables = sorted({m.history.model._meta.db_table for m in registered_models.values()})
    sql = " + ".join(f'(SELECT count(*) FROM "{t}")' for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}")
        return cursor.fetchone()[0]


# Pages first, then the actions the matrix posts to: a form found on a page has all its fields.
PAGES = sorted(
    (k for k, rule in MATRIX.items() if role_for(rule) and k not in SKIPPED_FORMS),
    key=lambda k: (is_action(k), k),
)


def rotated(names, values):
    """Requests that give every name every value once: request i gives name j value i + j."""
    for i in range(len(values)):
        yield [(name, values[(i + j) % len(values)]) for j, name in enumerate(names)]


# One test per page: the known values, then a few examples of the strategy -------------------

numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.integers(min_value=-3, max_value=3),
    st.floats(allow_nan=True, allow_infinity=True),
).map(str)
dates = st.one_of(
    st.dates().map(dt.date.isoformat),
    st.dates().map(lambda d: d.strftime("%Y-%m")),
    st.tuples(st.integers(-1, 99999), st.integers(-1, 99), st.integers(-1, 99)).map(
        lambda t: "{}-{:02d}-{:02d}".format(*t)
    ),
)
HOSTILE = st.one_of(
    st.sampled_from(KNOWN_BAD + MORE_BAD),
    numbers,
    dates,
    st.text(max_size=40),
    st.text(min_size=200, max_size=3000),
    st.binary(max_size=20),
)
# Few examples per page: the known values catch regressions; these look a little further. To
# search harder once, locally: HOSTILE_EXAMPLES=50 pytest tests/test_hostile_params.py
EXAMPLES = settings(
    max_examples=int(os.environ.get("HOSTILE_EXAMPLES", "2")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# A form is tried on the first page that shows it (a list shows the same form on every row, and
# several pages show the same action).
TRIED_FORMS: set[str] = set()


def no_nul(value):
    # A NUL is refused before any view reads it (checked once per page): keep examples for the views.
    return value.replace(b"\x00", b"") if isinstance(value, bytes) else value.replace(NUL, "")


@pytest.mark.parametrize("key", PAGES)
def test_odd_parameters_never_give_a_500(key, world, client_for):
    page = open_page(key, world, client_for)
    assert page.status < 500
    if page.params:
        query_strings(page)
    forms = [f for f in page.forms if url_name(f.action) not in TRIED_FORMS]
    TRIED_FORMS.update(url_name(f.action) for f in forms)
    for form in forms:
        form_fields(page, form)


def query_strings(page: Page):
    for n, pairs in enumerate(rotated(page.params, KNOWN_BAD)):
        if n == 0:  # and every parameter repeated, once
            pairs += [(name, value) for name in page.params for value in ("1", "-1")]
        response = get(page, pairs)
        assert response.status_code < 500, f"{page.key}?{encode(pairs)[:300]}: {response.status_code}"
    # A NUL is refused before any view reads it.
    assert get(page, [(name, f"1{NUL}") for name in page.params]).status_code == 400
    if page.paginated:  # a page past the last, or of -1 rows, is clamped: the same page, not an error
        response = get(page, [("page", "99999999999999999999"), ("per_page", "-1")])
        assert response.status_code == page.status, page.key

    @EXAMPLES
    @given(st.lists(st.tuples(st.sampled_from(page.params), HOSTILE.map(no_nul)), min_size=1, max_size=5))
    def odd_query(pairs):
        assert get(page, pairs).status_code < 500

    odd_query()


def form_fields(page: Page, form: Form):
    names = list(form.fields) or ["next"]
    for pairs in rotated(names, [*KNOWN_BAD, f"a{NUL}b"]):
        response = post(page, form.action, pairs)
        assert response.status_code < 500, f"POST {form.action} {pairs!r:.300}: {response.status_code}"
    # Each text at the longest the form takes: what passes the form must fit in the database.
    for name, length in sorted(form.lengths.items()):
        response = post(page, form.action, {**form.fields, name: "x" * length}.items())
        assert response.status_code < 500, f"POST {form.action} {name} of {length}: {response.status_code}"
    for name in sorted(form.dates):
        for value in OUT_OF_WINDOW_DATES:
            before = history_rows()
            response = post(page, form.action, {**form.fields, name: value}.items())
            assert response.status_code < 500
            if response.status_code == 302:  # the page it leads to shows what was stored
                assert page.client.get(response["Location"]).status_code < 500
            assert history_rows() == before, f"POST {form.action} {name}={value} stored something"

    @EXAMPLES
    @given(st.dictionaries(st.sampled_from(names), HOSTILE, min_size=1, max_size=3))
    def odd_form(changed):
        pairs = [(k, v) for k, v in form.fields.items() if k not in changed] + list(changed.items())
        assert post(page, form.action, pairs).status_code < 500

    odd_form()


# The helpers themselves ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 3),
        ("+3", 3),
        ("-1", 1),
        ("0", 1),
        ("99999999999999999999", 10),
        ("9" * 5000, 10),
        ("²", 1),
        ("１２", 1),
        ("1e3", 1),
        ("", 1),
        (None, 1),
        (["2", "4"], 4),
    ],
)
def test_int_param_clamps(value, expected):
    assert params.int_param(value, default=1, minimum=1, maximum=10) == expected


def test_id_param_takes_only_ids_a_row_can_have():
    assert params.id_param("42") == 42
    assert [params.id_param(v) for v in ("0", "-3", str(2**63), "²", "4 2", "")] == [None] * 6


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03", dt.date(2026, 3, 1)),
        ("9999-12", dt.date(2099, 12, 1)),
        ("0000-05", dt.date(1900, 5, 1)),
        ("2026-13", None),
        ("2026-00", None),
        ("10000-01", None),
        ("2026-3-1", None),
    ],
)
def test_month_param_clamps_the_year(value, expected):
    assert params.month_param(value) == expected


def test_date_param_refuses_dates_outside_the_window():
    assert params.date_param("2026-02-28") == dt.date(2026, 2, 28)
    assert [params.date_param(v) for v in ("2026-02-30", "9999-12-31", "0001-01-01", "2026-02")] == [None] * 4


def test_text_param_drops_control_characters_and_cuts():
    assert params.text_param(f" 博罗{NUL}\x1f县 ") == "博罗县"
    assert len(params.text_param("x" * 1000)) == params.MAX_TEXT


def test_paginator_shows_a_page_that_exists():
    paginator = params.ClampedPaginator(list(range(45)), -1)
    assert paginator.per_page == 1
    paginator = params.ClampedPaginator(list(range(45)), 20)
    numbers = ("x", "2.5", "²", "2", "0", "-1", "99999999999999999999", "last")
    assert [paginator.page(v).number for v in numbers] == [1, 1, 1, 2, 3, 3, 3, 3]


def test_next_param_takes_only_paths_of_this_site(rf):
    def next_of(value):
        return params.next_param(rf.post("/", {"next": value}), default="/home/")

    assert next_of("/bureau/alerts/?page=2") == "/bureau/alerts/?page=2"
    assert [next_of(v) for v in ("-1", "alert_list", "https://evil.example/", "//evil.example/")] == [
        "/home/"
    ] * 4


def test_the_calendar_clamps_a_month_past_any_plan(world, client_for):
    response = client_for(world.manager).get(reverse("portal_ciq:supervision_calendar"), {"month": "9999-12"})
    assert response.status_code == 200
    assert response.context["month"] == dt.date(2099, 12, 1)
    assert response.context["next_month"] == dt.date(2099, 12, 1)


def test_a_page_past_the_last_shows_the_last(world, client_for):
    response = client_for(world.manager).get(
        reverse("portal_ciq:organisation_list"), {"page": "99999999999999999999", "per_page": "-1"}
    )
    assert response.status_code == 200
    table = response.context["table"]
    assert table.page.number == table.paginator.num_pages
    assert table.paginator.per_page == table._meta.per_page


def test_a_nul_in_the_query_string_is_refused_with_a_message(world, client_for):
    response = client_for(world.manager).get(reverse("portal_ciq:farm_list"), QUERY_STRING="q=%00")
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_reason_longer_than_the_history_keeps_is_cut_there(world, client_for):
    from surveillance.models import Disease

    page = open_page("portal_ciq:disease_edit", world, client_for)
    (form,) = page.forms
    response = post(page, form.action, {**form.fields, "reason": "因" * 500}.items())
    assert response.status_code == 302
    disease = Disease.objects.get(pk=MATRIX["portal_ciq:disease_edit"].kwargs(world)["pk"])
    assert disease.history.latest().history_change_reason == "因" * 99 + "…"


def test_a_date_outside_the_window_is_refused_by_name(world, client_for):
    from accounts.params import DATE_OUT_OF_RANGE

    client = client_for(world.manager)
    response = client.post(reverse("portal_ciq:visit_plan_create"), {"planned_on": "9999-12-31"})
    assert response.status_code == 200
    assert str(DATE_OUT_OF_RANGE) in response.context["form"].errors["planned_on"]
