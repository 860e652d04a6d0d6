"""What livestock raises in the alerts centre: banned-substance attempts and readers gone silent.

Both go through ``surveillance.services.alert_raise`` (the one way in); their answer —
acknowledged, notes, closed — is the alerts centre's. An attempt stays here as the evidence
(what was typed, by whom, for how many animals); a silent reader's alert closes itself when
the reader is heard from again.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.models import Organisation, Role, User
from farms.models import Farm
from surveillance.models import Alert
from surveillance.services import AlertScope, AlertSpec, alert_raise, alerts_raise, alerts_resolve

from ..models import BannedSubstance, ProductionLog, ReaderDevice, SubstanceAlert

BANNED_TEXT = _(
    "{farm}: someone tried to record {substance} in a {record} record ({count} animals); refused."
)
SILENT_TEXT = _("Reader {reader} at {site} has not been heard from since {since}.")
SPOKE_AGAIN = gettext_noop("The reader was heard from again.")
REVOKED = gettext_noop("The reader was revoked.")
# Who answers for a reader that is not on a farm.
SITE_ROLES = {
    Organisation.Kind.WAREHOUSE: Role.TRANSIT_OFFICER,
    Organisation.Kind.PORT: Role.PORT_OFFICER,
}


def banned_alert_key(farm_id: int, substance_id: int) -> str:
    return f"banned_substance:{farm_id}:{substance_id}"


def substance_attempt_record(
    *,
    actor: User,
    farm: Farm,
    kind: str,
    substance: BannedSubstance,
    entered: str,
    count: int,
) -> SubstanceAlert:
    """Keep a refused banned-substance attempt as evidence and raise its alert for the farm's branch.

    Its own transaction: the record it was part of is refused, the evidence and the alert stay.
    Attempts on one farm with one substance while its alert is open count on that alert.
    """
    with transaction.atomic():
        attempt = SubstanceAlert.objects.create(
            farm=farm,
            enterprise_id=farm.enterprise_id,
            branch_id=farm.branch_id,
            substance=substance,
            kind=kind,
            entered=entered[:500],
            animal_count=count,
            attempted_by=actor,
        )
        alert = alert_raise(
            kind=Alert.Kind.BANNED_SUBSTANCE,
            severity=Alert.Severity.HIGH,
            key=banned_alert_key(farm.pk, substance.pk),
            scope=AlertScope.farm_branch(farm),
            subject=attempt,
            text=lambda: format_lazy(
                BANNED_TEXT,
                farm=farm.name,
                substance=substance.name,
                record=str(ProductionLog.Kind(kind).label).lower(),  # mid-sentence in English
                count=count,
            ),
            data={"attempt": attempt.pk, "substance": substance.pk},
        )
        SubstanceAlert.objects.filter(pk=attempt.pk).update(alert=alert)
        attempt.alert = alert
    return attempt


def reader_alert_key(device_id: int) -> str:
    return f"reader_silent:{device_id}"


def _reader_scope(device: ReaderDevice) -> AlertScope:
    if device.farm_id:
        return AlertScope.farm_branch(device.farm)
    role = SITE_ROLES.get(device.site.kind)
    if role is None:
        return AlertScope.managers()
    return AlertScope.of(device.site, role)


def readers_silence_check(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Raise an alert for each active reader silent longer than LIVESTOCK_READER_SILENT_S; close the
    alerts of readers heard from again (or revoked). Run by Celery beat every minute.

    A reader that never sent a heartbeat is not "gone" silent (it is still being installed).
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.LIVESTOCK_READER_SILENT_S)
    open_keys = set(
        Alert.objects.filter(kind=Alert.Kind.READER_SILENT, state__in=Alert.OPEN).values_list(
            "key", flat=True
        )
    )
    silent = list(
        ReaderDevice.objects.filter(is_active=True, heartbeat_at__lt=cutoff)
        .select_related("farm", "site")
        .order_by("pk")
    )
    specs = []
    for device in silent:
        if reader_alert_key(device.pk) in open_keys:
            continue
        since = timezone.localtime(device.heartbeat_at)

        def text(device=device, since=since):
            return format_lazy(
                SILENT_TEXT, reader=device.name, site=device.site_name, since=since.strftime("%Y-%m-%d %H:%M")
            )

        specs.append(
            AlertSpec(
                kind=Alert.Kind.READER_SILENT,
                severity=Alert.Severity.MEDIUM,
                key=reader_alert_key(device.pk),
                scope=_reader_scope(device),
                subject=device,
                text=text,
                data={"device": device.code, "last_heartbeat": device.heartbeat_at.isoformat()},
            )
        )
    raised = alerts_raise(specs=specs, at=now)
    still_silent = {reader_alert_key(d.pk) for d in silent}
    recovered = open_keys - still_silent
    ids = [int(key.rpartition(":")[2]) for key in recovered]
    revoked = {
        reader_alert_key(pk)
        for pk in ReaderDevice.objects.filter(pk__in=ids, is_active=False).values_list("pk", flat=True)
    }
    closed = alerts_resolve(keys=recovered - revoked, reason=SPOKE_AGAIN)
    closed += alerts_resolve(keys=revoked, reason=REVOKED)
    return {"raised": len(raised), "closed": closed}
