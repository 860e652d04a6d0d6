"""Demo herds: every farm that keeps a herd gets its animals, their ear tags and a year of records.

``seed`` is run by ``manage.py seed_demo`` after farms.demo has made the registry. It is
idempotent and cheap the second time (one query sees the demo tag deliveries). Everything random
comes from random.Random(2026) and every date is relative to the day of seeding, so a fresh
database always gets the same herds.

What a farm gets, sized to its capacity (about 42,000 animals over the ~240 farms with a herd at
scale 1; settings.LIVESTOCK_DEMO_SCALE multiplies every herd):

- tag deliveries from a supplier every four months (national codes with the farm's species and
  county, each bound to an RFID number), with a spare stock left over;
- breeding stock (born 1-3.5 years ago, on record since the farm's records begin) in its first
  pen, and animals born over the last six months in the other pens, one age group per pen as
  farms run them (all in, all out); ~3 % bought in, and flagged as such;
- feed per pen with each new batch (about monthly, from weaning), the bureau's programme of
  vaccinations per age group (a few rounds missed, so coverage is not 100 % everywhere), disease
  observations followed by medication with withdrawal periods (some still running), deaths at a
  rate that differs per farm and month, and disinfection every fortnight;
- on farms of the Huizhou branch, three banned-substance alerts, one of them handled.

Records begin when the farm was registered, or a year ago if that is earlier: nothing is on
record for a farm before it could keep a herd. The rows are written the way the services write
them (same fields, same event vocabulary), but in a few big batches through
``livestock.bulk.insert_rows``: a service call per record would take hours.
"""

import datetime as dt
import io
import math
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.demo import SEED_REASON
from accounts.models import Role, User
from farms.models import Farm, Species
from surveillance.models import Alert, AlertNote
from surveillance.services import alert_acknowledge, alert_close

from . import reference, vocab
from .bulk import insert_rows
from .eartags import CHINA, RfidCode
from .models import (
    Animal,
    BannedSubstance,
    EarTag,
    Event,
    LogAnimal,
    ProductionLog,
    SubstanceAlert,
    TagIssue,
    VaccinationRequirement,
)
from .services.alerts import substance_attempt_record
from .services.common import HERD_STATUSES, farm_pens
from .services.counts import recount
from .services.events import EVENT_FIELDS, Happening, Where

SEED = 2026
# The demo's tag deliveries carry this reference prefix: their presence means the herds exist.
REFERENCE = "DEMO-"
# Head on record per head of capacity. Pig farms are large and many: a small share keeps the
# total near 50,000; cattle and goat farms are small, so a larger share gives them a real herd.
SHARE = {Species.PIG: 0.016, Species.CATTLE: 0.08, Species.GOAT: 0.08}
BREEDERS = {Species.PIG: 0.05, Species.CATTLE: 0.1, Species.GOAT: 0.1}
# Sucklings are fed by their dams: feed records start at weaning (days of age).
WEANED = {Species.PIG: 21, Species.CATTLE: 30, Species.GOAT: 30}
FATTENING_DAYS = 180
RECORD_DAYS = 365
BOUGHT_IN = 0.03
SPARE_MIN = 60  # available tags every demo enterprise keeps, so that anyone can register animals
CHUNK = 25  # farms written per batch: bounds the memory the rows take
RFID_BASE = 200_000_000_000  # RFID national IDs of the demo tags: RFID_BASE + serial
SERIAL_BASE = 10_000_000

K = ProductionLog.Kind
S = Animal.Status

TAG_SUPPLIERS = [
    "郑州佳源畜牧标识有限公司",
    "广州牧联电子标签有限公司",
    "北京京瑞畜牧标识科技有限公司",
    "长沙湘农畜禽标识有限公司",
]
PEN_WORD = {Species.PIG: "猪舍", Species.CATTLE: "牛舍", Species.GOAT: "羊舍"}
BREEDS = {
    Species.PIG: (["杜长大三元", "杜长大三元", "杜长大三元", "长大二元"], ["长大二元"], ["杜洛克"]),
    Species.CATTLE: (["西门塔尔杂交牛", "安格斯杂交牛", "鲁西黄牛"], ["西门塔尔杂交牛"], ["西门塔尔牛"]),
    Species.GOAT: (["黑山羊", "波尔山羊杂交", "努比亚山羊"], ["黑山羊"], ["波尔山羊"]),
}
# Sex of fattening stock: (female, castrated, male) weights.
FATTENER_SEX = {Species.PIG: (5, 5, 0), Species.CATTLE: (2, 3, 5), Species.GOAT: (4, 4, 2)}
SELLERS = ["博罗县源丰种猪场", "清远市佳和畜牧有限公司", "郴州市永兴种养合作社", "梧州市桂江牧业有限公司"]

FEED_MAKERS = [
    ("广东海大集团股份有限公司", "HD"),
    ("新希望六和股份有限公司", "XW"),
    ("温氏食品集团股份有限公司", "WS"),
    ("北京大北农科技集团股份有限公司", "DBN"),
    ("唐人神集团股份有限公司", "TRS"),
    ("双胞胎（集团）股份有限公司", "SBT"),
]
# (up to age in days, product) for the animals of a pen; breeders get the last product.
FEEDS = {
    Species.PIG: [(35, "乳猪教槽料"), (70, "仔猪保育料"), (120, "生长猪配合饲料"), (None, "育肥猪配合饲料")],
    Species.CATTLE: [(90, "犊牛开食料"), (None, "肉牛精料补充料")],
    Species.GOAT: [(60, "羔羊开食料"), (None, "肉羊精料补充料")],
}
BREEDER_FEED = {
    Species.PIG: "母猪配合饲料",
    Species.CATTLE: "繁殖母牛精料补充料",
    Species.GOAT: "繁殖母羊精料补充料",
}
ADDITIVES = ["", "", "复合维生素、微量元素预混料", "植物精油", "益生菌（枯草芽孢杆菌）"]

VACCINE_MAKERS = [
    ("中牧实业股份有限公司", "ZM"),
    ("哈药集团生物疫苗有限公司", "HY"),
    ("金宇保灵生物药品有限公司", "JY"),
    ("天康生物股份有限公司", "TK"),
    ("广东永顺生物制药股份有限公司", "YS"),
    ("武汉科前生物股份有限公司", "KQ"),
]
# Per (species, disease in Chinese): product, dose, unit, route.
VACCINES = {
    (Species.PIG, "猪瘟"): ("猪瘟活疫苗（传代细胞源）", "1", "dose", "肌肉注射"),
    (Species.PIG, "口蹄疫"): ("猪口蹄疫O型、A型二价灭活疫苗", "2", "ml", "肌肉注射"),
    (Species.PIG, "猪伪狂犬病"): ("猪伪狂犬病活疫苗（Bartha-K61株）", "1", "dose", "滴鼻"),
    (Species.PIG, "猪繁殖与呼吸综合征"): ("猪繁殖与呼吸综合征活疫苗（R98株）", "1", "dose", "肌肉注射"),
    (Species.CATTLE, "口蹄疫"): ("口蹄疫O型、A型二价灭活疫苗", "1", "ml", "肌肉注射"),
    (Species.CATTLE, "布鲁氏菌病"): ("布鲁氏菌活疫苗（A19株）", "1", "dose", "皮下注射"),
    (Species.CATTLE, "牛结节性皮肤病"): ("山羊痘活疫苗（AV41株）", "5", "dose", "皮内注射"),
    (Species.GOAT, "口蹄疫"): ("口蹄疫O型、A型二价灭活疫苗", "1", "ml", "肌肉注射"),
    (Species.GOAT, "小反刍兽疫"): ("小反刍兽疫活疫苗（Clone9株）", "1", "dose", "皮下注射"),
    (Species.GOAT, "羊痘"): ("山羊痘活疫苗（AV41株）", "1", "dose", "皮内注射"),
}
VACCINE_DEFAULT = ("灭活疫苗", "1", "ml", "肌肉注射")
MISSED_ROUND = 0.12  # share of recent vaccination rounds not (yet) done

SYMPTOMS = {
    Species.PIG: [
        "咳嗽、气喘，疑似猪支原体肺炎",
        "腹泻、脱水，疑似仔猪黄白痢",
        "发热、食欲减退",
        "跛行、关节肿胀",
        "皮肤出现菱形红斑，疑似猪丹毒",
    ],
    Species.CATTLE: ["前胃弛缓，食欲减退", "蹄部溃烂、跛行", "咳嗽、流鼻涕，疑似呼吸道感染"],
    Species.GOAT: ["腹泻", "口唇出现脓疱，疑似羊口疮", "咳嗽、流鼻涕"],
}
# (product, active substance, dose, unit, route, withdrawal days per species)
DRUGS = [
    ("阿莫西林可溶性粉", "阿莫西林", "10", "g", "混饮", {"1": 14, "2": 14, "3": 14}),
    ("恩诺沙星注射液", "恩诺沙星", "5", "ml", "肌肉注射", {"1": 10, "2": 14, "3": 14}),
    ("氟苯尼考注射液", "氟苯尼考", "4", "ml", "肌肉注射", {"1": 14, "2": 28, "3": 28}),
    ("替米考星预混剂", "替米考星", "200", "g", "混饲", {"1": 14, "2": 28, "3": 28}),
    ("盐酸头孢噻呋注射液", "头孢噻呋", "3", "ml", "肌肉注射", {"1": 4, "2": 8, "3": 8}),
    ("伊维菌素注射液", "伊维菌素", "2", "ml", "皮下注射", {"1": 28, "2": 35, "3": 35}),
    ("复合维生素B注射液", "维生素B", "5", "ml", "肌肉注射", {"1": 0, "2": 0, "3": 0}),
]
DEATH_CAUSES = {
    Species.PIG: ["仔猪腹泻衰竭", "呼吸道疾病", "挤压致死", "应激猝死", "消化道疾病", "原因不明，已采样送检"],
    Species.CATTLE: ["瘤胃臌气", "呼吸道疾病", "外伤", "原因不明，已采样送检"],
    Species.GOAT: ["腹泻衰竭", "肺炎", "寄生虫病", "外伤"],
}
DISPOSALS = [ProductionLog.Disposal.RENDERING] * 6 + [
    ProductionLog.Disposal.INCINERATION,
    ProductionLog.Disposal.INCINERATION,
    ProductionLog.Disposal.BURIAL,
]
DISINFECTANTS = [
    ("聚维酮碘溶液", "1:500稀释"),
    ("戊二醛癸甲溴铵溶液", "1:1000稀释"),
    ("过硫酸氢钾复合物粉", "1:200稀释"),
    ("氢氧化钠溶液", "2%"),
    ("二氧化氯消毒剂", "1:1000稀释"),
]
DISINFECTION_AREAS = [
    "全场环境",
    "{pen}及周边通道",
    "车辆消毒池",
    "出栏台及装车通道",
    "隔离舍",
    "生活区及更衣室",
]

# (enterprise code or None for any, substance, record kind, field, what was typed, handled note)
ALERTS = [
    (
        "ent-huafeng",
        "莱克多巴胺",
        K.FEED,
        "additives",
        "莱克多巴胺预混剂 20ppm",
        "已到场核查，饲料已封存并抽样送检",
    ),
    (None, "盐酸克仑特罗", K.MEDICATION, "product", "盐酸克仑特罗片", ""),
    (None, "沙丁胺醇", K.MEDICATION, "active_substance", "硫酸沙丁胺醇", ""),
]


def seeded() -> bool:
    """Return whether the demo herds are already in place (one cheap query)."""
    return TagIssue.objects.filter(reference__startswith=REFERENCE).exists()


def seed(*, scale: float | None = None) -> dict:
    """Create the demo herds if they are missing; return what was created (empty the second time).

    ``scale`` multiplies every herd; by default settings.LIVESTOCK_DEMO_SCALE, else 1 (the test
    settings seed a small world).
    """
    if scale is None:
        scale = getattr(settings, "LIVESTOCK_DEMO_SCALE", 1.0)
    reference.ensure()
    if seeded():
        return {}
    farms = list(
        Farm.objects.filter(status__in=HERD_STATUSES).select_related("enterprise", "branch").order_by("pk")
    )
    if not farms:
        return {}  # farms.demo has not run: no farm keeps a herd yet
    with transaction.atomic():
        return _seed(farms, scale)


# --- the plan ------------------------------------------------------------------------------


@dataclass(slots=True)
class Beast:
    id: int
    farm: Farm
    breeder: bool
    sex: str
    breed: str
    birth: dt.date
    entry: dt.date | None
    origin: str
    origin_note: str
    pen: str = ""
    reg_day: dt.date | None = None
    registered_at: dt.datetime | None = None
    tag_id: int = 0
    national_code: str = ""
    rfid: str = ""
    died_on: dt.date | None = None
    disposed: bool = False
    withdrawal_until: dt.date | None = None

    def alive_on(self, day: dt.date) -> bool:
        """On record and alive that day."""
        return self.reg_day <= day and (self.died_on is None or self.died_on > day)


@dataclass
class Log:
    id: int
    kind: str
    day: dt.date
    pen: str
    animals: list[int]
    values: dict = field(default_factory=dict)


@dataclass
class Delivery:
    id: int
    day: dt.date
    reference: str
    supplier: str
    tags: list[tuple] = field(default_factory=list)  # (national code, rfid)


@dataclass
class Herd:
    """One farm's plan: its animals, deliveries and logs, before anything is written."""

    farm: Farm
    actor: User
    start: dt.date
    beasts: list[Beast] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    logs: list[Log] = field(default_factory=list)
    spare: list[tuple] = field(default_factory=list)  # (tag id, national code, rfid) in stock


class Ids:
    """Primary keys handed out in advance, so that rows can point at each other before writing."""

    def __init__(self, model):
        self.next = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1

    def take(self) -> int:
        self.next += 1
        return self.next - 1


@dataclass
class World:
    rng: random.Random
    today: dt.date
    now: dt.datetime
    scale: float
    requirements: dict[str, list[VaccinationRequirement]]
    clerks: dict[int, User]
    taken_codes: set
    taken_rfids: set
    tag_ids: Ids
    animal_ids: Ids
    log_ids: Ids
    issue_ids: Ids
    serial: int = SERIAL_BASE

    moments: dict = field(default_factory=dict)

    def at(self, day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
        """A moment of ``day`` in local time, never later than now (one object per moment)."""
        key = (day, hour, minute)
        if key not in self.moments:
            moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
            self.moments[key] = min(moment, self.now)
        return self.moments[key]

    def tag_codes(self, farm: Farm) -> tuple[str, str]:
        """The next unused national code (farm's species and county) and RFID number."""
        while True:
            self.serial += 1
            code = f"{farm.species}{farm.county_code}{self.serial:08d}"
            rfid = RfidCode(CHINA, RFID_BASE + self.serial).format_decimal("")
            if code not in self.taken_codes and rfid not in self.taken_rfids:
                return code, rfid


def _seed(farms: list[Farm], scale: float) -> dict:
    world, herds = plan(farms, scale=scale)
    made = defaultdict(int)
    for start in range(0, len(herds), CHUNK):
        for key, value in _write(herds[start : start + CHUNK], world).items():
            made[key] += value
    _sequences_reset()
    # The animals were written with COPY, around the services: their head counts are rebuilt.
    recount()
    made["alerts"] = _alerts(farms, world)
    return dict(made)


def plan(farms: list[Farm], *, scale: float) -> tuple[World, list[Herd]]:
    """The herds of ``farms`` (in this order), planned in memory; nothing is written."""
    requirements = defaultdict(list)
    for req in VaccinationRequirement.objects.filter(is_active=True).order_by("first_age_days", "pk"):
        requirements[req.species].append(req)
    clerks = {}
    for user in User.objects.filter(
        role__in=[Role.ENTERPRISE_STAFF, Role.ENTERPRISE_ADMIN], is_active=True
    ).order_by("-role", "pk"):
        clerks.setdefault(user.organisation_id, user)  # staff before admin
    world = World(
        rng=random.Random(SEED),
        today=timezone.localdate(),
        now=timezone.now(),
        scale=scale,
        requirements=requirements,
        clerks=clerks,
        taken_codes=set(EarTag.objects.values_list("national_code", flat=True)),
        taken_rfids=set(EarTag.objects.exclude(rfid=None).values_list("rfid", flat=True)),
        tag_ids=Ids(EarTag),
        animal_ids=Ids(Animal),
        log_ids=Ids(ProductionLog),
        issue_ids=Ids(TagIssue),
    )
    users = {u.pk: u for u in User.objects.filter(pk__in={f.created_by_id for f in farms})}
    herds = [
        _plan(farm, clerks.get(farm.enterprise_id) or users[farm.created_by_id], world) for farm in farms
    ]
    _spare_top_up(herds, world)
    return world, herds


def _plan(farm: Farm, actor: User, world: World) -> Herd:
    today = world.today
    start = max(farm.registered_on or today, today - dt.timedelta(days=RECORD_DAYS))
    herd = Herd(farm=farm, actor=actor, start=start)
    _animals(herd, world)
    _deaths(herd, world)
    _treatments(herd, world)
    _vaccinations(herd, world)
    _feed(herd, world)
    _disinfections(herd, world)
    _tags(herd, world)
    return herd


def _animals(herd: Herd, world: World) -> None:
    """The herd: breeding stock in the first pen, one age group per pen in the others."""
    farm, rng, today = herd.farm, world.rng, world.today
    species = farm.species
    size = max(4, round(farm.capacity * SHARE[species] * rng.uniform(0.75, 1.25) * world.scale))
    n_breeders = max(1, round(size * BREEDERS[species]))
    pens = farm_pens(farm) or [f"1号{PEN_WORD[species]}"]
    breeder_pen, fattening_pens = pens[0], (pens[1:] or pens)
    fattener_breeds, dam_breeds, sire_breeds = BREEDS[species]
    beasts = []
    for n in range(size):
        breeder = n < n_breeders
        if breeder:
            birth = today - dt.timedelta(days=rng.randint(400, 1300))
            male = n % 15 == 14 or n == n_breeders - 1 and n_breeders > 3
            sex = Animal.Sex.MALE if male else Animal.Sex.FEMALE
            breed = rng.choice(sire_breeds if male else dam_breeds)
        else:
            birth = today - dt.timedelta(days=rng.randint(2, FATTENING_DAYS))
            sex = rng.choices(
                [Animal.Sex.FEMALE, Animal.Sex.CASTRATED, Animal.Sex.MALE], FATTENER_SEX[species]
            )[0]
            breed = rng.choice(fattener_breeds)
        entry, origin, note = None, Animal.Origin.SELF_BRED, ""
        if rng.random() < BOUGHT_IN:
            origin = Animal.Origin.PURCHASED if rng.random() < 0.85 else Animal.Origin.OTHER
            if breeder:
                entry = min(herd.start, today) - dt.timedelta(days=rng.randint(20, 300))
                entry = max(entry, birth + dt.timedelta(days=60))
            else:
                entry = min(birth + dt.timedelta(days=rng.randint(20, 50)), today - dt.timedelta(days=1))
            seller = rng.choice(SELLERS)
            note = (
                f"购自{seller}，动物检疫合格证明 No. {rng.randint(10**9, 10**10 - 1)}"
                if origin == Animal.Origin.PURCHASED
                else f"{seller}寄养转入"
            )
        beasts.append(Beast(world.animal_ids.take(), farm, breeder, sex, breed, birth, entry, origin, note))
    fattening = sorted((b for b in beasts if not b.breeder), key=lambda b: b.birth)
    per_pen = len(fattening) / len(fattening_pens)
    for i, beast in enumerate(fattening):
        beast.pen = fattening_pens[min(len(fattening_pens) - 1, int(i / per_pen))]  # oldest first
    # Tagged a few days after birth (or on arrival), in morning sessions; nothing before records begin.
    sessions = {}
    for beast in beasts:
        if beast.breeder:
            beast.pen = breeder_pen
            day = herd.start + dt.timedelta(days=rng.randint(0, 6))
        elif beast.entry:
            day = beast.entry
        else:
            day = beast.birth + dt.timedelta(days=rng.randint(1, 4))
        beast.reg_day = min(max(day, herd.start), today)
        if beast.reg_day not in sessions:
            sessions[beast.reg_day] = world.at(beast.reg_day, rng.randint(8, 10), rng.randint(0, 59))
        beast.registered_at = sessions[beast.reg_day]
    herd.beasts = beasts


def _days(low: dt.date, high: dt.date, rng: random.Random) -> dt.date | None:
    if high < low:
        return None
    return low + dt.timedelta(days=rng.randint(0, (high - low).days))


def _deaths(herd: Herd, world: World) -> None:
    """Deaths month by month, at a rate of its own per farm, season and bad month; young ones die more."""
    rng, today = world.rng, world.today
    species = herd.farm.species
    base = rng.uniform(0.004, 0.014)
    outbreak = rng.randrange(12) if rng.random() < 0.2 else None
    month = herd.start.replace(day=1)
    index = 0
    per_day: dict[tuple, list[Beast]] = defaultdict(list)
    while month <= today:
        nxt = (month + dt.timedelta(days=32)).replace(day=1)
        first, last = max(month, herd.start), min(nxt - dt.timedelta(days=1), today)
        rate = base * rng.uniform(0.5, 1.5) * (1.3 if month.month in (12, 1, 2) else 1.0)
        if index == outbreak:
            rate *= rng.uniform(2.5, 4.0)
        # Exposure: the fraction of the month each animal is on record and alive.
        live = [b for b in herd.beasts if b.died_on is None and b.reg_day < last]
        span = (last - first).days + 1
        exposure = sum(min(span, (last - max(first, b.reg_day)).days + 1) for b in live) / 30.4
        expected = exposure * rate
        count = int(expected) + (rng.random() < expected - int(expected))
        for beast in _weighted_sample(live, count, world, on=first):
            day = _days(max(first, beast.reg_day + dt.timedelta(days=1)), last, rng)
            if day is not None:
                beast.died_on = day
                per_day[(day, beast.pen)].append(beast)
        month, index = nxt, index + 1
    for (day, pen), beasts in sorted(per_day.items()):
        disposed_on = None
        if (today - day).days > 2 or rng.random() < 0.5:
            disposed_on = min(day + dt.timedelta(days=rng.choice([0, 0, 0, 1])), today)
        for beast in beasts:
            beast.disposed = disposed_on is not None
        if rng.random() < 0.3 and day - dt.timedelta(days=2) >= max(b.reg_day for b in beasts):
            herd.logs.append(
                Log(
                    world.log_ids.take(),
                    K.DISEASE,
                    day - dt.timedelta(days=2),
                    pen,
                    [b.id for b in beasts],
                    {"symptoms": rng.choice(SYMPTOMS[species]), "notes": "已隔离观察"},
                )
            )
        herd.logs.append(
            Log(
                world.log_ids.take(),
                K.DEATH,
                day,
                pen,
                [b.id for b in beasts],
                {
                    "cause": rng.choice(DEATH_CAUSES[species]),
                    "disposal": rng.choice(DISPOSALS),
                    "disposed_on": disposed_on,
                },
            )
        )


def _weighted_sample(beasts: list[Beast], count: int, world: World, *, on: dt.date) -> list[Beast]:
    """``count`` animals, those under four weeks old (piglets, lambs, calves) three times as likely."""
    if count <= 0 or not beasts:
        return []
    weights = [3 if (on - b.birth).days < 28 else 1 for b in beasts]
    chosen = {}
    for beast in world.rng.choices(beasts, weights, k=min(len(beasts), count * 2)):
        chosen.setdefault(beast.id, beast)
        if len(chosen) == count:
            break
    return list(chosen.values())


def _by_pen(herd: Herd) -> dict[str, list[Beast]]:
    pens = defaultdict(list)
    for beast in herd.beasts:
        pens[beast.pen].append(beast)
    return pens


def _treatments(herd: Herd, world: World) -> None:
    """Sick animals: a disease observation and, most often, medication with a withdrawal period."""
    rng, today = world.rng, world.today
    species = herd.farm.species
    pens = _by_pen(herd)
    episodes = max(2, round(len(herd.beasts) / 120 * rng.uniform(0.5, 1.5)))
    for _ in range(episodes):
        recent = rng.random() < 0.35
        day = _days(max(herd.start, today - dt.timedelta(days=21)) if recent else herd.start, today, rng)
        pen = rng.choice(sorted(pens))
        present = [b for b in pens[pen] if b.alive_on(day)]
        if not present:
            continue
        sick = rng.sample(present, min(len(present), rng.randint(1, 3 if species == Species.CATTLE else 8)))
        ids = [b.id for b in sick]
        if rng.random() < 0.8:
            symptoms = rng.choice(SYMPTOMS[species])
            herd.logs.append(Log(world.log_ids.take(), K.DISEASE, day, pen, ids, {"symptoms": symptoms}))
        product, substance, dose, unit, route, withdrawal = rng.choice(DRUGS)
        days = withdrawal[species]
        until = day + dt.timedelta(days=days) if days else None
        herd.logs.append(
            Log(
                world.log_ids.take(),
                K.MEDICATION,
                day,
                pen,
                ids,
                {
                    "product": product,
                    "active_substance": substance,
                    "maker": rng.choice(["瑞普生物", "中牧股份", "海正动保", "回盛生物"]),
                    "batch": f"{day:%Y%m}{rng.randint(1, 99):02d}",
                    "dose": Decimal(dose),
                    "dose_unit": unit,
                    "route": route,
                    "withdrawal_days": days,
                    "withdrawal_until": until,
                },
            )
        )
        if until:
            for beast in sick:
                if beast.withdrawal_until is None or beast.withdrawal_until < until:
                    beast.withdrawal_until = until


def _vaccinations(herd: Herd, world: World) -> None:
    """The programme, per age group of a pen when its youngest reaches the age, then every repeat.

    Breeding stock gets its boosters on its own rhythm. A few recent rounds are missed, so some
    pens show animals due or overdue.
    """
    rng, today = world.rng, world.today
    species = herd.farm.species
    groups = defaultdict(list)
    for beast in herd.beasts:
        key = (beast.pen, "breeders") if beast.breeder else (beast.pen, (today - beast.birth).days // 14)
        groups[key].append(beast)
    maker, prefix = rng.choice(VACCINE_MAKERS)
    for (pen, kind), beasts in sorted(groups.items(), key=lambda item: str(item[0])):
        for req in world.requirements.get(species, []):
            if kind == "breeders":
                repeat = req.repeat_days
                first = herd.start + dt.timedelta(days=rng.randint(0, min(repeat or 20, 120)))
            else:
                repeat = req.repeat_days
                first = max(b.birth for b in beasts) + dt.timedelta(
                    days=req.first_age_days + rng.randint(0, 3)
                )
                if first < herd.start:
                    first = herd.start + dt.timedelta(days=rng.randint(2, 10))  # caught up when records began
            rounds = []
            day = first
            while day <= today:
                rounds.append(day)
                if repeat is None:
                    break
                day += dt.timedelta(days=repeat)
            if rounds and (today - rounds[-1]).days < 45 and rng.random() < MISSED_ROUND:
                rounds.pop()
            product, dose, unit, route = VACCINES.get((species, req.disease_zh), VACCINE_DEFAULT)
            for day in rounds:
                ids = [b.id for b in beasts if b.alive_on(day)]
                if ids:
                    herd.logs.append(
                        Log(
                            world.log_ids.take(),
                            K.VACCINATION,
                            day,
                            pen,
                            ids,
                            {
                                "product": product,
                                "maker": maker,
                                "batch": f"{prefix}{day:%y%m}{rng.randint(1, 30):03d}",
                                "dose": Decimal(dose),
                                "dose_unit": unit,
                                "route": route,
                                "requirement": req,
                            },
                        )
                    )


def _feed(herd: Herd, world: World) -> None:
    """A feed record per pen for each new feed batch (about monthly), for the animals in it that day."""
    rng, today = world.rng, world.today
    species = herd.farm.species
    maker, prefix = rng.choice(FEED_MAKERS)
    additives = rng.choice(ADDITIVES)
    day = herd.start + dt.timedelta(days=rng.randint(0, 29))
    pens = sorted(_by_pen(herd).items())
    while day <= today:
        for pen, beasts in pens:
            weaned = day - dt.timedelta(days=WEANED[species])
            present = [
                b
                for b in beasts
                if b.reg_day <= day
                and (b.died_on is None or b.died_on > day)
                and (b.breeder or b.birth <= weaned)
            ]
            if not present:
                continue
            if present[0].breeder:
                product = BREEDER_FEED[species]
            else:
                age = (day - present[len(present) // 2].birth).days
                product = next(p for limit, p in FEEDS[species] if limit is None or age < limit)
            herd.logs.append(
                Log(
                    world.log_ids.take(),
                    K.FEED,
                    day,
                    pen,
                    [b.id for b in present],
                    {
                        "product": product,
                        "maker": maker,
                        "batch": f"{prefix}{day:%y%m%d}",
                        "additives": additives,
                    },
                )
            )
        day += dt.timedelta(days=30)


def _disinfections(herd: Herd, world: World) -> None:
    """Every fortnight, somewhere on the farm (no animals are named)."""
    rng, today = world.rng, world.today
    pens = farm_pens(herd.farm) or [""]
    day = herd.start + dt.timedelta(days=rng.randint(0, 13))
    while day <= today:
        product, strength = rng.choice(DISINFECTANTS)
        area = rng.choice(DISINFECTION_AREAS).format(pen=rng.choice(pens))
        herd.logs.append(
            Log(
                world.log_ids.take(),
                K.DISINFECTION,
                day,
                "",
                [],
                {"product": product, "area": area, "notes": strength},
            )
        )
        day += dt.timedelta(days=14)


def _tags(herd: Herd, world: World) -> None:
    """Deliveries every four months from the start of records; each animal wears one of the last before it."""
    rng, today = world.rng, world.today
    supplier = rng.choice(TAG_SUPPLIERS)
    day = herd.start - dt.timedelta(days=rng.randint(5, 15))
    while day <= today - dt.timedelta(days=10) or not herd.deliveries:
        n = len(herd.deliveries) + 1
        herd.deliveries.append(
            Delivery(world.issue_ids.take(), day, f"{REFERENCE}{herd.farm.pk:04d}-{n}", supplier)
        )
        day += dt.timedelta(days=120)
    for beast in sorted(herd.beasts, key=lambda b: (b.reg_day, b.id)):
        delivery = [d for d in herd.deliveries if d.day < beast.reg_day][-1:] or herd.deliveries[:1]
        beast.national_code, beast.rfid = world.tag_codes(herd.farm)
        beast.tag_id = world.tag_ids.take()
        delivery[0].tags.append((beast.tag_id, beast.national_code, beast.rfid))
    spare = max(10, math.ceil(len(herd.beasts) * 0.05))
    for _ in range(spare):
        herd.spare.append((world.tag_ids.take(), *world.tag_codes(herd.farm)))


def _spare_top_up(herds: list[Herd], world: World) -> None:
    """Every demo enterprise keeps at least SPARE_MIN tags in stock, on its first farm's last delivery."""
    per_enterprise = defaultdict(list)
    for herd in herds:
        per_enterprise[herd.farm.enterprise_id].append(herd)
    for own in per_enterprise.values():
        missing = SPARE_MIN - sum(len(h.spare) for h in own)
        for _ in range(missing):
            own[0].spare.append((world.tag_ids.take(), *world.tag_codes(own[0].farm)))


# --- writing ---------------------------------------------------------------------------------


def _event_rows(happening: Happening, animal_ids, per_animal: dict | None = None):
    """Event rows exactly as services.events.events_append writes them, for one big insert.

    events_append writes each happening in a statement of its own; the demo has ~100,000
    happenings, so it collects their rows and writes them in one go. ``recorded_at`` is the
    moment of the happening: the demo's records were kept as things happened.
    """
    kind = vocab.KINDS[happening.kind]
    common = (
        happening.kind,
        kind.type,
        kind.action,
        vocab.expand(kind.biz_step, "bizstep"),
        vocab.expand(kind.disposition, "disp") if kind.disposition else "",
        happening.when,
        happening.when,
        happening.where.read_point,
        happening.where.biz_location,
        happening.where.farm_id,
        happening.parent,
        getattr(happening.actor, "pk", None),
        happening.organisation_id,
        happening.source_label(),
    )
    for animal_id in animal_ids:
        extra = per_animal.get(animal_id) if per_animal else None
        yield (uuid.uuid4(), animal_id, *common, {**happening.data, **extra} if extra else happening.data)


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
    "id",
    "farm",
    "kind",
    "occurred_on",
    "pen",
    *LOG_TEXT,
    "notes",
    "requirement",
    "dose",
    "dose_unit",
    "withdrawal_days",
    "withdrawal_until",
    "disposal",
    "disposed_on",
    "animal_count",
    "recorded_by",
    "recorded_at",
)
ANIMAL_FIELDS = (
    "id",
    "farm",
    "enterprise",
    "tag",
    "national_code",
    "rfid",
    "species",
    "sex",
    "breed",
    "birth_date",
    "entry_date",
    "pen",
    "origin",
    "origin_note",
    "status",
    "withdrawal_until",
    "died_on",
    "last_seen_where",
    "registered_at",
    "registered_by",
)
TAG_FIELDS = (
    "id",
    "national_code",
    "rfid",
    "species",
    "enterprise",
    "issue",
    "status",
    "animal",
    "ear",
    "applied_on",
    "retired_reason",
)


def _log_row(herd: Herd, log: Log, world: World) -> tuple:
    v = log.values
    requirement = v.get("requirement")
    return (
        log.id,
        herd.farm.pk,
        log.kind,
        log.day,
        log.pen,
        *(v.get(name, "") for name in LOG_TEXT),
        v.get("notes", ""),
        requirement.pk if requirement else None,
        v.get("dose"),
        v.get("dose_unit", ""),
        v.get("withdrawal_days"),
        v.get("withdrawal_until"),
        v.get("disposal", ""),
        v.get("disposed_on"),
        len(log.animals),
        herd.actor.pk,
        _recorded_at(log, world),
    )


def _recorded_at(log: Log, world: World) -> dt.datetime:
    return world.at(log.day, 18, 30)


def _details(log: Log) -> dict:
    """What services.records._log_details puts in each event of a record."""
    v = log.values
    details = {"log": log.id, "record": log.kind}
    for name in LOG_TEXT:
        if v.get(name):
            details[name] = v[name]
    if v.get("dose") is not None:
        details["dose"] = f"{v['dose'].normalize():f}"
        details["dose_unit"] = v["dose_unit"]
    if v.get("withdrawal_days") is not None:
        details["withdrawal_days"] = v["withdrawal_days"]
    if v.get("withdrawal_until"):
        details["withdrawal_until"] = v["withdrawal_until"].isoformat()
    if v.get("requirement"):
        details["requirement"] = v["requirement"].pk
        details["disease"] = v["requirement"].disease_zh
    if v.get("disposal"):
        details["disposal"] = v["disposal"]
    return details


def _log_events(herd: Herd, log: Log, world: World):
    farm = herd.farm
    if not log.animals:
        return
    kind = "withdrawal" if log.kind == K.MEDICATION and log.values.get("withdrawal_until") else log.kind
    source = f"{ProductionLog._meta.label_lower}:{log.id}"
    yield from _event_rows(
        Happening(
            kind=kind,
            when=world.at(log.day) if log.day < world.today else world.now,
            where=Where(farm_id=farm.pk, pen=log.pen),
            actor=herd.actor,
            organisation_id=farm.enterprise_id,
            source=source,
            data=_details(log),
        ),
        log.animals,
    )
    disposed_on = log.values.get("disposed_on")
    if log.kind == K.DEATH and disposed_on:
        yield from _event_rows(
            Happening(
                kind="disposal",
                when=world.at(disposed_on, 16) if disposed_on < world.today else world.now,
                where=Where(farm_id=farm.pk, pen=log.pen),
                actor=herd.actor,
                organisation_id=farm.enterprise_id,
                source=source,
                data={"log": log.id, "disposal": log.values["disposal"]},
            ),
            log.animals,
        )


def _registration_events(herd: Herd):
    farm = herd.farm
    sessions = defaultdict(list)
    for beast in herd.beasts:
        sessions[beast.registered_at].append(beast)
    for when, beasts in sorted(sessions.items()):
        per_animal = {}
        for b in beasts:
            detail = {"tag": b.national_code, "rfid": b.rfid, "pen": b.pen, "origin": b.origin}
            if b.origin != Animal.Origin.SELF_BRED:
                detail["origin_flagged"] = True
            per_animal[b.id] = detail
        yield from _event_rows(
            Happening(
                kind="registered",
                when=when,
                where=Where(farm_id=farm.pk),
                actor=herd.actor,
                organisation_id=farm.enterprise_id,
            ),
            [b.id for b in beasts],
            per_animal,
        )


def _write(herds: list[Herd], world: World) -> dict:
    """Write a batch of farms' plans: deliveries and tags, animals, records, links and events."""
    _deliveries(herds, world)
    insert_rows(
        EarTag,
        TAG_FIELDS,
        (
            (
                b.tag_id,
                b.national_code,
                b.rfid,
                h.farm.species,
                h.farm.enterprise_id,
                d.id,
                EarTag.Status.IN_USE,
            )
            + (b.id, EarTag.Ear.LEFT, b.reg_day, "")
            for h in herds
            for d in h.deliveries
            for b in _tagged(h, d)
        ),
    )
    insert_rows(
        EarTag,
        TAG_FIELDS,
        (
            (
                pk,
                code,
                rfid,
                h.farm.species,
                h.farm.enterprise_id,
                h.deliveries[-1].id,
                EarTag.Status.AVAILABLE,
            )
            + (None, "", None, "")
            for h in herds
            for pk, code, rfid in h.spare
        ),
    )
    insert_rows(Animal, ANIMAL_FIELDS, (_animal_row(h, b) for h in herds for b in h.beasts))
    logs = [(h, log) for h in herds for log in h.logs]
    insert_rows(ProductionLog, LOG_FIELDS, (_log_row(h, log, world) for h, log in logs))
    # The audit trail of each record, as its creation through the service would have left it.
    history = ProductionLog.history.model
    insert_rows(
        history,
        LOG_FIELDS + ("history_date", "history_change_reason", "history_type", "history_user"),
        (
            _log_row(h, log, world) + (_recorded_at(log, world), SEED_REASON, "+", h.actor.pk)
            for h, log in logs
        ),
    )
    _recorded_at_restamp(logs, world)
    insert_rows(LogAnimal, ("log", "animal"), ((log.id, a) for _h, log in logs for a in log.animals))
    events = 0

    def rows():
        nonlocal events
        for h in herds:
            for row in _registration_events(h):
                events += 1
                yield row
            for log in h.logs:
                for row in _log_events(h, log, world):
                    events += 1
                    yield row

    insert_rows(Event, EVENT_FIELDS, rows())
    return {
        "farms": len(herds),
        "animals": sum(len(h.beasts) for h in herds),
        "tags": sum(len(h.beasts) + len(h.spare) for h in herds),
        "records": len(logs),
        "links": sum(len(log.animals) for _h, log in logs),
        "events": events,
    }


def _recorded_at_restamp(logs: list[tuple[Herd, Log]], world: World) -> None:
    """Set recorded_at again where the insert stamped it with the time of writing.

    bulk_create (insert_rows' path outside PostgreSQL) fills auto_now_add fields itself.
    """
    if not logs:
        return
    first = logs[0][1]
    if ProductionLog.objects.filter(pk=first.id, recorded_at=_recorded_at(first, world)).exists():
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {ProductionLog._meta.db_table} SET recorded_at = %s WHERE id = %s",
            [
                (connection.ops.adapt_datetimefield_value(_recorded_at(log, world)), log.id)
                for _h, log in logs
            ],
        )


def _tagged(herd: Herd, delivery: Delivery):
    by_tag = {b.tag_id: b for b in herd.beasts}
    for tag_id, _code, _rfid in delivery.tags:
        yield by_tag[tag_id]


def _animal_row(herd: Herd, b: Beast) -> tuple:
    farm = herd.farm
    status = S.ON_FARM if b.died_on is None else (S.DISPOSED if b.disposed else S.DEAD)
    return (
        b.id,
        farm.pk,
        farm.enterprise_id,
        b.tag_id,
        b.national_code,
        b.rfid,
        farm.species,
        b.sex,
        b.breed,
        b.birth,
        b.entry,
        b.pen,
        b.origin,
        b.origin_note,
        status,
        b.withdrawal_until,
        b.died_on,
        "",
        b.registered_at,
        herd.actor.pk,
    )


def _deliveries(herds: list[Herd], world: World) -> None:
    """The tag deliveries, each with the supplier's list as the file it came in."""
    rows = []
    for herd in herds:
        for d in herd.deliveries:
            codes = list(d.tags)
            if d is herd.deliveries[-1]:
                codes += herd.spare
            text = io.StringIO()
            text.write("国家标识码,电子标识号\n")
            for _id, code, rfid in codes:
                text.write(f"{code},{rfid}\n")
            path = default_storage.save(
                f"tag_issues/{d.day:%Y/%m}/{d.reference}.csv", ContentFile(text.getvalue().encode())
            )
            rows.append(
                (
                    d.id,
                    herd.farm.enterprise_id,
                    herd.farm.pk,
                    d.supplier,
                    d.reference,
                    path,
                    len(codes),
                    herd.actor.pk,
                    d,
                )
            )
    TagIssue.objects.bulk_create(
        [
            TagIssue(
                id=pk,
                enterprise_id=enterprise,
                farm_id=farm,
                supplier=supplier,
                reference=ref,
                source_file=path,
                tag_count=count,
                issued_by_id=actor,
            )
            for pk, enterprise, farm, supplier, ref, path, count, actor, _d in rows
        ],
        batch_size=500,
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {TagIssue._meta.db_table} SET issued_at = %s WHERE id = %s",
            [(connection.ops.adapt_datetimefield_value(world.at(d.day, 15)), pk) for pk, *_rest, d in rows],
        )


def _sequences_reset() -> None:
    """Rows were written with their keys: move PostgreSQL's sequences past them (as loaddata does)."""
    sql = connection.ops.sequence_reset_sql(no_style(), [EarTag, Animal, ProductionLog, TagIssue])
    if sql:
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)


def _alerts(farms: list[Farm], world: World) -> int:
    """Attempts to record banned substances on farms of the Huizhou branch, raised in the alerts
    centre: the first closed with the inspector's note, the second acknowledged, the third new."""
    rng = world.rng
    huizhou = [f for f in farms if f.branch.code == "ciq-huizhou"]
    inspector = (
        User.objects.filter(role=Role.INSPECTOR, organisation__code="ciq-huizhou").order_by("pk").first()
    )
    if not huizhou or inspector is None:
        return 0
    substances = {}
    for s in BannedSubstance.objects.all():
        for name in s.names():
            substances[name] = s
    made = 0
    for n, (enterprise, typed_substance, kind, field_name, typed, note) in enumerate(ALERTS):
        candidates = [f for f in huizhou if enterprise is None or f.enterprise.code == enterprise] or huizhou
        farm = candidates[0] if enterprise else rng.choice(candidates)
        substance = substances.get(typed_substance) or substances.get(typed_substance.removeprefix("盐酸"))
        if substance is None:
            continue
        attempted = world.at(world.today - dt.timedelta(days=[40, 9, 2][n % 3]), 10, 20)
        actor = world.clerks.get(farm.enterprise_id) or User.objects.get(pk=farm.created_by_id)
        attempt = substance_attempt_record(
            actor=actor,
            farm=farm,
            kind=kind,
            substance=substance,
            entered=f"{field_name}: {typed}",
            count=rng.randint(20, 120),
        )
        alert = attempt.alert
        SubstanceAlert.objects.filter(pk=attempt.pk).update(attempted_at=attempted)
        SubstanceAlert.history.filter(id=attempt.pk).update(history_date=attempted)
        # The past is not e-mailed to anyone.
        Alert.objects.filter(pk=alert.pk).update(
            raised_at=attempted, last_raised_at=attempted, notified_at=attempted
        )
        Alert.history.filter(id=alert.pk).update(history_date=attempted)
        answered = attempted + dt.timedelta(days=2, hours=3)
        if note:
            alert_close(actor=inspector, alert=alert, note=note)
            Alert.objects.filter(pk=alert.pk).update(acknowledged_at=answered, closed_at=answered)
        elif n == 1:
            alert_acknowledge(actor=inspector, alert=alert, note="已电话联系企业，安排明日现场核查")
            Alert.objects.filter(pk=alert.pk).update(acknowledged_at=answered)
        else:
            made += 1
            continue
        Alert.history.filter(id=alert.pk, history_type="~").update(history_date=answered)
        AlertNote.objects.filter(alert=alert).update(at=answered)
        made += 1
    return made
