"""Quarantine's tasks: telling the enterprise what became of its consignment.

Sent after the step's transaction commits (``transaction.on_commit`` in the workflow), through
Celery so that a slow mail server or SMS gateway never holds up an inspector's click; a failing
SMS gateway is retried.
"""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from surveillance.sms import SmsError, sms_send

from .models import Consignment

SUBJECT = _("Consignment {number}: {status}")
BODY = _("Consignment {number} from {farm} ({head} head, loading {loading}) is now “{status}”.")
REASON = _("Reason: {reason}")
SMS = _("[CIQ] Consignment {number}: {status}.")


def _in(language: str, consignment: Consignment, status: str, reason: str) -> tuple[str, str, str]:
    """The subject, the mail's body and the SMS in ``language``."""
    with translation.override(language):
        status = str(Consignment.Status(status).label)
        subject = str(format_lazy(SUBJECT, number=consignment.number, status=status))
        body = str(
            format_lazy(
                BODY,
                number=consignment.number,
                farm=consignment.farm.name,
                head=consignment.head_count,
                loading=consignment.planned_loading_on.isoformat(),
                status=status,
            )
        )
        if reason:
            body += "\n" + str(format_lazy(REASON, reason=reason))
        return subject, body, str(format_lazy(SMS, number=consignment.number, status=status))


@shared_task(name="quarantine.consignment_notify", autoretry_for=(SmsError,), retry_backoff=30, max_retries=5)
def consignment_notify(*, consignment_id: int, status: str, reason: str = "") -> int:
    """Mail the enterprise's users and its contact, and text its contact phone, that the consignment
    became ``status`` (the step's, not whatever it is when the task runs), in the language the
    enterprise chose for its notices. Return how many addresses were mailed."""
    consignment = Consignment.objects.select_related("farm", "enterprise").get(pk=consignment_id)
    enterprise = consignment.enterprise
    addresses = set(
        User.objects.filter(organisation=enterprise, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if enterprise.contact_email:
        addresses.add(enterprise.contact_email)
    subject, body, sms = _in(enterprise.language or settings.LANGUAGE_CODE, consignment, status, reason)
    if addresses:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, sorted(addresses))
    sms_send(to=enterprise.contact_phone, text=sms)
    return len(addresses)
