"""Every read of animals, tags, records and alerts, scoped to the user who asks."""

import datetime as dt
import hashlib
import itertools
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least, TruncDate
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import BUREAU_ROLES, Role, User
from accounts.params import ClampedPaginator
from accounts.selectors import ALL_SEEING_ROLES
from farms.models import Farm
from farms.selectors import farm_list_for_user, farm_scope_q

from .models import (
    Animal,
    EarTag,
    Event,
    HeadCount,
    HerdVersion,
    LogAnimal,
    ProductionLog,
    ReaderDevice,
    RejectedPayload,
    SubstanceAlert,
    TagRead,
    VaccinationRequirement,
)
from .pens import pen_sort_key

# The events of an animal's page are shown this many at a time (the timeline of an animal read
# at the gates every day, with a year of production records, runs to hundreds).
EVENTS_PER_PAGE = 50
# Its production records likewise (a year of daily feed records is 365 of them).
LOGS_PER_PAGE = 50
# Aggregates of a herd are kept this long at most (a change to the herd replaces them at once).
HERD_CACHE_S = 6 * 3600


def animal_scope_q(*, user: User, prefix: str = "") -> Q:
    """The animals ``user`` may see: the enterprise's own, the branch's farms', or all."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.role in ALL_SEEING_ROLES:
        return Q()
    if user.role == Role.INSPECTOR:
        return Q(**{f"{prefix}farm__branch_id": user.organisation_id})
    if user.is_enterprise_user:
        return Q(**{f"{prefix}enterprise_id": user.organisation_id})
    return Q(pk__in=[])


def animal_list_for_user(*, user: User, farm: Farm | None = None) -> QuerySet[Animal]:
    qs = Animal.objects.filter(animal_scope_q(user=user)).select_related("farm")
    return qs.filter(farm=farm) if farm is not None else qs


def animal_get_for_user(*, user: User, pk: int) -> Animal:
    return get_object_or_404(animal_list_for_user(user=user).select_related("tag", "enterprise"), pk=pk)


def animal_find_for_user(*, user: User, text: str) -> Animal | None:
    """The animal whose current or earlier tag is ``text`` (any form), within the user's scope."""
    from .services.cells import CellError, tag, tag_key

    try:
        key, value = tag_key(tag(text))
    except CellError:
        return None
    scoped = animal_list_for_user(user=user)
    found = scoped.filter(**{key: value}).first()
    if found is None:
        former = EarTag.objects.filter(**{key: value}, animal__isnull=False).values("animal_id").first()
        if former:
            found = scoped.filter(pk=former["animal_id"]).first()
    return found


def farm_herd_get_for_user(*, user: User, pk: int) -> Farm:
    """A farm in the user's scope whose herd the user may look at."""
    return get_object_or_404(farm_list_for_user(user=user), pk=pk)


SHIPPED = (
    Animal.Status.DECLARED,
    Animal.Status.IN_TRANSIT,
    Animal.Status.AT_WAREHOUSE,
    Animal.Status.RELEASED,
)
GONE = (Animal.Status.DEAD, Animal.Status.DISPOSED)


def _head(statuses, **more) -> Subquery:
    """The farm's maintained head count (HeadCount) in ``statuses``: one indexed look-up per farm."""
    rows = (
        HeadCount.objects.filter(farm=OuterRef("pk"), status__in=statuses, **more)
        .order_by()
        .values("farm")
        .annotate(n=Sum("head"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _withdrawing(today: dt.date) -> Subquery:
    # Not maintained (it changes with the date): the animals in withdrawal are few, and found
    # through the index on (farm, withdrawal_until).
    rows = (
        Animal.objects.filter(farm=OuterRef("pk"), withdrawal_until__gte=today, status__in=Animal.ON_FARM)
        .order_by()
        .values("farm")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def farms_with_herd_for_user(*, user: User) -> QuerySet[Farm]:
    """The user's farms with their head counts (for lists of farms and their herds).

    The counts are the maintained ones (``HeadCount``), never a count over the animals.
    """
    today = timezone.localdate()
    return (
        farm_list_for_user(user=user)
        .filter(Exists(HeadCount.objects.filter(farm=OuterRef("pk"), head__gt=0)))
        .annotate(
            on_farm=_head(Animal.ON_FARM),
            withdrawing=_withdrawing(today),
            dead=_head(GONE),
        )
        .order_by("name_zh")
    )


def herd_counts(*, farm: Farm) -> dict[str, int]:
    """Head count per status, and how many are in withdrawal or of flagged origin.

    From the maintained counts (``HeadCount``: a few rows per farm); only the animals in
    withdrawal are counted, through their index.
    """
    counts = {"total": 0, "on_farm": 0, "flagged": 0, "dead": 0, "shipped": 0}
    for row in HeadCount.objects.filter(farm=farm).values("status", "flagged", "head"):
        counts["total"] += row["head"]
        if row["status"] in Animal.ON_FARM:
            counts["on_farm"] += row["head"]
            counts["flagged"] += row["head"] if row["flagged"] else 0
        if row["status"] in GONE:
            counts["dead"] += row["head"]
        if row["status"] in SHIPPED:
            counts["shipped"] += row["head"]
    counts["withdrawing"] = Animal.objects.filter(
        farm=farm, status__in=Animal.ON_FARM, withdrawal_until__gte=timezone.localdate()
    ).count()
    return counts


def pens_of_farm(*, farm: Farm) -> list[dict]:
    """Each pen (drawn or in use) with its head count on the farm."""
    from .services.common import farm_pens

    counts = dict(
        Animal.objects.filter(farm=farm, status__in=Animal.ON_FARM)
        .values_list("pen")
        .annotate(n=Count("pk"))
        .values_list("pen", "n")
    )
    names = farm_pens(farm)
    names = sorted(names + [p for p in counts if p not in names], key=pen_sort_key)
    return [{"name": name, "count": counts.get(name, 0)} for name in names]


def with_pen_rank(
    queryset: QuerySet[Animal], *, farm: Farm, pens: list[dict] | None = None
) -> QuerySet[Animal]:
    """Annotate animals with ``pen_rank``, their pen's place in the natural order of the farm's
    pens, so that a page in the database's order lists 1号 … 9号 before 10号. ``pens`` is
    ``pens_of_farm``'s answer when the caller already has it (a page that also shows the pens)."""
    names = [p["name"] for p in (pens if pens is not None else pens_of_farm(farm=farm))]
    rank = Case(*(When(pen=name, then=Value(n)) for n, name in enumerate(names)), default=Value(len(names)))
    return queryset.annotate(pen_rank=rank)


def animal_tags(*, animal: Animal) -> list[EarTag]:
    """Every tag the animal has worn, the current one first."""
    return sorted(
        EarTag.objects.filter(animal=animal),
        key=lambda t: (t.pk != animal.tag_id, t.applied_on or dt.date.min),
    )


def animal_events(*, animal: Animal, newest_first: bool = False) -> QuerySet[Event]:
    """The individual record, oldest first (or newest first)."""
    qs = (
        Event.objects.filter(animal=animal)
        .select_related("actor", "organisation", "farm")
        .order_by("event_time", "pk")
    )
    return qs.reverse() if newest_first else qs


def animal_logs(*, animal: Animal) -> QuerySet[ProductionLog]:
    return (
        ProductionLog.objects.filter(links__animal=animal)
        .select_related("recorded_by", "requirement")
        .order_by("-occurred_on", "-pk")
    )


def _site_names(uris: set[str]) -> dict[str, str]:
    """{site URI: the site's name} for the bureau's sites (the warehouse, the ports) among ``uris``
    (a farm's events name their farm through its own reference): one query for the page."""
    from accounts.models import Organisation

    from .vocab import uri

    prefix = uri("site", "")
    codes = {u[len(prefix) :]: u for u in uris if u and u.startswith(prefix)}
    if not codes:
        return {}
    return {codes[org.code]: org.name for org in Organisation.objects.filter(code__in=codes)}


def animal_record(
    *,
    animal: Animal,
    newest_first: bool = False,
    today: dt.date | None = None,
    events_page: int | str | None = None,
    logs_page: int | str | None = None,
    per_page: int = EVENTS_PER_PAGE,
    logs_per_page: int = LOGS_PER_PAGE,
) -> dict:
    """Everything an animal's page shows (templates/livestock/_record.html), in both portals.

    Tags (current and former), one page (``logs_page``) of its production records, newest first,
    vaccination coverage, the running withdrawal with the medication record that set it, and one
    page (``events_page``) of the timeline of events, each event with its label, icon, pen and
    record. The page numbers are as the request gives them: a number out of range or not a number
    gives the nearest page. Only the records and events of those pages are read (and the records
    those events name, and the withdrawal's record, each by one query), so the queries do not
    depend on how long the animal's record is.
    """
    from . import vocab

    today = today or timezone.localdate()
    tags = animal_tags(animal=animal)
    log_page: Page = ClampedPaginator(animal_logs(animal=animal), logs_per_page).page(logs_page)
    log_page.object_list = list(log_page.object_list)
    page: Page = ClampedPaginator(animal_events(animal=animal, newest_first=newest_first), per_page).page(
        events_page
    )
    events = list(page.object_list)
    # The records the events of this page name, whichever page of the table they are on (only
    # the animal's own: an event names the record that caused it).
    wanted = {pk for e in events if type(pk := (e.data or {}).get("log")) is int}
    by_pk = {log.pk: log for log in animal_logs(animal=animal).filter(pk__in=wanted)} if wanted else {}
    for event in events:
        kind = vocab.KINDS.get(event.kind)
        event.label = kind.label if kind else event.kind
        event.icon = kind.icon if kind else "dot"
        event.pen = event.read_point.partition(":pen:")[2]
        event.log = by_pk.get((event.data or {}).get("log"))
    places = _site_names({e.biz_location for e in events if not e.farm_id} | {animal.last_seen_where})
    for event in events:
        event.place = places.get(event.biz_location, event.biz_location)
    if animal.last_seen_where == vocab.uri("farm", animal.farm_id):
        places[animal.last_seen_where] = animal.farm.name
    animal.last_seen_place = places.get(animal.last_seen_where, animal.last_seen_where)
    page.object_list = events
    blocked_until = animal.export_blocked_until(today)
    withdrawal_log = None
    if blocked_until:
        # The medication that set the running withdrawal (the latest, if two end the same day).
        withdrawal_log = (
            animal_logs(animal=animal)
            .filter(kind=ProductionLog.Kind.MEDICATION, withdrawal_until=blocked_until)
            .first()
        )
    return {
        "animal": animal,
        "current_tag": next((t for t in tags if t.pk == animal.tag_id), None),
        "former_tags": [t for t in tags if t.pk != animal.tag_id],
        "logs": log_page.object_list,
        "logs_page": log_page,
        "events": events,
        "events_page": page,
        "newest_first": newest_first,
        "coverage": animal_coverage(animal=animal, today=today) if animal.status in Animal.ON_FARM else [],
        "blocked_until": blocked_until,
        "withdrawal_log": withdrawal_log,
        "today": today,
    }


def logs_for_farm(*, farm: Farm, kind: str | None = None) -> QuerySet[ProductionLog]:
    qs = ProductionLog.objects.filter(farm=farm).select_related("recorded_by", "requirement")
    return qs.filter(kind=kind) if kind else qs


def withdrawals_open(*, farm: Farm, today: dt.date | None = None) -> QuerySet[Animal]:
    """On-farm animals whose withdrawal period has not ended: they may not be exported."""
    today = today or timezone.localdate()
    return Animal.objects.filter(farm=farm, status__in=Animal.ON_FARM, withdrawal_until__gte=today).order_by(
        "withdrawal_until", "national_code"
    )


def export_blockers(*, animals: list[Animal], today: dt.date | None = None) -> dict[int, str]:
    """Why each animal may not be exported today (animal id -> reason); absent means no block.

    Origin quarantine (declaration) asks this before accepting animals.
    """
    from django.utils.text import format_lazy
    from django.utils.translation import gettext_lazy as _

    today = today or timezone.localdate()
    reasons = {}
    for animal in animals:
        if animal.withdrawal_until and animal.withdrawal_until >= today:
            reasons[animal.pk] = format_lazy(
                _("in its withdrawal period until {date}"), date=animal.withdrawal_until.isoformat()
            )
        elif animal.status != Animal.Status.ON_FARM:
            reasons[animal.pk] = animal.get_status_display()
    return reasons


# --- vaccination coverage ----------------------------------------------------------------


@dataclass
class Cover:
    requirement: VaccinationRequirement
    state: str  # "covered", "overdue", "missing", "not_due"
    last: dt.date | None = None
    next_due: dt.date | None = None


@dataclass
class PenCoverage:
    pen: str
    animals: int = 0
    due: dict[int, int] = field(default_factory=dict)  # requirement id -> animals due
    covered: dict[int, int] = field(default_factory=dict)

    def percent(self, requirement_id: int) -> int | None:
        due = self.due.get(requirement_id, 0)
        return None if not due else round(100 * self.covered.get(requirement_id, 0) / due)


def requirements_for(species: str) -> list[VaccinationRequirement]:
    return list(VaccinationRequirement.objects.filter(species=species, is_active=True))


def _last_vaccinations(animal_ids) -> dict[tuple[int, int], dt.date]:
    rows = (
        LogAnimal.objects.filter(
            animal_id__in=animal_ids, log__kind=ProductionLog.Kind.VACCINATION, log__requirement__isnull=False
        )
        .values_list("animal_id", "log__requirement_id")
        .annotate(last=Max("log__occurred_on"))
    )
    return {(a, r): last for a, r, last in rows}


def _cover(animal: Animal, req: VaccinationRequirement, last: dt.date | None, today: dt.date) -> Cover:
    if animal.birth_date:
        first_due = animal.birth_date + dt.timedelta(days=req.first_age_days)
    else:
        first_due = animal.entry_date  # bought in: due from the day it came
    if last:
        if req.repeat_days is None:
            return Cover(req, "covered", last, None)
        next_due = last + dt.timedelta(days=req.repeat_days)
        return Cover(req, "covered" if next_due >= today else "overdue", last, next_due)
    if first_due and first_due > today:
        return Cover(req, "not_due", None, first_due)
    return Cover(req, "missing", None, first_due)


def animal_coverage(*, animal: Animal, today: dt.date | None = None) -> list[Cover]:
    today = today or timezone.localdate()
    reqs = requirements_for(animal.species)
    last = _last_vaccinations([animal.pk])
    return [_cover(animal, r, last.get((animal.pk, r.pk)), today) for r in reqs]


def herd_cached(farm: Farm, name: str, compute, *parts):
    """``compute()``, kept in the cache until the farm's herd changes (HerdVersion) or ``parts`` do.

    For the aggregates a farm's pages show on every request and that read the whole herd
    (coverage, mortality): computed once after each change, not on every request. The services
    that change a farm's animals or records move its version in their transaction.
    """
    version = HerdVersion.objects.filter(farm_id=farm.pk).values_list("version", flat=True).first()
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()
    key = f"livestock:herd:{farm.pk}:{version}:{name}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, HERD_CACHE_S)
    return value


def animals_coverage(*, animals: list[Animal], on: dt.date) -> dict[int, list[Cover]]:
    """The required vaccinations of each animal as they stand on the day ``on`` (two queries).

    Origin quarantine asks it for the planned loading date of a declaration.
    """
    reqs_by_species = {sp: requirements_for(sp) for sp in {a.species for a in animals}}
    if not any(reqs_by_species.values()):
        return {a.pk: [] for a in animals}
    last = _last_vaccinations([a.pk for a in animals])
    return {
        a.pk: [_cover(a, r, last.get((a.pk, r.pk)), on) for r in reqs_by_species[a.species]] for a in animals
    }


def farm_coverage(
    *, farm: Farm, today: dt.date | None = None
) -> tuple[list[VaccinationRequirement], list[PenCoverage]]:
    """Coverage of the required vaccinations per pen, over the animals on the farm (cached: herd_cached)."""
    today = today or timezone.localdate()
    reqs = requirements_for(farm.species)
    programme = [(r.pk, r.first_age_days, r.repeat_days) for r in reqs]
    return reqs, herd_cached(farm, "coverage", lambda: _farm_coverage(farm, reqs, today), today, programme)


def _farm_coverage(farm: Farm, reqs: list[VaccinationRequirement], today: dt.date) -> list[PenCoverage]:
    animals = list(
        Animal.objects.filter(farm=farm, status__in=Animal.ON_FARM).only(
            "pk", "pen", "birth_date", "entry_date"
        )
    )
    last = _last_vaccinations([a.pk for a in animals]) if reqs else {}
    pens: dict[str, PenCoverage] = {}
    for animal in animals:
        pen = pens.setdefault(animal.pen, PenCoverage(animal.pen))
        pen.animals += 1
        for req in reqs:
            cover = _cover(animal, req, last.get((animal.pk, req.pk)), today)
            if cover.state != "not_due":
                pen.due[req.pk] = pen.due.get(req.pk, 0) + 1
                if cover.state == "covered":
                    pen.covered[req.pk] = pen.covered.get(req.pk, 0) + 1
    return sorted(pens.values(), key=lambda p: pen_sort_key(p.pen))


def pen_animals_coverage(*, farm: Farm, pen: str, today: dt.date | None = None):
    """The animals of one pen, each with its coverage (for the quick-entry and pen pages)."""
    today = today or timezone.localdate()
    reqs = requirements_for(farm.species)
    animals = list(
        Animal.objects.filter(farm=farm, pen=pen, status__in=Animal.ON_FARM).order_by("national_code")
    )
    last = _last_vaccinations([a.pk for a in animals]) if reqs else {}
    return reqs, [(a, [_cover(a, r, last.get((a.pk, r.pk)), today) for r in reqs]) for a in animals]


# --- deaths ------------------------------------------------------------------------------


def mortality_by_month(*, farm: Farm, months: int = 12, today: dt.date | None = None) -> list[dict]:
    """Deaths and mortality per month (``_mortality_by_month``), cached until the herd changes."""
    today = today or timezone.localdate()
    return herd_cached(farm, "mortality", lambda: _mortality_by_month(farm, months, today), months, today)


def _mortality_by_month(farm: Farm, months: int, today: dt.date) -> list[dict]:
    """Deaths per month over the last ``months`` and the rate against the head count that month.

    An animal counts from the day it came to the farm, as the clerk gave it (entry, else birth),
    or its registration if that is earlier: a herd registered today was on the farm before, and
    a death recorded with an earlier date must not find an empty month. One aggregate query,
    whatever the herd's size.
    """
    index = today.year * 12 + today.month - 1 - (months - 1)
    firsts = []
    for n in range(months + 1):
        i = index + n
        firsts.append(dt.date(i // 12, i % 12 + 1, 1))
    registered_on = TruncDate("registered_at", tzinfo=timezone.get_current_timezone())
    since = Least(Coalesce("entry_date", "birth_date", registered_on), registered_on)
    counts = {}
    for n, (month, nxt) in enumerate(itertools.pairwise(firsts)):
        alive = Q(died_on__isnull=True) | Q(died_on__gte=month)
        counts[f"head_{n}"] = Count("pk", filter=Q(since__lt=nxt) & alive)
        counts[f"deaths_{n}"] = Count("pk", filter=Q(died_on__gte=month, died_on__lt=nxt))
    totals = Animal.objects.filter(farm=farm).alias(since=since).aggregate(**counts)
    result = []
    for n, month in enumerate(firsts[:-1]):
        head, deaths = totals[f"head_{n}"], totals[f"deaths_{n}"]
        result.append(
            {
                "month": month.strftime("%Y-%m"),
                "deaths": deaths,
                "head": head,
                "rate": round(100 * deaths / head, 2) if head else 0.0,
            }
        )
    return result


def deaths_for_farm(*, farm: Farm) -> QuerySet[ProductionLog]:
    return logs_for_farm(farm=farm, kind=ProductionLog.Kind.DEATH).prefetch_related("links__animal")


# --- banned-substance attempts and tags ------------------------------------------------------


def substance_attempts_for_user(*, user: User) -> QuerySet[SubstanceAlert]:
    """The refused banned-substance attempts ``user`` may see (the evidence of their alerts)."""
    qs = SubstanceAlert.objects.select_related(
        "farm", "enterprise", "substance", "attempted_by", "alert__closed_by"
    )
    if user.role in ALL_SEEING_ROLES:
        return qs
    if user.role == Role.INSPECTOR:
        return qs.filter(branch_id=user.organisation_id)
    if user.is_enterprise_user:
        return qs.filter(enterprise_id=user.organisation_id)
    return qs.none()


def tag_list_for_user(*, user: User) -> QuerySet[EarTag]:
    if user.is_enterprise_user:
        return EarTag.objects.filter(enterprise_id=user.organisation_id).select_related("animal", "issue")
    if user.role in ALL_SEEING_ROLES:
        return EarTag.objects.select_related("animal", "issue")
    return EarTag.objects.none()


# --- tag readers and their reads ---------------------------------------------------------------
#
# Which readers a bureau user sees follows the sites: every reader at the transit warehouse or a
# port (the whole chain passes through them), and the readers on the farms the user sees in the
# farm registry (an inspector: the own branch's farms; the warehouse, the ports and the lab: the
# registered farms; managers and the system administrator: all). Only inspectors (on the own
# branch's farms), managers and the system administrator manage readers.

REFUSED_SHOWN = 10  # the device's latest refused payloads on its page
FEED_LIMIT = 200  # new reads one poll returns at most (the newest)
FIRST_ROWS = 50  # reads the live page opens with
COUNT_WINDOW_S = 60  # the live counts: reads and distinct tags in the last minute
COUNT_SCAN_MAX = 20_000  # ...looked for among the device's newest reads only (see read_counts)
LATE_AFTER_S = 60  # a read received this long after it was read came from the bridge's backlog


def reader_scope_q(*, user: User) -> Q:
    """The readers ``user`` may see (see the comment above)."""
    if not (user.is_authenticated and user.is_active and user.role in BUREAU_ROLES):
        return Q(pk__in=[])
    if user.role in ALL_SEEING_ROLES:
        return Q()
    if user.role == Role.INSPECTOR:
        return Q(site__isnull=False) | Q(farm__branch_id=user.organisation_id)
    return Q(site__isnull=False) | Q(farm__in=Farm.objects.filter(farm_scope_q(user=user)).values("pk"))


def reader_list_for_user(*, user: User) -> QuerySet[ReaderDevice]:
    """The readers ``user`` may see, with their farm and site; active ones first."""
    return (
        ReaderDevice.objects.filter(reader_scope_q(user=user))
        .select_related("farm__enterprise", "site")
        .order_by("-is_active", "code")
    )


def reader_get_for_user(*, user: User, pk: int) -> ReaderDevice:
    """One reader in ``user``'s scope (else 404), with who registered and who revoked it."""
    return get_object_or_404(
        reader_list_for_user(user=user).select_related("created_by", "revoked_by"), pk=pk
    )


def reader_manage_q(*, user: User) -> Q:
    """The readers ``user`` may revoke: an inspector only those on the own branch's farms."""
    if not (user.is_authenticated and user.is_active):
        return Q(pk__in=[])
    if user.role in ALL_SEEING_ROLES:
        return Q()
    if user.role == Role.INSPECTOR:
        return Q(farm__branch_id=user.organisation_id)
    return Q(pk__in=[])


def reader_manageable_get_for_user(*, user: User, pk: int) -> ReaderDevice:
    return get_object_or_404(
        ReaderDevice.objects.filter(reader_scope_q(user=user) & reader_manage_q(user=user)), pk=pk
    )


def reader_is_manageable(*, user: User, device: ReaderDevice) -> bool:
    """Whether ``user`` may revoke ``device`` (no query: the farm is already joined)."""
    if not user.has_perm("livestock.manage_readers"):
        return False
    if user.role == Role.INSPECTOR:
        return device.farm_id is not None and device.farm.branch_id == user.organisation_id
    return user.role in ALL_SEEING_ROLES


def registrable_farms_for_user(*, user: User) -> QuerySet[Farm]:
    """The farms ``user`` may put a reader on: registered farms in scope (an inspector's branch's)."""
    return (
        Farm.objects.filter(farm_scope_q(user=user), status=Farm.Status.REGISTERED)
        .select_related("enterprise")
        .order_by("name_zh")
    )


# --- status from the heartbeat ----------------------------------------------------------------


@dataclass(frozen=True)
class ReaderStatus:
    """What the bridge last said about itself, and whether that is recent enough to trust."""

    state: str  # "online", "offline" (heartbeat too old), "silent" (never heard of), "revoked"
    heartbeat_age: int | None  # seconds since the last heartbeat (None: none, or dated in the future)
    connected: bool | None  # the reader is attached: the heartbeat says so, or a read came after it
    backlog: int | None  # reads waiting in the bridge's spool
    alarm: str
    port: str
    version: str
    raw_reads: int | None
    sightings: int | None
    non_tags: int | None
    # The last heartbeat is dated beyond the clock skew ahead of now (a wrong clock, stored before
    # times were checked): it says nothing about whether the bridge is alive.
    clock_ahead: bool = False

    @property
    def online(self) -> bool:
        return self.state == "online"


def reader_status(device: ReaderDevice, *, now: dt.datetime | None = None) -> ReaderStatus:
    """The device's status from its latest heartbeat (settings.LIVESTOCK_HEARTBEAT_STALE_S)."""
    now = now or timezone.now()
    beat = device.heartbeat if isinstance(device.heartbeat, dict) else {}
    age = None
    ahead = False
    if device.heartbeat_at is not None:
        ahead = (device.heartbeat_at - now).total_seconds() > settings.LIVESTOCK_CLOCK_SKEW_S
        # A bridge clock slightly ahead of ours must not read as a negative age.
        age = None if ahead else max(0, int((now - device.heartbeat_at).total_seconds()))
    if not device.is_active:
        state = "revoked"
    elif ahead:
        state = "offline"
    elif age is None:
        state = "silent"
    elif age <= settings.LIVESTOCK_HEARTBEAT_STALE_S:
        state = "online"
    else:
        state = "offline"

    def number(key):
        value = beat.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    connected = beat.get("connected")
    connected = connected if isinstance(connected, bool) else None
    # A heartbeat is a snapshot (a bridge sends its first before it has opened the port, the next
    # one a heartbeat interval later); a read taken after it proves the reader is attached now.
    if device.last_read_at and (device.heartbeat_at is None or device.last_read_at > device.heartbeat_at):
        connected = True
    return ReaderStatus(
        state=state,
        heartbeat_age=age,
        connected=connected,
        backlog=number("spool"),
        alarm=str(beat.get("alarm") or ""),
        port=str(beat.get("port") or ""),
        version=str(beat.get("version") or ""),
        raw_reads=number("raw_reads"),
        sightings=number("sightings"),
        non_tags=number("non_tags"),
        clock_ahead=ahead,
    )


# --- the live feed ----------------------------------------------------------------------------


def reads_after(*, device: ReaderDevice, after: int, limit: int = FEED_LIMIT) -> list[TagRead]:
    """The device's reads stored after read ``after`` (by id, the order they arrived), newest first."""
    return list(
        TagRead.objects.filter(device=device, pk__gt=after)
        .select_related("animal__farm")
        # The farm is there for its branch: not its building layout (a JSON document decoded per row).
        .defer("animal__farm__layout")
        .order_by("-pk")[:limit]
    )


def read_counts(*, device: ReaderDevice, now: dt.datetime | None = None) -> dict[str, int]:
    """Reads and distinct tags of the last minute (by the time they were read).

    Among the device's newest COUNT_SCAN_MAX reads only: no index serves ``read_at`` for one
    device, and a gate reader keeps a million reads a month. The id of the oldest of those is
    found first (an index-only scan), and the counts then read the index on (device, id) from it.
    Reads of the last minute are among the newest stored unless more than COUNT_SCAN_MAX arrived
    since — far more than a reader reads in a minute.
    """
    since = (now or timezone.now()) - dt.timedelta(seconds=COUNT_WINDOW_S)
    reads = TagRead.objects.filter(device=device)
    cutoff = list(reads.order_by("-pk").values_list("pk", flat=True)[COUNT_SCAN_MAX : COUNT_SCAN_MAX + 1])
    if cutoff:
        reads = reads.filter(pk__gt=cutoff[0])
    return reads.filter(read_at__gte=since).aggregate(reads=Count("pk"), tags=Count("tag", distinct=True))


def refused_payloads_of(*, device: ReaderDevice, limit: int = REFUSED_SHOWN) -> list[RejectedPayload]:
    """The device's latest refused payloads (kept as evidence), newest first, without their bodies."""
    return list(RejectedPayload.objects.filter(device_code=device.code).defer("body").order_by("-pk")[:limit])
