"""Transit on the admin site: every list and record opens for the system administrator in a
fixed number of queries, regulated records cannot be changed or deleted there, and corridors
are saved through corridor_save."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.admin_paging import CappedCountPaginator
from tests.permissions.admin_objects import MAKERS, admin_object
from transit.models import Corridor, GpsPoint, LoadingAnimal, PortCheck, Seal

pytestmark = pytest.mark.django_db

# Every transit model on the admin site (the first test checks the list against the site).
MODEL_NAMES = [
    "arrival",
    "corridor",
    "disinfection",
    "driver",
    "gpsunit",
    "ineligible",
    "loading",
    "loadinganimal",
    "portcheck",
    "seal",
    "trip",
    "vehicle",
]


def model_of(model_name: str):
    return apps.get_model("transit", model_name)


# Queries the heaviest transit page takes (session, user, the record or the page of records,
# its related rows, the history link), with some room; a query per row is caught apart.
CHANGELIST_MAX = 6
CHANGE_MAX = 14


@pytest.fixture
def records(world):
    """One record of every transit model on the admin site, made as the system makes them."""
    for model_name in MODEL_NAMES:
        assert admin_object(model_of(model_name), world) is not None, model_name


@pytest.fixture
def sysadmin(client_for, world):
    return client_for(world.sysadmin)


def url(model_name: str, page: str, *args) -> str:
    return reverse(f"admin:transit_{model_name}_{page}", args=args)


def queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as done:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(done)


def test_every_transit_model_on_the_admin_site_is_tested_here():
    reverse("admin:index")  # the admin modules are loaded with the URLs (config/urls.py)
    registered = {m._meta.model_name for m in admin.site._registry if m._meta.app_label == "transit"}
    assert registered == set(MODEL_NAMES)
    assert {f"transit.{name}" for name in MODEL_NAMES} <= MAKERS.keys()


def test_gps_points_are_not_on_the_admin_site():
    # Django 5.2's admin refuses a composite primary key; the trip page counts the points.
    assert GpsPoint not in admin.site._registry


@pytest.mark.parametrize("model_name", MODEL_NAMES)
def test_changelist_and_change_page_open_in_a_fixed_number_of_queries(
    model_name, world, records, sysadmin, django_assert_max_num_queries
):
    model = model_of(model_name)
    obj = admin_object(model, world)
    with django_assert_max_num_queries(CHANGE_MAX):
        response = sysadmin.get(url(model_name, "change", obj.pk))
    assert response.status_code == 200
    with django_assert_max_num_queries(CHANGELIST_MAX):
        response = sysadmin.get(url(model_name, "changelist"))
    assert response.status_code == 200
    assert sysadmin.get(url(model_name, "changelist"), {"q": "粤L"}).status_code == 200
    one_row = queries(sysadmin, url(model_name, "changelist"))
    # A second record of every kind: the list takes no query more for it (no query per row).
    maker = MAKERS[f"transit.{model_name}"]
    maker(world)
    assert model._default_manager.count() >= 2
    assert queries(sysadmin, url(model_name, "changelist")) == one_row


REGULATED = ["seal", "loading", "loadinganimal", "trip", "arrival", "ineligible", "portcheck"]


@pytest.mark.parametrize("model_name", REGULATED)
def test_a_regulated_record_cannot_be_changed_or_deleted(model_name, world, records, sysadmin):
    model = model_of(model_name)
    obj = admin_object(model, world)
    before = model._default_manager.get(pk=obj.pk)
    page = sysadmin.get(url(model_name, "change", obj.pk))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content  # shown read-only
    assert sysadmin.post(url(model_name, "change", obj.pk), {}).status_code == 403
    assert sysadmin.post(url(model_name, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert sysadmin.get(url(model_name, "add")).status_code == 403
    if hasattr(model, "history"):
        version = obj.history.order_by("history_id").first()
        revert = url(model_name, "simple_history", obj.pk, version.history_id)
        assert sysadmin.post(revert, {}).status_code == 403
    assert model._default_manager.filter(pk=obj.pk).exists()
    assert model._default_manager.get(pk=obj.pk).__dict__.keys() == before.__dict__.keys()


def test_no_delete_action_on_a_regulated_list(records, sysadmin):
    page = sysadmin.get(url("seal", "changelist"))
    assert b"delete_selected" not in page.content
    seal = Seal.objects.first()
    response = sysadmin.post(
        url("seal", "changelist"), {"action": "delete_selected", "_selected_action": [seal.pk], "post": "yes"}
    )
    assert Seal.objects.filter(pk=seal.pk).exists()
    assert response.status_code in (200, 302)


def test_port_check_shows_its_export_notice(world, records, sysadmin):
    check = PortCheck.objects.get(outcome="released")
    page = sysadmin.get(url("portcheck", "change", check.pk)).content.decode()
    assert str(check.notice["head_released"]) in page


def corridor_form(corridor, **changes):
    data = {
        "route": '{"type": "LineString", "coordinates": [[114.3, 23.2], [114.2, 22.9], [114.11, 22.58]]}',
        "buffer_m": "800",
        "planned_minutes": "200",
        "stop_minutes": "20",
        "note": "改道",
    }
    data.update(changes)
    return data


def test_corridor_is_saved_through_corridor_save(world, records, sysadmin):
    corridor = Corridor.objects.get()
    response = sysadmin.post(url("corridor", "change", corridor.pk), corridor_form(corridor))
    assert response.status_code == 302, response.content.decode()[:2000]
    corridor.refresh_from_db()
    assert corridor.buffer_m == 800 and corridor.updated_by == world.sysadmin
    assert len(corridor.route["coordinates"]) == 3 and corridor.length_km > 0  # computed by the service
    assert corridor.history.latest().history_user == world.sysadmin  # the service's history row
    assert sysadmin.post(url("corridor", "delete", corridor.pk), {"post": "yes"}).status_code == 403


def test_corridor_refusal_is_shown_beside_its_field(world, records, sysadmin):
    corridor = Corridor.objects.get()
    response = sysadmin.post(
        url("corridor", "change", corridor.pk),
        corridor_form(corridor, buffer_m="10", route='{"type": "Point", "coordinates": [1, 2]}'),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"route"}  # the service's first refusal
    corridor.refresh_from_db()
    assert corridor.buffer_m == 500
    response = sysadmin.post(url("corridor", "change", corridor.pk), corridor_form(corridor, buffer_m="10"))
    assert set(response.context["adminform"].form.errors) == {"buffer_m"}


def test_loaded_animals_are_never_counted_in_full(world, records, sysadmin, monkeypatch):
    monkeypatch.setattr("accounts.admin_paging.CAP", 2)
    assert LoadingAnimal.objects.count() > 2
    assert CappedCountPaginator(LoadingAnimal.objects.order_by("pk"), 100).count == 2
    with CaptureQueriesContext(connection) as done:
        response = sysadmin.get(url("loadinganimal", "changelist"))
    assert response.status_code == 200
    counts = [q["sql"] for q in done if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT" in sql.upper() for sql in counts), counts
    code = LoadingAnimal.objects.order_by("pk").first().national_code
    found = sysadmin.get(url("loadinganimal", "changelist"), {"q": code})
    assert found.context["cl"].result_count == 1
