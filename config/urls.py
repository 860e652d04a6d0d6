"""The project's URLs: the front door, the two portals, the admin site and the language switch."""

from importlib import import_module

from django.apps import apps
from django.contrib import admin
from django.urls import include, path
from django.utils.module_loading import module_has_submodule
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from accounts.access import public
from accounts.views import HomeView
from portal_shared import verification

from .views import health

# django-leaflet's admin module imports GeoDjango, which needs GDAL; the project keeps GDAL
# out, so admin modules are discovered here for every app but that one.
ADMIN_SKIP = {"leaflet"}
for app_config in apps.get_app_configs():
    if app_config.name not in ADMIN_SKIP and module_has_submodule(app_config.module, "admin"):
        import_module(f"{app_config.name}.admin")

admin.site.site_header = admin.site.site_title = "供港活畜信息管理系统 · Admin"

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz", health, name="health"),
    path("accounts/", include("accounts.urls")),
    path("enterprise/", include("portal_enterprise.urls")),
    path("bureau/", include("portal_ciq.urls")),
    # Only a POST switches the language; any other method would only send the visitor on.
    path("i18n/setlang/", public(require_POST(set_language)), name="set_language"),
    path("admin/", admin.site.urls),
    # Certificate verification for anyone (quarantine): the page, the QR code's URL, the keys.
    path("verify/", verification.verify_page, name="certificate_verify"),
    path("V/<str:payload>", verification.verify_qr, name="certificate_verify_qr"),
    path(
        ".well-known/hk-livestock/certificate-keys.json",
        verification.certificate_keys,
        name="certificate_keys",
    ),
    # What rfid_bridge posts to (rfid_bridge.protocol.READS_PATH and HEARTBEAT_PATH).
    path("api/bridge/", include("livestock.urls")),
    # What the trucks' GPS units post to (transit.api).
    path("api/gps/", include("transit.urls")),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
