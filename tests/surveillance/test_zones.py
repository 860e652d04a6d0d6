"""Disease reports and zones: farms flagged at once, restrictions asked for many farms, lifting."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.errors import DomainError
from surveillance import sms
from surveillance.models import Alert, DiseaseReport, FarmRestriction, Zone
from surveillance.selectors import (
    alert_list_for_user,
    farms_annotate_restricted,
    restrictions_for_farm,
    restrictions_for_farms,
    zones_at,
)
from surveillance.services import report_create, report_lift, restrictions_refresh
from surveillance.services import zones as zone_services

from .conftest import CENTRE, away

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def report(world, disease, *, km=0.0, **kw):
    lat, lng = away(km)
    kw.setdefault("confirmed_on", timezone.localdate())
    kw.setdefault("source", DiseaseReport.Source.NATIONAL_BULLETIN)
    return report_create(actor=world.manager, disease=disease, latitude=lat, longitude=lng, **kw)


@pytest.fixture(autouse=True)
def _empty_outboxes():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def test_a_report_flags_every_farm_inside_its_zones_at_once(world, asf, farm_at):
    near = farm_at(1.0, name="一号场")  # inside the 3 km infected zone
    middle = farm_at(6.0, name="二号场")  # inside the 10 km surveillance zone only
    far = farm_at(14.0, name="三号场")  # outside both
    cattle = farm_at(2.0, name="牛场", species="2")  # inside, but ASF does not strike cattle

    made = report(world, asf, place="博罗县石湾镇")

    assert made.flagged_count == 2
    zones = {z.kind: z for z in made.zones.all()}
    assert (zones["infected"].radius_km, zones["surveillance"].radius_km) == (
        Decimal("3.00"),
        Decimal("10.00"),
    )
    assert zones["infected"].review_on == made.confirmed_on + dt.timedelta(days=42)
    flagged = set(FarmRestriction.objects.filter(lifted_at__isnull=True).values_list("farm_id", "zone__kind"))
    assert flagged == {(near.pk, "infected"), (near.pk, "surveillance"), (middle.pk, "surveillance")}

    found = restrictions_for_farms(farm_ids=[near.pk, middle.pk, far.pk, cattle.pk])
    assert [r.zone_kind for r in found[near.pk]] == ["infected", "surveillance"]  # innermost first
    assert found[near.pk][0].distance_km == pytest.approx(1.0, abs=0.01)
    assert found[near.pk][0].disease == "African swine fever"
    assert found[near.pk][0].since == made.confirmed_on
    assert [r.zone_kind for r in found[middle.pk]] == ["surveillance"]
    assert found[far.pk] == [] and found[cattle.pk] == []


def test_each_flagged_farm_raises_one_alert_for_its_branchs_inspectors(
    world, asf, farm_at, django_capture_on_commit_callbacks
):
    near, middle = farm_at(1.0), farm_at(6.0)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        made = report(world, asf)
    alerts = {a.farm_id: a for a in Alert.objects.filter(kind=Alert.Kind.FARM_IN_ZONE)}
    assert set(alerts) == {near.pk, middle.pk}
    assert alerts[near.pk].severity == Alert.Severity.HIGH  # the infected zone
    assert alerts[middle.pk].severity == Alert.Severity.MEDIUM
    alert = alerts[near.pk]
    assert (alert.organisation, alert.role, alert.enterprise) == (world.branch_a, "inspector", world.ent_a)
    assert alert.subject == made and alert.data["zone_kind"] == "infected"
    assert "African swine fever" in alert.text_en and "非洲猪瘟" in alert.text_zh
    assert "1.0 km" in alert.text_en
    assert set(alert_list_for_user(user=world.insp_a)) == set(alerts.values())
    assert not alert_list_for_user(user=world.insp_b).exists()
    # The high one goes out at once, by e-mail (and SMS to those with a phone), to the branch's
    # inspectors; the medium one does not.
    [message] = [m for m in mail.outbox if world.insp_a.email in m.to]
    assert near.name_zh in message.body and middle.name_zh not in message.body
    assert f"/bureau/alerts/{alert.pk}/" in message.body
    assert all(m.to == world.insp_a.phone for m in sms.outbox if world.insp_a.phone)


def test_the_registry_reads_the_maintained_table(world, asf, farm_at):
    near, far = farm_at(1.0), farm_at(14.0)
    report(world, asf)
    from farms.models import Farm

    rows = dict(
        farms_annotate_restricted(Farm.objects.filter(pk__in=[near.pk, far.pk])).values_list(
            "pk", "restricted"
        )
    )
    assert rows == {near.pk: True, far.pk: False}


def test_a_county_alone_places_the_outbreak_at_its_seat(world, asf, farm_at):
    near = farm_at(1.0)
    made = report_create(
        actor=world.manager,
        disease=asf,
        confirmed_on=timezone.localdate(),
        source=DiseaseReport.Source.OWN_FINDING,
        county_code="441322",
    )
    assert made.county_code == "441322"
    assert restrictions_for_farm(farm=near)  # the county seat is 1 km from the farm


def test_radii_may_be_set_for_one_report(world, asf, farm_at):
    middle = farm_at(6.0)
    made = report(world, asf, radii={"infected": "1", "surveillance": "5.5"})
    assert sorted(z.radius_km for z in made.zones.all()) == [Decimal("1.00"), Decimal("5.50")]
    assert restrictions_for_farm(farm=middle) == []


def test_evidence_files_are_checked_and_kept(world, asf):
    made = report(world, asf, files=[SimpleUploadedFile("通报.pdf", PDF, content_type="application/pdf")])
    [kept] = made.evidence.all()
    assert (kept.original_name, kept.content_type) == ("通报.pdf", "application/pdf")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"latitude": "35.0", "longitude": "139.7"}, "is not in China"),  # Tokyo
        ({"latitude": "abc", "longitude": "114"}, "is not a point"),
        ({"latitude": None, "longitude": None, "county_code": "449999"}, "is not a county of GB/T 2260"),
        ({"latitude": None, "longitude": None}, "Give the place"),
        ({"radii": {"infected": "0", "surveillance": "10"}}, "more than 0 and at most 50 km"),
        ({"radii": {"infected": "-3", "surveillance": "10"}}, "more than 0 and at most 50 km"),
        ({"radii": {"infected": "3", "surveillance": "50.5"}}, "more than 0 and at most 50 km"),
        ({"radii": {"infected": "3", "surveillance": "lots"}}, "must be a number"),
        ({"radii": {"infected": "10", "surveillance": "3"}}, "must reach at least as far"),
        ({"confirmed_on": dt.date.today() + dt.timedelta(days=2)}, "a day still to come"),
        ({"source": "rumour"}, "Choose where the report comes from"),
        ({"files": [SimpleUploadedFile("x.pdf", b"MZ not a pdf")]}, "is not an image"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(world, asf, farm_at, kwargs, message):
    farm_at(1.0)
    lat, lng = away(0)
    args = {
        "actor": world.manager,
        "disease": asf,
        "latitude": lat,
        "longitude": lng,
        "confirmed_on": timezone.localdate(),
        "source": DiseaseReport.Source.NATIONAL_BULLETIN,
        **kwargs,
    }
    with pytest.raises(DomainError) as exc:
        report_create(**args)
    assert message in str(exc.value)
    assert not DiseaseReport.objects.exists() and not Zone.objects.exists()
    assert not FarmRestriction.objects.exists() and not Alert.objects.exists()


def test_a_point_outside_its_county_is_refused(world, asf):
    with pytest.raises(DomainError, match="is not in"):
        report_create(
            actor=world.manager,
            disease=asf,
            latitude="28.2",  # Changsha
            longitude="112.9",
            county_code="441322",
            confirmed_on=timezone.localdate(),
            source="own_finding",
        )


def test_lifting_ends_the_restrictions_and_closes_the_alerts(world, asf, farm_at):
    near = farm_at(1.0)
    made = report(world, asf)
    lifted = report_lift(actor=world.manager, report=made, reason="42天无新发病例，解除封锁")
    assert lifted.status == DiseaseReport.Status.LIFTED and lifted.lift_reason.startswith("42天")
    assert all(not z.is_active for z in lifted.zones.all())
    assert restrictions_for_farm(farm=near) == []
    assert not FarmRestriction.objects.filter(lifted_at__isnull=True).exists()
    alert = Alert.objects.get(farm=near)
    assert alert.state == Alert.State.CLOSED and alert.closed_by == world.manager
    # Never deleted: the report, its zones and their history stay.
    assert made.history.count() == 2 and Zone.history.filter(report_id=made.pk).count() == 4


def test_lifting_the_outer_zone_alone_frees_only_the_farms_in_it(world, asf, farm_at):
    near, middle = farm_at(1.0), farm_at(6.0)
    made = report(world, asf)
    outer = made.zones.get(kind="surveillance")
    report_lift(actor=world.manager, report=made, reason="缩小范围", zone=outer)
    made.refresh_from_db()
    assert made.status == DiseaseReport.Status.CONFIRMED
    assert restrictions_for_farm(farm=middle) == []
    assert [r.zone_kind for r in restrictions_for_farm(farm=near)] == ["infected"]
    assert Alert.objects.get(farm=middle).state == Alert.State.CLOSED
    assert Alert.objects.get(farm=near).state == Alert.State.NEW


@pytest.mark.parametrize("reason", ["", "   "])
def test_lifting_without_a_reason_is_refused(world, asf, farm_at, reason):
    farm_at(1.0)
    made = report(world, asf)
    with pytest.raises(DomainError, match="Say why"):
        report_lift(actor=world.manager, report=made, reason=reason)
    made.refresh_from_db()
    assert made.status == "confirmed" and made.zones.filter(lifted_at__isnull=True).count() == 2


def test_lifting_twice_is_refused_and_changes_nothing(world, asf):
    made = report(world, asf)
    outer = made.zones.get(kind="surveillance")
    report_lift(actor=world.manager, report=made, reason="第一次", zone=outer)
    with pytest.raises(DomainError, match="already lifted"):
        report_lift(actor=world.manager, report=made, reason="第二次", zone=outer)
    outer.refresh_from_db()
    assert outer.lift_reason == "第一次"
    report_lift(actor=world.manager, report=made, reason="全部解除")
    with pytest.raises(DomainError, match="already lifted"):
        report_lift(actor=world.manager, report=made, reason="再次解除")
    made.refresh_from_db()
    assert made.lift_reason == "全部解除"


def test_a_farm_registered_later_inside_a_zone_is_flagged_by_the_refresh(world, asf, farm_at):
    made = report(world, asf)
    later = farm_at(2.0)
    # The check every declaration makes sees it at once (it measures the geometry)...
    assert [r.zone_kind for r in restrictions_for_farm(farm=later)] == ["infected", "surveillance"]
    # ...and the periodic refresh brings the table and the alerts up to date.
    assert restrictions_refresh()["flagged"] == 2
    assert FarmRestriction.objects.filter(farm=later, zone__report=made).count() == 2
    assert Alert.objects.filter(farm=later, kind="farm_in_zone").count() == 1
    assert restrictions_refresh()["flagged"] == 0  # idempotent


def test_a_truck_on_the_road_asks_which_zones_it_is_in(world, asf):
    report(world, asf)
    lat, lng = away(5)
    assert [r.zone_kind for r in zones_at(lat=lat, lng=lng)] == ["surveillance"]
    assert zones_at(lat=CENTRE[0] + 1, lng=CENTRE[1]) == []


def test_farms_in_circle_uses_the_box_then_the_exact_distance(world, farm_at):
    inside, edge_out = farm_at(2.9), farm_at(3.2)
    lat, lng = away(0)
    found = dict(zone_services.farms_in_circle(lat=lat, lng=lng, radius_km=3))
    assert inside.pk in found and edge_out.pk not in found


def test_a_refusal_names_the_zone_and_the_disease(world, asf, farm_at):
    from django.utils import translation

    from surveillance.selectors import flagged_points_for_user, restriction_message

    near = farm_at(1.0)
    made = report(world, asf)
    [inner, _outer] = restrictions_for_farm(farm=near)
    with translation.override("en"):
        text = str(restriction_message(inner, farm_name=near.name_en))
    assert text.startswith("Huafeng Farm No. 1 lies in the Infected zone of African swine fever")
    assert made.number in text and "1.0 km" in text
    with translation.override("zh-hans"):
        assert "非洲猪瘟" in str(restriction_message(inner, farm_name=near.name_zh))
    assert flagged_points_for_user(user=world.insp_a) == [
        [round(float(near.latitude), 5), round(float(near.longitude), 5), "infected"]
    ]
    assert flagged_points_for_user(user=world.insp_b) == []
