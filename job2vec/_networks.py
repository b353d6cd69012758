"""Keras 3 builders for the two JOAPS encoders, joined in one flat graph.

One flat functional graph (rather than two nested sub-models) because Keras 3
cannot reload nested models that share a layer, and W_in is shared. The
encoders are re-derived from named tensors with `split_encoders`.
"""

import keras
from keras import layers, ops

DESCRIPTION_INPUT = "description_ids"
TITLE_INPUT = "title_ids"
DESCRIPTION_VECTOR = "description_vector"
TITLE_VECTOR = "title_vector"
NEGATIVE_INPUT = "negative_title_ids"


def build_joaps_network(
    embeddings,
    *,
    title_length,
    description_length,
    filter_sizes=(3, 4, 5),
    n_filters=100,
    embedding_size=100,
    trainable_embeddings=False,
    n_negatives=None,
):
    """Build the joint JOAPS network.

    Parameters
    ----------
    embeddings : ndarray of shape (vocabulary size, e)
        The word vectors W_in; row 0 is padding.
    title_length, description_length : int
        Fixed input lengths (fixed shapes keep JAX from recompiling).
    filter_sizes : tuple of int
        Widths of the description encoder's convolution filters.
    n_filters : int
        Filters per width.
    embedding_size : int
        h, the size of job2vec vectors. The title encoder is a bidirectional
        GRU with h/2 units each way, so its output has size h.
    trainable_embeddings : bool
        Fine-tune W_in (the paper keeps it frozen).
    n_negatives : int or None
        For the WARP loss: return the `with_sampled_negatives` graph of the
        network instead.

    Returns
    -------
    keras.Model
        Inputs ``[description_ids, title_ids]``; output ``(batch, 2h)``: the
        unit-norm description vector followed by the unit-norm title vector.
    """
    if embedding_size % 2:
        raise ValueError(f"embedding_size must be even (two GRU directions), got {embedding_size}.")
    vocabulary_size, dim = embeddings.shape
    w_in = layers.Embedding(vocabulary_size, dim, trainable=trainable_embeddings, name="w_in")

    description_ids = keras.Input((description_length,), dtype="int32", name=DESCRIPTION_INPUT)
    words = w_in(description_ids)
    pooled = [
        layers.GlobalMaxPooling1D(name=f"max_pool_{size}")(
            layers.Conv1D(n_filters, size, activation="tanh", name=f"conv_{size}")(words)
        )
        for size in filter_sizes
    ]
    features = pooled[0] if len(pooled) == 1 else layers.Concatenate(name="filters")(pooled)
    description = layers.Dense(embedding_size, name="description_dense")(features)
    description = layers.UnitNormalization(name=DESCRIPTION_VECTOR)(description)

    title_ids = keras.Input((title_length,), dtype="int32", name=TITLE_INPUT)
    title_gru = layers.Bidirectional(layers.GRU(embedding_size // 2), name="title_gru")
    # Only the GRU is masked (it must skip padding); max-pooled convolutions need no mask.
    title = title_gru(w_in(title_ids), mask=ops.not_equal(title_ids, 0))
    title = layers.UnitNormalization(name=TITLE_VECTOR)(title)
    model = keras.Model([description_ids, title_ids], layers.Concatenate(name="pair")([description, title]),
                        name="joaps")
    w_in.set_weights([embeddings])  # after building: an initializer would copy W_in into the config
    return with_sampled_negatives(model, n_negatives) if n_negatives is not None else model


def with_sampled_negatives(network, n_negatives):
    """The WARP training graph: `network` plus a third input of `n_negatives` sampled titles.

    The negatives go through `network`'s own W_in and title GRU, so the two
    graphs share every weight: training this one trains `network`.

    Returns
    -------
    keras.Model
        Inputs ``[description_ids, title_ids, negative_title_ids]``; output
        ``(batch + n_negatives, 2h)``: the pairs, then the negatives' unit
        vectors padded with zeros (see `job2vec.losses.warp_terms`).
    """
    description_ids, title_ids = network.inputs
    negative_ids = keras.Input(title_ids.shape[1:], dtype="int32", name=NEGATIVE_INPUT)
    negatives = network.get_layer("title_gru")(network.get_layer("w_in")(negative_ids),
                                               mask=ops.not_equal(negative_ids, 0))
    negatives = layers.UnitNormalization(name="negative_vector")(negatives)
    # Stacked under the pairs (the batch axis): the negatives' count differs from the pairs'.
    padded = ops.concatenate([negatives, ops.zeros_like(negatives)], axis=1)
    output = ops.concatenate([network([description_ids, title_ids]), padded], axis=0)
    return keras.Model([description_ids, title_ids, negative_ids], output, name="joaps_warp")


def split_encoders(model):
    """Return ``(description_encoder, title_encoder)`` sharing `model`'s weights."""
    description_encoder = keras.Model(
        model.get_layer(DESCRIPTION_INPUT).output, model.get_layer(DESCRIPTION_VECTOR).output
    )
    title_encoder = keras.Model(model.get_layer(TITLE_INPUT).output, model.get_layer(TITLE_VECTOR).output)
    return description_encoder, title_encoder
