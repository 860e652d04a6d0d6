"""Origin quarantine in the permission matrix.

The enterprise declares and follows its own consignments (enterprise B's users are told they
do not exist); the bureau's pages belong to the inspectors, the lab and the managers, each
action to its role. The consignment here is enterprise A's, of the Huizhou branch: the Hunan
branch's inspector does not find it (404), and the lab sees a consignment only once it is
accepted. Every action sends its user back to the consignment, done or refused (the reason is
in a message). Verification is public, by GET only.
"""

from .cases import ENT_A, ENT_B, ENTERPRISE, REASON, case, to

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
    consignment, _ = _consignment(world, "sample")
    sample = consignment.samples.order_by("pk").first()
    return {"pk": consignment.pk, "sample": sample.pk}


def certified(world):
    consignment, certificate = _consignment(world, "approve")
    return {"pk": consignment.pk, "number": certificate.number}


def payload(world):
    return {"payload": _consignment(world, "approve")[1].qr_payload}


BACK = to("portal_ciq:consignment_detail")


def act(allowed=HUIZHOU, kwargs=declared, **kw):
    """An inspection action on the Huizhou branch's consignment."""
    return case(allowed, not_found={"insp_b"}, kwargs=kwargs, data=REASON, post=BACK, **kw)


MATRIX = {
    "portal_enterprise:consignment_list": case(ENTERPRISE),
    # An empty declaration is shown again with its errors.
    "portal_enterprise:consignment_declare": case(ENTERPRISE),
    "portal_enterprise:consignment_detail": case(ENT_A, not_found=ENT_B, kwargs=declared),
    "portal_enterprise:consignment_withdraw": case(
        ENT_A,
        not_found=ENT_B,
        kwargs=declared,
        data=REASON,
        post=to("portal_enterprise:consignment_detail"),
    ),
    "portal_enterprise:certificate_pdf": case(ENT_A, not_found=ENT_B, kwargs=certified),
    "portal_ciq:consignment_queue": case(FOLLOWERS),
    "portal_ciq:consignment_detail": case(HUIZHOU, not_found={"insp_b", "lab"}, kwargs=declared),
    "portal_ciq:consignment_accept": act(),
    "portal_ciq:consignment_examine": act(),
    "portal_ciq:consignment_sample": act(),
    # The labels of the samples taken: the branch's inspectors (and managers) print them.
    "portal_ciq:sample_labels": case(HUIZHOU, not_found={"insp_b"}, kwargs=sampled),
    # The lab sees the sampled consignment; the inspectors may not enter results.
    "portal_ciq:consignment_results": case(
        {"lab", "manager"},
        kwargs=sampled,
        data=lambda given: {f"r-{given['sample']}-clenbuterol": "0.1"},
        post=BACK,
    ),
    "portal_ciq:consignment_approve": act(),
    "portal_ciq:consignment_reject": act(),
    "portal_ciq:consignment_cancel": act(),
    # A POST without a file is shown again with the problem; confirming rows the session no
    # longer holds sends the user back to upload the file again.
    "portal_ciq:lims_import": case(
        {"lab", "manager"}, data={"confirm": "1"}, post=to("portal_ciq:lims_import")
    ),
    "portal_ciq:certificate_pdf": case({"insp_a", "lab", "manager"}, not_found={"insp_b"}, kwargs=certified),
    "portal_ciq:certificate_void": act(kwargs=certified),
    "portal_ciq:certificate_replace": act(kwargs=certified),
    "certificate_verify": case(public=True),
    "certificate_verify_qr": case(public=True, kwargs=payload),
    "certificate_keys": case(public=True),
}
