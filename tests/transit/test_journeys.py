"""GPS ingestion (NMEA and JSON, through the API), corridors and the periodic check's alerts."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.errors import DomainError
from surveillance.models import Alert, Disease, DiseaseReport
from surveillance.services.zones import report_create
from transit.models import GpsPoint, Trip
from transit.services import journeys
from transit.services.journeys import nmea_checksum, nmea_points

from .journeys_factories import QINGSHUIHE, straight_track, trip_on_road, unit_with_token

NOW = dt.datetime(2026, 12, 3, 8, 30, tzinfo=dt.UTC)


def sentence(body: str) -> str:
    return f"${body}*{nmea_checksum(body)}"


# --- NMEA ------------------------------------------------------------------------------------------


def test_rmc_and_gga_of_the_same_second_are_one_point():
    text = "\n".join(
        [
            sentence("GPRMC,081500.00,A,2234.0280,N,11406.8220,E,32.4,181.5,031226,,,A"),
            sentence("GPGGA,081500.00,2234.0280,N,11406.8220,E,1,09,0.9,35.0,M,-3.0,M,,"),
        ]
    )
    fixes, refused = nmea_points(text, now=NOW)
    assert refused == []
    [(_index, fix)] = fixes
    assert fix.time == dt.datetime(2026, 12, 3, 8, 15, tzinfo=dt.UTC)
    assert fix.lat == pytest.approx(22 + 34.028 / 60)
    assert fix.lng == pytest.approx(114 + 6.822 / 60)
    assert fix.speed_kmh == pytest.approx(32.4 * 1.852, abs=0.01)
    assert fix.heading == 181.5
    assert (fix.satellites, fix.hdop) == (9, 0.9)


def test_southern_and_western_hemispheres():
    text = "\n".join(
        [
            sentence("GNRMC,120000,A,3351.5000,S,15112.6000,E,0.0,0.0,021226,,,A"),
            sentence("GPGGA,120500,4042.7700,N,07400.3600,W,1,07,1.2,10.0,M,,M,,"),
        ]
    )
    fixes, refused = nmea_points(text, now=NOW)
    assert refused == []
    sydney, new_york = (f for _i, f in fixes)
    assert sydney.lat == pytest.approx(-(33 + 51.5 / 60)) and sydney.lng > 0
    assert new_york.lat > 0 and new_york.lng == pytest.approx(-(74 + 0.36 / 60))
    # The GGA takes the date of the RMC before it.
    assert new_york.time == dt.datetime(2026, 12, 2, 12, 5, tzinfo=dt.UTC)


def test_gga_alone_takes_today_or_yesterday():
    fixes, _ = nmea_points(sentence("GPGGA,235900,2234.0280,N,11406.8220,E,1,09,0.9,35.0,M,,M,,"), now=NOW)
    assert fixes[0][1].time == dt.datetime(2026, 12, 2, 23, 59, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("$GPRMC,081500.00,A,2234.0280,N,11406.8220,E,32.4,181.5,031226,,,A*00", "bad_checksum"),
        ("$GPRMC,081500.00,A,2234.0280,N,11406.8220,E,32.4,181.5,031226,,,A", "no_checksum"),
        (sentence("GPRMC,081500.00,V,2234.0280,N,11406.8220,E,32.4,181.5,031226,,,N"), "no_fix"),
        (sentence("GPGGA,081500.00,2234.0280,N,11406.8220,E,0,00,,,M,,M,,"), "no_fix"),
        (sentence("GPGSV,3,1,11,03,03,111,00,04,15,270,00"), "unsupported"),
        (sentence("GPRMC,081500.00,A,2294.0280,N,11406.8220,E,32.4,181.5,031226,,,A"), "malformed"),
        (sentence("GPRMC,081500.00,A,2234.0280,X,11406.8220,E,32.4,181.5,031226,,,A"), "malformed"),
        (sentence("GPRMC,996100.00,A,2234.0280,N,11406.8220,E,32.4,181.5,031226,,,A"), "malformed"),
        ("hello", "malformed"),
    ],
)
def test_bad_sentences_are_refused_with_their_reason(line, reason):
    fixes, refused = nmea_points(line, now=NOW)
    assert fixes == []
    assert refused == [{"index": 0, "reason": reason}]


# --- the API -------------------------------------------------------------------------------------


def post(client, token, payload, *, name="gps_api:points"):
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    content_type = "text/plain" if name == "gps_api:nmea" else "application/json"
    return client.post(reverse(name), body, content_type=content_type, **headers)


@pytest.fixture
def road(world):
    return trip_on_road(world)


def test_a_batch_is_stored_once_and_moves_the_truck(client, road):
    trip, token = road
    points = straight_track((22.80, 114.35), QINGSHUIHE, minutes=40)
    answer = post(client, token, {"points": points})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["stored"] == len(points) and body["duplicates"] == 0
    assert body["refused"] == [] and body["flagged"] == []
    assert body["trip"] == trip.loading.number
    trip.refresh_from_db()
    assert float(trip.last_lat) == pytest.approx(QINGSHUIHE[0])
    assert trip.points.count() == len(points)
    # The same batch again: every point a duplicate, nothing new.
    again = post(client, token, {"points": points}).json()
    assert (again["stored"], again["duplicates"]) == (0, len(points))
    assert GpsPoint.objects.filter(unit=trip.gps_unit).count() == len(points)


def test_nmea_through_the_api(client, road):
    trip, token = road
    now = timezone.now().astimezone(dt.UTC) - dt.timedelta(minutes=1)
    hms, dmy = now.strftime("%H%M%S"), now.strftime("%d%m%y")
    text = "\r\n".join(
        [
            sentence(f"GPRMC,{hms},A,2235.0280,N,11406.8220,E,20.0,90.0,{dmy},,,A"),
            sentence(f"GPGGA,{hms},2235.0280,N,11406.8220,E,1,08,1.0,30,M,,M,,"),
            "$GPRMC,000000,A,2235.0280,N,11406.8220,E,20.0,90.0,010101,,,A*FF",
        ]
    )
    body = post(client, token, text, name="gps_api:nmea").json()
    assert body["stored"] == 1
    assert body["refused"] == [{"index": 2, "reason": "bad_checksum"}]
    point = GpsPoint.objects.get(unit=trip.gps_unit)
    assert (point.source, point.satellites, point.trip_id) == ("nmea", 8, trip.pk)


@pytest.mark.parametrize(
    ("token", "status"),
    [(None, 403), ("short", 403), ("tok99999-" + "y" * 24, 403)],
)
def test_unknown_units_are_refused(client, road, token, status):
    answer = post(client, token, {"points": []})
    assert answer.status_code == status
    assert "error" in answer.json()
    assert GpsPoint.objects.count() == 0


def test_a_wrong_token_with_a_known_prefix_and_an_inactive_unit_are_refused(client, road):
    trip, token = road
    assert post(client, token[:8] + "z" * 24, {"points": []}).status_code == 403
    trip.gps_unit.is_active = False
    trip.gps_unit.save()
    answer = post(client, token, {"points": straight_track((22.8, 114.3), QINGSHUIHE, minutes=1)})
    assert answer.status_code == 403
    assert GpsPoint.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    ['{"points": [NaN]}', "[]", '{"points": {}}', '{"points": [[[[[1]]]]]}', "not json", b"\xff\xfe"],
)
def test_bad_bodies_are_refused_whole(client, road, body):
    _trip, token = road
    answer = post(client, token, body)
    assert answer.status_code == 400
    assert GpsPoint.objects.count() == 0


def test_points_refused_one_by_one_with_their_reasons(client, road):
    _trip, token = road
    now = timezone.now()
    good = {"time": (now - dt.timedelta(minutes=5)).isoformat(), "lat": 22.7, "lng": 114.2}
    body = post(
        client,
        token,
        {
            "points": [
                good,
                {"time": (now + dt.timedelta(hours=1)).isoformat(), "lat": 22.7, "lng": 114.2},
                {"time": (now - dt.timedelta(days=30)).isoformat(), "lat": 22.7, "lng": 114.2},
                {"time": "yesterday", "lat": 22.7, "lng": 114.2},
                {"time": "2026-12-03T08:00:00", "lat": 22.7, "lng": 114.2},  # no zone
                {"time": (now - dt.timedelta(minutes=4)).isoformat(), "lat": 95, "lng": 114.2},
                {"time": (now - dt.timedelta(minutes=3)).isoformat(), "lat": "22.7", "lng": 114.2},
                {"time": (now - dt.timedelta(minutes=2)).isoformat(), "lat": 0, "lng": 0},
                "point",
                good,
            ]
        },
    ).json()
    reasons = [(r["index"], r["reason"]) for r in body["refused"]]
    assert sorted(reasons) == [
        (1, "future"),
        (2, "too_old"),
        (3, "bad_time"),
        (4, "bad_time"),
        (5, "bad_position"),
        (6, "bad_position"),
        (7, "no_fix"),
        (8, "malformed"),
    ]
    assert (body["received"], body["stored"], body["duplicates"]) == (10, 1, 1)


def test_out_of_order_points_are_kept_flagged_and_do_not_move_the_truck(client, road):
    trip, token = road
    now = timezone.now()
    post(client, token, {"points": [{"time": now.isoformat(), "lat": 22.70, "lng": 114.20}]})
    late = {"time": (now - dt.timedelta(minutes=3)).isoformat(), "lat": 22.75, "lng": 114.25}
    body = post(client, token, {"points": [late]}).json()
    assert body["stored"] == 1
    assert body["flagged"] == [{"index": 0, "reason": "out_of_order", "time": late["time"]}]
    trip.refresh_from_db()
    assert float(trip.last_lat) == pytest.approx(22.70)


def test_an_impossible_jump_is_flagged_and_does_not_move_the_truck(client, road):
    trip, token = road
    now = timezone.now()
    body = post(
        client,
        token,
        {
            "points": [
                {"time": (now - dt.timedelta(minutes=2)).isoformat(), "lat": 22.70, "lng": 114.20},
                # 1,000 km north a minute later.
                {"time": (now - dt.timedelta(minutes=1)).isoformat(), "lat": 31.70, "lng": 114.20},
                {"time": now.isoformat(), "lat": 22.701, "lng": 114.201},
            ]
        },
    ).json()
    assert [f["reason"] for f in body["flagged"]] == ["jump"]
    assert body["stored"] == 3
    trip.refresh_from_db()
    assert float(trip.last_lat) == pytest.approx(22.701)


def test_a_jump_confirmed_by_three_points_moves_the_truck_and_later_points_follow(client, road):
    # The batch's points are in order: the check of every step at once must see the jump and
    # leave the verdict to the point-by-point rules (three agreeing points confirm a jump).
    trip, token = road
    now = timezone.now()

    def at(minutes, lat):
        return {"time": (now - dt.timedelta(minutes=minutes)).isoformat(), "lat": lat, "lng": 114.20}

    body = post(
        client,
        token,
        {"points": [at(10, 22.70), at(9, 22.701), at(8, 31.70), at(7, 31.701), at(6, 31.702), at(5, 31.703)]},
    ).json()
    assert [(f["index"], f["reason"]) for f in body["flagged"]] == [(2, "jump"), (3, "jump")]
    assert (body["stored"], body["duplicates"]) == (6, 0)
    trip.refresh_from_db()
    assert float(trip.last_lat) == pytest.approx(31.703)
    # The next batch starts from the confirmed position: nothing flagged.
    body = post(client, token, {"points": [at(4, 31.704), at(3, 31.705)]}).json()
    assert body["flagged"] == [] and body["stored"] == 2
    assert GpsPoint.objects.filter(unit=trip.gps_unit, flag="jump").count() == 2


def test_a_batch_resent_with_new_points_stores_only_the_new(client, road):
    trip, token = road
    now = timezone.now()
    points = [
        {
            "time": (now - dt.timedelta(seconds=30 * (6 - i))).isoformat(),
            "lat": 22.70 + i * 0.001,
            "lng": 114.2,
        }
        for i in range(6)
    ]
    post(client, token, {"points": points[:3]})
    body = post(client, token, {"points": points}).json()
    assert (body["received"], body["stored"], body["duplicates"], body["flagged"]) == (6, 3, 3, [])
    assert GpsPoint.objects.filter(unit=trip.gps_unit, trip=trip).count() == 6
    trip.refresh_from_db()
    assert trip.journey.points == 6
    assert float(trip.last_lat) == pytest.approx(22.705)


@pytest.mark.parametrize("value", [True, 10**400, -(10**30), None, [22.7], "22.7"])
def test_a_latitude_that_is_no_number_within_range_is_refused_not_a_failure(client, road, value):
    _trip, token = road
    point = {"time": timezone.now().isoformat(), "lat": value, "lng": 114.2}
    answer = post(client, token, {"points": [point]})
    assert answer.status_code == 200
    assert [r["reason"] for r in answer.json()["refused"]] == ["bad_position"]
    assert GpsPoint.objects.count() == 0


def test_a_unit_without_a_trip_on_the_road_stores_unattached(client, world):
    unit, token = unit_with_token(world.ent_a)
    body = post(client, token, {"points": straight_track((22.8, 114.3), QINGSHUIHE, minutes=1)}).json()
    assert body["trip"] is None and body["stored"] == 3
    assert not GpsPoint.objects.filter(unit=unit, trip__isnull=False).exists()


# --- corridors -----------------------------------------------------------------------------------

ROUTE = {"type": "LineString", "coordinates": [[114.35, 22.80], [114.1137, 22.5838], [114.1283, 22.5395]]}


def test_a_corridor_is_drawn_by_the_farms_branch_only(world, road):
    trip, _ = road
    farm = trip.loading.consignment.farm
    corridor = journeys.corridor_save(
        actor=world.insp_a, farm=farm, route=ROUTE, buffer_m=500, planned_minutes=120, stop_minutes=20
    )
    assert corridor.length_km > 30
    assert journeys.corridor_distance_m(corridor, 22.80, 114.35) == pytest.approx(0, abs=1)
    assert corridor.history.count() == 1
    polygon = journeys.corridor_polygon(corridor)
    assert polygon["type"] == "Polygon"
    with pytest.raises(DomainError):
        journeys.corridor_save(
            actor=world.insp_b, farm=farm, route=ROUTE, buffer_m=500, planned_minutes=120, stop_minutes=20
        )


@pytest.mark.parametrize(
    ("route", "numbers"),
    [
        ({"type": "Point", "coordinates": [114, 22]}, {}),
        ({"type": "LineString", "coordinates": [[114, 22]]}, {}),
        ({"type": "LineString", "coordinates": [[114, 22], [114, 22]]}, {}),
        ({"type": "LineString", "coordinates": [[114, 22], [514, 22]]}, {}),
        ({"type": "LineString", "coordinates": [[114, 22], ["a", 22]]}, {}),
        (ROUTE, {"buffer_m": 10}),
        (ROUTE, {"planned_minutes": 0}),
        (ROUTE, {"stop_minutes": True}),
    ],
)
def test_bad_corridors_are_refused(world, road, route, numbers):
    trip, _ = road
    data = {"buffer_m": 500, "planned_minutes": 120, "stop_minutes": 20} | numbers
    with pytest.raises(DomainError):
        journeys.corridor_save(actor=world.manager, farm=trip.loading.consignment.farm, route=route, **data)


# --- the periodic check --------------------------------------------------------------------------


def open_alerts(trip):
    return dict(
        Alert.objects.filter(key__contains=f":{trip.pk}", state__in=Alert.OPEN).values_list("kind", "count")
    )


def test_a_detour_raises_one_off_route_alert_and_coming_back_resolves_it(client, world, road):
    trip, token = road
    farm = trip.loading.consignment.farm
    journeys.corridor_save(
        actor=world.insp_a, farm=farm, route=ROUTE, buffer_m=500, planned_minutes=120, stop_minutes=20
    )
    now = timezone.now()
    on_route = straight_track(
        (22.80, 114.35), (22.70, 114.2407), minutes=15, until=now - dt.timedelta(minutes=16)
    )
    detour = straight_track(
        (22.70, 114.2407), (22.72, 114.18), minutes=10, until=now - dt.timedelta(minutes=5)
    )  # west, off the road
    post(client, token, {"points": on_route + detour[1:]})
    journeys.journeys_check()
    journeys.journeys_check()
    alerts = open_alerts(trip)
    assert alerts == {"off_route": 1}  # checked twice: still one alert
    alert = Alert.objects.get(kind="off_route", state__in=Alert.OPEN)
    assert alert.shown_to_enterprise and alert.enterprise_id == trip.enterprise_id
    assert alert.organisation_id == trip.loading.branch_id
    assert "粤L" in alert.text_zh and "off its corridor" in alert.text_en
    post(client, token, {"points": [{"time": timezone.now().isoformat(), "lat": 22.70, "lng": 114.2407}]})
    assert journeys.journeys_check().resolved == 1
    assert open_alerts(trip) == {}


def test_a_long_stop_signal_loss_and_lateness(client, world, road):
    trip, token = road
    now = timezone.now()
    # Stood within a few metres of one place for 40 minutes (no corridor: 30 minutes allowed).
    points = [
        {"time": (now - dt.timedelta(minutes=m)).isoformat(), "lat": 22.7 + m * 1e-6, "lng": 114.2}
        for m in range(40, -1, -2)
    ]
    post(client, token, {"points": points})
    journeys.journeys_check()
    assert open_alerts(trip) == {"long_stop": 1}
    # Later: no position for 20 minutes, and past its due time.
    Trip.objects.filter(pk=trip.pk).update(due_at=now - dt.timedelta(minutes=1))
    journeys.journeys_check(now=now + dt.timedelta(minutes=20))
    assert open_alerts(trip) == {"long_stop": 1, "signal_lost": 1, "running_late": 1}


def test_a_truck_without_any_position_loses_its_signal(world):
    trip, _ = trip_on_road(world, departed_minutes_ago=30)
    journeys.journeys_check()
    assert open_alerts(trip) == {"signal_lost": 1}


def test_a_truck_inside_an_active_disease_zone(client, world, road):
    trip, token = road
    report_create(
        actor=world.manager,
        disease=Disease.objects.get(code="asf"),
        latitude=22.70,
        longitude=114.20,
        confirmed_on=timezone.localdate(),
        source=DiseaseReport.Source.NATIONAL_BULLETIN,
    )
    post(client, token, {"points": [{"time": timezone.now().isoformat(), "lat": 22.70, "lng": 114.21}]})
    journeys.journeys_check()
    zone_alerts = Alert.objects.filter(kind="zone_entered", key__startswith=f"transit:zone:{trip.pk}:")
    assert zone_alerts.count() == 2  # inside the infected zone and the surveillance zone around it
    assert "ASF" in zone_alerts.first().text_en or "swine" in zone_alerts.first().text_en.lower()


def test_trips_off_the_road_are_not_checked_and_their_alerts_resolve(world):
    trip, _ = trip_on_road(world, departed_minutes_ago=30)
    journeys.journeys_check()
    assert open_alerts(trip) == {"signal_lost": 1}
    Trip.objects.filter(pk=trip.pk).update(status=Trip.Status.AT_WAREHOUSE)
    result = journeys.journeys_check()
    assert result.trips == 0 and result.resolved == 1


def test_point_times_are_stored_to_the_microsecond_in_any_offset(client, road):
    """Times go to PostgreSQL as Unix seconds: what comes back is the instant sent, exactly."""
    trip, token = road
    start = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=5)
    sent = [start + dt.timedelta(seconds=n, microseconds=m) for n, m in ((0, 1), (7, 999_999), (14, 123_457))]
    east8 = dt.timezone(dt.timedelta(hours=8))
    points = [
        {"time": t.astimezone(east8).isoformat(), "lat": 22.8 - n * 0.0001, "lng": 114.35}
        for n, t in enumerate(sent)
    ]
    assert post(client, token, {"points": points}).json()["stored"] == 3
    stored = list(
        GpsPoint.objects.filter(unit=trip.gps_unit)
        .order_by("recorded_at")
        .values_list("recorded_at", flat=True)
    )
    assert stored == sent
