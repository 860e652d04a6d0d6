"""How long the demo registry takes to seed (moved here from tests/farms/test_demo.py: speed is
measured by `make bench`, never asserted in a test).

On the empty benchmark database with the demo's places and people (accounts.demo.seed, not
timed), inside a transaction rolled back at the end, so that every run starts from the same state:

- ``farms_demo_seed_s``: farms.demo.seed the first time (~60 enterprises, 300 farms, a year of
  supervision), as ``make run`` does on a new database;
- ``farms_demo_seed_again_s``: the same a second time, as every ``make run`` after the first
  does (it finds the registry and only checks the reference tables).
"""

import time


def run() -> dict:
    from django.db import transaction

    from accounts import demo as accounts_demo
    from farms import demo

    accounts_demo.seed()
    with transaction.atomic():
        started = time.perf_counter()
        made = demo.seed()
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = demo.seed()
        second = time.perf_counter() - started
        transaction.set_rollback(True)
    if not made.get("farms") or any(again.values()):
        raise AssertionError(f"the seed did not make the registry once: {made}, then {again}")
    return {"farms_demo_seed_s": {"value": first, "farms": made["farms"]}, "farms_demo_seed_again_s": second}
