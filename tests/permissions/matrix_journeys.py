"""The journey's pages and the GPS units' API in the permission matrix.

The trip is enterprise A's, loaded under branch A: the enterprise and branch A see it, as do the
warehouse and the port (they receive every truck) and the head office; enterprise B and branch B
are told it does not exist; the lab has no journeys. The corridors are drawn by inspectors (their
branch's farms) and managers. The API answers 403 to a request without a unit's token
(tests/transit/test_journeys.py covers tokens).
"""

from .cases import ENT_A, ENT_B, ENTERPRISE, FORBIDDEN, case

SEE = {"insp_a", "insp_b", "transit", "port", "manager", "sysadmin"}
TRIP_SEE = ENT_A | {"insp_a", "transit", "port", "manager", "sysadmin"}
TRIP_HIDDEN = ENT_B | {"insp_b"}


def trip(world):
    from tests.transit.journeys_factories import trip_on_road

    made, _token = trip_on_road(world)
    return {"pk": made.pk}


def farm(world):
    from tests.farms.factories import registered_farm

    return {"pk": registered_farm(world).pk}


MATRIX = {
    "gps_api:points": case(public=True, post=FORBIDDEN),
    "gps_api:nmea": case(public=True, post=FORBIDDEN),
    "portal_ciq:journey_live": case(SEE),
    "portal_ciq:journey_live_data": case(SEE),
    "portal_ciq:trip_journey": case(TRIP_SEE - ENT_A, not_found=TRIP_HIDDEN - ENT_B, kwargs=trip),
    "portal_ciq:trip_track": case(TRIP_SEE - ENT_A, not_found=TRIP_HIDDEN - ENT_B, kwargs=trip),
    "portal_ciq:corridor_list": case({"insp_a", "insp_b", "manager"}),
    "portal_ciq:corridor_edit": case({"insp_a", "manager"}, not_found={"insp_b"}, kwargs=farm),
    "portal_enterprise:journey_live": case(ENTERPRISE),
    "portal_enterprise:journey_live_data": case(ENTERPRISE),
    "portal_enterprise:trip_journey": case(ENT_A, not_found=ENT_B, kwargs=trip),
    "portal_enterprise:trip_track": case(ENT_A, not_found=ENT_B, kwargs=trip),
}
