"""Session bookkeeping: infrastructure, not business rules, so signals are the right tool."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from .client_ip import client_ip
from .services import user_session_forget, user_session_record
from .sessions import session_renewed


@receiver(user_logged_in, dispatch_uid="accounts.session_record")
def _record_session(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    # Saved with the log-in: the first pages after it need not write the session again.
    session_renewed(request.session)
    if request.session.session_key is None:
        request.session.save()
    user_session_record(
        user=user,
        session_key=request.session.session_key,
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )


@receiver(user_logged_out, dispatch_uid="accounts.session_forget")
def _forget_session(sender, request, user, **kwargs):
    if request is not None and getattr(request, "session", None) and request.session.session_key:
        user_session_forget(session_key=request.session.session_key)
