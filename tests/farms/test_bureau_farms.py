"""The bureau's farm lists: the review queue, the registry and its Excel export, the farm map."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from farms import services
from farms.models import Farm
from portal_ciq.farms.queries import farm_map_data_for_user

from .factories import BOLUO, registered_farm, submitted_farm, under_review_farm

S = Farm.Status
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def detail(farm):
    return reverse("portal_ciq:farm_detail", args=[farm.pk])


def post(client, farm, action, **data):
    return client.post(reverse(f"portal_ciq:farm_{action}", args=[farm.pk]), data, follow=True)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def more_farms(world, n):
    """Return ``n`` more submitted farms of enterprise A, a few hundred metres apart."""
    return [
        submitted_farm(world, name_zh=f"华丰{i + 2}场", latitude=BOLUO["latitude"] + Decimal(i + 1) / 500)
        for i in range(n)
    ]


# --- the queue --------------------------------------------------------------------------------


def test_queue_shows_the_branchs_applications_oldest_first(world, client_for):
    first = submitted_farm(world)
    second = more_farms(world, 1)[0]
    response = client_for(world.insp_a).get(reverse("portal_ciq:farm_queue"))
    assert response.status_code == 200
    ids = [f.pk for f in response.context["farms"]]
    assert ids.index(first.pk) < ids.index(second.pk)
    assert "华丰一场" in response.content.decode()

    response = client_for(world.insp_b).get(reverse("portal_ciq:farm_queue"))
    assert first.pk not in [f.pk for f in response.context["farms"]]


def test_queue_query_count_does_not_grow_with_the_farms(world, client_for):
    client = client_for(world.insp_a)
    submitted_farm(world)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("portal_ciq:farm_queue"))
    more_farms(world, 4)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("portal_ciq:farm_queue"))
    assert len(many) == len(few) <= 10, [q["sql"] for q in many.captured_queries]


def test_take_it_assigns_the_inspector_and_opens_the_farm(world, client_for):
    farm = submitted_farm(world)
    response = client_for(world.insp_a).post(
        reverse("portal_ciq:farm_assign", args=[farm.pk]),
        {"inspector": world.insp_a.pk, "next": detail(farm)},
    )
    assert response["Location"] == detail(farm)
    farm.refresh_from_db()
    assert (farm.status, farm.inspector) == (S.UNDER_REVIEW, world.insp_a)


def test_next_may_not_leave_the_site(world, client_for):
    farm = submitted_farm(world)
    response = client_for(world.insp_a).post(
        reverse("portal_ciq:farm_assign", args=[farm.pk]),
        {"inspector": world.insp_a.pk, "next": "https://evil.example/"},
    )
    assert response["Location"] == detail(farm)


# --- the registry -----------------------------------------------------------------------------


def test_registry_filters(world, client_for, monkeypatch):
    from accounts.pagecache import PageCacheMixin

    # The same filter twice reads the table from the context: rendered each time, not cached.
    monkeypatch.setattr(PageCacheMixin, "page_cache", False)
    registered = registered_farm(world)
    submitted = more_farms(world, 1)[0]
    client = client_for(world.manager)
    url = reverse("portal_ciq:farm_list")

    def listed(**params):
        return {f.pk for f in client.get(url, params).context["table"].data}

    assert {registered.pk, submitted.pk} <= listed()
    assert registered.pk in listed(status="registered") and submitted.pk not in listed(status="registered")
    assert registered.pk in listed(q=registered.registration_number) and submitted.pk not in listed(
        q=registered.registration_number
    )
    assert registered.pk in listed(q="华丰生猪")  # the enterprise's name
    assert registered.pk in listed(province="44") and registered.pk not in listed(province="43")
    assert registered.pk in listed(species="1") and registered.pk not in listed(species="2")
    assert registered.pk in listed(branch=world.branch_a.pk) and registered.pk not in listed(
        branch=world.branch_b.pk
    )
    grade = client.get(url).context["table"].data.data.get(pk=registered.pk).credit_grade
    if grade:
        assert registered.pk in listed(credit_grade=grade)
    assert registered.pk not in listed(credit_grade=next(g for g in "ABCD" if g != grade))


def test_registry_is_scoped(world, client_for):
    farm = submitted_farm(world)
    registered = registered_farm(world, name_zh="华丰二场", latitude=farm.latitude + Decimal("0.01"))
    url = reverse("portal_ciq:farm_list")
    for user, sees_application, sees_registered in [
        (world.insp_a, True, True),
        (world.insp_b, False, False),
        (world.port, False, True),
        (world.manager, True, True),
    ]:
        rows = {f.pk for f in client_for(user).get(url, {"per_page": 500}).context["table"].data}
        assert (farm.pk in rows, registered.pk in rows) == (sees_application, sees_registered), user


def test_registry_query_count_is_capped(world, client_for):
    client = client_for(world.manager)
    registered_farm(world)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("portal_ciq:farm_list")).status_code == 200
    more_farms(world, 5)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("portal_ciq:farm_list"))
    assert len(many) == len(few) <= 12, [q["sql"] for q in many.captured_queries]


def test_registry_sorts(world, client_for):
    registered_farm(world)
    more_farms(world, 2)
    client = client_for(world.manager)
    for column in [
        "registration_number",
        "name",
        "capacity",
        "county_code",
        "branch",
        "status",
        "credit_grade",
        "valid_until",
    ]:
        table = client.get(reverse("portal_ciq:farm_list"), {"sort": f"-{column}"}).context["table"]
        assert tuple(table.order_by) == (f"-{column}",), column
        assert len(list(table.page.object_list)) >= 3


# --- the export -------------------------------------------------------------------------------


def workbook(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_export_has_the_filtered_rows(language, world, client_for):
    registered = registered_farm(world)
    submitted = more_farms(world, 1)[0]
    client = client_for(world.manager)
    client.cookies["django_language"] = language
    response = client.get(
        reverse("portal_ciq:farm_export"), {"status": "registered"}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    sheet = workbook(response).active
    header = [c.value for c in sheet[1]]
    with translation.override(language):
        assert header[:2] == [gettext("Registration number"), gettext("Farm name (Chinese)")]
    assert all(header)
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width > 10
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert registered.registration_number in numbers
    assert submitted.pk and "" not in numbers and None not in numbers  # only registered farms
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == registered.registration_number)
    dates = [c for c in row if isinstance(c.value, dt.datetime)]
    assert dates and dates[0].value.date() == registered.registered_on
    assert dates[0].number_format == "yyyy-mm-dd"


def test_export_is_scoped(world, client_for):
    farm = registered_farm(world)
    response = client_for(world.insp_b).get(reverse("portal_ciq:farm_export"))
    numbers = [row[0] for row in workbook(response).active.iter_rows(min_row=2, values_only=True)]
    assert farm.registration_number not in numbers


def test_export_keeps_the_registrys_sort_order(world, client_for):
    farms = more_farms(world, 3)
    services.farm_withdraw(actor=world.ent_a_staff, farm=farms[1])
    response = client_for(world.manager).get(
        reverse("portal_ciq:farm_export"), {"sort": "-status", "q": "华丰"}
    )
    sheet = workbook(response).active
    statuses = [row[13] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(statuses) >= 3
    listed = client_for(world.manager).get(reverse("portal_ciq:farm_list"), {"sort": "-status", "q": "华丰"})
    assert statuses == [str(f.get_status_display()) for f in listed.context["table"].data]


# --- the map ----------------------------------------------------------------------------------


def test_map_data_is_scoped_compact_and_one_query(world, client_for):
    farm = registered_farm(world)
    application = under_review_farm(world, name_zh="华丰二场", latitude=farm.latitude + Decimal("0.01"))
    with CaptureQueriesContext(connection) as queries:
        data = farm_map_data_for_user(user=world.insp_a)
    assert len(queries) == 1
    rows = {row[0]: row for row in data["farms"]}
    assert rows[farm.pk][4:6] == ["registered", farm.registration_number]
    assert rows[application.pk][4] == "under_review"
    assert str(world.ent_a.pk) in {str(k) for k in data["enterprises"]}

    response = client_for(world.insp_b).get(reverse("portal_ciq:farm_map_data"))
    assert farm.pk not in {row[0] for row in response.json()["farms"]}
    port_rows = {
        row[0] for row in client_for(world.port).get(reverse("portal_ciq:farm_map_data")).json()["farms"]
    }
    assert farm.pk in port_rows and application.pk not in port_rows


def test_map_page(world, client_for):
    html = client_for(world.manager).get(reverse("portal_ciq:farm_map")).content.decode()
    assert 'id="farmsmap"' in html and "farm_map.js" in html and "farm-map-config" in html


def test_the_registry_names_places_in_the_pages_language(world, client_for):
    registered_farm(world)
    submitted_farm(world, name_zh="华丰二场", latitude=BOLUO["latitude"] + Decimal("0.02"))
    client = client_for(world.insp_a)
    client.cookies["django_language"] = "en"
    registry = client.get(reverse("portal_ciq:farm_list")).content.decode()
    assert "Boluo County" in registry and ">Guangdong</option>" in registry and "博罗县" not in registry
    queue = client.get(reverse("portal_ciq:farm_queue")).content.decode()
    assert "Boluo County" in queue and "Huizhou City, Guangdong" in queue
    client.cookies["django_language"] = "zh-hans"
    registry = client.get(reverse("portal_ciq:farm_list")).content.decode()
    assert "博罗县" in registry and ">广东省</option>" in registry
