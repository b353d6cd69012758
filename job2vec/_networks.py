"""Keras 3 builders for the two JOAPS encoders, joined in one flat graph.

One flat functional graph (rather than two nested sub-models) because Keras 3
cannot reload nested models that share a layer, and W_in is shared. The
encoders are re-derived from named tensors with `split_encoders`.

Training and description encoding run through a second graph over the same
weights (`pairs_graph`, `DescriptionEncoder`): the CNN computed from each
distinct word's projections (`ProjectedFilters`), 3-5 times faster on a CPU.
A fitted network encodes descriptions from a table of every word's projections
in NumPy (`job2vec._description`), unless that table would be too large.
"""

import math

import keras
import numpy as np
from keras import layers, ops

from .word_vectors import MAX_PIECES

DESCRIPTION_INPUT = "description_ids"
TITLE_INPUT = "title_ids"
DESCRIPTION_VECTOR = "description_vector"
TITLE_VECTOR = "title_vector"
TITLE_PIECES_INPUT = "title_pieces"
PIECES_EMBEDDING = "title_pieces_embedding"
TITLE_WORD_MEAN = "title_word_mean"
UNKNOWN_WORD_NORM = "unknown_word_norm"
PREDICT_BATCH = 256
DESCRIPTION_POSITIONS = "description_positions"
DESCRIPTION_WORDS = "description_words"
TITLE_POSITIONS = "title_positions"
TITLE_WORD_PIECES = "title_word_pieces"


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
    title_word_mean=False,
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
        this many buckets, so unknown words count too. A word unknown to
        W_in is its pieces' mean scaled to the median norm of W_in's rows
        (`UnknownWordNorm`): unscaled, it was 6-8 times shorter than a known
        word, and the title encoder could hardly tell "naesoc analyst" from
        "fisnit analyst".
    title_word_mean : bool
        Add to the GRU's output a linear map of the mean of the title's word
        vectors, so that every word moves the title vector (see `title_vector`).
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
    description = UnitVector(name=DESCRIPTION_VECTOR)(description)

    title_ids = keras.Input((title_length,), dtype="int32", name=TITLE_INPUT)
    title_gru = layers.Bidirectional(layers.GRU(embedding_size // 2), name="title_gru")
    title_inputs, pieces_embedding, unknown_norm = [title_ids], None, None
    if subword_buckets:
        title_inputs.append(keras.Input((title_length, MAX_PIECES), dtype="int32", name=TITLE_PIECES_INPUT))
        pieces_embedding = layers.Embedding(subword_buckets + 1, dim, name=PIECES_EMBEDDING,
                                            embeddings_initializer=keras.initializers.RandomNormal(stddev=0.05))
        norms = np.linalg.norm(embeddings[1:], axis=1)
        typical_norm = float(np.median(norms[norms > 0])) if norms.any() else 1.0
        unknown_norm = UnknownWordNorm(typical_norm, name=UNKNOWN_WORD_NORM)
    word_mean = layers.Dense(embedding_size, use_bias=False, name=TITLE_WORD_MEAN) if title_word_mean else None
    title = title_vector(title_gru, word_mean, *title_word_vectors(w_in, pieces_embedding, title_inputs, unknown_norm),
                         name=TITLE_VECTOR)
    model = keras.Model([description_ids, *title_inputs], layers.Concatenate(name="pair")([description, title]),
                        name="joaps")
    w_in.set_weights([embeddings])  # after building: an initializer would copy W_in into the config
    return with_sampled_negatives(model, n_negatives) if n_negatives is not None else model


def title_word_vectors(w_in, pieces_embedding, title_inputs, unknown_norm=None):
    """The title encoder's word vectors and mask: W_in of each word, plus the mean of its pieces if any.

    `title_inputs` is ``[title_ids]``, ``[title_ids, title_pieces]`` (then
    `pieces_embedding` embeds the pieces), or ``[title_ids, positions,
    word_pieces]``: the pieces as `distinct_title_pieces`, each distinct
    word's mean computed once. A word unknown to W_in (id 0) still counts
    when it has pieces, scaled by `unknown_norm` (an `UnknownWordNorm`; None
    in networks built before it).
    """
    ids = title_inputs[0]
    words, mask = w_in(ids), ops.not_equal(ids, 0)
    if len(title_inputs) == 1:
        return words, mask
    if len(title_inputs) == 2:
        pieces_mean, count = mean_of_pieces(pieces_embedding, title_inputs[1])
    else:
        positions, word_pieces = title_inputs[1:]
        pieces_mean, count = (ops.take(a, positions, axis=0) for a in mean_of_pieces(pieces_embedding, word_pieces))
    if unknown_norm is not None:
        pieces_mean = unknown_norm(pieces_mean, ids)
    return words + pieces_mean, ops.logical_or(mask, ops.greater(count, 0))


def mean_of_pieces(pieces_embedding, pieces):
    """Each word's mean piece vector (pieces ``(..., MAX_PIECES)``, 0 is none) and its number of pieces."""
    vectors = pieces_embedding(pieces)
    present = ops.cast(ops.not_equal(pieces, 0), vectors.dtype)
    count = ops.sum(present, axis=-1)
    summed = ops.sum(vectors * present[..., None], axis=-2)
    return summed / ops.maximum(count, 1.0)[..., None], count


def title_vector(title_gru, word_mean, words, mask, name):
    """The unit title vector: the BiGRU's final states, plus `word_mean` of the mean word vector if any.

    The GRU reads the words in order and can let one fade ("dst data
    engineer", unseen in fit, came out at cosine 0.996 from "talend/data
    engineer"); the mean of the word vectors takes every word directly, an
    unknown one through its pieces. Both leave the padding out (`mask`).
    """
    title = title_gru(words, mask=mask)
    if word_mean is not None:
        present = ops.cast(mask, words.dtype)[..., None]
        mean = ops.sum(words * present, axis=1) / ops.maximum(ops.sum(present, axis=1), 1.0)
        title = title + word_mean(mean)
    return UnitVector(name=name)(title)


@keras.saving.register_keras_serializable(package="job2vec")
class UnitVector(layers.Layer):
    """Each row scaled to unit L2 norm, as `keras.layers.UnitNormalization`, with a finite gradient at zero.

    A title with no input (no word known to W_in, no pieces) is the zero
    vector; Keras's normalization gives it a NaN gradient (``0 * inf``), and
    through the title's word mean (``0 @ kernel``) the NaN reached the
    weights: ``TitlePredictor(subword_buckets=0)`` diverged on 4,000 LinkedIn
    pairs with three such titles. Here the norm is floored before ``rsqrt``,
    so a zero row stays zero and passes a zero gradient back; other rows get
    Keras's values.
    """

    def call(self, inputs):
        squared = ops.sum(ops.square(inputs), axis=-1, keepdims=True)
        return inputs * ops.rsqrt(ops.maximum(squared, 1e-24))  # Keras caps 1/norm at 1e12: the same floor


@keras.saving.register_keras_serializable(package="job2vec")
class UnknownWordNorm(layers.Layer):
    """The pieces' mean of a word unknown to W_in scaled to `norm` (a typical W_in row's); other words' as it is.

    Called on ``(pieces_mean, title_ids)``. A padding position (no id, no
    pieces) stays zero: its norm is floored as in `UnitVector`.
    """

    def __init__(self, norm, **kwargs):
        super().__init__(**kwargs)
        self.norm = float(norm)

    def call(self, pieces_mean, ids):
        unknown = ops.cast(ops.equal(ids, 0), pieces_mean.dtype)[..., None]
        squared = ops.sum(ops.square(pieces_mean), axis=-1, keepdims=True)
        scaled = pieces_mean * (self.norm * ops.rsqrt(ops.maximum(squared, 1e-24)))
        return unknown * scaled + (1.0 - unknown) * pieces_mean

    def get_config(self):
        return {**super().get_config(), "norm": self.norm}


def network_title_vector(network, title_inputs, name):
    """The unit title vector of new `title_inputs` (as `title_word_vectors` takes them) through `network`'s layers."""
    words = title_word_vectors(network.get_layer("w_in"), optional_layer(network, PIECES_EMBEDDING), title_inputs,
                               optional_layer(network, UNKNOWN_WORD_NORM))
    return title_vector(network.get_layer("title_gru"), optional_layer(network, TITLE_WORD_MEAN), *words, name=name)


def optional_layer(network, name):
    """`network`'s layer called `name`, or None when it has none (a network built without it)."""
    return next((layer for layer in network.layers if layer.name == name), None)


def with_sampled_negatives(network, n_negatives, pairs=None):
    """The WARP training graph: the `pairs` graph plus an input of `n_negatives` sampled titles.

    The negatives go through `network`'s own W_in and title GRU, so the graphs
    share every weight: training this one trains `network`. `pairs` is the
    graph of the pairs (`pairs_graph`), `network` itself by default.

    Returns
    -------
    keras.Model
        Inputs ``[*pairs inputs, negative title inputs]``; output ``(batch +
        n_negatives, 2h)``: the pairs, then the negatives' unit vectors padded
        with zeros (see `job2vec.losses.warp_terms`).
    """
    pairs = network if pairs is None else pairs
    title_inputs = network.inputs[1:]
    negative_inputs = [keras.Input(t.shape[1:], dtype="int32", name=f"negative_{t.name}") for t in title_inputs]
    negatives = network_title_vector(network, negative_inputs, name="negative_vector")
    # Stacked under the pairs (the batch axis): the negatives' count differs from the pairs'.
    padded = ops.concatenate([negatives, ops.zeros_like(negatives)], axis=1)
    output = ops.concatenate([pairs(pairs.inputs), padded], axis=0)
    return keras.Model([*pairs.inputs, *negative_inputs], output, name="joaps_warp")


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


class ProjectedFilters(layers.Layer):
    """The description CNN (Conv1D, tanh, max over positions) computed from word projections.

    A window's convolution is the sum over its positions of the word's vector
    times that position's kernel slice, so each distinct word of a batch is
    projected once through every slice (distinct words × e × widths ×
    filters multiply-adds) and a window is the sum of its words' projections.
    A batch of 128 postings has some 4,500 distinct words in 44,000 positions:
    about 9 times fewer multiply-adds than the convolution, the same numbers
    up to float rounding. tanh is increasing, so it is taken after the max;
    the gradient reaches the winning window of each filter only, as through
    max pooling.

    It owns no weights: `convolutions` are the network's Conv1D layers.
    """

    def __init__(self, convolutions, **kwargs):
        super().__init__(**kwargs)
        self.convolutions = convolutions

    def call(self, positions, word_vectors):
        """`positions` (n, length): each word's row in `word_vectors` (distinct words, e)."""
        pooled = []
        for convolution in self.convolutions:
            width, dim, n_filters = convolution.kernel.shape
            slices = ops.reshape(ops.transpose(convolution.kernel, (1, 0, 2)), (dim, width * n_filters))
            projections = ops.matmul(word_vectors, slices)  # (distinct words, width * filters)
            n_windows = positions.shape[1] - width + 1
            windows = 0.0
            for k in range(width):
                windows = windows + ops.take(projections[:, k * n_filters:(k + 1) * n_filters],
                                             positions[:, k:k + n_windows], axis=0)
            best = ops.stop_gradient(ops.argmax(windows, axis=1))  # (n, filters): each filter's winning window
            # The winner's value again, from the projections alone: its gradient is n × filters × width terms.
            flat = ops.reshape(projections, (-1,))
            value = convolution.bias
            for k in range(width):
                words = ops.take_along_axis(positions, best + k, axis=1)
                value = value + ops.take(flat, words * (width * n_filters) + k * n_filters + ops.arange(n_filters))
            pooled.append(ops.tanh(value))
        return pooled


def _convolutions(network):
    return [layer for layer in network.layers if isinstance(layer, layers.Conv1D)]


def _description_branch(network):
    """New inputs (positions, distinct words) and the description vector computed through `ProjectedFilters`."""
    positions = keras.Input((network.get_layer(DESCRIPTION_INPUT).output.shape[1],), dtype="int32",
                            name=DESCRIPTION_POSITIONS)
    words = keras.Input((), dtype="int32", name=DESCRIPTION_WORDS)
    pooled = ProjectedFilters(_convolutions(network), name="projected_filters")(positions,
                                                                                network.get_layer("w_in")(words))
    features = pooled[0] if len(pooled) == 1 else network.get_layer("filters")(pooled)
    vector = network.get_layer(DESCRIPTION_VECTOR)(network.get_layer("description_dense")(features))
    return [positions, words], vector


# Multiply-adds of the convolutions per description position (widths × e × filters) from which
# projections pay: below it (small test networks) the convolution is cheap and compiles faster.
PROJECTION_MIN_SIZE = 20_000


def uses_projections(network):
    """Whether `network`'s description CNN is large enough to run through `ProjectedFilters`."""
    return sum(math.prod(layer.kernel.shape) for layer in _convolutions(network)) >= PROJECTION_MIN_SIZE


def _title_branch(network):
    """Title inputs (ids, positions, distinct words' pieces) and the title vector, when `network` has pieces.

    Each distinct word's pieces are embedded once per batch, not once per
    title position: a title holds 4 to 5 of its 20 positions, so the dense
    pieces array is mostly padding, and on JAX its gather and the scatter of
    its gradient into the subword table were most of a title-side step.
    Without pieces: the network's own title inputs and vector.
    """
    pieces_embedding = optional_layer(network, PIECES_EMBEDDING)
    if pieces_embedding is None:
        return network.inputs[1:], network.get_layer(TITLE_VECTOR).output
    ids, pieces = network.inputs[1:]
    positions = keras.Input(tuple(ids.shape[1:]), dtype="int32", name=TITLE_POSITIONS)
    word_pieces = keras.Input((pieces.shape[-1],), dtype="int32", name=TITLE_WORD_PIECES)
    inputs = [ids, positions, word_pieces]
    return inputs, network_title_vector(network, inputs, name="distinct_pieces_title_vector")


def title_graph(network):
    """The title encoder over `_title_branch`'s inputs: feed it through `distinct_title_inputs`."""
    inputs, title = _title_branch(network)
    return keras.Model(inputs, title, name="distinct_pieces_title_encoder")


def pairs_graph(network, projected=None):
    """The training graph of `network`: its pairs output, sharing every weight with it.

    It holds the optimizer, so the saved network never does. Title pieces
    come as `distinct_title_pieces`; with `projected` (default:
    `uses_projections`), descriptions come as (positions, distinct words).
    Feed it through `with_distinct_words`.
    """
    projected = uses_projections(network) if projected is None else projected
    if not projected and optional_layer(network, PIECES_EMBEDDING) is None:
        return keras.Model(network.inputs, network.output, name="joaps_pairs")
    if projected:
        description_inputs, description = _description_branch(network)
    else:
        description_inputs, description = network.inputs[:1], network.get_layer(DESCRIPTION_VECTOR).output
    title_inputs, title = _title_branch(network)
    pair = layers.Concatenate(name="distinct_pair")([description, title])
    return keras.Model([*description_inputs, *title_inputs], pair, name="joaps_pairs")


# Distinct-word counts are padded up to steps of 2**(1/4) (19 % apart, then rounded up to 64),
# so a fit compiles a few shapes per batch size, not one per batch.
_WORD_STEPS = 4


def distinct_words(ids, vocabulary_size, at_least=0):
    """Description ids as ``(positions, words)`` for `pairs_graph` and `DescriptionEncoder`.

    `words` are the distinct ids of the batch, zero-padded to a bucket size
    of at least `at_least`; ``words[positions] == ids``. When the bucket would
    reach half the vocabulary, the whole vocabulary is used: one shape, and
    little extra work on a vocabulary that small.
    """
    ids = np.asarray(ids, dtype=np.int32)
    words, positions = np.unique(ids, return_inverse=True)
    size = max(_bucket(len(words)), at_least)
    if 2 * size >= vocabulary_size:
        return ids, np.arange(vocabulary_size, dtype=np.int32)
    padded = np.zeros(size, dtype=np.int32)
    padded[:len(words)] = words
    return positions.reshape(ids.shape).astype(np.int32), padded


def distinct_title_pieces(pieces, at_least=0):
    """Title pieces ``(n, length, MAX_PIECES)`` as ``(positions, word_pieces)`` for `_title_branch`.

    `word_pieces` are the distinct rows of pieces (each word written once),
    zero-padded to a bucket of at least `at_least` rows;
    ``word_pieces[positions] == pieces``.
    """
    pieces = np.asarray(pieces, dtype=np.int32)
    rows = pieces.reshape(-1, pieces.shape[-1])
    _, first, positions = np.unique(input_rows([rows]), return_index=True, return_inverse=True)
    padded = np.zeros((max(_bucket(len(first)), at_least), rows.shape[1]), dtype=np.int32)
    padded[:len(first)] = rows[first]
    return positions.reshape(pieces.shape[:2]).astype(np.int32), padded


def input_rows(arrays):
    """Each row of aligned `arrays` as one key (a numpy void): equal keys, equal rows in every array."""
    flat = np.ascontiguousarray(np.concatenate([np.asarray(a).reshape(len(a), -1) for a in arrays], axis=1))
    return flat.view(np.dtype((np.void, flat.dtype.itemsize * flat.shape[1]))).ravel()


class DistinctShapes:
    """`distinct_words` or `distinct_title_pieces` with as few shapes as possible.

    Every compiled shape is a JAX compilation (4-6 s for a training step at
    the paper's sizes). For each batch size it keeps the largest bucket used
    so far and pads smaller batches up to it, instead of compiling one shape
    per bucket.

    Parameters
    ----------
    distinct : callable
        ``distinct(array, at_least) -> (positions, distinct rows)``.
    """

    def __init__(self, distinct):
        self.distinct = distinct
        self.sizes = {}

    def __call__(self, array):
        positions, rows = self.distinct(array, self.sizes.get(len(array), 0))
        self.sizes[len(array)] = len(rows)
        return positions, rows


def description_shapes(network):
    """`DistinctShapes` of `network`'s description ids."""
    vocabulary_size = network.get_layer("w_in").input_dim
    return DistinctShapes(lambda ids, at_least: distinct_words(ids, vocabulary_size, at_least))


def distinct_title_inputs(network):
    """Title encoder inputs → `title_graph(network)`'s: ``[ids, pieces]`` → ``[ids, positions, word_pieces]``."""
    if optional_layer(network, PIECES_EMBEDDING) is None:
        return lambda inputs: list(inputs)
    shapes = DistinctShapes(distinct_title_pieces)
    return lambda inputs: [inputs[0], *shapes(inputs[1])]


def _bucket(n):
    """The smallest step of the ladder ``64 * 2**(k/_WORD_STEPS)``, rounded up to 64, that holds `n`."""
    steps = max(0, math.ceil(_WORD_STEPS * math.log2(max(n, 1) / 64) - 1e-9))
    return int(math.ceil(64 * 2 ** (steps / _WORD_STEPS) / 64) * 64)


# Random batches that size the buckets of a batch size before its first step (see `with_distinct_words`).
SIZING_BATCHES = 256


def with_distinct_words(make_batch, network):
    """`make_batch` for ``pairs_graph(network)``: description ids as `distinct_words` with projections, title
    pieces as `distinct_title_pieces`.

    The first time a batch size comes, its buckets are sized for the largest
    of `SIZING_BATCHES` random batches of that size (its own generator, so
    the fit's draws stay the same): a bucket that grows later is one more
    compilation of the training step, 4-6 s at the paper's sizes. With 32
    random batches, long job ads still grew the buckets of batch size 8.
    """
    projected = uses_projections(network)
    if not projected and optional_layer(network, PIECES_EMBEDDING) is None:
        return make_batch
    descriptions = description_shapes(network) if projected else lambda ids: [ids]
    titles = distinct_title_inputs(network)
    sized = set()

    def distinct(inputs):
        return [*descriptions(inputs[0]), *titles(inputs[1:])]

    def make_distinct_batch(part, indices):
        if len(indices) not in sized:
            sized.add(len(indices))
            sampler = np.random.default_rng(len(indices))
            for _ in range(SIZING_BATCHES):
                distinct(make_batch(part, sampler.choice(len(part[-1]), len(indices), replace=False))[0])
        inputs, targets = make_batch(part, indices)
        return distinct(inputs), targets

    return make_distinct_batch


def run_encoder(encoder, ids, batch_size=PREDICT_BATCH, prepare=None):
    """Run an encoder on an id array, or on a list of input arrays (one array: the array itself).

    Through the encoder's compiled prediction step, `batch_size` rows at a
    time, the last batch padded with zero rows to a power of two: a few
    compiled shapes serve every input size. (Called directly, the encoder ran
    its GRU op by op: 0.1 s for one title on a tiny model, against 1 ms
    compiled.) `prepare` maps a padded batch's arrays to the encoder's inputs
    (default: the arrays themselves).
    """
    arrays = [np.asarray(a) for a in (ids if isinstance(ids, list) else [ids])]
    vectors = []
    for start in range(0, len(arrays[0]), batch_size):
        batch = [a[start:start + batch_size] for a in arrays]
        n_rows = len(batch[0])
        padding = min(batch_size, 1 << (n_rows - 1).bit_length()) - n_rows
        batch = [np.concatenate([a, np.zeros((padding, *a.shape[1:]), a.dtype)]) for a in batch]
        inputs = batch if prepare is None else prepare(batch)
        vectors.append(np.asarray(encoder.predict_on_batch(inputs[0] if len(inputs) == 1 else inputs))[:n_rows])
    return np.concatenate(vectors) if vectors else np.zeros((0, encoder.output.shape[-1]), np.float32)


class DescriptionEncoder:
    """Description ids → unit job2vec vectors through the Keras network, a batch at a time.

    Through `ProjectedFilters` when the network `uses_projections`, else
    through its own convolutions. A fitted model uses it only when its
    `job2vec._description` table would be too large.

    Parameters
    ----------
    network : keras.Model
        A JOAPS network (`build_joaps_network`); the encoder shares its weights.
    batch_size : int, default=PREDICT_BATCH
        Descriptions per compiled call.
    projected : bool or None, default=None
        Force one path (tests); None chooses with `uses_projections`.
    """

    def __init__(self, network, batch_size=PREDICT_BATCH, projected=None):
        self.projected = uses_projections(network) if projected is None else projected
        if self.projected:
            inputs, vector = _description_branch(network)
            self.model = keras.Model(inputs, vector, name="description_encoder")
            self.shapes = description_shapes(network)
        else:
            self.model = split_encoders(network)[0]
        self.batch_size = batch_size

    def __call__(self, ids):
        ids = np.asarray(ids, dtype=np.int32)
        prepare = (lambda batch: list(self.shapes(batch[0]))) if self.projected else None
        return run_encoder(self.model, ids, self.batch_size, prepare)
