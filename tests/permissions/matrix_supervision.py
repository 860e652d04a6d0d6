"""Daily supervision and credit: who may plan and record visits, follow up, and read ratings.

Inspectors and managers supervise; an inspector sees only its branch's farms (another
branch's visit or action is a 404). The credit table is for inspectors, managers and the
system administrator; the enterprise sees its own actions and rating.
"""

import datetime as dt

from farms.models import VisitAnswer
from farms.selectors_supervision import checklist_template_for
from farms.services.supervision import visit_record
from farms.supervision_defaults import checklist_templates_ensure
from tests.farms.factories import registered_farm

from .cases import ENT_A, ENT_B, ENTERPRISE, case, to

SUPERVISORS = {"insp_a", "insp_b", "manager"}
CREDIT_READERS = {"insp_a", "insp_b", "manager", "sysadmin"}


def visit_of_ent_a(w):
    """Record a visit of a registered farm of enterprise A with one finding and its action."""
    checklist_templates_ensure()
    farm = registered_farm(w)
    template = checklist_template_for(farm=farm)
    answers = {item.pk: (VisitAnswer.Result.OK, "") for item in template.items.all()}
    finding = {
        "severity": "major",
        "description": "消毒池无消毒液",
        "action": "更换消毒液",
        "deadline": dt.date.today() + dt.timedelta(days=10),
    }
    return visit_record(
        actor=w.insp_a,
        farm=farm,
        template=template,
        visited_on=dt.date.today(),
        answers=answers,
        findings=[finding],
    )


def farm_pk(w):
    checklist_templates_ensure()
    return {"farm": registered_farm(w).pk}


def visit_pk(w):
    return {"pk": visit_of_ent_a(w).pk}


def action_pk(w):
    return {"pk": visit_of_ent_a(w).findings.get().actions.get().pk}


def photo_pk(w):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.farms.test_supervision import png_bytes

    checklist_templates_ensure()
    farm = registered_farm(w)
    template = checklist_template_for(farm=farm)
    answers = {item.pk: (VisitAnswer.Result.OK, "") for item in template.items.all()}
    visit = visit_record(
        actor=w.insp_a,
        farm=farm,
        template=template,
        visited_on=dt.date.today(),
        answers=answers,
        findings=[],
        photos=[SimpleUploadedFile("pool.png", png_bytes(), content_type="image/png")],
    )
    return {"pk": visit.photos.get().pk}


MATRIX = {
    "portal_ciq:supervision_calendar": case(SUPERVISORS),
    # An empty plan form is shown again with its errors (nothing is planned).
    "portal_ciq:visit_plan_create": case(SUPERVISORS),
    # The visit form of one of branch A's farms: an empty form is shown again with its errors.
    "portal_ciq:visit_create": case(
        {"insp_a", "manager"},
        not_found={"insp_b"},
        kwargs=farm_pk,
        query=lambda given: {"farm": given["farm"]},
    ),
    "portal_ciq:visit_detail": case({"insp_a", "manager"}, not_found={"insp_b"}, kwargs=visit_pk),
    "portal_ciq:visit_photo": case({"insp_a", "manager"}, not_found={"insp_b"}, kwargs=photo_pk),
    "portal_ciq:action_list": case(SUPERVISORS),
    "portal_ciq:action_verify": case(
        {"insp_a", "manager"},
        not_found={"insp_b"},
        kwargs=action_pk,
        data={"decision": "verify"},
        post=to("portal_ciq:action_list", pk=None),
    ),
    "portal_ciq:credit_list": case(CREDIT_READERS),
    "portal_ciq:credit_detail": case(
        {"insp_a", "manager", "sysadmin"}, not_found={"insp_b"}, kwargs=lambda w: {"pk": w.ent_a.pk}
    ),
    "portal_ciq:credit_recompute": case(
        {"manager"}, kwargs=lambda w: {"pk": w.ent_a.pk}, post=to("portal_ciq:credit_detail")
    ),
    "portal_enterprise:corrective_actions": case(ENTERPRISE),
    "portal_enterprise:corrective_action_done": case(
        ENT_A,
        not_found=ENT_B,
        kwargs=action_pk,
        data={"response": "已更换消毒液"},
        post=to("portal_enterprise:corrective_actions", pk=None),
    ),
    "portal_enterprise:credit": case(ENTERPRISE),
}
