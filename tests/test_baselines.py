"""The baselines fit, predict, clone and pickle, on real O*NET data."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone

from job2vec import normalize_title
from job2vec.baselines import MostFrequentTitlePredictor, TfidfNeighborsTitlePredictor, Word2VecSumEmbedder


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
