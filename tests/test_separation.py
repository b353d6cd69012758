"""Keeping different titles apart after training (`max_title_similarity`), on real O*NET titles."""

import numpy as np
import pytest

from job2vec import JoapsEmbedder
from job2vec._networks import run_encoder
from job2vec._separation import (input_rows, nearest_other_title, one_token_variants, respelled_word_variants,
                                 unseen_variants)

from .conftest import TINY, onet_tasks_sample

DESCRIPTION_LAYERS = ("w_in", "conv_3", "conv_4", "conv_5", "description_dense")


@pytest.fixture(scope="module")
def tasks40():
    return onet_tasks_sample(40, seed=1)


@pytest.fixture(scope="module")
def plain(tasks40):
    """The embedder fitted without the separation (TINY's `max_title_similarity=None`)."""
    X, y = tasks40
    return JoapsEmbedder(**TINY).fit(y, X)


def nearest_similarity_of_titles(embedder):
    keys = np.unique(input_rows(embedder._title_inputs(list(embedder.titles_))), return_inverse=True)[1].ravel()
    return nearest_other_title(embedder.title_vectors_.astype(np.float32), keys)[1]


def test_close_titles_are_pushed_apart_and_the_description_side_stays(tasks40, plain):
    X, y = tasks40
    before = nearest_similarity_of_titles(plain)
    threshold = float(np.sort(before)[-5])  # the five closest titles are too close
    separated = JoapsEmbedder(**{**TINY, "max_title_similarity": threshold}).fit(y, X)
    after = nearest_similarity_of_titles(separated)
    assert (after > threshold).sum() < (before > threshold).sum() and after.max() < before.max()
    # Each title stays near its trained vector.
    assert np.mean(np.sum(plain.title_vectors_ * separated.title_vectors_, axis=1)) > 0.9
    # Only the title layers learned: the description encoder (and W_in) are the trained ones.
    for name in DESCRIPTION_LAYERS:
        for old, new in zip(plain.network_.get_layer(name).get_weights(),
                            separated.network_.get_layer(name).get_weights()):
            np.testing.assert_array_equal(old, new)
    assert all(layer.trainable for layer in separated.network_.layers)  # unfrozen after
    # Titles one token away from a fitted title, unseen in fit, are told apart from it better too.
    arrays = plain._title_inputs(list(plain.titles_))
    variants, sources, changed = unseen_variants(arrays, 1000, TINY["subword_buckets"], np.random.default_rng(0))

    def variants_too_close(embedder):
        similarity = np.sum(run_encoder(embedder._title_encoder, variants) * embedder.title_vectors_[sources], 1)
        return int(np.sum(changed & (similarity > threshold)))

    assert variants_too_close(separated) < variants_too_close(plain)


def test_one_token_variants_change_one_token_of_their_source(tasks40, plain):
    arrays = plain._title_inputs(sorted(set(tasks40[1])))
    variants, sources, changed = one_token_variants(arrays, 500, np.random.default_rng(0))
    assert [v.shape for v in variants] == [(500,) + a.shape[1:] for a in arrays] and changed.mean() > 0.9
    ids, pieces = variants
    token_differs = (ids != arrays[0][sources]) | np.any(pieces != arrays[1][sources], axis=2)
    assert np.array_equal(token_differs.sum(axis=1), changed.astype(int))  # one position, where changed
    assert np.all(pieces[token_differs][:, 0] > 0)  # the swapped-in token is a real token


def test_respelled_word_variants_write_one_unknown_word_differently(tasks40, plain):
    arrays = plain._title_inputs(sorted(set(tasks40[1])))
    ids, pieces = arrays
    assert np.any((ids == 0) & (pieces[..., 0] > 0))  # O*NET titles have words below min_count
    variants, sources, changed = respelled_word_variants(arrays, 500, TINY["subword_buckets"],
                                                         np.random.default_rng(0))
    assert [v.shape for v in variants] == [(500,) + a.shape[1:] for a in arrays] and changed.mean() > 0.9
    assert np.array_equal(variants[0], ids[sources])  # the words known to W_in stay
    word_differs = np.any(variants[1] != pieces[sources], axis=2)
    assert np.array_equal(word_differs.sum(axis=1), changed.astype(int))
    assert np.all(variants[0][word_differs] == 0)  # the respelled word is one W_in does not know
    assert np.mean(variants[1][word_differs][:, 0] != pieces[sources][word_differs][:, 0]) > 0.99  # a new word
    assert variants[1].min() >= 0 and variants[1].max() <= TINY["subword_buckets"]
    # Padding stays padding: a piece is drawn only where the word had one.
    assert np.array_equal(variants[1] > 0, pieces[sources] > 0)
    # Without words unknown to W_in there is nothing to respell.
    assert respelled_word_variants([np.where(ids == 0, 1, ids), pieces], 10, 1024, np.random.default_rng(0)) is None
    # The separation's variants: one-token swaps, then as many respellings when the titles have pieces.
    both, sources, _ = unseen_variants(arrays, 300, TINY["subword_buckets"], np.random.default_rng(0))
    assert len(sources) == 600 and np.array_equal(both[0][300:], ids[sources[300:]])
    assert len(unseen_variants(arrays, 300, 0, np.random.default_rng(0))[1]) == 300


def test_titles_the_model_cannot_tell_apart_are_the_query_itself(tasks40):
    X, y = tasks40
    X = np.concatenate([X, X[:2]])
    y = np.concatenate([y, ["field data analyst - senior", "field data analyst-senior"]])
    embedder = JoapsEmbedder(**{**TINY, "max_title_similarity": 0.99}).fit(y, X)  # the default
    assert {"field data analyst - senior", "field data analyst-senior"} <= set(embedder.titles_)
    neighbours = [title for title, _ in embedder.most_similar("field data analyst - senior", topn=50)]
    assert "field data analyst-senior" not in neighbours and "field data analyst - senior" not in neighbours
    assert len(neighbours) == min(50, len(embedder.titles_) - 2)
