"""How often one address, and one e-mail address, may ask for a password reset.

django-axes throttles log-ins; a reset request is no log-in, so axes does not see it. Each request
is counted against the client's address and against the e-mail address typed (hashed, whether or
not a user has it, so the limit reveals nothing), in a fixed window on the shared cache
(``cache.add`` then ``cache.incr``, atomic on Redis), as livestock.services.refusals counts the
bridge API's refusals. django-ratelimit would do the same with a decorator, but only per request
attribute, not per form field after validation, and it would be a dependency for ten lines.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache


def _count(key: str, window: int) -> int:
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def password_reset_allowed(*, address: str | None, email: str) -> bool:
    """Count one reset request; return False once the address or the e-mail went over its limit."""
    window = settings.PASSWORD_RESET_WINDOW_S
    slot = int(time.time() // window)
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    by_address = _count(f"accounts:reset:{slot}:ip:{address or '?'}", window)
    by_email = _count(f"accounts:reset:{slot}:email:{digest}", window)
    return (
        by_address <= settings.PASSWORD_RESET_LIMIT_PER_IP
        and by_email <= settings.PASSWORD_RESET_LIMIT_PER_EMAIL
    )


def password_reset_window_minutes() -> int:
    """The length of the throttle's window, in minutes (for the message)."""
    return max(1, settings.PASSWORD_RESET_WINDOW_S // 60)
