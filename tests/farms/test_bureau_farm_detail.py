"""The bureau's page of one farm: what it shows, to whom, and the review actions posted from it."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from farms import services
from farms.models import Farm, SiteInspection, SurroundingRule
from portal_ciq.farms.actions import ACTIONS

from .factories import draft_farm, registered_farm, submitted_farm, under_review_farm

S = Farm.Status
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def detail(farm):
    return reverse("portal_ciq:farm_detail", args=[farm.pk])


def post(client, farm, action, **data):
    return client.post(reverse(f"portal_ciq:farm_{action}", args=[farm.pk]), data, follow=True)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- a farm's page ----------------------------------------------------------------------------


def test_detail_shows_the_application_and_only_allowed_actions(world, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    farm = draft_farm(
        world, surroundings=[{"kind": "residential", "distance_m": 3000, "description": "石湾镇"}]
    )
    services.farm_attachment_add(
        actor=world.ent_a_staff, farm=farm, kind="layout_plan", file=SimpleUploadedFile("平面图.pdf", PDF)
    )
    farm = services.farm_submit(actor=world.ent_a_staff, farm=farm)
    response = client_for(world.insp_a).get(detail(farm))
    html = response.content.decode()
    assert response.status_code == 200
    for text in ["华丰一场", "李兽医", "GD-VET-2019-0001", "石湾镇", "平面图.pdf", "441322"]:
        assert text in html, text
    attachment = farm.attachments.get()
    assert reverse("portal_ciq:farm_attachment", args=[farm.pk, attachment.pk]) in html
    assert "/media/" not in html
    shown = {name for name in ACTIONS if f'data-testid="action-{name}"' in html}
    assert shown == {"assign", "return", "reject"}
    assert 'data-testid="history-link"' not in html  # managers only
    assert 'data-testid="history-link"' in client_for(world.manager).get(detail(farm)).content.decode()


def test_detail_highlights_shortfalls(world, client_for):
    farm = draft_farm(
        world, surroundings=[{"kind": "residential", "distance_m": 3000, "description": "石湾镇"}]
    )
    # A rule made stricter after filing: the bureau sees the farm now falls short.
    SurroundingRule.objects.update_or_create(kind="residential", defaults={"min_distance_m": 5000})
    html = client_for(world.insp_a).get(detail(farm)).content.decode()
    assert "table-danger" in html and 'data-testid="shortfalls"' in html


# An application: its branch and the managers see it; the other branch and the registry's
# readers (port, lab) do not know it exists.
@pytest.mark.parametrize(
    ("role", "expected"),
    [("insp_a", 200), ("manager", 200), ("sysadmin", 200), ("insp_b", 404), ("port", 404), ("lab", 404)],
)
def test_detail_scope(role, expected, world, client_for):
    farm = submitted_farm(world)
    assert client_for(getattr(world, role)).get(detail(farm)).status_code == expected


def test_registry_readers_see_registered_farms_without_actions(world, client_for):
    farm = registered_farm(world)
    response = client_for(world.port).get(detail(farm))
    assert response.status_code == 200
    assert 'data-testid="actions"' not in response.content.decode()


def test_attachment_is_served_only_in_scope(world, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    farm = draft_farm(world)
    attachment = services.farm_attachment_add(
        actor=world.ent_a_staff, farm=farm, kind="licence", file=SimpleUploadedFile("licence.pdf", PDF)
    )
    url = reverse("portal_ciq:farm_attachment", args=[farm.pk, attachment.pk])
    response = client_for(world.insp_a).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    assert client_for(world.insp_b).get(url).status_code == 404
    other = registered_farm(world, name_zh="华丰二场", latitude=farm.latitude + Decimal("0.01"))
    wrong_farm = reverse("portal_ciq:farm_attachment", args=[other.pk, attachment.pk])
    assert client_for(world.insp_a).get(wrong_farm).status_code == 404


def test_detail_query_count_is_capped(world, client_for):
    farm = registered_farm(world)
    client = client_for(world.insp_a)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(detail(farm)).status_code == 200
    assert len(queries) <= 16, [q["sql"] for q in queries.captured_queries]


# --- the actions ------------------------------------------------------------------------------


def test_review_from_queue_to_registration(world, client_for):
    farm = submitted_farm(world)
    client = client_for(world.insp_a)
    assert messages_of(post(client, farm, "assign", inspector=world.insp_a.pk))
    farm.refresh_from_db()
    assert farm.status == S.UNDER_REVIEW
    post(
        client,
        farm,
        "inspect",
        inspected_on=timezone.localdate().isoformat(),
        conclusion="pass",
        notes="符合要求",
    )
    assert farm.site_inspections.get().conclusion == SiteInspection.Conclusion.PASS
    response = post(client, farm, "approve", reason="")
    farm.refresh_from_db()
    assert farm.status == S.REGISTERED and farm.registration_number.startswith("GK44P-")
    assert farm.registration_number in response.content.decode()


def test_a_refused_transition_shows_the_services_message_and_changes_nothing(world, client_for):
    farm = submitted_farm(world)
    client = client_for(world.insp_a)
    client.cookies["django_language"] = "en"
    response = post(client, farm, "suspend", reason="整改")
    assert "cannot be suspended" in " ".join(messages_of(response))
    response = post(client, farm, "reject", reason="")
    assert "Please give a reason" in " ".join(messages_of(response))
    response = post(client, farm, "approve")
    assert "cannot be approved" in " ".join(messages_of(response))
    response = post(client, farm, "assign", inspector=world.insp_b.pk)
    assert "is not an inspector of" in " ".join(messages_of(response))
    response = post(client, farm, "inspect", inspected_on="2099-01-01", conclusion="pass", notes="x")
    assert "cannot be inspected" in " ".join(messages_of(response))
    farm.refresh_from_db()
    assert (farm.status, farm.inspector, farm.status_changes.count()) == (S.SUBMITTED, None, 2)


def test_inspection_dated_in_the_future_is_refused_by_the_service(world, client_for):
    farm = under_review_farm(world)
    client = client_for(world.insp_a)
    client.cookies["django_language"] = "en"
    response = post(client, farm, "inspect", inspected_on="2099-01-01", conclusion="pass", notes="x")
    assert "2099-01-01 is in the future" in " ".join(messages_of(response))
    assert not farm.site_inspections.exists()


def test_other_branch_cannot_act(world, client_for):
    farm = submitted_farm(world)
    response = client_for(world.insp_b).post(
        reverse("portal_ciq:farm_reject", args=[farm.pk]), {"reason": "x"}
    )
    assert response.status_code == 404
    farm.refresh_from_db()
    assert farm.status == S.SUBMITTED


def test_offered_actions_agree_with_the_transition_table():
    targets = {
        "approve": S.REGISTERED,
        "return": S.RETURNED,
        "reject": S.REJECTED,
        "suspend": S.SUSPENDED,
        "reinstate": S.REGISTERED,
        "revoke": S.REVOKED,
        "renew": S.REGISTERED,
        "assign": S.UNDER_REVIEW,
    }
    for action in ACTIONS.values():
        for status in action.statuses:
            if action.name == "inspect" or (action.name == "assign" and status == S.UNDER_REVIEW):
                assert status == S.UNDER_REVIEW  # no arrow: an inspection, or a reassignment
                continue
            assert targets[action.name] in Farm.TRANSITIONS[status], (action.name, status)
