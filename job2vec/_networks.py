"""Keras 3 builders for the two JOAPS encoders, joined in one flat graph.

One flat functional graph (rather than two nested sub-models) because Keras 3
cannot reload nested models that share a layer, and W_in is shared. The
encoders are re-derived from named tensors with `split_encoders`.
"""

import keras
from keras import layers, ops

from .word_vectors import MAX_PIECES

DESCRIPTION_INPUT = "description_ids"
TITLE_INPUT = "title_ids"
DESCRIPTION_VECTOR = "description_vector"
TITLE_VECTOR = "title_vector"
TITLE_PIECES_INPUT = "title_pieces"
PIECES_EMBEDDING = "title_pieces_embedding"


def build_joaps_network(
    embeddings,
    *,
    title_length,
    description_length,
    filter_sizes=(3, 4, 5),
    n_filters=100,
    embedding_size=100,
    trainable_embeddings=False,
    subword_buckets=0,
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
    subword_buckets : int
        0: titles are their known words (the paper). Otherwise a third input
        of hashed character n-gram pieces per title word (see
        `job2vec.word_vectors.word_pieces`): each word's vector is its W_in
        row plus the mean of its pieces' vectors from a trainable table of
        this many buckets, so unknown words count too.
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
    title_inputs, pieces_embedding = [title_ids], None
    if subword_buckets:
        title_inputs.append(keras.Input((title_length, MAX_PIECES), dtype="int32", name=TITLE_PIECES_INPUT))
        pieces_embedding = layers.Embedding(subword_buckets + 1, dim, name=PIECES_EMBEDDING,
                                            embeddings_initializer=keras.initializers.RandomNormal(stddev=0.05))
    # Only the GRU is masked (it must skip padding); max-pooled convolutions need no mask.
    words, mask = title_word_vectors(w_in, pieces_embedding, title_inputs)
    title = title_gru(words, mask=mask)
    title = layers.UnitNormalization(name=TITLE_VECTOR)(title)
    model = keras.Model([description_ids, *title_inputs], layers.Concatenate(name="pair")([description, title]),
                        name="joaps")
    w_in.set_weights([embeddings])  # after building: an initializer would copy W_in into the config
    return with_sampled_negatives(model, n_negatives) if n_negatives is not None else model


def title_word_vectors(w_in, pieces_embedding, title_inputs):
    """The title encoder's word vectors and mask: W_in of each word, plus the mean of its pieces if any.

    `title_inputs` is ``[title_ids]`` or ``[title_ids, title_pieces]`` (then
    `pieces_embedding` embeds the pieces); a word unknown to W_in (id 0) still
    counts when it has pieces.
    """
    ids = title_inputs[0]
    words, mask = w_in(ids), ops.not_equal(ids, 0)
    if len(title_inputs) == 1:
        return words, mask
    pieces = title_inputs[1]
    present = ops.cast(ops.not_equal(pieces, 0), words.dtype)
    count = ops.sum(present, axis=2)
    summed = ops.sum(pieces_embedding(pieces) * present[..., None], axis=2)
    return words + summed / ops.maximum(count, 1.0)[..., None], ops.logical_or(mask, ops.greater(count, 0))


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
    description_ids, *title_inputs = network.inputs
    negative_inputs = [keras.Input(t.shape[1:], dtype="int32", name=f"negative_{t.name}") for t in title_inputs]
    pieces_embedding = network.get_layer(PIECES_EMBEDDING) if len(title_inputs) > 1 else None
    words, mask = title_word_vectors(network.get_layer("w_in"), pieces_embedding, negative_inputs)
    negatives = network.get_layer("title_gru")(words, mask=mask)
    negatives = layers.UnitNormalization(name="negative_vector")(negatives)
    # Stacked under the pairs (the batch axis): the negatives' count differs from the pairs'.
    padded = ops.concatenate([negatives, ops.zeros_like(negatives)], axis=1)
    output = ops.concatenate([network(network.inputs), padded], axis=0)
    return keras.Model([*network.inputs, *negative_inputs], output, name="joaps_warp")


def split_encoders(model):
    """Return ``(description_encoder, title_encoder)`` sharing `model`'s weights.

    The title encoder takes ``title_ids`` (and ``title_pieces`` with subwords).
    """
    description_encoder = keras.Model(
        model.get_layer(DESCRIPTION_INPUT).output, model.get_layer(DESCRIPTION_VECTOR).output
    )
    title_inputs = model.inputs[1:]
    title_encoder = keras.Model(title_inputs[0] if len(title_inputs) == 1 else title_inputs,
                                model.get_layer(TITLE_VECTOR).output)
    return description_encoder, title_encoder
