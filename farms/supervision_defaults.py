"""The bureau's starting tables for supervision: a checklist per species and the credit grades.

Both functions are idempotent and never overwrite what the bureau has changed on the admin
site: a template is created with its items only when none of that name exists for the
species, and a grade policy only when that grade has no row. The demo seed and a data
migration call them.
"""

from .models import ChecklistItem, ChecklistTemplate, CreditGradePolicy, Species
from .services.credit import DEFAULT_POLICIES

# Questions every species shares (the core of the bureau's routine inspection form).
COMMON = [
    (
        "消毒池是否有效（消毒液按时更换、浓度达标）",
        "Is the disinfection pool effective (solution changed on time, at strength)?",
    ),
    (
        "免疫档案是否完整（按免疫程序接种并记录）",
        "Are the immunisation records complete (vaccinated on schedule and recorded)?",
    ),
    (
        "是否使用违禁药物（β-受体激动剂等）",
        "Are banned substances (β-agonists and the like) absent from feed, water and stores?",
    ),
    ("用药记录及休药期是否符合规定", "Are medication records and withdrawal periods in order?"),
    ("隔离舍是否符合要求", "Does the isolation house meet the requirements?"),
    ("病死畜无害化处理记录是否完整", "Are the records of harmless disposal of dead animals complete?"),
    ("饲料来源及添加剂记录是否可追溯", "Can the feed sources and additives be traced in the records?"),
]
SPECIFIC = {
    Species.PIG: [
        ("是否坚持自繁自养，无外购仔猪", "Does the farm breed its own stock, with no piglets bought in?"),
        ("猪只耳标佩戴及登记是否完整", "Does every pig wear its ear tag, and is each tag registered?"),
    ],
    Species.CATTLE: [
        (
            "牛只耳标佩戴及个体档案是否完整",
            "Does every head of cattle wear its ear tag, with a complete record?",
        ),
        (
            "牛舍通风、饮水及卫生条件是否良好",
            "Are ventilation, drinking water and hygiene in the cattle sheds good?",
        ),
    ],
    Species.GOAT: [
        ("羊只耳标佩戴及个体档案是否完整", "Does every goat wear its ear tag, with a complete record?"),
        (
            "羊舍防疫隔离及外来人员管理是否到位",
            "Are biosecurity and the control of visitors in the goat houses adequate?",
        ),
    ],
}
NAMES = {
    Species.PIG: ("供港生猪饲养场日常监管检查表", "Routine supervision checklist: pig farms"),
    Species.CATTLE: ("供港活牛饲养场日常监管检查表", "Routine supervision checklist: cattle farms"),
    Species.GOAT: ("供港活羊饲养场日常监管检查表", "Routine supervision checklist: goat farms"),
}


def checklist_templates_ensure() -> int:
    """Create the default checklist of each species that lacks it; return how many were created."""
    created = 0
    for species, (name_zh, name_en) in NAMES.items():
        template, made = ChecklistTemplate.objects.get_or_create(
            species=species, name_zh=name_zh, defaults={"name_en": name_en}
        )
        if made or not template.items.exists():
            questions = COMMON[:4] + SPECIFIC[species] + COMMON[4:]
            ChecklistItem.objects.bulk_create(
                ChecklistItem(template=template, order=(n + 1) * 10, text_zh=zh, text_en=en)
                for n, (zh, en) in enumerate(questions)
            )
            created += made
    return created


def grade_policies_ensure() -> int:
    """Create each credit grade that has no row (A ≥ 90: 5 %, B ≥ 75: 10 %, C ≥ 60: 30 %, D: 100 %)."""
    created = 0
    for grade, min_score, percent, description in DEFAULT_POLICIES:
        _, made = CreditGradePolicy.objects.get_or_create(
            grade=grade,
            defaults={"min_score": min_score, "sampling_percent": percent, "description": description},
        )
        created += made
    return created
