"""The desk: questions between an enterprise and its branch, notices, the reference library."""

import os

from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.audit import save_audited
from accounts.errors import DomainError
from accounts.models import Role, User
from accounts.uploads import upload_check

from ..models import Farm, Message, MessageAttachment, Notice, Question, ReferenceDocument

QUESTION_CLOSED = _("This question is closed; open a new one.")
ALREADY_CLOSED = _("This question is already closed.")
NOT_YOUR_QUESTION = _("This question belongs to another enterprise or branch.")
ENTERPRISES_ONLY = _("Only an enterprise can ask the bureau a question.")
NO_BRANCH = _("Your enterprise has no supervising CIQ branch yet; contact the bureau by phone.")
NOT_YOUR_FARM = _("This farm belongs to another enterprise.")
SUBJECT_EMPTY = _("Give the question a subject, in a few words.")
MESSAGE_EMPTY = _("Write a message before sending.")
TOO_MANY_FILES = _("Attach at most {limit} files to one message.")
TITLE_EMPTY = _("Give the notice a title.")
BODY_EMPTY = _("Write the text of the notice.")
DOCUMENT_TITLE_EMPTY = _("Give the document a title.")
CATEGORY_UNKNOWN = _("Choose the kind of document (regulation, standard, form or guide).")

MAX_FILES = 10
NOTICE_PUBLISHED = gettext_noop("Notice published")
NOTICE_EDITED = gettext_noop("Notice edited")


def _require_side(actor: User, question: Question) -> None:
    """Refuse an actor who is neither the asking enterprise nor the bureau answering it."""
    if actor.is_enterprise_user:
        allowed = question.enterprise_id == actor.organisation_id
    elif actor.role == Role.INSPECTOR:
        allowed = question.branch_id == actor.organisation_id
    else:
        allowed = actor.role == Role.MANAGER
    if not allowed:
        raise DomainError(NOT_YOUR_QUESTION)


def _required(value: str, error, *, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(error, field=field)
    return value


def _attach(message: Message, files) -> None:
    files = list(files or ())
    if len(files) > MAX_FILES:
        raise DomainError(format_lazy(TOO_MANY_FILES, limit=MAX_FILES), field="files")
    try:
        checked = [(f, upload_check(f)) for f in files]  # all checked before any is stored
    except DomainError as exc:
        raise DomainError(exc.message, field="files", items=exc.items) from exc
    for f, info in checked:
        MessageAttachment.objects.create(
            message=message,
            file=f,
            original_name=os.path.basename(f.name)[:200],
            content_type=info.content_type,
            size=info.size,
        )


def _notify(question_id: int, *, message_id: int | None = None, audience: str) -> None:
    from ..tasks import desk_message_notify

    transaction.on_commit(
        lambda: desk_message_notify.delay(question_id=question_id, message_id=message_id, audience=audience)
    )


@transaction.atomic
def question_ask(*, actor: User, subject: str, body: str, farm: Farm | None = None, files=()) -> Question:
    """Open a question from the actor's enterprise to its supervising branch."""
    if not actor.is_enterprise_user:
        raise DomainError(ENTERPRISES_ONLY)
    enterprise = actor.organisation
    if enterprise.branch_id is None:
        raise DomainError(NO_BRANCH)
    if farm is not None and farm.enterprise_id != enterprise.pk:
        raise DomainError(NOT_YOUR_FARM, field="farm")
    subject = _required(subject, SUBJECT_EMPTY, field="subject")
    body = _required(body, MESSAGE_EMPTY, field="body")
    question = Question.objects.create(
        enterprise=enterprise,
        branch_id=enterprise.branch_id,
        farm=farm,
        subject=subject[:200],
        created_by=actor,
    )
    message = Message.objects.create(question=question, author=actor, body=body)
    _attach(message, files)
    _notify(question.pk, message_id=message.pk, audience="bureau")
    return question


@transaction.atomic
def question_reply(*, actor: User, question: Question, body: str, files=()) -> Message:
    """Add a message to a thread: the bureau's answer, or the enterprise's follow-up."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    _require_side(actor, question)
    if question.status == Question.Status.CLOSED:
        raise DomainError(QUESTION_CLOSED)
    body = _required(body, MESSAGE_EMPTY, field="body")
    message = Message.objects.create(question=question, author=actor, body=body)
    _attach(message, files)
    from_enterprise = actor.is_enterprise_user
    question.status = Question.Status.OPEN if from_enterprise else Question.Status.ANSWERED
    question.save(update_fields=["status", "updated_at"])
    _notify(question.pk, message_id=message.pk, audience="bureau" if from_enterprise else "enterprise")
    return message


@transaction.atomic
def question_close(*, actor: User, question: Question) -> Question:
    """Close a thread (either side may); the other side is told by e-mail."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    _require_side(actor, question)
    if question.status == Question.Status.CLOSED:
        raise DomainError(ALREADY_CLOSED)
    question.status = Question.Status.CLOSED
    question.save(update_fields=["status", "updated_at"])
    # The enterprise closes a thread when it is satisfied: the branch needs no e-mail for that.
    if not actor.is_enterprise_user:
        _notify(question.pk, audience="enterprise")
    return question


def _notice_fields(title: str, body: str) -> tuple[str, str]:
    return _required(title, TITLE_EMPTY, field="title")[:200], _required(body, BODY_EMPTY, field="body")


@transaction.atomic
def notice_publish(*, actor: User, title: str, body: str, published_on, is_pinned: bool = False) -> Notice:
    """Publish a notice to every enterprise and bureau user."""
    title, body = _notice_fields(title, body)
    notice = Notice(
        title=title, body=body, published_on=published_on, published_by=actor, is_pinned=is_pinned
    )
    save_audited(notice, actor=actor, reason=NOTICE_PUBLISHED)
    return notice


@transaction.atomic
def notice_update(
    *, actor: User, notice: Notice, title: str, body: str, published_on, is_pinned: bool
) -> Notice:
    """Correct a published notice; the earlier wording stays in its history."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    notice.title, notice.body = _notice_fields(title, body)
    notice.published_on = published_on
    notice.is_pinned = is_pinned
    save_audited(notice, actor=actor, reason=NOTICE_EDITED)
    return notice


def _document_fields(*, category: str, title: str, number: str, issued_by: str, summary: str, file) -> dict:
    """Check a library entry's fields as the portal and the admin site give them; return them clean."""
    if category not in ReferenceDocument.Category.values:
        raise DomainError(CATEGORY_UNKNOWN, field="category")
    title = _required(title, DOCUMENT_TITLE_EMPTY, field="title")
    if file:
        try:
            upload_check(file)
        except DomainError as exc:
            raise DomainError(exc.message, field="file", items=exc.items) from exc
    return {
        "category": category,
        "title": title[:300],
        "number": (number or "").strip()[:100],
        "issued_by": (issued_by or "").strip()[:200],
        "summary": (summary or "").strip(),
    }


@transaction.atomic
def reference_document_add(
    *,
    actor: User,
    category: str,
    title: str,
    number: str = "",
    issued_by: str = "",
    issued_on=None,
    summary: str = "",
    file=None,
) -> ReferenceDocument:
    """Add a regulation, standard, form or guide to the library, with its file if there is one."""
    fields = _document_fields(
        category=category, title=title, number=number, issued_by=issued_by, summary=summary, file=file
    )
    return ReferenceDocument.objects.create(added_by=actor, issued_on=issued_on, file=file or "", **fields)


@transaction.atomic
def reference_document_update(
    *,
    actor: User,
    document: ReferenceDocument,
    category: str,
    title: str,
    number: str = "",
    issued_by: str = "",
    issued_on=None,
    summary: str = "",
    file=None,
) -> ReferenceDocument:
    """Correct a library entry; a new file (checked like an added one) replaces the old, none keeps it."""
    fields = _document_fields(
        category=category, title=title, number=number, issued_by=issued_by, summary=summary, file=file
    )
    document = ReferenceDocument.objects.select_for_update().get(pk=document.pk)
    for name, value in fields.items():
        setattr(document, name, value)
    document.issued_on = issued_on
    if file:
        document.file = file
    document.save()
    return document
