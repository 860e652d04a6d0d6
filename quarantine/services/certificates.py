"""The health certificate: issued signed, never changed, only voided or replaced (with reasons)."""

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.audit import save_audited
from accounts.errors import DomainError
from accounts.models import Role, User

from .. import compact, keys
from ..content import certificate_content, essentials_of
from ..models import Certificate, Consignment, ExportRule

ALREADY_VOID = _("Certificate {number} was already voided on {date}.")
REASON_REQUIRED = _("Give a reason; it is shown wherever the certificate is verified.")
ALREADY_USED = _("Certificate {number} was already used at the port on {date}.")
CERTIFICATE_VOID = _("Certificate {number} is void: it cannot be used.")
CERTIFICATE_EXPIRED = _("Certificate {number} expired on {date}.")
NOT_PORT_OFFICER = _("Only a port officer or a manager may mark a certificate used.")
NOT_YOUR_BRANCH = _("Only the inspectors of {branch} or a manager may void or replace this certificate.")
DEFAULT_CAPACITY = gettext_noop("Official veterinarian")
DEFAULT_VALID_DAYS = 3


def _tags(consignment: Consignment) -> list[str]:
    return list(consignment.items.values_list("national_code", flat=True))


def _issue(
    *,
    actor: User,
    consignment: Consignment,
    capacity: str,
    version: int,
    replaces: Certificate | None = None,
    replace_reason: str = "",
) -> Certificate:
    rule = ExportRule.objects.filter(species=consignment.species).first()
    valid_days = rule.certificate_valid_days if rule else DEFAULT_VALID_DAYS
    now = timezone.now().replace(microsecond=0)
    private = keys.signing_key()
    certificate = Certificate(
        consignment=consignment,
        number=f"HC{consignment.number[2:]}-{version}",
        token=secrets.token_hex(4).upper(),
        issued_at=now,
        valid_until=timezone.localdate(now) + dt.timedelta(days=valid_days - 1),
        key_id=compact.key_id(private.public_key()),
        signed_by=actor,
        signer_name=actor.get_full_name() or actor.username,
        signer_capacity=(capacity or "").strip() or DEFAULT_CAPACITY,
        replaces=replaces,
        replace_reason=replace_reason,
    )
    certificate.content = certificate_content(certificate, consignment, _tags(consignment))
    certificate.signature = compact.sign(private, compact.canonical(certificate.content))
    certificate.qr_payload = compact.payload_encode(essentials_of(certificate.content), private)
    save_audited(certificate, actor=actor, reason=gettext_noop("Signed"))
    return certificate


def certificate_issue(*, actor: User, consignment: Consignment, capacity: str = "") -> Certificate:
    """Sign and store the certificate of ``consignment`` (called by consignment_approve)."""
    return _issue(actor=actor, consignment=consignment, capacity=capacity, version=1)


def _require(actor: User, certificate: Certificate, reason: str) -> str:
    consignment = certificate.consignment
    if actor.role != Role.MANAGER and not (
        actor.role == Role.INSPECTOR and actor.organisation_id == consignment.branch_id
    ):
        raise DomainError(format_lazy(NOT_YOUR_BRANCH, branch=consignment.branch))
    if certificate.voided_at:
        raise DomainError(
            format_lazy(
                ALREADY_VOID, number=certificate.number, date=timezone.localdate(certificate.voided_at)
            )
        )
    if not (reason or "").strip():
        raise DomainError(REASON_REQUIRED, field="reason")
    return reason.strip()


def _locked(certificate: Certificate) -> Certificate:
    return (
        Certificate.objects.select_for_update()
        .select_related("consignment__branch", "consignment__farm", "consignment__enterprise")
        .get(pk=certificate.pk)
    )


@transaction.atomic
def certificate_void(*, actor: User, certificate: Certificate, reason: str) -> Certificate:
    """Void a certificate for good; verification shows it void with the reason."""
    certificate = _locked(certificate)
    reason = _require(actor, certificate, reason)
    certificate.voided_at = timezone.now()
    certificate.void_reason = reason[:300]
    certificate.voided_by = actor
    save_audited(
        certificate, actor=actor, reason=reason, update_fields=["voided_at", "void_reason", "voided_by"]
    )
    return certificate


@transaction.atomic
def certificate_replace(
    *, actor: User, certificate: Certificate, reason: str, capacity: str = ""
) -> Certificate:
    """Void a certificate and issue its replacement, which names it (e.g. the loading was put off)."""
    certificate = _locked(certificate)
    reason = _require(actor, certificate, reason)
    certificate.voided_at = timezone.now()
    certificate.void_reason = reason[:300]
    certificate.voided_by = actor
    save_audited(
        certificate, actor=actor, reason=reason, update_fields=["voided_at", "void_reason", "voided_by"]
    )
    version = certificate.consignment.certificates.count() + 1
    new = _issue(
        actor=actor,
        consignment=certificate.consignment,
        capacity=capacity or certificate.signer_capacity,
        version=version,
        replaces=certificate,
        replace_reason=reason[:300],
    )
    return new


@transaction.atomic
def certificate_mark_used(
    *, actor: User, certificate: Certificate, today: dt.date | None = None
) -> Certificate:
    """Mark a certificate used at its release at the port: it cannot take another truck out."""
    if actor.role not in (Role.PORT_OFFICER, Role.MANAGER):
        raise DomainError(NOT_PORT_OFFICER)
    certificate = _locked(certificate)
    if certificate.used_at:
        raise DomainError(
            format_lazy(ALREADY_USED, number=certificate.number, date=timezone.localdate(certificate.used_at))
        )
    if certificate.voided_at:
        raise DomainError(format_lazy(CERTIFICATE_VOID, number=certificate.number))
    if certificate.valid_until < (today or timezone.localdate()):
        raise DomainError(
            format_lazy(CERTIFICATE_EXPIRED, number=certificate.number, date=certificate.valid_until)
        )
    certificate.used_at = timezone.now()
    certificate.used_by = actor
    save_audited(
        certificate,
        actor=actor,
        reason=gettext_noop("Used at the port"),
        update_fields=["used_at", "used_by"],
    )
    return certificate
