"""Consignments made in bulk, shaped as the services write them: the demo's weeks and the bench's year.

``make run``'s demo (quarantine/demo.py) takes a few weeks of them from the demo herds; the
benchmark year (bench/year.py) about 43,000 from the age groups it exports. Each consignment goes
the way the workflow takes it — declared by a clerk of the enterprise, accepted and examined by an
inspector of the farm's branch, sampled by the enterprise's credit rating with a recorded seed
(``quarantine.sampling``: anyone can draw again), results from the lab, a certificate signed with
the bureau's key over the content rebuilt from the rows (so ``certificate_check`` finds it
valid) — or stops on the way (withdrawn, cancelled, rejected, or still in progress). Every step
writes what ``_move`` writes: its status-change row, a history row of the consignment and one
event per animal (livestock's vocabulary). The rows go in with ``livestock.bulk.insert_rows``
(``COPY`` on PostgreSQL): a service call per step would take hours at the year's scale.

What the writer leaves to its caller: the animals' statuses (``Generator.statuses``), the farms'
last consignment (``Generator.last_consignment``), and the sequences (``reset_sequences``).
"""

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from accounts.models import Organisation, Role, User
from farms.models import Farm
from livestock import vocab
from livestock.bulk import insert_rows
from livestock.models import Event
from livestock.services.events import EVENT_FIELDS

from . import compact, keys, reference, sampling
from .content import certificate_content, essentials_of
from .models import (
    Analyte,
    Certificate,
    Consignment,
    ConsignmentAnimal,
    ConsignmentStatusChange,
    ExamChecklistItem,
    Examination,
    ExportRule,
    LabResult,
    Sample,
)

S = Consignment.Status
# Where the steps stop. The first five leave the consignment in progress (its animals declared).
FATES = (
    "declared",
    "accepted",
    "examined",
    "sampled",
    "results_in",
    "approved",
    "replaced",  # approved, then its certificate replaced by a second (a later loading date)
    "rejected",  # at the examination
    "withdrawn",
    "cancelled",
)
# The tables whose rows the generator numbers itself.
OWN_IDS = (Consignment, ConsignmentAnimal, ConsignmentStatusChange, Examination, Sample, LabResult)
IN_PROGRESS = {"declared": 1, "accepted": 2, "examined": 3, "sampled": 4, "results_in": 5}
CONSIGNEES = [
    ("香港上水屠房", "上水屠房（香港新界上水）"),
    ("五丰行有限公司", "上水屠房（香港新界上水）"),
    ("香港长沙湾临时家禽批发市场", "长沙湾牲畜批发市场（香港九龙）"),
    ("荃湾屠房", "荃湾屠房（香港新界荃湾）"),
]
REJECT_REASONS = [
    "临床检查发现 3 头猪体温偏高（40.5 ℃以上），不予出证，隔离观察后重新报检。",
    "隔离舍消毒记录不全，隔离条件不符合要求。",
    "部分动物耳标脱落、无法识读，需补标后重新报检。",
]
WITHDRAW_REASONS = ["香港方面延后收货", "运输车辆未能按时到场", ""]
CANCEL_REASONS = ["企业报检信息有误（出境口岸填错），重新报检", "装运计划取消，企业电话确认"]
REPLACE_REASON = "装运日期推迟一天（车辆故障），重新出证"


@dataclass
class Lot:
    """Animals of one farm to declare for one loading date: ``[(animal id, national code)]``."""

    farm: Farm
    animals: list[tuple[int, str]]
    loading_on: dt.date
    fate: str = "approved"


class Generator:
    """Turns lots into rows and writes them in batches; ``flush()`` at the end."""

    def __init__(self, *, today: dt.date | None = None, seed: int = 2026, with_events: bool = True):
        import random

        reference.ensure()
        self.rng = random.Random(seed)
        self.today = today or timezone.localdate()
        self.with_events = with_events
        self.ports = list(Organisation.objects.filter(kind=Organisation.Kind.PORT).order_by("code"))
        # Wenjindu and Shekou carry most of the trade.
        self.port_weights = [5 if p.code in ("port-wenjindu", "port-shekou") else 1 for p in self.ports]
        self.orgs = {o.pk: o for o in Organisation.objects.all()}
        users = list(User.objects.filter(is_active=True).order_by("pk"))
        self.clerks = defaultdict(list)
        self.inspectors = defaultdict(list)
        for u in users:
            if u.role in (Role.ENTERPRISE_STAFF, Role.ENTERPRISE_ADMIN):
                self.clerks[u.organisation_id].append(u)
            elif u.role == Role.INSPECTOR:
                self.inspectors[u.organisation_id].append(u)
        self.managers = [u for u in users if u.role == Role.MANAGER]
        self.lab = [u for u in users if u.role == Role.LAB_ANALYST] or self.managers
        self.rules = {r.species: r for r in ExportRule.objects.all()}
        self.checklist = defaultdict(list)
        for item in ExamChecklistItem.objects.filter(is_active=True):
            self.checklist[item.species].append(item)
        self.analytes = list(Analyte.objects.filter(is_active=True))
        self.percent: dict[int, int] = {}
        self.key = keys.signing_key()
        self.key_id = compact.key_id(self.key.public_key())
        self.ids = {
            model: (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
            for model in (
                Consignment,
                ConsignmentAnimal,
                ConsignmentStatusChange,
                Examination,
                Sample,
                LabResult,
            )
        }
        self.ids[Certificate] = (Certificate.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        self.rows: dict = defaultdict(list)
        # What the caller applies to the animals: id -> status, and the farms' last consignment.
        self.statuses: dict[int, str] = {}
        self.last_consignment: dict[int, dt.date] = {}
        self.counts: dict[str, int] = defaultdict(int)
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

    def _id(self, model) -> int:
        n = self.ids[model]
        self.ids[model] = n + 1
        return n

    def _at(self, day: dt.date, hour: float) -> dt.datetime:
        """A moment of ``day`` in local time, never later than now."""
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=hour))
        return min(moment, timezone.now() - dt.timedelta(minutes=5))

    def _by(self, at: dt.datetime, minutes: int) -> dt.datetime:
        return min(at, timezone.now() - dt.timedelta(minutes=minutes))

    def _sampling_percent(self, enterprise_id: int) -> int:
        if enterprise_id not in self.percent:
            from farms.services import credit_sampling_percent

            self.percent[enterprise_id] = credit_sampling_percent(enterprise=self.orgs[enterprise_id])
        return self.percent[enterprise_id]

    def _user(self, pool: list[User], fallback: list[User]) -> User:
        return self.rng.choice(pool or fallback)

    # -- one consignment ---------------------------------------------------------------------

    def add(self, lot: Lot) -> Consignment:
        """The rows of one consignment, from its declaration to where ``lot.fate`` stops it."""
        rng, farm = self.rng, lot.farm
        fate = lot.fate
        clerk = self._user(self.clerks[farm.enterprise_id], self.managers)
        inspector = self._user(self.inspectors[farm.branch_id], self.managers)
        lab = self._user(self.lab, self.managers)
        loading = lot.loading_on
        declared_on = loading - dt.timedelta(days=rng.randint(2, 5))
        if declared_on > self.today:
            declared_on = self.today
        declared_at = self._at(declared_on, 8.5 + rng.random() * 3)
        rule = self.rules.get(farm.species)
        isolation = rule.isolation_days if rule else 15
        consignee, destination = rng.choice(CONSIGNEES)
        enterprise = self.orgs[farm.enterprise_id]
        port = rng.choices(self.ports, weights=self.port_weights)[0]
        pk = self._id(Consignment)
        c = Consignment(
            pk=pk,
            number=f"QD{declared_on:%Y%m%d}-{pk:06d}",
            enterprise=enterprise,
            farm=farm,
            branch=self.orgs[farm.branch_id],
            species=farm.species,
            planned_loading_on=loading,
            isolation_started_on=loading - dt.timedelta(days=isolation + rng.randint(0, 3)),
            exit_port=port,
            consignee=consignee,
            destination=destination,
            contact_name=enterprise.contact_name or clerk.get_full_name() or clerk.username,
            contact_phone=enterprise.contact_phone or clerk.phone or "13800000000",
            head_count=len(lot.animals),
            status=S.DECLARED,
            declared_by=clerk,
            declared_at=declared_at,
            updated_at=declared_at,
        )
        animal_ids = [a for a, _code in lot.animals]
        c._tags = [code for _a, code in lot.animals]
        holding = fate not in ("rejected", "withdrawn", "cancelled")
        for a, code in lot.animals:
            self.rows[ConsignmentAnimal].append((self._id(ConsignmentAnimal), pk, a, code, holding))
        self._step(c, "declare", "", S.DECLARED, clerk, declared_at, "declared", animal_ids, reason="")
        self.counts["consignments"] += 1
        self.counts[fate] += 1
        if fate in ("withdrawn", "cancelled"):
            at = declared_at + dt.timedelta(hours=rng.uniform(1, 20))
            if fate == "withdrawn":
                self._step(
                    c,
                    "withdraw",
                    S.DECLARED,
                    S.WITHDRAWN,
                    clerk,
                    at,
                    "declaration_released",
                    animal_ids,
                    reason=rng.choice(WITHDRAW_REASONS),
                )
            else:
                self._step(
                    c,
                    "cancel",
                    S.DECLARED,
                    S.CANCELLED,
                    inspector,
                    at,
                    "declaration_released",
                    animal_ids,
                    reason=rng.choice(CANCEL_REASONS),
                )
            return self._done(c)
        stop = IN_PROGRESS.get(fate, 99)
        if stop <= 1:
            return self._done(c)
        # The branch accepts within hours, examines and samples the day before loading (or today).
        # Each step no later than now (a consignment declared this morning is accepted by now).
        accepted_at = self._by(declared_at + dt.timedelta(hours=rng.uniform(1, 6)), 4)
        self._step(
            c, "accept", S.DECLARED, S.ACCEPTED, inspector, accepted_at, "quarantine_accepted", animal_ids
        )
        if stop <= 2:
            return self._done(c)
        exam_day = min(max(loading - dt.timedelta(days=1), accepted_at.date()), self.today)
        exam_at = self._by(
            max(self._at(exam_day, 9 + rng.random() * 2), accepted_at + dt.timedelta(minutes=30)), 3
        )
        if fate == "rejected":
            self._step(
                c,
                "reject",
                S.ACCEPTED,
                S.REJECTED,
                inspector,
                exam_at,
                "quarantine_rejected",
                animal_ids,
                reason=rng.choice(REJECT_REASONS),
            )
            return self._done(c)
        items = self.checklist.get(farm.species, [])
        self.rows[Examination].append(
            (
                self._id(Examination),
                pk,
                inspector.pk,
                exam_at.date(),
                [{"item": i.pk, "text_zh": i.text_zh, "text_en": i.text_en, "ok": True} for i in items],
                "",
                exam_at,
            )
        )
        self._step(
            c,
            "examine",
            S.ACCEPTED,
            S.EXAMINED,
            inspector,
            exam_at,
            "examined",
            animal_ids,
            data={"examined_on": exam_at.date().isoformat()},
        )
        if stop <= 3:
            return self._done(c)
        # Sampling by the enterprise's credit rating, the seed kept so anyone can draw again.
        sample_at = self._by(exam_at + dt.timedelta(minutes=rng.randint(20, 90)), 2)
        percent = self._sampling_percent(farm.enterprise_id)
        count = sampling.sample_count(
            head_count=len(lot.animals), percent=percent, minimum=rule.min_samples if rule else 1
        )
        seed = f"{rng.getrandbits(128):032x}"
        codes = {code: a for a, code in lot.animals}
        drawn = sampling.draw(tags=sorted(codes), count=count, seed=seed)
        samples = []
        for n, code in enumerate(drawn, start=1):
            sid = self._id(Sample)
            number = f"{c.number}-S{n:03d}"
            samples.append((sid, number, codes[code], code))
            self.rows[Sample].append((sid, pk, number, codes[code], code, inspector.pk, sample_at))
        c.sampling_percent, c.sampling_seed = percent, seed
        self._step(
            c,
            "sample",
            S.EXAMINED,
            S.SAMPLED,
            inspector,
            sample_at,
            "sampled",
            animal_ids,
            data={"samples": len(samples), "seed": seed, "percent": percent},
            per_animal={a: {"sample": number} for _sid, number, a, _code in samples},
        )
        if stop <= 4:
            return self._done(c)
        results_at = max(
            sample_at + dt.timedelta(hours=rng.uniform(3, 8)), self._at(exam_at.date(), 17 + rng.random() * 2)
        )
        results_at = min(results_at, timezone.now() - dt.timedelta(minutes=1))
        for sid, _number, _a, _code in samples:
            for analyte in self.analytes:
                if analyte.species and analyte.species != farm.species:
                    continue
                # Negative: a residue well under its limit, a disease not detected.
                value = None
                if analyte.limit is not None:
                    value = round(float(analyte.limit) * rng.uniform(0.0, 0.3), 4)
                self.rows[LabResult].append(
                    (
                        self._id(LabResult),
                        sid,
                        analyte.pk,
                        value,
                        False,
                        LabResult.Source.LIMS,
                        lab.pk,
                        results_at,
                    )
                )
        self._step(
            c,
            "results",
            S.SAMPLED,
            S.RESULTS_IN,
            lab,
            results_at,
            "lab_results",
            animal_ids,
            data={"positive": 0},
        )
        if stop <= 5:
            return self._done(c)
        approve_at = min(
            results_at + dt.timedelta(hours=rng.uniform(0.5, 3)), timezone.now() - dt.timedelta(seconds=30)
        )
        certificate = self._certificate(c, inspector, approve_at, version=1)
        self._step(
            c,
            "approve",
            S.RESULTS_IN,
            S.APPROVED,
            inspector,
            approve_at,
            "certified",
            animal_ids,
            data={"certificate": certificate.number},
        )
        if fate == "replaced":
            at = min(approve_at + dt.timedelta(hours=3), timezone.now() - dt.timedelta(seconds=10))
            self._certificate(c, inspector, at, version=2, replaces=certificate)
        self.last_consignment[farm.pk] = max(
            self.last_consignment.get(farm.pk, approve_at.date()), approve_at.date()
        )
        return self._done(c)

    def _done(self, c: Consignment) -> Consignment:
        # The consignment row as it stands after its last step.
        self.rows[Consignment].append(tuple(getattr(c, f.attname) for f in Consignment._meta.concrete_fields))
        return c

    def _step(
        self,
        c,
        action,
        from_status,
        to_status,
        actor,
        at,
        event,
        animal_ids,
        *,
        reason="",
        data=None,
        per_animal=None,
    ) -> None:
        """What _move (and the declaration) writes: the status change, the history row, the events."""
        self.rows[ConsignmentStatusChange].append(
            (self._id(ConsignmentStatusChange), c.pk, action, from_status, to_status, actor.pk, reason, at)
        )
        c.status = to_status
        c.updated_at = at
        self.rows["history"].append(
            (
                *(getattr(c, f.attname) for f in Consignment._meta.concrete_fields),
                at,
                (reason or ("Declared" if action == "declare" else action))[:100],
                "+" if action == "declare" else "~",
                actor.pk,
            )
        )
        if action in ("withdraw", "cancel", "reject"):
            status = "on_farm"
        elif action == "approve" and c.planned_loading_on < self.today:
            status = "released"  # loaded and gone (the transit steps are the transit app's)
        else:
            status = "declared"
        for a in animal_ids:
            self.statuses[a] = status
        if not self.with_events:
            return
        farm_uri = vocab.uri("farm", c.farm_id)
        body = {"consignment": c.number, **({"reason": reason} if reason else {}), **(data or {})}
        common = (
            event,
            *self.kinds[event],
            at,
            at,
            farm_uri,
            farm_uri,
            c.farm_id,
            "",
            actor.pk,
            actor.organisation_id,
            f"quarantine.consignment:{c.pk}",
        )
        per_animal = per_animal or {}
        out = self.rows[Event]
        for a in animal_ids:
            extra = per_animal.get(a)
            out.append(
                (
                    uuid.UUID(int=self.rng.getrandbits(128), version=4),
                    a,
                    *common,
                    {**body, **extra} if extra else body,
                )
            )
        self.counts["events"] += len(animal_ids)

    def _certificate(self, c, signer, at, *, version, replaces=None) -> Certificate:
        rule = self.rules.get(c.species)
        valid = rule.certificate_valid_days if rule else 3
        at = at.replace(microsecond=0)
        cert = Certificate(
            pk=self._id(Certificate),
            consignment=c,
            number=f"HC{c.number[2:]}-{version}",
            token=f"{self.rng.getrandbits(32):08X}",
            issued_at=at,
            valid_until=timezone.localdate(at) + dt.timedelta(days=valid - 1),
            key_id=self.key_id,
            signed_by=signer,
            signer_name=signer.get_full_name() or signer.username,
            signer_capacity="官方兽医",
            replaces=replaces,
            replace_reason=REPLACE_REASON if replaces else "",
        )
        cert.content = certificate_content(cert, c, c._tags)
        cert.signature = compact.sign(self.key, compact.canonical(cert.content))
        cert.qr_payload = compact.payload_encode(essentials_of(cert.content), self.key)
        if replaces is not None:
            replaces.voided_at, replaces.void_reason, replaces.voided_by = at, REPLACE_REASON, signer
        self.rows[Certificate].append(cert)
        self.counts["certificates"] += 1
        return cert

    # -- writing -----------------------------------------------------------------------------

    def flush(self) -> None:
        """Write the rows collected so far (parents first)."""
        rows, self.rows = self.rows, defaultdict(list)
        cfields = [f.name for f in Consignment._meta.concrete_fields]
        insert_rows(Consignment, cfields, rows[Consignment])
        insert_rows(Consignment.history.model, [*cfields, *HISTORY], rows["history"])
        insert_rows(
            ConsignmentAnimal,
            ("id", "consignment", "animal", "national_code", "holding"),
            rows[ConsignmentAnimal],
        )
        insert_rows(
            ConsignmentStatusChange,
            ("id", "consignment", "action", "from_status", "to_status", "actor", "reason", "at"),
            rows[ConsignmentStatusChange],
        )
        efields = ("id", "consignment", "inspector", "examined_on", "answers", "notes", "created_at")
        insert_rows(Examination, efields, rows[Examination])
        insert_rows(
            Examination.history.model,
            [*efields, *HISTORY],
            ((*r, r[6], "Examined", "+", r[2]) for r in rows[Examination]),
        )
        sfields = ("id", "consignment", "number", "animal", "national_code", "taken_by", "taken_at")
        insert_rows(Sample, sfields, rows[Sample])
        lfields = ("id", "sample", "analyte", "value", "positive", "source", "entered_by", "entered_at")
        insert_rows(LabResult, lfields, rows[LabResult])
        insert_rows(
            LabResult.history.model,
            [*lfields, *HISTORY],
            ((*r, r[7], "Lab result", "+", r[6]) for r in rows[LabResult]),
        )
        certs = rows[Certificate]
        kfields = [f.name for f in Certificate._meta.concrete_fields]
        kattrs = [f.attname for f in Certificate._meta.concrete_fields]
        insert_rows(Certificate, kfields, (tuple(getattr(k, a) for a in kattrs) for k in certs))
        history = []
        for k in certs:
            signed = tuple(getattr(k, a) for a in kattrs)
            if k.voided_at:
                unsigned = tuple(
                    None
                    if a in ("voided_at", "voided_by_id")
                    else ""
                    if a == "void_reason"
                    else getattr(k, a)
                    for a in kattrs
                )
                history.append((*unsigned, k.issued_at, "Signed", "+", k.signed_by_id))
                history.append((*signed, k.voided_at, k.void_reason[:100], "~", k.voided_by_id))
            else:
                history.append((*signed, k.issued_at, "Signed", "+", k.signed_by_id))
        insert_rows(Certificate.history.model, [*kfields, *HISTORY], history)
        if self.with_events:
            insert_rows(Event, EVENT_FIELDS, rows[Event])


HISTORY = ("history_date", "history_change_reason", "history_type", "history_user")


def reset_sequences() -> None:
    """After rows written with their own ids: the next id the database gives follows them."""
    models = [
        *OWN_IDS,
        Certificate,
        *(m.history.model for m in (Consignment, Examination, LabResult, Certificate)),
    ]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
