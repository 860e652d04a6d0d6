"""Verification anyone can do: the public page, the QR code's URL, and the published keys.

No log-in; each address gets QUARANTINE_VERIFY_LIMIT look-ups per window, then a 429. The page
shows just enough to match a truck (number, state, validity, species, head count, farm's
registration number, exit port) and nothing private (no consignee, contact or tags).

The page of a certificate is kept rendered (``accounts.pagecache.serve``: until a table it read
is written, for one URL, language and day) — after the look-up is counted against the address,
so a page from the cache never escapes the limit.
"""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from accounts import pagecache
from accounts.access import public
from accounts.client_ip import client_ip
from farms.models import Species
from quarantine import compact, keys
from quarantine.selectors import certificate_by_number, certificate_check, certificate_for_public

TEMPLATE = "quarantine/verify.html"


def _limited(request) -> bool:
    """Count this look-up against the address; True once it is over the limit."""
    key = f"quarantine:verify:{client_ip(request) or 'unknown'}"
    window = settings.QUARANTINE_VERIFY_WINDOW_S
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, window)
        count = 1
    return count > settings.QUARANTINE_VERIFY_LIMIT


def _too_many(request):
    response = render(
        request,
        TEMPLATE,
        {"error": _("Too many look-ups from your address; try again in a few minutes.")},
        status=429,
    )
    response["Retry-After"] = str(settings.QUARANTINE_VERIFY_WINDOW_S)
    return response


def _facts(certificate) -> dict:
    content = certificate.content
    return {
        "number": certificate.number,
        "issued": content.get("issued_at", "")[:10],
        "valid_until": content.get("valid_until", ""),
        "species": Species(content["species"]).label if content.get("species") in Species.values else "",
        "head_count": content.get("head_count"),
        "farm": content.get("farm", {}).get("registration", ""),
        "exit_port": content.get("exit_port", {}),
        "issuer": content.get("issuer", {}),
        "void_reason": certificate.void_reason,
        "replaced_by": getattr(getattr(certificate, "replaced_by", None), "number", ""),
    }


@public
@require_GET
def verify_page(request):
    """The form (number and token), and its answer."""
    number = request.GET.get("number", "").strip()
    token = request.GET.get("token", "").strip()
    if (number or token) and _limited(request):
        return _too_many(request)
    if request.headers.get("HX-Request") or pagecache._has_messages(request):
        return _verify_answer(request, number, token)
    # The state shown depends on the published keys (a retired key no longer listed makes a
    # certificate "altered") and on the day ("expired"): both are in the key.
    key_ids = ",".join(sorted(keys.public_keys()))
    return pagecache.serve(
        request,
        lambda db: pagecache.public_page_key(request, db, "verify_page", key_ids),
        lambda: _verify_answer(request, number, token),
    )


def _verify_answer(request, number: str, token: str):
    context = {"number": number, "token": token}
    if number or token:
        certificate = certificate_for_public(number=number, token=token) if number and token else None
        if certificate is None:
            context["error"] = _(
                "No certificate %(number)s with that token. Check both against the paper certificate."
            ) % {"number": number or "—"}
        else:
            check = certificate_check(certificate)
            context.update(check=check, facts=_facts(certificate))
    status = 404 if context.get("error") else 200
    # A TemplateResponse: the page cache renders it with a placeholder for the CSRF token of
    # the language switch, replaced on every response by the request's own.
    return TemplateResponse(request, TEMPLATE, context, status=status)


@public
@require_GET
def verify_qr(request, payload: str):
    """What the QR code opens: the payload's signature checked, then the certificate as stored."""
    if _limited(request):
        return _too_many(request)
    context = {"from_qr": True}
    try:
        essentials = compact.payload_verify(payload, keys.public_keys())
    except compact.PayloadError:
        context["error"] = _(
            "This QR code is not a certificate of the bureau: "
            "its signature does not hold (forged or altered)."
        )
        return render(request, TEMPLATE, context, status=400)
    certificate = certificate_by_number(number=essentials.number)
    if certificate is None:
        context["error"] = _("The QR code is signed, but certificate %(number)s is not on record.") % {
            "number": essentials.number
        }
        return render(request, TEMPLATE, context, status=404)
    check = certificate_check(certificate)
    if certificate.qr_payload != payload.upper().rstrip("="):
        check.problems.append(_("The QR code differs from the one issued with this certificate."))
        check.state = "altered"
    context.update(check=check, facts=_facts(certificate))
    return render(request, TEMPLATE, context)


@public
@require_GET
@cache_control(max_age=3600, public=True)
def certificate_keys(request) -> HttpResponse:
    """The bureau's public keys (current and retired) as a JSON Web Key Set."""
    return JsonResponse(keys.published(), json_dumps_params={"indent": 1})
