"""The bureau's outbreak pages and alerts centre, and the enterprise's page, through the test client."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from surveillance.models import Alert, DiseaseReport, Zone
from surveillance.services import AlertScope, alert_raise, report_create
from surveillance.services import alerts as alert_services
from surveillance.services import zones as zone_services

from .conftest import away

PDF = b"%PDF-1.4\n%%EOF\n"


def speak(client, language):
    client.cookies["django_language"] = language
    return client


def outbreak(world, disease, km=0.0, **kw):
    lat, lng = away(km)
    return report_create(
        actor=world.manager,
        disease=disease,
        latitude=lat,
        longitude=lng,
        confirmed_on=timezone.localdate(),
        source="national_bulletin",
        **kw,
    )


def form(disease, **overrides):
    lat, lng = away(0.5)
    data = {
        "disease": disease.pk,
        "confirmed_on": timezone.localdate().isoformat(),
        "source": "national_bulletin",
        "latitude": str(lat),
        "longitude": str(lng),
        "radius_infected": "3",
        "radius_surveillance": "10",
        "place": "石湾镇",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_renders_in_both_languages(world, client_for, asf, farm_at, language):
    farm = farm_at(1.0)
    made = outbreak(world, asf, files=[SimpleUploadedFile("通报.pdf", PDF)])
    alert = Alert.objects.get(farm=farm)
    manager = speak(client_for(world.manager), language)
    for name, args in [
        ("zone_map", []),
        ("report_list", []),
        ("report_create", []),
        ("report_detail", [made.pk]),
        ("disease_list", []),
        ("disease_edit", [asf.pk]),
        ("alert_centre", []),
        ("alert_detail", [alert.pk]),
        ("home", []),
        ("farm_detail", [farm.pk]),
        ("farm_list", []),
        ("farm_map", []),
    ]:
        response = manager.get(reverse(f"portal_ciq:{name}", args=args))
        assert response.status_code == 200, name
        html = response.content.decode()
        assert f'<html lang="{language}">' in html, name
        assert "<script>" not in html.replace('<script src="', ""), name  # no inline script
    zone_word = "African swine fever" if language == "en" else "非洲猪瘟"
    assert zone_word in manager.get(reverse("portal_ciq:farm_detail", args=[farm.pk])).content.decode()
    enterprise = speak(client_for(world.ent_a_admin), language)
    html = enterprise.get(reverse("portal_enterprise:alerts")).content.decode()
    assert farm.name_zh in html or farm.name_en in html
    assert (
        'data-testid="farm-restriction"'
        in enterprise.get(reverse("portal_enterprise:farm_detail", args=[farm.pk])).content.decode()
    )
    assert (
        'data-testid="restricted-badge"'
        in enterprise.get(reverse("portal_enterprise:farm_list")).content.decode()
    )


def test_a_report_through_the_form_flags_the_farms_and_says_how_many(world, client_for, asf, farm_at):
    near = farm_at(1.0)
    client = speak(client_for(world.manager), "en")
    data = form(asf, files=[SimpleUploadedFile("bulletin.pdf", PDF)])
    response = client.post(reverse("portal_ciq:report_create"), data, follow=True)
    made = DiseaseReport.objects.get()
    assert response.redirect_chain[-1][0] == reverse("portal_ciq:report_detail", args=[made.pk])
    assert f"Outbreak {made.number} recorded: 1 farms flagged" in response.content.decode()
    assert made.evidence.count() == 1 and near.restrictions.filter(lifted_at__isnull=True).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"latitude": "35.68", "longitude": "139.69"}, "latitude", "is not in China"),
        ({"latitude": "", "longitude": "", "county_code": "449999"}, "county_code", "is not a county"),
        ({"radius_infected": "0"}, "radius_infected", "more than 0 and at most 50 km"),
        ({"radius_surveillance": "-5"}, "radius_surveillance", "more than 0 and at most 50 km"),
        ({"radius_surveillance": "51"}, "radius_surveillance", "more than 0 and at most 50 km"),
        ({"confirmed_on": "2099-01-01"}, "confirmed_on", "a day still to come"),
    ],
)
def test_bad_input_in_the_form_is_named_and_changes_nothing(
    world, client_for, asf, overrides, field, message
):
    client = speak(client_for(world.manager), "en")
    response = client.post(reverse("portal_ciq:report_create"), form(asf, **overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-testid="error-{field}"' in html and message in html
    assert not DiseaseReport.objects.exists() and not Zone.objects.exists()


def test_the_form_error_is_translated(world, client_for, asf):
    client = speak(client_for(world.manager), "zh-hans")
    html = client.post(reverse("portal_ciq:report_create"), form(asf, radius_infected="0")).content.decode()
    assert "必须大于 0 且不超过 50 公里" in html


def test_lifting_through_the_page_needs_a_reason(world, client_for, asf, farm_at):
    farm_at(1.0)
    made = outbreak(world, asf)
    client = speak(client_for(world.manager), "en")
    url = reverse("portal_ciq:report_lift", args=[made.pk])
    response = client.post(url, {"reason": " "}, follow=True)
    assert "Say why the zone is lifted" in response.content.decode()
    made.refresh_from_db()
    assert made.status == "confirmed"
    client.post(url, {"reason": "封锁期满"})
    made.refresh_from_db()
    assert made.status == "lifted"
    response = client.post(url, {"reason": "再次"}, follow=True)
    assert "already lifted" in response.content.decode()


def test_evidence_is_served_only_through_the_scoped_view(world, client_for, asf):
    made = outbreak(world, asf, files=[SimpleUploadedFile("通报.pdf", PDF)])
    evidence = made.evidence.get()
    url = reverse("portal_ciq:report_evidence", args=[made.pk, evidence.pk])
    response = client_for(world.insp_b).get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == PDF
    assert client_for(world.ent_a_admin).get(url).status_code == 403
    other = reverse("portal_ciq:report_evidence", args=[made.pk, evidence.pk + 999])
    assert client_for(world.manager).get(other).status_code == 404
    assert not evidence.file.url.startswith("/static/")


def test_the_disease_table_is_the_managers(world, client_for, asf):
    client = speak(client_for(world.manager), "en")
    url = reverse("portal_ciq:disease_edit", args=[asf.pk])
    data = {
        "name_zh": "非洲猪瘟",
        "name_en": "African swine fever",
        "infected_radius_km": "5",
        "surveillance_radius_km": "15",
        "restriction_days": "42",
        "is_active": "on",
        "species": ["1"],
    }
    assert client.post(url, data).status_code == 302
    asf.refresh_from_db()
    assert (asf.infected_radius_km, asf.surveillance_radius_km) == (5, 15)
    response = client.post(url, {**data, "surveillance_radius_km": "80"})
    assert "more than 0 and at most 50 km" in response.content.decode()
    asf.refresh_from_db()
    assert asf.surveillance_radius_km == 15
    assert client_for(world.insp_a).post(url, data).status_code == 403


def branch_a_alert(world, key):
    from accounts.models import Role

    return alert_raise(
        kind=Alert.Kind.OTHER,
        severity=Alert.Severity.MEDIUM,
        key=key,
        scope=AlertScope(
            organisation_id=world.branch_a.pk, role=Role.INSPECTOR, enterprise_id=world.ent_a.pk
        ),
        text="测试预警",
    )


def test_htmx_answers_in_place_with_the_row(world, client_for):
    alert = branch_a_alert(world, "row")
    client = speak(client_for(world.insp_a), "en")
    htmx = {"HTTP_HX_REQUEST": "true"}
    response = client.post(reverse("portal_ciq:alert_acknowledge", args=[alert.pk]), {}, **htmx)
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith("<article") and 'data-state="acknowledged"' in html
    response = client.post(reverse("portal_ciq:alert_close", args=[alert.pk]), {"note": ""}, **htmx)
    html = response.content.decode()
    assert 'data-testid="error"' in html and "before closing the alert" in html
    assert 'data-state="acknowledged"' in html
    response = client.post(reverse("portal_ciq:alert_close", args=[alert.pk]), {"note": "已处理"}, **htmx)
    assert 'data-state="closed"' in response.content.decode()
    assert alert_services.NOTE_REQUIRED  # the message the row showed


def test_another_branch_cannot_acknowledge_by_id(world, client_for):
    alert = branch_a_alert(world, "other")
    client = client_for(world.insp_b)
    for action in ("acknowledge", "note", "close", "show"):
        response = client.post(
            reverse(f"portal_ciq:alert_{action}", args=[alert.pk]), {"note": "x", "shown": "1"}
        )
        assert response.status_code == 404, action
    alert.refresh_from_db()
    assert alert.state == "new" and not alert.shown_to_enterprise and not alert.notes.exists()


def test_the_filters_narrow_the_centre(world, client_for, asf, farm_at):
    farm_at(1.0)
    outbreak(world, asf)
    other = branch_a_alert(world, "f")
    client = client_for(world.manager)
    url = reverse("portal_ciq:alert_centre")

    def shown(**params):
        return {a.pk for a in client.get(url, params).context["alerts"]}

    zone_alerts = set(Alert.objects.filter(kind="farm_in_zone").values_list("pk", flat=True))
    assert shown() == zone_alerts | {other.pk}
    assert shown(kind="farm_in_zone") == zone_alerts
    assert shown(severity="2") == {other.pk}
    assert shown(organisation=world.branch_b.pk) == set()
    assert shown(state="closed") == set()
    assert shown(q="测试预警") == {other.pk}
    assert shown(since="2999-01-01") == set()
    assert client.get(url, {"severity": "nine", "since": "not a date"}).status_code == 200


def test_list_pages_have_capped_query_counts(world, client_for, asf, farm_at):
    farm_at(1.0)
    farm_at(6.0)
    outbreak(world, asf)
    pages = {
        reverse("portal_ciq:alert_centre"): 14,
        reverse("portal_ciq:zone_map"): 14,
        reverse("portal_ciq:report_list"): 14,
        reverse("portal_ciq:disease_list"): 10,
    }
    client = client_for(world.manager)

    def count(url):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = {url: count(url) for url in pages}
    for n in range(6):
        branch_a_alert(world, f"more-{n}")
    farm_at(2.0, name="加测场")
    outbreak(world, asf, km=1.5)
    for url, cap in pages.items():
        assert count(url) == few[url] <= cap, (url, few[url])
    enterprise = client_for(world.ent_a_admin)
    enterprise.get(reverse("portal_enterprise:alerts"))
    with CaptureQueriesContext(connection) as queries:
        enterprise.get(reverse("portal_enterprise:alerts"))
    assert len(queries) <= 10


def test_the_open_count_shows_in_the_navigation_of_every_portal(world, client_for):
    alert = branch_a_alert(world, "nav")
    page = client_for(world.insp_a).get(reverse("portal_ciq:farm_list")).content.decode()
    assert re.search(r'data-testid="alert-badge"[^>]*>1<', page)
    assert (
        'data-testid="alert-badge"'
        not in client_for(world.insp_b).get(reverse("portal_ciq:farm_list")).content.decode()
    )
    from surveillance.services import alert_show_to_enterprise

    alert_show_to_enterprise(actor=world.insp_a, alert=alert, shown=True)
    page = client_for(world.ent_a_staff).get(reverse("portal_enterprise:home")).content.decode()
    assert re.search(r'data-testid="alert-badge"[^>]*>1<', page)
    assert 'data-count="open-alerts">1<' in page
    assert zone_services.ORDER  # (the zones' order is what the map draws)
