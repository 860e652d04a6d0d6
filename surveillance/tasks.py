"""Background work of surveillance: high-severity alerts by e-mail and SMS; restrictions kept current."""

from collections import defaultdict

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User

from .models import Alert
from .sms import SmsError, sms_send

SMS_TEXT = "【供港活畜预警】{count}条高级别预警待处理：{first}｜{count} high alert(s): {first_en}"


@shared_task(name="surveillance.alerts_notify", autoretry_for=(SmsError,), retry_backoff=30, max_retries=5)
def alerts_notify(*, alert_ids: list[int]) -> int:
    """Tell the people who must act about new high-severity alerts: one e-mail and one SMS each.

    Idempotent: an alert already notified is skipped, so a retried task sends nothing twice.
    Returns how many people were told.
    """
    alerts = list(
        Alert.objects.filter(pk__in=alert_ids, notified_at__isnull=True, state__in=Alert.OPEN)
        .select_related("organisation", "farm")
        .order_by("-severity", "pk")
    )
    if not alerts:
        return 0
    wanted = Q()
    for org_id, role in {(a.organisation_id, a.role) for a in alerts}:
        wanted |= Q(organisation_id=org_id, role=role)
    people = defaultdict(list)
    for person in User.objects.filter(wanted, is_active=True).order_by("pk"):
        for alert in alerts:
            if (alert.organisation_id, alert.role) == (person.organisation_id, person.role):
                people[person].append(alert)
    told = 0
    for person, theirs in people.items():
        lines = [(a, settings.SITE_URL + reverse("portal_ciq:alert_detail", args=[a.pk])) for a in theirs]
        if person.email:
            body = render_to_string("surveillance/email/alerts.txt", {"person": person, "alerts": lines})
            subject = f"[预警 Alert] {theirs[0].text_zh} / {theirs[0].text_en}"
            send_mail(subject[:200], body, None, [person.email])
        if person.phone:
            sms_send(
                to=person.phone,
                text=SMS_TEXT.format(count=len(theirs), first=theirs[0].text_zh, first_en=theirs[0].text_en),
            )
        told += 1
    Alert.objects.filter(pk__in=[a.pk for a in alerts]).update(notified_at=timezone.now())
    return told


@shared_task(name="surveillance.restrictions_refresh")
def restrictions_refresh() -> dict:
    """Flag farms that came into an active zone since it was drawn (a farm registered later)."""
    from .services.zones import restrictions_refresh as refresh

    return refresh()
