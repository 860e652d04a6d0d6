"""Vehicles, drivers, GPS units and supervised loading in the permission matrix.

The enterprise registers its own fleet (enterprise B is told enterprise A's records do not
exist); the bureau's review belongs to the inspectors and the managers (the Hunan inspector does
not find a vehicle of enterprise A, which the Huizhou branch supervises). Loading belongs to the
consignment's branch's inspectors and the managers; every step sends its user back to the
loading screen, done or refused (the reason is in a message).
"""

from .cases import ENT_A, ENT_B, ENTERPRISE, REASON, case, to

REVIEWERS = {"insp_a", "insp_b", "manager"}
HUIZHOU = {"insp_a", "manager"}


def _vehicle(world, **kw):
    from tests.transit.loading_factories import vehicle

    return vehicle(world, approve=False, disinfect=False, **kw)


def vehicle_pk(world):
    return {"pk": _vehicle(world).pk}


def vehicle_act(action, kind="vehicle"):
    def make(world):
        from tests.transit.loading_factories import driver

        obj = _vehicle(world) if kind == "vehicle" else driver(world, approve=False)
        return {"kind": kind, "pk": obj.pk, "action": action}

    return make


def unit_pk(world):
    from transit.services.fleet import gps_unit_register

    unit, _ = gps_unit_register(actor=world.ent_a_staff, identifier="IMEI-MATRIX-1")
    return {"pk": unit.pk}


def approved_consignment(world):
    from tests.transit.loading_factories import certified

    return {"consignment": certified(world, serials=range(1, 3))[0].pk}


def open_loading(world):
    from tests.transit.loading_factories import certified, driver, vehicle
    from transit.services.loading import loading_open

    consignment, _, animals = certified(world, serials=range(1, 3))
    loading = loading_open(
        actor=world.insp_a, consignment=consignment, vehicle=vehicle(world), driver=driver(world)
    )
    return {"pk": loading.pk, "tag": animals[0].national_code}


BACK = to("portal_ciq:loading_detail")


def step(data):
    return case(HUIZHOU, not_found={"insp_b"}, kwargs=open_loading, data=data, post=BACK)


MATRIX = {
    "portal_enterprise:fleet": case(ENTERPRISE),
    # An empty registration is shown again with its errors.
    "portal_enterprise:vehicle_create": case(ENTERPRISE),
    "portal_enterprise:driver_create": case(ENTERPRISE),
    "portal_enterprise:gps_unit_create": case(ENTERPRISE),
    "portal_enterprise:vehicle_detail": case(ENT_A, not_found=ENT_B, kwargs=vehicle_pk),
    "portal_enterprise:vehicle_disinfection": case(ENT_A, not_found=ENT_B, kwargs=vehicle_pk),
    # The new token is answered on the page itself, once.
    "portal_enterprise:gps_unit_token": case(ENT_A, not_found=ENT_B, kwargs=unit_pk),
    "portal_enterprise:fleet_act": case(
        ENT_A, not_found=ENT_B, kwargs=vehicle_act("withdraw"), post=to("portal_enterprise:fleet")
    ),
    "portal_ciq:fleet_review": case(REVIEWERS),
    "portal_ciq:fleet_review_act": case(
        HUIZHOU,
        not_found={"insp_b"},
        kwargs=vehicle_act("return", kind="driver"),
        data=REASON,
        post=to("portal_ciq:fleet_review"),
    ),
    "portal_ciq:loading_list": case(REVIEWERS),
    # An empty opening form is shown again with its errors.
    "portal_ciq:loading_open": case(HUIZHOU, not_found={"insp_b"}, kwargs=approved_consignment),
    "portal_ciq:loading_detail": case(HUIZHOU, not_found={"insp_b"}, kwargs=open_loading),
    "portal_ciq:loading_live": case(HUIZHOU, not_found={"insp_b"}, kwargs=open_loading),
    "portal_ciq:loading_tag": step(lambda given: {"tag": given["tag"]}),
    "portal_ciq:loading_seal": step({"seal": "SZ-MATRIX-1"}),
    "portal_ciq:loading_close": step(REASON),
    "portal_ciq:loading_cancel": step(REASON),
}
