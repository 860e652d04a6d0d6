"""The HTTP side of tag-read ingestion, for bridges that reach only the web server.

The same payloads as the Celery tasks (rfid_bridge.protocol); the device's HMAC signature is the
authentication, so there is no session and no CSRF token. The reads are ingested in the request,
also in production: the bridge forgets reads on a 2xx answer, so the answer must come after the
commit (a queued task could still be lost with a worker killed at the wrong moment). One batch is
one multi-row insert, well within a request. Heartbeats lose nothing when lost, so they are queued.

Every answer to a POST is JSON. A request that is not a payload signed by a registered device stores
nothing: 400 (not JSON: too large, too deep, NaN…) or 403 (unsigned, unknown device, bad
signature), counted and logged; an address that keeps sending such requests is answered 429 for a
while (services.refusals). A signed payload that is refused all the same (revoked reader, bad
schema, heartbeat time out of range) is kept (services.ingest) and answered 400 or 403. Reads
refused one by one (their time) are named in the 200 answer of the batch, which the bridge takes
as the acknowledgement of all of it.
"""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts import jsoninput
from accounts.access import public
from accounts.client_ip import client_ip

from .services import ingest, refusals
from .tasks import bridge_heartbeat

log = logging.getLogger(__name__)

MAX_BODY = 4 * 1024 * 1024  # 5,000 reads of the protocol fit in well under this
MAX_DEPTH = 6  # a reads payload nests 3 levels, a heartbeat 2


def _held_off(address: str | None) -> JsonResponse:
    refusals.refusal_count("rate_limited")
    response = JsonResponse(
        {"error": "too many refused requests from this address; try again later"}, status=429
    )
    response["Retry-After"] = str(settings.LIVESTOCK_API_FAILURE_WINDOW_S)
    return response


def _failed(address: str | None, reason: str, message: str, status: int, device: str = "") -> JsonResponse:
    if refusals.failure_record(address, device):
        log.warning(
            "bridge API: %s%s held off for %s s after repeated refusals (last: %s)",
            address,
            f" (device {device})" if device else "",
            settings.LIVESTOCK_API_FAILURE_WINDOW_S,
            reason,
        )
    return JsonResponse({"error": message}, status=status)


def _authenticated(request):
    """``(payload, device, None)`` for a payload a registered device signed, else ``(…, error)``."""
    address = client_ip(request)
    if refusals.is_held_off(address):
        return None, None, _held_off(address)
    try:
        body = request.body
    except RequestDataTooBig:
        body = None
    if body is None or len(body) > MAX_BODY:
        refusals.refusal_count("malformed")
        return None, None, _failed(address, "malformed", "payload too large", 413)
    try:
        payload = jsoninput.loads(body, max_depth=MAX_DEPTH)
    except jsoninput.JSONInputError as exc:
        refusals.refusal_count("malformed")
        log.warning("bridge API: body refused, nothing kept (%s): %s", address, exc.reason)
        return None, None, _failed(address, "malformed", f"body is not acceptable JSON: {exc.reason}", 400)
    code = payload.get("device") if isinstance(payload, dict) else None
    if isinstance(code, str) and refusals.is_held_off(address, code):
        return None, None, _held_off(address)
    try:
        device = ingest.device_authenticate(payload)
    except ingest.Unauthenticated as exc:
        status = 400 if exc.reason == "malformed" else 403
        # One misconfigured bridge must not hold off the other readers behind the same address.
        per_device = code if exc.reason == "bad_signature" else ""
        return None, None, _failed(address, exc.reason, str(exc), status, per_device)
    return payload, device, None


def _refused(exc: ingest.Refused) -> JsonResponse:
    status = 403 if str(exc) == "device revoked" else 400
    return JsonResponse({"error": str(exc)}, status=status)


@csrf_exempt
@require_POST
@public
def reads(request):
    payload, device, error = _authenticated(request)
    if error:
        return error
    try:
        result = ingest.reads_ingest(payload, device=device)
    except ingest.Refused as exc:
        return _refused(exc)
    return JsonResponse(result.as_dict())


@csrf_exempt
@require_POST
@public
def heartbeat(request):
    payload, device, error = _authenticated(request)
    if error:
        return error
    try:
        ingest.heartbeat_check(payload, device=device)
    except ingest.Refused as exc:
        return _refused(exc)
    bridge_heartbeat.delay(payload)
    return JsonResponse({"ok": True}, status=202)
