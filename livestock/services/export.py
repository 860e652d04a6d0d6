"""Animals on their way out: declared for export, released from a declaration, blocked.

Origin quarantine (floor 5) moves animals only through here, and every move appends the
event it names to each animal's record through ``events_append``.
"""

from django.db import transaction
from django.utils import timezone

from accounts.errors import DomainError
from accounts.models import User

from ..models import Animal
from .counts import head_move
from .events import Happening, events_append

# Programming errors (a caller moving animals out of order), not users': quarantine checks first.
OUT_OF_ORDER = "animals {ids} cannot be {action} from their status"


@transaction.atomic
def animals_move(*, action: str, animal_ids: list[int], happening: Happening) -> int:
    """Take ``action`` of Animal.ACTIONS on every animal of ``animal_ids``, with one event each.

    All or nothing: if any animal is not in a status the action starts from, nothing moves.
    """
    froms, to = Animal.ACTIONS[action]
    ids = list(dict.fromkeys(animal_ids))
    # Locked as they are now, so that the head counts move exactly the animals that move.
    moving = list(
        Animal.objects.select_for_update()
        .filter(pk__in=ids, status__in=froms)
        .only("farm_id", "species", "status", "origin")
        .order_by("pk")
    )
    if len(moving) != len(ids):
        stuck = list(Animal.objects.filter(pk__in=ids).exclude(status__in=froms).values_list("pk", flat=True))
        raise DomainError(OUT_OF_ORDER.format(ids=stuck, action=action))
    moved = Animal.objects.filter(pk__in=ids).update(status=to)
    head_move(moving, status=to)
    events_append(happening=happening, animal_ids=ids)
    return moved


@transaction.atomic
def animals_export_block(
    *, actor: User | None, animal_ids: list[int], reason: str, happening: Happening
) -> int:
    """Block animals for export (a positive lab result): no declaration may take them again.

    Animals already blocked keep their first block and reason; each newly blocked one gets an
    ``export_blocked`` event.
    """
    ids = list(
        Animal.objects.filter(pk__in=animal_ids, export_blocked_at__isnull=True).values_list("pk", flat=True)
    )
    Animal.objects.filter(pk__in=ids).update(
        export_blocked_at=timezone.now(), export_block_reason=reason[:300]
    )
    events_append(happening=happening, animal_ids=ids)
    return len(ids)
