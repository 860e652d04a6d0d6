"""Production records: feed, vaccination, medication, disease, death and disinfection.

One function, ``log_record``, for every kind: the animals it covers are named (ids, scanned
tags) or taken from a pen; every check runs before anything is written; each covered animal gets
an event in its individual record. A banned substance is refused and raises an alert for the
farm's inspector (the alert is kept even though the record is not).
"""

import datetime as dt
import unicodedata
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.errors import DomainError
from accounts.models import User
from farms.models import Farm

from ..bulk import insert_rows
from ..models import Animal, BannedSubstance, LogAnimal, ProductionLog, VaccinationRequirement
from . import cells
from .alerts import substance_attempt_record
from .common import farm_check_keeper, farm_pens
from .counts import head_move, herd_changed
from .events import Happening, Where, events_append

K = ProductionLog.Kind

# Sensible bounds per unit: a dose outside them is a typing mistake (a decimal point, a unit).
DOSE_UNITS = {
    "ml": (Decimal("0.01"), Decimal("500")),
    "mg": (Decimal("0.01"), Decimal("100000")),
    "g": (Decimal("0.01"), Decimal("10000")),
    "kg": (Decimal("0.001"), Decimal("5000")),
    "dose": (Decimal("0.1"), Decimal("10")),  # 头份
}
DOSE_UNIT_LABELS = {"ml": _("ml"), "mg": _("mg"), "g": _("g"), "kg": _("kg"), "dose": _("doses (头份)")}
MAX_WITHDRAWAL_DAYS = 365
MAX_BACKDATE_DAYS = 366

# What each kind must have (form field names), beyond a date.
REQUIRED = {
    K.FEED: ("product", "maker", "batch"),
    K.VACCINATION: ("product", "maker", "batch", "dose", "dose_unit"),
    K.MEDICATION: ("product", "active_substance", "dose", "dose_unit", "withdrawal_days"),
    K.DISEASE: ("symptoms",),
    K.DEATH: ("cause", "disposal"),
    K.DISINFECTION: ("product", "area"),
}
# Fields in which a banned substance could be named.
SUBSTANCE_FIELDS = ("product", "active_substance", "additives", "notes")
TEXT_FIELDS = {
    "product": 120,
    "maker": 120,
    "batch": 60,
    "additives": 300,
    "active_substance": 120,
    "route": 40,
    "symptoms": 300,
    "cause": 200,
    "area": 200,
    "notes": 5000,
}

FIELD_REQUIRED = _("This is required for a {kind} record.")
NO_ANIMALS = _("Choose the animals: tick them, scan their tags, or pick a pen that has animals.")
NOT_THIS_FARM = _("Not an animal of this farm on record: {tags}.")
NOT_ON_FARM = _("No longer on the farm: {tags}.")
PEN_UNKNOWN = _("“{pen}” is not a pen of this farm.")
BAD_NUMBER = _("“{value}” is not a number.")
DOSE_RANGE = _(
    "A dose of {dose} {unit} is out of range ({low}–{high} {unit}). Check the number and the unit."
)
UNIT_UNKNOWN = _("Choose the unit of the dose.")
WITHDRAWAL_RANGE = _("A withdrawal period is 0 to {max} days.")
TOO_OLD = _("Records are kept as things happen: {date} is more than a year ago.")
DISPOSED_BEFORE = _("It cannot be disposed of ({disposed}) before it died ({died}).")
REQUIREMENT_SPECIES = _("That programme item is for another species.")
BANNED = _(
    "{substance} is a banned substance and may never be used on animals supplied to Hong Kong. Nothing was "
    "recorded, and the farm's inspector has been alerted."
)


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def banned_substance_in(values: dict) -> BannedSubstance | None:
    """The first active banned substance named in any of ``values`` (case-, width- and space-blind)."""
    haystack = " ".join(_fold(str(values.get(f, ""))) for f in SUBSTANCE_FIELDS)
    if not haystack.strip():
        return None
    for substance in BannedSubstance.objects.filter(is_active=True):
        if any(_fold(name) and _fold(name) in haystack for name in substance.names()):
            return substance
    return None


def _alert(
    *, actor: User, farm: Farm, kind: str, substance: BannedSubstance, values: dict, count: int
) -> None:
    entered = "; ".join(f"{f}: {values[f]}" for f in SUBSTANCE_FIELDS if values.get(f))
    substance_attempt_record(
        actor=actor, farm=farm, kind=kind, substance=substance, entered=entered, count=count
    )


def _number(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise DomainError(format_lazy(BAD_NUMBER, value=value), field=field) from None
    if not number.is_finite():
        raise DomainError(format_lazy(BAD_NUMBER, value=value), field=field)
    return number


def _clean_values(kind: str, fields: dict, *, farm: Farm, today: dt.date) -> dict:
    values = {name: cells.text(str(fields.get(name) or ""))[:limit] for name, limit in TEXT_FIELDS.items()}
    values["dose_unit"] = cells.text(str(fields.get("dose_unit") or ""))
    values["dose"] = _number(fields.get("dose"), "dose")
    withdrawal = _number(fields.get("withdrawal_days"), "withdrawal_days")
    values["disposal"] = cells.text(str(fields.get("disposal") or ""))
    values["requirement"] = fields.get("requirement") or None
    values["disposed_on"] = fields.get("disposed_on") or None
    for name in REQUIRED[kind]:
        value = withdrawal if name == "withdrawal_days" else values.get(name)
        if value in (None, ""):
            label = ProductionLog.Kind(kind).label
            raise DomainError(format_lazy(FIELD_REQUIRED, kind=label), field=name)
    if values["dose"] is not None:
        if values["dose_unit"] not in DOSE_UNITS:
            raise DomainError(UNIT_UNKNOWN, field="dose_unit")
        low, high = DOSE_UNITS[values["dose_unit"]]
        if not low <= values["dose"] <= high:
            unit = DOSE_UNIT_LABELS[values["dose_unit"]]
            raise DomainError(
                format_lazy(DOSE_RANGE, dose=values["dose"], unit=unit, low=low, high=high), field="dose"
            )
    if withdrawal is not None:
        if withdrawal != withdrawal.to_integral_value() or not 0 <= withdrawal <= MAX_WITHDRAWAL_DAYS:
            raise DomainError(format_lazy(WITHDRAWAL_RANGE, max=MAX_WITHDRAWAL_DAYS), field="withdrawal_days")
        values["withdrawal_days"] = int(withdrawal)
    else:
        values["withdrawal_days"] = None
    if kind == K.DEATH and values["disposal"] not in ProductionLog.Disposal.values:
        raise DomainError(format_lazy(FIELD_REQUIRED, kind=K.DEATH.label), field="disposal")
    if values["requirement"] is not None:
        requirement = values["requirement"]
        if not isinstance(requirement, VaccinationRequirement):
            requirement = VaccinationRequirement.objects.filter(pk=requirement).first()
        if requirement is None or requirement.species != farm.species:
            raise DomainError(REQUIREMENT_SPECIES, field="requirement")
        values["requirement"] = requirement
    return values


def _resolve_animals(*, farm: Farm, animal_ids, tags, pen: str) -> list[Animal]:
    """The on-farm animals named by id or tag, or else every on-farm animal of the pen."""
    wanted_ids = {int(i) for i in animal_ids or ()}
    keys = []
    for raw in tags or ():
        if cells.text(raw):
            try:
                keys.append(cells.tag_key(cells.tag(raw)))
            except cells.CellError as exc:
                raise DomainError(exc.message, field="tags", items=[raw]) from None
    qs = Animal.objects.filter(farm=farm).only(
        "pk", "national_code", "rfid", "status", "pen", "withdrawal_until"
    )
    animals = {}
    if wanted_ids:
        animals.update({a.pk: a for a in qs.filter(pk__in=wanted_ids)})
        missing = wanted_ids - set(animals)
        if missing:
            raise DomainError(
                format_lazy(NOT_THIS_FARM, tags=", ".join(f"#{i}" for i in sorted(missing))),
                field="animals",
                items=sorted(missing),
            )
    if keys:
        national = [v for k, v in keys if k == "national_code"]
        rfid = [v for k, v in keys if k == "rfid"]
        found = list(qs.filter(national_code__in=national)) + list(qs.filter(rfid__in=rfid))
        known = {a.national_code for a in found} | {a.rfid for a in found}
        missing = [v for _k, v in keys if v not in known]
        if missing:
            raise DomainError(
                format_lazy(NOT_THIS_FARM, tags=", ".join(missing)), field="tags", items=missing
            )
        animals.update({a.pk: a for a in found})
    if not wanted_ids and not keys and pen:
        animals = {a.pk: a for a in qs.filter(pen=pen, status__in=Animal.ON_FARM)}
    gone = [a.national_code for a in animals.values() if a.status not in Animal.ON_FARM]
    if gone:
        raise DomainError(format_lazy(NOT_ON_FARM, tags=", ".join(sorted(gone))), field="animals", items=gone)
    return sorted(animals.values(), key=lambda a: a.national_code)


def record_tag_check(*, farm: Farm, tag: str) -> Animal:
    """Return the animal on ``farm`` that ``tag`` (any form of its code) names, or raise the
    DomainError log_record would raise for it: quick entry checks each tag as it is scanned."""
    if not cells.text(tag):
        raise DomainError(cells.REQUIRED, field="tags")
    return _resolve_animals(farm=farm, animal_ids=(), tags=[tag], pen="")[0]


def log_record(
    *,
    actor: User,
    farm: Farm,
    kind: str,
    occurred_on: dt.date,
    fields: dict,
    animal_ids=(),
    tags=(),
    pen: str = "",
) -> ProductionLog:
    """Record one production log of ``kind`` for the named animals (or the pen's); see module doc."""
    farm_check_keeper(actor=actor, farm=farm)
    kind = ProductionLog.Kind(kind)
    today = timezone.localdate()
    if occurred_on is None:
        raise DomainError(cells.REQUIRED, field="occurred_on")
    if occurred_on > today:
        raise DomainError(format_lazy(cells.FUTURE_DATE, date=occurred_on.isoformat()), field="occurred_on")
    if (today - occurred_on).days > MAX_BACKDATE_DAYS:
        raise DomainError(format_lazy(TOO_OLD, date=occurred_on.isoformat()), field="occurred_on")
    pen = cells.text(pen)
    if pen and pen not in farm_pens(farm):
        raise DomainError(format_lazy(PEN_UNKNOWN, pen=pen), field="pen")
    values = _clean_values(kind, fields, farm=farm, today=today)
    animals = _resolve_animals(farm=farm, animal_ids=animal_ids, tags=tags, pen=pen)
    if not animals and kind != K.DISINFECTION:
        raise DomainError(NO_ANIMALS, field="animals")
    substance = banned_substance_in(values)
    if substance is not None:
        _alert(actor=actor, farm=farm, kind=kind, substance=substance, values=values, count=len(animals))
        raise DomainError(
            format_lazy(BANNED, substance=substance.name), field="product", items=[substance.name]
        )
    if kind == K.DEATH and values["disposed_on"]:
        disposed_on = values["disposed_on"]
        if disposed_on < occurred_on or disposed_on > today:
            raise DomainError(
                format_lazy(DISPOSED_BEFORE, disposed=disposed_on, died=occurred_on), field="disposed_on"
            )
    withdrawal_until = None
    if kind == K.MEDICATION and values["withdrawal_days"]:
        withdrawal_until = occurred_on + dt.timedelta(days=values["withdrawal_days"])

    with transaction.atomic():
        log = ProductionLog.objects.create(
            farm=farm,
            kind=kind,
            occurred_on=occurred_on,
            pen=pen,
            withdrawal_until=withdrawal_until,
            animal_count=len(animals),
            recorded_by=actor,
            **{k: values[k] for k in TEXT_FIELDS},
            dose=values["dose"],
            dose_unit=values["dose_unit"] if values["dose"] is not None else "",
            withdrawal_days=values["withdrawal_days"],
            requirement=values["requirement"],
            disposal=values["disposal"] if kind == K.DEATH else "",
            disposed_on=values["disposed_on"] if kind == K.DEATH else None,
        )
        ids = [a.pk for a in animals]
        if kind in (K.DEATH,):
            # Only animals still alive on the farm can die; re-check under lock.
            locked = Animal.objects.select_for_update().filter(pk__in=ids, status__in=Animal.ON_FARM)
            if locked.count() != len(ids):
                raise DomainError(format_lazy(NOT_ON_FARM, tags=""), field="animals")
        insert_rows(LogAnimal, ("log", "animal"), ((log.pk, pk) for pk in ids))
        _apply(kind=kind, log=log, ids=ids)
        _events(actor=actor, farm=farm, log=log, animals=animals)
        herd_changed([farm.pk])
    return log


def _apply(*, kind, log: ProductionLog, ids: list[int]) -> None:
    """What a record changes on the animals themselves."""
    if kind == K.MEDICATION and log.withdrawal_until:
        # Only ever extended: an earlier, longer withdrawal still runs.
        later = Q(withdrawal_until__isnull=True) | Q(withdrawal_until__lt=log.withdrawal_until)
        Animal.objects.filter(later, pk__in=ids).update(withdrawal_until=log.withdrawal_until)
    elif kind == K.DEATH:
        status = Animal.Status.DISPOSED if log.disposed_on else Animal.Status.DEAD
        dying = Animal.objects.filter(pk__in=ids).only("farm_id", "species", "status", "origin")
        head_move(list(dying), status=status)
        Animal.objects.filter(pk__in=ids).update(status=status, died_on=log.occurred_on)


def _log_details(log: ProductionLog) -> dict:
    details = {"log": log.pk, "record": log.kind}
    for name in (
        "product",
        "maker",
        "batch",
        "additives",
        "active_substance",
        "route",
        "symptoms",
        "cause",
        "area",
    ):
        value = getattr(log, name)
        if value:
            details[name] = value
    if log.dose is not None:
        details["dose"] = f"{log.dose.normalize():f}"
        details["dose_unit"] = log.dose_unit
    if log.withdrawal_days is not None:
        details["withdrawal_days"] = log.withdrawal_days
    if log.withdrawal_until:
        details["withdrawal_until"] = log.withdrawal_until.isoformat()
    if log.requirement_id:
        details["requirement"] = log.requirement_id
        details["disease"] = log.requirement.disease_zh
    if log.disposal:
        details["disposal"] = log.disposal
    return details


def _at_noon(day: dt.date) -> dt.datetime:
    """Records give a day, EPCIS wants a time: the middle of that day, local time."""
    now = timezone.localtime()
    if day == now.date():
        return now
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def _events(*, actor: User, farm: Farm, log: ProductionLog, animals: list[Animal]) -> None:
    if not animals:
        return
    kind = log.kind
    if kind == K.MEDICATION and log.withdrawal_until:
        kind = "withdrawal"
    details = _log_details(log)
    by_pen: dict[str, list[int]] = {}
    for animal in animals:
        by_pen.setdefault(log.pen or animal.pen, []).append(animal.pk)
    for pen, ids in by_pen.items():
        events_append(
            happening=Happening(
                kind=kind,
                when=_at_noon(log.occurred_on),
                where=Where(farm_id=farm.pk, pen=pen),
                actor=actor,
                source=log,
                data=details,
            ),
            animal_ids=ids,
        )
        if log.kind == K.DEATH and log.disposed_on:
            events_append(
                happening=Happening(
                    kind="disposal",
                    when=_at_noon(log.disposed_on),
                    where=Where(farm_id=farm.pk, pen=pen),
                    actor=actor,
                    source=log,
                    data={"log": log.pk, "disposal": log.disposal},
                ),
                animal_ids=ids,
            )
