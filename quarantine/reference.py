"""Reference tables origin quarantine needs: export rules, the examination checklist, analytes.

Only what is missing is added, so the bureau's own changes on the admin site are never undone.
"""

from decimal import Decimal

from farms.models import Species

from .models import Analyte, ExamChecklistItem, ExportRule

# species: (pre-export isolation days, certificate valid days, fewest samples)
RULES = {Species.PIG: (15, 3, 1), Species.CATTLE: (30, 7, 1), Species.GOAT: (15, 7, 1)}

CHECKLIST = {
    Species.PIG: [
        ("精神状态、食欲正常", "Alert, eating normally"),
        ("体温正常（38–40 °C）", "Body temperature normal (38–40 °C)"),
        ("皮肤无出血点、无水疱", "No haemorrhages or vesicles on the skin"),
        ("口、鼻、蹄部无水疱或溃烂", "No vesicles or erosions on mouth, snout or feet"),
        ("呼吸平稳，无咳嗽", "Breathing normal, no coughing"),
        ("无腹泻", "No diarrhoea"),
        ("耳标齐全、与申报一致", "Every ear tag present and as declared"),
    ],
    Species.CATTLE: [
        ("精神状态、反刍正常", "Alert, ruminating normally"),
        ("体温正常（37.5–39.5 °C）", "Body temperature normal (37.5–39.5 °C)"),
        ("口腔、蹄部无水疱", "No vesicles in the mouth or on the feet"),
        ("皮肤无结节", "No skin nodules"),
        ("耳标齐全、与申报一致", "Every ear tag present and as declared"),
    ],
    Species.GOAT: [
        ("精神状态正常", "Alert"),
        ("体温正常（38.5–40 °C）", "Body temperature normal (38.5–40 °C)"),
        ("口唇无痘疹、无水疱", "No pox lesions or vesicles on the lips"),
        ("耳标齐全、与申报一致", "Every ear tag present and as declared"),
    ],
}

# code: (zh, en, kind, species or "", unit, limit or None for positive/negative)
ANALYTES = [
    ("clenbuterol", "克仑特罗", "Clenbuterol", "residue", "", "µg/kg", Decimal("0.5")),
    ("ractopamine", "莱克多巴胺", "Ractopamine", "residue", "", "µg/kg", Decimal("0.5")),
    ("salbutamol", "沙丁胺醇", "Salbutamol", "residue", "", "µg/kg", Decimal("0.5")),
    ("asf", "非洲猪瘟", "African swine fever", "disease", Species.PIG, "", None),
    ("fmd", "口蹄疫", "Foot-and-mouth disease", "disease", "", "", None),
]


def ensure() -> None:
    """Add the rules, checklist items and analytes that are missing."""
    for species, (isolation, valid, samples) in RULES.items():
        ExportRule.objects.get_or_create(
            species=species,
            defaults={"isolation_days": isolation, "certificate_valid_days": valid, "min_samples": samples},
        )
    for species, items in CHECKLIST.items():
        if ExamChecklistItem.objects.filter(species=species).exists():
            continue
        for order, (zh, en) in enumerate(items, start=1):
            ExamChecklistItem.objects.create(species=species, order=order, text_zh=zh, text_en=en)
    for code, zh, en, kind, species, unit, limit in ANALYTES:
        Analyte.objects.get_or_create(
            code=code,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "kind": kind,
                "species": species,
                "unit": unit,
                "limit": limit,
            },
        )
