"""Reference tables every installation needs, production included (``manage.py seed_places``).

The bureau may change them afterwards on the admin site; these functions only add what is
missing, so running them again never undoes the bureau's changes.
"""

from .models import SurroundingKind, SurroundingRule
from .supervision_defaults import checklist_templates_ensure, grade_policies_ensure

# Minimum distances (m) between a farm and its neighbours, after the Animal Epidemic Prevention
# Conditions Review Measures (动物防疫条件审查办法), with the wider margins the bureau asks of
# farms supplying Hong Kong.
K = SurroundingKind
MINIMUMS = {
    K.RESIDENTIAL: 500,
    K.ROAD: 500,
    K.OTHER_FARM: 1000,
    K.SLAUGHTERHOUSE: 3000,
    K.MARKET: 3000,
    K.WATER_SOURCE: 500,
    K.VET_CLINIC: 200,
}


def surrounding_rules_ensure() -> int:
    """Create the default minimum distances that are missing; return how many were created."""
    have = set(SurroundingRule.objects.values_list("kind", flat=True))
    missing = [
        SurroundingRule(kind=kind, min_distance_m=m) for kind, m in MINIMUMS.items() if kind not in have
    ]
    for rule in missing:
        rule.save()  # one by one, so that each gets its history row
    return len(missing)


def ensure() -> None:
    """Add whatever of the reference tables is missing."""
    surrounding_rules_ensure()
    checklist_templates_ensure()
    grade_policies_ensure()
