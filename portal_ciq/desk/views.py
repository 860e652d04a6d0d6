"""The bureau's desk: the branch's question queue and answers, notices, and the reference library.

The views both portals share are portal_shared.desk's; the bureau declares its own here and adds
what only it does: publishing notices and adding to the library.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from accounts.access import RuleRequiredMixin
from accounts.errors import DomainError
from farms.selectors_desk import notice_get_for_user, question_queue_for_user
from farms.services.desk import notice_publish, notice_update, reference_document_add
from portal_shared import desk
from portal_shared.desk import form_error

from .forms import AnswerForm, NoticeForm, ReferenceDocumentForm

NAMESPACE = "portal_ciq"
TEMPLATES = "portal_ciq/desk"


class AnswerMixin:
    namespace = NAMESPACE
    permission_required = "farms.answer_questions"


class ReaderMixin:
    """Notices and the library: for every user of the bureau portal."""

    namespace = NAMESPACE
    permission_required = "portal_ciq.access"


class QuestionQueueView(AnswerMixin, desk.QuestionListView):
    """Questions to the branch (all branches, for a manager): awaiting an answer first."""

    template_name = f"{TEMPLATES}/question_queue.html"
    questions = staticmethod(question_queue_for_user)
    paginate_by = 25


class QuestionDetailView(AnswerMixin, desk.QuestionDetailView):
    template_name = f"{TEMPLATES}/question_detail.html"
    form_class = AnswerForm
    sent = _("Your answer has been sent; the enterprise is told by e-mail.")


class QuestionCloseView(AnswerMixin, desk.QuestionCloseView):
    pass


class AttachmentView(AnswerMixin, desk.AttachmentView):
    pass


class NoticeListView(ReaderMixin, desk.NoticeListView):
    template_name = f"{TEMPLATES}/notice_list.html"


class NoticeDetailView(ReaderMixin, desk.NoticeDetailView):
    template_name = f"{TEMPLATES}/notice_detail.html"


class LibraryView(ReaderMixin, desk.LibraryView):
    template_name = f"{TEMPLATES}/library.html"


class LibraryDownloadView(ReaderMixin, desk.LibraryDownloadView):
    pass


class _NoticeFormView(RuleRequiredMixin, FormView):
    permission_required = "farms.publish"
    nav_section = "notices"
    template_name = f"{TEMPLATES}/notice_form.html"
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


class LibraryAddView(RuleRequiredMixin, FormView):
    permission_required = "farms.publish"
    nav_section = "library"
    template_name = f"{TEMPLATES}/library_form.html"
    form_class = ReferenceDocumentForm

    def form_valid(self, form):
        try:
            document = reference_document_add(actor=self.request.user, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Added to the library: %(title)s.") % {"title": document.title})
        return redirect("portal_ciq:library")
