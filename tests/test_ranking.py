"""The chunked scorer every predictor ranks through, and scoring without copying a network."""

import copy
import threading

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from job2vec._ranking import scores_in_chunks, top_k_indices
from job2vec.metrics import top_k_scorer


@given(st.integers(1, 40), st.integers(1, 12), st.integers(1, 15), st.integers(1, 9), st.integers(0, 10**6),
       st.sampled_from([None, 1, 2, -1]), st.booleans())
def test_chunked_scores_equal_the_whole_matrix(n_rows, n_classes, k, size, seed, n_jobs, prepared):
    matrix = np.random.default_rng(seed).normal(size=(n_rows, n_classes)).astype(np.float32)
    # With `prepare`, the calling thread slices the rows and the threads are given the slice's values.
    score_rows, prepare = ((lambda chunk: chunk), (lambda rows: matrix[rows])) if prepared else \
        ((lambda rows: matrix[rows]), None)
    np.testing.assert_array_equal(scores_in_chunks(score_rows, n_rows, size=size, n_jobs=n_jobs, prepare=prepare),
                                  matrix)
    indices, scores = scores_in_chunks(score_rows, n_rows, k, size=size, n_jobs=n_jobs, prepare=prepare)
    np.testing.assert_array_equal(indices, top_k_indices(matrix, k))
    np.testing.assert_array_equal(scores, np.take_along_axis(matrix, top_k_indices(matrix, k), axis=1))
    # A per-row summary of each chunk's full scores comes back in row order.
    *_, summaries = scores_in_chunks(score_rows, n_rows, k, size=size, n_jobs=n_jobs, prepare=prepare,
                                     summary=lambda chunk: chunk.sum(axis=1))
    np.testing.assert_allclose(summaries, matrix.sum(axis=1), rtol=1e-6)


def test_predictor_ranks_through_the_chunked_scorer(fitted_predictor, tasks):
    X = tasks[0][:9]
    vectors, tokens = fitted_predictor._encode_descriptions(X, return_tokens=True)
    best, scores = scores_in_chunks(lambda rows: fitted_predictor._scores(vectors[rows], tokens[rows]), len(X), 4,
                                    size=2)
    titles, got = fitted_predictor.predict_top_k(X, k=4, return_scores=True)
    np.testing.assert_array_equal(fitted_predictor.classes_[best], titles)
    np.testing.assert_allclose(scores, got, rtol=1e-6)


def test_with_two_jobs_two_threads_score_at_once():
    matrix = np.random.default_rng(0).normal(size=(10, 6)).astype(np.float32)
    both_running = threading.Barrier(2, timeout=30)  # broken, and raising, if the chunks ran one after the other

    def score_rows(rows):
        both_running.wait()
        return matrix[rows]

    indices, _ = scores_in_chunks(score_rows, 10, 3, n_jobs=2)  # 5 rows a thread
    np.testing.assert_array_equal(indices, top_k_indices(matrix, 3))


def test_the_calling_thread_prepares_the_next_chunk_while_the_threads_score():
    matrix = np.random.default_rng(0).normal(size=(600, 6)).astype(np.float32)
    caller, prepared, scoring = threading.get_ident(), [], threading.Event()

    def prepare(rows):
        assert threading.get_ident() == caller  # tokenizing stays in one thread
        if prepared:
            assert scoring.wait(timeout=20)  # never set if every chunk were prepared before any is scored
        prepared.append((rows.start, rows.stop))
        return matrix[rows]

    def score_rows(chunk):
        scoring.set()
        return chunk

    indices, _ = scores_in_chunks(score_rows, 600, 3, n_jobs=2, prepare=prepare)
    assert prepared == [(0, 256), (256, 512), (512, 600)]  # PIPELINE_CHUNK rows at a time, in order
    np.testing.assert_array_equal(indices, top_k_indices(matrix, 3))


def test_scoring_threads_share_the_cores_blas_threads():
    from joblib import cpu_count
    from threadpoolctl import ThreadpoolController

    def blas_threads():
        return {library["num_threads"] for library in ThreadpoolController().select(user_api="blas").info()}

    before, seen = blas_threads(), []

    def score_rows(rows):
        seen.append(blas_threads())
        return np.zeros((rows.stop - rows.start, 2), dtype=np.float32)

    scores_in_chunks(score_rows, 10, 1, n_jobs=2)
    assert seen == [{max(1, cpu_count() // 2)}] * 2  # two threads, each with its share of the cores
    assert blas_threads() == before  # given back afterwards
    scores_in_chunks(score_rows, 10, 1, n_jobs=1)
    assert seen[-1] == before  # one job keeps them all


def test_scoring_threads_never_get_more_blas_threads_than_the_user_allowed(monkeypatch):
    from threadpoolctl import ThreadpoolController, threadpool_limits

    from job2vec import _ranking

    monkeypatch.setattr(_ranking, "cpu_count", lambda: 8)  # a share of 4 BLAS threads per job
    seen = []

    def score_rows(rows):
        seen.append({info["num_threads"] for info in ThreadpoolController().select(user_api="blas").info()})
        return np.zeros((rows.stop - rows.start, 2), dtype=np.float32)

    with threadpool_limits(limits=1, user_api="blas"):  # as OPENBLAS_NUM_THREADS=1 would
        scores_in_chunks(score_rows, 10, 1, n_jobs=2)
    assert seen == [{1}, {1}]


def test_threads_rank_as_one_thread_does(fitted_predictor, tasks):
    X = tasks[0][:300]
    threaded = copy.copy(fitted_predictor).set_params(n_jobs=2)
    titles, scores = fitted_predictor.predict_top_k(X, k=5, return_scores=True)
    threaded_titles, threaded_scores = threaded.predict_top_k(X, k=5, return_scores=True)
    np.testing.assert_array_equal(threaded_titles, titles)
    np.testing.assert_allclose(threaded_scores, scores, rtol=1e-6)  # BLAS may round another chunk shape differently
    np.testing.assert_allclose(threaded.decision_function(X), fitted_predictor.decision_function(X), rtol=1e-6,
                               atol=1e-6)


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
