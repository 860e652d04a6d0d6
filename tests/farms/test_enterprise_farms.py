"""The enterprise side of farm registration, through its pages: file, edit, submit, withdraw, attach."""

import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.text import format_lazy

from accounts.uploads import FILE_WRONG_TYPE
from farms.models import Farm, FarmAttachment, SurroundingRule
from farms.services import registration as reg

from .factories import FAR_ENOUGH, PEN, draft_farm, farm_data, registered_farm, submitted_farm

# 长沙县, Hunan: enterprise B's farms are supervised by the Hunan branch.
CHANGSHA = {"county_code": "430121", "latitude": Decimal("28.246000"), "longitude": Decimal("113.080000")}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def rules(db):
    for kind, metres in {"residential": 500, "slaughterhouse": 3000, "other_farm": 1000}.items():
        SurroundingRule.objects.update_or_create(kind=kind, defaults={"min_distance_m": metres})


@pytest.fixture
def as_user(client_for):
    """Log in as a world user with English pages, so messages can be compared with the msgids."""

    def login(user):
        client = client_for(user)
        client.cookies["django_language"] = "en"
        return client

    return login


def english(message, **kw):
    with translation.override("en"):
        return str(format_lazy(message, **kw) if kw else message)


def form_post(world, *, action="draft", surroundings=FAR_ENOUGH, **overrides) -> dict:
    data = farm_data(world, **overrides)
    province = data.pop("province", data["county_code"][:2] + "0000")
    post = {
        **data,
        "branch": data["branch"].pk,
        "layout": json.dumps(data["layout"]),
        "province": province,
        "action": action,
    }
    post.update(
        {
            "surroundings-TOTAL_FORMS": len(surroundings),
            "surroundings-INITIAL_FORMS": 0,
            "surroundings-MIN_NUM_FORMS": 0,
            "surroundings-MAX_NUM_FORMS": 1000,
        }
    )
    for i, row in enumerate(surroundings):
        post.update({f"surroundings-{i}-{k}": v for k, v in row.items()})
    return {k: v for k, v in post.items() if v is not None}


def png_file(name="plan.png"):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "#0f766e").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def pdf_file(name="licence.pdf"):
    content = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# --- filing -----------------------------------------------------------------------------


def test_new_application_form_defaults_to_the_enterprise_branch(world, as_user):
    response = as_user(world.ent_a_staff).get(reverse("portal_enterprise:farm_create"))
    assert response.status_code == 200
    assert response.context["form"]["branch"].value() == world.branch_a.pk
    assert b'id="farm-location"' in response.content and b'id="farm-layout"' in response.content
    assert b"leaflet.draw" in response.content


def test_save_draft_files_everything(world, as_user):
    response = as_user(world.ent_a_staff).post(reverse("portal_enterprise:farm_create"), form_post(world))
    farm = Farm.objects.get(enterprise=world.ent_a, name_zh="华丰一场")
    assert response.status_code == 302 and response["Location"] == reverse(
        "portal_enterprise:farm_detail", args=[farm.pk]
    )
    assert (
        farm.status == Farm.Status.DRAFT
        and farm.branch == world.branch_a
        and farm.created_by == world.ent_a_staff
    )
    assert farm.layout["features"][0]["properties"]["kind"] == "pen"
    assert sorted(farm.surroundings.values_list("kind", "distance_m")) == sorted(
        (s["kind"], s["distance_m"]) for s in FAR_ENOUGH
    )
    assert farm.status_changes.get().action == "create"


def test_save_and_submit(world, as_user):
    client = as_user(world.ent_a_staff)
    response = client.post(
        reverse("portal_enterprise:farm_create"), form_post(world, action="submit"), follow=True
    )
    farm = Farm.objects.get(enterprise=world.ent_a, name_zh="华丰一场")
    assert farm.status == Farm.Status.SUBMITTED and farm.submitted_at
    assert b'data-status="submitted"' in response.content
    assert b'data-testid="farm-edit"' not in response.content  # no longer editable
    assert b'data-testid="farm-withdraw"' in response.content


NEEDED_ONLY_TO_SUBMIT = {
    "province": "",
    "capacity": None,
    "county_code": "",
    "address": "",
    "latitude": None,
    "longitude": None,
    "vet_name": "",
    "vet_licence": "",
    "immunisation_programme": "",
    "layout": {},
}


def test_a_draft_needs_only_its_name(world, as_user, client_for):
    """Saving a draft asked for every field that only submission needs; now only the name."""
    client = as_user(world.ent_a_staff)
    response = client.post(
        reverse("portal_enterprise:farm_create"), form_post(world, surroundings=[], **NEEDED_ONLY_TO_SUBMIT)
    )
    assert response.status_code == 302, response.context["form"].errors
    farm = Farm.objects.get(enterprise=world.ent_a, name_zh="华丰一场")
    assert (farm.status, farm.capacity, farm.latitude, farm.address) == (Farm.Status.DRAFT, None, None, "")
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="no-location"' in page
    # The bureau's pages that list or map it do not stumble on the empty point either.
    bureau = client_for(world.insp_a)
    for name in ("portal_ciq:farm_list", "portal_ciq:farm_map_data", "portal_ciq:farm_export"):
        assert bureau.get(reverse(name)).status_code == 200, name
    assert (
        'data-testid="no-location"'
        in bureau.get(reverse("portal_ciq:farm_detail", args=[farm.pk])).content.decode()
    )


def test_a_draft_without_a_name_is_refused(world, as_user):
    client = as_user(world.ent_a_staff)
    response = client.post(
        reverse("portal_enterprise:farm_create"), form_post(world, name_zh="", surroundings=[])
    )
    assert response.status_code == 200 and "name_zh" in response.context["form"].errors
    assert not Farm.objects.filter(enterprise=world.ent_a).exists()


def test_submitting_an_incomplete_draft_names_what_is_missing(world, as_user):
    client = as_user(world.ent_a_staff)
    data = form_post(world, action="submit", **{**NEEDED_ONLY_TO_SUBMIT, "layout": PEN})
    response = client.post(reverse("portal_enterprise:farm_create"), data)
    assert response.status_code == 200
    text = " ".join(response.context["form"].errors.get("capacity", []))
    assert text.startswith(
        "Before the application can be submitted, fill in: Capacity (head), County, Address"
    )
    assert "Immunisation programme" in text
    assert not Farm.objects.filter(enterprise=world.ent_a).exists()  # saving and submitting: one step


def test_edit_a_draft_shows_its_layout_and_saves_changes(world, as_user):
    farm = draft_farm(world)
    client = as_user(world.ent_a_staff)
    page = client.get(reverse("portal_enterprise:farm_edit", args=[farm.pk]))
    assert json.loads(page.context["form"]["layout"].value()) == PEN
    assert [f["kind"].value() for f in page.context["formset"]] == sorted(s["kind"] for s in FAR_ENOUGH)
    client.post(
        reverse("portal_enterprise:farm_edit", args=[farm.pk]), form_post(world, capacity=6000, name_en="New")
    )
    farm.refresh_from_db()
    assert (farm.capacity, farm.name_en) == (6000, "New")


def test_a_submitted_application_cannot_be_edited(world, as_user):
    farm = submitted_farm(world)
    client = as_user(world.ent_a_staff)
    response = client.get(reverse("portal_enterprise:farm_edit", args=[farm.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal_enterprise:farm_detail", args=[farm.pk])
    response = client.post(
        reverse("portal_enterprise:farm_edit", args=[farm.pk]), form_post(world, capacity=1)
    )
    farm.refresh_from_db()
    assert farm.capacity == 5000


def test_submit_and_withdraw_from_the_farm_page(world, as_user):
    farm = draft_farm(world)
    client = as_user(world.ent_a_staff)
    client.post(reverse("portal_enterprise:farm_submit", args=[farm.pk]))
    farm.refresh_from_db()
    assert farm.status == Farm.Status.SUBMITTED
    response = client.post(
        reverse("portal_enterprise:farm_withdraw", args=[farm.pk]), {"reason": "场址调整"}, follow=True
    )
    farm.refresh_from_db()
    assert farm.status == Farm.Status.WITHDRAWN
    assert farm.status_changes.last().reason == "场址调整"
    assert "场址调整" in response.content.decode()
    assert b'data-testid="farm-withdraw"' not in response.content


def test_a_returned_application_shows_why_and_can_be_resubmitted(world, as_user):
    farm = reg.farm_return(actor=world.insp_a, farm=submitted_farm(world), reason="请在布局图中补充隔离舍")
    client = as_user(world.ent_a_staff)
    page = client.get(reverse("portal_enterprise:farm_detail", args=[farm.pk])).content.decode()
    assert 'data-testid="returned-reason"' in page and "请在布局图中补充隔离舍" in page
    assert 'data-testid="farm-edit"' in page and 'data-testid="farm-submit"' in page
    client.post(reverse("portal_enterprise:farm_edit", args=[farm.pk]), form_post(world, action="submit"))
    farm.refresh_from_db()
    assert farm.status == Farm.Status.SUBMITTED
    assert [c.action for c in farm.status_changes.all()] == ["create", "submit", "return", "submit"]


def test_a_registered_farm_cannot_be_withdrawn_by_the_enterprise(world, as_user):
    farm = registered_farm(world)
    response = as_user(world.ent_a_staff).post(
        reverse("portal_enterprise:farm_withdraw", args=[farm.pk]), follow=True
    )
    farm.refresh_from_db()
    assert farm.status == Farm.Status.REGISTERED
    assert farm.registration_number in response.content.decode()
    assert (
        english(reg.TRANSITION_REFUSED, current="Registered", action="withdrawn") in response.content.decode()
    )


# --- attachments ------------------------------------------------------------------------


@pytest.mark.parametrize("make, content_type", [(png_file, "image/png"), (pdf_file, "application/pdf")])
def test_upload_and_download_an_attachment(world, as_user, make, content_type):
    farm = draft_farm(world)
    client = as_user(world.ent_a_staff)
    upload = make()
    client.post(
        reverse("portal_enterprise:farm_attachment_add", args=[farm.pk]),
        {"kind": "layout_plan", "file": upload},
    )
    attachment = farm.attachments.get()
    assert (attachment.content_type, attachment.original_name) == (content_type, upload.name)
    response = client.get(reverse("portal_enterprise:farm_attachment", args=[farm.pk, attachment.pk]))
    assert response.status_code == 200 and response["Content-Type"] == content_type
    assert b"".join(response.streaming_content) == make().read()
    # Other enterprises, and the branch of another province, do not get it.
    for user in (world.ent_b_admin, world.insp_b):
        assert as_user(user).get(
            reverse("portal_enterprise:farm_attachment", args=[farm.pk, attachment.pk])
        ).status_code in (403, 404)


def test_a_text_file_named_pdf_is_refused_by_name(world, as_user):
    farm = draft_farm(world)
    fake = SimpleUploadedFile("营业执照.pdf", b"this is not a PDF at all\n", content_type="application/pdf")
    response = as_user(world.ent_a_staff).post(
        reverse("portal_enterprise:farm_attachment_add", args=[farm.pk]),
        {"kind": "licence", "file": fake},
        follow=True,
    )
    assert english(FILE_WRONG_TYPE, name="营业执照.pdf") in response.content.decode()
    assert not FarmAttachment.objects.filter(farm=farm).exists()


# --- bad input ----------------------------------------------------------------------------


def refused(client, world, field, message, **overrides):
    before = Farm.objects.count()
    response = client.post(reverse("portal_enterprise:farm_create"), form_post(world, **overrides))
    assert response.status_code == 200
    assert Farm.objects.count() == before, "a refused application saved something"
    errors = response.context["form"].errors
    assert message in errors.get(field or "__all__", []), errors
    assert message in response.content.decode()
    return response


def test_coordinates_outside_china(world, as_user):
    message = english(reg.OUTSIDE_CHINA, lat=Decimal("35.000000"), lng=Decimal("139.000000"))
    refused(as_user(world.ent_a_staff), world, "latitude", message, latitude="35", longitude="139")


def test_point_in_the_wrong_county(world, as_user):
    client = as_user(world.ent_a_staff)
    response = client.post(
        reverse("portal_enterprise:farm_create"), form_post(world, **CHANGSHA | {"county_code": "441322"})
    )
    assert "not in" in str(response.context["form"].errors["latitude"])
    assert not Farm.objects.filter(enterprise=world.ent_a).exists()


def test_unknown_county_code(world, as_user):
    refused(
        as_user(world.ent_a_staff),
        world,
        "county_code",
        english(reg.COUNTY_UNKNOWN, code="999999"),
        county_code="999999",
        province="440000",
    )


def test_duplicate_farm_name(world, as_user):
    draft_farm(world)
    message = english(reg.DUPLICATE_FARM, name="华丰一场", status="Draft")
    refused(
        as_user(world.ent_a_staff),
        world,
        "name_zh",
        message,
        latitude=Decimal("23.20"),
        longitude=Decimal("114.20"),
    )


def test_submit_with_a_shortfall_is_refused_naming_it(world, as_user):
    near = [{"kind": "residential", "distance_m": 200, "description": "石湾村"}]
    client = as_user(world.ent_a_staff)
    response = client.post(
        reverse("portal_enterprise:farm_create"), form_post(world, action="submit", surroundings=near)
    )
    text = response.content.decode()
    assert "Residential area at 200 m (at least 500 m)" in text
    assert [row.refused for row in response.context["formset"]] == [True]  # the row is marked
    assert not Farm.objects.filter(enterprise=world.ent_a).exists()  # the draft was not kept either
    # Saved as a draft, it is kept with a warning; submitting it from its page is refused.
    response = client.post(
        reverse("portal_enterprise:farm_create"), form_post(world, surroundings=near), follow=True
    )
    farm = Farm.objects.get(enterprise=world.ent_a)
    assert "Residential area at 200 m (at least 500 m)" in response.content.decode()
    response = client.post(reverse("portal_enterprise:farm_submit", args=[farm.pk]), follow=True)
    farm.refresh_from_db()
    assert farm.status == Farm.Status.DRAFT
    assert "Residential area at 200 m (at least 500 m)" in response.content.decode()


def test_broken_layout_is_refused(world, as_user):
    client = as_user(world.ent_a_staff)
    post = form_post(world) | {"layout": "{not json"}
    response = client.post(reverse("portal_enterprise:farm_create"), post)
    assert response.context["form"].errors["layout"]
    assert not Farm.objects.exists() or not Farm.objects.filter(enterprise=world.ent_a).exists()


def test_another_enterprises_farm_is_not_found(world, as_user):
    farm = draft_farm(world)
    attachment = reg.farm_attachment_add(actor=world.ent_a_staff, farm=farm, kind="photo", file=png_file())
    client = as_user(world.ent_b_admin)
    for name, method, args in [
        ("farm_detail", "get", [farm.pk]),
        ("farm_edit", "get", [farm.pk]),
        ("farm_edit", "post", [farm.pk]),
        ("farm_submit", "post", [farm.pk]),
        ("farm_withdraw", "post", [farm.pk]),
        ("farm_attachment_add", "post", [farm.pk]),
        ("farm_attachment", "get", [farm.pk, attachment.pk]),
    ]:
        response = getattr(client, method)(reverse(f"portal_enterprise:{name}", args=args))
        assert response.status_code == 404, name
    farm.refresh_from_db()
    assert farm.status == Farm.Status.DRAFT


# --- the list, and the county look-up -------------------------------------------------------


def test_the_list_shows_own_farms_with_counts(world, as_user):
    draft_farm(world)
    submitted_farm(world, name_zh="华丰二场", latitude=Decimal("23.20"), longitude=Decimal("114.25"))
    reg.farm_application_save(
        actor=world.ent_b_admin,
        data=farm_data(world, branch=world.branch_b, name_zh="湘润一场", **CHANGSHA),
        surroundings=[],
    )
    response = as_user(world.ent_a_staff).get(reverse("portal_enterprise:farm_list"))
    text = response.content.decode()
    assert "华丰一场" in text and "华丰二场" in text and "湘润一场" not in text
    assert {s: n for s, _, n in response.context["status_counts"]} == {"draft": 1, "submitted": 1}
    filtered = as_user(world.ent_a_staff).get(reverse("portal_enterprise:farm_list"), {"status": "submitted"})
    assert [f.name_zh for f in filtered.context["farms"]] == ["华丰二场"]


def test_the_list_has_a_capped_query_count(world, as_user):
    client = as_user(world.ent_a_staff)
    url = reverse("portal_enterprise:farm_list")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    for i in range(3):
        draft_farm(world, name_zh=f"场{i}", latitude=Decimal("23.15") + Decimal(i) / 100)
    few = count()
    for i in range(3, 12):
        draft_farm(world, name_zh=f"场{i}", latitude=Decimal("23.15") + Decimal(i) / 100)
    # The session's expiry is pushed forward on every request (2 queries), the menu asks for
    # permissions (2) and counts the open alerts (1): the rest is the page, whatever the number
    # of farms (whether each lies in a disease zone is read in the same query).
    assert count() == few <= 11


def test_counties_of_a_province_and_by_name(world, as_user):
    client = as_user(world.ent_a_staff)
    by_province = client.get(reverse("portal_enterprise:farm_counties"), {"province": "44"}).json()[
        "counties"
    ]
    assert any(c["code"] == "441322" for c in by_province)
    by_name = client.get(reverse("portal_enterprise:farm_counties"), {"q": "博罗"}).json()["counties"]
    assert by_name[0]["code"] == "441322" and by_name[0]["province_code"] == "440000"
    assert client.get(reverse("portal_enterprise:farm_counties"), {"province": "zz"}).json() == {
        "counties": []
    }


def test_counties_and_provinces_are_named_in_english_on_english_pages(world, as_user, client_for):
    client = as_user(world.ent_a_staff)
    counties = client.get(reverse("portal_enterprise:farm_counties"), {"q": "Boluo"}).json()["counties"]
    assert counties[0] | {"lat": 0, "lng": 0} == {
        "code": "441322",
        "name": "Boluo County",
        "city": "Huizhou City",
        "province": "Guangdong",
        "province_code": "440000",
        "label": "Boluo County, Huizhou City",
        "parent": "Huizhou City, Guangdong",
        "lat": 0,
        "lng": 0,
    }
    page = client.get(reverse("portal_enterprise:farm_create")).content.decode()
    assert ">Guangdong</option>" in page and ">广东省</option>" not in page
    farm = draft_farm(world)
    detail = client.get(reverse("portal_enterprise:farm_detail", args=[farm.pk])).content.decode()
    assert "Boluo County, Huizhou City, Guangdong" in detail
    chinese = client_for(world.ent_a_staff)
    chinese.cookies["django_language"] = "zh-hans"
    assert (
        "广东省惠州市博罗县"
        in chinese.get(reverse("portal_enterprise:farm_detail", args=[farm.pk])).content.decode()
    )
