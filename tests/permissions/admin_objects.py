"""One record of each model on the admin site, so that its change, delete and history pages
show a real record (a missing one only sends the administrator back to the admin's index).

The seeded world already holds organisations, users, diseases and the livestock tables; each
other model gets one record here, made as the system would make it. A model registered on the
admin site later needs a line in MAKERS (test_matrix.py fails until it has one).
"""

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone


def _axes_attempt(world):
    from axes.models import AccessAttempt

    return AccessAttempt.objects.create(
        username="matrix", ip_address="192.0.2.1", user_agent="matrix", failures_since_start=1
    )


def _axes_log(world):
    from axes.models import AccessLog

    return AccessLog.objects.create(username="matrix", ip_address="192.0.2.1", user_agent="matrix")


def _axes_failure(world):
    from axes.models import AccessFailureLog

    return AccessFailureLog.objects.create(
        username="matrix", ip_address="192.0.2.1", user_agent="matrix", locked_out=False
    )


def _user_session(world):
    from accounts.models import UserSession

    return UserSession.objects.create(user=world.ent_a_staff, session_key="matrix", user_agent="matrix")


def _surrounding_rule(world):
    from farms import reference

    reference.surrounding_rules_ensure()


def _grade_policy(world):
    from farms.supervision_defaults import grade_policies_ensure

    grade_policies_ensure()


def _checklist(world):
    from farms.supervision_defaults import checklist_templates_ensure

    checklist_templates_ensure()


def _farm(world):
    from tests.farms.factories import registered_farm

    return registered_farm(world)


def _notice(world):
    from farms.services.desk import notice_publish

    return notice_publish(actor=world.manager, title="通知", body="正文", published_on=dt.date.today())


def _document(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from farms.services.desk import reference_document_add

    pdf = SimpleUploadedFile("matrix.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    return reference_document_add(actor=world.manager, category="standard", title="标准", file=pdf)


def _report(world):
    """An outbreak near Huizhou; reporting it draws its zones too."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from surveillance.models import Disease
    from surveillance.services import report_create

    return report_create(
        actor=world.manager,
        disease=Disease.objects.get(code="asf"),
        latitude="23.2",
        longitude="114.3",
        confirmed_on=timezone.localdate(),
        source="national_bulletin",
        files=[SimpleUploadedFile("bulletin.pdf", b"%PDF-1.4\n%%EOF\n")],
    )


def _alert(world):
    from accounts.models import Role
    from surveillance.models import Alert
    from surveillance.services import AlertScope, alert_raise

    return alert_raise(
        kind=Alert.Kind.OTHER,
        severity=Alert.Severity.MEDIUM,
        key="matrix",
        scope=AlertScope(
            organisation_id=world.branch_a.pk, role=Role.INSPECTOR, enterprise_id=world.ent_a.pk
        ),
        text="permission matrix",
    )


def _quarantine_reference(world):
    from quarantine import reference

    reference.ensure()


def _certified_consignment(world):
    """A consignment taken through the whole workflow, with its signed certificate."""
    from tests.quarantine.factories import declare, farm_a, ready_herd, through

    _quarantine_reference(world)
    farm = farm_a(world)
    consignment = declare(world, farm, ready_herd(world, farm, range(1, 4)))
    return through(world, consignment, "approve")


def _gps_unit(world):
    from tests.transit.journeys_factories import unit_with_token

    return unit_with_token(world.ent_a)[0]


_fleet_serials = itertools.count(1)


def _fleet(world):
    """An approved truck and driver of enterprise A, the truck disinfected by the enterprise."""
    from tests.transit.port_factories import vehicle_and_driver
    from transit.services.fleet import disinfection_record

    vehicle, driver = vehicle_and_driver(world, f"M{next(_fleet_serials):04d}")
    disinfection_record(
        actor=world.ent_a_staff,
        vehicle=vehicle,
        agent="过氧乙酸",
        concentration="0.5%",
        performed_at=timezone.now() - dt.timedelta(hours=1),
        performed_by="王师傅",
    )
    return vehicle


def _corridor(world):
    """The corridor of a farm of enterprise A that has none yet (registered for it if need be)."""
    from farms.models import Farm
    from tests.farms.factories import registered_farm
    from transit.services.journeys import corridor_save

    farm = Farm.objects.filter(enterprise=world.ent_a, status="registered", corridor__isnull=True).first()
    if farm is None:
        n = Farm.objects.count() + 1
        # Another name, a kilometre or more from the others (a farm is registered once per site).
        farm = registered_farm(
            world,
            name_zh=f"华丰{n}场",
            name_en=f"Huafeng {n}",
            latitude=Decimal("23.1727") + n * Decimal("0.01"),
        )
    return corridor_save(
        actor=world.manager,
        farm=farm,
        route={"type": "LineString", "coordinates": [[114.3, 23.2], [114.11, 22.58]]},
        buffer_m=500,
        planned_minutes=180,
        stop_minutes=30,
    )


def _on_the_road(world):
    """A closed loading (its manifest and seals) and its trip on the way to the warehouse."""
    from tests.transit.port_factories import on_the_road

    return on_the_road(world, head=3)


def _released(world):
    """A trip through Qingshuihe (one dead pig set aside) released at Wenjindu."""
    from tests.transit.port_factories import on_the_road, rested_and_gone
    from transit.services.port import port_release

    road = on_the_road(world, head=3)
    rested_and_gone(world, road, dead=road.codes[0])
    return port_release(
        actor=world.port, certificate=road.certificate, head_counted=2, seals_intact=True, tags=road.codes[1:]
    )


# "app_label.model_name" -> a function of the world that makes at least one record.
MAKERS = {
    "axes.accessattempt": _axes_attempt,
    "axes.accesslog": _axes_log,
    "axes.accessfailurelog": _axes_failure,
    "accounts.organisation": None,  # seeded
    "accounts.user": None,
    "accounts.usersession": _user_session,
    "farms.surroundingrule": _surrounding_rule,
    "farms.creditgradepolicy": _grade_policy,
    "farms.checklisttemplate": _checklist,
    "farms.farm": _farm,
    "farms.notice": _notice,
    "farms.referencedocument": _document,
    "surveillance.disease": None,
    "surveillance.diseasereport": _report,
    "surveillance.zone": _report,
    "surveillance.alert": _alert,
    "livestock.bannedsubstance": None,
    "livestock.vaccinationrequirement": None,
    "quarantine.exportrule": _quarantine_reference,
    "quarantine.examchecklistitem": _quarantine_reference,
    "quarantine.analyte": _quarantine_reference,
    "quarantine.consignment": _certified_consignment,
    "quarantine.certificate": _certified_consignment,
    "transit.gpsunit": _gps_unit,
    "transit.vehicle": _fleet,
    "transit.driver": _fleet,
    "transit.disinfection": _fleet,
    "transit.loading": _on_the_road,
    "transit.loadinganimal": _on_the_road,
    "transit.seal": _on_the_road,
    "transit.trip": _on_the_road,
    "transit.corridor": _corridor,
    "transit.arrival": _released,
    "transit.ineligible": _released,
    "transit.portcheck": _released,
}


def admin_object(model, world):
    """Return the first record of ``model`` (by key), making one if there is none yet."""
    manager = model._default_manager.order_by("pk")
    if not manager.exists():
        maker = MAKERS[model._meta.label_lower]
        if maker is not None:
            maker(world)
    return manager.first()
