"""The on-the-fly batch-size rule and the WARP batches."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from job2vec._training import batch_size_ladder, next_level, warp_batch_maker


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


def test_warp_batches_append_distinct_sampled_titles():
    title_ids = np.arange(40).reshape(20, 2)
    part = (np.zeros((10, 5)), np.zeros((10, 2)), np.arange(10, dtype=np.float32))
    make_batch = warp_batch_maker(title_ids, 7, np.random.default_rng(0))
    inputs, targets = make_batch(part, np.array([1, 4, 6]))
    assert [a.shape for a in inputs] == [(3, 5), (3, 2), (7, 2)]
    np.testing.assert_array_equal(targets[:3], [1, 4, 6])
    sample = targets[3:].astype(int)
    assert len(set(sample)) == 7  # without replacement
    np.testing.assert_array_equal(inputs[2], title_ids[sample])  # each negative's ids match its title id
