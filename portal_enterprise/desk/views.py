"""The enterprise's desk: its questions to the branch, the bureau's notices, the reference library.

The views both portals share are portal_shared.desk's; the enterprise declares its own here and
adds what only it does: asking a question.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from accounts.access import RuleRequiredMixin
from accounts.errors import DomainError
from farms.selectors import farm_list_for_user
from farms.selectors_desk import question_list_for_user
from farms.services.desk import question_ask
from portal_shared import desk
from portal_shared.desk import form_error

from .forms import QuestionForm, ReplyForm

NAMESPACE = "portal_enterprise"
TEMPLATES = "portal_enterprise/desk"


class DeskMixin:
    namespace = NAMESPACE
    permission_required = "farms.apply"


class ReaderMixin:
    """Notices and the library: for every user of this portal."""

    namespace = NAMESPACE
    permission_required = "portal_enterprise.access"


class QuestionListView(DeskMixin, desk.QuestionListView):
    """The enterprise's threads with its branch, newest activity first; answered ones stand out."""

    template_name = f"{TEMPLATES}/question_list.html"
    questions = staticmethod(question_list_for_user)


class QuestionCreateView(DeskMixin, RuleRequiredMixin, FormView):
    nav_section = "desk"
    template_name = f"{TEMPLATES}/question_form.html"
    form_class = QuestionForm

    def get_form_kwargs(self):
        farms = farm_list_for_user(user=self.request.user).order_by("name_zh")
        return {**super().get_form_kwargs(), "farms": farms}

    def get_context_data(self, **kwargs):
        return super().get_context_data(branch=self.request.user.organisation.branch, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            question = question_ask(
                actor=self.request.user,
                subject=data["subject"],
                body=data["body"],
                farm=data["farm"],
                files=data["files"],
            )
        except DomainError as exc:
            form_error(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Your question has been sent to %(branch)s.") % {"branch": question.branch}
        )
        return redirect("portal_enterprise:question_detail", pk=question.pk)


class QuestionDetailView(DeskMixin, desk.QuestionDetailView):
    """One thread as a conversation, with the follow-up form while it is open."""

    template_name = f"{TEMPLATES}/question_detail.html"
    form_class = ReplyForm
    sent = _("Your message has been sent.")


class QuestionCloseView(DeskMixin, desk.QuestionCloseView):
    closed = _("The question is closed. Thank you.")


class AttachmentView(DeskMixin, desk.AttachmentView):
    pass


class NoticeListView(ReaderMixin, desk.NoticeListView):
    template_name = f"{TEMPLATES}/notice_list.html"


class NoticeDetailView(ReaderMixin, desk.NoticeDetailView):
    template_name = f"{TEMPLATES}/notice_detail.html"


class LibraryView(ReaderMixin, desk.LibraryView):
    template_name = f"{TEMPLATES}/library.html"


class LibraryDownloadView(ReaderMixin, desk.LibraryDownloadView):
    file_gone = _("The file is no longer available; ask the bureau to upload it again.")
