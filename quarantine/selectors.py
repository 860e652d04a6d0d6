"""Every read of origin quarantine, scoped to the user who asks, and the certificate's checks."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Role, User
from accounts.selectors import ALL_SEEING_ROLES
from livestock.models import Animal, ReaderDevice, TagRead

from . import compact, keys
from .content import certificate_content, essentials_of
from .models import Certificate, Consignment, ExamChecklistItem

# What a bureau user works on: the branch's consignments that wait for it.
QUEUE = (
    Consignment.Status.DECLARED,
    Consignment.Status.ACCEPTED,
    Consignment.Status.EXAMINED,
    Consignment.Status.SAMPLED,
    Consignment.Status.RESULTS_IN,
)

SIGNATURE_BROKEN = _("The signature does not match the certificate's content: it was altered after signing.")
KEY_UNKNOWN = _("It was signed with key {key}, which is not among the bureau's published keys.")
ROW_CHANGED = _(
    "The stored certificate differs from what was signed ({fields}): it was altered after signing."
)
QR_BROKEN = _("The QR code's payload does not match the signed certificate.")


def consignment_scope_q(*, user: User) -> Q:
    """The consignments ``user`` may see: the enterprise's own, the branch's, the lab's samples, or all."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.role in ALL_SEEING_ROLES:
        return Q()
    if user.role == Role.INSPECTOR:
        return Q(branch_id=user.organisation_id)
    if user.role == Role.LAB_ANALYST:
        # A laboratory attached to a branch tests that branch's samples (services.lab_require).
        served = user.organisation.branch_id
        return ~Q(status=Consignment.Status.DECLARED) & (Q(branch_id=served) if served else Q())
    if user.is_enterprise_user:
        return Q(enterprise_id=user.organisation_id)
    return Q(pk__in=[])


def consignment_list_for_user(*, user: User) -> QuerySet[Consignment]:
    return Consignment.objects.filter(consignment_scope_q(user=user)).select_related(
        "farm", "enterprise", "branch", "exit_port"
    )


def consignment_get_for_user(*, user: User, pk: int) -> Consignment:
    return get_object_or_404(consignment_list_for_user(user=user), pk=pk)


def consignment_queue_for_user(*, user: User) -> QuerySet[Consignment]:
    """The branch's consignments still in inspection, by loading date, farm and credit rating."""
    return consignment_list_for_user(user=user).filter(status__in=QUEUE).order_by("planned_loading_on", "pk")


def lab_queue_for_user(*, user: User) -> QuerySet[Consignment]:
    return consignment_list_for_user(user=user).filter(status=Consignment.Status.SAMPLED).order_by("pk")


def checklist_for(species: str) -> list[ExamChecklistItem]:
    return list(ExamChecklistItem.objects.filter(species=species, is_active=True))


def exit_ports() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=Organisation.Kind.PORT).order_by("name_zh")


def consignment_copy_initial(*, user: User, pk: int) -> dict:
    """The form's starting values copied from an earlier consignment of the user's enterprise."""
    c = consignment_get_for_user(user=user, pk=pk)
    return {
        "farm": c.farm_id,
        "species": c.species,
        "exit_port": c.exit_port_id,
        "consignee": c.consignee,
        "destination": c.destination,
        "contact_name": c.contact_name,
        "contact_phone": c.contact_phone,
        "tags": "\n".join(c.items.values_list("national_code", flat=True)),
        "head_count": c.head_count,
    }


# --- certificates ------------------------------------------------------------------------------


@dataclass
class CertificateCheck:
    """What verifying a stored certificate found: its state, and every sign of tampering."""

    certificate: Certificate
    state: str  # "valid", "expired", "void", "replaced", "used" or "altered"
    problems: list = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems

    @property
    def label(self):
        return STATE_LABELS[self.state]


STATE_LABELS = {
    "valid": _("Valid"),
    "expired": _("Expired"),
    "void": _("Void"),
    "replaced": _("Replaced"),
    "used": _("Used: released at the port"),
    "altered": _("Altered — do not accept"),
}


def certificate_check(certificate: Certificate, *, today: dt.date | None = None) -> CertificateCheck:
    """Verify a stored certificate: its signature, its row against what was signed, its QR payload."""
    today = today or timezone.localdate()
    problems = []
    public = keys.public_keys().get(certificate.key_id)
    content = certificate.content if isinstance(certificate.content, dict) else {}
    if public is None:
        problems.append(_format(KEY_UNKNOWN, key=certificate.key_id))
    elif not compact.signature_holds(public, compact.canonical(content), certificate.signature):
        problems.append(SIGNATURE_BROKEN)
    consignment = certificate.consignment
    rebuilt = certificate_content(
        certificate, consignment, list(consignment.items.values_list("national_code", flat=True))
    )
    changed = sorted(k for k in set(rebuilt) | set(content) if rebuilt.get(k) != content.get(k))
    if changed:
        problems.append(_format(ROW_CHANGED, fields=", ".join(changed)))
    try:
        essentials = compact.payload_verify(certificate.qr_payload, keys.public_keys())
        if content and essentials != essentials_of(content):
            problems.append(QR_BROKEN)
    except (compact.PayloadError, KeyError, ValueError):
        problems.append(QR_BROKEN)
    if problems:
        state = "altered"
    elif hasattr(certificate, "replaced_by") and _replaced(certificate):
        state = "replaced"
    elif certificate.voided_at:
        state = "void"
    elif certificate.used_at:
        state = "used"
    elif certificate.valid_until < today:
        state = "expired"
    else:
        state = "valid"
    return CertificateCheck(certificate, state, problems)


def _replaced(certificate: Certificate) -> bool:
    try:
        return certificate.replaced_by is not None
    except Certificate.DoesNotExist:
        return False


def _format(message, **kw):
    from django.utils.text import format_lazy

    return format_lazy(message, **kw)


def _certificates() -> QuerySet[Certificate]:
    return Certificate.objects.select_related(
        "consignment__farm",
        "consignment__enterprise",
        "consignment__branch",
        "consignment__exit_port",
        "replaces",
    )


def certificate_for_public(*, number: str, token: str) -> Certificate | None:
    """The certificate a member of the public asks for by its number and token (None if no match)."""
    found = _certificates().filter(number=number.strip().upper()).first()
    if found is None or found.token != token.strip().upper():
        return None
    return found


def certificate_by_number(*, number: str) -> Certificate | None:
    return _certificates().filter(number=number).first()


def certificates_of(*, consignment: Consignment) -> list[Certificate]:
    return list(_certificates().filter(consignment=consignment).order_by("pk"))


def declarable_herd(*, farm, limit: int) -> list[dict]:
    """The farm's animals a declaration may pick from (on the farm, not blocked for export), by pen
    and tag: only the two columns the picker shows, at most ``limit``."""
    return list(
        Animal.objects.filter(farm=farm, status=Animal.Status.ON_FARM, export_blocked_at__isnull=True)
        .order_by("pen", "national_code")
        .values("national_code", "pen")[:limit]
    )


# Tags read on a reader, for the declaration: the last READER_WINDOW_MIN minutes, among the
# device's newest READER_SCAN reads only (no index serves read_at for one device).
READER_WINDOW_MIN = 30
READER_SCAN = 20_000


def declaration_readers(*, user: User) -> QuerySet[ReaderDevice]:
    """The active readers on the farms of ``user``'s enterprise: those it may declare from."""
    if not (user.is_authenticated and user.is_active and user.is_enterprise_user):
        return ReaderDevice.objects.none()
    return (
        ReaderDevice.objects.filter(farm__enterprise_id=user.organisation_id, is_active=True)
        .select_related("farm")
        .order_by("code")
    )


def tags_read_on(*, device: ReaderDevice, now: dt.datetime | None = None) -> list[str]:
    """The different tags ``device`` read in the last READER_WINDOW_MIN minutes, for a declaration.

    An animal of the device's enterprise is given by its national code; any other tag (a stranger,
    another enterprise's animal) as the RFID number read, so the declaration names it without
    telling whose it is.
    """
    since = (now or timezone.now()) - dt.timedelta(minutes=READER_WINDOW_MIN)
    rows = (
        TagRead.objects.filter(device=device)
        .order_by("-pk")
        .values_list("tag", "read_at", "animal__national_code", "animal__enterprise_id")[:READER_SCAN]
    )
    enterprise_id = device.farm.enterprise_id if device.farm_id else None
    tags = set()
    for tag, read_at, code, owner in rows:
        if read_at >= since:
            tags.add(code if code and owner == enterprise_id else tag)
    return sorted(tags)
