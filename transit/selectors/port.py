"""What the port officer sees: a certificate found by its number or its QR code, and the check of
its truck (validity, seals, head count, tags against the manifest minus the animals set aside)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.errors import DomainError
from accounts.models import Role, User
from quarantine import compact, keys
from quarantine.models import Certificate
from quarantine.selectors import STATE_LABELS, certificate_check

from ..models import Arrival, Ineligible, PortCheck, Seal, Trip

READER_WINDOW = dt.timedelta(hours=6)
NOT_FOUND = _("No certificate {number}. Check the number, or scan the QR code.")
BAD_QR = _("This QR code is not a certificate of the bureau (unreadable, forged or altered).")
NOT_YOUR_PORT = _("Certificate {number} leaves through {port}, not through your port.")

SOURCES = {
    "typed": _("Typed or scanned"),
    "reader": _("Reader at the port"),
    "warehouse": _("The warehouse's arrival read"),
}


@dataclass
class PortView:
    """The port check of one certificate's truck, computed without writing anything."""

    certificate: Certificate
    trip: Trip | None
    state: str
    problems_found: list = field(default_factory=list)
    seals: list = field(default_factory=list)
    expected_codes: list = field(default_factory=list)
    animal_ids: list = field(default_factory=list)
    set_aside: list = field(default_factory=list)
    source: str = "typed"
    read: set = field(default_factory=set)
    missing: list = field(default_factory=list)
    unexpected: list = field(default_factory=list)
    seals_intact: bool = True
    head_counted: int | None = None

    @property
    def head_expected(self) -> int:
        return len(self.expected_codes)

    @property
    def state_label(self):
        return STATE_LABELS.get(self.state, self.state)

    @property
    def valid(self) -> bool:
        return self.state == "valid"

    def problems(self) -> list:
        found = []
        if not self.seals_intact:
            found.append(_("seals not intact or not matching"))
        if self.head_counted is not None and self.head_counted != self.head_expected:
            found.append(
                format_lazy(
                    _("head {counted} of {expected}"), counted=self.head_counted, expected=self.head_expected
                )
            )
        if self.missing:
            found.append(format_lazy(_("{count} tags missing"), count=len(self.missing)))
        return found

    def problems_text(self) -> str:
        return "; ".join(str(p) for p in self.problems())


def certificate_find(*, text: str) -> Certificate:
    """The certificate a port officer asks for: by its number, or by its QR code (payload or URL)."""
    text = (text or "").strip()
    number = text.upper()
    if len(number) > 30 or "/" in number:
        try:
            number = compact.payload_verify(text, keys.public_keys()).number
        except (compact.PayloadError, ValueError, KeyError) as exc:
            raise DomainError(BAD_QR, field="q") from exc
    found = (
        Certificate.objects.select_related(
            # Everything the validity check reads, in this one query (replaced_by: is it replaced?).
            "consignment__exit_port",
            "consignment__farm",
            "consignment__enterprise",
            "consignment__branch",
            "replaced_by",
        )
        .filter(number=number)
        # The number is unique: no ORDER BY for .first() to build and the server to sort.
        .order_by()[:1]
    )
    found = found[0] if found else None
    if found is None:
        raise DomainError(format_lazy(NOT_FOUND, number=number[:30]), field="q")
    return found


def port_certificate_for_user(*, user: User, text: str) -> Certificate:
    certificate = certificate_find(text=text)
    if user.role == Role.PORT_OFFICER and certificate.consignment.exit_port_id != user.organisation_id:
        raise DomainError(
            format_lazy(NOT_YOUR_PORT, number=certificate.number, port=certificate.consignment.exit_port),
            field="q",
        )
    return certificate


def trip_of_certificate(certificate: Certificate) -> Trip | None:
    return (
        Trip.objects.filter(loading__consignment=certificate.consignment_id, loading__status="closed")
        .exclude(status=Trip.Status.ABANDONED)
        .select_related("loading", "vehicle", "driver")
        .first()
    )


def port_view(*, certificate: Certificate, trip: Trip | None, tags=None, source: str = "typed") -> PortView:
    """Check a certificate's truck: validity, the seals now on it, the manifest minus the animals set
    aside, and ``tags`` against it (``source`` "warehouse": the warehouse's arrival read)."""
    from ..services.warehouse import tags_clean, tags_resolve

    view = PortView(certificate=certificate, trip=trip, state=certificate_check(certificate).state)
    view.source = source if source in SOURCES else "typed"
    if trip is None:
        return view
    loading = trip.loading
    # Sets, not lists: no ORDER BY (the models' orderings would join their parents to sort).
    manifest = dict(loading.animals.order_by().values_list("national_code", "animal_id"))
    aside = set(
        Ineligible.objects.filter(arrival__trip=trip).order_by().values_list("national_code", flat=True)
    )
    view.set_aside = sorted(aside)
    view.expected_codes = sorted(set(manifest) - aside)
    view.animal_ids = [manifest[c] for c in view.expected_codes]
    # The seals now on the truck: the warehouse's if it was resealed there, else the loading's.
    seals = list(loading.seals.order_by().values_list("number", "stage"))
    stage = Seal.Stage.WAREHOUSE if any(s == Seal.Stage.WAREHOUSE for _n, s in seals) else Seal.Stage.LOADING
    view.seals = sorted(n for n, s in seals if s == stage)
    if view.source == "warehouse":
        arrival = Arrival.objects.filter(trip=trip).only("tags_read").first()
        # The animals set aside after that read are not on the truck any more.
        tags = [t for t in (arrival.tags_read if arrival else []) if t not in aside]
    elif view.source == "reader":
        tags = port_reader_tags(certificate=certificate, trip=trip)
    tags = tags_clean(tags)
    if not tags:
        view.missing = list(view.expected_codes)
        return view
    expected = {c: manifest[c] for c in view.expected_codes}
    read, unknown = tags_resolve(tags, expected)
    # A tag of an animal set aside is not on what may leave: unexpected too.
    view.read = read
    view.unexpected = unknown
    view.missing = sorted(set(view.expected_codes) - read)
    return view


def port_reader_tags(*, certificate: Certificate, trip: Trip) -> list[str]:
    """What the port's readers saw of the truck since it left the warehouse (or in the last hours)."""
    from livestock.models import TagRead

    since = trip.departed_warehouse_at or (timezone.now() - READER_WINDOW)
    return list(
        TagRead.objects.filter(
            device__site_id=certificate.consignment.exit_port_id, read_at__gte=since, animal__isnull=False
        )
        .values_list("animal__national_code", flat=True)
        .distinct()
    )


# --- scoped lists --------------------------------------------------------------------------------


def trip_scope_q(*, user: User) -> Q:
    """Trips a user may see at the warehouse and the port."""
    if not (user.is_authenticated and user.is_active):
        return Q(pk__in=[])
    if user.role in (Role.MANAGER, Role.TRANSIT_OFFICER):
        return Q()
    if user.role == Role.PORT_OFFICER:
        return Q(loading__consignment__exit_port=user.organisation_id)
    if user.role == Role.INSPECTOR:
        return Q(loading__branch=user.organisation_id)
    if user.is_enterprise_user:
        return Q(enterprise=user.organisation_id)
    return Q(pk__in=[])


def port_checks_for_user(*, user: User) -> QuerySet[PortCheck]:
    """Port decisions a user may see: the port's own, the branch's, the enterprise's own."""
    return (
        PortCheck.objects.filter(_prefixed(trip_scope_q(user=user), "trip__"))
        .select_related("trip__loading", "trip__vehicle", "certificate", "checked_by", "override_by")
        .order_by("-checked_at", "-pk")
    )


def port_check_get_for_user(*, user: User, pk: int) -> PortCheck:
    found = port_checks_for_user(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def port_queue_for_user(*, user: User) -> QuerySet[Trip]:
    """Trucks on their way to (or held at) the user's port, with what the queue shows of them
    (the certificate's number, not its signed content: every tag of the truck)."""
    return (
        Trip.objects.filter(trip_scope_q(user=user), status__in=[Trip.Status.TO_PORT, Trip.Status.HELD])
        .select_related("loading__certificate", "vehicle")
        .only("status", "due_at", "loading__certificate__number", "vehicle__plate")
        .order_by("due_at", "pk")
    )


def port_checks_recent_for_user(*, user: User, limit: int = 10) -> list[PortCheck]:
    """The latest decisions, with what the list shows (not the notice, the tags and the seals)."""
    return list(
        port_checks_for_user(user=user)
        .select_related(None)
        .select_related("certificate")
        .only("outcome", "override_at", "checked_at", "certificate__number")[:limit]
    )


def _prefixed(q: Q, prefix: str) -> Q:
    """``q`` applied through a relation (its lookups prefixed)."""
    if not q.children:
        return q
    new = Q()
    new.connector, new.negated = q.connector, q.negated
    new.children = [
        _prefixed(child, prefix) if isinstance(child, Q) else (prefix + child[0], child[1])
        for child in q.children
    ]
    return new
