"""Runs after test_a_flushes.py emptied the database on the same worker (see there)."""


def test_b_world(world):
    assert world.ent_a_staff
