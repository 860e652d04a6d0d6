"""The permission matrix: every URL of the project, for every role and every HTTP method.

Each URL pattern must be listed in MATRIX (here and in matrix_*.py; the format is explained in
cases.py); a pattern that is not listed, or whose view declares no access rule
(accounts.access), fails the suite. Each pattern is then asked with every method by every role
of the world (tests/conftest.py), and each answer must be the one its row expects: the page, a
redirect to exactly the page the view means to send the user to, a 405 for a method the view
does not serve, a 404 outside the user's scope, a 403 for a role the rule refuses, or the log-in
page with ``next`` for an anonymous visitor. The admin site is walked the same way.

One test per pattern, so that its objects are made once: each request that may change
something runs in a savepoint that is rolled back, so an action asked by one role leaves the
object as it was for the next. The roles log in once for the whole module (``clients``).
"""

import copy
import importlib
import re
from importlib import import_module
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from accounts.access import declared_access
from tests.conftest import load_world

from .admin_objects import MAKERS, admin_object
from .cases import (
    BUREAU,
    ENTERPRISE,
    ENTERPRISE_ADMINS,
    FORBIDDEN,
    LOGGED_IN,
    METHODS,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    REASON,
    ROLES,
    Case,
    case,
    per_role,
    redirect_to,
    reverse_with,
    to,
)
from .urls import all_routes, offered_methods, routes_by_key


def ent_a_staff_pk(w):
    return {"pk": w.ent_a_staff.pk}


USER_ADMIN = {"ent_a_admin"}
MATRIX: dict[str, Case] = {
    "home": case(
        LOGGED_IN, get=per_role((ENTERPRISE, to("portal_enterprise:home")), (BUREAU, to("portal_ciq:home")))
    ),
    "health": case(public=True),
    # Who is logged in already is sent on to the front door (by any method the page serves).
    "accounts:login": case(
        public=True,
        **dict.fromkeys(
            ["get", "post", "put", "options"], per_role(({"anonymous"}, OK), (LOGGED_IN, to("home")))
        ),
    ),
    "accounts:logout": case(public=True, post=to("accounts:login")),
    "accounts:password_change": case(LOGGED_IN),
    "set_language": case(public=True, data={"language": "en", "next": "/"}, post=to("home")),
    "portal_enterprise:home": case(ENTERPRISE),
    "portal_enterprise:organisation_settings": case(
        ENTERPRISE_ADMINS,
        data={
            "contact_name": "王经理",
            "contact_phone": "13800000000",
            "contact_email": "",
            "language": "en",
            "reason": "矩阵",
        },
        post=to("portal_enterprise:organisation_settings", pk=None),
    ),
    "portal_enterprise:user_list": case(ENTERPRISE_ADMINS),
    "portal_enterprise:user_create": case(ENTERPRISE_ADMINS),
    "portal_enterprise:user_edit": case(USER_ADMIN, not_found={"ent_b_admin"}, kwargs=ent_a_staff_pk),
    "portal_enterprise:user_deactivate": case(
        USER_ADMIN,
        not_found={"ent_b_admin"},
        kwargs=ent_a_staff_pk,
        data=REASON,
        post=to("portal_enterprise:user_list", pk=None),
    ),
    "portal_enterprise:user_reactivate": case(
        USER_ADMIN,
        not_found={"ent_b_admin"},
        kwargs=ent_a_staff_pk,
        data=REASON,
        post=to("portal_enterprise:user_list", pk=None),
    ),
    "portal_ciq:home": case(BUREAU),
    "portal_ciq:organisation_list": case(BUREAU),
    # Enterprise A is supervised by branch A: the other branch, the port, the warehouse and
    # the lab do not see it at all.
    "portal_ciq:organisation_detail": case(
        {"insp_a", "manager", "sysadmin"},
        not_found={"insp_b", "transit", "port", "lab"},
        kwargs=lambda w: {"pk": w.ent_a.pk},
    ),
    "portal_ciq:history_list": case({"manager", "sysadmin"}),
    "portal_ciq:history_detail": case(
        {"manager", "sysadmin"}, kwargs=lambda w: {"model": "accounts.organisation", "pk": w.ent_a.pk}
    ),
}

# Each feature keeps its part of the matrix in tests/permissions/matrix_<feature>.py, as a
# dict called MATRIX built with the same `case` helper (tests/permissions/cases.py).
for _module in sorted(Path(__file__).parent.glob("matrix_*.py")):
    _part = importlib.import_module(f"{__package__}.{_module.stem}").MATRIX
    assert not MATRIX.keys() & _part.keys(), f"{_module.name} repeats patterns"
    MATRIX.update(_part)

ADMIN_PREFIX = "admin/"
ROUTES = all_routes()
PORTAL_ROUTES = [r for r in ROUTES if not r.route.startswith(ADMIN_PREFIX)]
ADMIN_ROUTES = [r for r in ROUTES if r.route.startswith(ADMIN_PREFIX)]


def undeclared(routes) -> list[str]:
    """Return the keys of routes whose view declares no access rule."""
    return [r.key for r in routes if declared_access(r.callback) is None]


def test_every_url_pattern_is_in_the_matrix():
    keys = {r.key for r in PORTAL_ROUTES}
    assert keys - MATRIX.keys() == set(), "URL patterns missing from the permission matrix"
    assert MATRIX.keys() - keys == set(), "the matrix lists URL patterns that no longer exist"


def test_every_view_declares_its_access_rule():
    assert undeclared(PORTAL_ROUTES) == []


def test_every_view_says_which_methods_it_serves():
    silent = [
        r.key for r in PORTAL_ROUTES if offered_methods(r.callback) is None and MATRIX[r.key].methods is None
    ]
    assert silent == [], "function views that serve every method: decorate them (require_POST…)"


def test_a_view_without_a_rule_is_caught():
    from django.urls import path
    from django.views.generic import TemplateView

    class Forgotten(TemplateView):
        template_name = "base.html"

    routes = all_routes(
        type("conf", (), {"urlpatterns": [path("forgotten/", Forgotten.as_view(), name="x")]})
    )
    assert undeclared(routes) == ["x"]


def test_the_methods_are_read_from_the_view():
    from django.views.decorators.http import require_POST
    from django.views.generic import FormView, RedirectView, TemplateView

    from accounts.access import public

    assert offered_methods(TemplateView.as_view()) == {"get", "head", "options"}
    assert offered_methods(FormView.as_view()) == {"get", "head", "options", "post", "put"}
    assert offered_methods(RedirectView.as_view()) == set(METHODS)
    assert offered_methods(public(require_POST(lambda request: None))) == {"post"}
    assert offered_methods(public(lambda request: None)) is None


def observed(response) -> str:
    """Name an answer the way cases.py names outcomes (a redirect by its path and ``next``)."""
    code = response.status_code
    if code in (301, 302, 303, 307, 308):
        location = urlsplit(response["Location"])
        next_url = parse_qs(location.query).get("next")
        return redirect_to(location.path, next_url[0] if next_url else None)
    if 200 <= code < 300:
        return OK
    return str(code)


@pytest.fixture(scope="module")
def clients(django_db_setup, django_db_blocker):
    """Return one client per role, logged in once for the whole matrix.

    Each role's session is written straight into the session store (what Client.force_login
    does, without the log-in signal and its bookkeeping) and committed, so that every test of
    the module finds it; the sessions are removed when the module is done.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    with django_db_blocker.unblock():
        world = load_world()
        sessions = {}
        for role in ROLES:
            sessions[role] = Client()
            if role == "anonymous":
                continue
            user = getattr(world, role)
            session = store()
            session[SESSION_KEY] = user._meta.pk.value_to_string(user)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.save()
            sessions[role].cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    yield sessions
    with django_db_blocker.unblock():
        for client in sessions.values():
            if cookie := client.cookies.get(settings.SESSION_COOKIE_NAME):
                store(session_key=cookie.value).delete()


SAFE = {"get", "head", "options"}


def ask(client: Client, method: str, url: str, query: dict, data: dict) -> str:
    """Send one request and return its outcome (a crash: 500).

    A request that may change something runs in a savepoint rolled back afterwards, so an
    action asked by one role leaves the object as it was for the next; the client's cookies
    are put back too (a log-out, a language switch).
    """
    cookies = copy.deepcopy(client.cookies)
    path = f"{url}?{urlencode(query, doseq=True)}" if query else url
    try:
        if method in SAFE:
            return observed(getattr(client, method)(path))
        with transaction.atomic():
            # Nothing in the body but a POST's form: a form view must show its errors, not act.
            response = client.post(path, data) if method == "post" else getattr(client, method)(path)
            transaction.set_rollback(True)
        return observed(response)
    except Exception as exc:  # noqa: BLE001 - every crash is a cell of the report, not the end of it
        return f"500 {type(exc).__name__}: {exc}"
    finally:
        client.cookies = cookies


def _value(spec, given):
    return spec(given) if callable(spec) else spec


@pytest.mark.parametrize("key", sorted(MATRIX))
def test_portal_url(key, world, clients):
    rule = MATRIX[key]
    offered = rule.methods or offered_methods(routes_by_key()[key].callback)
    given = rule.kwargs(world) if rule.kwargs else {}
    url = reverse_with(key, given)
    query, data = _value(rule.query, given), _value(rule.data, given)
    wrong = []
    asked = f"{url}?{urlencode(query, doseq=True)}" if query else url
    for method in METHODS:
        for role in ROLES:
            expected = rule.expected(role, method, method in offered, given, asked)
            got = ask(clients[role], method, url, query, data)
            if got not in expected:
                wrong.append(
                    f"{method.upper():7} as {role:11}: {got}; expected {' or '.join(sorted(expected))}"
                )
    assert not wrong, f"{key} ({url}):\n" + "\n".join(wrong)


def model_admin_of(route):
    """Return the ModelAdmin behind an admin route, or None for the site's own pages."""
    from django.apps import apps

    parts = route.route.removeprefix(ADMIN_PREFIX).split("/")
    if len(parts) < 3:
        return None
    try:
        return admin.site._registry.get(apps.get_model(parts[0], parts[1]))
    except (LookupError, ValueError):
        return None


def admin_url(route, world) -> str:
    """Fill in the parameters of an admin route with a real record of its model."""
    model_admin = model_admin_of(route)
    obj = admin_object(model_admin.model, world) if model_admin else None
    pk = str(obj.pk) if obj else ""
    history_id = ""
    if obj is not None and hasattr(obj, "history"):
        history_id = str(obj.history.order_by("history_id").values_list("history_id", flat=True).first())
    url = route.route
    url = url.replace("^([^/]+)/history/([^/]+)/$", f"{pk}/history/{history_id}/")
    url = re.sub(r"\^\(\?P<app_label>[^)]*\)/\$", "accounts/", url)
    url = url.replace("(?P<url>.*)$", "no-such-page/")
    org_ct = ContentType.objects.get_for_model(world.ent_a)
    url = url.replace("<path:content_type_id>", str(org_ct.pk))
    url = url.replace("<path:object_id>", str(world.ent_a.pk) if "/r/" in route.route else pk).replace(
        "<id>", pk
    )
    return "/" + url


def test_every_admin_model_has_a_record_for_the_matrix():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered - MAKERS.keys() == set(), "add a maker to tests/permissions/admin_objects.py"


# The admin's pages that serve GET only (class-based views behind the admin's wrapper).
ADMIN_GET_ONLY = {"admin:password_change_done", "admin:jsi18n", "admin:autocomplete"}


def admin_expected(route, role: str, method: str, url: str, world) -> set[str]:
    """What the admin site answers ``role``: only the system administrator is let in.

    Everyone else, logged in or not, is sent to the admin's own log-in page with ``next`` (it
    tells a logged-in user that the account may not use the admin site), apart from the log-in
    page itself, and the log-out, which sends them to the admin's front page.
    """
    key = route.key
    index, login = reverse("admin:index"), reverse("admin:login")
    if key == "admin:logout" and role != "sysadmin":
        return {redirect_to(index)}
    if key == "admin:login":
        # The form (shown again with its errors on an empty POST); an administrator already
        # logged in is sent on to the index.
        return {redirect_to(index)} if role == "sysadmin" and method == "get" else {OK}
    if role != "sysadmin":
        return {redirect_to(login, url)}
    # The system administrator.
    if key == "admin:logout":
        return {redirect_to(reverse("accounts:login"))} if method == "post" else {NOT_ALLOWED}
    if key in ADMIN_GET_ONLY and method != "get":
        return {NOT_ALLOWED}
    if key == "admin:autocomplete":
        return {FORBIDDEN}  # answers only a well-formed query of a registered field
    if key == "admin:view_on_site":
        return {NOT_FOUND}  # organisations have no page of their own to be sent to
    if route.route.endswith("(?P<url>.*)$"):
        return {NOT_FOUND}
    if not key.startswith("admin:"):  # the old <pk>/ address of a record sends on to its change page
        return {redirect_to(url + "change/")}
    model_admin = model_admin_of(route)
    if model_admin is None:
        return {OK}  # index, app index, password change
    action = key.rsplit("_", 1)[-1]
    request = type("R", (), {"user": world.sysadmin, "method": method.upper()})()
    changelist = reverse(f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_changelist")
    if action == "add":
        return {OK} if model_admin.has_add_permission(request) else {FORBIDDEN}
    if action == "change":
        if method == "get":
            return {OK} if model_admin.has_view_or_change_permission(request) else {FORBIDDEN}
        if not model_admin.has_change_permission(request):
            return {FORBIDDEN}
        # An empty form is shown again with its errors; one with nothing to fill in (every
        # field read-only) is saved as it is, and the administrator goes back to the list.
        return {OK} if editable_fields(model_admin, world) else {redirect_to(changelist)}
    if action == "delete":
        if not model_admin.has_delete_permission(request):
            return {FORBIDDEN}
        # A confirmed deletion returns to the list; one that other records protect says why.
        return {redirect_to(changelist), OK} if method == "post" else {OK}
    if key.endswith("_simple_history") and method == "post":
        # An old version is written back only where the record may be changed (an empty form
        # is shown again with its errors); a read-only admin refuses.
        obj = admin_object(model_admin.model, world)
        return {FORBIDDEN} if model_admin.revert_disabled(request, obj) else {OK}
    return {OK}  # changelist, history, an old version


def editable_fields(model_admin, world) -> list[str]:
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = world.sysadmin
    obj = admin_object(model_admin.model, world)
    return list(model_admin.get_form(request, obj, change=True).base_fields)


ADMIN_METHODS = ["get", "post"]


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=lambda r: r.key)
def test_admin_url(route, world, clients):
    url = admin_url(route, world)
    wrong = []
    for method in ADMIN_METHODS:
        for role in ROLES:
            expected = admin_expected(route, role, method, url, world)
            got = ask(clients[role], method, url, {}, {})
            if got not in expected:
                wrong.append(
                    f"{method.upper():5} as {role:11}: {got}; expected {' or '.join(sorted(expected))}"
                )
    assert not wrong, f"{route.key} ({url}):\n" + "\n".join(wrong)
