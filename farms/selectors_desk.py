"""Every read of the desk, scoped to the user who asks.

An enterprise sees its own questions, an inspector those addressed to its branch, a manager
all of them; anyone else none (a 404). Notices and the reference library are for every
active, logged-in member of an active organisation.
"""

from django.db.models import Case, Count, F, IntegerField, Max, Prefetch, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404

from accounts.models import Role, User
from accounts.selectors import ALL_SEEING_ROLES

from .models import Message, MessageAttachment, Notice, Question, ReferenceDocument

QS = Question.Status


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.organisation.is_active)


def question_scope_q(*, user: User) -> Q:
    """Return the condition selecting the questions ``user`` may see."""
    if not _active(user):
        return Q(pk__in=[])
    if user.is_enterprise_user:
        return Q(enterprise_id=user.organisation_id)
    if user.role == Role.INSPECTOR:
        return Q(branch_id=user.organisation_id)
    if user.role in ALL_SEEING_ROLES:
        return Q()
    return Q(pk__in=[])


def question_list_for_user(*, user: User, status: str = "") -> QuerySet[Question]:
    """Return the questions ``user`` may see, newest activity first, with their message counts."""
    questions = (
        Question.objects.filter(question_scope_q(user=user))
        .select_related("enterprise", "branch", "farm", "created_by")
        .annotate(message_count=Count("messages"), last_message_at=Max("messages__created_at"))
    )
    if status in QS.values:
        questions = questions.filter(status=status)
    return questions.order_by("-updated_at", "-pk")


def question_queue_for_user(*, user: User, status: str = "") -> QuerySet[Question]:
    """Return the bureau's work queue: questions awaiting an answer first, then answered, then closed."""
    rank = Case(
        When(status=QS.OPEN, then=Value(0)),
        When(status=QS.ANSWERED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        question_list_for_user(user=user, status=status)
        .annotate(rank=rank)
        .order_by("rank", "-updated_at", "-pk")
    )


def question_counts_for_user(*, user: User) -> dict[str, int]:
    """Return how many questions in ``user``'s scope are in each status (every status present)."""
    rows = (
        Question.objects.filter(question_scope_q(user=user))
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = dict.fromkeys(QS.values, 0) | dict(rows)
    counts["all"] = sum(counts[s] for s in QS.values)
    return counts


def question_get_for_user(*, user: User, pk: int) -> Question:
    """Return one question in ``user``'s scope, or raise Http404."""
    return get_object_or_404(
        Question.objects.filter(question_scope_q(user=user)).select_related(
            "enterprise", "branch", "farm", "created_by"
        ),
        pk=pk,
    )


def question_messages(*, question: Question) -> list[Message]:
    """Return the thread of ``question``, oldest first, with authors and attachments loaded."""
    return list(
        question.messages.select_related("author__organisation")
        .prefetch_related(Prefetch("attachments", queryset=MessageAttachment.objects.order_by("pk")))
        .order_by("created_at", "pk")
    )


def desk_attachment_get_for_user(*, user: User, pk: int) -> MessageAttachment:
    """Return an attachment of a question in ``user``'s scope, or raise Http404."""
    scope = question_scope_q(user=user)
    inside = Question.objects.filter(scope).values("pk")
    return get_object_or_404(MessageAttachment.objects.filter(message__question__in=inside), pk=pk)


def notice_list_for_user(*, user: User) -> QuerySet[Notice]:
    """Return the notices, pinned first and newest first (every active user reads them all)."""
    notices = Notice.objects.select_related("published_by__organisation")
    return notices if _active(user) else notices.none()


def notice_get_for_user(*, user: User, pk: int) -> Notice:
    return get_object_or_404(notice_list_for_user(user=user), pk=pk)


def reference_document_list_for_user(
    *, user: User, q: str = "", category: str = ""
) -> QuerySet[ReferenceDocument]:
    """Return the library, searched over title, number, summary and issuer, and filtered by category."""
    documents = ReferenceDocument.objects.all() if _active(user) else ReferenceDocument.objects.none()
    for word in (q or "").split()[:8]:
        documents = documents.filter(
            Q(title__icontains=word)
            | Q(number__icontains=word)
            | Q(summary__icontains=word)
            | Q(issued_by__icontains=word)
        )
    if category in ReferenceDocument.Category.values:
        documents = documents.filter(category=category)
    # Laws and regulations first, then standards, forms and guides; the newest first in each.
    category_rank = Case(
        *[When(category=value, then=Value(i)) for i, value in enumerate(ReferenceDocument.Category.values)],
        output_field=IntegerField(),
    )
    return documents.order_by(category_rank, F("issued_on").desc(nulls_last=True), "title", "pk")


def reference_document_get_for_user(*, user: User, pk: int) -> ReferenceDocument:
    return get_object_or_404(reference_document_list_for_user(user=user), pk=pk)


def reference_category_counts() -> dict[str, int]:
    """Return how many documents the library holds in each category."""
    rows = ReferenceDocument.objects.values_list("category").annotate(n=Count("pk")).order_by()
    return dict.fromkeys(ReferenceDocument.Category.values, 0) | dict(rows)
