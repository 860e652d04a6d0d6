"""The one way into the alerts centre: raise, acknowledge, note, show to the enterprise, close.

Every app raises its warnings here (livestock, and the steps above it: quarantine, transit),
never by writing ``Alert`` rows itself::

    alert_raise(
        kind=Alert.Kind.LAB_POSITIVE,
        severity=Alert.Severity.HIGH,
        key=f"lab_positive:{sample.pk}",
        scope=AlertScope.farm_branch(farm),
        subject=sample,
        text=lambda: format_lazy(POSITIVE, sample=sample.number, analyte=analyte.name),
    )

``key`` names the warning: raised again while an alert with that key is open (new or
acknowledged), the same alert counts one more (``count``) instead of a second alert. Once it
is closed, the same key raises a new alert. ``text`` is rendered in Chinese and in English at
raise time (a lazy string, or a function returning one, called once per language so that
names read in each). High-severity alerts go out by e-mail and SMS after the commit.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history

from accounts.audit import save_audited
from accounts.errors import DomainError
from accounts.models import Organisation, Role, User
from accounts.selectors import ALL_SEEING_ROLES

from ..models import Alert, AlertNote

NOTE_REQUIRED = _("Write what was done (a visit, samples taken, a case opened…) before closing the alert.")
NOTE_EMPTY = _("Write the note first.")
NOT_YOURS = _("This alert is for {organisation}: only they or a manager may act on it.")
OUT_OF_ORDER = _("This alert is {state}: it cannot be {action} now.")
ALREADY_SHOWN = _("The enterprise already sees this alert.")
ALREADY_HIDDEN = _("The enterprise does not see this alert.")
NO_ENTERPRISE = _("This alert is about no enterprise: there is no one to show it to.")
BAD_KIND = "unknown alert kind {kind!r}"  # programming errors, not users'
BAD_SEVERITY = "unknown alert severity {severity!r}"
BAD_KEY = "an alert needs a key of 1 to 200 characters, got {key!r}"
# Reasons the system writes are stored as their message ids and translated where shown.
RESOLVED_BY_SYSTEM = gettext_noop("Resolved: the cause went away.")
ACKNOWLEDGED = gettext_noop("Acknowledged")
SHOWN = gettext_noop("Shown to the enterprise")
HIDDEN = gettext_noop("Hidden from the enterprise")

ACTION_WORDS = {"acknowledge": _("acknowledged"), "close": _("closed"), "note": _("given a note")}
LANGUAGES = (("zh", "zh-hans"), ("en", "en"))
TEXT_LIMIT = 300


@dataclass(frozen=True)
class AlertScope:
    """Who must act on an alert (an organisation and a role), and what it is about (farm, enterprise)."""

    organisation_id: int
    role: str
    farm_id: int | None = None
    enterprise_id: int | None = None

    @classmethod
    def farm_branch(cls, farm) -> "AlertScope":
        """The inspectors of the branch supervising ``farm``."""
        return cls(
            organisation_id=farm.branch_id,
            role=Role.INSPECTOR,
            farm_id=farm.pk,
            enterprise_id=farm.enterprise_id,
        )

    @classmethod
    def of(cls, organisation: Organisation, role: str, *, farm=None, enterprise=None) -> "AlertScope":
        """People of ``role`` at ``organisation`` (the warehouse's officers, a port's…)."""
        return cls(
            organisation_id=organisation.pk,
            role=role,
            farm_id=farm.pk if farm is not None else None,
            enterprise_id=(enterprise.pk if enterprise is not None else farm.enterprise_id if farm else None),
        )

    @classmethod
    def managers(cls, *, farm=None, enterprise=None) -> "AlertScope":
        """The bureau's managers at the head office."""
        head = Organisation.objects.filter(kind=Organisation.Kind.HEAD_OFFICE).order_by("pk").first()
        if head is None:
            raise RuntimeError("no head office: run seed_places")
        return cls.of(head, Role.MANAGER, farm=farm, enterprise=enterprise)


@dataclass(frozen=True)
class AlertSpec:
    """One warning to raise (see alert_raise); alerts_raise takes many at once."""

    kind: str
    severity: int
    key: str
    scope: AlertScope
    text: object  # a lazy string, a str, a (zh, en) pair, or a function returning one of them
    subject: object = None
    data: dict = field(default_factory=dict)
    show_enterprise: bool = False


def _texts(text) -> tuple[str, str]:
    if isinstance(text, tuple):
        zh, en = text
        return str(zh)[:TEXT_LIMIT], str(en)[:TEXT_LIMIT]
    rendered = {}
    for short, language in LANGUAGES:
        with translation.override(language):
            rendered[short] = str(text() if callable(text) else text)[:TEXT_LIMIT]
    return rendered["zh"], rendered["en"]


def _check(spec: AlertSpec) -> None:
    if spec.kind not in Alert.Kind.values:
        raise ValueError(BAD_KIND.format(kind=spec.kind))
    if spec.severity not in Alert.Severity.values:
        raise ValueError(BAD_SEVERITY.format(severity=spec.severity))
    if not spec.key or len(spec.key) > 200:
        raise ValueError(BAD_KEY.format(key=spec.key))


def _new_alert(spec: AlertSpec, now) -> Alert:
    zh, en = _texts(spec.text)
    subject = spec.subject
    return Alert(
        kind=spec.kind,
        severity=int(spec.severity),
        key=spec.key,
        text_zh=zh,
        text_en=en,
        organisation_id=spec.scope.organisation_id,
        role=spec.scope.role,
        farm_id=spec.scope.farm_id,
        enterprise_id=spec.scope.enterprise_id,
        shown_to_enterprise=bool(spec.show_enterprise and spec.scope.enterprise_id),
        subject_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
        subject_id=subject.pk if subject is not None else None,
        data=spec.data or {},
        raised_at=now,
        last_raised_at=now,
    )


def _notify_on_commit(alerts: Iterable[Alert]) -> None:
    ids = [a.pk for a in alerts if a.severity == Alert.Severity.HIGH and a.notified_at is None]
    if ids:
        from ..tasks import alerts_notify

        transaction.on_commit(lambda: alerts_notify.delay(alert_ids=ids))


def alerts_raise(*, specs: Iterable[AlertSpec], at=None) -> list[Alert]:
    """Raise many warnings at once (a zone's farms, a check over every truck): one alert per key.

    Keys already open are counted again; the others become new alerts, written in one batch
    with their history. Returns the alerts in the order of ``specs`` (one per distinct key).
    """
    specs = list(specs)
    for spec in specs:
        _check(spec)
    if not specs:
        return []
    now = at or timezone.now()
    try:
        with transaction.atomic():
            return _raise(specs, now)
    except IntegrityError:
        # Another process raised one of these keys between our look and our insert: its alert
        # is committed now, so a second pass counts it instead.
        with transaction.atomic():
            return _raise(specs, now)


def _raise(specs: list[AlertSpec], now) -> list[Alert]:
    keys = list(dict.fromkeys(s.key for s in specs))
    existing = {
        a.key: a
        for a in Alert.objects.select_for_update().filter(key__in=keys).exclude(state=Alert.State.CLOSED)
    }
    times = dict.fromkeys(keys, 0)
    first: dict[str, AlertSpec] = {}
    for spec in specs:
        times[spec.key] += 1
        first.setdefault(spec.key, spec)
    new = [_new_alert(first[key], now) for key in keys if key not in existing]
    for alert in new:
        alert.count = times[alert.key]
    if new:
        bulk_create_with_history(new, Alert, default_date=now)
    escalated = []
    for key, alert in existing.items():
        severity = max(alert.severity, max(s.severity for s in specs if s.key == key))
        Alert.objects.filter(pk=alert.pk).update(
            count=F("count") + times[key], last_raised_at=now, severity=severity
        )
        if severity > alert.severity:
            escalated.append(alert)
        alert.severity = severity
        alert.count += times[key]
        alert.last_raised_at = now
    _notify_on_commit([*new, *escalated])
    by_key = {a.key: a for a in new} | existing
    return [by_key[key] for key in keys]


def alert_raise(
    *,
    kind: str,
    severity: int,
    key: str,
    scope: AlertScope,
    text,
    subject=None,
    data: dict | None = None,
    show_enterprise: bool = False,
    at=None,
) -> Alert:
    """Raise one warning (see the module's doc); return its alert, new or counted again."""
    spec = AlertSpec(
        kind=kind,
        severity=severity,
        key=key,
        scope=scope,
        text=text,
        subject=subject,
        data=data or {},
        show_enterprise=show_enterprise,
    )
    return alerts_raise(specs=[spec], at=at)[0]


# --- the answer: acknowledge, note, show, close --------------------------------------------------


def _locked(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().select_related("organisation").get(pk=alert.pk)


def _require_actor(actor: User, alert: Alert) -> None:
    if actor.role in ALL_SEEING_ROLES or actor.organisation_id == alert.organisation_id:
        return
    raise DomainError(format_lazy(NOT_YOURS, organisation=alert.organisation.name))


def _require(alert: Alert, action: str) -> None:
    if not alert.can(action):
        raise DomainError(
            format_lazy(OUT_OF_ORDER, state=alert.get_state_display(), action=ACTION_WORDS[action]),
            field="state",
        )


def _note(alert: Alert, action: str, *, actor: User | None, text: str = "") -> AlertNote:
    return AlertNote.objects.create(alert=alert, action=action, author=actor, text=text)


@transaction.atomic
def alert_acknowledge(*, actor: User, alert: Alert, note: str = "") -> Alert:
    """Say the alert has been seen and someone is on it (optionally with a first note)."""
    alert = _locked(alert)
    _require_actor(actor, alert)
    _require(alert, "acknowledge")
    note = (note or "").strip()
    alert.state = Alert.State.ACKNOWLEDGED
    alert.acknowledged_at, alert.acknowledged_by = timezone.now(), actor
    save_audited(alert, actor=actor, reason=note or ACKNOWLEDGED)
    _note(alert, AlertNote.Action.ACKNOWLEDGE, actor=actor, text=note)
    return alert


@transaction.atomic
def alert_note_add(*, actor: User, alert: Alert, note: str) -> AlertNote:
    """Add a note of what was done to an alert that is not closed."""
    note = (note or "").strip()
    if not note:
        raise DomainError(NOTE_EMPTY, field="note")
    alert = _locked(alert)
    _require_actor(actor, alert)
    if not alert.is_open:
        raise DomainError(
            format_lazy(OUT_OF_ORDER, state=alert.get_state_display(), action=ACTION_WORDS["note"]),
            field="state",
        )
    return _note(alert, AlertNote.Action.NOTE, actor=actor, text=note)


@transaction.atomic
def alert_close(*, actor: User, alert: Alert, note: str) -> Alert:
    """Close an alert with what was done about it (the note is required)."""
    note = (note or "").strip()
    if not note:
        raise DomainError(NOTE_REQUIRED, field="note")
    alert = _locked(alert)
    _require_actor(actor, alert)
    _require(alert, "close")
    now = timezone.now()
    if alert.acknowledged_at is None:  # closing says it was seen, too
        alert.acknowledged_at, alert.acknowledged_by = now, actor
    alert.state, alert.closed_at, alert.closed_by, alert.close_reason = Alert.State.CLOSED, now, actor, note
    save_audited(alert, actor=actor, reason=note)
    _note(alert, AlertNote.Action.CLOSE, actor=actor, text=note)
    return alert


@transaction.atomic
def alert_show_to_enterprise(*, actor: User, alert: Alert, shown: bool, note: str = "") -> Alert:
    """Let the enterprise the alert is about see it on its portal (or hide it again)."""
    alert = _locked(alert)
    _require_actor(actor, alert)
    if alert.enterprise_id is None:
        raise DomainError(NO_ENTERPRISE)
    if alert.shown_to_enterprise == shown:
        raise DomainError(ALREADY_SHOWN if shown else ALREADY_HIDDEN)
    alert.shown_to_enterprise = shown
    note = (note or "").strip()
    save_audited(alert, actor=actor, reason=note or (SHOWN if shown else HIDDEN))
    _note(alert, AlertNote.Action.SHOW if shown else AlertNote.Action.HIDE, actor=actor, text=note)
    return alert


def alerts_resolve(
    *, keys: Iterable[str], reason: str = RESOLVED_BY_SYSTEM, actor: User | None = None
) -> int:
    """Close the open alerts with these keys because their cause went away (a reader spoke again).

    The system closes them when ``actor`` is None; ``reason`` is kept as given (a message id
    written with gettext_noop is translated where it is shown). Returns how many were closed.
    """
    keys = list(keys)
    if not keys:
        return 0
    closed = 0
    with transaction.atomic():
        for alert in Alert.objects.select_for_update().filter(key__in=keys, state__in=Alert.OPEN):
            now = timezone.now()
            alert.state, alert.closed_at, alert.closed_by, alert.close_reason = (
                Alert.State.CLOSED,
                now,
                actor,
                reason,
            )
            save_audited(alert, actor=actor, reason=reason)
            _note(alert, AlertNote.Action.CLOSE, actor=actor, text=reason)
            closed += 1
    return closed
