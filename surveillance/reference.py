"""Reference tables every installation needs: the notifiable diseases and their default zones.

Only what is missing is added (``manage.py seed_places``), so the managers' own changes are
never undone. Radii and periods follow the Ministry of Agriculture and Rural Affairs' plans
(非洲猪瘟疫情应急实施方案 and the like): an infected zone (疫区) of 3 km around the outbreak and a
surveillance zone (受威胁区) beyond it; the bureau adjusts them to its own practice.
"""

from decimal import Decimal

from farms.models import Species

from .models import Disease

PIG, CATTLE, GOAT = Species.PIG.value, Species.CATTLE.value, Species.GOAT.value

# (code, Chinese, English, species, infected km, surveillance km, restriction days)
DISEASES = [
    ("asf", "非洲猪瘟", "African swine fever", PIG, 3, 10, 42),
    ("fmd", "口蹄疫", "Foot-and-mouth disease", PIG + CATTLE + GOAT, 3, 10, 21),
    ("csf", "猪瘟", "Classical swine fever", PIG, 3, 10, 21),
    ("hp-prrs", "高致病性猪蓝耳病", "Highly pathogenic PRRS", PIG, 3, 5, 21),
    ("ped", "猪流行性腹泻", "Porcine epidemic diarrhoea", PIG, 1, 3, 14),
    ("avian-influenza", "高致病性禽流感", "Avian influenza (highly pathogenic)", PIG, 3, 5, 21),
    ("ppr", "小反刍兽疫", "Peste des petits ruminants", GOAT, 3, 10, 21),
    ("lsd", "牛结节性皮肤病", "Lumpy skin disease", CATTLE, 3, 10, 28),
    ("anthrax", "炭疽", "Anthrax", PIG + CATTLE + GOAT, 1, 3, 20),
]


def diseases_ensure() -> int:
    """Create the default diseases that are missing; return how many were created."""
    have = set(Disease.objects.values_list("code", flat=True))
    made = 0
    for code, zh, en, species, infected, surveillance, days in DISEASES:
        if code in have:
            continue
        Disease(
            code=code,
            name_zh=zh,
            name_en=en,
            species=species,
            infected_radius_km=Decimal(infected),
            surveillance_radius_km=Decimal(surveillance),
            restriction_days=days,
        ).save()  # one by one, so that each gets its history row
        made += 1
    return made


def ensure() -> None:
    diseases_ensure()
