"""Release at the exit port (part III of the certificate): hold with a reason, a supervisor's
override of a hold, and release — the certificate marked used, the consignment closed as
exported, the departing event on every animal and the export notice for Hong Kong.

Who supervises: a manager, or a port officer of the port who is a member of the
``port_supervisors`` group (given in the admin site). Nobody overrides their own hold.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.audit import save_audited
from accounts.errors import DomainError
from accounts.models import Role, User
from farms.models import CreditEvent
from livestock.services.events import Happening, events_append
from livestock.services.export import animals_move
from quarantine.models import Certificate
from quarantine.services import certificate_mark_used, consignment_export
from surveillance.models import Alert
from surveillance.services import AlertScope, AlertSpec, alerts_raise

from ..models import PortCheck, Trip
from ..selectors.port import PortView, port_view
from .warehouse import finding_record, site_where, trip_locked, trip_move

SUPERVISORS_GROUP = "port_supervisors"

PORT_ONLY = _("Only a port officer of {port}, the consignment's exit port, may do this.")
SUPERVISOR_ONLY = _("Only a supervisor (a manager, or a port officer named supervisor) may override a hold.")
OWN_HOLD = _("A hold is overridden by another officer than the one who held the truck.")
REASON_REQUIRED = _("Give the reason in writing; it is kept with the decision.")
NOT_HELD = _("This check is not a hold, or its hold was already overridden.")
CERTIFICATE_REFUSED = _("Certificate {number} cannot be used: it is “{state}”.")
NO_LOADING = _("Consignment {number} has no closed loading with a truck on its way: nothing to release.")
NOT_ON_MANIFEST = _(
    "Not on the manifest of loading {number}: {tags}. The truck cannot be released with them."
)
DISCREPANT = _(
    "The check found discrepancies ({problems}): hold the truck with the reason; "
    "a supervisor may override the hold."
)
HEAD_COUNT_BAD = _("Give the head counted on the truck (a whole number, 0 or more).")
HOLD_WORD = _("held")
RELEASE_WORD = _("released")
PORT_FINDING = gettext_noop("Discrepancy at the port (certificate {number}): {problems}")
PORT_ALERT = _("Truck of certificate {number} held at {port}: {reason}")
FINDING_POINTS = -10


def is_supervisor(user: User, port_id: int | None = None) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.role == Role.MANAGER:
        return True
    return (
        user.role == Role.PORT_OFFICER
        and (port_id is None or user.organisation_id == port_id)
        and user.groups.filter(name=SUPERVISORS_GROUP).exists()
    )


def _require_port_officer(actor: User, certificate: Certificate) -> None:
    port = certificate.consignment.exit_port
    if actor.role != Role.PORT_OFFICER or actor.organisation_id != port.pk or not actor.is_active:
        raise DomainError(format_lazy(PORT_ONLY, port=port))


def _certificate_locked(certificate: Certificate) -> Certificate:
    return (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("consignment__exit_port", "consignment__farm", "consignment__enterprise")
        .get(pk=certificate.pk)
    )


def _trip_of(certificate: Certificate) -> Trip:
    trip = (
        Trip.objects.filter(loading__consignment=certificate.consignment_id, loading__status="closed")
        .exclude(status=Trip.Status.ABANDONED)
        .first()
    )
    if trip is None:
        raise DomainError(format_lazy(NO_LOADING, number=certificate.consignment.number))
    return trip_locked(trip)


def _check_input(head_counted) -> None:
    if not isinstance(head_counted, int) or isinstance(head_counted, bool) or head_counted < 0:
        raise DomainError(HEAD_COUNT_BAD, field="head_counted")


def _view(certificate, trip, *, tags, source, seals_intact, head_counted) -> PortView:
    _check_input(head_counted)
    view = port_view(certificate=certificate, trip=trip, tags=tags, source=source)
    if view.unexpected:
        raise DomainError(
            format_lazy(NOT_ON_MANIFEST, number=trip.loading.number, tags=", ".join(view.unexpected)),
            field="tags",
            items=view.unexpected,
        )
    view.seals_intact = bool(seals_intact)
    view.head_counted = head_counted
    return view


def _record(view: PortView, *, actor, outcome, reason="", now) -> PortCheck:
    check = PortCheck(
        trip=view.trip,
        certificate=view.certificate,
        port=view.certificate.consignment.exit_port,
        outcome=outcome,
        reason=reason[:500],
        seals_expected=view.seals,
        seals_intact=view.seals_intact,
        head_expected=view.head_expected,
        head_counted=view.head_counted,
        tags_source=view.source,
        tags_read=sorted(view.read),
        missing=view.missing,
        checked_by=actor,
        checked_at=now,
    )
    save_audited(check, actor=actor, reason=outcome)
    return check


@transaction.atomic
def port_hold(
    *,
    actor: User,
    certificate: Certificate,
    reason: str,
    head_counted: int,
    seals_intact: bool,
    tags: list[str] | None = None,
    source: str = "typed",
) -> PortCheck:
    """Hold a truck at the port with the reason; discrepancies count against the enterprise."""
    certificate = _certificate_locked(certificate)
    _require_port_officer(actor, certificate)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(REASON_REQUIRED, field="reason")
    trip = _trip_of(certificate)
    view = _view(
        certificate, trip, tags=tags, source=source, seals_intact=seals_intact, head_counted=head_counted
    )
    now = timezone.now()
    trip_move(trip, action="hold", actor=actor, word=HOLD_WORD, reason=reason)
    check = _record(view, actor=actor, outcome=PortCheck.Outcome.HELD, reason=reason, now=now)
    port = certificate.consignment.exit_port
    events_append(
        happening=Happening(
            kind="port_held",
            when=now,
            where=site_where(port),
            actor=actor,
            source=check,
            data={"certificate": certificate.number, "reason": reason, "missing": len(view.missing)},
        ),
        animal_ids=view.animal_ids,
    )
    problems = view.problems_text()
    if problems:
        finding_record(
            trip=trip,
            kind=CreditEvent.Kind.PORT_DISCREPANCY,
            reason=PORT_FINDING.format(number=certificate.number, problems=problems),
            source=f"transit.portcheck:{check.pk}",
        )
    consignment = certificate.consignment
    text = format_lazy(PORT_ALERT, number=certificate.number, port=port, reason=reason)
    alerts_raise(
        specs=[
            AlertSpec(
                kind=Alert.Kind.DISCREPANCY,
                severity=Alert.Severity.HIGH,
                key=f"transit:port-hold:{check.pk}:{scope.role}",
                scope=scope,
                text=text,
                subject=check,
                data={"trip": trip.pk, "certificate": certificate.number, "missing": view.missing[:50]},
            )
            for scope in (
                AlertScope.of(consignment.branch, Role.INSPECTOR, farm=consignment.farm),
                AlertScope.of(port, Role.PORT_OFFICER, farm=consignment.farm),
            )
        ]
    )
    return check


@transaction.atomic
def port_override(*, actor: User, check: PortCheck, reason: str) -> PortCheck:
    """A supervisor's override of a hold, with the written reason: the truck may then be released."""
    check = PortCheck.objects.select_for_update(of=("self",)).select_related("trip").get(pk=check.pk)
    if not is_supervisor(actor, check.port_id):
        raise DomainError(SUPERVISOR_ONLY)
    if check.checked_by_id == actor.pk:
        raise DomainError(OWN_HOLD)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(REASON_REQUIRED, field="reason")
    if check.outcome != PortCheck.Outcome.HELD or check.override_at or check.trip.status != Trip.Status.HELD:
        raise DomainError(NOT_HELD)
    now = timezone.now()
    check.override_reason = reason[:500]
    check.override_by = actor
    check.override_at = now
    save_audited(check, actor=actor, reason=reason)
    events_append(
        happening=Happening(
            kind="port_hold_overridden",
            when=now,
            where=site_where(check.port),
            actor=actor,
            source=check,
            data={"reason": reason},
        ),
        animal_ids=list(
            check.trip.loading.animals.filter(animal__status="at_warehouse").values_list(
                "animal_id", flat=True
            )
        ),
    )
    return check


@transaction.atomic
def port_release(
    *,
    actor: User,
    certificate: Certificate,
    head_counted: int,
    seals_intact: bool,
    tags: list[str] | None = None,
    source: str = "typed",
) -> PortCheck:
    """Release a truck: a valid certificate, a closed loading, the tags on the manifest, and either
    no discrepancy or a hold overridden by a supervisor."""
    certificate = _certificate_locked(certificate)
    _require_port_officer(actor, certificate)
    trip = _trip_of(certificate)
    view = _view(
        certificate, trip, tags=tags, source=source, seals_intact=seals_intact, head_counted=head_counted
    )
    if view.state != "valid":
        raise DomainError(format_lazy(CERTIFICATE_REFUSED, number=certificate.number, state=view.state_label))
    if not trip.can("release"):
        trip_move(trip, action="release", actor=actor, word=RELEASE_WORD)
    override = None
    if view.problems():
        override = (
            trip.port_checks.filter(outcome=PortCheck.Outcome.HELD, override_at__isnull=False)
            .order_by("-override_at")
            .first()
        )
        if override is None:
            raise DomainError(format_lazy(DISCREPANT, problems=view.problems_text()))
    now = timezone.now()
    certificate_mark_used(actor=actor, certificate=certificate)
    consignment_export(actor=actor, consignment=certificate.consignment)
    port = certificate.consignment.exit_port
    trip.ended_at = now
    trip_move(trip, action="release", actor=actor, word=RELEASE_WORD)
    trip.loading.seals.filter(broken_at__isnull=True).update(
        broken_at=now, broken_by=actor, broken_note="opened at the port"
    )
    check = _record(view, actor=actor, outcome=PortCheck.Outcome.RELEASED, now=now)
    if override is not None:
        check.reason = f"{override.override_reason}"[:500]
    check.notice = notice_of(view, check=check, override=override)
    save_audited(check, actor=actor, reason=gettext_noop("Export notice"))
    animals_move(
        action="release",
        animal_ids=view.animal_ids,
        happening=Happening(
            kind="exported",
            when=now,
            where=site_where(port),
            actor=actor,
            source=check,
            data={"certificate": certificate.number, "port": port.code},
        ),
    )
    return check


def notice_of(view: PortView, *, check: PortCheck, override: PortCheck | None) -> dict:
    """The export notice for the Hong Kong side: what left, under which certificate, when and how."""
    certificate = view.certificate
    c = certificate.content
    trip = view.trip
    return {
        "type": "export_notice",
        "version": 1,
        "certificate": certificate.number,
        "consignment": c.get("consignment", ""),
        "issued_at": certificate.issued_at.isoformat(),
        "valid_until": certificate.valid_until.isoformat(),
        "issuer": c.get("issuer", {}),
        "enterprise": c.get("enterprise", {}),
        "farm": c.get("farm", {}),
        "species": c.get("species", ""),
        "consignee": c.get("consignee", ""),
        "destination": c.get("destination", ""),
        "exit_port": c.get("exit_port", {}),
        "head_certified": c.get("head_count"),
        "head_released": len(view.animal_ids),
        "set_aside": view.set_aside,
        "tags": view.expected_codes,
        "seals": view.seals,
        "vehicle": {"plate": trip.vehicle.plate, "hk_plate": trip.vehicle.hk_plate},
        "driver": trip.driver.name,
        "released_at": check.checked_at.isoformat(),
        "released_by": check.checked_by.get_full_name() or check.checked_by.username,
        "override": (
            {
                "reason": override.override_reason,
                "by": override.override_by.get_full_name() or override.override_by.username,
                "at": override.override_at.isoformat(),
                "hold_reason": override.reason,
            }
            if override
            else None
        ),
    }
