"""The navigation's count of banned-substance alerts still waiting for the user."""

from django import template

from livestock.selectors import alert_list_for_user

register = template.Library()


@register.simple_tag(takes_context=True)
def open_alert_count(context) -> int:
    """Return how many alerts in the user's scope are not yet handled (one COUNT, once a request)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("livestock.handle_alerts"):
        return 0
    # Every page of the portal shows the badge: count once per request, on the indexed columns.
    if not hasattr(request, "_open_alert_count"):
        request._open_alert_count = alert_list_for_user(user=user).filter(handled_at__isnull=True).count()
    return request._open_alert_count
