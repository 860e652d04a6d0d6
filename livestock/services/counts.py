"""The maintained head counts (``HeadCount``): moved by every service that changes animals, and rebuilt.

``head_add`` is called inside the transaction that adds animals or changes their status or
origin, with what changed; ``recount`` rebuilds every count from the animals themselves, for
bulk writers that bypass the services (the demo seed, the benchmarks' generators) and as the
reference the tests compare the maintained counts with.
"""

import time
from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction

from ..models import Animal, HeadCount, HerdVersion

Key = tuple[int, str, str, bool]  # farm id, species, status, origin flagged


def key_of(animal: Animal) -> Key:
    return (animal.farm_id, animal.species, animal.status, animal.origin != Animal.Origin.SELF_BRED)


def head_add(changes: Counter | dict[Key, int]) -> None:
    """Add ``changes`` (key -> head, negative to take away) to the counts, in one statement."""
    rows = [(*key, n) for key, n in changes.items() if n]
    if not rows:
        return
    herd_changed({key[0] for key in changes})
    table = HeadCount._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (farm_id, species, status, flagged, head) VALUES {values} "
            "ON CONFLICT (farm_id, species, status, flagged) "
            f"DO UPDATE SET head = {table}.head + excluded.head",
            [v for row in rows for v in row],
        )


def head_move(animals: Iterable[Animal], *, status: str | None = None, flagged: bool | None = None) -> None:
    """The animals (as they were) change status or origin: move them from their old count to the new."""
    changes: Counter = Counter()
    for animal in animals:
        farm, species, old_status, old_flagged = key_of(animal)
        changes[(farm, species, old_status, old_flagged)] -= 1
        new_status = old_status if status is None else status
        new_flagged = old_flagged if flagged is None else flagged
        changes[(farm, species, new_status, new_flagged)] += 1
    head_add(changes)


def counts_from_scratch(*, farm_id: int | None = None) -> dict[Key, int]:
    """The counts as the animals are now (GROUP BY over every animal): the reference."""
    from django.db.models import BooleanField, Count, ExpressionWrapper, Q

    qs = Animal.objects.all() if farm_id is None else Animal.objects.filter(farm_id=farm_id)
    flagged = ExpressionWrapper(~Q(origin=Animal.Origin.SELF_BRED), output_field=BooleanField())
    rows = (
        qs.order_by()
        .annotate(flagged=flagged)
        .values_list("farm_id", "species", "status", "flagged")
        .annotate(n=Count("pk"))
    )
    return {(f, s, st, bool(fl)): n for f, s, st, fl, n in rows}


def counts_maintained(*, farm_id: int | None = None) -> dict[Key, int]:
    qs = HeadCount.objects.all() if farm_id is None else HeadCount.objects.filter(farm_id=farm_id)
    return {(h.farm_id, h.species, h.status, h.flagged): h.head for h in qs if h.head}


def recount(*, farm_id: int | None = None) -> None:
    """Rebuild the counts (of one farm, or all) from the animals, in one transaction."""
    with transaction.atomic():
        qs = HeadCount.objects.all() if farm_id is None else HeadCount.objects.filter(farm_id=farm_id)
        qs.delete()
        counts = counts_from_scratch(farm_id=farm_id)
        HeadCount.objects.bulk_create(
            HeadCount(farm_id=f, species=s, status=st, flagged=fl, head=n)
            for (f, s, st, fl), n in counts.items()
        )
        # Whatever was cached of these farms' herds is stale too.
        herd_changed({key[0] for key in counts} | ({farm_id} if farm_id else set()))


def herd_changed(farm_ids: Iterable[int]) -> None:
    """The farms' animals or records changed: their cached aggregates are stale (HerdVersion)."""
    ids = sorted(set(farm_ids))
    if not ids:
        return
    version = time.time_ns()
    table = HerdVersion._meta.db_table
    values = ", ".join(["(%s, %s)"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (farm_id, version) VALUES {values} "
            "ON CONFLICT (farm_id) DO UPDATE SET version = excluded.version",
            [v for pk in ids for v in (pk, version)],
        )
