"""The journey: GPS points of the units on the trucks, each trip's running state, and the
corridors the bureau draws for the trucks of a farm.

``GpsPoint`` is the one table that grows without end (a unit every 10–30 s, hundreds of trucks,
years kept). It is designed to be partitioned by month on ``recorded_at``: PostgreSQL requires the
partition key inside every unique constraint, so the primary key is the pair
``(unit, recorded_at)`` (Django 5.2's ``CompositePrimaryKey``), which is also what makes a point
idempotent — a unit re-sending a point it sent before hits the key, not a second row.

Django creates the table unpartitioned (its migrations cannot say ``PARTITION BY``). To partition
it in production, once, in a maintenance window (the names are the real ones)::

    BEGIN;
    ALTER TABLE transit_gpspoint RENAME TO transit_gpspoint_old;
    CREATE TABLE transit_gpspoint (LIKE transit_gpspoint_old INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
        PARTITION BY RANGE (recorded_at);
    ALTER TABLE transit_gpspoint ADD PRIMARY KEY (unit_id, recorded_at);
    CREATE INDEX ON transit_gpspoint (trip_id, recorded_at);
    CREATE TABLE transit_gpspoint_2026_12 PARTITION OF transit_gpspoint
        FOR VALUES FROM ('2026-12-01 00:00+08') TO ('2027-01-01 00:00+08');
    -- … one per month kept, and a DEFAULT partition for anything outside them …
    INSERT INTO transit_gpspoint SELECT * FROM transit_gpspoint_old;
    DROP TABLE transit_gpspoint_old;
    COMMIT;

and each month a job creates next month's partition ahead of time (``CREATE TABLE … PARTITION OF
… FOR VALUES FROM (…) TO (…)``); old months are detached and archived whole (``ALTER TABLE …
DETACH PARTITION``) instead of being deleted row by row. Every query the application makes
names ``unit`` or ``trip`` and a time range, so it prunes to the months it needs.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .fleet import GpsUnit
from .loading import Trip


class GpsPoint(models.Model):
    """One position a unit reported (JSON or NMEA), attached to the trip the unit was on."""

    class Source(models.TextChoices):
        JSON = "json", "JSON"
        NMEA = "nmea", "NMEA 0183"

    class Flag(models.TextChoices):
        # Kept on the track but never taken as the truck's position (see services.journeys).
        OUT_OF_ORDER = "out_of_order", _("Older than a point already received")
        JUMP = "jump", _("Impossible jump")

    pk = models.CompositePrimaryKey("unit", "recorded_at")
    # No index of their own: the primary key (unit, recorded_at) and gpspoint_trip_time
    # (trip, recorded_at) serve every lookup by unit or trip, and each index more is written
    # for every point. Nor foreign keys in the database: PostgreSQL checks them row by row at
    # commit, two checks a point, which cost as much as the insert (make bench, gps_points_per_s).
    # Ingestion writes only the unit it has authenticated and locked, and the trip it has just
    # read under that lock; units and trips are never deleted (PROTECT still refuses it through
    # the ORM while they have points). As livestock's tag reads (docs/livestock.md).
    unit = models.ForeignKey(
        GpsUnit, on_delete=models.PROTECT, related_name="points", db_constraint=False, db_index=False
    )
    recorded_at = models.DateTimeField(_("time"))
    trip = models.ForeignKey(
        Trip,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="points",
        db_constraint=False,
        db_index=False,
    )
    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))
    speed_kmh = models.FloatField(_("speed (km/h)"), null=True, blank=True)
    heading = models.FloatField(_("heading"), null=True, blank=True)
    satellites = models.PositiveSmallIntegerField(_("satellites"), null=True, blank=True)
    hdop = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=4, choices=Source.choices, default=Source.JSON)
    flag = models.CharField(_("flag"), max_length=12, choices=Flag.choices, blank=True)
    received_at = models.DateTimeField(_("received"))

    class Meta:
        verbose_name = _("GPS point")
        verbose_name_plural = _("GPS points")
        indexes = [models.Index(fields=["trip", "recorded_at"], name="gpspoint_trip_time")]

    def __str__(self):
        return f"{self.unit_id} {self.recorded_at:%Y-%m-%d %H:%M:%S} ({self.lat:.5f}, {self.lng:.5f})"


class JourneyState(models.Model):
    """What ingestion keeps of a trip between points, so that the periodic check reads one row
    per truck instead of its track: where the truck last came to rest (the anchor) and since when,
    and how many points arrived and were flagged."""

    trip = models.OneToOneField(Trip, on_delete=models.CASCADE, primary_key=True, related_name="journey")
    anchor_lat = models.FloatField(null=True, blank=True)
    anchor_lng = models.FloatField(null=True, blank=True)
    # The time of the first point within STOP_RADIUS_M of the anchor: the truck has not moved since.
    anchor_at = models.DateTimeField(null=True, blank=True)
    points = models.PositiveIntegerField(default=0)
    flagged = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("journey state")
        verbose_name_plural = _("journey states")

    def __str__(self):
        return f"{self.trip_id}"


class Corridor(models.Model):
    """The route the trucks of one farm must keep to: farm → Qingshuihe warehouse → exit port.

    Drawn once by the bureau on a map, reused by every trip from the farm. ``route`` is a GeoJSON
    LineString in WGS84 ([lng, lat] pairs); the corridor is every point within ``buffer_m`` metres
    of it (shapely, in a local metric projection: services.journeys).
    """

    farm = models.OneToOneField(
        "farms.Farm", verbose_name=_("farm"), on_delete=models.PROTECT, related_name="corridor"
    )
    route = models.JSONField(_("route"))
    buffer_m = models.PositiveIntegerField(_("corridor width each side (m)"), default=500)
    planned_minutes = models.PositiveIntegerField(_("planned duration (minutes)"))
    stop_minutes = models.PositiveIntegerField(_("longest stop allowed (minutes)"), default=30)
    length_km = models.FloatField(_("length (km)"), default=0)
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(verbose_name=_("historical corridor"))

    class Meta:
        verbose_name = _("corridor")
        verbose_name_plural = _("corridors")
        ordering = ["farm_id"]

    def __str__(self):
        return f"{self.farm} ({self.buffer_m} m)"
