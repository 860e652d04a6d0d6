"""Reference tables every installation needs: banned substances and the immunisation programme.

Only what is missing is added, so the bureau's own changes on the admin site are never undone.
"""

from farms.models import Species

from .models import BannedSubstance, VaccinationRequirement

# β-agonists and other substances banned in food animals (农业农村部公告第250号 and its
# predecessors), with the names and trade names clerks may type.
BANNED = [
    ("克仑特罗", "Clenbuterol", "盐酸克仑特罗\n克伦特罗\n瘦肉精\nclenbuterol hydrochloride"),
    ("莱克多巴胺", "Ractopamine", "盐酸莱克多巴胺\npaylean\nractopamine hydrochloride"),
    ("沙丁胺醇", "Salbutamol", "硫酸沙丁胺醇\nalbuterol"),
    ("西马特罗", "Cimaterol", ""),
    ("特布他林", "Terbutaline", "硫酸特布他林"),
    ("齐帕特罗", "Zilpaterol", "zilmax"),
    ("氯霉素", "Chloramphenicol", ""),
    ("己烯雌酚", "Diethylstilbestrol", "DES"),
    ("呋喃唑酮", "Furazolidone", ""),
    ("孔雀石绿", "Malachite green", ""),
]

# Required vaccinations per species: (disease zh, disease en, first dose at age in days,
# repeat every N days or None for once).
PROGRAMME = {
    Species.PIG: [
        ("猪瘟", "Classical swine fever", 25, 180),
        ("口蹄疫", "Foot-and-mouth disease", 40, 120),
        ("猪伪狂犬病", "Pseudorabies", 1, 120),
        ("猪繁殖与呼吸综合征", "PRRS", 14, 180),
    ],
    Species.CATTLE: [
        ("口蹄疫", "Foot-and-mouth disease", 90, 180),
        ("布鲁氏菌病", "Brucellosis", 90, None),
        ("牛结节性皮肤病", "Lumpy skin disease", 90, 365),
    ],
    Species.GOAT: [
        ("口蹄疫", "Foot-and-mouth disease", 30, 180),
        ("小反刍兽疫", "Peste des petits ruminants", 30, 1095),
        ("羊痘", "Sheep and goat pox", 30, 365),
    ],
}


def banned_substances_ensure() -> int:
    have = set(BannedSubstance.objects.values_list("name_zh", flat=True))
    created = 0
    for zh, en, aliases in BANNED:
        if zh not in have:
            BannedSubstance.objects.create(name_zh=zh, name_en=en, aliases=aliases)
            created += 1
    return created


def programme_ensure() -> int:
    have = set(VaccinationRequirement.objects.values_list("species", "disease_zh"))
    created = 0
    for species, items in PROGRAMME.items():
        for zh, en, first, repeat in items:
            if (species, zh) not in have:
                VaccinationRequirement.objects.create(
                    species=species, disease_zh=zh, disease_en=en, first_age_days=first, repeat_days=repeat
                )
                created += 1
    return created


def ensure() -> None:
    banned_substances_ensure()
    programme_ensure()
