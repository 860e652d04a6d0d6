"""With pytest-xdist (--dist loadfile) a worker runs this file whole, its transactional test
last, then test_b_after_flush.py: that test must still find the world (tests/conftest.py seeds
it again after a flush)."""

import pytest


@pytest.mark.django_db
def test_a_plain(world):
    assert world.ent_a_staff


@pytest.mark.django_db(transaction=True)
def test_a_flushes():
    from accounts.models import User

    assert User.objects.exists()
