"""The fitted description encoder in NumPy: prediction without Keras or JAX.

A fitted JOAPS network's weights no longer change, so its description CNN
is read from a table of every vocabulary word's projections through each
kernel position, made once (about 0.15 s for 15,641 words at e=300): a
description then costs only its windows' sums, a max, tanh and the dense
layer. It needs only NumPy arrays (`description_weights`), which a saved
model keeps beside its ``.keras`` archive, so loading a model and predicting
imports neither Keras nor JAX (the ``job2vec predict`` command's start-up and
Dask workers) and one description takes well under a millisecond here.
"""

import numpy as np

# The largest table `TabledDescriptionEncoder` makes; above it (vocabularies of some 56,000
# words at the paper's sizes) the network projects each batch's words instead (`DescriptionEncoder`).
TABLE_BUDGET = 256 * 2**20
# Descriptions per step: their gathered windows stay in the CPU's caches (2,000 LinkedIn
# descriptions in 0.77 s by 4 or 16, 1.07 s one by one).
TABLE_BATCH = 16


def description_weights(network, filter_sizes):
    """The description encoder's weights as NumPy arrays: W_in, each filter size's (kernel, bias), the dense layer."""
    return {"w_in": network.get_layer("w_in").get_weights()[0],
            "conv": [tuple(network.get_layer(f"conv_{size}").get_weights()) for size in filter_sizes],
            "dense": tuple(network.get_layer("description_dense").get_weights())}


def table_bytes(weights):
    """Bytes of the float32 table of `weights`: vocabulary × widths × filters × 4."""
    return 4 * len(weights["w_in"]) * sum(kernel.shape[0] * kernel.shape[2] for kernel, _ in weights["conv"])


class TabledDescriptionEncoder:
    """Description ids → unit job2vec vectors, from a table of word projections.

    The same function as the network's description branch (convolution,
    tanh, max pooling, dense layer, unit norm), up to float rounding: tanh
    is increasing, so it is taken after the max. The table is a snapshot of
    the weights it was made from.

    Parameters
    ----------
    weights : dict
        `description_weights` of a fitted network.
    """

    def __init__(self, weights):
        word_vectors = weights["w_in"]
        # For each filter size, one contiguous (vocabulary, filters) table per kernel position.
        self.slices = [[np.ascontiguousarray(word_vectors @ kernel_slice) for kernel_slice in kernel]
                       for kernel, _ in weights["conv"]]
        self.biases = [bias for _, bias in weights["conv"]]
        self.dense_kernel, self.dense_bias = weights["dense"]
        self.widest = max(len(slices) for slices in self.slices)

    def __call__(self, ids):
        ids = np.asarray(ids, dtype=np.intp)
        vectors = np.zeros((len(ids), len(self.dense_bias)), np.float32)
        # Descriptions of about the same length share a batch, so batches hold few windows of padding:
        # 2,000 LinkedIn test descriptions, 686,000 windows as given, 541,920 by length (0.87-0.91 -> 0.75 s).
        by_length = np.argsort(np.count_nonzero(ids, axis=1), kind="stable")
        for start in range(0, len(ids), TABLE_BATCH):
            batch = by_length[start:start + TABLE_BATCH]
            vectors[batch] = self._encode(ids[batch])
        return vectors

    def _encode(self, rows):
        # Past the batch's last word and the widest filter, every window is padding alone and
        # repeats one that stays (if it fits): the max is the same without them.
        words = np.flatnonzero(rows.any(axis=0))
        end = words[-1] + 1 if len(words) else 0
        rows = rows[:, :min(rows.shape[1], end + self.widest)]
        pooled = [np.tanh(window_sums(slices, rows).max(axis=1) + bias)
                  for slices, bias in zip(self.slices, self.biases)]
        vectors = np.concatenate(pooled, axis=1) @ self.dense_kernel + self.dense_bias
        # Floored as `UnitVector` floors it: a zero row stays zero.
        return vectors / np.sqrt(np.maximum(np.sum(vectors * vectors, axis=1, keepdims=True), 1e-24))


def window_sums(slices, rows):
    """Each window's convolution without bias: the sum over kernel positions k of ``slices[k][word]``.

    `slices[k]` holds every word's projection through kernel position k
    (words, filters); `rows` (n, length) are the words' rows in it. Returns
    (n, windows, filters).
    """
    n_windows = rows.shape[1] - len(slices) + 1
    windows = np.take(slices[0], rows[:, :n_windows], axis=0)
    for k in range(1, len(slices)):
        windows += np.take(slices[k], rows[:, k:k + n_windows], axis=0)
    return windows
