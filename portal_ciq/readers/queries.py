"""Reads of the tag readers and their raw reads, always starting from the user's scope.

Which readers a bureau user sees follows the sites: every reader at the transit warehouse or a
port (the whole chain passes through them), and the readers on the farms the user sees in the
farm registry (an inspector: the own branch's farms; the warehouse, the ports and the lab: the
registered farms; managers and the system administrator: all). Only inspectors (on the own
branch's farms), managers and the system administrator manage readers.

These belong in livestock.selectors; they live here until that module grows them.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import BUREAU_ROLES, Role, User
from accounts.selectors import ALL_SEEING_ROLES
from farms.models import Farm
from farms.selectors import farm_scope_q
from livestock.models import ReaderDevice, RejectedPayload, TagRead

REFUSED_SHOWN = 10  # the device's latest refused payloads on its page
FEED_LIMIT = 200  # new reads one poll returns at most (the newest)
FIRST_ROWS = 50  # reads the live page opens with
COUNT_WINDOW_S = 60  # the live counts: reads and distinct tags in the last minute
LATE_AFTER_S = 60  # a read received this long after it was read came from the bridge's backlog


def reader_scope_q(*, user: User) -> Q:
    """The readers ``user`` may see (see the module doc)."""
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
    connected: bool | None  # the reader itself is attached to the bridge
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
    return ReaderStatus(
        state=state,
        heartbeat_age=age,
        connected=connected if isinstance(connected, bool) else None,
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
        .order_by("-pk")[:limit]
    )


def read_counts(*, device: ReaderDevice, now: dt.datetime | None = None) -> dict[str, int]:
    """Reads and distinct tags of the last minute (by the time they were read)."""
    since = (now or timezone.now()) - dt.timedelta(seconds=COUNT_WINDOW_S)
    return TagRead.objects.filter(device=device, read_at__gte=since).aggregate(
        reads=Count("pk"), tags=Count("tag", distinct=True)
    )


def refused_payloads_of(*, device: ReaderDevice, limit: int = REFUSED_SHOWN) -> list[RejectedPayload]:
    """The device's latest refused payloads (kept as evidence), newest first, without their bodies."""
    return list(RejectedPayload.objects.filter(device_code=device.code).defer("body").order_by("-pk")[:limit])
