"""The chunked scorer every predictor ranks through, and scoring without copying a network."""

import copy

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from job2vec._ranking import scores_in_chunks, top_k_indices
from job2vec.metrics import top_k_scorer


@given(st.integers(1, 40), st.integers(1, 12), st.integers(1, 15), st.integers(1, 9), st.integers(0, 10**6))
def test_chunked_scores_equal_the_whole_matrix(n_rows, n_classes, k, size, seed):
    matrix = np.random.default_rng(seed).normal(size=(n_rows, n_classes)).astype(np.float32)
    np.testing.assert_array_equal(scores_in_chunks(lambda rows: matrix[rows], n_rows, size=size), matrix)
    indices, scores = scores_in_chunks(lambda rows: matrix[rows], n_rows, k, size=size)
    np.testing.assert_array_equal(indices, top_k_indices(matrix, k))
    np.testing.assert_array_equal(scores, np.take_along_axis(matrix, top_k_indices(matrix, k), axis=1))


def test_predictor_ranks_through_the_chunked_scorer(fitted_predictor, tasks):
    X = tasks[0][:9]
    vectors, tokens = fitted_predictor._encode_descriptions(X, return_tokens=True)
    best, scores = scores_in_chunks(lambda rows: fitted_predictor._scores(vectors[rows], tokens[rows]), len(X), 4,
                                    size=2)
    titles, got = fitted_predictor.predict_top_k(X, k=4, return_scores=True)
    np.testing.assert_array_equal(fitted_predictor.classes_[best], titles)
    np.testing.assert_allclose(scores, got, rtol=1e-6)


def test_copy_shares_the_network_and_the_test_title_scorer_leaves_the_model_alone(fitted_predictor, tasks):
    shallow = copy.copy(fitted_predictor)
    assert shallow.network_ is fitted_predictor.network_  # not saved and reloaded
    classes, vectors = fitted_predictor.classes_, fitted_predictor.candidate_vectors_
    X, y = tasks[0][:20], ["an unseen title"] * 20
    assert top_k_scorer(k=5, candidates="fitted+test")(fitted_predictor, X, y) >= 0
    assert fitted_predictor.classes_ is classes and fitted_predictor.candidate_vectors_ is vectors


def test_many_candidates_are_scored_in_chunks_within_the_budget(monkeypatch):
    from job2vec import _ranking

    monkeypatch.setattr(_ranking, "SCORE_BUDGET", 1000)
    matrix = np.random.default_rng(0).normal(size=(50, 300)).astype(np.float32)
    seen = []

    def score_rows(rows):
        seen.append(rows.stop - rows.start)
        return matrix[rows]

    indices, _ = scores_in_chunks(score_rows, 50, 5, n_columns=300)
    assert max(seen) == 3 and sum(seen) == 50  # 1000 // 300 rows at a time
    np.testing.assert_array_equal(indices, top_k_indices(matrix, 5))
