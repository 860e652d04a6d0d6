"""Template tags both portals use: the open-alerts count of the navigation, and a farm's restrictions."""

from django import template

from ..selectors import alert_open_count_for_user, restrictions_for_farm

register = template.Library()


@register.simple_tag(takes_context=True)
def open_alert_count(context) -> int:
    """Return how many alerts in the user's scope are open: one indexed COUNT, once a request."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    if not hasattr(request, "_open_alert_count"):
        request._open_alert_count = alert_open_count_for_user(user=user)
    return request._open_alert_count


@register.inclusion_tag("surveillance/_restriction_banner.html", takes_context=True)
def farm_restrictions(context, farm, detail_url: str = ""):
    """A banner naming the active zones ``farm`` lies in (nothing when it lies in none)."""
    return {
        "farm": farm,
        "restrictions": restrictions_for_farm(farm=farm),
        "detail_url": detail_url,
        "request": context.get("request"),
    }


@register.inclusion_tag("surveillance/_restricted_badge.html")
def restricted_badge(restricted):
    """A small red badge for a farm in an active zone (lists annotate ``restricted``)."""
    return {"restricted": restricted}


# One Bootstrap icon per kind of alert, so the centre reads at a glance.
ICONS = {
    "farm_in_zone": "sign-stop",
    "banned_substance": "capsule",
    "reader_silent": "broadcast-pin",
    "lab_positive": "eyedropper",
    "off_route": "sign-turn-right",
    "long_stop": "stopwatch",
    "signal_lost": "reception-0",
    "running_late": "hourglass-split",
    "zone_entered": "truck",
    "seal_mismatch": "lock",
    "discrepancy": "clipboard-x",
    "overnight": "moon-stars",
    "certificate_expiring": "file-earmark-medical",
}


@register.filter
def alert_icon(kind: str) -> str:
    return ICONS.get(kind, "exclamation-triangle")
