"""The permission matrix: every URL of the project, for every role.

Each URL pattern must be listed in MATRIX with the roles it lets in; a pattern that is not
listed, or whose view declares no access rule (accounts.access), fails the suite. Each
(pattern, role) pair is then requested and must be let in, refused (403), sent to log in,
or told the object does not exist (404) when it belongs to another organisation.
"""

import importlib
import re
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from accounts.access import declared_access
from accounts.models import UserSession

from .cases import BUREAU, ENTERPRISE, LOGGED_IN, REASON, ROLES, Case, case
from .urls import all_routes


def ent_a_staff_pk(w):
    return {"pk": w.ent_a_staff.pk}


MATRIX: dict[str, Case] = {
    "home": case(LOGGED_IN),
    "health": case(public=True),
    "accounts:login": case(public=True),
    "accounts:logout": case(public=True, method="post", outcome="login"),
    "accounts:password_change": case(LOGGED_IN),
    "set_language": case(public=True, method="post", data={"language": "en", "next": "/"}),
    "portal_enterprise:home": case(ENTERPRISE),
    "portal_enterprise:user_list": case({"ent_a_admin", "ent_b_admin"}),
    "portal_enterprise:user_create": case({"ent_a_admin", "ent_b_admin"}),
    "portal_enterprise:user_edit": case({"ent_a_admin"}, not_found={"ent_b_admin"}, kwargs=ent_a_staff_pk),
    "portal_enterprise:user_deactivate": case(
        {"ent_a_admin"}, not_found={"ent_b_admin"}, kwargs=ent_a_staff_pk, method="post", data=REASON
    ),
    "portal_enterprise:user_reactivate": case(
        {"ent_a_admin"}, not_found={"ent_b_admin"}, kwargs=ent_a_staff_pk, method="post", data=REASON
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


def test_a_view_without_a_rule_is_caught():
    from django.urls import path
    from django.views.generic import TemplateView

    class Forgotten(TemplateView):
        template_name = "base.html"

    routes = all_routes(
        type("conf", (), {"urlpatterns": [path("forgotten/", Forgotten.as_view(), name="x")]})
    )
    assert undeclared(routes) == ["x"]


def outcome(response) -> str:
    code = response.status_code
    if code in (301, 302):
        location = response["Location"]
        if location.startswith((reverse("accounts:login"), reverse("admin:login"))):
            return "login"
        return "ok"
    if code == 403:
        return "deny"
    if code == 404:
        return "404"
    if code < 300:
        return "ok"
    return f"status {code}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", sorted(MATRIX))
def test_portal_url(key, role, world, client_for):
    rule = MATRIX[key]
    client = client_for(None if role == "anonymous" else getattr(world, role))
    url = reverse(key, kwargs=rule.kwargs(world) if rule.kwargs else None)
    response = getattr(client, rule.method)(url, rule.data)
    assert outcome(response) == rule.expected(role), (
        f"{rule.method.upper()} {url} as {role}: {response.status_code}"
    )


def admin_url(route: str, world) -> str:
    """Fill in the parameters of an admin route with a real object of its model."""
    parts = route.removeprefix(ADMIN_PREFIX).split("/")
    ct = ContentType.objects.filter(app_label=parts[0], model=parts[1] if len(parts) > 1 else "").first()
    obj = ct.model_class()._default_manager.order_by("pk").first() if ct else None
    pk = str(obj.pk) if obj else "0"
    history_id = ""
    if obj is not None and hasattr(obj, "history"):
        history_id = str(obj.history.order_by("history_id").values_list("history_id", flat=True).first())
    url = route
    url = url.replace("^([^/]+)/history/([^/]+)/$", f"{pk}/history/{history_id}/")
    url = re.sub(r"\^\(\?P<app_label>[^)]*\)/\$", "accounts/", url)
    url = url.replace("(?P<url>.*)$", "no-such-page/")
    org_ct = ContentType.objects.get_for_model(world.ent_a)
    url = url.replace("<path:content_type_id>", str(org_ct.pk))
    url = url.replace("<path:object_id>", str(world.ent_a.pk) if "/r/" in route else pk).replace("<id>", pk)
    return "/" + url


ADMIN_ROLES = ["anonymous", "ent_a_admin", "insp_a", "manager", "sysadmin"]


def refused_by_design(route, sysadmin) -> bool:
    """Whether the admin site refuses this page even to the system administrator, on purpose.

    Some model admins are read-only (django-axes' records, farms that change only through
    their workflow), and autocomplete answers only well-formed queries.
    """
    if route.key == "admin:autocomplete":
        return True
    parts = route.route.removeprefix(ADMIN_PREFIX).split("/")
    action = {"add": "add", "delete": "delete", "change": "change"}.get(parts[-2] if len(parts) > 2 else "")
    if action is None:
        return False
    from django.apps import apps
    from django.contrib import admin
    from django.test import RequestFactory

    model_admin = admin.site._registry.get(apps.get_model(parts[0], parts[1]))
    request = RequestFactory().get("/")
    request.user = sysadmin
    if action == "change":  # a read-only admin still shows the record
        return not model_admin.has_view_or_change_permission(request)
    return not getattr(model_admin, f"has_{action}_permission")(request)


@pytest.mark.parametrize("role", ADMIN_ROLES)
@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=lambda r: r.key)
def test_admin_url(route, role, world, client_for):
    UserSession.objects.get_or_create(user=world.ent_a_staff, session_key="matrix")
    client = client_for(None if role == "anonymous" else getattr(world, role))
    url = admin_url(route.route, world)
    public = route.key in {"admin:login"}
    method = "post" if route.key == "admin:logout" else "get"
    response = getattr(client, method)(url)
    got = outcome(response)
    if route.key == "admin:logout":
        assert got in {"ok", "login"}  # everyone may log out, and is sent to log in
    elif role == "sysadmin" and refused_by_design(route, world.sysadmin):
        assert got == "deny"
    elif role == "sysadmin" or public:
        assert got in {"ok", "404"}, f"{url} as {role}: {response.status_code}"
    else:
        assert got == "login", f"{url} as {role}: {response.status_code}"
