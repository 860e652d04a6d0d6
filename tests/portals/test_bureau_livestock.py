"""The bureau's herd pages: the farms' herds, one farm's herd (the inspector's view), and their alerts."""

import copy
import datetime as dt
import json
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.errors import DomainError
from livestock.models import Animal, Event, SubstanceAlert, VaccinationRequirement
from livestock.selectors import mortality_by_month
from livestock.services.records import log_record
from surveillance.models import Alert
from surveillance.services import alerts as alert_services
from tests.farms.factories import BOLUO, PEN, registered_farm
from tests.livestock.factories import feed_records, herd, national, sightings

PEN_1, PEN_2 = "1号猪舍", "2号猪舍"
DRUG = "阿莫西林注射液"
BANNED_PRODUCT = "盐酸克仑特罗"


def two_pens() -> dict:
    layout = copy.deepcopy(PEN)
    second = copy.deepcopy(layout["features"][0])
    second["properties"]["name"] = PEN_2
    layout["features"].append(second)
    return layout


def requirement(disease_zh: str) -> VaccinationRequirement:
    return VaccinationRequirement.objects.get(species="1", disease_zh=disease_zh)


def banned_attempt(world, farm, animal_ids) -> SubstanceAlert:
    """A clerk tries to record clenbuterol: refused, and an alert is raised for the inspector."""
    with pytest.raises(DomainError):
        log_record(
            actor=world.ent_a_staff,
            farm=farm,
            kind="medication",
            occurred_on=timezone.localdate(),
            fields={
                "product": BANNED_PRODUCT,
                "active_substance": BANNED_PRODUCT,
                "dose": "5",
                "dose_unit": "mg",
                "withdrawal_days": "7",
            },
            animal_ids=animal_ids,
        )
    return SubstanceAlert.objects.filter(farm=farm).latest("attempted_at")


def build_herd(world, **farm_overrides) -> SimpleNamespace:
    """A Huizhou farm with 20 pigs in two pens, and its records of vaccinations, drugs and deaths."""
    today = timezone.localdate()
    farm = registered_farm(world, layout=two_pens(), **farm_overrides)
    start = Animal.objects.count() + 1  # tags are unique across farms: each herd its own serials
    herd(world.ent_a_staff, farm, range(start, start + 10), pen=PEN_1)
    animals = herd(world.ent_a_staff, farm, range(start + 10, start + 20), pen=PEN_2)
    pen_1, pen_2 = animals[:10], animals[10:]
    vaccine = {"maker": "中牧股份", "batch": "V2026-08", "dose": "1", "dose_unit": "dose"}
    log_record(
        actor=world.ent_a_staff,
        farm=farm,
        kind="vaccination",
        occurred_on=today - dt.timedelta(days=10),
        fields={**vaccine, "product": "猪瘟活疫苗", "requirement": requirement("猪瘟").pk},
        pen=PEN_1,
    )
    log_record(
        actor=world.ent_a_staff,
        farm=farm,
        kind="vaccination",
        occurred_on=today - dt.timedelta(days=10),
        fields={**vaccine, "product": "口蹄疫O型灭活疫苗", "requirement": requirement("口蹄疫").pk},
        animal_ids=[a.pk for a in pen_2[:5]],
    )
    log_record(
        actor=world.ent_a_staff,
        farm=farm,
        kind="medication",
        occurred_on=today - dt.timedelta(days=2),
        fields={
            "product": DRUG,
            "active_substance": "阿莫西林",
            "dose": "10",
            "dose_unit": "ml",
            "withdrawal_days": "28",
        },
        animal_ids=[a.pk for a in pen_1[:3]],
    )
    log_record(
        actor=world.ent_a_staff,
        farm=farm,
        kind="death",
        occurred_on=today,
        fields={"cause": "腹泻", "disposal": "incineration", "disposed_on": today},
        animal_ids=[a.pk for a in pen_2[-2:]],
    )
    alert = banned_attempt(world, farm, [pen_1[0].pk])
    return SimpleNamespace(farm=farm, pen_1=pen_1, pen_2=pen_2, alert=alert, today=today)


@pytest.fixture
def huizhou(world):
    return build_herd(world)


def herd_farm_url(farm) -> str:
    return reverse("portal_ciq:herd_farm", args=[farm.pk])


def close_url(attempt) -> str:
    """Where the alert a banned-substance attempt raised is closed (the alerts centre)."""
    return reverse("portal_ciq:alert_close", args=[attempt.alert_id])


def speak(client, language: str):
    client.cookies["django_language"] = language
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def json_block(html: str, element_id: str):
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert found, f"no json_script {element_id}"
    return json.loads(found.group(1))


# --- rendering, languages and scope -----------------------------------------------------------


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("role", ["insp_a", "manager"])
def test_pages_render_for_the_inspector_and_the_manager(world, client_for, huizhou, role, language):
    client = speak(client_for(getattr(world, role)), language)
    name = "Huafeng Farm No. 1" if language == "en" else "华丰一场"
    for url in (
        reverse("portal_ciq:herd_list"),
        herd_farm_url(huizhou.farm),
        reverse("portal_ciq:alert_centre"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<html lang="{language}">' in html
        assert name in html, url
        assert 'data-nav="herds"' in html and 'data-nav="alert_centre"' in html
    if language == "en":
        html = client.get(herd_farm_url(huizhou.farm)).content.decode()
        for heading in (
            "Vaccination coverage",
            "Open withdrawal periods",
            "Deaths",
            "Banned-substance attempts",
        ):
            assert heading in html


def test_another_branch_does_not_see_the_farm_or_its_alert(world, client_for, huizhou):
    client = client_for(world.insp_b)
    assert client.get(herd_farm_url(huizhou.farm)).status_code == 404
    assert client.post(close_url(huizhou.alert), {"note": "不是我的"}).status_code == 404
    assert Alert.objects.get(pk=huizhou.alert.alert_id).state == Alert.State.NEW
    herds = client.get(reverse("portal_ciq:herd_list"))
    assert huizhou.farm.pk not in [row.record.pk for row in herds.context["table"].page.object_list]
    alerts = client.get(reverse("portal_ciq:alert_centre"))
    assert huizhou.alert.alert_id not in [a.pk for a in alerts.context["alerts"]]
    assert 'data-testid="alert-badge"' not in alerts.content.decode()


def test_enterprise_users_are_refused(world, client_for, huizhou):
    client = client_for(world.ent_a_staff)
    assert client.get(herd_farm_url(huizhou.farm)).status_code == 403
    assert client.post(close_url(huizhou.alert), {"note": "自己处理"}).status_code == 403


# --- the list of farms ------------------------------------------------------------------------


def farm_rows(response) -> dict:
    return {row.record.pk: row.record for row in response.context["table"].page.object_list}


def test_herd_list_counts_each_farm(world, client_for, huizhou):
    client = client_for(world.insp_a)
    row = farm_rows(client.get(reverse("portal_ciq:herd_list")))[huizhou.farm.pk]
    assert (row.on_farm, row.withdrawing, row.deaths_30, row.open_alerts) == (18, 3, 2, 1)
    html = client.get(reverse("portal_ciq:herd_list")).content.decode()
    assert herd_farm_url(huizhou.farm) in html


def test_herd_list_filters_and_sorts(world, client_for, huizhou):
    quiet = registered_farm(world, name_zh="华丰二场", latitude=BOLUO["latitude"] + Decimal("0.01"))
    herd(world.ent_a_staff, quiet, range(500, 503))
    client = client_for(world.insp_a)
    url = reverse("portal_ciq:herd_list")
    assert set(farm_rows(client.get(url))) >= {huizhou.farm.pk, quiet.pk}
    for attention in ("alerts", "withdrawing", "deaths"):
        rows = farm_rows(client.get(url, {"attention": attention}))
        assert huizhou.farm.pk in rows and quiet.pk not in rows, attention
    assert set(farm_rows(client.get(url, {"q": "二场"}))) == {quiet.pk}
    ordered = list(farm_rows(client.get(url, {"sort": "-on_farm"})))
    assert ordered.index(huizhou.farm.pk) < ordered.index(quiet.pk)
    ordered = list(farm_rows(client.get(url, {"sort": "on_farm"})))
    assert ordered.index(quiet.pk) < ordered.index(huizhou.farm.pk)
    # The branch filter is the manager's; an inspector's list is the own branch's anyway.
    # (Read from the HTML: the same page a second time comes from the page cache, without context.)
    assert 'name="branch"' not in client.get(url).content.decode()
    assert 'name="branch"' in client_for(world.manager).get(url).content.decode()


# --- one farm ---------------------------------------------------------------------------------


def test_farm_page_shows_counts_withdrawals_coverage_deaths_and_alerts(world, client_for, huizhou):
    client = speak(client_for(world.insp_a), "en")
    response = client.get(herd_farm_url(huizhou.farm))
    context, html = response.context, response.content.decode()
    assert context["counts"]["on_farm"] == 18
    assert context["counts"]["withdrawing"] == 3
    assert context["counts"]["dead"] == 2

    treated = huizhou.pen_1[:3]
    until = huizhou.today + dt.timedelta(days=26)
    assert [a.pk for a in context["withdrawals"]] == [a.pk for a in treated]
    for animal in context["withdrawals"]:
        assert animal.withdrawal_log.product == DRUG
        assert animal.withdrawal_until == until
    withdrawals = html.split('data-testid="withdrawals"')[1].split("</table>")[0]
    assert DRUG in withdrawals and until.isoformat() in withdrawals
    assert all(a.national_code in withdrawals for a in treated)

    coverage = context["coverage"]
    columns = [r.disease_zh for r in coverage["requirements"]]
    rows = {row["pen"]: row for row in coverage["rows"]}
    assert rows[PEN_1]["animals"] == 10 and rows[PEN_2]["animals"] == 8
    assert rows[PEN_1]["cells"][columns.index("猪瘟")]["percent"] == 100
    assert rows[PEN_1]["cells"][columns.index("猪瘟")]["css"] == "cov-good"
    assert rows[PEN_2]["cells"][columns.index("猪瘟")]["percent"] == 0
    assert rows[PEN_2]["cells"][columns.index("口蹄疫")] == {
        "percent": 62,  # 5 of the 8 still on the farm
        "covered": 5,
        "due": 8,
        "css": "cov-poor",
    }
    assert coverage["total"][columns.index("猪瘟")]["percent"] == round(100 * 10 / 18)
    assert 'data-percent="100"' in html and "Classical swine fever" in html

    deaths = html.split('data-testid="deaths"')[1].split("</table>")[0]
    assert "腹泻" in deaths and "Incineration" in deaths
    assert all(a.national_code in deaths for a in huizhou.pen_2[-2:])

    alerts = html.split('data-testid="farm-alerts"')[1].split("</ul>")[0]
    assert "Clenbuterol" in alerts and BANNED_PRODUCT in alerts
    assert "Active substance:" in alerts and "active_substance" not in alerts  # labelled, not raw keys
    assert f'href="{reverse("portal_ciq:alert_detail", args=[huizhou.alert.alert_id])}"' in alerts


def test_animals_table_searches_tags_and_filters_pen_and_status(world, client_for, huizhou):
    client = client_for(world.insp_a)
    url = herd_farm_url(huizhou.farm)

    def shown(**params) -> set[int]:
        table = client.get(url, params).context["table"]
        return {row.record.pk for row in table.page.object_list}

    assert len(shown()) == 20
    one = huizhou.pen_2[3]
    assert shown(q=one.national_code) == {one.pk}
    assert shown(q=" ".join([one.national_code[:7], one.national_code[7:]])) == {one.pk}
    assert shown(q=one.rfid) == {one.pk}
    assert shown(pen=PEN_2) == {a.pk for a in huizhou.pen_2}
    assert shown(status="dead") == set() and shown(status="disposed") == {a.pk for a in huizhou.pen_2[-2:]}
    assert shown(pen=PEN_1, status="on_farm") == {a.pk for a in huizhou.pen_1}
    assert client.get(url, {"pen": "9号猪舍"}).status_code == 200  # not a pen: the filter is ignored


def test_animal_tags_link_to_the_animal_page(world, client_for, huizhou):
    from django.urls import NoReverseMatch

    try:
        target = reverse("portal_ciq:animal_detail", args=[huizhou.pen_1[0].pk])
    except NoReverseMatch:
        pytest.skip("the bureau's animal page is not installed yet")
    html = client_for(world.insp_a).get(herd_farm_url(huizhou.farm)).content.decode()
    assert f'href="{target}"' in html


def test_chart_data_is_the_monthly_mortality(world, client_for, huizhou):
    client = speak(client_for(world.insp_a), "en")
    html = client.get(herd_farm_url(huizhou.farm)).content.decode()
    data = json_block(html, "mortality-data")
    assert data == mortality_by_month(farm=huizhou.farm)
    assert len(data) == 12
    assert data[-1] == {"month": huizhou.today.strftime("%Y-%m"), "deaths": 2, "head": 20, "rate": 10.0}
    assert sum(month["deaths"] for month in data) == 2
    labels = json_block(html, "mortality-labels")
    assert labels["deaths"] == "Deaths" and labels["rate"] == "Mortality rate (%)"
    # Drawn from our own files: the vendored Chart.js and the page's script, both served.
    for asset in ("vendor/chartjs/chart.umd.min.js", "js/herd_chart.js"):
        src = re.search(rf'src="(/static/{re.escape(asset)}[^"]*)"', html)
        assert src, asset
        assert client.get(src.group(1)).status_code == 200


def test_query_counts_do_not_grow_with_the_herd(world, client_for, huizhou):
    client = client_for(world.insp_a)
    pages = [reverse("portal_ciq:herd_list"), herd_farm_url(huizhou.farm), reverse("portal_ciq:alert_centre")]
    few = {}
    for url in pages:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        few[url] = len(queries)
    # More animals, records, deaths and alerts on this farm, and another farm with its own.
    more = herd(world.ent_a_staff, huizhou.farm, range(900, 930), pen=PEN_2)
    new = [a for a in more if a.national_code >= national(900)]
    log_record(
        actor=world.ent_a_staff,
        farm=huizhou.farm,
        kind="death",
        occurred_on=huizhou.today,
        fields={"cause": "肺炎", "disposal": "rendering"},
        animal_ids=[a.pk for a in new[:6]],
    )
    banned_attempt(world, huizhou.farm, [new[10].pk])
    other = build_herd(world, name_zh="华丰三场", latitude=BOLUO["latitude"] + Decimal("0.02"))
    banned_attempt(world, other.farm, [other.pen_1[1].pk])
    caps = {pages[0]: 12, pages[1]: 26, pages[2]: 12}
    for url in pages:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) == few[url] <= caps[url], (url, [q["sql"] for q in queries.captured_queries])


def test_the_animal_page_shows_its_record_a_page_at_a_time(world, client_for, huizhou):
    """The bureau reads the same paged timeline; its queries do not grow with the record."""
    animal = huizhou.pen_1[0]
    client = speak(client_for(world.insp_a), "en")
    url = reverse("portal_ciq:animal_detail", args=[animal.pk])

    def get(**params) -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        assert response.status_code == 200
        return response.content.decode(), len(queries)

    def gates(html: str) -> list[str]:
        timeline = html[
            html.index('data-testid="timeline"') : html.index("</ol>", html.index('data-testid="timeline"'))
        ]
        return re.findall(r"urn:test:gate:(\d{3})", timeline)

    html, few = get()
    assert 'data-testid="events-pager"' not in html
    before = Event.objects.filter(animal=animal).count()  # registered, vaccinated, medicated…
    sightings(animal, 130 - before)
    last = f"{130 - before - 1:03d}"

    html, many = get(order="newest")
    assert many == few - 1  # sightings only: no production record to look up for them
    assert 'data-testid="event-count">130<' in html and "Page 1 of 3 · 130 events" in html
    assert html.count('class="record-event ') == 50 and gates(html)[0] == last
    assert 'href="?order=newest&amp;events_page=2#timeline"' in html
    html, many = get(order="newest", events_page=3)
    assert many == few and html.count('class="record-event ') == 30 and 'data-kind="registered"' in html
    html, many = get(events_page="x")  # not a number: the first page, oldest first
    assert many == few and html.count('class="record-event ') == 50 and gates(html)[-1] < last


def test_the_animal_page_shows_its_records_a_page_at_a_time(world, client_for, huizhou):
    """The records table is paged on its own parameter; the banner still names its medication."""
    animal = huizhou.pen_1[0]  # vaccinated 10 days ago, medicated 2 days ago (28 days' withdrawal)
    client = speak(client_for(world.insp_a), "en")
    url = reverse("portal_ciq:animal_detail", args=[animal.pk])

    def get(**params) -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        assert response.status_code == 200
        return response.content.decode(), len(queries)

    def rows(html: str) -> int:
        return html[html.index('data-testid="records"') :].count("<tr data-kind=")

    html, few = get()
    assert rows(html) == 2 and 'data-testid="logs-pager"' not in html
    feed_records(world.ent_a_staff, huizhou.farm, animal, 60)  # 62 records, 63 events

    html, many = get()
    assert many == few and rows(html) == 50
    assert 'data-testid="log-count">62<' in html and "Page 1 of 2 · 62 records" in html
    assert 'href="?logs_page=2#records"' in html and 'href="?events_page=2#timeline"' in html
    html, many = get(events_page=2, logs_page=2)
    assert many == few and rows(html) == 12 and DRUG not in html[html.index('data-testid="records"') :]
    assert f"(withdrawal period of {DRUG})" in html[html.index('data-testid="withdrawal-banner"') :][:800]
    assert 'href="?events_page=2&amp;logs_page=1#records"' in html
    assert 'href="?events_page=1&amp;logs_page=2#timeline"' in html
    html, many = get(logs_page="-3")  # out of range: the nearest page, the last
    assert rows(html) == 12 and "Page 2 of 2 · 62 records" in html


# --- alerts -----------------------------------------------------------------------------------


def test_banned_substance_raises_an_alert_for_the_farms_branch(world, huizhou):
    alert = huizhou.alert
    assert alert.branch == world.branch_a and alert.substance.name_en == "Clenbuterol"
    assert BANNED_PRODUCT in alert.entered and alert.animal_count == 1


def test_the_old_alert_list_leads_to_the_alerts_centre(world, client_for, huizhou):
    response = client_for(world.insp_a).get(reverse("portal_ciq:alert_list"), {"state": "open"})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal_ciq:alert_centre") + "?kind=banned_substance&state=open"


def test_closing_refuses_an_empty_note_and_changes_nothing(world, client_for, huizhou):
    client = speak(client_for(world.insp_a), "en")
    back = herd_farm_url(huizhou.farm)
    response = client.post(close_url(huizhou.alert), {"note": "   ", "next": back}, follow=True)
    assert response.redirect_chain[-1][0] == back
    with translation.override("en"):
        assert messages_of(response) == [str(alert_services.NOTE_REQUIRED)]
    alert = Alert.objects.get(pk=huizhou.alert.alert_id)
    assert (alert.state, alert.closed_by, alert.close_reason) == (Alert.State.NEW, None, "")


def test_closing_in_the_centre_shows_on_the_farm_and_the_badge_counts_down(world, client_for, huizhou):
    other = banned_attempt(world, huizhou.farm, [huizhou.pen_1[4].pk])  # clenbuterol again: counted
    assert other.alert_id == huizhou.alert.alert_id
    client = speak(client_for(world.insp_a), "en")
    page = client.get(reverse("portal_ciq:alert_centre")).content.decode()
    assert re.search(r'data-testid="alert-badge"[^>]*>1<', page) and "×2" in page

    note = "已现场核查，采样送检，立案调查"
    response = client.post(close_url(huizhou.alert), {"note": note}, follow=True)
    assert messages_of(response) == ["The alert is closed; your note is kept with it."]
    alert = Alert.objects.get(pk=huizhou.alert.alert_id)
    assert alert.closed_by == world.insp_a and alert.close_reason == note
    assert 'data-testid="alert-badge"' not in response.content.decode()
    assert note in client.get(herd_farm_url(huizhou.farm)).content.decode()
    # A second closing is refused by the service, with its message.
    response = client.post(close_url(huizhou.alert), {"note": "再次"}, follow=True)
    assert "cannot be closed now" in messages_of(response)[0]
    alert.refresh_from_db()
    assert alert.close_reason == note


def test_the_manager_closes_any_branchs_alert(world, client_for, huizhou):
    client = client_for(world.manager)
    response = client.get(reverse("portal_ciq:alert_centre"))
    assert huizhou.alert.alert_id in [a.pk for a in response.context["alerts"]]
    assert 'data-testid="alert-badge"' in response.content.decode()
    assert client.post(close_url(huizhou.alert), {"note": "总局督办"}).status_code == 302
    assert Alert.objects.get(pk=huizhou.alert.alert_id).closed_by == world.manager


def test_next_must_stay_on_this_site(world, client_for, huizhou):
    response = client_for(world.insp_a).post(
        close_url(huizhou.alert), {"note": "已处理", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("portal_ciq:alert_detail", args=[huizhou.alert.alert_id])
