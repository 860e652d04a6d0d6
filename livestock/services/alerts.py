"""The inspector's side of a banned-substance alert."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import save_audited
from accounts.errors import DomainError
from accounts.models import Role, User

from ..models import SubstanceAlert

NOTE_REQUIRED = _("Say what was done (visit, samples taken, case opened...).")
ALREADY_HANDLED = _("This alert has already been handled.")
NOT_YOUR_BRANCH = _("This alert belongs to another branch.")


@transaction.atomic
def alert_handle(*, actor: User, alert: SubstanceAlert, note: str) -> SubstanceAlert:
    """Close an alert with what the inspector did about it."""
    note = (note or "").strip()
    if not note:
        raise DomainError(NOTE_REQUIRED, field="note")
    alert = SubstanceAlert.objects.select_for_update().get(pk=alert.pk)
    if actor.role == Role.INSPECTOR and alert.branch_id != actor.organisation_id:
        raise DomainError(NOT_YOUR_BRANCH)
    if alert.handled_at:
        raise DomainError(ALREADY_HANDLED)
    alert.handled_by, alert.handled_at, alert.handling_note = actor, timezone.now(), note
    save_audited(alert, actor=actor, reason=note)
    return alert
