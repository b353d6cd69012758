"""Keep different titles apart: a short fine-tuning of the title encoder after training.

The ranking loss pulls a title towards its descriptions, so titles whose
descriptions are the same (one job in two cities, two requisition numbers,
"system" / "systems engineer") can end up with almost one vector: cosine
0.999 and more, which `most_similar` shows as 1.00. `separate_titles` pushes
each such pair down to `max_similarity` while holding every title near its
trained vector, so the space keeps its shape and titles stay told apart.

Titles with the same encoder input (the same tokens up to
``max_title_length``, e.g. "analyst - senior" and "analyst-senior") are one
title to the model; they are never pushed apart.

Titles never seen in fit need the same: a GRU trained on a few thousand
titles can learn to ignore a position, and then "watson data scientist" is
"polling data scientist". So each round also tries variants of the fitted
titles, one token swapped for a token of another title, and pushes the
variants that stay too close away from their source. A word unknown to W_in
(a code, a product, a misspelling) reaches the encoder through its pieces
only, and unseen ones came out within 0.995 of a fitted title ("opera
developer" and "onetrust developer", "business analyst, 142245" and
"business analyst, 142104"): so half the variants write such a word of a
fitted title differently instead.
"""

import keras
import numpy as np
from keras import ops

from ._networks import (PIECES_EMBEDDING, TITLE_WORD_MEAN, distinct_title_inputs, input_rows,
                        optional_layer, run_encoder, split_encoders, title_graph)
from ._ranking import row_chunks

# Only these learn: the description encoder shares W_in, and must not move.
_TITLE_LAYERS = ("title_gru", PIECES_EMBEDDING, TITLE_WORD_MEAN)
_ANCHOR_WEIGHT = 10.0  # of the drift (1 - cosine to the trained vector) against the hinge
_PAIRS_PER_STEP = 64  # close pairs per step, and as many random pairs that only anchor
_STEPS_PER_ROUND = 50
_ROUNDS = 8  # on LinkedIn 2024, 16 left 11 unseen validation titles at 0.995 instead of 12, in twice the time
_MARGIN = 0.01  # the hinge pushes close pairs this far below max_similarity, so that rounds end
_LEARNING_RATE = 3e-3
_NEIGHBOUR_BUDGET = 2**24  # title pairs scored at once while looking for close pairs
_VARIANTS_PER_ROUND = 2048  # variants of fitted titles of each kind tried each round
_SIZING_STEPS = 32  # random steps that size the distinct pieces' bucket before a round's first step


def nearest_other_title(vectors, keys):
    """Each title's most similar title with another encoder input: (index, cosine); (-1, -inf) if none."""
    n_titles = len(vectors)
    nearest, similarity = np.full(n_titles, -1), np.full(n_titles, -np.inf, dtype=vectors.dtype)
    for rows in row_chunks(n_titles, max(1, _NEIGHBOUR_BUDGET // max(n_titles, 1))):
        scores = vectors[rows] @ vectors.T
        scores[keys[rows][:, None] == keys[None, :]] = -np.inf  # itself, and titles with its input
        nearest[rows] = scores.argmax(axis=1)
        similarity[rows] = scores[np.arange(len(scores)), nearest[rows]]
    nearest[~np.isfinite(similarity)] = -1
    return nearest, similarity


def one_token_variants(title_arrays, n_variants, rng):
    """`n_variants` titles unseen in fit: fitted titles with one token swapped for another title's.

    Returns the variants' encoder inputs, the fitted title each one comes
    from, and whether the swap changed anything (not when the token was the
    same); always `n_variants` rows, so that the encoder keeps one shape.
    """
    ids = title_arrays[0]
    # A token is there if it has a word id or, with subwords, its first piece (the whole word).
    present = (title_arrays[1][..., 0] > 0) if len(title_arrays) > 1 else ids > 0
    titles, positions = np.nonzero(present)
    swapped, donor = rng.integers(0, len(titles), (2, n_variants))
    sources, at = titles[swapped], positions[swapped]
    variants = []
    for array in title_arrays:
        variant = array[sources]
        variant[np.arange(n_variants), at] = array[titles[donor], positions[donor]]
        variants.append(variant)
    changed = input_rows(variants) != input_rows([a[sources] for a in title_arrays])
    return variants, sources, changed


def respelled_word_variants(title_arrays, n_variants, n_buckets, rng):
    """`n_variants` titles unseen in fit: fitted titles with one word unknown to W_in written differently.

    Such a word is its pieces only (`title_arrays` is ``[ids, pieces]``). A
    new spelling (another code, a typo, another product) changes its
    whole-word piece and some of its n-grams: the first piece is redrawn
    among the `n_buckets`, and each other one with a probability drawn per
    variant between 0.1 (one letter changed) and 1 (another word). Returns as
    `one_token_variants` does, or None when no fitted title has such a word.
    """
    ids, pieces = title_arrays
    titles, positions = np.nonzero((ids == 0) & (pieces[..., 0] > 0))
    if not len(titles):
        return None
    chosen = rng.integers(0, len(titles), n_variants)
    sources, at, rows = titles[chosen], positions[chosen], np.arange(n_variants)
    word = pieces[sources, at]
    redrawn = (rng.random(word.shape) < rng.uniform(0.1, 1.0, (n_variants, 1))) & (word > 0)
    redrawn[:, 0] = True
    variant_pieces = pieces[sources]
    variant_pieces[rows, at] = np.where(redrawn, rng.integers(1, n_buckets + 1, word.shape), word)
    variants = [ids[sources], variant_pieces]
    changed = input_rows(variants) != input_rows([a[sources] for a in title_arrays])
    return variants, sources, changed


def unseen_variants(title_arrays, n_variants, n_buckets, rng):
    """`one_token_variants`, then as many `respelled_word_variants` when the titles have pieces and such words."""
    kinds = [one_token_variants(title_arrays, n_variants, rng)]
    if n_buckets:
        kinds.append(respelled_word_variants(title_arrays, n_variants, n_buckets, rng))
    kinds = [kind for kind in kinds if kind is not None]
    return ([np.concatenate(arrays) for arrays in zip(*(kind[0] for kind in kinds))],
            np.concatenate([kind[1] for kind in kinds]), np.concatenate([kind[2] for kind in kinds]))


def separate_titles(network, title_arrays, max_similarity, rng, verbose=0):
    """Fine-tune `network`'s title encoder so that different titles are at most `max_similarity` apart.

    Each round finds the titles whose nearest other title (another encoder
    input) is closer than `max_similarity`, and the `unseen_variants`
    closer than that to their source; then it takes `_STEPS_PER_ROUND` Adam
    steps on such pairs, each step also holding random titles in place: the
    loss is the hinge ``relu(cos(a, b) - max_similarity + _MARGIN)`` of the
    close pairs plus `_ANCHOR_WEIGHT` times each fitted title's drift from
    its trained vector. Rounds stop when no pair is too close, at most
    `_ROUNDS`. Only the title GRU, its word-mean map and the subword table learn.

    Parameters
    ----------
    network : keras.Model
        The trained JOAPS network; its title layers are updated in place.
    title_arrays : list of ndarray
        The title encoder's inputs of the fitted titles.
    max_similarity : float
    rng : numpy.random.Generator
    verbose : int, default=0
        Print one line per round.

    Returns
    -------
    int
        Rounds run (0 when no two titles were too close).
    """
    encoder = split_encoders(network)[1]
    pieces_embedding = optional_layer(network, PIECES_EMBEDDING)
    n_buckets = 0 if pieces_embedding is None else pieces_embedding.input_dim - 1
    keys = np.unique(input_rows(title_arrays), return_inverse=True)[1].ravel()
    trained = run_encoder(encoder, title_arrays).astype(np.float32)
    trainer = None
    try:
        for round_ in range(_ROUNDS):
            vectors = trained if round_ == 0 else run_encoder(encoder, title_arrays)
            nearest, similarity = nearest_other_title(vectors, keys)
            close = np.flatnonzero(similarity > max_similarity)
            variants, sources, changed = unseen_variants(title_arrays, _VARIANTS_PER_ROUND, n_buckets, rng)
            close_variants = changed & (np.sum(run_encoder(encoder, variants) * vectors[sources], axis=1)
                                        > max_similarity)
            if verbose:
                print(f"separating titles, round {round_ + 1}: {len(close):,} of {len(trained):,} titles and "
                      f"{close_variants.sum():,} of {len(sources):,} unseen variants above "
                      f"cosine {max_similarity}", flush=True)
            if not len(close) and not close_variants.any():
                return round_
            if trainer is None:
                trainer = _pair_trainer(network, trained.shape[1], max_similarity)
                distinct = distinct_title_inputs(network)
            # The close pairs: fitted titles and their nearest, variants and their source, half of each
            # step's pairs from each kind (variants may be many more). A variant has no trained vector
            # to keep: its anchor is zero, so its drift has no gradient.
            first = [np.concatenate([a[close], v[close_variants]]) for a, v in zip(title_arrays, variants)]
            first_anchor = np.concatenate([trained[close], np.zeros((close_variants.sum(), trained.shape[1]),
                                                                    dtype=trained.dtype)])
            second = np.concatenate([nearest[close], sources[close_variants]])
            kinds = [np.arange(len(close)), len(close) + np.arange(close_variants.sum())]
            kinds = [kind for kind in kinds if len(kind)]

            def step(draw):
                """One step's inputs and targets, its pairs drawn with `draw`."""
                pairs = np.concatenate([draw.choice(kind, _PAIRS_PER_STEP // len(kinds)) for kind in kinds])
                anchored = draw.integers(0, len(trained), (2, _PAIRS_PER_STEP))
                inputs = (distinct([np.concatenate([f[pairs], a[anchored[0]]]) for f, a in zip(first, title_arrays)])
                          + distinct([a[np.concatenate([second[pairs], anchored[1]])] for a in title_arrays]))
                targets = np.concatenate([np.concatenate([first_anchor[pairs], trained[anchored[0]]]),
                                          trained[np.concatenate([second[pairs], anchored[1]])]], axis=1)
                return inputs, targets

            # Size the distinct pieces' bucket on random steps first (as `with_distinct_words`):
            # a bucket that grows later is one more compilation of the step.
            sizer = np.random.default_rng(round_)
            for _ in range(_SIZING_STEPS):
                step(sizer)
            for _ in range(_STEPS_PER_ROUND):
                trainer.train_on_batch(*step(rng))
        return _ROUNDS
    finally:
        if trainer is not None:  # the other layers learn again in a later fit
            for layer in trainer.frozen_layers:
                layer.trainable = True


def _pair_trainer(network, size, max_similarity):
    """A model over title pairs whose gradient reaches the title layers only; the others are frozen for it.

    Its inputs are the two titles' `distinct_title_inputs`.
    """
    frozen = [layer for layer in network.layers if layer.name not in _TITLE_LAYERS and layer.trainable]
    for layer in frozen:
        layer.trainable = False
    encoder = title_graph(network)
    first, second = ([keras.Input(t.shape[1:], dtype="int32") for t in encoder.inputs] for _ in range(2))
    unpack = (lambda inputs: inputs[0]) if len(first) == 1 else (lambda inputs: inputs)
    trainer = keras.Model(first + second, ops.concatenate([encoder(unpack(first)), encoder(unpack(second))], axis=1))
    trainer.frozen_layers = frozen

    def loss(trained, pair):
        a, b, a0, b0 = pair[:, :size], pair[:, size:], trained[:, :size], trained[:, size:]
        target = max_similarity - _MARGIN
        hinge = ops.relu(ops.sum(a * b, axis=1) - target) / max(1.0 - target, _MARGIN)
        drift = 2.0 - ops.sum(a * a0, axis=1) - ops.sum(b * b0, axis=1)  # a0 = 0 for a variant: constant
        return hinge + _ANCHOR_WEIGHT * drift

    trainer.compile(optimizer=keras.optimizers.Adam(_LEARNING_RATE), loss=loss)
    return trainer
