"""Turn the demo plan into rows: farms, their history, surroundings, inspections and numbers."""

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.demo import SEED_REASON
from accounts.models import User

from ..models import CreditEvent, Farm, FarmStatusChange, FarmSurrounding, RegistrationCounter, SiteInspection
from . import places, sites
from .registry import AREA_PER_HEAD, CAPACITY, SPECIES_WORD, Ent
from .stories import Story, Writer
from .text import DISEASE_HISTORY, IMMUNISATION

S = Farm.Status
REGISTRATION_LETTER = {"1": "P", "2": "C", "3": "G"}


@dataclass
class Planned:
    farm: Farm
    story: Story
    surroundings: list


def _species(ent: Ent, rng: random.Random) -> str:
    return ent.species[0] if len(ent.species) == 1 or rng.random() < 0.7 else rng.choice(ent.species[1:])


def _county(ent: Ent, species: str, mine: list, rng: random.Random) -> tuple:
    """Return a county for a new farm: mostly the enterprise's own, nearly always in its own city."""
    home = [c for c in mine if c[0] in ent.home.split("|")]
    if home and rng.random() < (0.4 if species == "1" else 0.8):
        return home[0]
    city = [c for c in mine if c[0][:4] == ent.home[:4]]
    if city and (rng.random() < 0.85 or ent.org.code in places.HOME_CITY_ONLY):
        return rng.choice(city)
    return rng.choice(mine)


def plan(
    pairs: list[tuple[Ent, str]],
    counties: dict,
    inspectors: dict[str, User],
    rng: random.Random,
    today: dt.date,
) -> list[Planned]:
    """Return an unsaved farm, its story and its surroundings for each (enterprise, status)."""
    taken, numbers = [], defaultdict(int)
    out = []
    for ent, status in pairs:
        branch = ent.org.branch
        inspector = inspectors[branch.code]
        species = _species(ent, rng)
        code, county, name_en, towns = _county(ent, species, counties[branch.code], rng)
        town, village = rng.choice(towns), rng.choice(places.VILLAGES)
        numbers[ent.org.pk] += 1
        n = numbers[ent.org.pk]
        word_zh, word_en = SPECIES_WORD[species]
        low, high, step = CAPACITY[species]
        capacity = rng.randrange(low, high + 1, step)
        lat, lng = sites.locate(code, county, rng, taken)
        story = Writer(rng, today, clerk=ent.clerk or inspector, inspector=inspector).write(status)
        created_by = story.events[0][3]
        vet = rng.choice(places.SURNAMES) + rng.choice(places.GIVEN)
        farm = Farm(
            enterprise=ent.org,
            branch=branch,
            species=species,
            capacity=capacity,
            county_code=code,
            name_zh=f"{county.name}{town}{ent.brand_zh}第{places.cn_number(n)}{word_zh}",
            name_en=f"{ent.brand_en} {word_en} Farm No. {n}, {name_en}",
            address=f"{county.province_name}{county.city_name}{county.name}{town}{village}村",
            latitude=lat,
            longitude=lng,
            area_m2=int(capacity * rng.uniform(*AREA_PER_HEAD[species]) / 100) * 100,
            layout=sites.layout(lat, lng, species, capacity, rng),
            disease_history=rng.choice(DISEASE_HISTORY),
            vet_name=vet,
            vet_licence=f"{places.PROVINCE_ABBR[code[:2]]}-VET-{rng.randint(2012, 2024)}-"
            f"{rng.randint(1, 9999):04d}",
            vet_phone=f"13{rng.randint(5, 9)}{rng.randint(0, 99_999_999):08d}",
            immunisation_programme=rng.choice(IMMUNISATION[species]),
            status=story.status,
            registered_on=story.registered_on,
            valid_until=story.valid_until,
            last_consignment_on=story.last_consignment_on,
            submitted_at=story.submitted_at,
            inspector=inspector if story.assigned else None,
            created_by=created_by,
        )
        out.append(Planned(farm, story, sites.surroundings(town, village, county.name, rng)))
    _number(out)
    return out


def _number(planned: list[Planned]) -> None:
    """Give each farm that was ever registered its number, as farm_approve would have, in date order."""
    ever = sorted((p for p in planned if p.story.registered_on), key=lambda p: p.story.registered_on)
    prefixes = {
        f"GK{p.farm.county_code[:2]}{REGISTRATION_LETTER[p.farm.species]}-{p.story.registered_on.year}"
        for p in ever
    }
    last = dict(RegistrationCounter.objects.filter(prefix__in=prefixes).values_list("prefix", "last"))
    for p in ever:
        prefix = (
            f"GK{p.farm.county_code[:2]}{REGISTRATION_LETTER[p.farm.species]}-{p.story.registered_on.year}"
        )
        last[prefix] = last.get(prefix, 0) + 1
        p.farm.registration_number = f"{prefix}-{last[prefix]:04d}"
    existing = {c.prefix: c for c in RegistrationCounter.objects.filter(prefix__in=last)}
    for prefix, value in last.items():
        counter = existing.get(prefix) or RegistrationCounter(prefix=prefix)
        counter.last = value
        counter.save()


def restamp(model, names: list[str], rows: list[tuple], *, key: str | None = None) -> None:
    """Set ``names`` of many rows at once; each row is (key value, *values). Bypasses auto_now(_add)."""
    fields = [model._meta.get_field(name) for name in names]
    qn = connection.ops.quote_name
    sets = ", ".join(f"{qn(f.column)} = %s" for f in fields)
    column = model._meta.get_field(key).column if key else model._meta.pk.column
    sql = f"UPDATE {qn(model._meta.db_table)} SET {sets} WHERE {qn(column)} = %s"
    params = [
        [f.get_db_prep_value(v, connection) for f, v in zip(fields, values, strict=True)] + [pk]
        for pk, *values in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def insert(planned: list[Planned]) -> list[Farm]:
    """Write the planned farms and everything that hangs off them; return the saved farms."""
    farms = bulk_create_with_history(
        [p.farm for p in planned], Farm, batch_size=200, default_change_reason=SEED_REASON
    )
    for p, farm in zip(planned, farms, strict=True):
        p.farm = farm
    # The audit columns say when things happened, not when the seed ran.
    restamp(
        Farm,
        ["created_at", "updated_at"],
        [(p.farm.pk, p.story.events[0][5], p.story.events[-1][5]) for p in planned],
    )
    restamp(
        Farm.history.model, ["history_date"], [(p.farm.pk, p.story.events[-1][5]) for p in planned], key="id"
    )
    changes = [
        FarmStatusChange(
            farm=p.farm, action=action, from_status=src, to_status=dst, actor=actor, reason=reason
        )
        for p in planned
        for action, src, dst, actor, reason, _at in p.story.events
    ]
    changes = FarmStatusChange.objects.bulk_create(changes, batch_size=500)
    moments = [at for p in planned for *_rest, at in p.story.events]
    restamp(FarmStatusChange, ["at"], [(c.pk, at) for c, at in zip(changes, moments, strict=True)])

    FarmSurrounding.objects.bulk_create(
        [FarmSurrounding(farm=p.farm, **s) for p in planned for s in p.surroundings], batch_size=500
    )
    inspections = [
        SiteInspection(
            farm=p.farm,
            inspector=p.farm.inspector or p.story.events[-1][3],
            inspected_on=day,
            conclusion=conclusion,
            notes=notes,
        )
        for p in planned
        for day, conclusion, notes in p.story.inspections
    ]
    bulk_create_with_history(inspections, SiteInspection, batch_size=500, default_change_reason=SEED_REASON)
    CreditEvent.objects.bulk_create(
        [
            CreditEvent(
                enterprise=p.farm.enterprise,
                farm=p.farm,
                kind=CreditEvent.Kind.REVOCATION,
                points=-40,
                reason=reason[:300],
                source=f"farm:{p.farm.pk}:revoked",
                occurred_on=timezone.localtime(at).date(),
            )
            for p in planned
            for action, _src, _dst, _actor, reason, at in p.story.events
            if action == "revoke"
        ]
    )
    return farms
