"""Project-wide views: the health check and the error pages."""

from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from accounts.access import public


@public
@never_cache
def health(request):
    """Answer 200 when the database answers (for load balancers and compose health checks)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    # No context processors that might fail again: a plain template with the minimum.
    return render(request, "errors/500.html", status=500)
