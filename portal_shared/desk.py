"""The desk's views, once for both portals: question threads, attachments, notices, the library.

Each portal declares its own subclasses (portal_ciq/desk/views.py, portal_enterprise/desk/views.py)
with a few lines: its URL namespace, permission, templates, which question selector, form and
messages. What the views do, and which object a user may reach (the farms.selectors_desk
selectors), is the same for both.
"""

import datetime as dt
import os
import re

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, ListView, TemplateView, View

from accounts.access import RuleRequiredMixin
from accounts.errors import DomainError
from accounts.params import ClampedPageMixin
from accounts.uploads import SIGNATURES
from farms.models import Question, ReferenceDocument
from farms.selectors_desk import (
    desk_attachment_get_for_user,
    notice_get_for_user,
    notice_list_for_user,
    question_counts_for_user,
    question_get_for_user,
    question_messages,
    reference_category_counts,
    reference_document_get_for_user,
    reference_document_list_for_user,
)
from farms.services.desk import question_close, question_reply

from .desk_forms import LibrarySearchForm

FILE_GONE = _("The file is no longer available; upload it again.")
NEW_NOTICE_DAYS = 7  # a notice is marked new for a week


def form_error(form, exc: DomainError) -> None:
    """Show a refused action on the form, beside its field when the service names one."""
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


def file_response(field_file, *, name: str, content_type: str = "", inline: bool = False) -> FileResponse:
    """Stream a stored file to a user already allowed to see it (never through a public URL)."""
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404(FILE_GONE) from exc
    if not content_type:
        head = handle.read(16)
        handle.seek(0)
        content_type = next(
            (t for sig, t in SIGNATURES.items() if head.startswith(sig)), "application/octet-stream"
        )
    response = FileResponse(handle, as_attachment=not inline, filename=name, content_type=content_type)
    response["Cache-Control"] = "private, max-age=0"
    return response


class DeskView(RuleRequiredMixin):
    """A desk view of one portal: ``namespace`` names its URLs ("portal_ciq")."""

    namespace = ""
    nav_section = "desk"

    def portal_url(self, name: str, *args) -> str:
        return reverse(f"{self.namespace}:{name}", args=args)


class QuestionListView(ClampedPageMixin, DeskView, ListView):
    """The question threads in the user's scope, filtered by ``?status=``."""

    context_object_name = "questions"
    paginate_by = 20
    #: The selector of the threads: ``(user=, status=) -> QuerySet[Question]``.
    questions = None

    @cached_property
    def status(self) -> str:
        status = self.request.GET.get("status", "")
        return status if status in Question.Status.values else ""

    def get_queryset(self):
        return type(self).questions(user=self.request.user, status=self.status)

    def get_context_data(self, **kwargs):
        counts = question_counts_for_user(user=self.request.user)
        return super().get_context_data(
            status=self.status,
            tabs=[(value, label, counts[value]) for value, label in Question.Status.choices],
            total=counts["all"],
            querystring=f"status={self.status}" if self.status else "",
            **kwargs,
        )


class QuestionDetailView(DeskView, FormView):
    """One thread as a conversation, with the form to write in it while it is open."""

    sent = ""  # the message after writing

    @cached_property
    def question(self) -> Question:
        # Looked up after the rule check, so that a visitor who is not logged in is sent to
        # log in rather than told the question does not exist.
        return question_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            question=self.question, thread=question_messages(question=self.question), **kwargs
        )

    def form_valid(self, form):
        try:
            message = question_reply(
                actor=self.request.user,
                question=self.question,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["files"],
            )
        except DomainError as exc:
            form_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.sent)
        return redirect(f"{self.portal_url('question_detail', self.question.pk)}#message-{message.pk}")


class QuestionCloseView(DeskView, View):
    http_method_names = ["post"]
    closed = _("The question is closed.")

    def post(self, request, pk):
        question = question_get_for_user(user=request.user, pk=pk)
        try:
            question_close(actor=request.user, question=question)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, self.closed)
        return redirect(self.portal_url("question_detail", pk))


class AttachmentView(DeskView, View):
    def get(self, request, pk):
        attachment = desk_attachment_get_for_user(user=request.user, pk=pk)
        return file_response(
            attachment.file,
            name=attachment.original_name,
            content_type=attachment.content_type,
            inline="download" not in request.GET,
        )


class NoticeListView(ClampedPageMixin, DeskView, ListView):
    nav_section = "notices"
    context_object_name = "notices"
    paginate_by = 15

    def get_queryset(self):
        return notice_list_for_user(user=self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            recent=timezone.localdate() - dt.timedelta(days=NEW_NOTICE_DAYS), **kwargs
        )


class NoticeDetailView(DeskView, TemplateView):
    nav_section = "notices"

    def get_context_data(self, **kwargs):
        notice = notice_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        return super().get_context_data(notice=notice, **kwargs)


class LibraryView(ClampedPageMixin, DeskView, ListView):
    """The reference library: search over title, number, summary and issuer, filter by category."""

    nav_section = "library"
    context_object_name = "documents"
    paginate_by = 20

    @cached_property
    def form(self) -> LibrarySearchForm:
        form = LibrarySearchForm(self.request.GET or None)
        form.is_valid()
        return form

    def get_queryset(self):
        data = getattr(self.form, "cleaned_data", {})
        return reference_document_list_for_user(
            user=self.request.user, q=data.get("q", ""), category=data.get("category", "")
        )

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        counts = reference_category_counts()
        return super().get_context_data(
            form=self.form,
            querystring=query.urlencode(),
            categories=[(value, label, counts[value]) for value, label in ReferenceDocument.Category.choices],
            category=getattr(self.form, "cleaned_data", {}).get("category", ""),
            **kwargs,
        )


class LibraryDownloadView(DeskView, View):
    file_gone = FILE_GONE

    def get(self, request, pk):
        document = reference_document_get_for_user(user=request.user, pk=pk)
        if not document.file:
            raise Http404(self.file_gone)
        extension = os.path.splitext(document.file.name)[1]
        name = re.sub(r'[\\/:*?"<>|]+', "-", document.number or document.title)
        return file_response(document.file, name=f"{name}{extension}")
