"""The fitted description encoder in NumPy: the network's description branch, read from a table."""

import keras
import numpy as np
import pytest

from job2vec._description import TabledDescriptionEncoder, description_weights, table_bytes
from job2vec._networks import split_encoders

from .test_networks import description_ids, small_network


@pytest.mark.parametrize("filter_sizes", [(3, 4, 5), (2,)])
def test_tabled_encoder_equals_the_convolution_network(filter_sizes):
    rng = np.random.default_rng(0)
    network = small_network(rng, filter_sizes=filter_sizes)
    ids = description_ids(rng, 70)
    ids[-3:] = 0  # descriptions with no known word: windows of padding alone
    ids[-6:-3, 2:] = 0  # and shorter than the widest filter
    ids[-9:-6, 3:8] = 0  # padding inside a row: every window counts
    expected = np.asarray(split_encoders(network)[0].predict(ids, verbose=0))
    weights = description_weights(network, filter_sizes)
    encoder = TabledDescriptionEncoder(weights)
    assert table_bytes(weights) == 4 * 300 * sum(filter_sizes) * 6
    np.testing.assert_allclose(encoder(ids), expected, atol=1e-5)
    for rows in (slice(0, 1), slice(-9, -6), slice(-6, -3), slice(-3, None)):  # batches cut after their last word
        np.testing.assert_allclose(encoder(ids[rows]), expected[rows], atol=1e-5)
    assert encoder(ids[:0]).shape == (0, expected.shape[1]) and encoder(ids).dtype == np.float32


def test_the_table_is_a_snapshot_of_the_weights_it_was_made_from():
    rng = np.random.default_rng(3)
    network = small_network(rng)
    ids = description_ids(rng, 4)
    encoder = TabledDescriptionEncoder(description_weights(network, (3, 4, 5)))
    before = encoder(ids)
    w_in = network.get_layer("w_in")
    w_in.embeddings.assign(2 * keras.ops.convert_to_numpy(w_in.embeddings))
    np.testing.assert_array_equal(encoder(ids), before)
    np.testing.assert_allclose(TabledDescriptionEncoder(description_weights(network, (3, 4, 5)))(ids),
                               split_encoders(network)[0].predict(ids, verbose=0), atol=1e-5)
