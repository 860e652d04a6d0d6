"""The address a request came from, for lock-outs and the log-in record.

Behind a reverse proxy every request comes from the proxy's own address; the proxy appends
the address it saw to X-Forwarded-For. Only the right-most ``TRUSTED_PROXY_COUNT`` entries
were written by proxies we run, so that entry is the client: entries further left are
whatever the client chose to send and cannot be trusted.
"""

from django.conf import settings


def client_ip(request) -> str | None:
    """Return the client's address, read through the trusted proxies (settings.TRUSTED_PROXY_COUNT)."""
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")
