"""Demo data of the farms app: ~60 enterprises, 300 farms and a year of supervision.

``seed`` is run by ``manage.py seed_demo`` on every start of the embedded mode, after
accounts.demo has made the places and people. It is idempotent and cheap the second time:
once the demo farms exist only the reference tables are checked. Everything random comes
from random.Random(2026), so a fresh database always gets the same registry (dates are
relative to the day of seeding).
"""

import random

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User

from .. import reference
from ..models import Farm
from .places import NEW_ENTERPRISES

SEED = 2026


def _reference_tables() -> None:
    reference.ensure()


def seeded() -> bool:
    """Return whether the demo registry is already in place (one cheap query)."""
    return Farm.objects.filter(enterprise__code__in=[f"ent-{e.slug}" for e in NEW_ENTERPRISES]).exists()


@transaction.atomic
def seed() -> dict:
    """Create the demo registry if it is missing; return what was created (empty the second time)."""
    from ..desk_defaults import library_ensure, notices_ensure
    from .desk import questions_ensure
    from .registry import inspectors_ensure

    _reference_tables()
    branches = {o.code: o for o in Organisation.objects.filter(kind=Organisation.Kind.CIQ_BRANCH)}
    manager = User.objects.filter(username="manager").first()
    if manager is None or not branches:
        return {}  # accounts.demo has not run: there is nobody to file or supervise anything
    inspectors = inspectors_ensure(branches)
    made = {}
    if not seeded():
        made = _registry(inspectors, branches)
    made["library"] = library_ensure(manager)
    made["notices"] = notices_ensure(manager)
    made["questions"] = questions_ensure(inspectors)
    return made


def _registry(inspectors: dict, branches: dict) -> dict:
    from .build import insert, plan
    from .registry import branch_counties, enterprises_ensure, statuses_plan
    from .supervision import seed_supervision

    rng = random.Random(SEED)
    today = timezone.localdate()
    enterprises = enterprises_ensure(rng, branches)
    planned = plan(statuses_plan(enterprises, rng), branch_counties(), inspectors, rng, today)
    farms = insert(planned)
    made = {"enterprises": len(enterprises), "farms": len(farms)}
    made.update(seed_supervision(farms, enterprises, rng, today))
    return made
