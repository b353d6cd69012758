"""The WOCR, WARP and MNR losses against plain NumPy references, with property-based tests."""

import keras
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from job2vec._networks import build_joaps_network
from job2vec.losses import (MNRLoss, WARPLoss, WOCRLoss, mnrl_loss, violation_ratio, warp_loss, warp_violation_ratio,
                            wocr_loss, wocr_terms)


def unit(x):
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def wocr_reference(groups, descriptions, titles, margin):
    """Eq. 5 of the JOAPS paper, pair by pair, with the same-title mask and the margin."""
    b = len(groups)
    losses, ratios_num, ratios_den = np.zeros(b), 0, 0
    for i in range(b):
        positive = descriptions[i] @ titles[i]
        negatives = [j for j in range(b) if groups[j] != groups[i]]
        hinges = [max(0.0, margin + descriptions[i] @ titles[j] - positive) for j in negatives]
        violators = sum(h > 0 for h in hinges)
        omega = violators / len(negatives) if negatives else 0.0
        losses[i] = omega * sum(hinges)
        ratios_num += violators
        ratios_den += len(negatives)
    return losses, ratios_num / max(ratios_den, 1)


@st.composite
def batches(draw, min_size=2, max_size=12, dim=4):
    b = draw(st.integers(min_size, max_size))
    groups = draw(arrays(np.int64, b, elements=st.integers(0, b)))
    vectors = draw(arrays(np.float64, (2 * b, dim), elements=st.floats(-1, 1, width=32)))
    vectors = vectors + 1e-3 * np.arange(2 * b * dim).reshape(2 * b, dim)  # no all-zero rows
    return groups, unit(vectors[:b]), unit(vectors[b:])


def as_keras(groups, descriptions, titles):
    y_pred = np.concatenate([descriptions, titles], axis=1).astype("float32")
    return keras.ops.convert_to_tensor(groups.astype("float32")), keras.ops.convert_to_tensor(y_pred)


@settings(max_examples=60, deadline=None)
@given(batches(), st.sampled_from([0.0, 0.1, 0.5]))
def test_wocr_matches_numpy_reference(batch, margin):
    groups, descriptions, titles = batch
    similarities = descriptions @ titles.T
    # A hinge within float32 rounding of 0 may count as a violator on one side only.
    assume(np.all(np.abs(margin + similarities - np.diag(similarities)[:, None]) > 1e-4))
    expected, expected_ratio = wocr_reference(groups, descriptions, titles, margin)
    y_true, y_pred = as_keras(groups, descriptions, titles)
    got = keras.ops.convert_to_numpy(wocr_loss(y_true, y_pred, margin))
    ratio = float(keras.ops.convert_to_numpy(violation_ratio(y_true, y_pred, margin)))
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
    assert ratio == pytest.approx(expected_ratio, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(batches())
def test_wocr_weights_are_ratios_in_unit_interval(batch):
    y_true, y_pred = as_keras(*batch)
    _, weights, violators, negatives = (keras.ops.convert_to_numpy(t) for t in wocr_terms(y_true, y_pred, 0.1))
    assert np.all((weights >= 0) & (weights <= 1))
    np.testing.assert_allclose(weights, violators / np.maximum(negatives, 1), rtol=1e-6)


def test_wocr_is_zero_when_no_negative_violates():
    # Each description is its own title; all other titles are orthogonal (cosine 0 < 1 - margin).
    eye = np.eye(4)
    y_true, y_pred = as_keras(np.arange(4), eye, eye)
    assert np.all(keras.ops.convert_to_numpy(wocr_loss(y_true, y_pred, 0.1)) == 0)
    assert float(keras.ops.convert_to_numpy(violation_ratio(y_true, y_pred, 0.1))) == 0


def test_margin_makes_near_misses_violate():
    # Negative at cosine 0.95 against a positive at 1.0: only a margin > 0.05 flags it.
    descriptions = np.array([[1.0, 0.0], [0.0, 1.0]])
    titles = unit(np.array([[1.0, 0.0], [0.95, np.sqrt(1 - 0.95**2)]]))
    y_true, y_pred = as_keras(np.array([0, 1]), descriptions, titles)
    no_margin = keras.ops.convert_to_numpy(wocr_loss(y_true, y_pred, 0.0))
    with_margin = keras.ops.convert_to_numpy(wocr_loss(y_true, y_pred, 0.1))
    assert no_margin[0] == 0
    assert with_margin[0] == pytest.approx(0.1 + 0.95 - 1.0, abs=1e-5)


def test_same_title_pairs_are_never_negatives():
    # Two postings of one title with identical vectors, one other title far away.
    d = unit(np.array([[1.0, 0.2], [1.0, 0.2], [-1.0, 0.0]]))
    t = unit(np.array([[1.0, 0.0], [1.0, 0.1], [-1.0, 0.0]]))
    masked = keras.ops.convert_to_numpy(wocr_loss(*as_keras(np.array([7, 7, 3]), d, t), 0.1))
    unmasked = keras.ops.convert_to_numpy(wocr_loss(*as_keras(np.array([7, 8, 3]), d, t), 0.1))
    assert np.all(masked == 0)
    assert unmasked[:2].sum() > 0


def test_all_same_title_batch_has_zero_loss_and_ratio():
    rng = np.random.default_rng(0)
    y_true, y_pred = as_keras(np.zeros(5, int), unit(rng.normal(size=(5, 3))), unit(rng.normal(size=(5, 3))))
    assert np.all(keras.ops.convert_to_numpy(wocr_loss(y_true, y_pred)) == 0)
    assert float(keras.ops.convert_to_numpy(violation_ratio(y_true, y_pred))) == 0


@pytest.mark.parametrize("loss", [WOCRLoss(0.1), MNRLoss()])
def test_gradients_are_finite(loss):
    rng = np.random.default_rng(1)
    d_in = keras.Input((3,))
    t_in = keras.Input((3,))
    dense_d, dense_t = keras.layers.Dense(4), keras.layers.Dense(4)
    out = keras.layers.Concatenate()([keras.layers.UnitNormalization()(dense_d(d_in)),
                                      keras.layers.UnitNormalization()(dense_t(t_in))])
    model = keras.Model([d_in, t_in], out)
    model.compile(optimizer="sgd", loss=loss)
    x = [rng.normal(size=(8, 3)).astype("float32"), rng.normal(size=(8, 3)).astype("float32")]
    before = [w.copy() for w in model.get_weights()]
    loss_value = model.train_on_batch(x, np.array([0, 0, 1, 2, 3, 4, 5, 6], "float32"))
    after = model.get_weights()
    assert np.isfinite(loss_value)
    assert all(np.all(np.isfinite(w)) for w in after)
    assert any(not np.allclose(a, b) for a, b in zip(after, before))


@settings(max_examples=40, deadline=None)
@given(batches())
def test_mnrl_matches_numpy_reference(batch):
    groups, descriptions, titles = batch
    scale = 20.0
    logits = scale * descriptions @ titles.T
    expected = []
    for i in range(len(groups)):
        keep = (groups != groups[i]) | (np.arange(len(groups)) == i)
        row = logits[i, keep]
        expected.append(np.log(np.exp(row - row.max()).sum()) + row.max() - logits[i, i])
    got = keras.ops.convert_to_numpy(mnrl_loss(*as_keras(groups, descriptions, titles), scale))
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def test_losses_serialize():
    for loss in (WOCRLoss(0.3), MNRLoss(scale=5.0)):
        restored = keras.losses.deserialize(keras.losses.serialize(loss))
        assert restored.get_config() == loss.get_config()


def warp_reference(groups, negative_groups, descriptions, titles, negatives, margin):
    """Eq. 4 of the JOAPS paper, pair by pair: browse the negatives in order, stop at the first violator."""
    losses, violating, valid_total = np.zeros(len(groups)), 0, 0
    for i in range(len(groups)):
        positive = descriptions[i] @ titles[i]
        valid = [j for j in range(len(negatives)) if negative_groups[j] != groups[i]]
        valid_total += len(valid)
        violating += sum(margin + descriptions[i] @ negatives[j] - positive > 0 for j in valid)
        for position, j in enumerate(valid, start=1):
            hinge = margin + descriptions[i] @ negatives[j] - positive
            if hinge > 0:
                rank = len(valid) // position
                losses[i] = sum(1 / r for r in range(1, rank + 1)) * hinge
                break
    return losses, violating / max(valid_total, 1)


@settings(max_examples=30, deadline=None)
@given(batches(min_size=2, max_size=6), st.integers(1, 9), st.sampled_from([0.0, 0.1, 0.5]), st.data())
def test_warp_matches_numpy_reference(batch, n_negatives, margin, data):
    groups, descriptions, titles = batch
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    negatives = unit(rng.normal(size=(n_negatives, descriptions.shape[1])))
    negative_groups = rng.integers(0, len(groups) + 1, n_negatives)
    hinges = margin + descriptions @ negatives.T - np.sum(descriptions * titles, axis=1)[:, None]
    assume(np.all(np.abs(hinges) > 1e-4))  # no violator within float32 rounding of the margin
    expected, expected_ratio = warp_reference(groups, negative_groups, descriptions, titles, negatives, margin)
    y_true = np.concatenate([groups, negative_groups]).astype("float32")
    y_pred = np.concatenate([np.concatenate([descriptions, titles], axis=1),
                             np.concatenate([negatives, np.zeros_like(negatives)], axis=1)]).astype("float32")
    got = keras.ops.convert_to_numpy(warp_loss(y_true, y_pred, margin, n_negatives))
    ratio = float(keras.ops.convert_to_numpy(warp_violation_ratio(y_true, y_pred, margin, n_negatives)))
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
    assert ratio == pytest.approx(expected_ratio, abs=1e-6)


def test_warp_weights_the_first_violator_by_its_approximate_rank():
    # One description, its title at cosine 1; four negatives, the third (position 3) the first to violate.
    description = np.array([[1.0, 0.0]])
    negatives = unit(np.array([[0.0, 1.0], [-1.0, 0.0], [0.98, 0.2], [1.0, 0.01]]))
    y_true = np.array([0, 1, 2, 3, 4], "float32")
    y_pred = np.concatenate([np.concatenate([description, description], axis=1),
                             np.concatenate([negatives, np.zeros_like(negatives)], axis=1)]).astype("float32")
    got = float(keras.ops.convert_to_numpy(warp_loss(y_true, y_pred, 0.1, 4))[0])
    # rank = floor(4 / 3) = 1, weight 1; hinge = 0.1 + cos(d, v_3) - 1.
    assert got == pytest.approx(0.1 + negatives[2, 0] - 1.0, abs=1e-5)


def test_warp_network_trains_through_the_negatives():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    network = build_joaps_network(rng.normal(size=(20, 6)).astype("float32"), title_length=3, description_length=7,
                                  filter_sizes=(2, 3), n_filters=4, embedding_size=4, n_negatives=5)
    network.compile(optimizer="sgd", loss=WARPLoss(margin=0.5, n_negatives=5))
    x = [rng.integers(1, 20, (8, 7)), rng.integers(1, 20, (8, 3)), rng.integers(1, 20, (5, 3))]
    y = np.concatenate([np.arange(8), np.arange(8, 13)]).astype("float32")
    before = [w.copy() for w in network.get_weights()]
    loss = network.train_on_batch(x, y)
    assert np.isfinite(loss) and loss > 0
    assert network.predict_on_batch(x).shape == (13, 8)
    assert any(not np.allclose(a, b) for a, b in zip(network.get_weights(), before))


def test_warp_loss_serializes():
    loss = WARPLoss(0.2, n_negatives=50)
    assert keras.losses.deserialize(keras.losses.serialize(loss)).get_config() == loss.get_config()
