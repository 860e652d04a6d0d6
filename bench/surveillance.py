"""Disease zones at national scale: flagging a new zone among 100,000 farms, and the restriction check.

Setup (not timed): 100,000 registered pig farms written with COPY, clustered around the county
seats of the six supplying provinces (Guangdong, Guangxi, Hunan, Jiangxi, Hubei, Henan) as real
farms are; then 1,000 zones on record (500 reports), all but 50 of them lifted. Timed:

- ``zone_flag_ms``: ``report_create`` of an African swine fever outbreak (3 km and 10 km zones)
  at a county seat, until committed: the farms inside found (box on the indexed coordinates,
  then the exact distance), their restrictions written and one alert each raised (e-mail and SMS
  of the high ones go to in-memory backends, as a queue would take them). Median of 5 places.
- ``restrictions_for_farms_ms``: ``restrictions_for_farms`` for 500 of those farms at once, the
  check a declaration or a loading makes. Median of 20 runs.

Everything the run wrote is deleted afterwards (and before, if a run died).
"""

import datetime as dt
import math
import random
import statistics
import time

FARMS = 100_000
PREFIX = "基准监测场"  # the bench's own farms
REFERENCE = "BENCH-"  # the bench's own reports
PROVINCES = ("440000", "450000", "430000", "360000", "420000", "410000")
CHECKED = 500
REPORTS = 500  # two zones each: 1,000 zones
ACTIVE_REPORTS = 25
FLAG_RUNS = 5
CHECK_RUNS = 20


def _world():
    from accounts import demo
    from accounts.models import User
    from surveillance import reference

    manager = User.objects.filter(username="manager").first()
    if manager is None:
        demo.seed()  # the places and the demo people: the bench database starts empty
        manager = User.objects.get(username="manager")
    reference.ensure()
    return manager


def _sql(statement: str, params=()) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def cleanup() -> None:
    """Delete every row the bench wrote: its reports, zones, restrictions, alerts and farms."""
    from django.db import connection, transaction

    from farms.models import Farm
    from surveillance.models import Alert, AlertNote, DiseaseReport, FarmRestriction, Zone

    farms = f"SELECT id FROM {Farm._meta.db_table} WHERE name_zh LIKE %s"
    reports = f"SELECT id FROM {DiseaseReport._meta.db_table} WHERE source_reference LIKE %s"
    alerts = f"SELECT id FROM {Alert._meta.db_table} WHERE farm_id IN ({farms})"
    like_farm, like_report = (PREFIX + "%",), (REFERENCE + "%",)
    with transaction.atomic():
        _sql(f"DELETE FROM {AlertNote._meta.db_table} WHERE alert_id IN ({alerts})", like_farm)
        _sql(f"DELETE FROM {Alert.history.model._meta.db_table} WHERE id IN ({alerts})", like_farm)
        _sql(f"DELETE FROM {Alert._meta.db_table} WHERE farm_id IN ({farms})", like_farm)
        zones = f"SELECT id FROM {Zone._meta.db_table} WHERE report_id IN ({reports})"
        _sql(f"DELETE FROM {FarmRestriction._meta.db_table} WHERE zone_id IN ({zones})", like_report)
        _sql(f"DELETE FROM {FarmRestriction._meta.db_table} WHERE farm_id IN ({farms})", like_farm)
        _sql(f"DELETE FROM {Zone.history.model._meta.db_table} WHERE report_id IN ({reports})", like_report)
        _sql(f"DELETE FROM {Zone._meta.db_table} WHERE report_id IN ({reports})", like_report)
        for table in (DiseaseReport.history.model._meta.db_table, DiseaseReport._meta.db_table):
            _sql(f"DELETE FROM {table} WHERE source_reference LIKE %s", like_report)
        _sql(f"DELETE FROM {Farm._meta.db_table} WHERE name_zh LIKE %s", like_farm)
    if connection.vendor == "postgresql":
        for model in (Farm, Alert, FarmRestriction, Zone):
            _sql(f"VACUUM ANALYZE {model._meta.db_table}")


def _seats() -> list:
    from farms import regions

    return [c for p in PROVINCES for c in regions.counties_in(p) if c.latitude is not None]


def _farms(manager) -> None:
    """Write 100,000 registered pig farms around the county seats (COPY; not timed)."""
    from django.utils import timezone

    from accounts.models import Organisation
    from farms.models import Farm
    from farms.regions import KM_PER_DEGREE
    from livestock.bulk import insert_rows

    rng = random.Random(11)
    enterprise = Organisation.objects.get(code="ent-huafeng")
    branch = Organisation.objects.get(code="ciq-huizhou")
    seats = _seats()
    now = timezone.now()
    today = timezone.localdate()
    fields = [
        "enterprise_id", "branch_id", "name_zh", "name_en", "species", "capacity", "county_code",
        "address", "latitude", "longitude", "layout", "disease_history", "vet_name", "vet_licence",
        "vet_phone", "immunisation_programme", "status", "registration_number", "registered_on",
        "valid_until", "created_by_id", "created_at", "updated_at",
    ]  # fmt: skip

    def rows():
        for n in range(FARMS):
            seat = seats[n % len(seats)]
            # Farms thin out with the distance from the county seat (sigma 12 km).
            dy, dx = rng.gauss(0, 12), rng.gauss(0, 12)
            lat = seat.latitude + dy / KM_PER_DEGREE
            lng = seat.longitude + dx / (KM_PER_DEGREE * math.cos(math.radians(seat.latitude)))
            yield (
                enterprise.pk, branch.pk, f"{PREFIX}{n:06d}", "", "1", 1000, seat.code,
                seat.city_name + seat.name, f"{lat:.6f}", f"{lng:.6f}", {}, "", "基准兽医", "BENCH-VET",
                "", "按程序免疫", "registered", "", today, today + dt.timedelta(days=5 * 365),
                manager.pk, now, now,
            )  # fmt: skip

    insert_rows(Farm, fields, rows())
    _sql(f"ANALYZE {Farm._meta.db_table}")


def _zones(manager) -> None:
    """1,000 zones on record, all but 50 lifted (rows written directly: not timed)."""
    from django.utils import timezone

    from surveillance import geo
    from surveillance.models import Disease, DiseaseReport, Zone

    rng = random.Random(12)
    asf = Disease.objects.get(code="asf")
    seats = _seats()
    now = timezone.now()
    today = timezone.localdate()
    reports = []
    for n in range(REPORTS):
        active = n < ACTIVE_REPORTS
        seat = rng.choice(seats)
        confirmed = today - dt.timedelta(days=rng.randint(1, 30) if active else rng.randint(60, 1800))
        reports.append(
            DiseaseReport(
                disease=asf,
                latitude=f"{seat.latitude + rng.uniform(-0.2, 0.2):.6f}",
                longitude=f"{seat.longitude + rng.uniform(-0.2, 0.2):.6f}",
                county_code=seat.code,
                confirmed_on=confirmed,
                source="national_bulletin",
                source_reference=f"{REFERENCE}{n}",
                status="confirmed" if active else "lifted",
                reported_by=manager,
                lifted_at=None if active else now,
                lifted_by=None if active else manager,
                lift_reason="" if active else "基准测试",
            )
        )
    DiseaseReport.objects.bulk_create(reports)
    zones = []
    for report in DiseaseReport.objects.filter(source_reference__startswith=REFERENCE):
        for kind, radius in (("infected", 3), ("surveillance", 10)):
            box = geo.bounding_box(report.latitude, report.longitude, radius)
            zones.append(
                Zone(
                    report=report,
                    kind=kind,
                    latitude=report.latitude,
                    longitude=report.longitude,
                    radius_km=radius,
                    min_lat=box.min_lat,
                    max_lat=box.max_lat,
                    min_lng=box.min_lng,
                    max_lng=box.max_lng,
                    starts_on=report.confirmed_on,
                    review_on=report.confirmed_on + dt.timedelta(days=42),
                    lifted_at=report.lifted_at,
                    lifted_by=report.lifted_by,
                    lift_reason=report.lift_reason,
                )
            )
    Zone.objects.bulk_create(zones)
    _sql(f"ANALYZE {Zone._meta.db_table}")


def _flag(manager, profile) -> tuple[float, dict]:
    from django.test import override_settings
    from django.utils import timezone

    from surveillance.models import Disease
    from surveillance.services import report_create

    asf = Disease.objects.get(code="asf")
    rng = random.Random(13)
    seats = rng.sample(_seats(), FLAG_RUNS)
    times, flagged = [], []
    prof = _profiler(profile)
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        SMS_BACKEND="surveillance.sms.LocMemBackend",
    ):
        for n, seat in enumerate(seats):
            started = time.perf_counter()
            if prof:
                prof.enable()
            report = report_create(
                actor=manager,
                disease=asf,
                confirmed_on=timezone.localdate(),
                source="national_bulletin",
                latitude=f"{seat.latitude:.6f}",
                longitude=f"{seat.longitude:.6f}",
                source_reference=f"{REFERENCE}flag-{n}",
            )
            if prof:
                prof.disable()
            times.append((time.perf_counter() - started) * 1000)
            flagged.append(report.flagged_count)
    _dump(prof, "zone_flag")
    return statistics.median(times), {"farms_flagged": flagged, "runs_ms": [round(t, 1) for t in times]}


def _check(profile) -> tuple[float, dict]:
    from farms.models import Farm
    from surveillance.selectors import restrictions_for_farms

    ids = list(
        Farm.objects.filter(name_zh__startswith=PREFIX).order_by("?").values_list("pk", flat=True)[:CHECKED]
    )
    times = []
    found = 0
    prof = _profiler(profile)
    for _ in range(CHECK_RUNS):
        started = time.perf_counter()
        if prof:
            prof.enable()
        result = restrictions_for_farms(farm_ids=ids)
        if prof:
            prof.disable()
        times.append((time.perf_counter() - started) * 1000)
        found = sum(1 for r in result.values() if r)
    _dump(prof, "restrictions_for_farms")
    return statistics.median(times), {"farms": len(ids), "restricted": found}


def _profiler(profile: bool):
    import cProfile

    return cProfile.Profile() if profile else None


def _dump(prof, name: str) -> None:
    if prof is None:
        return
    import io
    import pstats
    from pathlib import Path

    out = Path(__file__).resolve().parent.parent / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    prof.dump_stats(out / f"{name}.prof")
    text = io.StringIO()
    pstats.Stats(prof, stream=text).sort_stats("cumulative").print_stats(25)
    (out / f"{name}.txt").write_text(text.getvalue())
    print(text.getvalue()[:3000], flush=True)


def run(*, profile: bool = False) -> dict:
    manager = _world()
    cleanup()
    try:
        _farms(manager)
        _zones(manager)
        flag_ms, flag_details = _flag(manager, profile)
        check_ms, check_details = _check(profile)
    finally:
        cleanup()
    return {
        "zone_flag_ms": {"value": round(flag_ms, 2), **flag_details},
        "restrictions_for_farms_ms": {"value": round(check_ms, 2), **check_details},
    }
