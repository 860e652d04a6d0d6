"""Demo outbreaks and alerts: a past outbreak (lifted), one active zone over a few demo farms.

``seed`` is run by ``manage.py seed_demo`` after farms.demo has made the registry (and before
livestock.demo, whose banned-substance attempts raise their own alerts). Idempotent: it adds
nothing to a system that has any disease report. The places are chosen from the registry the
seed made, so they always touch real demo farms:

- active: African swine fever confirmed 9 days ago 1.5 km from a registered pig farm of
  enterprise A (惠州华丰), its zones (3 km, 10 km) holding it and its neighbours; their alerts
  new, acknowledged with a note, and closed, one of them shown to the enterprise;
- lifted: foot-and-mouth disease in Hunan four months ago, lifted after its restriction period.

Everything goes through the services (report_create, alert_acknowledge…); only the dates are
moved back afterwards, as livestock.demo does.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, Role, User
from farms import regions
from farms.models import Farm, Species

from . import geo, reference
from .models import Alert, AlertNote, Disease, DiseaseReport, FarmRestriction, Zone
from .services import alert_acknowledge, alert_close, alert_show_to_enterprise, report_create, report_lift

ACTIVE_DAYS_AGO = 9
PAST_DAYS_AGO = 130


def seeded() -> bool:
    """Whether any outbreak is on record: the demo's are only for a system that has none."""
    return DiseaseReport.objects.exists()


def _best_centre(farms: list[Farm], radius_km: float) -> Farm | None:
    """The farm with the most other farms within ``radius_km`` (ties: the lowest id)."""
    best, best_n = None, -1
    for farm in farms:
        n = sum(
            1
            for other in farms
            if other.pk != farm.pk
            and geo.distance_km(farm.latitude, farm.longitude, other.latitude, other.longitude) <= radius_km
        )
        if n > best_n:
            best, best_n = farm, n
    return best


def _offset(farm: Farm, km_north: float) -> tuple[str, str]:
    lat = float(farm.latitude) + km_north / geo.KM_PER_DEGREE
    return f"{lat:.6f}", f"{float(farm.longitude):.6f}"


def _backdate(report: DiseaseReport, at: dt.datetime) -> None:
    """Move a report, its zones, restrictions and alerts back to ``at`` (history included)."""
    DiseaseReport.objects.filter(pk=report.pk).update(created_at=at)
    DiseaseReport.history.filter(id=report.pk, history_type="+").update(history_date=at)
    Zone.history.filter(report_id=report.pk, history_type="+").update(history_date=at)
    FarmRestriction.objects.filter(zone__report=report).update(flagged_at=at)
    alerts = Alert.objects.filter(kind=Alert.Kind.FARM_IN_ZONE, key__startswith=f"farm_in_zone:{report.pk}:")
    # The past is not e-mailed to anyone.
    alerts.update(raised_at=at, last_raised_at=at, notified_at=at)
    Alert.history.filter(id__in=alerts.values("pk"), history_type="+").update(history_date=at)


def _answer(alert: Alert, at: dt.datetime) -> None:
    """Move an alert's answers (acknowledged, notes, closed) to ``at``."""
    Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=False).update(acknowledged_at=at)
    Alert.objects.filter(pk=alert.pk, closed_at__isnull=False).update(closed_at=at)
    Alert.history.filter(id=alert.pk, history_type="~").update(history_date=at)
    AlertNote.objects.filter(alert=alert).update(at=at)


def _active(manager: User, today: dt.date) -> DiseaseReport | None:
    asf = Disease.objects.get(code="asf")
    pigs = list(
        Farm.objects.filter(
            enterprise__code="ent-huafeng", species=Species.PIG, status=Farm.Status.REGISTERED
        ).order_by("pk")
    )
    others = list(
        Farm.objects.filter(species=Species.PIG, status=Farm.Status.REGISTERED, branch__code="ciq-huizhou")
    )
    centre = _best_centre(pigs, 10) if pigs else _best_centre(others, 10)
    if centre is None:
        return None
    lat, lng = _offset(centre, 1.5)
    confirmed = today - dt.timedelta(days=ACTIVE_DAYS_AGO)
    report = report_create(
        actor=manager,
        disease=asf,
        confirmed_on=confirmed,
        source=DiseaseReport.Source.NATIONAL_BULLETIN,
        latitude=lat,
        longitude=lng,
        county_code=centre.county_code,
        place=f"{centre.address}附近散养户",
        source_reference=f"农业农村部疫情通报〔{today.year}〕第{confirmed.month}号",
        notes="散养户生猪发病死亡，经省级实验室确诊为非洲猪瘟。已扑杀疫点内全部生猪并无害化处理。",
    )
    _backdate(report, timezone.make_aware(dt.datetime.combine(confirmed, dt.time(16, 40))))
    alerts = list(
        Alert.objects.filter(key__startswith=f"farm_in_zone:{report.pk}:")
        .select_related("organisation")
        .order_by("-severity", "pk")
    )
    inspectors = {
        u.organisation_id: u for u in User.objects.filter(role=Role.INSPECTOR, is_active=True).order_by("-pk")
    }
    answered = timezone.make_aware(dt.datetime.combine(confirmed + dt.timedelta(days=1), dt.time(9, 15)))
    for n, alert in enumerate(alerts):
        inspector = inspectors.get(alert.organisation_id)
        if inspector is None or n % 3 == 2:
            continue  # a few left new
        alert_acknowledge(actor=inspector, alert=alert, note="已通知企业停止调运，安排现场排查。")
        if n % 3 == 1:
            alert_close(
                actor=inspector,
                alert=alert,
                note="现场核查：存栏生猪未见异常，已采样送检（阴性），已落实封锁期间禁止调出。",
            )
        if alert.enterprise and alert.enterprise.code == "ent-huafeng" and not alert.shown_to_enterprise:
            alert_show_to_enterprise(
                actor=inspector, alert=alert, shown=True, note="请企业知悉并严格执行封锁措施。"
            )
        _answer(alert, answered + dt.timedelta(hours=n))
    return report


def _past(manager: User, today: dt.date) -> DiseaseReport | None:
    fmd = Disease.objects.get(code="fmd")
    farms = list(Farm.objects.filter(branch__code="ciq-hunan", status=Farm.Status.REGISTERED).order_by("pk"))
    centre = _best_centre(farms, 10)
    if centre is None:
        return None
    lat, lng = _offset(centre, -2.0)
    confirmed = today - dt.timedelta(days=PAST_DAYS_AGO)
    county = centre.county_code if regions.point_in_county(centre.county_code, lat, lng) is not False else ""
    report = report_create(
        actor=manager,
        disease=fmd,
        confirmed_on=confirmed,
        source=DiseaseReport.Source.OTHER_AUTHORITY,
        latitude=lat,
        longitude=lng,
        county_code=county,
        place=f"{centre.address}周边养牛户",
        source_reference=f"湘农牧函〔{confirmed.year}〕{confirmed.month}号",
        notes="湖南省农业农村厅通报 O 型口蹄疫疫情。",
    )
    _backdate(report, timezone.make_aware(dt.datetime.combine(confirmed, dt.time(10, 5))))
    lifted_on = confirmed + dt.timedelta(days=fmd.restriction_days + 25)
    report_lift(
        actor=manager,
        report=report,
        reason="封锁期满，最后一头病畜处理后连续21天无新发病例，终末消毒验收合格，解除封锁。",
    )
    lifted = timezone.make_aware(dt.datetime.combine(lifted_on, dt.time(15, 0)))
    DiseaseReport.objects.filter(pk=report.pk).update(lifted_at=lifted)
    Zone.objects.filter(report=report).update(lifted_at=lifted)
    FarmRestriction.objects.filter(zone__report=report).update(lifted_at=lifted)
    DiseaseReport.history.filter(id=report.pk, history_type="~").update(history_date=lifted)
    Zone.history.filter(report_id=report.pk, history_type="~").update(history_date=lifted)
    for alert in Alert.objects.filter(key__startswith=f"farm_in_zone:{report.pk}:"):
        _answer(alert, lifted)
    return report


@transaction.atomic
def seed() -> dict:
    """Create the demo outbreaks if they are missing; return what was created (empty the second time)."""
    reference.ensure()
    manager = User.objects.filter(username="manager").first()
    if (
        manager is None
        or seeded()
        or not Organisation.objects.filter(kind=Organisation.Kind.HEAD_OFFICE).exists()
    ):
        return {}
    today = timezone.localdate()
    made = {}
    if past := _past(manager, today):
        made["past"] = past.number
    if active := _active(manager, today):
        made["active"] = active.number
        made["flagged"] = (
            FarmRestriction.objects.filter(zone__report=active).values("farm").distinct().count()
        )
    return made
