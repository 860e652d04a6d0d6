"""Repeat marking: a re-read within the window is a repeat; the window slides with each re-read."""

import pytest

from rfid_bridge.dedupe import Deduplicator


def test_window():
    d = Deduplicator(3.0)
    assert d.is_repeat("A", 0.0) is False
    assert d.is_repeat("A", 1.0) is True
    assert d.is_repeat("B", 1.5) is False  # another tag is its own sighting
    assert d.is_repeat("A", 3.9) is True  # 2.9 s after the last read of A
    assert d.is_repeat("B", 4.4) is True  # 2.9 s after B
    assert d.is_repeat("A", 6.9) is False  # 3.0 s: the window has passed
    assert d.is_repeat("B", 7.5) is False


def test_sliding_window_keeps_a_standing_animal_one_sighting():
    d = Deduplicator(3.0)
    reads = [d.is_repeat("A", t * 0.5) for t in range(120)]  # a minute at the reader, 2 reads/s
    assert reads.count(False) == 1


def test_forgets_old_tags():
    d = Deduplicator(1.0)
    for n in range(1000):
        d.is_repeat(str(n), n * 0.01)
    assert len(d) <= 101 + 64  # the last second's tags, forgotten in rounds of 64 reads


def test_zero_window_marks_nothing():
    d = Deduplicator(0)
    assert [d.is_repeat("A", 0.0), d.is_repeat("A", 0.0)] == [False, False]
    with pytest.raises(ValueError):
        Deduplicator(-1)
