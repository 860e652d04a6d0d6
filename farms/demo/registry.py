"""The demo registry: enterprises, their farms in every status, and each farm's history.

Rows are written in bulk (300 farms through the services would take minutes); the values
follow the same rules the services enforce, and the audited models get their history rows.
"""

import random
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password

from accounts.credit_code import ALPHABET, check_character
from accounts.demo import DEMO_PASSWORD, SEED_REASON
from accounts.models import Organisation, Role, User
from accounts.services import organisation_save, user_create

from .. import regions
from ..models import Farm
from . import places, sites

S = Farm.Status
R, SUSP, UR, SUB, RET, DRAFT, WD, REJ = (
    S.REGISTERED,
    S.SUSPENDED,
    S.UNDER_REVIEW,
    S.SUBMITTED,
    S.RETURNED,
    S.DRAFT,
    S.WITHDRAWN,
    S.REJECTED,
)
# The enterprises with accounts keep farms in every state, so that their portals look alive.
USER_FARMS = {
    "ent-huafeng": [R, R, R, SUSP, UR, SUB, RET, DRAFT, WD],
    "ent-xiangrun": [R, R, R, S.LAPSED, UR, SUB, RET, DRAFT, REJ, WD],
    "ent-ganlv": [R, R, RET, DRAFT, SUB],
    "ent-guinan": [R, R, R, RET, RET, DRAFT],
    "ent-zhongyuan": [R, R, RET, DRAFT, WD],
    "ent-wuyi": [R, R, RET, RET, DRAFT, DRAFT, WD],
}
TOTALS = {
    R: 222,
    SUSP: 8,
    S.REVOKED: 6,
    S.LAPSED: 8,
    S.EXPIRED: 6,
    UR: 14,
    SUB: 12,
    RET: 8,
    DRAFT: 7,
    REJ: 5,
    WD: 4,
}
SPECIES_WORD = {"1": ("养殖场", "Pig"), "2": ("肉牛场", "Cattle"), "3": ("羊场", "Goat")}
CAPACITY = {"1": (2000, 20000, 500), "2": (200, 2000, 50), "3": (300, 3000, 100)}
AREA_PER_HEAD = {"1": (1.8, 3.0), "2": (15, 25), "3": (2.5, 4.0)}


@dataclass
class Ent:
    org: Organisation
    brand_zh: str
    brand_en: str
    species: str
    home: str
    clerk: User | None  # None: it has no accounts, its papers were filed at the branch


def county_of(spec: str):
    """Return (code, county) for the first code of "new|old" that the county table knows."""
    for code in spec.split("|"):
        county = regions.county(code)
        if county is not None and (county.latitude is not None or code in sites.SEATS):
            return code, county
    return None, None


def branch_counties() -> dict[str, list]:
    out = {}
    for branch, rows in places.COUNTIES.items():
        known = [(county_of(spec), name_en, towns) for spec, name_en, towns in rows]
        out[branch] = [(code, county, name_en, towns) for (code, county), name_en, towns in known if code]
    return out


def inspectors_ensure(branches: dict[str, Organisation]) -> dict[str, User]:
    """Return an inspector for every branch, creating one where accounts.demo made none."""
    found = {}
    for user in User.objects.filter(role=Role.INSPECTOR, organisation__code__in=branches).order_by("pk"):
        found.setdefault(user.organisation.code, user)
    made = []
    for branch, (username, full_name) in places.INSPECTORS.items():
        if branch not in found and not User.objects.filter(username=username).exists():
            found[branch] = user_create(
                actor=None,
                organisation=branches[branch],
                username=username,
                full_name=full_name,
                role=Role.INSPECTOR,
                password=None,
                email=f"{username}@example.cn",
                reason=SEED_REASON,
            )
            made.append(found[branch].pk)
    if made and settings.DEMO_PASSWORDS:  # one hash for all: hashing is slow by design
        User.objects.filter(pk__in=made).update(password=make_password(DEMO_PASSWORD))
    return found


def enterprises_ensure(rng: random.Random, branches: dict[str, Organisation]) -> list[Ent]:
    """Create the demo enterprises that are missing; return all demo enterprises with a clerk each."""
    orgs = {
        o.code: o
        for o in Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE).select_related("branch")
    }
    clerks = {}
    for user in User.objects.filter(role__in=[Role.ENTERPRISE_STAFF, Role.ENTERPRISE_ADMIN]).order_by(
        "-role", "pk"
    ):
        clerks.setdefault(user.organisation_id, user)  # staff before admin
    out = []
    for code, (brand_zh, brand_en, species, home) in places.EXISTING.items():
        if code in orgs:
            out.append(Ent(orgs[code], brand_zh, brand_en, species, home, clerks.get(orgs[code].pk)))
    for e in places.NEW_ENTERPRISES:
        base = f"91{e.county}MA" + "".join(rng.choice(ALPHABET) for _ in range(7))  # drawn always: stable
        suffix_zh, suffix_en = (
            places.SUFFIX[e.species[0]] if rng.random() < 0.7 else rng.choice(places.ALT_SUFFIX)
        )
        phone = f"139{rng.randint(0, 99_999_999):08d}"
        org = orgs.get(f"ent-{e.slug}")
        if org is None:
            _code, county = county_of(e.county)
            lat, lng = sites.locate(e.county, county, rng, [])
            city_en = places.CITY_EN.get(e.county[:4], "")
            org = Organisation(
                code=f"ent-{e.slug}",
                kind=Organisation.Kind.ENTERPRISE,
                branch=branches[e.branch],
                name_zh=f"{county.city_name}{e.brand_zh}{suffix_zh}有限公司",
                name_en=f"{city_en} {e.brand_en} {suffix_en} Co., Ltd.".strip(),
                credit_code=base + check_character(base),
                province=county.province_name,
                address=f"{county.city_name}{county.name}{_town(e.county, rng)}{rng.choice(places.VILLAGES)}"
                "村",
                latitude=lat,
                longitude=lng,
                contact_name=e.contact,
                contact_phone=phone,
                contact_email=f"{e.slug}@example.cn",
            )
            organisation_save(actor=None, organisation=org, reason=SEED_REASON)
        out.append(Ent(org, e.brand_zh, e.brand_en, e.species, e.county, None))
    return out


def _town(code: str, rng: random.Random) -> str:
    towns = [t for rows in places.COUNTIES.values() for spec, _en, t in rows if code in spec.split("|")]
    return rng.choice(towns[0]) if towns else ""


def _shares(total: int, n: int, rng: random.Random) -> list[int]:
    weights = [rng.uniform(0.6, 2.0) for _ in range(n)]
    raw = [2 + (total - 2 * n) * w / sum(weights) for w in weights]
    counts = [int(x) for x in raw]
    for i in sorted(range(n), key=lambda i: raw[i] - counts[i], reverse=True)[: total - sum(counts)]:
        counts[i] += 1
    return counts


def statuses_plan(ents: list[Ent], rng: random.Random) -> list[tuple[Ent, str]]:
    """Return (enterprise, status) for every demo farm: FARMS_PER_BRANCH in all, TOTALS per status."""
    rest = Counter(TOTALS)
    for fixed in USER_FARMS.values():
        rest.subtract(fixed)
    pool = [status for status, n in sorted(rest.items()) for _ in range(n)]
    rng.shuffle(pool)
    out = []
    for branch, total in places.FARMS_PER_BRANCH.items():
        mine = [e for e in ents if e.org.branch.code == branch]
        with_users = [e for e in mine if e.org.code in USER_FARMS]
        others = [e for e in mine if e.org.code not in USER_FARMS]
        for e in with_users:
            out += [(e, status) for status in USER_FARMS[e.org.code]]
        left = total - sum(len(USER_FARMS[e.org.code]) for e in with_users)
        for e, n in zip(others, _shares(left, len(others), rng), strict=True):
            out += [(e, pool.pop() if pool else R) for _ in range(n)]
    return out
