"""The Qingshuihe warehouse and release at the port in the permission matrix.

The warehouse's officer works its screens; the inspectors of the branch that certified the
consignment (Huizhou) and the managers look on, the Hunan branch's inspector does not find the
stay (404). The port officer works the port screen; managers watch it and are the supervisors
who override a hold (an override without a reason is shown again with its error). A decision
and its export notice are seen by the port, the managers and the certifying branch.
"""

from .cases import FORBIDDEN, OK, case, per_role, to

LOOKERS = {"transit", "insp_a", "insp_b", "manager"}


def _road(world):
    from quarantine import reference
    from tests.transit.port_factories import on_the_road

    reference.ensure()
    return on_the_road(world, head=2)


def en_route(world):
    return {"pk": _road(world).trip.pk}


def arrived(world):
    from tests.transit.port_factories import arrive

    return {"pk": arrive(world, _road(world)).pk}


def held(world):
    from tests.transit.port_factories import rested_and_gone
    from transit.services.port import port_hold

    road = _road(world)
    rested_and_gone(world, road)
    check = port_hold(
        actor=world.port, certificate=road.certificate, reason="矩阵", head_counted=1, seals_intact=True
    )
    return {"pk": check.pk}


def released(world):
    from tests.transit.port_factories import rested_and_gone
    from transit.services.port import port_release

    road = _road(world)
    rested_and_gone(world, road)
    check = port_release(
        actor=world.port, certificate=road.certificate, head_counted=2, seals_intact=True, tags=road.codes
    )
    return {"pk": check.pk}


NOTICE_READERS = {"port", "manager", "insp_a"}

MATRIX = {
    "portal_ciq:warehouse_board": case(LOOKERS),
    # An empty form is shown again with its errors.
    "portal_ciq:warehouse_arrive": case({"transit"}, kwargs=en_route),
    "portal_ciq:warehouse_arrival": case(
        {"transit", "insp_a", "manager"},
        not_found={"insp_b"},
        kwargs=arrived,
        post=per_role(({"transit"}, to("portal_ciq:warehouse_arrival")), ({"insp_a", "manager"}, FORBIDDEN)),
    ),
    "portal_ciq:warehouse_treatment": case({"transit"}),
    "portal_ciq:port_screen": case(
        {"port", "manager"},
        query={"q": "HC000000-9"},
        post=per_role(({"port"}, OK), ({"manager"}, FORBIDDEN)),
    ),
    "portal_ciq:port_check": case(
        NOTICE_READERS,
        not_found={"insp_b"},
        kwargs=held,
        post=per_role(({"manager"}, OK), ({"port", "insp_a"}, FORBIDDEN)),
    ),
    "portal_ciq:port_notice_pdf": case(NOTICE_READERS, not_found={"insp_b"}, kwargs=released),
    "portal_ciq:port_notice_json": case(NOTICE_READERS, not_found={"insp_b"}, kwargs=released),
}
