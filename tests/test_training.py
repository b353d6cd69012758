"""The on-the-fly batch-size rule."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from job2vec._training import batch_size_ladder, next_level


def test_ladder_is_powers_of_two_from_the_range():
    assert batch_size_ladder((8, 128), 10_000) == [8, 16, 32, 64, 128]
    assert batch_size_ladder((8, 128), 50) == [8, 16, 32]
    assert batch_size_ladder((8, 128), 5) == [5]


@pytest.mark.parametrize("ratio, expected", [(0.1, 3), (0.5, 2), (0.9, 1), (0.2, 2), (0.8, 2)])
def test_rule_grows_below_and_shrinks_above_thresholds(ratio, expected):
    assert next_level(2, ratio, 5, (0.2, 0.8)) == expected


@given(st.integers(0, 4), st.floats(0, 1))
def test_rule_stays_on_the_ladder_and_moves_one_step(level, ratio):
    new = next_level(level, ratio, 5, (0.2, 0.8))
    assert 0 <= new < 5 and abs(new - level) <= 1
