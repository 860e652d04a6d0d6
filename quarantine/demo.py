"""Demo data of origin quarantine: the reference tables, and a few weeks of consignments.

Run by ``seed_demo`` after the livestock demo has made the herds. The consignments are written
the way the services write them (``quarantine.generate``): over the last ``WEEKS`` weeks each
registered farm with a herd may send a lot of its fatteners (two in five do), mostly
approved with a signed certificate, a few withdrawn, cancelled or rejected at the examination;
those loading in the next days are still on their way (declared, accepted, examined, sampled,
results in). Every enterprise with a demo login has one of each. Two steps go through the real
services, so that everything they touch is there: a positive clenbuterol result
(``lab_results_record``: rejected, the animals blocked, the farm's credit lowered, an alert)
and a certificate replaced after the loading was put off (``certificate_replace``).

Done once: if any consignment exists, nothing is added (the demo never rewrites what people did);
nor without a signing key (``keys.configured()``: ``make run`` generates one under var/).
"""

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.demo import PEOPLE
from accounts.models import Role, User
from farms.models import Farm
from farms.services import farm_consignment_recorded
from livestock.models import Animal
from livestock.services.counts import recount

from . import keys, reference
from .generate import FATES, IN_PROGRESS, Generator, Lot, reset_sequences
from .models import Analyte, Certificate, Consignment

WEEKS = 3
SEED = 2026
# Head per lot by species, at the demo herds' scale (a few dozen fatteners a farm).
LOT = {"1": (8, 20), "2": (3, 8), "3": (5, 12)}
TRAFFIC = 0.4
# Days before loading each in-progress status is usually at.
AHEAD = {"declared": 3, "accepted": 2, "examined": 1, "sampled": 1, "results_in": 0}


def seed() -> None:
    reference.ensure()
    # Without a signing key (a production-like set-up that has none yet) there is nothing to sign with.
    if Consignment.objects.exists() or not keys.configured():
        return
    with transaction.atomic():
        _consignments()


def _pools(today: dt.date) -> dict[int, list]:
    """Per farm, its fatteners old enough to go (oldest first): ``[(id, code, withdrawal until)]``."""
    pools = defaultdict(list)
    rows = (
        Animal.objects.filter(
            status=Animal.Status.ON_FARM,
            export_blocked_at__isnull=True,
            birth_date__gte=today - dt.timedelta(days=250),
            birth_date__lte=today - dt.timedelta(days=90),
        )
        .order_by("farm_id", "birth_date", "pk")
        .values_list("farm_id", "pk", "national_code", "withdrawal_until")
    )
    for farm_id, pk, code, until in rows:
        pools[farm_id].append((pk, code, until))
    return pools


def _take(pool: list, size: int, loading: dt.date) -> list[tuple[int, str]]:
    """The first ``size`` animals of the pool not in withdrawal on the loading day (taken out)."""
    out, keep = [], []
    for item in pool:
        if len(out) < size and (item[2] is None or item[2] < loading):
            out.append(item[:2])
        else:
            keep.append(item)
    pool[:] = keep
    return out


def _consignments() -> None:
    today = timezone.localdate()
    rng = random.Random(SEED)
    gen = Generator(today=today, seed=SEED)
    pools = _pools(today)
    farms = list(
        Farm.objects.filter(status=Farm.Status.REGISTERED, pk__in=list(pools))
        .select_related("enterprise")
        .order_by("pk")
    )
    demo_codes = {p.organisation for p in PEOPLE if p.role in (Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF)}
    by_enterprise = defaultdict(list)
    for farm in farms:
        by_enterprise[farm.enterprise_id].append(farm)
    lots = []
    # Every enterprise with a demo login: one consignment in each state, small ones, each from
    # its farm with the most fatteners left.
    for farms_of in by_enterprise.values():
        if farms_of[0].enterprise.code not in demo_codes:
            continue
        for fate in (f for f in FATES if f != "replaced"):
            farm = max(farms_of, key=lambda f: len(pools[f.pk]))
            loading = (
                today + dt.timedelta(days=AHEAD[fate])
                if fate in IN_PROGRESS
                else (today - dt.timedelta(days=rng.randint(2, 7 * WEEKS - 1)))
            )
            low, high = LOT[farm.species]
            animals = _take(pools[farm.pk], rng.randint(max(1, low // 2), max(1, high // 3)), loading)
            if animals:
                lots.append(Lot(farm, animals, loading, fate))
    # Sampled now, to be given its (positive) results through the service; and one to replace.
    if not farms:
        return
    huafeng = max(farms, key=lambda f: (f.enterprise.code == "ent-huafeng", len(pools[f.pk])))
    positive = Lot(huafeng, _take(pools[huafeng.pk], 12, today), today, "sampled")
    replace = Lot(huafeng, _take(pools[huafeng.pk], 12, today), today, "approved")
    lots += [lot for lot in (positive, replace) if lot.animals]
    # The weeks' traffic, at the demo herds' scale (about a thirtieth of Shenzhen's supply, so a
    # few consignments a day): two farms in five send a lot in the weeks.
    for farm in farms:
        if rng.random() >= TRAFFIC or len(pools[farm.pk]) < LOT[farm.species][1]:
            continue
        day = today - dt.timedelta(days=rng.randint(1, 7 * WEEKS))
        fate = rng.choices(["approved", "withdrawn", "cancelled", "rejected"], weights=[92, 3, 2, 3])[0]
        animals = _take(pools[farm.pk], rng.randint(*LOT[farm.species]), day)
        if animals:
            lots.append(Lot(farm, animals, day, fate))
    made = {}
    for lot in sorted(lots, key=lambda lot: lot.loading_on):
        made[id(lot)] = gen.add(lot)
    gen.flush()
    reset_sequences()
    by_status = defaultdict(list)
    for animal, status in gen.statuses.items():
        by_status[status].append(animal)
    for status, ids in by_status.items():
        Animal.objects.filter(pk__in=ids).update(status=status)
    for farm in farms:
        if farm.pk in gen.last_consignment:
            farm_consignment_recorded(farm=farm, on=gen.last_consignment[farm.pk])
    recount()
    _through_services(made.get(id(positive)), made.get(id(replace)))


def _through_services(positive: Consignment | None, replace: Consignment | None) -> None:
    from .services import certificate_replace, lab_results_record

    lab = User.objects.filter(role=Role.LAB_ANALYST, is_active=True).order_by("pk").first()
    if positive is not None and lab is not None:
        consignment = Consignment.objects.get(pk=positive.pk)
        analytes = [
            a
            for a in Analyte.objects.filter(is_active=True)
            if not a.species or a.species == consignment.species
        ]
        rows = []
        for n, sample in enumerate(consignment.samples.order_by("number")):
            for analyte in analytes:
                if analyte.limit is None:
                    result = "阴性"
                elif n == 0 and analyte.code == "clenbuterol":
                    result = str(analyte.limit * 6)
                else:
                    result = str(round(analyte.limit / 10, 4))
                rows.append({"sample": sample.number, "analyte": analyte.code, "result": result})
        lab_results_record(actor=lab, consignment=consignment, rows=rows, source="lims")
    certificate = (
        Certificate.objects.filter(consignment_id=replace.pk).first() if replace is not None else None
    )
    if certificate is not None:
        inspector = (
            User.objects.filter(
                Q(role=Role.INSPECTOR, organisation_id=certificate.consignment.branch_id)
                | Q(role=Role.MANAGER),
                is_active=True,
            )
            .order_by("role", "pk")
            .first()
        )
        certificate_replace(
            actor=inspector, certificate=certificate, reason="装运日期推迟一天（车辆故障），重新出证"
        )
