"""Accounts' tasks: periodic housekeeping (Celery beat, see CELERY_BEAT_SCHEDULE) and mail."""

from importlib import import_module

from celery import shared_task
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.utils import timezone

from .models import UserSession


@shared_task(name="accounts.tasks.sessions_clear_expired")
def sessions_clear_expired() -> int:
    """Delete expired sessions and the log-in records that pointed at them; return how many."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    deleted, _ = UserSession.objects.exclude(session_key__in=live).delete()
    return deleted


@shared_task(name="accounts.tasks.mail_send")
def mail_send(*, subject: str, body: str, to: list[str]) -> None:
    """Send one e-mail (a password reset link) from DEFAULT_FROM_EMAIL.

    Out of the request, so that the time a reset request takes does not tell whether the address
    belongs to a user (only then is there a mail to send).
    """
    send_mail(subject, body, None, to)
