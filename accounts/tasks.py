"""Periodic housekeeping of accounts (scheduled by Celery beat, see CELERY_BEAT_SCHEDULE)."""

from importlib import import_module

from celery import shared_task
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from .models import UserSession


@shared_task(name="accounts.tasks.sessions_clear_expired")
def sessions_clear_expired() -> int:
    """Delete expired sessions and the log-in records that pointed at them; return how many."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    deleted, _ = UserSession.objects.exclude(session_key__in=live).delete()
    return deleted
