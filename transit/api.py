"""The GPS units' API: positions in as JSON batches or NMEA 0183 sentences (RMC, GGA).

A unit authenticates with its own token (``Authorization: Bearer <token>``; the server keeps only
its sha256, found by its first 8 characters: services.journeys.unit_authenticate); there is no
session and no CSRF token. Every answer is JSON:

- 403: no token, an unknown token, or an inactive unit — nothing stored;
- 413 / 400: a body too large, not acceptable JSON (accounts.jsoninput: NaN, too deep, NUL…),
  not UTF-8, or not the expected shape — nothing stored;
- 200: the batch was read; the answer says how many points were ``received``, ``stored``,
  ``duplicates`` (already held: the unit may forget them), and lists the points ``flagged``
  (stored, but they do not move the truck: ``out_of_order``, ``jump``) and ``refused`` (not stored,
  with the reason: ``future``, ``too_old``, ``bad_position``, ``bad_checksum``…). The unit takes
  a 200 as the acknowledgement of the whole batch.

An address that keeps failing authentication is answered 429 for a while, with the bridge API's
counter (livestock.services.refusals).
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts import jsoninput
from accounts.access import public
from accounts.client_ip import client_ip
from livestock.services import refusals

from .models import GpsPoint
from .services import journeys

MAX_BODY = 2 * 1024 * 1024  # 5,000 points of JSON or 10,000 sentences fit well within it
MAX_DEPTH = 4  # {"points": [{…}]} nests 3 levels


def _token(request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _authenticated(request):
    """``(unit, body, None)`` for a request of an active unit, else ``(None, None, answer)``."""
    address = client_ip(request)
    if refusals.is_held_off(address):
        refusals.refusal_count("rate_limited")
        response = JsonResponse({"error": "too many refused requests from this address"}, status=429)
        response["Retry-After"] = str(settings.LIVESTOCK_API_FAILURE_WINDOW_S)
        return None, None, response
    try:
        unit = journeys.unit_authenticate(_token(request))
    except journeys.Unauthenticated as exc:
        refusals.failure_record(address)
        return None, None, JsonResponse({"error": str(exc)}, status=403)
    try:
        body = request.body
    except RequestDataTooBig:
        body = None
    if body is None or len(body) > MAX_BODY:
        return None, None, JsonResponse({"error": "payload too large"}, status=413)
    return unit, body, None


# CSRF protects cookie sessions; a GPS unit has none: it authenticates every request with its
# own Bearer token (_authenticated), so no browser can post on a user's behalf here.
@csrf_exempt
@require_POST
@public
def points(request):
    """A JSON batch: ``{"points": [{"time": ISO 8601 with zone or epoch s, "lat", "lng", …}]}``."""
    unit, body, error = _authenticated(request)
    if error:
        return error
    try:
        payload = jsoninput.loads(body, max_depth=MAX_DEPTH)
        fixes, refused = journeys.json_points(payload)
    except jsoninput.JSONInputError as exc:
        return JsonResponse({"error": f"body is not acceptable JSON: {exc.reason}"}, status=400)
    except journeys.BatchRefused as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    result = journeys.points_ingest(unit=unit, fixes=fixes, refused=refused, source=GpsPoint.Source.JSON)
    return JsonResponse(result.as_dict())


# As points(): token-authenticated, no session to protect.
@csrf_exempt
@require_POST
@public
def nmea(request):
    """NMEA 0183 sentences as text, one a line (RMC and GGA; each checksum is checked)."""
    unit, body, error = _authenticated(request)
    if error:
        return error
    try:
        text = body.decode("ascii")
        fixes, refused = journeys.nmea_points(text)
    except UnicodeDecodeError:
        return JsonResponse({"error": "NMEA sentences are ASCII text"}, status=400)
    except journeys.BatchRefused as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    result = journeys.points_ingest(unit=unit, fixes=fixes, refused=refused, source=GpsPoint.Source.NMEA)
    return JsonResponse(result.as_dict())
