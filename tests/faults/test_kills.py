"""The count of lines lost at bridge kills (kills.account), on made-up histories."""

import pytest

from .kills import Kill, account, loss_bound

TAGS = [f"999000{i:09d}" for i in range(20)]


def rows(lines: list[int]) -> list[tuple[int, str]]:
    """(seq, tag) for reads spooled from these lines, in order."""
    return [(seq, TAGS[line]) for seq, line in enumerate(lines, 1)]


def test_lines_between_the_last_spooled_and_the_next_are_the_kills():
    # Bridge 1 spooled lines 0-5 (seqs 1-6) and had taken 6-7 when killed; bridge 2 spooled 8-13
    # (seqs 7-12) and had taken half of line 14 when killed; bridge 3 read the rest.
    stored = rows([*range(0, 6), *range(8, 14), *range(15, 20)])
    kills = [Kill(written=9, spool_last_seq=6), Kill(written=16, spool_last_seq=12)]
    assert account(TAGS, stored, kills) == []
    assert [k.lost for k in kills] == [[6, 7], [14]]


def test_a_kill_that_cost_nothing():
    kills = [Kill(written=10, spool_last_seq=7)]
    assert account(TAGS, rows(list(range(20))), kills) == []
    assert kills[0].lost == []


def test_a_line_missing_away_from_a_kill_is_reported():
    stored = rows([*range(0, 6), *range(8, 12), *range(13, 20)])
    kills = [Kill(written=9, spool_last_seq=6)]
    assert account(TAGS, stored, kills) == [12]


@pytest.mark.parametrize(
    "stored, message",
    [
        ([(1, TAGS[0]), (3, TAGS[1])], "read ids missing or doubled"),
        ([(1, TAGS[0]), (2, TAGS[0])], "stored twice"),
        ([(1, TAGS[1]), (2, TAGS[0])], "out of the order"),
        ([(1, "156000000000001")], "never written"),
    ],
)
def test_what_can_never_be_explained(stored, message):
    with pytest.raises(AssertionError, match=message):
        account(TAGS, stored, [])


def test_a_kill_cannot_lose_lines_written_after_it():
    with pytest.raises(AssertionError, match="written after it"):
        account(TAGS, rows([0, 1, 5, 6]), [Kill(written=3, spool_last_seq=2)])


def test_the_bound_is_50_ms_of_lines():
    assert loss_bound(150) == 8 and loss_bound(1000) == 50 and loss_bound(20) == 1
