"""What both portals and the public page share about certificates: the PDF and its warning."""

from django.http import HttpResponse
from django.utils.translation import gettext as _

from quarantine.models import Certificate
from quarantine.pdf import certificate_pdf
from quarantine.selectors import certificate_check


def warning_of(check) -> str:
    """The words printed across a certificate that is not (or no longer) good."""
    if check.state == "altered":
        return _("ALTERED — INVALID")
    if check.state in ("void", "replaced"):
        return _("VOID")
    return ""


def certificate_pdf_response(certificate: Certificate) -> HttpResponse:
    check = certificate_check(certificate)
    response = HttpResponse(
        certificate_pdf(certificate, warning=warning_of(check)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{certificate.number}.pdf"'
    return response
