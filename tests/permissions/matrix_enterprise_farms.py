"""The enterprise's farm pages: enterprise users only, and each enterprise only its own farms."""

import io

from .cases import ENT_A, ENT_B, ENTERPRISE, REASON, case, to

OWN, OTHER = ENT_A, ENT_B
BACK = to("portal_enterprise:farm_detail")


def a_farm(w):
    from tests.farms.factories import draft_farm

    return {"pk": draft_farm(w).pk}


def an_attachment(w):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from farms.services.registration import farm_attachment_add
    from tests.farms.factories import draft_farm

    farm = draft_farm(w)
    png = io.BytesIO()
    Image.new("RGB", (4, 4)).save(png, format="PNG")
    upload = SimpleUploadedFile("matrix.png", png.getvalue(), content_type="image/png")
    attachment = farm_attachment_add(actor=w.ent_a_staff, farm=farm, kind="photo", file=upload)
    return {"pk": farm.pk, "attachment_pk": attachment.pk}


MATRIX = {
    "portal_enterprise:farm_list": case(ENTERPRISE),
    "portal_enterprise:farm_create": case(ENTERPRISE),
    "portal_enterprise:farm_counties": case(ENTERPRISE, query={"province": "44"}),
    "portal_enterprise:farm_detail": case(OWN, not_found=OTHER, kwargs=a_farm),
    "portal_enterprise:farm_edit": case(OWN, not_found=OTHER, kwargs=a_farm),
    # Actions go back to the farm, whether the service agrees or says why not.
    "portal_enterprise:farm_submit": case(OWN, not_found=OTHER, kwargs=a_farm, post=BACK),
    "portal_enterprise:farm_withdraw": case(OWN, not_found=OTHER, kwargs=a_farm, data=REASON, post=BACK),
    "portal_enterprise:farm_attachment_add": case(OWN, not_found=OTHER, kwargs=a_farm, post=BACK),
    "portal_enterprise:farm_attachment": case(OWN, not_found=OTHER, kwargs=an_attachment),
}
