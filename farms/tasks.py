"""Background work about farms: e-mail on status changes, and the periodic expiry and lapse."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import Organisation, Role, User

from .models import Farm
from .services.credit import credit_rating_compute
from .services.registration import registrations_expire_and_lapse as _expire_and_lapse


@shared_task(name="farms.tasks.farm_status_notify")
def farm_status_notify(*, farm_id: int, event: str) -> int:
    """E-mail the people concerned about a farm's status change; return how many were sent."""
    farm = Farm.objects.select_related("enterprise", "branch").get(pk=farm_id)
    if event == "submitted":
        people = User.objects.filter(organisation=farm.branch, role=Role.INSPECTOR, is_active=True)
        url = reverse("portal_ciq:farm_detail", args=[farm.pk])
    else:
        people = User.objects.filter(organisation=farm.enterprise, is_active=True)
        url = reverse("portal_enterprise:farm_detail", args=[farm.pk])
    sent = 0
    for person in people.exclude(email=""):
        # The bureau writes in Chinese first; both languages go in one message.
        with translation.override("zh-hans"):
            subject = f"[{farm.name_zh}] {farm.get_status_display()}"
        body = render_to_string(
            "farms/email/status.txt",
            {"farm": farm, "event": event, "person": person, "url": settings.SITE_URL + url},
        )
        send_mail(subject, body, None, [person.email])
        sent += 1
    return sent


@shared_task(name="farms.tasks.registrations_expire_and_lapse")
def registrations_expire_and_lapse() -> dict:
    return _expire_and_lapse()


@shared_task(name="farms.tasks.credit_ratings_refresh")
def credit_ratings_refresh() -> int:
    """Re-rate every enterprise, so that old events age out of the window; return how many."""
    count = 0
    for enterprise in Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE, is_active=True):
        credit_rating_compute(enterprise=enterprise, only_if_changed=True)
        count += 1
    return count


# Desk e-mails carry both languages (like the body in farms/email/desk.txt): the reader's
# language is not known to a background task.
DESK_SUBJECTS = {
    "asked": "[业务咨询 Desk] 新咨询 New question: {subject}",
    "follow_up": "[业务咨询 Desk] 企业追问 Follow-up: {subject}",
    "answered": "[业务咨询 Desk] 已答复 Answered: {subject}",
    "closed": "[业务咨询 Desk] 已关闭 Closed: {subject}",
}


@shared_task(name="farms.tasks.desk_message_notify")
def desk_message_notify(*, question_id: int, message_id: int | None = None, audience: str = "") -> int:
    """E-mail one side of a desk thread about a new message, or its closing; return how many were sent.

    ``audience`` is "bureau" (the branch's inspectors) or "enterprise" (the enterprise's users);
    without it, the side opposite the message's author.
    """
    from .models import Message, Question

    question = Question.objects.select_related("enterprise", "branch").filter(pk=question_id).first()
    message = None
    if message_id is not None:
        message = Message.objects.select_related("author__organisation").filter(pk=message_id).first()
    if question is None or (message_id is not None and message is None):
        return 0  # deleted since: nothing to tell
    if not audience:
        audience = "bureau" if message and message.author.is_enterprise_user else "enterprise"
    if audience == "bureau":
        people = User.objects.filter(organisation=question.branch, role=Role.INSPECTOR, is_active=True)
        url = reverse("portal_ciq:question_detail", args=[question.pk])
    else:
        people = User.objects.filter(organisation=question.enterprise, is_active=True)
        url = reverse("portal_enterprise:question_detail", args=[question.pk])
    if message is None:
        event = "closed"
    elif audience == "enterprise":
        event = "answered"
    else:
        event = "asked" if question.messages.count() == 1 else "follow_up"
    subject = DESK_SUBJECTS[event].format(subject=question.subject)
    sent = 0
    for person in people.exclude(email="").order_by("pk"):
        body = render_to_string(
            "farms/email/desk.txt",
            {
                "question": question,
                "message": message,
                "person": person,
                "event": event,
                "url": settings.SITE_URL + url,
            },
        )
        send_mail(subject, body, None, [person.email])
        sent += 1
    return sent


@shared_task(name="farms.tasks.corrective_actions_overdue")
def corrective_actions_overdue() -> int:
    from .services.supervision import corrective_actions_overdue as count_overdue

    return count_overdue()
