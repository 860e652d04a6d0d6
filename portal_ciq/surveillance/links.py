"""Where an alert's "open" link goes in the bureau portal, by the kind of record that raised it.

The alerts centre stores what an alert is about generically (a content type and an id); the
portal, which knows its own pages, turns that into a link. A later step that raises alerts
about its own records (a consignment, a trip) adds one line here.
"""

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# app_label.model -> (URL name, how to get the URL's argument from the alert, label)
SUBJECTS = {
    "surveillance.diseasereport": ("portal_ciq:report_detail", lambda a: a.subject_id, _("Outbreak report")),
    "livestock.substancealert": ("portal_ciq:herd_farm", lambda a: a.farm_id, _("The farm's herd")),
    "livestock.readerdevice": ("portal_ciq:reader_detail", lambda a: a.subject_id, _("The reader")),
    "farms.farm": ("portal_ciq:farm_detail", lambda a: a.subject_id, _("The farm")),
}


def subject_link(alert) -> tuple[str, str] | None:
    """Return (url, label) of the page about what ``alert`` is about, or None."""
    if alert.subject_type_id:
        label = ContentType.objects.get_for_id(alert.subject_type_id)  # cached after the first
        found = SUBJECTS.get(f"{label.app_label}.{label.model}")
        if found is not None:
            name, argument, text = found
            return reverse(name, args=[argument(alert)]), str(text)
    if alert.farm_id:
        return reverse("portal_ciq:farm_detail", args=[alert.farm_id]), str(_("The farm"))
    return None
