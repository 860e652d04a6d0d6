"""Loadings as each user may see them, and a loading's progress against its certificate.

The progress of an open loading on a reader is read, never written: the reads the reader
stored after the session opened (``Loading.reads_after``) and the tags typed or scanned
(``LoadingAnimal``) together give the matched, missing and unexpected tags. Closing the
loading writes the reader's matches into ``LoadingAnimal``: from then on that is the manifest.
"""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Exists, Max, Min, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Organisation, Role, User
from accounts.selectors import ALL_SEEING_ROLES
from livestock.models import Animal, TagRead
from quarantine import compact, keys
from quarantine.models import Certificate, Consignment
from quarantine.selectors import consignment_list_for_user

from ..models import Loading, LoadingAnimal

# More tags than any truck takes: an open session's unexpected list is cut here.
UNEXPECTED_SHOWN = 200


def loading_scope_q(*, user: User) -> Q:
    """The loadings ``user`` may see: the branch's, the enterprise's own, or all for managers."""
    if not (user.is_authenticated and user.is_active):
        return Q(pk__in=[])
    if user.role in ALL_SEEING_ROLES:
        return Q()
    if user.role == Role.INSPECTOR:
        return Q(branch_id=user.organisation_id)
    if user.is_enterprise_user:
        return Q(enterprise_id=user.organisation_id)
    return Q(pk__in=[])


def loading_list_for_user(*, user: User) -> QuerySet[Loading]:
    return Loading.objects.filter(loading_scope_q(user=user)).select_related(
        "consignment__farm", "vehicle", "driver", "certificate", "opened_by"
    )


# What the loadings list shows of a loading: not its certificate's signed content (every tag).
LIST_COLUMNS = (
    "number",
    "status",
    "head_loaded",
    "head_expected",
    "opened_at",
    "consignment__number",
    "vehicle__plate",
)


def loading_rows_for_user(
    *, user: User, page: int, per_page: int
) -> tuple[list[Loading], list[Loading], bool]:
    """The list's rows: the loadings open now (page 1 only), then one page of the others, newest
    first; and whether an older page follows.

    The others are paged by the index on ``opened_at`` with no count of a year's loadings: the
    pager offers newer and older pages, not a total.
    """
    rows = (
        Loading.objects.filter(loading_scope_q(user=user))
        .select_related("consignment", "vehicle")
        .only(*LIST_COLUMNS)
        .order_by("-opened_at", "-pk")
    )
    # A truck being loaded right now: a handful at any time (one open loading per vehicle).
    open_now = list(rows.filter(status=Loading.Status.OPEN)[:100]) if page == 1 else []
    start = (page - 1) * per_page
    done = list(rows.exclude(status=Loading.Status.OPEN)[start : start + per_page + 1])
    return open_now, done[:per_page], len(done) > per_page


def loading_get_for_user(*, user: User, pk: int) -> Loading:
    return get_object_or_404(
        loading_list_for_user(user=user).select_related("device", "closed_by", "enterprise"), pk=pk
    )


def current_certificate(consignment: Consignment) -> Certificate | None:
    """The consignment's certificate in force: the newest not voided."""
    return consignment.certificates.filter(voided_at__isnull=True).order_by("-pk").first()


def loadable_consignments_for_user(*, user: User) -> QuerySet[Consignment]:
    """Approved consignments of the user's scope with no loading open or closed yet."""
    # NOT EXISTS, not NOT IN: each candidate is one probe of the unique index of the loadings
    # (loading_one_per_consignment), where NOT IN hashed every loading of every year first.
    taken = Loading.objects.filter(consignment=OuterRef("pk")).exclude(status=Loading.Status.CANCELLED)
    return (
        consignment_list_for_user(user=user)
        .filter(~Exists(taken), status=Consignment.Status.APPROVED)
        .order_by("planned_loading_on", "pk")
    )


def loadable_waiting_for_user(*, user: User, limit: int = 50) -> list[Consignment]:
    """The first ``limit`` loadable consignments by planned loading date, with what the list shows.

    A consignment stays approved until it is released at the port, so a year holds tens of
    thousands: ordered over all of them, the list sorted every approved consignment to show
    fifty. Each branch's come in date order from the index on (branch, status, planned loading
    date) and stop at ``limit``; the branches' short lists are merged (one query), and only
    those rows are loaded.
    """
    loadable = loadable_consignments_for_user(user=user)
    if user.role in ALL_SEEING_ROLES:
        branches = list(
            Organisation.objects.filter(kind=Organisation.Kind.CIQ_BRANCH).values_list("pk", flat=True)
        )
    elif user.role == Role.INSPECTOR:
        branches = [user.organisation_id]
    else:
        branches = None
    keys = loadable.values_list("pk", "planned_loading_on")
    # SQLite (the embedded mode, a few farms) takes no LIMIT inside a UNION: one plain query.
    if branches is not None and len(branches) == 1:
        keys = keys.filter(branch_id=branches[0])
    elif branches and connection.features.supports_slicing_ordering_in_compound:
        parts = [keys.filter(branch_id=branch)[:limit] for branch in branches]
        keys = parts[0].union(*parts[1:], all=True).order_by("planned_loading_on", "id")
    ids = [pk for pk, _on in keys[:limit]]
    rows = (
        Consignment.objects.filter(pk__in=ids)
        .select_related("farm")
        .only("number", "planned_loading_on", "head_count", "farm__name_zh", "farm__name_en")
        .order_by("planned_loading_on", "pk")
    )
    return list(rows) if ids else []


def expected_of(loading_or_certificate) -> dict[int, str]:
    """{animal id: national code} of the animals on the loading's certificate."""
    certificate = getattr(loading_or_certificate, "certificate", loading_or_certificate)
    tags = set(certificate.content.get("tags", [])) if isinstance(certificate.content, dict) else set()
    rows = certificate.consignment.items.values_list("animal_id", "national_code")
    return {animal_id: code for animal_id, code in rows if code in tags}


@dataclass
class Seen:
    """A tag seen in the session: how (reader or typed), when first, and the animal if known."""

    code: str
    how: str
    at: object
    animal_id: int | None = None


@dataclass
class Progress:
    expected: dict[int, str]
    matched: dict[int, Seen] = field(default_factory=dict)
    unexpected: list[str] = field(default_factory=list)
    newest_read: int = 0

    @property
    def head_expected(self) -> int:
        return len(self.expected)

    @property
    def head_matched(self) -> int:
        return len(self.matched)

    @property
    def missing(self) -> list[str]:
        return sorted(code for pk, code in self.expected.items() if pk not in self.matched)

    @property
    def matched_codes(self) -> list[str]:
        return sorted(seen.code for seen in self.matched.values())

    @property
    def complete(self) -> bool:
        return bool(self.expected) and len(self.matched) == len(self.expected)


def reader_seen(loading: Loading) -> tuple[dict[int, Seen], list[str], int]:
    """What the loading's reader read since the session opened: {animal id: Seen} of known animals,
    the tags of unknown ones, and the id of the newest read."""
    if loading.device_id is None:
        return {}, [], 0
    rows = (
        TagRead.objects.filter(device_id=loading.device_id, pk__gt=loading.reads_after)
        .values("animal_id", "tag")
        .annotate(first=Min("read_at"), newest=Max("pk"))
    )
    known, unknown, newest = {}, set(), loading.reads_after
    for row in rows:
        newest = max(newest, row["newest"])
        if row["animal_id"] is None:
            unknown.add(row["tag"])
            continue
        seen = known.get(row["animal_id"])
        if seen is None or row["first"] < seen.at:
            known[row["animal_id"]] = Seen(
                row["tag"], LoadingAnimal.How.READER, row["first"], row["animal_id"]
            )
    return known, sorted(unknown), newest


def loading_progress(loading: Loading) -> Progress:
    """Matched, missing and unexpected tags of ``loading`` against its certificate."""
    expected = expected_of(loading)
    progress = Progress(expected=expected)
    for item in LoadingAnimal.objects.filter(loading=loading).only(
        "animal_id", "national_code", "how", "read_at"
    ):
        progress.matched[item.animal_id] = Seen(item.national_code, item.how, item.read_at, item.animal_id)
    if loading.status != Loading.Status.OPEN:
        progress.unexpected = list(loading.unexpected or [])
        return progress
    known, unknown, progress.newest_read = reader_seen(loading)
    strangers = []
    for animal_id, seen in known.items():
        if animal_id in expected:
            if animal_id not in progress.matched:
                progress.matched[animal_id] = Seen(expected[animal_id], seen.how, seen.at, animal_id)
        else:
            strangers.append(animal_id)
    codes = dict(Animal.objects.filter(pk__in=strangers).values_list("pk", "national_code"))
    progress.unexpected = sorted({codes.get(pk, "") for pk in strangers} - {""} | set(unknown))[
        :UNEXPECTED_SHOWN
    ]
    return progress


def addendum_holds(loading: Loading) -> bool:
    """Whether the loading's seal addendum verifies against the bureau's keys."""
    if not loading.addendum_signature:
        return False
    public = keys.public_keys().get(loading.addendum_key_id)
    return public is not None and compact.signature_holds(
        public, compact.canonical(loading.addendum), loading.addendum_signature
    )
