"""Demo data of origin quarantine: for now its reference tables (export rules, checklist, analytes).

Demo consignments in every state (issue 12, part 8) are still to come.
"""

from . import reference


def seed() -> None:
    reference.ensure()
