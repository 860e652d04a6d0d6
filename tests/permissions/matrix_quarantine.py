"""Origin quarantine in the permission matrix.

The enterprise declares and follows its own consignments (another enterprise's are a 404); the
bureau's pages belong to the inspectors, the lab and the managers, each action to its role:
the consignment here is of the Huizhou branch, so the Hunan branch's inspector does not find it
(404), and the lab sees a consignment only once it is accepted. Verification is public.
"""

from .cases import ENTERPRISE, REASON, case

OWN = {"ent_a_staff", "ent_a_admin"}
FOLLOWERS = {"insp_a", "insp_b", "lab", "manager"}
HUIZHOU = {"insp_a", "manager"}


def _consignment(world, upto=None):
    from quarantine import reference
    from tests.quarantine.factories import declare, farm_a, ready_herd, through

    reference.ensure()
    farm = farm_a(world)
    consignment = declare(world, farm, ready_herd(world, farm, range(1, 4)))
    result = through(world, consignment, upto) if upto else None
    return consignment, result


def declared(world):
    return {"pk": _consignment(world)[0].pk}


def sampled(world):
    return {"pk": _consignment(world, "sample")[0].pk}


def certified(world):
    consignment, certificate = _consignment(world, "approve")
    return {"pk": consignment.pk, "number": certificate.number}


def payload(world):
    return {"payload": _consignment(world, "approve")[1].qr_payload}


def act(allowed=HUIZHOU, kwargs=declared, **kw):
    return case(allowed, not_found={"insp_b"}, kwargs=kwargs, method="post", data=REASON, **kw)


MATRIX = {
    "portal_enterprise:consignment_list": case(ENTERPRISE),
    "portal_enterprise:consignment_declare": case(ENTERPRISE),
    "portal_enterprise:consignment_detail": case(OWN, not_found={"ent_b_admin"}, kwargs=declared),
    "portal_enterprise:consignment_withdraw": case(
        OWN, not_found={"ent_b_admin"}, kwargs=declared, method="post", data=REASON
    ),
    "portal_enterprise:certificate_pdf": case(OWN, not_found={"ent_b_admin"}, kwargs=certified),
    "portal_ciq:consignment_queue": case(FOLLOWERS),
    "portal_ciq:consignment_detail": case(HUIZHOU, not_found={"insp_b", "lab"}, kwargs=declared),
    "portal_ciq:consignment_accept": act(),
    "portal_ciq:consignment_examine": act(),
    "portal_ciq:consignment_sample": act(),
    "portal_ciq:consignment_results": case(
        {"lab", "manager"}, kwargs=sampled, method="post", data={"r-0-clenbuterol": "0.1"}
    ),
    "portal_ciq:consignment_approve": act(),
    "portal_ciq:consignment_reject": act(),
    "portal_ciq:consignment_cancel": act(),
    "portal_ciq:lims_import": case({"lab", "manager"}),
    "portal_ciq:certificate_pdf": case({"insp_a", "lab", "manager"}, not_found={"insp_b"}, kwargs=certified),
    "portal_ciq:certificate_void": act(kwargs=certified),
    "portal_ciq:certificate_replace": act(kwargs=certified),
    "certificate_verify": case(public=True),
    "certificate_verify_qr": case(public=True, kwargs=payload),
    "certificate_keys": case(public=True),
}
