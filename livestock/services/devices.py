"""Registering and revoking the tag readers (and their bridges) at the sites of the chain."""

import re

from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.errors import DomainError
from accounts.models import Organisation, Role, User
from farms.models import Farm

from ..models import ReaderDevice

CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
BAD_CODE = _("A device ID is 1–64 letters, digits, dots, hyphens or underscores, e.g. qsh-gate-1.")
CODE_TAKEN = _("Device ID “{code}” is already registered.")
ONE_SITE = _("Choose either a farm or a site (the warehouse or a port), not both.")
SITE_KIND = _("A reader is registered to a farm, the transit warehouse or a port.")
NAME_REQUIRED = _("Give the reader a name staff will recognise (e.g. “Gate 1 loading chute”).")
NOT_YOUR_BRANCH = _("Inspectors register readers only on the farms their branch supervises.")
ALREADY_REVOKED = _("This reader has already been revoked.")
NOT_YOUR_READER = _("Inspectors revoke only the readers on the farms their branch supervises.")
REASON_REQUIRED = _("Say why the reader is revoked (stolen, retired, replaced...).")


def device_register(
    *, actor: User, code: str, name: str, farm: Farm | None = None, site: Organisation | None = None
) -> ReaderDevice:
    """Register a reader; its secret is shown once, to be put in the bridge's configuration."""
    code = (code or "").strip()
    if not CODE_RE.fullmatch(code):
        raise DomainError(BAD_CODE, field="code")
    if not (name or "").strip():
        raise DomainError(NAME_REQUIRED, field="name")
    if bool(farm) == bool(site):
        raise DomainError(ONE_SITE, field="farm")
    if site is not None and site.kind not in (Organisation.Kind.WAREHOUSE, Organisation.Kind.PORT):
        raise DomainError(SITE_KIND, field="site")
    if actor.role == Role.INSPECTOR and (farm is None or farm.branch_id != actor.organisation_id):
        raise DomainError(NOT_YOUR_BRANCH, field="farm")
    with transaction.atomic():
        if ReaderDevice.objects.filter(code=code).exists():
            raise DomainError(format_lazy(CODE_TAKEN, code=code), field="code")
        return ReaderDevice.objects.create(
            code=code, name=name.strip(), farm=farm, site=site, created_by=actor
        )


def device_revoke(*, actor: User, device: ReaderDevice, reason: str) -> ReaderDevice:
    """Stop accepting anything from this reader's bridge (a stolen or retired bridge)."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(REASON_REQUIRED, field="reason")
    with transaction.atomic():
        # Only the device row is locked: the farm is on the nullable side of the join.
        device = ReaderDevice.objects.select_for_update(of=("self",)).select_related("farm").get(pk=device.pk)
        branch_id = device.farm.branch_id if device.farm_id else None
        if actor.role == Role.INSPECTOR and branch_id != actor.organisation_id:
            raise DomainError(NOT_YOUR_READER)
        if not device.is_active:
            raise DomainError(ALREADY_REVOKED)
        device.is_active, device.revoked_at, device.revoked_by = False, timezone.now(), actor
        device.revoke_reason = reason[:500]
        device.save(update_fields=["is_active", "revoked_at", "revoked_by", "revoke_reason"])
    return device
