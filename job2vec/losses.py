"""Ranking losses over in-batch (WOCR, MNRL) or sampled (WARP) negatives, in backend-neutral ``keras.ops``.

The in-batch losses take ``y_true`` = an integer id of each pair's normalized
title, shape ``(b,)``, and ``y_pred`` = the JOAPS network output, shape
``(b, 2h)``: unit description vectors then unit title vectors. Similarity is
the cosine. Pairs that share a title are never negatives of each other: real
data repeats titles, and treating a correct title as a negative punishes the
right answer.
"""

import keras
from keras import ops

import numpy as np

__all__ = [
    "WOCRLoss", "MNRLoss", "WARPLoss", "wocr_loss", "mnrl_loss", "warp_loss", "violation_ratio",
    "warp_violation_ratio", "wocr_terms", "warp_terms",
]


def _similarities(y_true, y_pred):
    """Cosines (b, b) between description i and title j, and the mask of valid negatives."""
    size = ops.shape(y_pred)[-1] // 2
    descriptions, titles = y_pred[:, :size], y_pred[:, size:]
    similarities = ops.matmul(descriptions, ops.transpose(titles))
    title_ids = ops.reshape(y_true, (-1,))
    negatives = ops.cast(ops.not_equal(title_ids[:, None], title_ids[None, :]), y_pred.dtype)
    return similarities, negatives


def wocr_terms(y_true, y_pred, margin=0.1):
    """The parts of the WOCR loss, for the loss and for the batch-size rule.

    A negative title j of pair i *violates* when it is not at least `margin`
    less similar to description i than the true title:
    ``cos(d_i, t_j) > cos(d_i, t_i) - margin``. Its hinge term is
    ``margin + cos(d_i, t_j) - cos(d_i, t_i)`` (the paper's eq. 5 with
    dist = 1 - cos and the WARP margin of eq. 4), positive exactly for violators.

    Returns
    -------
    hinge_sums : tensor (b,)
        Sum of the violators' hinge terms for each pair.
    weights : tensor (b,)
        omega: each pair's share of violating negatives among its valid
        negatives, in [0, 1]; no gradient flows through it.
    violators, negatives : tensor (b,)
        Counts per pair.
    """
    similarities, negatives = _similarities(y_true, y_pred)
    positives = ops.diagonal(similarities)[:, None]
    hinges = ops.relu(margin + similarities - positives) * negatives
    violators = ops.sum(ops.cast(hinges > 0, y_pred.dtype), axis=1)
    n_negatives = ops.sum(negatives, axis=1)
    weights = ops.stop_gradient(violators / ops.maximum(n_negatives, 1.0))
    return ops.sum(hinges, axis=1), weights, violators, n_negatives


@keras.saving.register_keras_serializable(package="job2vec")
def wocr_loss(y_true, y_pred, margin=0.1):
    """Weighted On-the-fly Chunk Ranking loss (JOAPS paper, eq. 5), per pair.

    ``loss_i = omega_i * sum_j max(0, margin + cos(d_i, t_j) - cos(d_i, t_i))``
    over the valid negatives j of the batch, with omega_i the ratio of
    violating negatives (see `wocr_terms`).
    """
    hinge_sums, weights, _, _ = wocr_terms(y_true, y_pred, margin)
    return weights * hinge_sums


@keras.saving.register_keras_serializable(package="job2vec")
def violation_ratio(y_true, y_pred, margin=0.1):
    """Share of violating negatives in the batch: what drives the batch size."""
    _, _, violators, negatives = wocr_terms(y_true, y_pred, margin)
    return ops.sum(violators) / ops.maximum(ops.sum(negatives), 1.0)


@keras.saving.register_keras_serializable(package="job2vec")
def mnrl_loss(y_true, y_pred, scale=20.0):
    """In-batch multiple-negatives ranking loss (VacancySBERT), per pair.

    Softmax cross-entropy of each description against all titles of the
    batch, the true title as the target, cosines scaled by `scale`; other
    pairs with the same title are masked out instead of counted as negatives.
    """
    similarities, negatives = _similarities(y_true, y_pred)
    eye = ops.eye(ops.shape(y_pred)[0], dtype=y_pred.dtype)
    keep = negatives + eye
    logits = scale * similarities - 1e9 * (1.0 - keep)
    return ops.logsumexp(logits, axis=1) - scale * ops.diagonal(similarities)


def warp_terms(y_true, y_pred, margin=0.1, n_negatives=1000):
    """The parts of the WARP loss (JOAPS paper, eq. 4; Weston et al.'s WSABIE).

    `y_pred` is the WARP network output: the ``b`` pairs (unit description
    vectors then unit title vectors, shape ``(b, 2h)``) followed by the
    `n_negatives` sampled negative titles (unit vectors in the first ``h``
    columns, zeros after). `y_true` holds the title ids of the ``b`` pairs then
    of the negatives. Each description browses the negatives in their sampled
    order and stops at the first violator ``v_j`` (a negative with
    ``cos(d, v_j) > cos(d, t) - margin``) found at position ``j`` (1-based);
    its rank is estimated as ``r = floor(k / j)``, with ``k`` the negatives
    that are valid for this pair (not its own title).

    Returns
    -------
    hinges : tensor (b,)
        ``margin + cos(d, v_j) - cos(d, t)`` of the first violator, 0 if none.
    weights : tensor (b,)
        ``sum_{i=1..r} 1/i``, 0 if no negative violates; no gradient.
    violators, negatives : tensor (b,)
        Counts of violating and valid negatives per pair.
    """
    size = ops.shape(y_pred)[-1] // 2
    n_pairs = ops.shape(y_pred)[0] - n_negatives
    descriptions, titles = y_pred[:n_pairs, :size], y_pred[:n_pairs, size:]
    negative_titles = y_pred[n_pairs:, :size]
    ids = ops.reshape(y_true, (-1,))
    valid = ops.cast(ops.not_equal(ids[:n_pairs, None], ids[None, n_pairs:]), y_pred.dtype)
    positives = ops.sum(descriptions * titles, axis=1)
    similarities = ops.matmul(descriptions, ops.transpose(negative_titles))
    violating = ops.cast(margin + similarities - positives[:, None] > 0, y_pred.dtype) * valid
    has_violator = ops.max(violating, axis=1)
    first = ops.argmax(violating, axis=1)  # the first maximum: where browsing stops
    first_similarity = ops.squeeze(ops.take_along_axis(similarities, first[:, None], axis=1), axis=1)
    # Position j among the *valid* negatives browsed so far (the pair's own title is skipped).
    position = ops.sum(valid * ops.cast(ops.arange(n_negatives)[None, :] <= first[:, None], y_pred.dtype), axis=1)
    n_valid = ops.sum(valid, axis=1)
    rank = ops.floor(n_valid / ops.maximum(position, 1.0))
    harmonic = ops.convert_to_tensor(np.concatenate([[0.0], np.cumsum(1.0 / np.arange(1, n_negatives + 1))]),
                                     dtype=y_pred.dtype)
    weights = ops.stop_gradient(ops.take(harmonic, ops.cast(rank, "int32")) * has_violator)
    hinges = ops.relu(margin + first_similarity - positives) * has_violator
    return hinges, weights, ops.sum(violating, axis=1), n_valid


@keras.saving.register_keras_serializable(package="job2vec")
def warp_loss(y_true, y_pred, margin=0.1, n_negatives=1000):
    """Weighted Approximate-Rank Pairwise loss (JOAPS paper, eq. 4), per pair.

    ``loss = (sum_{i=1..r} 1/i) * max(0, margin + cos(d, v_j) - cos(d, t))``
    with ``v_j`` the first violating sampled negative (see `warp_terms`).
    """
    hinges, weights, _, _ = warp_terms(y_true, y_pred, margin, n_negatives)
    return weights * hinges


@keras.saving.register_keras_serializable(package="job2vec")
def warp_violation_ratio(y_true, y_pred, margin=0.1, n_negatives=1000):
    """Share of violating negatives among the sampled ones: the WARP batch-size signal."""
    _, _, violators, negatives = warp_terms(y_true, y_pred, margin, n_negatives)
    return ops.sum(violators) / ops.maximum(ops.sum(negatives), 1.0)


@keras.saving.register_keras_serializable(package="job2vec")
class WARPLoss(keras.losses.Loss):
    """Keras `Loss` of `warp_loss`, for ``model.compile`` of the WARP network.

    Parameters
    ----------
    margin : float, default=0.1
        mu, the ranking margin.
    n_negatives : int, default=1000
        k, the sampled negative titles at the end of each batch.
    """

    def __init__(self, margin=0.1, n_negatives=1000, name="warp", **kwargs):
        super().__init__(name=name, **kwargs)
        self.margin = margin
        self.n_negatives = n_negatives

    def call(self, y_true, y_pred):
        return warp_loss(y_true, y_pred, self.margin, self.n_negatives)

    def get_config(self):
        return {**super().get_config(), "margin": self.margin, "n_negatives": self.n_negatives}


@keras.saving.register_keras_serializable(package="job2vec")
class WOCRLoss(keras.losses.Loss):
    """Keras `Loss` of `wocr_loss`, for ``model.compile``.

    Parameters
    ----------
    margin : float, default=0.1
        mu, the ranking margin.
    """

    def __init__(self, margin=0.1, name="wocr", **kwargs):
        super().__init__(name=name, **kwargs)
        self.margin = margin

    def call(self, y_true, y_pred):
        return wocr_loss(y_true, y_pred, self.margin)

    def get_config(self):
        return {**super().get_config(), "margin": self.margin}


@keras.saving.register_keras_serializable(package="job2vec")
class MNRLoss(keras.losses.Loss):
    """Keras `Loss` of `mnrl_loss`, for ``model.compile``.

    Parameters
    ----------
    scale : float, default=20.0
        Multiplier of the cosines before the softmax.
    """

    def __init__(self, scale=20.0, name="mnrl", **kwargs):
        super().__init__(name=name, **kwargs)
        self.scale = scale

    def call(self, y_true, y_pred):
        return mnrl_loss(y_true, y_pred, self.scale)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}
