"""The HTTP side of tag-read ingestion, for bridges that reach only the web server.

The same payloads as the Celery tasks (rfid_bridge.protocol); the device's HMAC signature is the
authentication, so there is no session and no CSRF token. The reads are ingested in the request,
also in production: the bridge forgets reads on a 2xx answer, so the answer must come after the
commit (a queued task could still be lost with a worker killed at the wrong moment). One batch is
one multi-row insert, well within a request. Heartbeats lose nothing when lost, so they are queued.
"""

import json

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.access import public
from rfid_bridge import protocol

from .services import ingest
from .tasks import bridge_heartbeat

MAX_BODY = 4 * 1024 * 1024  # 5,000 reads of the protocol fit in well under this


def _body(request):
    if len(request.body) > MAX_BODY:
        return None, JsonResponse({"error": "payload too large"}, status=413)
    try:
        return json.loads(request.body), None
    except (ValueError, UnicodeDecodeError):
        return None, JsonResponse({"error": "body is not JSON"}, status=400)


def _check(payload, problems):
    """Refuse before queueing what a worker would refuse anyway (kept as RejectedPayload)."""
    try:
        ingest.check_signed(payload, problems)
    except ingest.Refused as exc:
        status = 400 if problems else 403
        return JsonResponse({"error": str(exc)}, status=status)
    return None


@csrf_exempt
@require_POST
@public
def reads(request):
    payload, error = _body(request)
    if error:
        return error
    refused = _check(payload, protocol.validate_reads(payload))
    if refused:
        return refused
    return JsonResponse(ingest.reads_ingest(payload).as_dict())


@csrf_exempt
@require_POST
@public
def heartbeat(request):
    payload, error = _body(request)
    if error:
        return error
    refused = _check(payload, protocol.validate_heartbeat(payload))
    if refused:
        return refused
    bridge_heartbeat.delay(payload)
    return JsonResponse({"ok": True}, status=202)
