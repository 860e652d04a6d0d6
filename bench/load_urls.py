"""The project's URLs plus the floor of the load benchmark: a bare view behind the same login.

The floor goes through every middleware and the same session handling as a real screen (the
session is read, the user loaded, the expiry pushed forward as ``SESSION_SAVE_EVERY_REQUEST``
says) and then does nothing: what Django and this stack cost per request on this machine. Only
``bench/load_settings.py`` points at this module.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from config import urls as project

handler403 = project.handler403
handler404 = project.handler404
handler500 = project.handler500

FLOOR_PATH = "bench/floor/"


@login_required
def floor(request):
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


urlpatterns = [path(FLOOR_PATH, floor, name="bench_floor"), *project.urlpatterns]
