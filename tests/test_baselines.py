"""The baselines fit, predict, clone and pickle, on real O*NET data."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone

from job2vec import normalize_title
import keras
from sklearn.model_selection import cross_val_score, KFold

from job2vec._seq2seq import PAD, beam_search, build_seq2seq_network, inference_models
from job2vec.baselines import (MostFrequentTitlePredictor, Seq2SeqTitlePredictor, TfidfNeighborsTitlePredictor,
                               Word2VecSumEmbedder)
from job2vec.metrics import top_k_scorer

from .conftest import onet_tasks_sample

TINY_SEQ2SEQ = dict(units=8, word_vector_size=16, min_count=2, epochs=1, max_description_length=30,
                    batch_size=32, random_state=0)


@pytest.mark.parametrize("estimator", [TfidfNeighborsTitlePredictor(n_neighbors=5), MostFrequentTitlePredictor()],
                         ids=lambda e: type(e).__name__)
def test_title_predictors(estimator, tasks):
    X, y = tasks
    model = clone(estimator).fit(X, y)
    top, scores = model.predict_top_k(X[:6], k=3, return_scores=True)
    assert top.shape == scores.shape == (6, 3)
    assert np.all(np.diff(scores, axis=1) <= 0)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict_top_k(X[:6], k=3), top)
    assert 0 <= model.score(X[:20], y[:20]) <= 1


def test_tfidf_votes_recover_training_titles(tasks):
    X, y = tasks
    model = TfidfNeighborsTitlePredictor(n_neighbors=1).fit(X, y)
    # A training description's nearest neighbour is itself.
    assert model.score(X[:50], y[:50]) == 1.0
    votes = model.decision_function(X[:3])
    assert votes.shape == (3, len(model.classes_))


def test_tfidf_votes_with_threads_and_from_a_model_saved_before_n_jobs(tasks):
    X, y = tasks
    model = TfidfNeighborsTitlePredictor().fit(X, y)
    top = model.predict_top_k(X[:300], k=5)
    np.testing.assert_array_equal(clone(model).set_params(n_jobs=2).fit(X, y).predict_top_k(X[:300], k=5), top)
    state = model.__getstate__()
    del state["n_jobs"]  # job2vec 0.2.0 had no such parameter
    restored = TfidfNeighborsTitlePredictor.__new__(TfidfNeighborsTitlePredictor)
    restored.__setstate__(state)
    assert restored.get_params()["n_jobs"] is None
    np.testing.assert_array_equal(restored.predict_top_k(X[:300], k=5), top)


def test_tfidf_index_is_built_once_and_forgotten_by_a_refit(tasks):
    X, y = tasks
    model = TfidfNeighborsTitlePredictor(n_jobs=2).fit(X[::2], y[::2])
    model.predict_top_k(X[:40], k=3)
    index = model._neighbour_index()
    model.decision_function(X[40:80])
    assert model._neighbour_index() is index  # one index for every call and thread
    model.fit(X[1::2], y[1::2])  # other descriptions
    fresh = TfidfNeighborsTitlePredictor().fit(X[1::2], y[1::2])
    np.testing.assert_array_equal(model.predict_top_k(X[:40], k=3), fresh.predict_top_k(X[:40], k=3))
    assert "_index" not in pickle.loads(pickle.dumps(model)).__dict__


def test_most_frequent_ranks_by_count():
    model = MostFrequentTitlePredictor().fit(list("abcdef"), ["x", "y", "y", "z", "z", "z"])
    np.testing.assert_array_equal(model.predict_top_k(["q"], k=3)[0], ["z", "y", "x"])


def test_word2vec_sum_embedder(tasks):
    X, y = tasks
    model = Word2VecSumEmbedder(vector_size=16, min_count=2, random_state=0).fit(y, X)
    vectors = model.transform(list(model.titles_[:3]))
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1, rtol=1e-5)
    neighbours = model.most_similar(model.titles_[0], topn=3)
    assert len(neighbours) == 3 and normalize_title(model.titles_[0]) not in [t for t, _ in neighbours]
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_allclose(restored.transform(["welder"]), model.transform(["welder"]))


def test_seq2seq_fits_generates_clones_and_pickles(tasks):
    X, y = tasks
    model = clone(Seq2SeqTitlePredictor(**TINY_SEQ2SEQ)).fit(X, y)
    top, scores = model.predict_top_k(X[:5], k=4, return_scores=True)
    assert top.shape == scores.shape == (5, 4)
    assert np.all(np.diff(scores, axis=1) <= 1e-9) and np.all(scores <= 0)  # log probabilities, best first
    assert all(len(set(row)) == 4 and all(row) for row in top)  # distinct, non-empty titles
    words = set(model.title_words_)
    assert all(set(title.split()) <= words for title in top.ravel())
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict_top_k(X[:5], k=4), top)
    assert "val_loss" in model.history_


def test_seq2seq_learns_to_write_real_titles():
    """Trained long enough on four O*NET occupations, it writes their titles back."""
    X, y = onet_tasks_sample(4, seed=3)
    model = Seq2SeqTitlePredictor(**{**TINY_SEQ2SEQ, "units": 32, "epochs": 40, "early_stopping": False,
                                     "learning_rate": 1e-2}).fit(X, y)
    accuracy = model.score(X, y)
    print(f"training top-1 {accuracy:.3f}, titles {sorted(set(y))}")
    assert accuracy > 0.6


def test_seq2seq_in_cross_validation_with_the_paper_protocol(tasks):
    X, y = tasks
    scores = cross_val_score(Seq2SeqTitlePredictor(**TINY_SEQ2SEQ), X, y, cv=KFold(2, shuffle=True, random_state=0),
                             scoring=top_k_scorer(k=5, candidates="fitted+test"))
    assert scores.shape == (2,) and np.all((scores >= 0) & (scores <= 1))


def test_beam_search_is_exact_when_the_beam_holds_every_hypothesis():
    # Three title words and at most two of them: 3 + 9 titles, all kept by a beam of 12.
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    network = build_seq2seq_network(rng.normal(size=(10, 4)).astype("float32"), n_title_words=7,
                                    description_length=5, title_length=3, units=6, trainable_embeddings=False)
    descriptions = rng.integers(0, 10, (2, 5)).astype("int32")
    sequences, scores = beam_search(*inference_models(network, 12), descriptions, beam_width=12, max_length=3)

    # Every title scored by the teacher-forced training graph.
    candidates = [[w] for w in (4, 5, 6)] + [[a, b] for a in (4, 5, 6) for b in (4, 5, 6)]
    targets = np.array([c + [1] + [0] * (2 - len(c)) for c in candidates])  # words, <eos>, padding
    decoder_inputs = np.concatenate([np.full((len(targets), 1), 2), targets[:, :-1]], axis=1)
    for row, description in enumerate(descriptions):
        logits = network.predict_on_batch([np.repeat(description[None], len(targets), 0), decoder_inputs])
        log_probabilities = np.asarray(keras.ops.log_softmax(logits, axis=-1))
        picked = np.take_along_axis(log_probabilities, targets[..., None], axis=-1)[..., 0]
        exhaustive = np.where(targets != PAD, picked, 0).sum(axis=1)
        order = np.argsort(-exhaustive)
        np.testing.assert_allclose(scores[row], exhaustive[order], rtol=1e-4)
        found = [list(s[s != PAD]) for s in sequences[row]]
        assert found == [candidates[i] for i in order]


def test_seq2seq_rejects_bad_parameters(tasks):
    X, y = tasks
    for params in (dict(units=0), dict(beam_width=0), dict(learning_rate=-1.0), dict(validation_fraction=1.5)):
        with pytest.raises(ValueError, match=next(iter(params))):
            Seq2SeqTitlePredictor(**params).fit(X, y)
