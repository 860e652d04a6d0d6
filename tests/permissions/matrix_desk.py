"""The desk's pages in the permission matrix, on both portals.

The question is enterprise A's (supervised by branch A): enterprise B and the inspector of the
other branch are told it does not exist; the port, the warehouse, the lab and the system
administrator do not answer questions at all. Notices and the library are for every user of
each portal; publishing them is for the managers and the system administrator.
"""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from .cases import BUREAU, ENT_A, ENT_B, ENTERPRISE, case, to

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ASKERS = ENT_A
ANSWERERS = {"insp_a", "insp_b", "manager"}
PUBLISHERS = {"manager", "sysadmin"}


def _question(world):
    from farms.services.desk import question_ask

    return question_ask(
        actor=world.ent_a_staff,
        subject="权限矩阵",
        body="问题",
        files=[SimpleUploadedFile("matrix.pdf", PDF)],
    )


def question(world):
    return {"pk": _question(world).pk}


def attachment(world):
    return {"pk": _question(world).messages.get().attachments.get().pk}


def notice(world):
    from farms.services.desk import notice_publish

    return {
        "pk": notice_publish(actor=world.manager, title="通知", body="正文", published_on=dt.date.today()).pk
    }


def document(world):
    from farms.services.desk import reference_document_add

    file = SimpleUploadedFile("matrix.pdf", PDF)
    return {
        "pk": reference_document_add(actor=world.manager, category="standard", title="标准", file=file).pk
    }


MATRIX = {
    # The enterprise portal.
    "portal_enterprise:question_list": case(ENTERPRISE),
    "portal_enterprise:question_create": case(ENTERPRISE),
    "portal_enterprise:question_detail": case(ASKERS, not_found=ENT_B, kwargs=question),
    "portal_enterprise:question_close": case(
        ASKERS, not_found=ENT_B, kwargs=question, post=to("portal_enterprise:question_detail")
    ),
    "portal_enterprise:desk_attachment": case(ASKERS, not_found=ENT_B, kwargs=attachment),
    "portal_enterprise:notice_list": case(ENTERPRISE),
    "portal_enterprise:notice_detail": case(ENTERPRISE, kwargs=notice),
    "portal_enterprise:library": case(ENTERPRISE),
    "portal_enterprise:library_download": case(ENTERPRISE, kwargs=document),
    # The bureau portal.
    "portal_ciq:question_queue": case(ANSWERERS),
    "portal_ciq:question_detail": case({"insp_a", "manager"}, not_found={"insp_b"}, kwargs=question),
    "portal_ciq:question_close": case(
        {"insp_a", "manager"}, not_found={"insp_b"}, kwargs=question, post=to("portal_ciq:question_detail")
    ),
    "portal_ciq:desk_attachment": case({"insp_a", "manager"}, not_found={"insp_b"}, kwargs=attachment),
    "portal_ciq:notice_list": case(BUREAU),
    "portal_ciq:notice_detail": case(BUREAU, kwargs=notice),
    "portal_ciq:notice_create": case(PUBLISHERS),
    "portal_ciq:notice_edit": case(PUBLISHERS, kwargs=notice),
    "portal_ciq:library": case(BUREAU),
    "portal_ciq:library_add": case(PUBLISHERS),
    "portal_ciq:library_download": case(BUREAU, kwargs=document),
}
