"""A year at the real scale, made in minutes: the database the benchmarks measure on (issue 10).

    python -m bench.year --db livestock_bench_run            # clone the year into that database
    python -m bench.year --db lv_x --scale 0.05              # a twentieth of it, for quick runs
    python -m bench.year --template-only                     # only make (or check) the template

    from bench import year
    url = year.ensure("postgres://postgres@127.0.0.1:5432/livestock_bench_run", scale=1.0)

What a year holds at ``scale=1`` (Shenzhen's supply: about 1.6 million head a year):

- the demo's registry (accounts, farms, surveillance ``demo.seed``): ~60 enterprises, 300 farms
  (about 250 of them keep a herd) and a year of supervision (plans, visits, findings, actions);
- on every farm that keeps a herd, pigs (cattle, goats) born in weekly age groups, each group in a
  pen of the farm's layout (all in, all out), tagged a few days after birth and exported at about
  140 days (cattle 360, goats 240): about 1.6 million exported over the last year (status
  ``released``), about 600,000 living ones, breeding stock, ~4 % dead and disposed of;
- their ear tags (one delivery per farm every four months, a spare stock left over);
- production records as a farm keeps them: feed by pen on each day the ration changes, the
  bureau's vaccination programme round by round, disease observations and medication with
  withdrawal periods, deaths and disposals, disinfection every fortnight; each with its history
  row (simple_history), its links to the animals and one event per animal;
- events shaped as ``livestock.services.events`` writes them (about ten an animal);
- the last month's tag reads (about ten million): every farm has a chute reader and a loading-ramp
  reader; each living age group passes the chute twice in the month, each group exported in the
  month passes the ramp; each tag is read in a burst (first read ``rep`` false, then re-reads), a
  few strangers' tags among them; one presence event per animal and pass, the animals' last-seen
  place and the readers' counters and heartbeats as the ingestion leaves them;
- origin quarantine's consignments (``consignments``, quarantine.generate): every exported age
  group in lots of about 37 head, certified on its export day (about 43,000), a few withdrawn,
  cancelled or rejected first, the groups due in the next days in progress;
- transit (``trips``, transit.generate as the demo's ``transit.demo``): the certified
  consignments of the last ``TRIP_DAYS`` days (a fortnight: ~1,650 trips at scale 1, ~60,000
  head) loaded on their enterprise's trucks (the demo's fleet, a truck more where an enterprise
  has more on the road at once), driven along their farm's corridor with a GPS point every 30 s
  (~830 a trip), received at Qingshuihe, resealed and released at their port: certificate used,
  consignment exported, the ``loaded`` … ``exported`` events of each animal; the demo's stories
  among them (one loading in five closed with an animal left at the farm; among the newest, dead
  pigs set aside, detours and a long stop with their alerts closed, a hold and a manager's
  override) and its trucks of now: on the road (one off its corridor, one standing still),
  resting at Qingshuihe, held at Wenjindu, left in its pen overnight; then one pass of the
  periodic checks. The older consignments stay certified, their animals ``released``, without a
  transit record: a year of trips would be ~35 million GPS points, minutes more than the year's
  ten.

Made with COPY (indexes dropped during the load and rebuilt after, foreign keys not checked row by
row: the generator makes them consistent), on this machine in a few minutes (2 cores).

Reuse between runs: the year is made once into a *template* database (``livestock_bench_year``,
or ``BENCH_YEAR_TEMPLATE``; ``_s<scale>`` appended for another scale) and each run gets a copy of
it (``CREATE DATABASE ... TEMPLATE``, a file copy). The template carries a key (this module's
source, the generators it calls, every migration, the scale) in its comment: a template whose key
differs, or older than ``MAX_AGE_DAYS``, is made again. Other code that must run after the load
(maintained counts, say) is named in ``AFTER_LOAD`` ("module:function", called with no argument
inside Django once the rows are in): it becomes part of the template.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SERVER = "postgres://postgres@127.0.0.1:5432"
TEMPLATE = os.environ.get("BENCH_YEAR_TEMPLATE", "livestock_bench_year")
MAX_AGE_DAYS = 30
SEED = 2026

# Called inside Django after the rows are in, before the template is closed: "module:function".
# Maintained counts the COPY writes bypass: rebuilt from the rows once they are in.
AFTER_LOAD: list[str] = ["livestock.services.counts:recount"]

# At scale 1.
EXPORTED = 1_600_000
READS = 10_000_000
PASSES_PER_MONTH = 2  # chute passes of each living age group in the last month
BREEDERS = 0.03  # of the living fatteners, as breeding stock in the first pen
MORTALITY = 0.04
STRANGERS = 0.003  # bursts of a tag nobody registered

SERIAL_BASE = 20_000_000  # national-code serials of the year's tags (the demo uses 10M+, the bench 90M+)
RFID_BASE = 240_000_000_000  # their RFID national IDs (demo 200e9+, bench 270e9+; 38 bits max)
STRANGER_BASE = 250_000_000_000

# Per species: (age at export in days, age at registration, ration changes (age, product)).
PIG, CATTLE, GOAT = "1", "2", "3"
LIFE = {
    PIG: (140, 3, [(21, "乳猪教槽料"), (35, "仔猪保育料"), (70, "生长猪配合饲料"), (120, "育肥猪配合饲料")]),
    CATTLE: (360, 7, [(30, "犊牛开食料"), (90, "肉牛精料补充料"), (240, "肉牛育肥精料补充料")]),
    GOAT: (240, 7, [(30, "羔羊开食料"), (60, "肉羊精料补充料"), (150, "肉羊育肥精料补充料")]),
}
BREEDER_FEED = {PIG: "母猪配合饲料", CATTLE: "繁殖母牛精料补充料", GOAT: "繁殖母羊精料补充料"}
BREEDS = {
    PIG: ("杜长大三元", "长大二元"),
    CATTLE: ("西门塔尔杂交牛", "安格斯杂交牛"),
    GOAT: ("黑山羊", "波尔山羊杂交"),
}
SEXES = {PIG: ("female", "castrated"), CATTLE: ("female", "castrated", "male"), GOAT: ("female", "castrated")}
FEED_MAKERS = [
    ("广东海大集团股份有限公司", "HD"),
    ("新希望六和股份有限公司", "XW"),
    ("温氏食品集团股份有限公司", "WS"),
]
VACCINE_MAKERS = [
    ("中牧实业股份有限公司", "ZM"),
    ("哈药集团生物疫苗有限公司", "HY"),
    ("金宇保灵生物药品有限公司", "JY"),
]
DRUGS = [
    ("阿莫西林可溶性粉", "阿莫西林", "10", "g", "混饮", 14),
    ("恩诺沙星注射液", "恩诺沙星", "5", "ml", "肌肉注射", 10),
    ("氟苯尼考注射液", "氟苯尼考", "4", "ml", "肌肉注射", 14),
    ("复合维生素B注射液", "维生素B", "5", "ml", "肌肉注射", 0),
]
SYMPTOMS = ["咳嗽、气喘，疑似猪支原体肺炎", "腹泻、脱水", "发热、食欲减退", "跛行、关节肿胀"]
CAUSES = ["仔猪腹泻衰竭", "呼吸道疾病", "挤压致死", "应激猝死", "原因不明，已采样送检"]
DISINFECTANTS = [
    ("聚维酮碘溶液", "1:500稀释"),
    ("戊二醛癸甲溴铵溶液", "1:1000稀释"),
    ("过硫酸氢钾复合物粉", "1:200稀释"),
]
SUPPLIER = "广州牧联电子标签有限公司"
TZ = "+08"  # Asia/Shanghai, the project's TIME_ZONE: no daylight saving


# --- the template and its copies (no Django here) ------------------------------------------------


def _scale_suffix(scale: float) -> str:
    return "" if scale == 1 else "_s" + f"{scale:g}".replace(".", "_")


def template_name(scale: float = 1.0, template: str | None = None) -> str:
    return (template or TEMPLATE) + _scale_suffix(scale)


def key(scale: float) -> str:
    """What the template was made from: this module, the generators it calls, every migration,
    the scale."""
    digest = hashlib.sha1(Path(__file__).read_bytes())
    for name in ("quarantine/generate.py", "transit/generate.py", "transit/demo.py", "transit/demo_fleet.py",
                 "transit/demo_journeys.py", "livestock/bulk.py"):  # fmt: skip
        digest.update((ROOT / name).read_bytes())
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return f"bench.year {digest.hexdigest()[:16]} scale={scale:g}"


def _admin():
    import psycopg

    return psycopg.connect(f"{SERVER}/postgres", autocommit=True)


def _comment(conn, name: str) -> str | None:
    row = conn.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
    ).fetchone()
    return None if row is None else (row[0] or "")


def _split(url: str) -> tuple[str, str]:
    base, _, name = url.rpartition("/")
    return base, name


def ensure(db_url: str | None = None, *, scale: float = 1.0, template: str | None = None) -> str:
    """Make the year's template if it is missing or stale, and copy it into ``db_url`` (dropped
    first if it exists); return ``db_url``. Without ``db_url``, only the template is made (its URL
    is returned: do not write into it)."""
    tname = template_name(scale, template)
    wanted = key(scale)
    from psycopg import sql

    with _admin() as conn:
        # One maker at a time; a second caller waits and then finds the template made.
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", [tname])
        try:
            comment = _comment(conn, tname)
            fresh = comment is not None and comment.startswith(wanted + " made ")
            if fresh:
                made = dt.date.fromisoformat(comment.rsplit(" made ", 1)[1][:10])
                fresh = (dt.date.today() - made).days <= MAX_AGE_DAYS
            if not fresh:
                build(f"{SERVER}/{tname}", scale=scale)
                # COMMENT takes no parameter: the key is quoted as a literal.
                comment = sql.Literal(f"{wanted} made {dt.date.today().isoformat()}")
                conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(tname), comment))
            if db_url is None:
                return f"{SERVER}/{tname}"
            _, name = _split(db_url)
            if name == tname:
                raise ValueError("copy the template into another database: runs would change it")
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            started = time.monotonic()
            # A file copy: WAL_LOG (the default) would write the whole year into the WAL again.
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{tname}" STRATEGY FILE_COPY')
            print(f"year: {name} copied from {tname} in {time.monotonic() - started:.1f} s", flush=True)
            return db_url
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", [tname])


def build(db_url: str, *, scale: float = 1.0) -> None:
    """Make the year into ``db_url`` afresh (dropped and created), in a process of its own."""
    _, name = _split(db_url)
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DJANGO_DEBUG": "false",
        "PYTHONPATH": str(ROOT),
        # The consignments' certificates are signed: with the key under var/ unless one is set.
        "QUARANTINE_KEY_GENERATE": os.environ.get("QUARANTINE_KEY_GENERATE", "true"),
    }
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "bench.year", "--_build", "--scale", f"{scale:g}"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    print(f"year: {name} made in {time.monotonic() - started:.0f} s", flush=True)


# --- making the year (inside Django, DATABASE_URL = the new database) ------------------------------


def _stamp(day: dt.date, seconds: int = 43200, ms: int | None = None) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    frac = "" if ms is None else f".{ms:03d}"
    return f"{day.isoformat()} {h:02d}:{m:02d}:{s:02d}{frac}{TZ}"


def _json(value) -> str:
    # COPY's text format: a backslash starts an escape.
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": ")).replace("\\", "\\\\")


N = "\\N"


def _t(value) -> str:
    return N if value is None else str(value)


@dataclass(slots=True)
class Cohort:
    """An age group of one farm: born the same week, in one pen, exported together."""

    farm: Farm_
    birth: dt.date
    size: int
    pen: str
    exported_on: dt.date | None  # None: still on the farm
    breeders: bool = False
    first_id: int = 0  # its animals' ids: first_id .. first_id + size - 1


@dataclass(slots=True)
class Farm_:
    id: int
    species: str
    enterprise: int
    county: str
    pens: list[str]
    clerk: int
    start: dt.date
    cohorts: list[Cohort] = field(default_factory=list)
    chute: int = 0
    ramp: int = 0
    chute_code: str = ""
    ramp_code: str = ""


class Ids:
    def __init__(self):
        self.next = 1

    def take(self, n: int = 1) -> int:
        first = self.next
        self.next += n
        return first


class Writer:
    """Rows as COPY text into one table, on a connection (and transaction) of its own."""

    def __init__(self, url: str, table: str, columns: list[str], *, freeze: bool):
        import psycopg
        from psycopg.copy import QueuedLibpqWriter

        self.conn = psycopg.connect(url)
        self.conn.execute("SET session_replication_role = replica")  # no FK trigger per row
        self.conn.execute("SET synchronous_commit = off")
        if freeze:
            self.conn.execute(f'TRUNCATE "{table}"')
        self.cursor = self.conn.cursor()
        cols = ", ".join(f'"{c}"' for c in columns)
        options = " WITH (FREEZE)" if freeze else ""
        self.copy_cm = self.cursor.copy(
            f'COPY "{table}" ({cols}) FROM STDIN{options}', writer=QueuedLibpqWriter(self.cursor)
        )
        self.copy = self.copy_cm.__enter__()
        self.buffer: list[str] = []
        self.rows = 0
        self.table = table

    def add(self, line: str) -> None:
        self.buffer.append(line)
        if len(self.buffer) >= 5000:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.rows += len(self.buffer)
            self.copy.write("".join(self.buffer))
            self.buffer = []

    def close(self) -> None:
        self.flush()
        self.copy_cm.__exit__(None, None, None)
        self.conn.commit()
        self.conn.close()


class Year:
    """The plan (cohorts of every farm), then the rows, streamed table by table."""

    def __init__(self, scale: float, url: str):
        from django.conf import settings
        from django.utils import timezone

        self.scale = scale
        self.url = url
        self.rng = random.Random(SEED)
        self.now = timezone.localtime()
        self.today = self.now.date()
        self.now_s = self.now.strftime("%Y-%m-%d %H:%M:%S") + TZ
        self.ids = defaultdict(Ids)
        self.serial = 0
        self.counts: dict[str, int] = defaultdict(int)
        self.base = settings.LIVESTOCK_URI_BASE
        self.last_seen: dict[int, str] = {}  # the farm's animals' last read
        self.animals: list[tuple] = []  # the farm's animal rows, waiting for their last-seen place
        self.devices: dict[int, tuple] = {}

    # -- the plan ---------------------------------------------------------------------------

    def plan(self) -> list[Farm_]:
        from accounts.models import Role, User
        from farms.models import Farm
        from livestock.models import VaccinationRequirement
        from livestock.services.common import HERD_STATUSES, farm_pens

        clerks = {}
        for user in User.objects.filter(
            role__in=[Role.ENTERPRISE_STAFF, Role.ENTERPRISE_ADMIN], is_active=True
        ).order_by("-role", "pk"):
            clerks.setdefault(user.organisation_id, user.pk)
        self.requirements = defaultdict(list)
        for req in VaccinationRequirement.objects.filter(is_active=True).order_by("first_age_days", "pk"):
            self.requirements[req.species].append(req)
        farms = list(Farm.objects.filter(status__in=HERD_STATUSES).order_by("pk"))
        weight = sum(f.capacity for f in farms)
        rng, today = self.rng, self.today
        out = []
        for f in farms:
            pens = farm_pens(f) or ["1号舍"]
            farm = Farm_(
                f.pk,
                f.species,
                f.enterprise_id,
                f.county_code,
                pens,
                clerks.get(f.enterprise_id, f.created_by_id),
                start=today - dt.timedelta(days=365),
            )
            export_age, reg_age, _rations = LIFE[f.species]
            per_week = EXPORTED * self.scale * f.capacity / weight * 7 / 365
            fattening = pens[1:] or pens
            first_birth = today - dt.timedelta(days=365 + export_age)
            week = 0
            birth = first_birth + dt.timedelta(days=rng.randint(0, 6))
            living = 0
            # Nothing happens later today: the last group was tagged yesterday at the latest.
            while birth <= today - dt.timedelta(days=reg_age + 3):
                size = int(per_week * rng.uniform(0.8, 1.2) + rng.random())
                age = export_age + rng.randint(-8, 8)
                exported = birth + dt.timedelta(days=age)
                if size:
                    cohort = Cohort(
                        farm,
                        birth,
                        size,
                        fattening[week % len(fattening)],
                        exported if exported < today else None,
                    )
                    farm.cohorts.append(cohort)
                    if cohort.exported_on is None:
                        living += size
                week += 1
                birth += dt.timedelta(days=7)
            breeders = int(living * BREEDERS + rng.random())
            if breeders:
                farm.cohorts.append(
                    Cohort(
                        farm, today - dt.timedelta(days=rng.randint(400, 900)), breeders, pens[0], None, True
                    )
                )
            out.append(farm)
        return out

    # -- writing ------------------------------------------------------------------------------

    def write(self, farms: list[Farm_]) -> dict:
        from livestock.models import Animal, EarTag, Event, LogAnimal, ProductionLog, TagIssue, TagRead
        from livestock.services.events import EVENT_FIELDS

        self._devices(farms)

        def cols(model, fields):
            return [model._meta.get_field(f).column for f in fields]

        history = ProductionLog.history.model
        writers = {
            "issue": Writer(self.url, TagIssue._meta.db_table, cols(TagIssue, ISSUE_FIELDS), freeze=False),
            "tag": Writer(self.url, EarTag._meta.db_table, cols(EarTag, TAG_FIELDS), freeze=False),
            "animal": Writer(self.url, Animal._meta.db_table, cols(Animal, ANIMAL_FIELDS), freeze=False),
            "log": Writer(
                self.url, ProductionLog._meta.db_table, cols(ProductionLog, LOG_FIELDS), freeze=False
            ),
            "history": Writer(
                self.url,
                history._meta.db_table,
                cols(
                    history,
                    LOG_FIELDS + ("history_date", "history_change_reason", "history_type", "history_user"),
                ),
                freeze=True,
            ),
            "link": Writer(
                self.url, LogAnimal._meta.db_table, cols(LogAnimal, ("id", "log", "animal")), freeze=True
            ),
            "event": Writer(self.url, Event._meta.db_table, cols(Event, ("id", *EVENT_FIELDS)), freeze=True),
            "read": Writer(self.url, TagRead._meta.db_table, cols(TagRead, READ_FIELDS), freeze=True),
        }
        self.w = writers
        passes = sum(self._passes(f) for f in farms)
        self.burst = max(1.0, READS * self.scale / max(1, passes))  # mean reads per tag and pass
        for n, farm in enumerate(farms):
            self._farm(farm)
            if n % 25 == 24:
                print(
                    f"year: {n + 1}/{len(farms)} farms written, {self.counts['events']:,} events", flush=True
                )
        for w in writers.values():
            w.close()
        return {name: w.rows for name, w in writers.items()}

    def _devices(self, farms: list[Farm_]) -> None:
        from accounts.models import User
        from livestock.models import ReaderDevice

        manager = User.objects.get(username="manager")
        made = []
        for farm in farms:
            for kind, name in (("chute", "通道读卡器"), ("ramp", "装猪台读卡器")):
                made.append(
                    ReaderDevice(code=f"y{farm.id}-{kind}", name=name, farm_id=farm.id, created_by=manager)
                )
        ReaderDevice.objects.bulk_create(made, batch_size=500)
        # Registered before the month of reads began.
        ReaderDevice.objects.filter(code__startswith="y").update(created_at=self.now - dt.timedelta(days=200))
        by_code = dict(ReaderDevice.objects.values_list("code", "pk"))
        for farm in farms:
            farm.chute_code, farm.ramp_code = f"y{farm.id}-chute", f"y{farm.id}-ramp"
            farm.chute, farm.ramp = by_code[farm.chute_code], by_code[farm.ramp_code]

    def _passes(self, farm: Farm_) -> int:
        """Tags read (once per pass) in the last month: the bursts to share READS among."""
        month = self.today - dt.timedelta(days=30)
        n = 0
        for c in farm.cohorts:
            if c.exported_on is None:
                n += c.size * PASSES_PER_MONTH
            elif c.exported_on > month:
                n += c.size
        return n

    def _farm(self, farm: Farm_) -> None:
        """Every row of one farm."""
        rng, today = self.rng, self.today
        export_age, reg_age, rations = LIFE[farm.species]
        farm_uri = self.base + f"farm:{farm.id}"
        # Tag deliveries every four months; each age group wears the last delivery before it.
        deliveries = []
        day = farm.start - dt.timedelta(days=export_age + rng.randint(5, 15))
        while day <= today:
            deliveries.append((day, self.ids["issue"].take()))
            day += dt.timedelta(days=120)
        tags_in = defaultdict(int)
        self.last_seen = {}
        reads_by_device: dict[int, list] = defaultdict(list)
        for c in sorted(farm.cohorts, key=lambda c: c.birth):
            registered = c.birth + dt.timedelta(days=reg_age + rng.randint(0, 2))
            if c.breeders:
                registered = farm.start + dt.timedelta(days=rng.randint(0, 6))
            issue = next((i for d, i in reversed(deliveries) if d <= registered), deliveries[0][1])
            tags_in[issue] += c.size
            self._cohort(farm, c, registered, issue, farm_uri, reads_by_device)
        # The spare stock of the last delivery.
        spare = 50 + rng.randint(0, 150)
        tags_in[deliveries[-1][1]] += spare
        for _ in range(spare):
            code, rfid = self._codes(farm)
            self.w["tag"].add(
                f"{self.ids['tag'].take()}\t{code}\t{rfid}\t{farm.species}\t{farm.enterprise}\t{deliveries[-1][1]}"
                f"\tavailable\t{N}\t\t{N}\t\n"
            )
        for day, issue in deliveries:
            ref = f"Y-{farm.id}-{day:%Y%m%d}"
            self.w["issue"].add(
                f"{issue}\t{farm.enterprise}\t{farm.id}\t{SUPPLIER}\t{ref}\ttag_issues/{day:%Y/%m}/{ref}.csv"
                f"\t{tags_in[issue]}\t{_stamp(day, 15 * 3600)}\t{farm.clerk}\n"
            )
        self._disinfections(farm)
        self._reads(farm, reads_by_device, farm_uri)
        animal_w, seen = self.w["animal"], self.last_seen
        for a, head, tail in self.animals:
            at = seen.get(a)
            animal_w.add(f"{head}{at}\t{farm_uri}{tail}" if at else f"{head}{N}\t{tail}")
        self.animals = []

    def _codes(self, farm: Farm_) -> tuple[str, str]:
        self.serial += 1
        return (
            f"{farm.species}{farm.county}{SERIAL_BASE + self.serial:08d}",
            f"156{RFID_BASE + self.serial:012d}",
        )

    def _cohort(self, farm: Farm_, c: Cohort, registered: dt.date, issue: int, farm_uri: str, reads) -> None:
        rng, today = self.rng, self.today
        export_age, reg_age, rations = LIFE[farm.species]
        first_animal = self.ids["animal"].take(c.size)
        c.first_id = first_animal
        ids = list(range(first_animal, first_animal + c.size))
        end = c.exported_on or today  # the last day on the farm (or today)
        # Deaths: young ones more; disposed of the same or the next day.
        died: dict[int, dt.date] = {}
        if not c.breeders:
            for a in ids:
                if rng.random() < MORTALITY:
                    span = (end - registered).days
                    if span > 1:
                        day = registered + dt.timedelta(days=1 + int(span * rng.random() ** 2))
                        if day < end:
                            died[a] = day
        withdrawal: dict[int, dt.date] = {}
        logs = []  # (kind, day, animal ids, values)

        def alive(day):
            return [a for a in ids if a not in died or died[a] > day]

        # Vaccination programme, round by round; the last recent round sometimes not done yet.
        maker, prefix = VACCINE_MAKERS[farm.id % len(VACCINE_MAKERS)]
        for req in self.requirements.get(farm.species, []):
            if c.breeders:
                day = farm.start + dt.timedelta(days=rng.randint(0, 60))
            else:
                day = max(c.birth + dt.timedelta(days=req.first_age_days), registered)
            rounds = []
            while day <= end:
                rounds.append(day)
                if req.repeat_days is None:
                    break
                day += dt.timedelta(days=req.repeat_days)
            if rounds and (today - rounds[-1]).days < 45 and rng.random() < 0.12:
                rounds.pop()
            product, dose, unit, route = VACCINES.get(
                (farm.species, req.disease_zh), ("灭活疫苗", "1", "ml", "肌肉注射")
            )
            for day in rounds:
                logs.append(
                    (
                        "vaccination",
                        day,
                        alive(day),
                        {
                            "product": product,
                            "maker": maker,
                            "batch": f"{prefix}{day:%y%m}{rng.randint(1, 30):03d}",
                            "dose": dose,
                            "dose_unit": unit,
                            "route": route,
                            "requirement": req,
                        },
                    )
                )
        # Feed by pen, on each day the ration changes (breeders: each new batch, monthly).
        fmaker, fprefix = FEED_MAKERS[farm.id % len(FEED_MAKERS)]
        if c.breeders:
            feeds = [
                (farm.start + dt.timedelta(days=d), BREEDER_FEED[farm.species]) for d in range(3, 365, 30)
            ]
        else:
            feeds = [(c.birth + dt.timedelta(days=age), product) for age, product in rations]
        for day, product in feeds:
            if registered <= day <= end:
                logs.append(
                    (
                        "feed",
                        day,
                        alive(day),
                        {"product": product, "maker": fmaker, "batch": f"{fprefix}{day:%y%m%d}"},
                    )
                )
        # A disease and its treatment in one age group out of four.
        if not c.breeders and rng.random() < 0.25 and (end - registered).days > 10:
            day = registered + dt.timedelta(days=rng.randint(5, (end - registered).days - 1))
            present = alive(day)
            sick = rng.sample(present, min(len(present), rng.randint(1, 8)))
            if sick:
                if rng.random() < 0.8:
                    logs.append(("disease", day, sick, {"symptoms": rng.choice(SYMPTOMS)}))
                product, substance, dose, unit, route, days = rng.choice(DRUGS)
                until = day + dt.timedelta(days=days) if days else None
                logs.append(
                    (
                        "medication",
                        day,
                        sick,
                        {
                            "product": product,
                            "active_substance": substance,
                            "maker": "瑞普生物",
                            "batch": f"{day:%Y%m}{rng.randint(1, 99):02d}",
                            "dose": dose,
                            "dose_unit": unit,
                            "route": route,
                            "withdrawal_days": days,
                            "withdrawal_until": until,
                        },
                    )
                )
                if until:
                    for a in sick:
                        withdrawal[a] = until
        # Deaths, one record per day.
        by_day = defaultdict(list)
        for a, day in died.items():
            by_day[day].append(a)
        disposed: dict[int, bool] = {}
        for day, dead in sorted(by_day.items()):
            disposed_on = min(day + dt.timedelta(days=rng.choice((0, 0, 1))), today)
            if (today - day).days <= 2 and rng.random() < 0.5:
                disposed_on = None
            for a in dead:
                disposed[a] = disposed_on is not None
            logs.append(
                (
                    "death",
                    day,
                    dead,
                    {"cause": rng.choice(CAUSES), "disposal": "rendering", "disposed_on": disposed_on},
                )
            )
        # Tags and animals.
        breed = BREEDS[farm.species][0 if not c.breeders else 1]
        session = rng.randint(8 * 3600, 10 * 3600)
        reg_at = _stamp(registered, session)
        pen_uri = f"{farm_uri}:pen:{c.pen}"
        exported = c.exported_on is not None
        sexes = SEXES[farm.species] if not c.breeders else ("female",)
        tag_w, event_w, animals = self.w["tag"], self.w["event"], self.animals
        codes = {}
        entry = N
        for a in ids:
            code, rfid = self._codes(farm)
            codes[a] = rfid
            tag_id = self.ids["tag"].take()
            tag_w.add(
                f"{tag_id}\t{code}\t{rfid}\t{farm.species}\t{farm.enterprise}\t{issue}\tin_use\t{a}\tleft"
                f"\t{registered.isoformat()}\t\n"
            )
            if a in died:
                status = "disposed" if disposed[a] else "dead"
            else:
                status = "released" if exported else "on_farm"
            sex = sexes[a % len(sexes)]
            until = withdrawal.get(a)
            # Written once the month's reads have given it its last-seen place (an update after
            # would rewrite half the table).
            animals.append(
                (
                    a,
                    f"{a}\t{farm.id}\t{farm.enterprise}\t{tag_id}\t{code}\t{rfid}\t{farm.species}\t{sex}\t{breed}"
                    f"\t{c.birth.isoformat()}\t{entry}\t{c.pen}\tself_bred\t\t{status}"
                    f"\t{_t(until)}\t{_t(died.get(a))}\t",
                    f"\t{reg_at}\t{farm.clerk}\n",
                )
            )
            data = _json({"tag": code, "rfid": rfid, "pen": c.pen, "origin": "self_bred"})
            event_w.add(
                f"{self.ids['event'].take()}\t{self._uuid()}\t{a}\tregistered\t{KINDS['registered']}"
                f"\t{reg_at}\t{reg_at}\t{farm_uri}\t{farm_uri}\t{farm.id}\t\t{farm.clerk}\t{farm.enterprise}\t\t{data}\n"
            )
        self.counts["animals"] += c.size
        self.counts["events"] += c.size
        for kind, day, animals, values in logs:
            self._log(farm, kind, day, c.pen, animals, values, pen_uri)
        # Chute passes of living groups in the last month; the ramp on the day of export.
        month = today - dt.timedelta(days=30)
        if not exported:
            lo = max(month, registered + dt.timedelta(days=1))
            for _ in range(PASSES_PER_MONTH):
                if lo <= today:
                    day = lo + dt.timedelta(days=rng.randint(0, (today - lo).days))
                    reads[farm.chute].append(
                        (day, rng.randint(7 * 3600, 16 * 3600), [(a, codes[a]) for a in alive(day)])
                    )
        elif c.exported_on > month:
            day = c.exported_on
            reads[farm.ramp].append(
                (day, rng.randint(5 * 3600, 9 * 3600), [(a, codes[a]) for a in alive(day)])
            )

    def _uuid(self) -> str:
        h = f"{self.rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"

    def _log(self, farm, kind, day, pen, animals, values, pen_uri) -> None:
        """A production record as services.records.log_record writes it: the log, its history row,
        its links and one event per animal (kind ``withdrawal`` for medication with a withdrawal)."""
        if not animals and kind != "disinfection":
            return
        log_id = self.ids["log"].take()
        req = values.get("requirement")
        recorded = _stamp(day, 18 * 3600 + 1800) if day < self.today else self.now_s
        row = (
            f"{log_id}\t{farm.id}\t{kind}\t{day.isoformat()}\t{pen}"
            + "".join(f"\t{values.get(name) or ''}" for name in LOG_TEXT)
            + f"\t{values.get('notes', '')}\t{_t(req.pk if req else None)}\t{_t(values.get('dose'))}"
            f"\t{values.get('dose_unit', '')}\t{_t(values.get('withdrawal_days'))}"
            f"\t{_t(values.get('withdrawal_until'))}\t{values.get('disposal', '')}"
            f"\t{_t(values.get('disposed_on'))}\t{len(animals)}\t{farm.clerk}\t{recorded}"
        )
        self.w["log"].add(row + "\n")
        self.w["history"].add(f"{row}\t{recorded}\t{N}\t+\t{farm.clerk}\n")
        self.counts["logs"] += 1
        if not animals:
            return
        link = self.w["link"]
        links = self.ids["link"].take(len(animals))
        for i, a in enumerate(animals):
            link.add(f"{links + i}\t{log_id}\t{a}\n")
        details = {"log": log_id, "record": kind}
        for name in LOG_TEXT:
            if values.get(name):
                details[name] = values[name]
        if values.get("dose") is not None:
            details["dose"] = values["dose"]
            details["dose_unit"] = values["dose_unit"]
        if values.get("withdrawal_days") is not None:
            details["withdrawal_days"] = values["withdrawal_days"]
        if values.get("withdrawal_until"):
            details["withdrawal_until"] = values["withdrawal_until"].isoformat()
        if req:
            details["requirement"] = req.pk
            details["disease"] = req.disease_zh
        if values.get("disposal"):
            details["disposal"] = values["disposal"]
        event_kind = "withdrawal" if kind == "medication" and values.get("withdrawal_until") else kind
        when = _stamp(day) if day < self.today else self.now_s
        source = f"livestock.productionlog:{log_id}"
        farm_uri = self.base + f"farm:{farm.id}"
        self._events(event_kind, when, recorded, pen_uri, farm_uri, farm, source, _json(details), animals)
        if kind == "death" and values.get("disposed_on"):
            d = values["disposed_on"]
            when = _stamp(d) if d < self.today else self.now_s
            data = _json({"log": log_id, "disposal": values["disposal"]})
            self._events("disposal", when, recorded, pen_uri, farm_uri, farm, source, data, animals)

    def _events(
        self, kind, when, recorded, read_point, location, farm, source, data, animals, actor=None
    ) -> None:
        k = KINDS[kind]
        actor = farm.clerk if actor is None else actor
        middle = (
            f"\t{kind}\t{k}\t{when}\t{recorded}\t{read_point}\t{location}\t{farm.id}\t\t{_t(actor)}"
            f"\t{farm.enterprise}\t{source}\t{data}\n"
        )
        w = self.w["event"]
        first = self.ids["event"].take(len(animals))
        for i, a in enumerate(animals):
            w.add(f"{first + i}\t{self._uuid()}\t{a}{middle}")
        self.counts["events"] += len(animals)

    def _disinfections(self, farm: Farm_) -> None:
        rng = self.rng
        day = farm.start + dt.timedelta(days=rng.randint(0, 13))
        while day <= self.today:
            product, strength = DISINFECTANTS[rng.randrange(len(DISINFECTANTS))]
            area = rng.choice(["全场环境", f"{rng.choice(farm.pens)}及周边通道", "出栏台及装车通道"])
            self._log(
                farm, "disinfection", day, "", [], {"product": product, "area": area, "notes": strength}, ""
            )
            day += dt.timedelta(days=14)

    def _reads(self, farm: Farm_, by_device: dict[int, list], farm_uri: str) -> None:
        """The month's reads of the farm's readers, bursts in time order; presence events; last seen."""
        rng = self.rng
        read_w = self.w["read"]
        for device, passes in by_device.items():
            code = farm.chute_code if device == farm.chute else farm.ramp_code
            seq = 0
            last = None
            busy = (None, 0)  # a reader reads one pass at a time: the next starts after the last
            source = f"livestock.readerdevice:{device}"
            seen_data = _json({"device": code})
            for day, start, animals in sorted(passes, key=lambda p: (p[0], p[1])):
                t = start * 1000
                if busy[0] == day and t < busy[1]:
                    t = busy[1] + 60_000
                visits = []
                for a, rfid in animals:
                    if rng.random() < STRANGERS:
                        stranger = f"156{STRANGER_BASE + rng.randrange(10**9):012d}"
                        for r in range(2):
                            seq += 1
                            s, ms = divmod(t, 1000)
                            read_w.add(
                                f"{self.ids['read'].take()}\t{device}\t{seq}\t{stranger}"
                                f"\t{_stamp(day, s, ms)}\t{_stamp(day, s + 1, ms)}\t{'t' if r else 'f'}"
                                f"\tLA 156 {stranger[3:]}\t{N}\n"
                            )
                            t += 300
                    n = max(1, int(self.burst * rng.uniform(0.5, 1.5) + rng.random()))
                    first_at = None
                    for r in range(n):
                        seq += 1
                        s, ms = divmod(t, 1000)
                        at = _stamp(day, s, ms)
                        first_at = first_at or at
                        read_w.add(
                            f"{self.ids['read'].take()}\t{device}\t{seq}\t{rfid}\t{at}"
                            f"\t{_stamp(day, s + 1, ms)}\t{'t' if r else 'f'}\tLA 156 {rfid[3:]}\t{a}\n"
                        )
                        t += rng.randint(150, 450)
                    visits.append((a, first_at, at))
                    t += rng.randint(1500, 4000)
                # One presence event per animal and pass; the animal's last-seen place moves.
                for a, first_at, last_at in visits:
                    self.w["event"].add(
                        f"{self.ids['event'].take()}\t{self._uuid()}\t{a}\tseen\t{KINDS['seen']}"
                        f"\t{first_at}\t{last_at}\t{farm_uri}\t{farm_uri}"
                        f"\t{farm.id}\t\t{N}\t{farm.enterprise}\t{source}\t{seen_data}\n"
                    )
                    self.last_seen[a] = last_at
                self.counts["events"] += len(visits)
                last = (day, t // 1000)
                busy = (day, t)
            if last:
                self.devices[device] = (seq, _stamp(*last), code)


# Field orders of the COPY rows above (model field names; the columns come from the models).
ISSUE_FIELDS = (
    "id",
    "enterprise",
    "farm",
    "supplier",
    "reference",
    "source_file",
    "tag_count",
    "issued_at",
    "issued_by",
)
TAG_FIELDS = (
    "id", "national_code", "rfid", "species", "enterprise", "issue", "status", "animal", "ear", "applied_on",
    "retired_reason",
)  # fmt: skip
ANIMAL_FIELDS = (
    "id", "farm", "enterprise", "tag", "national_code", "rfid", "species", "sex", "breed", "birth_date",
    "entry_date", "pen", "origin", "origin_note", "status", "withdrawal_until", "died_on", "last_seen_at",
    "last_seen_where", "registered_at", "registered_by",
)  # fmt: skip
LOG_TEXT = (
    "product",
    "maker",
    "batch",
    "additives",
    "active_substance",
    "route",
    "symptoms",
    "cause",
    "area",
)
LOG_FIELDS = (
    "id", "farm", "kind", "occurred_on", "pen", *LOG_TEXT, "notes", "requirement", "dose", "dose_unit",
    "withdrawal_days", "withdrawal_until", "disposal", "disposed_on", "animal_count", "recorded_by",
    "recorded_at",
)  # fmt: skip
READ_FIELDS = ("id", "device", "seq", "tag", "read_at", "received_at", "repeat", "raw", "animal")
VACCINES = {
    (PIG, "猪瘟"): ("猪瘟活疫苗（传代细胞源）", "1", "dose", "肌肉注射"),
    (PIG, "口蹄疫"): ("猪口蹄疫O型、A型二价灭活疫苗", "2", "ml", "肌肉注射"),
    (PIG, "猪伪狂犬病"): ("猪伪狂犬病活疫苗（Bartha-K61株）", "1", "dose", "滴鼻"),
    (PIG, "猪繁殖与呼吸综合征"): ("猪繁殖与呼吸综合征活疫苗（R98株）", "1", "dose", "肌肉注射"),
}
KINDS: dict[str, str] = {}  # kind -> "type\taction\tbiz_step\tdisposition", from livestock.vocab


def _kinds() -> None:
    from livestock import vocab

    for name, kind in vocab.KINDS.items():
        disposition = vocab.expand(kind.disposition, "disp") if kind.disposition else ""
        KINDS[name] = f"{kind.type}\t{kind.action}\t{vocab.expand(kind.biz_step, 'bizstep')}\t{disposition}"


# --- the build, step by step ---------------------------------------------------------------------

BIG = (
    "livestock_tagissue", "livestock_eartag", "livestock_animal", "livestock_productionlog",
    "livestock_historicalproductionlog", "livestock_loganimal", "livestock_event", "livestock_tagread",
    "transit_gpspoint",
)  # fmt: skip


def _indexes_drop(cursor, tables) -> list[str]:
    """Drop the indexes and unique constraints of ``tables`` but their primary keys; return the
    statements that make them again."""
    again = []
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'u' AND conrelid::regclass::text = ANY(%s)",
        [list(tables)],
    )
    constraints = cursor.fetchall()
    for table, name, definition in constraints:
        again.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        [list(tables)],
    )
    for name, definition in cursor.fetchall():
        again.append(definition)
        cursor.execute(f'DROP INDEX "{name}"')
    return again


def _parallel(url: str, statements: list[str], workers: int = 2) -> None:
    """Run ``statements`` on ``workers`` connections at once (index builds: the server works)."""
    import psycopg

    queue = sorted(statements, key=lambda s: "livestock_event" not in s)  # the biggest first
    lock = threading.Lock()
    errors = []

    def work():
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SET maintenance_work_mem = '512MB'")
            conn.execute("SET max_parallel_maintenance_workers = 0")
            while True:
                with lock:
                    if not queue:
                        return
                    statement = queue.pop(0)
                try:
                    conn.execute(statement)
                except Exception as exc:  # noqa: BLE001 - reported below, the others go on
                    errors.append((statement, exc))

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"rebuilding the indexes failed: {errors[:3]}")


def make(scale: float) -> None:
    """Inside Django: migrate, the registry, then the year's rows (see the module doc)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.management.color import no_style
    from django.db import connection

    from accounts import demo as accounts_demo
    from farms import demo as farms_demo
    from livestock import reference
    from livestock.models import (
        Animal,
        EarTag,
        Event,
        LogAnimal,
        ProductionLog,
        ReaderDevice,
        TagIssue,
        TagRead,
    )
    from surveillance import demo as surveillance_demo

    url = os.environ["DATABASE_URL"]
    steps = []

    def step(name, started):
        steps.append((name, time.monotonic() - started))
        print(f"year: {name} {steps[-1][1]:.1f} s", flush=True)

    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    step("migrate", started)
    with connection.cursor() as cursor:
        # As the writers: a commit waits for no disk flush (each ORM save of the steps below
        # commits, ~13 ms each on this machine's disk). A build that dies is made again anyway.
        cursor.execute("SET synchronous_commit = off")
    started = time.monotonic()
    accounts_demo.seed()
    farms_demo.seed()
    surveillance_demo.seed()
    reference.ensure()
    step("registry and supervision (demo seeds)", started)
    _kinds()
    started = time.monotonic()
    with connection.cursor() as cursor:
        again = _indexes_drop(cursor, BIG)
    year = Year(scale, url)
    farms = year.plan()
    rows = year.write(farms)
    step(f"rows written ({', '.join(f'{k} {v:,}' for k, v in rows.items())})", started)
    started = time.monotonic()
    made = consignments(year, farms)
    step(f"consignments ({', '.join(f'{k} {v:,}' for k, v in made.items())})", started)
    started = time.monotonic()
    made = trips(year)
    step(f"trips ({', '.join(f'{k} {v:,}' for k, v in made.items())})", started)
    started = time.monotonic()
    _parallel(url, again)
    step("indexes rebuilt", started)
    started = time.monotonic()
    _after_rows(year)
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(
            no_style(),
            [
                TagIssue,
                EarTag,
                Animal,
                ProductionLog,
                ProductionLog.history.model,
                LogAnimal,
                Event,
                TagRead,
                ReaderDevice,
            ],
        ):
            cursor.execute(statement)
    for hook in AFTER_LOAD:
        module, _, name = hook.partition(":")
        __import__(module)
        getattr(sys.modules[module], name)()
    step("readers, hooks", started)
    started = time.monotonic()
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        # The frozen tables need only their statistics; the others their visibility map too.
        for table in ("livestock_animal", "livestock_eartag", "livestock_productionlog", "livestock_tagissue",
                      "livestock_readerdevice"):  # fmt: skip
            conn.execute(f"VACUUM (FREEZE, ANALYZE) {table}")
        conn.execute("ANALYZE")
    step("vacuum and analyze", started)
    total = sum(s for _n, s in steps)
    print(
        json.dumps({"scale": scale, "seconds": round(total, 1), "rows": rows, "steps": dict(steps)}),
        flush=True,
    )


# Head per consignment: Shenzhen's ~1.6 million head in ~43,000 batches a year.
HEAD_PER_CONSIGNMENT = 37
# Of the lots exported: declared before and withdrawn, cancelled or rejected at the examination
# (then declared again), and approved with the certificate replaced.
FAILED_BEFORE = {"withdrawn": 0.01, "cancelled": 0.005, "rejected": 0.01}
REPLACED = 0.005
# Living age groups due within these days are in progress: how far each got (days before loading).
IN_PROGRESS = {3: "declared", 2: "accepted", 1: "sampled", 0: "results_in"}


def consignments(year: Year, farms: list[Farm_]) -> dict:
    """The year's consignments (quarantine.generate): every exported age group in lots of about
    37 head, declared a few days before and approved with a signed certificate on its export day;
    a few declared before and withdrawn, cancelled or rejected; the groups due in the next days
    still in progress (their animals ``declared``)."""
    from django.core.management.color import no_style
    from django.db import connection

    from farms.models import Farm
    from livestock.models import Animal, Event
    from quarantine.generate import Generator, Lot, reset_sequences

    rng = random.Random(SEED + 12)
    gen = Generator(today=year.today, seed=SEED + 12)
    rows = Farm.objects.in_bulk([f.id for f in farms])
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # as the year's writers
        # The events go in without ids: the sequence must follow the ids the writers gave.
        for statement in connection.ops.sequence_reset_sql(no_style(), [Event]):
            cursor.execute(statement)
    pending = 0
    for farm in farms:
        model = rows[farm.id]
        export_age = LIFE[farm.species][0]
        for c in farm.cohorts:
            if c.breeders:
                continue
            due = c.exported_on
            fate = None
            if due is None:
                ahead = (c.birth + dt.timedelta(days=export_age) - year.today).days
                fate = IN_PROGRESS.get(ahead)
                if fate is None:
                    continue
                due = year.today + dt.timedelta(days=ahead)
            status = "released" if c.exported_on else "on_farm"
            animals = list(
                Animal.objects.filter(pk__gte=c.first_id, pk__lt=c.first_id + c.size, status=status)
                .order_by("pk")
                .values_list("pk", "national_code")
            )
            if not animals:
                continue
            n = max(1, round(len(animals) / HEAD_PER_CONSIGNMENT))
            for i in range(n):
                part = animals[i * len(animals) // n : (i + 1) * len(animals) // n]
                if fate:
                    gen.add(Lot(model, part, due, fate))
                    continue
                for failed, share in FAILED_BEFORE.items():
                    if rng.random() < share:
                        gen.add(Lot(model, part, due - dt.timedelta(days=rng.randint(3, 8)), failed))
                        break
                gen.add(Lot(model, part, due, "replaced" if rng.random() < REPLACED else "approved"))
                pending += 1
            if pending >= 500:
                gen.flush()
                gen.statuses = {a: s for a, s in gen.statuses.items() if s == "declared"}
                pending = 0
    gen.flush()
    reset_sequences()
    declared = [a for a, s in gen.statuses.items() if s == "declared"]
    Animal.objects.filter(pk__in=declared).update(status="declared")
    for farm_id, day in gen.last_consignment.items():
        Farm.objects.filter(pk=farm_id).update(last_consignment_on=day)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = origin")
    return dict(gen.counts)


# The certified consignments of the last TRIP_DAYS days go through transit. At scale 1 a day is
# ~118 trips of ~830 GPS points (one every 30 s): a month's ~3,500 trips and ~2.9 million points
# took ~80 s here (48 s of it Python's), a fortnight about half; the year's ten minutes leave
# room for the fortnight. A year of trips would be ~35 million points.
TRIP_DAYS = 14
TRIP_BATCH = 500  # plans per Chain: its rows (GPS points above all) wait in memory until flushed
TURNAROUND = dt.timedelta(hours=3)  # a truck back from the port is washed before its next loading


class PointStream:
    """The chain's GPS points (transit.generate.POINT_FIELDS) as one binary COPY on a connection
    of its own: the server takes them in while the chain makes the next batch (written by the
    chain's flush, they were about a third of the step). The points have no foreign keys in the
    database: their own transaction is as good."""

    def __init__(self, url: str):
        import psycopg
        from psycopg.copy import QueuedLibpqWriter

        from transit.generate import POINT_FIELDS
        from transit.models import GpsPoint

        self.conn = psycopg.connect(url)
        self.conn.execute("SET synchronous_commit = off")
        columns = [GpsPoint._meta.get_field(f).column for f in POINT_FIELDS]
        types = dict(
            self.conn.execute(
                "SELECT attname, atttypid::int FROM pg_attribute WHERE attrelid = %s::regclass "
                "AND attnum > 0 AND NOT attisdropped",
                [GpsPoint._meta.db_table],
            ).fetchall()
        )
        cursor = self.conn.cursor()
        cols = ", ".join(f'"{c}"' for c in columns)
        self.copy_cm = cursor.copy(
            f'COPY "{GpsPoint._meta.db_table}" ({cols}) FROM STDIN (FORMAT BINARY)',
            writer=QueuedLibpqWriter(cursor),
        )
        self.copy = self.copy_cm.__enter__()
        self.copy.set_types([types[c] for c in columns])

    def write(self, rows: list) -> None:
        for row in rows:
            self.copy.write_row(row)

    def close(self) -> None:
        self.copy_cm.__exit__(None, None, None)
        self.conn.commit()
        self.conn.close()


def trips(year: Year) -> dict:
    """The last TRIP_DAYS days' certified consignments taken through transit as the demo takes its
    own (transit.demo): the demo's fleet and corridors, its plans (a few trucks of now on the road,
    at Qingshuihe and held at the port, the stories), each consignment loaded on a truck of its
    enterprise that is back and washed (a truck more when none is), ``transit.generate.Chain``;
    then one pass of the periodic checks. The consignments' animals were written ``released``
    (quarantine.generate: approved, the loading day past): the chain's other statuses (in transit,
    at the warehouse, the dead set aside, the animal left at the farm) are written, its
    ``released`` are already there."""
    from django.db import connection, transaction

    from accounts.models import User
    from livestock.models import Animal
    from quarantine.models import ConsignmentAnimal
    from transit import demo, demo_fleet
    from transit.demo_journeys import corridors_seed
    from transit.generate import Chain
    from transit.models import Arrival, Driver, Vehicle
    from transit.models.fleet import Approval
    from transit.services.journeys import journeys_check
    from transit.services.warehouse import overnight_alerts_raise

    cpu0 = time.process_time()
    demo_fleet.seed()
    corridors_seed(User.objects.get(username="manager"))
    now = year.now
    plans = demo.plans(now, since=year.today - dt.timedelta(days=TRIP_DAYS))
    # Each enterprise's trucks, each with its own driver (the demo's two, then those added).
    fleets: dict[int, list] = defaultdict(list)
    drivers: dict[int, list] = defaultdict(list)
    for d in Driver.objects.filter(status=Approval.APPROVED).order_by("pk"):
        drivers[d.enterprise_id].append(d)
    for v in Vehicle.objects.filter(status=Approval.APPROVED).select_related("gps_unit").order_by("pk"):
        if len(drivers[v.enterprise_id]) > len(fleets[v.enterprise_id]):
            fleets[v.enterprise_id].append((v, drivers[v.enterprise_id][len(fleets[v.enterprise_id])]))
    busy: dict[int, dt.datetime | None] = {}  # vehicle -> when its last trip ended (None: on it)
    added: dict[int, int] = {}  # enterprise -> the number of its last truck added
    counts: dict[str, int] = defaultdict(int)

    def flush(chain):
        # The rest were written released: the year's export of these animals.
        chain.statuses = {a: s for a, s in chain.statuses.items() if s != Animal.Status.RELEASED}
        with transaction.atomic():
            chain.flush(counts=False)  # the year's hooks recount once, after every row
        for name, n in chain.counts.items():
            counts[name] += n

    numbers = demo_fleet.numbering()
    points = PointStream(year.url)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # as the year's writers
    chain = None
    for n, plan in enumerate(plans):
        if n % TRIP_BATCH == 0:
            if chain is not None:
                flush(chain)
            chain = Chain(now=now, seed=SEED + 13 + n, points_to=points.write)
            # The batch's animals in one query, not one a consignment.
            batch = {p.consignment.pk: p for p in plans[n : n + TRIP_BATCH]}
            for p in batch.values():
                p.animals = []
            for c_id, a, code in (
                ConsignmentAnimal.objects.filter(consignment_id__in=batch)
                .order_by("consignment_id", "national_code")
                .values_list("consignment_id", "animal_id", "national_code")
            ):
                batch[c_id].animals.append((a, code))
        c = plan.consignment
        free = plan.start - TURNAROUND
        pair = next(
            (
                (v, d)
                for v, d in fleets[c.enterprise_id]
                if v.capacity_for(c.species) >= c.head_count
                and (v.pk not in busy or (busy[v.pk] is not None and busy[v.pk] < free))
            ),
            None,
        )
        if pair is None:
            added[c.enterprise_id] = added.get(c.enterprise_id, 3) + 1  # 1-3: the demo's
            pair = demo_fleet.truck_add(c.enterprise, added[c.enterprise_id], numbers=numbers)
            fleets[c.enterprise_id].append(pair)
            counts["trucks_added"] += 1
        plan.vehicle, plan.driver = pair
        if pair[0].capacity_for(c.species) < c.head_count:
            counts["skipped"] += 1
            continue
        trip = chain.add(plan)
        if trip is None:
            counts["skipped"] += 1
            continue
        busy[plan.vehicle.pk] = trip.ended_at
    if chain is not None:
        flush(chain)
    points.close()
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = origin")
    check = journeys_check(now=now)
    overnight = overnight_alerts_raise(
        arrivals=Arrival.objects.filter(left_at__isnull=True).select_related(
            "trip__loading__consignment__farm", "warehouse"
        ),
        now=now,
    )
    return {
        "python_cpu_s": round(time.process_time() - cpu0),
        "plans": len(plans),
        **counts,
        "journey_alerts": sum(check.raised.values()),
        "overnight_alerts": overnight,
    }


def _after_rows(year: Year) -> None:
    """What the ingestion leaves on the readers beside the reads: their counters and state."""
    import psycopg

    with psycopg.connect(year.url) as conn, conn.cursor() as cur:
        for device, (seq, last, _code) in year.devices.items():
            state = {
                "connected": True, "port": "/dev/ttyUSB0", "spool": 0, "last_read_at": None, "raw_reads": seq,
                "sightings": seq, "non_tags": 0, "alarm": None, "version": "1.0.0",
            }  # fmt: skip
            cur.execute(
                "UPDATE livestock_readerdevice SET reads_total = %s, last_read_at = %s, heartbeat_at = %s, "
                "heartbeat = %s WHERE id = %s",
                [seq, last, year.now - dt.timedelta(seconds=12), json.dumps(state), device],
            )
        conn.commit()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database name (or URL) to copy the year into")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = the real scale; 0.05 for quick runs")
    parser.add_argument("--template", help=f"template database name (default {TEMPLATE})")
    parser.add_argument("--template-only", action="store_true", help="only make (or check) the template")
    parser.add_argument("--rebuild", action="store_true", help="make the template again even if it is fresh")
    parser.add_argument("--_build", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._build:
        sys.path.insert(0, str(ROOT))
        make(args.scale)
        return
    if args.rebuild:
        name = template_name(args.scale, args.template)
        with _admin() as conn:
            if _comment(conn, name) is not None:  # a template without its key is made again
                conn.execute(f'COMMENT ON DATABASE "{name}" IS NULL')
    url = None
    if args.db:
        url = args.db if "://" in args.db else f"{SERVER}/{args.db}"
    if url is None and not args.template_only:
        parser.error("give --db NAME, or --template-only")
    print(ensure(url, scale=args.scale, template=args.template))


if __name__ == "__main__":
    main()
