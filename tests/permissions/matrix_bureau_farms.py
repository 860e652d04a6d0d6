"""The bureau's farm pages in the permission matrix.

The farm is an application of enterprise A (supervised by branch A): the other branch does not
see it, and neither do the port, the warehouse and the lab, who see registered farms only.
Actions are POSTs that redirect back to the farm whether the service agrees or refuses; the
matrix checks who is let in and where they are sent, tests/farms/test_bureau_farms.py what
each action does.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from .cases import BUREAU, REASON, case, to

REVIEWERS = {"insp_a", "manager"}
ACTIONS = ["assign", "inspect", "approve", "return", "reject", "suspend", "reinstate", "revoke", "renew"]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def application(world):
    from tests.farms.factories import submitted_farm

    return {"pk": submitted_farm(world).pk}


def attachment(world):
    from farms import services
    from tests.farms.factories import draft_farm

    farm = draft_farm(world)
    file = services.farm_attachment_add(
        actor=world.ent_a_staff, farm=farm, kind="photo", file=SimpleUploadedFile("matrix.pdf", PDF)
    )
    services.farm_submit(actor=world.ent_a_staff, farm=farm)
    return {"pk": farm.pk, "attachment_pk": file.pk}


OUT_OF_SCOPE = {"insp_b", "transit", "port", "lab"}

MATRIX = {
    "portal_ciq:farm_queue": case({"insp_a", "insp_b", "manager"}),
    "portal_ciq:farm_list": case(BUREAU),
    "portal_ciq:farm_export": case(BUREAU),
    "portal_ciq:farm_map": case(BUREAU),
    "portal_ciq:farm_map_data": case(BUREAU),
    "portal_ciq:farm_detail": case(
        {"insp_a", "manager", "sysadmin"}, not_found=OUT_OF_SCOPE, kwargs=application
    ),
    "portal_ciq:farm_attachment": case(
        {"insp_a", "manager", "sysadmin"}, not_found=OUT_OF_SCOPE, kwargs=attachment
    ),
    **{
        f"portal_ciq:farm_{name}": case(
            REVIEWERS,
            not_found={"insp_b"},
            kwargs=application,
            data=REASON,
            post=to("portal_ciq:farm_detail"),
        )
        for name in ACTIONS
    },
}
