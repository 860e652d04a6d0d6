"""The journey's writes: GPS points in (JSON batches and NMEA 0183), corridors drawn by the bureau,
and the periodic check of every truck on the road that raises (and resolves) its alerts.

What ingestion does with each point of a batch, and why:

- **Refused** (named in the answer with its reason, nothing stored): no time or a time in the
  future (beyond ``FUTURE_TOLERANCE``), older than ``MAX_AGE`` (a unit replaying its memory from
  weeks ago belongs to no trip we still watch), a position outside the earth or at (0, 0) (what
  many units send before their first fix), an NMEA sentence with a bad or missing checksum, no fix
  (RMC status V, GGA quality 0), or of a kind other than RMC and GGA.
- **Duplicate** (counted, not stored again): a time the unit already sent, in this batch or
  before. The primary key (unit, time) is the truth; a unit re-sending its buffer after a lost
  answer changes nothing.
- **Flagged and stored**: a point *older* than the newest point already received from the unit
  (``out_of_order``): units buffer positions while out of coverage and send them late, and the
  replay wants them, so they are kept — but they never move the truck, whose position is its
  newest point. A point that would need an impossible speed from the truck's last good position
  (``jump``: over ``MAX_SPEED_KMH``, e.g. 1,000 km in a minute) is kept for the record and never
  moves the truck either; three such points that agree with one another are taken as the truck's
  real position (the unit was right, the reference was not).
- Everything else is stored, attached to the unit's trip on the road (``Trip.gps_unit``, a status
  in ``Trip.ON_ROAD``), and moves the truck: ``Trip.last_lat/last_lng/last_position_at`` and the
  trip's ``JourneyState`` (where it came to rest, for the long-stop check).

A batch is written in one transaction with the unit's row locked, so two batches of one unit are
counted (duplicates, out of order) as if they came one after the other.
"""

import datetime as dt
import hashlib
import hmac
import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import shapely
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from shapely.geometry import LineString, Point

from accounts.audit import save_audited
from accounts.errors import DomainError
from accounts.models import Role
from farms.regions import EARTH_RADIUS_KM, haversine_km
from surveillance.models import Alert
from surveillance.selectors import restrictions_for_points
from surveillance.services.alerts import AlertScope, AlertSpec, alerts_raise, alerts_resolve

from ..models import Corridor, GpsPoint, GpsUnit, JourneyState, Trip

MAX_BATCH = 5000
FUTURE_TOLERANCE = dt.timedelta(minutes=2)
MAX_AGE = dt.timedelta(days=7)
MAX_SPEED_KMH = 200.0
# A jump shorter than this is GPS noise around a stopped truck, whatever the speed it implies.
JUMP_MIN_KM = 1.0
JUMP_CONFIRMATIONS = 3
# A truck that stays within this distance of where it came to rest has not moved.
STOP_RADIUS_M = 150.0
KNOTS_KMH = 1.852
TOKEN_PREFIX_LENGTH = 8

# Reasons a point is refused or flagged: stable machine words in the API's answers.
FUTURE, TOO_OLD, NO_TIME, BAD_POSITION, NO_FIX = "future", "too_old", "bad_time", "bad_position", "no_fix"
BAD_CHECKSUM, NO_CHECKSUM, UNSUPPORTED, MALFORMED = "bad_checksum", "no_checksum", "unsupported", "malformed"


class Unauthenticated(Exception):
    """The request names no registered, active unit with this token (answered 403)."""


class BatchRefused(Exception):
    """The batch as a whole cannot be taken (answered 400 with the reason)."""


def token_hash(token: str) -> str:
    """The stored form of a unit's token (tload issues it the same way): sha256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def unit_authenticate(token: str | None) -> GpsUnit:
    """Return the active unit whose token this is, else raise Unauthenticated (one indexed query)."""
    if not token or len(token) < TOKEN_PREFIX_LENGTH + 8 or len(token) > 200 or not token.isascii():
        raise Unauthenticated("missing or malformed token")
    digest = token_hash(token)
    for unit in GpsUnit.objects.filter(token_prefix=token[:TOKEN_PREFIX_LENGTH]).exclude(token_hash=""):
        if hmac.compare_digest(unit.token_hash, digest):
            if not unit.is_active:
                raise Unauthenticated("unit inactive")
            return unit
    raise Unauthenticated("unknown unit or wrong token")


# --- parsing -------------------------------------------------------------------------------------


@dataclass(slots=True)
class Fix:
    time: dt.datetime
    lat: float
    lng: float
    speed_kmh: float | None = None
    heading: float | None = None
    satellites: int | None = None
    hdop: float | None = None


def _finite(value, low=None, high=None):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError
    value = float(value)
    if not math.isfinite(value) or (low is not None and value < low) or (high is not None and value > high):
        raise ValueError
    return value


def _json_time(value) -> dt.datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        try:
            return dt.datetime.fromtimestamp(value, tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str) and len(value) <= 40:
        try:
            parsed = parse_datetime(value)
        except ValueError:
            return None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed
    return None


_NUMBER = (int, float)  # exactly: a JSON true or false is a bool, never a number here


def _in(value, low: float, high: float) -> bool:
    """A JSON number within [low, high] (NaN and infinities fail the comparison)."""
    return value.__class__ in _NUMBER and low <= value <= high


def json_points(payload) -> tuple[list[tuple[int, Fix]], list[dict]]:
    """Read a JSON batch ``{"points": [{"time", "lat", "lng", "speed", "heading", "satellites",
    "hdop"}, …]}``: the fixes (with their index in the batch) and the points refused."""
    if not isinstance(payload, dict) or not isinstance(payload.get("points"), list):
        raise BatchRefused('expected an object with a list "points"')
    points = payload["points"]
    if len(points) > MAX_BATCH:
        raise BatchRefused(f"at most {MAX_BATCH} points in a batch")
    fixes, refused = [], []
    # The checks inline, not one call per field: this loop runs for every point the API takes
    # (make bench, gps_points_per_s).
    for index, item in enumerate(points):
        if item.__class__ is not dict:
            refused.append({"index": index, "reason": MALFORMED})
            continue
        time = _json_time(item.get("time"))
        if time is None:
            refused.append({"index": index, "reason": NO_TIME})
            continue
        get = item.get
        lat, lng, speed, heading = get("lat"), get("lng"), get("speed"), get("heading")
        satellites, hdop = get("satellites"), get("hdop")
        if not (
            _in(lat, -90, 90)
            and _in(lng, -180, 180)
            and (speed is None or _in(speed, 0, 1000))
            and (heading is None or _in(heading, 0, 360))
            and (satellites is None or _in(satellites, 0, 99))
            and (hdop is None or _in(hdop, 0, 100))
        ):
            refused.append({"index": index, "reason": BAD_POSITION, "time": time.isoformat()})
            continue
        fixes.append(
            (
                index,
                Fix(
                    time,
                    float(lat),
                    float(lng),
                    None if speed is None else float(speed),
                    None if heading is None else float(heading),
                    None if satellites is None else int(satellites),
                    None if hdop is None else float(hdop),
                ),
            )
        )
    return fixes, refused


_SENTENCE = re.compile(r"^\$([A-Z]{2})([A-Z]{3}),([^*$]*)\*([0-9A-Fa-f]{2})$")


def nmea_checksum(body: str) -> str:
    """The XOR of every character between ``$`` and ``*``, as two hex digits."""
    value = 0
    for char in body.encode("ascii", "replace"):
        value ^= char
    return f"{value:02X}"


def _degrees(value: str, hemisphere: str, width: int, limit: float) -> float:
    """``ddmm.mmmm`` (latitude, width 2) or ``dddmm.mmmm`` (longitude, width 3) to signed degrees."""
    if len(value) < width + 2 or hemisphere not in ("N", "S", "E", "W"):
        raise ValueError
    degrees, minutes = int(value[:width]), float(value[width:])
    if not (0 <= minutes < 60) or not math.isfinite(minutes):
        raise ValueError
    result = degrees + minutes / 60
    if result > limit:
        raise ValueError
    return -result if hemisphere in ("S", "W") else result


def _hms(value: str) -> dt.time:
    if len(value) < 6 or not value[:6].isdigit():
        raise ValueError
    fraction = value[6:]
    micro = 0
    if fraction:
        if not re.fullmatch(r"\.\d{1,6}", fraction):
            raise ValueError
        micro = int(fraction[1:].ljust(6, "0"))
    return dt.time(int(value[:2]), int(value[2:4]), int(value[4:6]), micro, tzinfo=dt.UTC)


def _ddmmyy(value: str) -> dt.date:
    if len(value) != 6 or not value.isdigit():
        raise ValueError
    return dt.date(2000 + int(value[4:6]), int(value[2:4]), int(value[:2]))


def nmea_points(text: str, *, now: dt.datetime | None = None) -> tuple[list[tuple[int, Fix]], list[dict]]:
    """Read NMEA 0183 sentences, one a line: RMC and GGA, each with its checksum checked.

    GGA carries no date: it takes the date of the RMC sentences before it in the batch, or today's
    (UTC) — yesterday's if that would put it in the future, for a batch sent just after midnight.
    An RMC and a GGA of the same second are one point (the GGA adds satellites and HDOP).
    """
    now = now or timezone.now()
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if len(lines) > MAX_BATCH * 2:
        raise BatchRefused(f"at most {MAX_BATCH * 2} sentences in a batch")
    by_time: dict[dt.datetime, tuple[int, Fix]] = {}
    order: list[dt.datetime] = []
    refused = []
    date = None
    for index, line in enumerate(lines):
        match = _SENTENCE.match(line)
        if not match:
            reason = NO_CHECKSUM if line.startswith("$") and "*" not in line else MALFORMED
            refused.append({"index": index, "reason": reason})
            continue
        talker, kind, rest, checksum = match.groups()
        if nmea_checksum(f"{talker}{kind},{rest}") != checksum.upper():
            refused.append({"index": index, "reason": BAD_CHECKSUM})
            continue
        fields = rest.split(",")
        try:
            if kind == "RMC":
                if len(fields) < 9:
                    raise ValueError
                if fields[1] != "A":
                    refused.append({"index": index, "reason": NO_FIX})
                    continue
                date = _ddmmyy(fields[8])
                time = dt.datetime.combine(date, _hms(fields[0]))
                fix = Fix(
                    time=time,
                    lat=_degrees(fields[2], fields[3], 2, 90),
                    lng=_degrees(fields[4], fields[5], 3, 180),
                    speed_kmh=round(float(fields[6]) * KNOTS_KMH, 2) if fields[6] else None,
                    heading=float(fields[7]) if fields[7] else None,
                )
            elif kind == "GGA":
                if len(fields) < 8:
                    raise ValueError
                if fields[5] in ("", "0"):
                    refused.append({"index": index, "reason": NO_FIX})
                    continue
                clock = _hms(fields[0])
                day = date or now.astimezone(dt.UTC).date()
                time = dt.datetime.combine(day, clock)
                if date is None and time > now + FUTURE_TOLERANCE:
                    time -= dt.timedelta(days=1)
                fix = Fix(
                    time=time,
                    lat=_degrees(fields[1], fields[2], 2, 90),
                    lng=_degrees(fields[3], fields[4], 3, 180),
                    satellites=int(fields[6]) if fields[6] else None,
                    hdop=float(fields[7]) if fields[7] else None,
                )
            else:
                refused.append({"index": index, "reason": UNSUPPORTED})
                continue
            for value in (fix.speed_kmh, fix.heading, fix.hdop):
                if value is not None and not math.isfinite(value):
                    raise ValueError
        except (ValueError, OverflowError):
            refused.append({"index": index, "reason": MALFORMED})
            continue
        if fix.time in by_time:
            _, earlier = by_time[fix.time]
            earlier.speed_kmh = earlier.speed_kmh if earlier.speed_kmh is not None else fix.speed_kmh
            earlier.heading = earlier.heading if earlier.heading is not None else fix.heading
            earlier.satellites = earlier.satellites if earlier.satellites is not None else fix.satellites
            earlier.hdop = earlier.hdop if earlier.hdop is not None else fix.hdop
            continue
        by_time[fix.time] = (index, fix)
        order.append(fix.time)
    return [by_time[t] for t in order], refused


# --- ingestion -----------------------------------------------------------------------------------


@dataclass
class BatchResult:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    flagged: list = field(default_factory=list)
    refused: list = field(default_factory=list)
    trip: str | None = None

    def as_dict(self) -> dict:
        return {
            "received": self.received,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "flagged": self.flagged,
            "refused": self.refused,
            "trip": self.trip,
        }


def _speed_kmh(a: tuple, b: tuple) -> tuple[float, float]:
    """Distance (km) and the speed it needs (km/h) between ``(time, lat, lng)`` a and b."""
    km = haversine_km(a[1], a[2], b[1], b[2])
    hours = abs((b[0] - a[0]).total_seconds()) / 3600
    return km, (km / hours if hours > 0 else math.inf if km > 0 else 0.0)


def _impossible(a: tuple, b: tuple) -> bool:
    km, speed = _speed_kmh(a, b)
    return km > JUMP_MIN_KM and speed > MAX_SPEED_KMH


def points_ingest(
    *,
    unit: GpsUnit,
    fixes: list[tuple[int, Fix]],
    refused: list[dict] | None = None,
    source: str = GpsPoint.Source.JSON,
    now: dt.datetime | None = None,
) -> BatchResult:
    """Store a unit's batch of fixes (see the module's doc for what is refused, counted, flagged)."""
    now = now or timezone.now()
    result = BatchResult(received=len(fixes) + len(refused or []), refused=list(refused or []))
    candidates = []
    seen = set()
    for index, fix in fixes:
        if fix.time > now + FUTURE_TOLERANCE:
            result.refused.append({"index": index, "reason": FUTURE, "time": fix.time.isoformat()})
        elif fix.time < now - MAX_AGE:
            result.refused.append({"index": index, "reason": TOO_OLD, "time": fix.time.isoformat()})
        elif fix.lat == 0 and fix.lng == 0:
            result.refused.append({"index": index, "reason": NO_FIX, "time": fix.time.isoformat()})
        elif fix.time in seen:
            result.duplicates += 1
        else:
            seen.add(fix.time)
            candidates.append((index, fix))
    if not candidates:
        return result
    candidates.sort(key=lambda c: c[1].time)
    with transaction.atomic():
        unit = GpsUnit.objects.select_for_update().get(pk=unit.pk)
        first, last = candidates[0][1].time, candidates[-1][1].time
        # A unit's points are all at or before its last_seen_at (moved under this lock): a batch
        # wholly after it, the usual one, has nothing stored yet and needs no look (a statement a
        # batch, make bench gps_points_per_s). A point written meanwhile by another path is still
        # caught by the insert's ON CONFLICT.
        existing = (
            set(
                GpsPoint.objects.filter(unit=unit, recorded_at__gte=first, recorded_at__lte=last).values_list(
                    "recorded_at", flat=True
                )
            )
            if unit.last_seen_at is None or first <= unit.last_seen_at
            else set()
        )
        trip = (
            Trip.objects.filter(gps_unit=unit, status__in=Trip.ON_ROAD)
            # Its journey state in the same query: only batches of this unit, which hold the
            # unit's lock taken above, write it.
            .select_related("loading", "journey")
            .order_by("-departed_at")
            .first()
        )
        result.trip = trip.loading.number if trip else None
        reference = _reference(unit, trip)
        newest_seen = unit.last_seen_at
        fresh = [(index, fix) for index, fix in candidates if fix.time not in existing]
        result.duplicates += len(candidates) - len(fresh)
        rows, good = [], []
        departed = trip.departed_at if trip is not None else None
        in_order = fresh and (newest_seen is None or fresh[0][1].time > newest_seen)
        if in_order and not _any_jump(reference, fresh):
            # The usual batch: newer than anything the unit sent, no step faster than a truck.
            # The loop below would flag nothing; the same verdict, without its per-point calls.
            good = [(fix.time, fix.lat, fix.lng) for _index, fix in fresh]
            rows = [(fix, departed is not None and fix.time >= departed, "") for _index, fix in fresh]
            newest_seen = fresh[-1][1].time
            fresh = []
        jumps = []
        for index, fix in fresh:
            flag = ""
            here = (fix.time, fix.lat, fix.lng)
            if newest_seen is not None and fix.time <= newest_seen:
                flag = GpsPoint.Flag.OUT_OF_ORDER
            elif reference is not None and _impossible(reference, here):
                if jumps and not _impossible(jumps[-1], here):
                    jumps.append(here)
                else:
                    jumps = [here]
                if len(jumps) >= JUMP_CONFIRMATIONS:
                    reference, jumps = here, []
                else:
                    flag = GpsPoint.Flag.JUMP
            else:
                reference, jumps = here, []
            if not flag:
                good.append(here)
            if newest_seen is None or fix.time > newest_seen:
                newest_seen = fix.time
            if flag:
                result.flagged.append({"index": index, "reason": str(flag), "time": fix.time.isoformat()})
            rows.append((fix, departed is not None and fix.time >= departed, str(flag)))
        on_trip = sum(1 for row in rows if row[1])
        if rows:
            result.stored = _points_insert(unit, trip, rows, source, now)
            # Not stored after all (another writer's point at the same time): a duplicate.
            result.duplicates += len(rows) - result.stored
            GpsUnit.objects.filter(pk=unit.pk).update(last_seen_at=newest_seen)
        if trip is not None:
            _trip_move(trip, [g for g in good if g[0] >= trip.departed_at], on_trip, len(result.flagged))
    return result


def _any_jump(reference: tuple | None, fresh: list[tuple[int, Fix]]) -> bool:
    """Whether some step of ``reference`` then ``fresh`` (time-ordered) might be impossible.

    The haversine of every step at once (numpy); a step within a hair of either limit counts
    as possible jump too, so that rounding never hides one: then the caller checks point by point.
    """
    chain = ([reference] if reference is not None else []) + [(f.time, f.lat, f.lng) for _i, f in fresh]
    if len(chain) < 2:
        return False
    base = chain[0][0]
    seconds = np.fromiter(((c[0] - base).total_seconds() for c in chain), float, len(chain))
    lat = np.radians(np.fromiter((c[1] for c in chain), float, len(chain)))
    lng = np.radians(np.fromiter((c[2] for c in chain), float, len(chain)))
    a = np.sin(np.diff(lat) / 2) ** 2 + np.cos(lat[:-1]) * np.cos(lat[1:]) * np.sin(np.diff(lng) / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    hours = np.abs(np.diff(seconds)) / 3600
    margin = 1 - 1e-6
    far = km > JUMP_MIN_KM * margin
    fast = (hours <= 0) | (km > MAX_SPEED_KMH * margin * np.maximum(hours, 0))
    return bool(np.any(far & fast))


def _points_insert(unit: GpsUnit, trip: Trip | None, rows: list[tuple], source: str, now) -> int:
    """Write a batch's points (``(fix, on the trip, flag)``); return how many were new.

    A concurrent batch of the unit cannot add the same keys (its row is locked); the conflict
    clause is there for a point committed between our look and our insert all the same.
    """
    table = GpsPoint._meta.db_table
    columns = (
        "unit_id, recorded_at, trip_id, lat, lng, speed_kmh, heading, satellites, hdop, source, flag, "
        "received_at"
    )
    trip_id = trip.pk if trip is not None else None
    if connection.vendor == "postgresql":
        # The batch as one JSON text: json.dumps and PostgreSQL's JSON parser are C, where model
        # instances and bulk_create's per-field preparation cost more than the rest of the request
        # (make bench, gps_points_per_s). Times go as Unix seconds (a float holds the microseconds
        # of this era exactly enough for to_timestamp to round back to them; isoformat cost
        # more per point than the rest of the row).
        batch = [
            {
                "t": fix.time.timestamp(),
                "a": attached,
                "y": fix.lat,
                "x": fix.lng,
                "v": fix.speed_kmh,
                "h": fix.heading,
                "s": fix.satellites,
                "d": fix.hdop,
                "f": flag,
            }
            for fix, attached, flag in rows
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT %s, to_timestamp(p.t), "
                "CASE WHEN p.a THEN %s::bigint END, "
                "p.y, p.x, p.v, p.h, p.s, p.d, %s, p.f, %s FROM json_to_recordset(%s::json) AS "
                "p(t float8, a boolean, y float8, x float8, v float8, h float8, s smallint, d float8, "
                "f varchar) ON CONFLICT DO NOTHING",
                [unit.pk, trip_id, source, now, json.dumps(batch)],
            )
            return cursor.rowcount
    created = GpsPoint.objects.bulk_create(
        [
            GpsPoint(
                unit=unit,
                recorded_at=fix.time,
                trip_id=trip_id if attached else None,
                lat=fix.lat,
                lng=fix.lng,
                speed_kmh=fix.speed_kmh,
                heading=fix.heading,
                satellites=fix.satellites,
                hdop=fix.hdop,
                source=source,
                flag=flag,
                received_at=now,
            )
            for fix, attached, flag in rows
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    return len(created)


def _reference(unit: GpsUnit, trip: Trip | None) -> tuple | None:
    """The truck's last good position, which a new point must be reachable from."""
    if trip is not None and trip.last_position_at is not None:
        return (trip.last_position_at, float(trip.last_lat), float(trip.last_lng))
    row = (
        GpsPoint.objects.filter(unit=unit, flag="")
        .order_by("-recorded_at")
        .values_list("recorded_at", "lat", "lng")
        .first()
    )
    return tuple(row) if row else None


def _trip_move(trip: Trip, good: list[tuple], on_trip: int, flagged: int) -> None:
    """Move the truck to its newest good point and keep where it came to rest."""
    try:
        state = trip.journey  # read with the trip, under the unit's lock
    except JourneyState.DoesNotExist:
        state = JourneyState(trip=trip)
    state.points += on_trip
    state.flagged += flagged
    newer = [g for g in good if trip.last_position_at is None or g[0] > trip.last_position_at]
    for time, lat, lng in newer:
        if state.anchor_at is None or haversine_km(state.anchor_lat, state.anchor_lng, lat, lng) * 1000 > (
            STOP_RADIUS_M
        ):
            state.anchor_lat, state.anchor_lng, state.anchor_at = lat, lng, time
    state.save()
    if newer:
        time, lat, lng = newer[-1]
        Trip.objects.filter(pk=trip.pk).update(
            last_lat=round(lat, 6), last_lng=round(lng, 6), last_position_at=time
        )


# --- corridors -----------------------------------------------------------------------------------

BAD_ROUTE = _("Draw the route as one line of at least two points on the map.")
BAD_NUMBER = _("{field} must be a whole number from {low} to {high}.")
NOT_YOUR_FARM = _("Only the farm's supervising branch or a manager may draw its corridor.")
CORRIDOR_SAVED = "corridor drawn"
MAX_VERTICES = 5000
LIMITS = {
    "buffer_m": (50, 5000, _("The corridor width")),
    "planned_minutes": (10, 48 * 60, _("The planned duration")),
    "stop_minutes": (5, 600, _("The longest stop allowed")),
}


def _metric(lat0: float):
    """A local equirectangular projection (metres) around latitude ``lat0``: within the few hundred
    km of a route, its error is far below the corridor's width."""
    kx = 111_320.0 * math.cos(math.radians(lat0))
    ky = 110_540.0

    def project(xy):
        return xy * (kx, ky)

    def back(xy):
        return xy / (kx, ky)

    return project, back


def route_check(route) -> list[list[float]]:
    """Return the route's [lng, lat] pairs, or raise DomainError: a GeoJSON LineString (or a
    Feature holding one) of 2 to MAX_VERTICES finite WGS84 positions."""
    if isinstance(route, dict) and route.get("type") == "Feature":
        route = route.get("geometry")
    if not isinstance(route, dict) or route.get("type") != "LineString":
        raise DomainError(BAD_ROUTE, field="route")
    coordinates = route.get("coordinates")
    if not isinstance(coordinates, list) or not (2 <= len(coordinates) <= MAX_VERTICES):
        raise DomainError(BAD_ROUTE, field="route")
    pairs = []
    for pair in coordinates:
        try:
            if not isinstance(pair, list) or len(pair) < 2:
                raise ValueError
            pairs.append([_finite(pair[0], -180, 180), _finite(pair[1], -90, 90)])
        except (ValueError, TypeError):
            raise DomainError(BAD_ROUTE, field="route") from None
    if any(p is None for pair in pairs for p in pair) or len({tuple(p) for p in pairs}) < 2:
        raise DomainError(BAD_ROUTE, field="route")
    return pairs


def _length_km(pairs) -> float:
    return sum(haversine_km(a[1], a[0], b[1], b[0]) for a, b in zip(pairs, pairs[1:], strict=False))


def corridor_check(
    *, actor, farm, route, buffer_m: int, planned_minutes: int, stop_minutes: int
) -> list[list[float]]:
    """Return the route's [lng, lat] pairs, or raise the DomainError that corridor_save would.

    Apart so that a form (the admin site's) can show the refusal beside its field before saving.
    """
    if not (actor.role in (Role.MANAGER, Role.SYSTEM_ADMIN) or actor.organisation_id == farm.branch_id):
        raise DomainError(NOT_YOUR_FARM)
    pairs = route_check(route)
    numbers = {"buffer_m": buffer_m, "planned_minutes": planned_minutes, "stop_minutes": stop_minutes}
    for name, value in numbers.items():
        low, high, label = LIMITS[name]
        if isinstance(value, bool) or not isinstance(value, int) or not (low <= value <= high):
            raise DomainError(format_lazy(BAD_NUMBER, field=label, low=low, high=high), field=name)
    return pairs


@transaction.atomic
def corridor_save(
    *, actor, farm, route, buffer_m: int, planned_minutes: int, stop_minutes: int, note: str = ""
) -> Corridor:
    """Draw (or redraw) the corridor of ``farm``'s trucks; every trip from the farm uses it."""
    pairs = corridor_check(
        actor=actor,
        farm=farm,
        route=route,
        buffer_m=buffer_m,
        planned_minutes=planned_minutes,
        stop_minutes=stop_minutes,
    )
    corridor = Corridor.objects.select_for_update().filter(farm=farm).first() or Corridor(farm=farm)
    corridor.route = {"type": "LineString", "coordinates": [[round(x, 6), round(y, 6)] for x, y in pairs]}
    corridor.buffer_m, corridor.planned_minutes, corridor.stop_minutes = (
        buffer_m,
        planned_minutes,
        stop_minutes,
    )
    corridor.length_km = round(_length_km(pairs), 1)
    corridor.note = (note or "").strip()[:300]
    corridor.updated_by = actor
    save_audited(corridor, actor=actor, reason=CORRIDOR_SAVED)
    return corridor


@lru_cache(maxsize=2048)
def _shape(corridor_id: int, version: str, route_key: tuple) -> tuple:
    """The corridor's route in a metric projection, prepared once per version of the corridor."""
    lat0 = sum(p[1] for p in route_key) / len(route_key)
    project, back = _metric(lat0)
    line = shapely.transform(LineString(route_key), project)
    return line, project, back


def corridor_shape(corridor: Corridor) -> tuple:
    pairs = tuple(tuple(p) for p in corridor.route["coordinates"])
    return _shape(corridor.pk, corridor.updated_at.isoformat() if corridor.updated_at else "", pairs)


def corridor_distance_m(corridor: Corridor, lat: float, lng: float) -> float:
    """How far (metres) a point lies from the corridor's route (0 on it)."""
    line, project, _back = corridor_shape(corridor)
    return line.distance(shapely.transform(Point(float(lng), float(lat)), project))


def corridor_polygon(corridor: Corridor) -> dict:
    """The buffered corridor as a GeoJSON Polygon in WGS84, to draw on a map."""
    line, _project, back = corridor_shape(corridor)
    polygon = shapely.transform(
        line.buffer(corridor.buffer_m, quad_segs=4).simplify(corridor.buffer_m / 10), back
    )
    return {
        "type": "Polygon",
        "coordinates": [[[round(x, 5), round(y, 5)] for x, y in polygon.exterior.coords]],
    }


# --- the periodic check --------------------------------------------------------------------------

KEY = "transit:{kind}:{trip}"
ZONE_KEY = "transit:zone:{trip}:{zone}"
OFF_ROUTE = _("Truck {plate} (loading {number}) is {distance} m off its corridor.")
LONG_STOP = _("Truck {plate} (loading {number}) has stood still for {minutes} minutes (allowed: {allowed}).")
SIGNAL_LOST = _("No GPS position from truck {plate} (loading {number}) for {minutes} minutes.")
RUNNING_LATE = _("Truck {plate} (loading {number}) was due at {due} and has not arrived.")
IN_ZONE = _("Truck {plate} (loading {number}) is inside the {zone} of {disease} ({report}).")
NO_CORRIDOR_STOP_MINUTES = 30


@dataclass
class CheckResult:
    trips: int = 0
    raised: dict = field(default_factory=dict)
    resolved: int = 0


def journeys_check(*, now: dt.datetime | None = None) -> CheckResult:
    """Check every trip on the road and raise its alerts; resolve those whose cause went away.

    A few queries whatever the number of trucks: the trips with their state, their farms'
    corridors, the active zones around them, the open journey alerts; then one batch of alerts.
    """
    now = now or timezone.now()
    lost_after = dt.timedelta(minutes=settings.TRANSIT_SIGNAL_LOST_MINUTES)
    trips = list(
        Trip.objects.filter(status__in=Trip.ON_ROAD)
        .select_related("vehicle", "loading", "loading__consignment", "journey")
        .only(
            "pk",
            "status",
            "departed_at",
            "due_at",
            "last_lat",
            "last_lng",
            "last_position_at",
            "enterprise_id",
            "vehicle__plate",
            "loading__number",
            "loading__branch_id",
            "loading__consignment__farm_id",
            "journey__anchor_at",
        )
        .order_by()
    )
    result = CheckResult(trips=len(trips))
    farm_ids = {t.loading.consignment.farm_id for t in trips}
    corridors = {c.farm_id: c for c in Corridor.objects.filter(farm_id__in=farm_ids)}
    zones = restrictions_for_points(
        {t.pk: (t.last_lat, t.last_lng, None) for t in trips if t.last_lat is not None}, species_matter=False
    )
    trip_type = ContentType.objects.get_for_model(Trip)
    specs = []
    for trip in trips:
        farm_id = trip.loading.consignment.farm_id
        scope = AlertScope(
            organisation_id=trip.loading.branch_id,
            role=Role.INSPECTOR,
            farm_id=farm_id,
            enterprise_id=trip.enterprise_id,
        )
        plate, number = trip.vehicle.plate, trip.loading.number
        corridor = corridors.get(farm_id)

        def spec(kind, severity, key, text, data=None, trip=trip, scope=scope):
            specs.append(
                AlertSpec(
                    kind=kind,
                    severity=severity,
                    key=key,
                    scope=scope,
                    text=text,
                    subject=trip,
                    data={"trip": trip.pk, **(data or {})},
                    show_enterprise=True,
                )
            )

        seen_at = trip.last_position_at or trip.departed_at
        if now - seen_at > lost_after:
            minutes = int((now - seen_at).total_seconds() // 60)
            spec(
                Alert.Kind.SIGNAL_LOST,
                Alert.Severity.MEDIUM,
                KEY.format(kind="signal_lost", trip=trip.pk),
                format_lazy(SIGNAL_LOST, plate=plate, number=number, minutes=minutes),
            )
        if now > trip.due_at:
            spec(
                Alert.Kind.RUNNING_LATE,
                Alert.Severity.LOW,
                KEY.format(kind="running_late", trip=trip.pk),
                format_lazy(
                    RUNNING_LATE,
                    plate=plate,
                    number=number,
                    due=f"{timezone.localtime(trip.due_at):%Y-%m-%d %H:%M}",
                ),
            )
        if trip.last_lat is None:
            continue
        if corridor is not None:
            distance = corridor_distance_m(corridor, trip.last_lat, trip.last_lng)
            if distance > corridor.buffer_m:
                spec(
                    Alert.Kind.OFF_ROUTE,
                    Alert.Severity.HIGH,
                    KEY.format(kind="off_route", trip=trip.pk),
                    format_lazy(OFF_ROUTE, plate=plate, number=number, distance=int(distance)),
                    {"lat": float(trip.last_lat), "lng": float(trip.last_lng), "distance_m": int(distance)},
                )
        anchor_at = getattr(getattr(trip, "journey", None), "anchor_at", None)
        allowed = corridor.stop_minutes if corridor is not None else NO_CORRIDOR_STOP_MINUTES
        if anchor_at is not None and trip.last_position_at - anchor_at > dt.timedelta(minutes=allowed):
            minutes = int((trip.last_position_at - anchor_at).total_seconds() // 60)
            spec(
                Alert.Kind.LONG_STOP,
                Alert.Severity.MEDIUM,
                KEY.format(kind="long_stop", trip=trip.pk),
                format_lazy(LONG_STOP, plate=plate, number=number, minutes=minutes, allowed=allowed),
            )
        for zone in zones.get(trip.pk, []):
            spec(
                Alert.Kind.ZONE_ENTERED,
                Alert.Severity.HIGH,
                ZONE_KEY.format(trip=trip.pk, zone=zone.zone_id),
                (
                    lambda z, p, n: (
                        lambda: format_lazy(
                            IN_ZONE,
                            plate=p,
                            number=n,
                            zone=z.zone_label,
                            disease=z.disease,
                            report=z.report_number,
                        )
                    )
                )(zone, plate, number),
                {"zone": zone.zone_id},
            )
    raised_keys = {s.key for s in specs}
    open_keys = set(
        Alert.objects.filter(
            subject_type=trip_type, key__startswith="transit:", state__in=Alert.OPEN
        ).values_list("key", flat=True)
    )
    gone = sorted(k for k in open_keys - raised_keys if _is_journey_key(k))
    # A condition already open is one alert, not one a minute: only new keys are written, so a
    # steady state of many trucks with open alerts costs no write at all.
    fresh = [s for s in specs if s.key not in open_keys]
    if fresh:
        alerts_raise(specs=fresh, at=now)
    for s in fresh:
        result.raised[s.kind] = result.raised.get(s.kind, 0) + 1
    if gone:
        result.resolved = alerts_resolve(keys=gone)
    return result


def _is_journey_key(key: str) -> bool:
    return key.split(":")[1:2] in (["signal_lost"], ["running_late"], ["off_route"], ["long_stop"], ["zone"])
