"""Transit's rows written in bulk, shaped as its services write them: the demo's trips.

For each plan (a certified consignment, a truck, a driver, a time to start loading and a story),
``Chain.add`` walks the chain as the services would — the loading opened, its tags and seals, the
loading closed (frozen manifest, signed seal addendum, ``loaded`` event, the trip), the GPS track
to Qingshuihe, the arrival check, animals set aside (残次死畜), the clinical check, the departure
under new seals, the track to the exit port, the port's hold, override and release (certificate
used, consignment exported, ``exported`` events) and the truck's disinfection — and stops at
``now``: a plan started an hour ago leaves its truck on the road. Every object gets the history
rows its saves would have written, every animal the events and final status the moves give it.

The rows go in with ``livestock.bulk.insert_rows_binary`` (a binary ``COPY`` on PostgreSQL) in
``flush()``; the few alerts and credit findings go through surveillance's and farms' services
(``at=`` their time), as they are a handful and their writers keep counters of their own.
"""

import datetime as dt
import io
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_noop

from accounts.models import Organisation, Role, User
from farms.models import CreditEvent
from livestock import vocab
from livestock.bulk import insert_rows_binary
from livestock.models import Animal, Event
from livestock.services.events import EVENT_FIELDS, event_uuid
from quarantine import compact, keys
from quarantine.models import Certificate, Consignment, ConsignmentAnimal, ConsignmentStatusChange
from surveillance.models import Alert
from surveillance.services import AlertScope, AlertSpec, alerts_raise
from surveillance.services.alerts import RESOLVED_BY_SYSTEM

from .demo_journeys import QINGSHUIHE, WENJINDU, off_corridor, road_for, track
from .models import (
    Arrival,
    Disinfection,
    GpsPoint,
    GpsUnit,
    Ineligible,
    IneligiblePhoto,
    JourneyState,
    Loading,
    LoadingAnimal,
    PortCheck,
    Seal,
    Trip,
)
from .services.journeys import KEY, LONG_STOP, OFF_ROUTE
from .services.loading import _addendum
from .services.port import PORT_ALERT, PORT_FINDING
from .services.warehouse import FINDING_POINTS, TO_PORT_HOURS

HISTORY = ("history_date", "history_change_reason", "history_type", "history_user")
POINT_FIELDS = ("unit", "recorded_at", "trip", "lat", "lng", "speed_kmh", "source", "flag", "received_at")
# Tables whose ids the chain gives itself (so history rows and children can name them).
OWN_IDS = (Loading, LoadingAnimal, Seal, Trip, Arrival, Ineligible, PortCheck, Disinfection)
MISSING_REASON = "一头猪装车时应激倒地，留场观察，未装车"
HOLD_REASON = "一个耳标读不到"
OVERRIDE_REASON = "耳标脱落，已人工核对体貌，与清单一致"
DEAD_CAUSE = "运输应激死亡"
STOP_MINUTES = 50  # a long stop on the way (the corridor allows 30)
# The warehouse's rhythm: the clinical check after the animals rest, the departure after it.
CLINICAL_AFTER = dt.timedelta(minutes=75)
LEAVE_AFTER = dt.timedelta(minutes=60)


@dataclass
class Plan:
    """One consignment to take through transit from ``start`` (the loading opened) as ``story`` says.

    ``story`` holds any of: "missing" (one animal left at the farm, with the reason), "detour",
    "stop" (a long stop on the way), "dead" (one animal set aside dead at Qingshuihe), "held"
    (held at the port for a tag not read), "override" (held, overridden by a manager, released),
    "overnight" (left in its pen: the board shows it), "off_now" (off its corridor right now).
    """

    consignment: Consignment
    certificate: Certificate
    vehicle: object
    driver: object
    start: dt.datetime
    story: set = field(default_factory=set)
    # The consignment's animals [(id, national code)] in national-code order, if the caller
    # read them already (the bench's year reads a batch's at once); else ``add`` reads them.
    animals: list | None = None


_HISTORY_ATTNAMES: dict = {}


def _history_attnames(model) -> list[str]:
    """The fields of ``model`` its history rows copy. Kept: simple_history builds a new manager
    each time ``model.history`` is read (a sixth of the bench year's trips' time)."""
    if model not in _HISTORY_ATTNAMES:
        names = {f.name for f in model.history.model._meta.fields}
        _HISTORY_ATTNAMES[model] = [f.attname for f in model._meta.concrete_fields if f.name in names]
    return _HISTORY_ATTNAMES[model]


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 240), (140, 110, 100)).save(out, "JPEG")
    return out.getvalue()


def _with_stop(points: list, at: int, minutes: int) -> list:
    """The track with the truck standing still ``minutes`` after its ``at``-th point."""
    if not points or at >= len(points):
        return points
    t0, lat, lng, _v = points[at]
    still = [(t0 + dt.timedelta(seconds=30 * i), lat, lng, 0.0) for i in range(1, minutes * 2 + 1)]
    shift = dt.timedelta(minutes=minutes)
    return [*points[: at + 1], *still, *((t + shift, a, b, v) for t, a, b, v in points[at + 1 :])]


class Chain:
    """Turns plans into rows; ``flush()`` writes them (parents first), then the alerts."""

    def __init__(self, *, now: dt.datetime | None = None, seed: int = 2026, points_to=None):
        """``points_to``: a function given the GPS points' rows (``POINT_FIELDS``) at ``flush``
        instead of writing them itself (the bench's year streams them on a connection of its own
        while the chain goes on)."""
        self.now = now or timezone.now()
        self.points_to = points_to
        self.rng = random.Random(seed)
        users = list(User.objects.filter(is_active=True).order_by("pk"))
        self.managers = [u for u in users if u.role == Role.MANAGER]
        self.inspectors = defaultdict(list)
        self.port_officers = defaultdict(list)
        self.transit = None
        for u in users:
            if u.role == Role.INSPECTOR:
                self.inspectors[u.organisation_id].append(u)
            elif u.role == Role.PORT_OFFICER:
                self.port_officers[u.organisation_id].append(u)
            elif u.role == Role.TRANSIT_OFFICER and self.transit is None:
                self.transit = u
        self.warehouse = (
            self.transit.organisation
            if self.transit
            else Organisation.objects.filter(kind=Organisation.Kind.WAREHOUSE).order_by("pk").first()
        )
        self.key = keys.signing_key()
        self.ids = {m: (m.objects.aggregate(m=Max("pk"))["m"] or 0) + 1 for m in OWN_IDS}
        self.objects: dict = defaultdict(list)
        self.history: dict = defaultdict(list)
        self.points: list = []
        self.states: dict[int, JourneyState] = {}  # by trip
        self.events: list = []
        self.statuses: dict[int, str] = {}
        self.died: dict[int, dt.date] = {}
        self.certificates: list = []  # (certificate, used_at, actor)
        self.exports: list = []  # (consignment, at, actor)
        self.alerts: list = []  # (at, spec, closed_at or None)
        self.findings: list = []  # kwargs of credit_event_record
        self.photos: list = []
        self.counts: dict[str, int] = defaultdict(int)
        self.staff: dict[int, User | None] = {}  # an enterprise's first user, who records its washes
        self.kinds = {
            name: (
                k.type,
                k.action,
                vocab.expand(k.biz_step, "bizstep"),
                vocab.expand(k.disposition, "disp") if k.disposition else "",
            )
            for name, k in vocab.KINDS.items()
        }

    # -- helpers -----------------------------------------------------------------------------

    def _new(self, model, **values):
        obj = model(pk=self.ids[model], **values)
        self.ids[model] += 1
        self.objects[model].append(obj)
        return obj

    def _saved(self, obj, at, reason, actor, kind="~") -> None:
        """The history row a save of ``obj`` as it stands now would write."""
        self.history[type(obj)].append((self._snapshot(obj), at, str(reason)[:100], kind, actor.pk))

    @staticmethod
    def _snapshot(obj) -> tuple:
        return tuple(getattr(obj, a) for a in _history_attnames(type(obj)))

    def _event(
        self,
        kind,
        at,
        animal_ids,
        *,
        actor,
        where_uri,
        read_point=None,
        farm_id=None,
        source,
        data,
        parent="",
    ):
        common = (
            kind,
            *self.kinds[kind],
            at,
            at,
            read_point or where_uri,
            where_uri,
            farm_id,
            parent,
            actor.pk,
            actor.organisation_id,
            source,
        )
        for a in animal_ids:
            # Time-ordered ids, as the services': a seeded sequence would repeat quarantine's ids.
            self.events.append((event_uuid(), a, *common, data))
        self.counts["events"] += len(animal_ids)

    def _inspector(self, consignment) -> User:
        return (self.inspectors.get(consignment.branch_id) or self.managers)[0]

    def _disinfect(self, vehicle, at, *, site, place, actor) -> None:
        d = self._new(
            Disinfection,
            target=Disinfection.Target.VEHICLE,
            vehicle=vehicle,
            site=site,
            place=place,
            agent="过氧乙酸",
            concentration="0.5%",
            performed_at=at,
            performed_by="洗消员 王师傅",
            recorded_by=actor,
            recorded_at=at + dt.timedelta(minutes=10),
        )
        self._saved(d, d.recorded_at, "", actor, "+")

    # -- one consignment ---------------------------------------------------------------------

    def add(self, plan: Plan) -> Trip | None:  # noqa: C901 - one walk down the chain, step by step
        """The rows of one consignment's transit, up to ``now``; None if it would not start by now."""
        rng, now, story = self.rng, self.now, plan.story
        c, cert, vehicle, driver = plan.consignment, plan.certificate, plan.vehicle, plan.driver
        inspector = self._inspector(c)
        animals = plan.animals
        if animals is None:
            animals = list(
                ConsignmentAnimal.objects.filter(consignment=c)
                .order_by("national_code")
                .values_list("animal_id", "national_code")
            )
        opened = plan.start
        if not animals or opened > now - dt.timedelta(minutes=30):
            return None
        if c.enterprise_id not in self.staff:
            self.staff[c.enterprise_id] = (
                User.objects.filter(organisation_id=c.enterprise_id, is_active=True).order_by("pk").first()
            )
        staff = self.staff[c.enterprise_id]
        self._disinfect(
            vehicle,
            opened - dt.timedelta(hours=2),
            site=c.enterprise,
            place="场内洗消中心",
            actor=staff or inspector,
        )
        # -- loading (监装) --
        loading = self._new(
            Loading,
            number=f"LD{c.number[2:]}-1"[:24],
            consignment=c,
            certificate=cert,
            enterprise_id=c.enterprise_id,
            branch_id=c.branch_id,
            vehicle=vehicle,
            driver=driver,
            status=Loading.Status.OPEN,
            head_expected=len(animals),
            opened_by=inspector,
            opened_at=opened,
        )
        self._saved(loading, opened, "opened", inspector, "+")
        missing = animals[-1:] if "missing" in story and len(animals) > 3 else []
        loaded = animals[: len(animals) - len(missing)]
        at = opened + dt.timedelta(minutes=5)
        for a, code in loaded:
            at += dt.timedelta(seconds=rng.randint(10, 40))
            self._new(
                LoadingAnimal, loading=loading, animal_id=a, national_code=code, how="typed", read_at=at
            )
        seals = [f"FZ-{loading.number[2:]}-{k}" for k in (1, 2)]
        seal_rows = []
        for number in seals:
            at += dt.timedelta(minutes=2)
            s = self._new(
                Seal,
                number=number,
                loading=loading,
                stage=Seal.Stage.LOADING,
                applied_at=at,
                applied_by=inspector,
            )
            self._saved(s, at, "applied", inspector, "+")
            seal_rows.append(s)
        closed = at + dt.timedelta(minutes=5)
        codes = [code for _a, code in loaded]
        reason = MISSING_REASON if missing else ""
        loading.status = Loading.Status.CLOSED
        loading.closed_by, loading.closed_at = inspector, closed
        loading.head_loaded = len(loaded)
        loading.addendum = _addendum(
            loading,
            seals=seals,
            codes=codes,
            missing=[code for _a, code in missing],
            reason=reason,
            at=closed,
        )
        loading.addendum_signature = compact.sign(self.key, compact.canonical(loading.addendum))
        loading.addendum_key_id = compact.key_id(self.key.public_key())
        self._saved(loading, closed, reason or "closed", inspector)
        ids = [a for a, _code in loaded]
        farm_uri = vocab.uri("farm", c.farm_id)
        self._event(
            "loaded",
            closed,
            ids,
            actor=inspector,
            where_uri=farm_uri,
            farm_id=c.farm_id,
            source=f"transit.loading:{loading.pk}",
            parent=vocab.uri("vehicle", vehicle.pk),
            data={
                "loading": loading.number,
                "certificate": cert.number,
                "vehicle": vehicle.plate,
                "seals": seals,
            },
        )
        for a in ids:
            self.statuses[a] = Animal.Status.IN_TRANSIT
        for a, _code in missing:
            self.statuses[a] = Animal.Status.DECLARED
        self.counts["loadings"] += 1
        trip = self._new(
            Trip,
            loading=loading,
            vehicle=vehicle,
            driver=driver,
            gps_unit=vehicle.gps_unit,
            enterprise_id=c.enterprise_id,
            status=Trip.Status.EN_ROUTE,
            departed_at=closed,
            due_at=closed + dt.timedelta(hours=settings.TRANSIT_TRIP_PLANNED_HOURS),
        )
        self._saved(trip, closed, "departed", inspector, "+")
        # -- the road to Qingshuihe --
        farm = c.farm
        lat, lng = (float(farm.latitude), float(farm.longitude)) if farm.latitude is not None else QINGSHUIHE
        road = road_for(lat, lng)
        to_warehouse = road[: road.index(QINGSHUIHE) + 1]
        points = track(to_warehouse, closed, seed=trip.pk, detour="detour" in story)
        if "stop" in story:
            points = _with_stop(points, len(points) // 3, STOP_MINUTES)
        if "stop_now" in story:  # standing still for the last 45 minutes
            idx = max((i for i, p in enumerate(points) if p[0] <= now - dt.timedelta(minutes=45)), default=0)
            points = _with_stop(points, idx, 120)
        if "off_now" in story:  # turning off the corridor these last minutes
            points = off_corridor([p for p in points if p[0] <= now])
        if "detour" in story:
            # The check raised the alert while the truck was off its corridor (mid-way: track()).
            legs = len(to_warehouse) - 1
            mid = points[min(len(points) - 1, int(len(points) * (legs // 2 + 0.5) / max(1, legs)))]
            self._alert(trip, "off_route", mid[0], mid[0] + dt.timedelta(minutes=20), distance=4000)
        if "stop" in story:
            t = points[len(points) // 3][0]
            self._alert(
                trip, "long_stop", t + dt.timedelta(minutes=31), t + dt.timedelta(minutes=STOP_MINUTES)
            )
        arrive = points[-1][0] + dt.timedelta(minutes=5)
        if "overnight" in story:
            arrive = max(
                arrive,
                timezone.make_aware(dt.datetime.combine(timezone.localdate(now), dt.time()))
                - dt.timedelta(hours=3),
            )
        self._track(trip, points, stop_anchor="stop_now" in story)
        if arrive > now:
            return trip
        # -- Qingshuihe: arrival --
        transit = self.transit
        pen = f"{trip.pk % 12 + 1}号栏"
        arrival = self._new(
            Arrival,
            trip=trip,
            warehouse=self.warehouse,
            arrived_at=arrive,
            seals_found=seals,
            seals_intact=True,
            head_counted=len(loaded),
            head_expected=len(loaded),
            tags_read=sorted(codes),
            missing=[],
            pen=pen,
            checked_by=transit,
        )
        self._saved(arrival, arrive, gettext_noop("Arrival checked"), transit, "+")
        for s in seal_rows:
            s.broken_at, s.broken_by, s.broken_note = arrive, transit, "opened at the warehouse"
        trip.arrived_warehouse_at = arrive
        trip.status = Trip.Status.AT_WAREHOUSE
        self._saved(trip, arrive, "arrive", transit)
        site = vocab.uri("site", self.warehouse.code)
        pen_uri = vocab.uri("site", self.warehouse.code, "pen", pen)
        source = f"transit.arrival:{arrival.pk}"
        self._event(
            "warehouse_arrived",
            arrive,
            ids,
            actor=transit,
            where_uri=pen_uri,
            source=source,
            data={"loading": loading.number, "pen": pen, "seals_intact": True},
        )
        for a in ids:
            self.statuses[a] = Animal.Status.AT_WAREHOUSE
        self.counts["arrivals"] += 1
        remaining = list(ids)
        if "dead" in story and len(loaded) > 1:
            a, code = loaded[0]
            recorded = arrive + dt.timedelta(minutes=20)
            disposed = recorded + dt.timedelta(minutes=40)
            item = self._new(
                Ineligible,
                arrival=arrival,
                animal_id=a,
                national_code=code,
                condition=Ineligible.Condition.DEAD,
                cause=DEAD_CAUSE,
                disposal_method=Ineligible.Disposal.RENDERING,
                disposed_at=disposed,
                witnesses=f"{transit.get_full_name() or transit.username}、司机{driver.name}",
                recorded_by=transit,
                recorded_at=recorded,
            )
            self._saved(item, recorded, gettext_noop("Set aside"), transit, "+")
            name = f"transit/ineligible/{recorded:%Y/%m}/demo-{item.pk}.jpg"
            self.photos.append((name, item))
            data = {
                "loading": loading.number,
                "condition": "dead",
                "cause": item.cause,
                "witnesses": item.witnesses,
            }
            src = f"transit.ineligible:{item.pk}"
            self._event("set_aside", recorded, [a], actor=transit, where_uri=pen_uri, source=src, data=data)
            self._event("death", recorded, [a], actor=transit, where_uri=pen_uri, source=src, data=data)
            self._event(
                "disposal",
                disposed,
                [a],
                actor=transit,
                where_uri=pen_uri,
                source=src,
                data={"method": "rendering", "witnesses": item.witnesses},
            )
            self.statuses[a] = Animal.Status.DISPOSED
            self.died[a] = timezone.localdate(recorded)
            remaining.remove(a)
            self.counts["set_aside"] += 1
        clinical = arrive + CLINICAL_AFTER
        if clinical > now:
            return trip
        arrival.clinical_ok, arrival.clinical_by, arrival.clinical_at = True, transit, clinical
        self._saved(arrival, clinical, gettext_noop("Clinical check"), transit)
        self._event(
            "transit_examined",
            clinical,
            remaining,
            actor=transit,
            where_uri=pen_uri,
            source=source,
            data={"healthy": True},
        )
        if "overnight" in story:
            self.counts["overnight"] += 1
            return trip
        # -- departure under new seals --
        left = clinical + LEAVE_AFTER
        if left > now:
            return trip
        new_seals = [f"QSH-{loading.number}-{k}" for k in (1, 2)]
        for number in new_seals:
            s = self._new(
                Seal,
                number=number,
                loading=loading,
                stage=Seal.Stage.WAREHOUSE,
                applied_at=left,
                applied_by=transit,
            )
            seal_rows.append(s)  # bulk_create in the service: no history row
        arrival.left_at = left
        self._saved(arrival, left, gettext_noop("Left the pen"), transit)
        trip.departed_warehouse_at = left
        trip.due_at = left + dt.timedelta(hours=TO_PORT_HOURS)
        trip.status = Trip.Status.TO_PORT
        self._saved(trip, left, "depart", transit)
        self._event(
            "warehouse_departed",
            left,
            remaining,
            actor=transit,
            where_uri=site,
            source=f"transit.trip:{trip.pk}",
            data={"loading": loading.number, "seals": new_seals},
        )
        port = c.exit_port
        tail = road[road.index(QINGSHUIHE) :]
        if (
            port.latitude is not None
            and (float(port.latitude), float(port.longitude)) != WENJINDU
            and port.code != "port-wenjindu"
        ):
            tail = [QINGSHUIHE, (float(port.latitude), float(port.longitude))]
        tail_points = track(tail, left, seed=trip.pk + 1)
        self._track(trip, tail_points)
        at_port = tail_points[-1][0] + dt.timedelta(minutes=5)
        if at_port > now:
            return trip
        # -- the port --
        officer = (self.port_officers.get(port.pk) or self.managers)[0]
        port_uri = vocab.uri("site", port.code)
        codes_left = sorted(code for a, code in loaded if a in set(remaining))
        seals_now = sorted(new_seals)
        override = None
        if "held" in story or "override" in story:
            read = codes_left[1:]
            check = self._check(
                trip, cert, port, officer, at_port, "held", HOLD_REASON, seals_now, codes_left, read
            )
            trip.status = Trip.Status.HELD
            self._saved(trip, at_port, HOLD_REASON, officer)
            self._event(
                "port_held",
                at_port,
                remaining,
                actor=officer,
                where_uri=port_uri,
                source=f"transit.portcheck:{check.pk}",
                data={"certificate": cert.number, "reason": HOLD_REASON, "missing": 1},
            )
            self._held(trip, check, port, at_port)
            self.counts["held"] += 1
            over_at = at_port + dt.timedelta(minutes=30)
            if "held" in story or over_at > now:
                return trip
            manager = self.managers[0]
            check.override_reason, check.override_by, check.override_at = OVERRIDE_REASON, manager, over_at
            self._saved(check, over_at, OVERRIDE_REASON, manager)
            self._event(
                "port_hold_overridden",
                over_at,
                remaining,
                actor=manager,
                where_uri=port_uri,
                source=f"transit.portcheck:{check.pk}",
                data={"reason": OVERRIDE_REASON},
            )
            override = check
            at_port = over_at + dt.timedelta(minutes=15)
            if at_port > now:
                return trip
            read_final = read
        else:
            read_final = codes_left
        released = self._check(
            trip, cert, port, officer, at_port, "released", "", seals_now, codes_left, read_final
        )
        if override is not None:
            released.reason = override.override_reason
        released.notice = self._notice(
            cert, trip, released, override, codes_left, seals_now, aside=sorted(set(codes) - set(codes_left))
        )
        self._saved(released, at_port, gettext_noop("Export notice"), officer)
        self.certificates.append((cert, at_port, officer))
        self.exports.append((c, at_port, officer))
        trip.ended_at = at_port
        trip.status = Trip.Status.RELEASED
        self._saved(trip, at_port, "release", officer)
        for s in seal_rows:
            if s.broken_at is None:
                s.broken_at, s.broken_by, s.broken_note = at_port, officer, "opened at the port"
        self._event(
            "exported",
            at_port,
            remaining,
            actor=officer,
            where_uri=port_uri,
            source=f"transit.portcheck:{released.pk}",
            data={"certificate": cert.number, "port": port.code},
        )
        for a in remaining:
            self.statuses[a] = Animal.Status.RELEASED
        self.counts["released"] += 1
        wash = at_port + dt.timedelta(hours=1)
        if wash < now:
            self._disinfect(vehicle, wash, site=port, place="文锦渡洗消站", actor=staff or officer)
        return trip

    def _track(self, trip: Trip, points: list, *, stop_anchor: bool = False) -> None:
        """Points up to now on ``trip``; the trip's last position and journey state follow them."""
        points = [p for p in points if p[0] <= self.now]
        if not points:
            return
        unit, trip_id = trip.gps_unit_id, trip.pk
        self.points += [(unit, t, trip_id, lat, lng, v, "json", "", t) for t, lat, lng, v in points]
        t, lat, lng, _v = points[-1]
        trip.last_lat, trip.last_lng, trip.last_position_at = round(lat, 6), round(lng, 6), t
        anchor = t
        # A truck standing still now: its anchor is where it stopped (the check measures from it).
        if stop_anchor:
            for p in reversed(points):
                if (p[1], p[2]) != (lat, lng):
                    break
                anchor = p[0]
        state = self.states.get(trip_id)
        if state is None:
            self.states[trip_id] = JourneyState(
                trip_id=trip_id, anchor_lat=lat, anchor_lng=lng, anchor_at=anchor, points=len(points)
            )
        else:
            state.anchor_lat, state.anchor_lng, state.anchor_at = lat, lng, anchor
            state.points += len(points)
        self.counts["points"] += len(points)

    def _alert(self, trip: Trip, kind: str, at, closed_at, distance: int = 0) -> None:
        loading = trip.loading
        scope = AlertScope(
            organisation_id=loading.branch_id,
            role=Role.INSPECTOR,
            farm_id=loading.consignment.farm_id,
            enterprise_id=trip.enterprise_id,
        )
        if kind == "off_route":
            text = format_lazy(OFF_ROUTE, plate=trip.vehicle.plate, number=loading.number, distance=distance)
            kind_, severity = Alert.Kind.OFF_ROUTE, Alert.Severity.HIGH
        else:
            text = format_lazy(
                LONG_STOP, plate=trip.vehicle.plate, number=loading.number, minutes=31, allowed=30
            )
            kind_, severity = Alert.Kind.LONG_STOP, Alert.Severity.MEDIUM
        spec = AlertSpec(
            kind=kind_,
            severity=severity,
            key=KEY.format(kind=kind, trip=trip.pk),
            scope=scope,
            text=text,
            subject=trip,
            data={"trip": trip.pk},
            show_enterprise=True,
        )
        self.alerts.append((at, spec, closed_at if closed_at <= self.now else None))

    def _check(self, trip, cert, port, officer, at, outcome, reason, seals, expected, read) -> PortCheck:
        check = self._new(
            PortCheck,
            trip=trip,
            certificate=cert,
            port=port,
            outcome=outcome,
            reason=reason,
            seals_expected=seals,
            seals_intact=True,
            head_expected=len(expected),
            head_counted=len(expected),
            tags_source="typed",
            tags_read=sorted(read),
            missing=sorted(set(expected) - set(read)),
            checked_by=officer,
            checked_at=at,
        )
        self._saved(check, at, outcome, officer, "+")
        return check

    def _held(self, trip: Trip, check: PortCheck, port, at) -> None:
        c = trip.loading.consignment
        cert = check.certificate
        problems = f"{len(check.missing)} tag(s) not read"
        self.findings.append(
            {
                "enterprise": c.enterprise,
                "farm": c.farm,
                "kind": CreditEvent.Kind.PORT_DISCREPANCY,
                "points": FINDING_POINTS,
                "reason": PORT_FINDING.format(number=cert.number, problems=problems),
                "source": f"transit.portcheck:{check.pk}",
                "occurred_on": timezone.localdate(at),
            }
        )
        text = format_lazy(PORT_ALERT, number=cert.number, port=port, reason=check.reason)
        for scope in (
            AlertScope.of(c.branch, Role.INSPECTOR, farm=c.farm),
            AlertScope.of(port, Role.PORT_OFFICER, farm=c.farm),
        ):
            spec = AlertSpec(
                kind=Alert.Kind.DISCREPANCY,
                severity=Alert.Severity.HIGH,
                key=f"transit:port-hold:{check.pk}:{scope.role}",
                scope=scope,
                text=text,
                subject=check,
                data={"trip": trip.pk, "certificate": cert.number, "missing": check.missing},
            )
            self.alerts.append((at, spec, None))

    @staticmethod
    def _notice(cert, trip, check, override, codes, seals, *, aside) -> dict:
        """What transit.services.port.notice_of writes."""
        content = cert.content
        return {
            "type": "export_notice",
            "version": 1,
            "certificate": cert.number,
            "consignment": content.get("consignment", ""),
            "issued_at": cert.issued_at.isoformat(),
            "valid_until": cert.valid_until.isoformat(),
            "issuer": content.get("issuer", {}),
            "enterprise": content.get("enterprise", {}),
            "farm": content.get("farm", {}),
            "species": content.get("species", ""),
            "consignee": content.get("consignee", ""),
            "destination": content.get("destination", ""),
            "exit_port": content.get("exit_port", {}),
            "head_certified": content.get("head_count"),
            "head_released": len(codes),
            "set_aside": aside,
            "tags": codes,
            "seals": seals,
            "vehicle": {"plate": trip.vehicle.plate, "hk_plate": trip.vehicle.hk_plate},
            "driver": trip.driver.name,
            "released_at": check.checked_at.isoformat(),
            "released_by": check.checked_by.get_full_name() or check.checked_by.username,
            "override": (
                {
                    "reason": override.override_reason,
                    "by": override.override_by.get_full_name() or override.override_by.username,
                    "at": override.override_at.isoformat(),
                    "hold_reason": override.reason,
                }
                if override
                else None
            ),
        }

    # -- writing -----------------------------------------------------------------------------

    def flush(self, *, counts: bool = True) -> None:
        """Write the rows collected (parents first), the other apps' rows, then the alerts.

        ``counts=False`` leaves the farms' maintained head counts to the caller (the bench's year
        flushes many times and rebuilds them once, after its last rows)."""
        from farms.services import credit_event_record
        from livestock.services.counts import recount

        for model in (Disinfection, Loading, LoadingAnimal, Seal, Trip, Arrival, Ineligible, PortCheck):
            fields = model._meta.concrete_fields
            insert_rows_binary(
                model,
                [f.name for f in fields],
                [tuple(getattr(o, f.attname) for f in fields) for o in self.objects[model]],
            )
            if hasattr(model, "history") and self.history[model]:
                names = {f.name for f in model.history.model._meta.fields}
                hfields = [f.name for f in fields if f.name in names]
                insert_rows_binary(
                    model.history.model,
                    [*hfields, *HISTORY],
                    [(*row, *rest) for row, *rest in self.history[model]],
                )
        if self.points_to is not None:
            self.points_to(self.points)
        else:
            insert_rows_binary(GpsPoint, POINT_FIELDS, self.points)
        # As the API leaves it: a unit's last_seen_at is its newest point (the API takes a batch
        # wholly after it as holding nothing stored yet). Only the units written to: a year of
        # trips is flushed in batches.
        units = GpsUnit._meta.db_table
        newest: dict[int, dt.datetime] = {}
        for unit, t, *_rest in self.points:
            if unit not in newest or newest[unit] < t:
                newest[unit] = t
        with connection.cursor() as cursor:
            for unit, t in newest.items():
                cursor.execute(
                    f"UPDATE {units} SET last_seen_at = %s WHERE id = %s "
                    "AND (last_seen_at IS NULL OR last_seen_at < %s)",
                    [t, unit, t],
                )
        JourneyState.objects.bulk_create(self.states.values(), batch_size=500)
        insert_rows_binary(Event, EVENT_FIELDS, self.events)
        jpeg = _jpeg() if self.photos else b""
        for name, item in self.photos:
            stored = default_storage.save(name, ContentFile(jpeg))
            IneligiblePhoto.objects.create(
                ineligible=item,
                file=stored,
                original_name="死猪.jpg",
                content_type="image/jpeg",
                size=len(jpeg),
            )
        self._certificates_used()
        self._exported()
        by_status = defaultdict(list)
        for a, status in self.statuses.items():
            by_status[status].append(a)
        for status, ids in by_status.items():
            Animal.objects.filter(pk__in=ids).update(status=status)
        for a, day in self.died.items():
            Animal.objects.filter(pk=a).update(died_on=day)
        reset_sequences()
        if counts:
            recount()
        for kwargs in self.findings:
            credit_event_record(**kwargs)
        for at, spec, closed_at in sorted(self.alerts, key=lambda x: x[0]):
            alerts_raise(specs=[spec], at=at)
            if closed_at is not None:
                Alert.objects.filter(key=spec.key, state__in=Alert.OPEN).update(
                    state=Alert.State.CLOSED, closed_at=closed_at, close_reason=RESOLVED_BY_SYSTEM
                )

    def _certificates_used(self) -> None:
        kfields = Certificate._meta.concrete_fields
        history = []
        for cert, at, actor in self.certificates:
            cert.used_at, cert.used_by = at, actor
            history.append(
                (*(getattr(cert, f.attname) for f in kfields), at, "Used at the port", "~", actor.pk)
            )
        _update_rows(
            Certificate, ("used_at", "used_by"), [(c.pk, at, a.pk) for c, at, a in self.certificates]
        )
        insert_rows_binary(Certificate.history.model, [*(f.name for f in kfields), *HISTORY], history)

    def _exported(self) -> None:
        cfields = Consignment._meta.concrete_fields
        changes, history = [], []
        for c, at, actor in self.exports:
            changes.append((c.pk, "export", c.status, Consignment.Status.EXPORTED, actor.pk, "", at))
            c.status, c.updated_at = Consignment.Status.EXPORTED, at
            history.append((*(getattr(c, f.attname) for f in cfields), at, "export", "~", actor.pk))
        _update_rows(
            Consignment, ("status", "updated_at"), [(c.pk, c.status, at) for c, at, _a in self.exports]
        )
        # ``at`` is auto_now_add: written as a column, not through bulk_create, to keep the step's time.
        insert_rows_binary(
            ConsignmentStatusChange,
            ("consignment", "action", "from_status", "to_status", "actor", "reason", "at"),
            changes,
        )
        insert_rows_binary(Consignment.history.model, [*(f.name for f in cfields), *HISTORY], history)
        ConsignmentAnimal.objects.filter(consignment__in=[c for c, _at, _a in self.exports]).update(
            holding=False
        )


def _update_rows(model, fields, rows) -> None:
    """Set ``fields`` of many rows ``(pk, value, ...)`` in one statement: the bench year's trips
    update thousands (one statement a row, or bulk_update's CASE with a branch a row, took several
    times as long on the year at scale 0.05)."""
    meta = model._meta
    if connection.vendor != "postgresql":  # the few rows of the demo on SQLite
        for pk, *values in rows:
            model.objects.filter(pk=pk).update(
                **{meta.get_field(f).attname: v for f, v in zip(fields, values, strict=True)}
            )
        return
    if not rows:
        return
    table = connection.ops.quote_name(meta.db_table)
    columns = [connection.ops.quote_name(meta.get_field(f).column) for f in fields]
    types = [meta.get_field(f).db_type(connection) for f in fields]
    sets = ", ".join(f"{c} = v.c{i}::{t}" for i, (c, t) in enumerate(zip(columns, types, strict=True)))
    names = ", ".join(f"c{i}" for i in range(len(fields)))
    values = ", ".join([f"({', '.join(['%s'] * (len(fields) + 1))})"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {sets} FROM (VALUES {values}) AS v(pk, {names}) "
            f"WHERE {table}.{connection.ops.quote_name(meta.pk.column)} = v.pk",
            [value for row in rows for value in row],
        )


def reset_sequences() -> None:
    """After rows written with their own ids: the next id the database gives follows them."""
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(OWN_IDS)):
            cursor.execute(statement)
