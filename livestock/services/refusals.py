"""What the bridge API refuses without storing anything: counted per reason, and failing addresses held off.

A request that is not JSON, not signed, from a device we do not know or with a bad signature may
come from anyone, so nothing of it is stored (services.ingest). It is logged, counted per reason
and per day in the cache (the bureau's readers page shows the counts) and, over HTTP, counted
against the address it came from: after LIVESTOCK_API_FAILURE_LIMIT such refusals within
LIVESTOCK_API_FAILURE_WINDOW_S the address is answered 429 until the window ends, without parsing
or looking anything up.

The limiter is the fixed-window counter that django-ratelimit uses (``cache.add`` then
``cache.incr``, atomic on Redis), written out here in a few lines because it counts only refused
requests: request-rate limiters (django-ratelimit, DRF's throttles) count every request before the
view knows whether it will fail, and a busy gate's bridge posts several a second. A bad signature
from a registered device is counted against that device at that address, so that one
misconfigured bridge behind a site's NAT does not lock out the other readers there.
"""

import datetime as dt
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

REASONS = {
    "malformed": _("not JSON, or not a payload"),
    "unsigned": _("not signed"),
    "unknown_device": _("unknown device"),
    "bad_signature": _("bad signature"),
    "rate_limited": _("held off after repeated refusals"),
}
DAYS_KEPT = 8  # the page shows today and the last seven days


def _day_key(day: dt.date, reason: str) -> str:
    return f"livestock:bridge-refused:{day:%Y%m%d}:{reason}"


def refusal_count(reason: str) -> None:
    """Count one request refused for ``reason`` (one of REASONS) today."""
    key = _day_key(timezone.localdate(), reason)
    cache.add(key, 0, timeout=DAYS_KEPT * 86400)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=DAYS_KEPT * 86400)


def refusal_counts() -> list[dict]:
    """Each reason with its label and its counts today and over the last seven days."""
    today = timezone.localdate()
    days = [today - dt.timedelta(days=n) for n in range(7)]
    found = cache.get_many([_day_key(day, reason) for day in days for reason in REASONS])
    rows = []
    for reason, label in REASONS.items():
        counts = [found.get(_day_key(day, reason), 0) for day in days]
        rows.append({"reason": reason, "label": label, "today": counts[0], "week": sum(counts)})
    return rows


def _window_key(address: str, device: str) -> str:
    window = int(time.time() // settings.LIVESTOCK_API_FAILURE_WINDOW_S)
    return f"livestock:bridge-failures:{window}:{address}:{device}"


def is_held_off(address: str | None, device: str = "") -> bool:
    """Whether ``address`` (for ``device``, when given) has failed too often in this window."""
    count = cache.get(_window_key(address or "?", device), 0)
    return count >= settings.LIVESTOCK_API_FAILURE_LIMIT


def failure_record(address: str | None, device: str = "") -> bool:
    """Count one unauthenticated refusal; return True when it reaches the limit (log it once)."""
    key = _window_key(address or "?", device)
    cache.add(key, 0, timeout=settings.LIVESTOCK_API_FAILURE_WINDOW_S)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=settings.LIVESTOCK_API_FAILURE_WINDOW_S)
        count = 1
    return count == settings.LIVESTOCK_API_FAILURE_LIMIT
