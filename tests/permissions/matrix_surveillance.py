"""Outbreaks, zones and the alerts centre in the permission matrix.

Every bureau user reads the outbreaks, the zone map and the disease table; only managers report
and lift outbreaks and edit the table. The alerts centre shows each bureau user the alerts for
their own organisation (managers and the system administrator all of them): the alert here is
for the Huizhou branch, so the other branch, the port, the warehouse and the lab do not find
it (404). Those who must answer alerts act on them (the system administrator only reads); the
enterprise sees its own restrictions and the alerts shown to it, in its own portal.
"""

from .cases import BUREAU, ENTERPRISE, REASON, case, to

MANAGER = {"manager"}
HUIZHOU = {"insp_a", "manager", "sysadmin"}
OTHERS = {"insp_b", "transit", "port", "lab"}


def report(world):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from surveillance import reference
    from surveillance.models import Disease
    from surveillance.services import report_create

    reference.ensure()
    made = report_create(
        actor=world.manager,
        disease=Disease.objects.get(code="asf"),
        latitude="23.2",
        longitude="114.3",
        confirmed_on=timezone.localdate(),
        source="national_bulletin",
        files=[SimpleUploadedFile("bulletin.pdf", b"%PDF-1.4\n%%EOF\n")],
    )
    return made


def report_pk(world):
    return {"pk": report(world).pk}


def evidence(world):
    made = report(world)
    return {"pk": made.pk, "file_pk": made.evidence.get().pk}


def disease_pk(world):
    from surveillance import reference
    from surveillance.models import Disease

    reference.ensure()
    return {"pk": Disease.objects.get(code="asf").pk}


def huizhou_alert(world):
    from accounts.models import Role
    from surveillance.models import Alert
    from surveillance.services import AlertScope, alert_raise

    alert = alert_raise(
        kind=Alert.Kind.OTHER,
        severity=Alert.Severity.MEDIUM,
        key="matrix",
        scope=AlertScope(
            organisation_id=world.branch_a.pk, role=Role.INSPECTOR, enterprise_id=world.ent_a.pk
        ),
        text="permission matrix",
    )
    return {"pk": alert.pk}


def act(allowed, **kw):
    return case(allowed, not_found=OTHERS, kwargs=huizhou_alert, post=to("portal_ciq:alert_detail"), **kw)


MATRIX = {
    "portal_ciq:zone_map": case(BUREAU),
    "portal_ciq:report_list": case(BUREAU),
    "portal_ciq:report_create": case(MANAGER),
    "portal_ciq:report_detail": case(BUREAU, kwargs=report_pk),
    "portal_ciq:report_lift": case(
        MANAGER, kwargs=report_pk, data=REASON, post=to("portal_ciq:report_detail")
    ),
    "portal_ciq:report_evidence": case(BUREAU, kwargs=evidence),
    "portal_ciq:surveillance_counties": case(MANAGER),
    "portal_ciq:disease_list": case(BUREAU),
    "portal_ciq:disease_create": case(MANAGER),
    "portal_ciq:disease_edit": case(MANAGER, kwargs=disease_pk),
    "portal_ciq:alert_centre": case(BUREAU),
    "portal_ciq:alert_detail": case(HUIZHOU, not_found=OTHERS, kwargs=huizhou_alert),
    "portal_ciq:alert_acknowledge": act({"insp_a", "manager"}),
    "portal_ciq:alert_note": act({"insp_a", "manager"}, data={"note": "permission matrix"}),
    "portal_ciq:alert_close": act({"insp_a", "manager"}, data={"note": "permission matrix"}),
    "portal_ciq:alert_show": case(
        {"insp_a", "manager"},
        not_found={"insp_b"},
        kwargs=huizhou_alert,
        data={"shown": "1"},
        post=to("portal_ciq:alert_detail"),
    ),
    "portal_enterprise:alerts": case(ENTERPRISE),
}
