"""The bureau's desk: the branch's question queue and answers, notices, and the reference library."""

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
from accounts.uploads import SIGNATURES
from farms.models import Question, ReferenceDocument
from farms.selectors_desk import (
    desk_attachment_get_for_user,
    notice_get_for_user,
    notice_list_for_user,
    question_counts_for_user,
    question_get_for_user,
    question_messages,
    question_queue_for_user,
    reference_category_counts,
    reference_document_get_for_user,
    reference_document_list_for_user,
)
from farms.services.desk import (
    notice_publish,
    notice_update,
    question_close,
    question_reply,
    reference_document_add,
)

from .forms import AnswerForm, LibrarySearchForm, NoticeForm, ReferenceDocumentForm

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


class AnswerMixin(RuleRequiredMixin):
    permission_required = "farms.answer_questions"
    nav_section = "desk"


class QuestionQueueView(AnswerMixin, ListView):
    """Questions to the branch (all branches, for a manager): awaiting an answer first."""

    template_name = "portal_ciq/desk/question_queue.html"
    context_object_name = "questions"
    paginate_by = 25

    @cached_property
    def status(self) -> str:
        status = self.request.GET.get("status", "")
        return status if status in Question.Status.values else ""

    def get_queryset(self):
        return question_queue_for_user(user=self.request.user, status=self.status)

    def get_context_data(self, **kwargs):
        counts = question_counts_for_user(user=self.request.user)
        return super().get_context_data(
            status=self.status,
            tabs=[(value, label, counts[value]) for value, label in Question.Status.choices],
            total=counts["all"],
            querystring=f"status={self.status}" if self.status else "",
            **kwargs,
        )


class QuestionDetailView(AnswerMixin, FormView):
    """One thread as a conversation, with the answer form while it is not closed."""

    template_name = "portal_ciq/desk/question_detail.html"
    form_class = AnswerForm

    @cached_property
    def question(self) -> Question:
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
        messages.success(self.request, _("Your answer has been sent; the enterprise is told by e-mail."))
        url = reverse("portal_ciq:question_detail", args=[self.question.pk])
        return redirect(f"{url}#message-{message.pk}")


class QuestionCloseView(AnswerMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        question = question_get_for_user(user=request.user, pk=pk)
        try:
            question_close(actor=request.user, question=question)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The question is closed."))
        return redirect("portal_ciq:question_detail", pk=pk)


class AttachmentView(AnswerMixin, View):
    def get(self, request, pk):
        attachment = desk_attachment_get_for_user(user=request.user, pk=pk)
        return file_response(
            attachment.file,
            name=attachment.original_name,
            content_type=attachment.content_type,
            inline="download" not in request.GET,
        )


class ReaderMixin(RuleRequiredMixin):
    """Notices and the library: for every user of the bureau portal."""

    permission_required = "portal_ciq.access"


class NoticeListView(ReaderMixin, ListView):
    nav_section = "notices"
    template_name = "portal_ciq/desk/notice_list.html"
    context_object_name = "notices"
    paginate_by = 15

    def get_queryset(self):
        return notice_list_for_user(user=self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            recent=timezone.localdate() - dt.timedelta(days=NEW_NOTICE_DAYS), **kwargs
        )


class NoticeDetailView(ReaderMixin, TemplateView):
    nav_section = "notices"
    template_name = "portal_ciq/desk/notice_detail.html"

    def get_context_data(self, **kwargs):
        notice = notice_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        return super().get_context_data(notice=notice, **kwargs)


class _NoticeFormView(RuleRequiredMixin, FormView):
    permission_required = "farms.publish"
    nav_section = "notices"
    template_name = "portal_ciq/desk/notice_form.html"
    form_class = NoticeForm
    notice = None

    def form_valid(self, form):
        try:
            notice = self.save(form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Notice saved: %(title)s.") % {"title": notice.title})
        return redirect("portal_ciq:notice_detail", pk=notice.pk)


class NoticeCreateView(_NoticeFormView):
    def save(self, data):
        return notice_publish(actor=self.request.user, **data)


class NoticeEditView(_NoticeFormView):
    @cached_property
    def notice(self):
        return notice_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def get_initial(self):
        n = self.notice
        return {"title": n.title, "body": n.body, "published_on": n.published_on, "is_pinned": n.is_pinned}

    def get_context_data(self, **kwargs):
        return super().get_context_data(notice=self.notice, **kwargs)

    def save(self, data):
        return notice_update(actor=self.request.user, notice=self.notice, **data)


class LibraryView(ReaderMixin, ListView):
    """The reference library: search over title, number, summary and issuer, filter by category."""

    nav_section = "library"
    template_name = "portal_ciq/desk/library.html"
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


class LibraryAddView(RuleRequiredMixin, FormView):
    permission_required = "farms.publish"
    nav_section = "library"
    template_name = "portal_ciq/desk/library_form.html"
    form_class = ReferenceDocumentForm

    def form_valid(self, form):
        try:
            document = reference_document_add(actor=self.request.user, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Added to the library: %(title)s.") % {"title": document.title})
        return redirect("portal_ciq:library")


class LibraryDownloadView(ReaderMixin, View):
    def get(self, request, pk):
        document = reference_document_get_for_user(user=request.user, pk=pk)
        if not document.file:
            raise Http404(FILE_GONE)
        extension = os.path.splitext(document.file.name)[1]
        name = re.sub(r'[\\/:*?"<>|]+', "-", document.number or document.title)
        return file_response(document.file, name=f"{name}{extension}")
