"""The real places of the chain, and demo enterprises and people for every role.

``seed_places`` is reference data a production system needs too (the bureau's branches,
ports, the Qingshuihe warehouse, the laboratory, with their true coordinates);
``seed`` adds demo enterprises and one account per role. Both are idempotent: they key
every row on its code or user name and update it in place.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_noop

from .credit_code import check_character
from .models import Organisation, Role, User
from .services import organisation_save, user_create

K = Organisation.Kind
DEMO_PASSWORD = "Demo-pass-2026"
SEED_REASON = gettext_noop("Seeded reference data")  # translated where it is shown


@dataclass(frozen=True)
class Place:
    code: str
    kind: str
    name_zh: str
    name_en: str
    province: str
    address: str
    lat: float
    lng: float
    phone: str = ""


HEAD_OFFICE = Place(
    "ciq-shenzhen",
    K.HEAD_OFFICE,
    "深圳出入境检验检疫局",
    "Shenzhen Entry-Exit Inspection and Quarantine Bureau",
    "广东省",
    "深圳市福田区福强路1011号",
    22.5268,
    114.0553,
    "0755-83773000",
)

PLACES = [
    HEAD_OFFICE,
    # The ports of the deck: Wenjindu is the livestock exit port.
    Place(
        "port-wenjindu",
        K.PORT,
        "文锦渡口岸",
        "Wenjindu Port (Man Kam To)",
        "广东省",
        "深圳市罗湖区文锦南路文锦渡口岸",
        22.5395,
        114.1283,
        "0755-82231600",
    ),
    Place(
        "port-shekou",
        K.PORT,
        "蛇口口岸",
        "Shekou Port",
        "广东省",
        "深圳市南山区蛇口港湾大道",
        22.4817,
        113.9135,
    ),
    Place(
        "port-huanggang",
        K.PORT,
        "皇岗口岸",
        "Huanggang Port",
        "广东省",
        "深圳市福田区福田南路皇岗口岸",
        22.5186,
        114.0690,
    ),
    Place(
        "port-shenzhen-bay",
        K.PORT,
        "深圳湾口岸",
        "Shenzhen Bay Port",
        "广东省",
        "深圳市南山区东滨路深圳湾口岸",
        22.5045,
        113.9457,
    ),
    Place(
        "port-yantian", K.PORT, "盐田口岸", "Yantian Port", "广东省", "深圳市盐田区盐田港", 22.5810, 114.2720
    ),
    Place(
        "port-airport",
        K.PORT,
        "深圳宝安国际机场口岸",
        "Shenzhen Bao'an International Airport",
        "广东省",
        "深圳市宝安区宝安国际机场",
        22.6393,
        113.8107,
    ),
    Place(
        "wh-qingshuihe",
        K.WAREHOUSE,
        "清水河供港活畜中转仓",
        "Qingshuihe Transit Warehouse",
        "广东省",
        "深圳市罗湖区清水河一路",
        22.5838,
        114.1137,
        "0755-25520000",
    ),
    Place(
        "lab-shenzhen",
        K.LABORATORY,
        "深圳出入境检验检疫局动植物检验检疫技术中心",
        "Shenzhen CIQ Animal and Plant Inspection and Quarantine Technical Centre",
        "广东省",
        "深圳市福田区福强路1011号技术中心大楼",
        22.5272,
        114.0561,
    ),
    # Branches across Guangdong and the supplying provinces.
    Place(
        "ciq-huizhou",
        K.CIQ_BRANCH,
        "惠州出入境检验检疫局",
        "Huizhou CIQ",
        "广东省",
        "惠州市惠城区江北文明一路",
        23.1115,
        114.4160,
        "0752-2800000",
    ),
    Place(
        "ciq-dongguan",
        K.CIQ_BRANCH,
        "东莞出入境检验检疫局",
        "Dongguan CIQ",
        "广东省",
        "东莞市南城区莞太大道",
        23.0207,
        113.7518,
    ),
    Place(
        "ciq-jiangmen",
        K.CIQ_BRANCH,
        "江门出入境检验检疫局",
        "Jiangmen CIQ",
        "广东省",
        "江门市蓬江区建设路",
        22.5787,
        113.0819,
    ),
    Place(
        "ciq-zhanjiang",
        K.CIQ_BRANCH,
        "湛江出入境检验检疫局",
        "Zhanjiang CIQ",
        "广东省",
        "湛江市霞山区人民大道",
        21.2707,
        110.3594,
    ),
    Place(
        "ciq-shaoguan",
        K.CIQ_BRANCH,
        "韶关出入境检验检疫局",
        "Shaoguan CIQ",
        "广东省",
        "韶关市浈江区",
        24.8104,
        113.5972,
    ),
    Place(
        "ciq-zhaoqing",
        K.CIQ_BRANCH,
        "肇庆出入境检验检疫局",
        "Zhaoqing CIQ",
        "广东省",
        "肇庆市端州区",
        23.0472,
        112.4651,
    ),
    Place(
        "ciq-hunan",
        K.CIQ_BRANCH,
        "湖南出入境检验检疫局",
        "Hunan CIQ",
        "湖南省",
        "长沙市天心区",
        28.1124,
        112.9834,
        "0731-85000000",
    ),
    Place(
        "ciq-jiangxi",
        K.CIQ_BRANCH,
        "江西出入境检验检疫局",
        "Jiangxi CIQ",
        "江西省",
        "南昌市红谷滩区",
        28.6829,
        115.8582,
    ),
    Place(
        "ciq-guangxi",
        K.CIQ_BRANCH,
        "广西出入境检验检疫局",
        "Guangxi CIQ",
        "广西壮族自治区",
        "南宁市青秀区",
        22.8170,
        108.3665,
    ),
    Place(
        "ciq-hubei",
        K.CIQ_BRANCH,
        "湖北出入境检验检疫局",
        "Hubei CIQ",
        "湖北省",
        "武汉市江汉区",
        30.5928,
        114.3055,
    ),
    Place(
        "ciq-henan",
        K.CIQ_BRANCH,
        "河南出入境检验检疫局",
        "Henan CIQ",
        "河南省",
        "郑州市金水区",
        34.7466,
        113.6254,
    ),
]


@dataclass(frozen=True)
class DemoEnterprise:
    code: str
    branch: str
    name_zh: str
    name_en: str
    province: str
    address: str
    lat: float
    lng: float
    credit_base: str  # the first 17 characters; the check character is computed
    contact: str
    phone: str


ENTERPRISES = [
    DemoEnterprise(
        "ent-huafeng",
        "ciq-huizhou",
        "惠州市华丰生猪养殖有限公司",
        "Huizhou Huafeng Pig Farming Co., Ltd.",
        "广东省",
        "惠州市博罗县石湾镇华丰养殖场",
        23.1520,
        113.9870,
        "91441322MA4UH8F2K",
        "陈国华",
        "13902210001",
    ),
    DemoEnterprise(
        "ent-xiangrun",
        "ciq-hunan",
        "湖南湘润供港活猪有限公司",
        "Hunan Xiangrun HK Pig Supply Co., Ltd.",
        "湖南省",
        "长沙市宁乡市双江口镇",
        28.2776,
        112.5530,
        "91430124MA4L2R7N3",
        "刘湘平",
        "13907310002",
    ),
    DemoEnterprise(
        "ent-ganlv",
        "ciq-jiangxi",
        "江西赣绿牧业有限公司",
        "Jiangxi Ganlü Animal Husbandry Co., Ltd.",
        "江西省",
        "南昌市南昌县向塘镇",
        28.4453,
        115.9710,
        "91360121MA35G9L4X",
        "黄建新",
        "13907910003",
    ),
    DemoEnterprise(
        "ent-guinan",
        "ciq-guangxi",
        "广西桂南畜牧发展有限公司",
        "Guangxi Guinan Livestock Development Co., Ltd.",
        "广西壮族自治区",
        "南宁市武鸣区城厢镇",
        23.1586,
        108.2745,
        "91450122MA5KC3P6W",
        "覃志强",
        "13907710004",
    ),
    DemoEnterprise(
        "ent-zhongyuan",
        "ciq-henan",
        "河南中原肉牛养殖有限公司",
        "Henan Zhongyuan Beef Cattle Co., Ltd.",
        "河南省",
        "郑州市中牟县官渡镇",
        34.7190,
        114.0220,
        "91410122MA46N5T8Y",
        "王建军",
        "13903710005",
    ),
    DemoEnterprise(
        "ent-wuyi",
        "ciq-jiangmen",
        "江门市五邑生猪有限公司",
        "Jiangmen Wuyi Live Pig Co., Ltd.",
        "广东省",
        "江门市台山市水步镇",
        22.2540,
        112.7940,
        "91440781MA51W2D9Q",
        "李永康",
        "13902750006",
    ),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    organisation: str
    role: str
    full_name: str
    phone: str


PEOPLE = [
    DemoUser("ent_a_admin", "ent-huafeng", Role.ENTERPRISE_ADMIN, "陈国华", "13902210001"),
    DemoUser("ent_a_staff", "ent-huafeng", Role.ENTERPRISE_STAFF, "林晓梅", "13902210011"),
    DemoUser("ent_b_admin", "ent-xiangrun", Role.ENTERPRISE_ADMIN, "刘湘平", "13907310002"),
    DemoUser("ent_b_staff", "ent-xiangrun", Role.ENTERPRISE_STAFF, "周玉兰", "13907310012"),
    DemoUser("ent_c_admin", "ent-ganlv", Role.ENTERPRISE_ADMIN, "黄建新", "13907910003"),
    DemoUser("ent_d_admin", "ent-guinan", Role.ENTERPRISE_ADMIN, "覃志强", "13907710004"),
    DemoUser("ent_e_admin", "ent-zhongyuan", Role.ENTERPRISE_ADMIN, "王建军", "13903710005"),
    DemoUser("ent_f_admin", "ent-wuyi", Role.ENTERPRISE_ADMIN, "李永康", "13902750006"),
    DemoUser("insp_huizhou", "ciq-huizhou", Role.INSPECTOR, "张志明", "13802210021"),
    DemoUser("insp_hunan", "ciq-hunan", Role.INSPECTOR, "罗文斌", "13807310022"),
    DemoUser("transit_qsh", "wh-qingshuihe", Role.TRANSIT_OFFICER, "吴海涛", "13802550023"),
    DemoUser("port_wjd", "port-wenjindu", Role.PORT_OFFICER, "郑立新", "13802550024"),
    DemoUser("lab_analyst", "lab-shenzhen", Role.LAB_ANALYST, "何静怡", "13802550025"),
    DemoUser("manager", "ciq-shenzhen", Role.MANAGER, "杨振东", "13802550026"),
    DemoUser("sysadmin", "ciq-shenzhen", Role.SYSTEM_ADMIN, "系统管理员", ""),
]

SYSTEM_ADMIN = PEOPLE[-1]


def _upsert_organisation(code: str, **fields) -> Organisation:
    org = Organisation.objects.filter(code=code).first() or Organisation(code=code)
    changed = org.pk is None or any(getattr(org, k) != v for k, v in fields.items())
    for key, value in fields.items():
        setattr(org, key, value)
    if changed:
        organisation_save(actor=None, organisation=org, reason=SEED_REASON)
    return org


@transaction.atomic
def seed_places() -> dict[str, Organisation]:
    """Create or update the bureau's real places and the system administrator's account."""
    orgs = {}
    for p in PLACES:
        orgs[p.code] = _upsert_organisation(
            p.code,
            kind=p.kind,
            name_zh=p.name_zh,
            name_en=p.name_en,
            province=p.province,
            address=p.address,
            latitude=_dec(p.lat),
            longitude=_dec(p.lng),
            contact_phone=p.phone,
        )
    _ensure_user(SYSTEM_ADMIN, orgs)
    return orgs


@transaction.atomic
def seed() -> None:
    """Create or update the places, the demo enterprises and an account for every role."""
    orgs = seed_places()
    for e in ENTERPRISES:
        orgs[e.code] = _upsert_organisation(
            e.code,
            kind=K.ENTERPRISE,
            branch=orgs[e.branch],
            name_zh=e.name_zh,
            name_en=e.name_en,
            province=e.province,
            address=e.address,
            latitude=_dec(e.lat),
            longitude=_dec(e.lng),
            credit_code=e.credit_base + check_character(e.credit_base),
            contact_name=e.contact,
            contact_phone=e.phone,
            contact_email=f"{e.code.removeprefix('ent-')}@example.cn",
        )
    for person in PEOPLE:
        _ensure_user(person, orgs)


def _ensure_user(person: DemoUser, orgs: dict[str, Organisation]) -> User:
    """Create the account if missing; an existing account (maybe changed by its owner) is kept."""
    user = User.objects.filter(username=person.username).first()
    if user is None:
        user = user_create(
            actor=None,
            organisation=orgs[person.organisation],
            username=person.username,
            full_name=person.full_name,
            role=person.role,
            phone=person.phone,
            email=f"{person.username}@example.cn",
            password=DEMO_PASSWORD if settings.DEMO_PASSWORDS else None,
            reason=SEED_REASON,
        )
    return user


def _dec(value: float):
    from decimal import Decimal

    return Decimal(f"{value:.6f}")
