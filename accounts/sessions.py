"""The inactivity timeout without a write on every request.

``SESSION_SAVE_EVERY_REQUEST`` would push a session's expiry forward on every request, and so
make every page a write (the session's row and its cache entry). Instead the session keeps the
time its expiry was last pushed, and is saved again only when that is more than
``SESSION_RENEW_AFTER_S`` ago (a minute by default). A session therefore ends at most
``SESSION_COOKIE_AGE`` after its last request and never later; it may end up to
``SESSION_RENEW_AFTER_S`` earlier, which a thirty-minute timeout does not notice.
"""

import time

from django.conf import settings

RENEWED_KEY = "_renewed_at"


def session_renewed(session) -> None:
    """Note that ``session`` is being saved now (its expiry pushed forward)."""
    session[RENEWED_KEY] = int(time.time())


class SessionRenewMiddleware:
    """Mark the session modified when its expiry was last pushed too long ago (after SessionMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # An anonymous visitor has no session worth keeping alive; a session the view changed is
        # saved anyway (and renewed with it).
        if session is None or session.is_empty():
            return response
        renewed = session.get(RENEWED_KEY)
        stale = not isinstance(renewed, int) or time.time() - renewed >= settings.SESSION_RENEW_AFTER_S
        if session.modified or stale:
            session_renewed(session)
        return response
