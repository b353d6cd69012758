"""What every title predictor shares: top-k selection, the chunked scorer, predict/score from top k."""

import functools
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from joblib import cpu_count, effective_n_jobs
from threadpoolctl import ThreadpoolController

from ._validation import check_pairs
from .preprocessing import normalize_title


def top_k_indices(scores, k):
    """Column indices of the `k` largest scores of each row, best first."""
    k = min(k, scores.shape[1])
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(scores, part, axis=1), axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


def check_k(k, name="k"):
    """`k` as an int; a ValueError naming `name` unless it is a positive integer."""
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise ValueError(f"{name} must be a positive integer, got {k!r}.")
    return int(k)


CHUNK = 2048  # rows scored at once: bounds the (chunk, n_classes) score matrix
SCORE_BUDGET = 2**25  # at most this many scores per chunk (128 MiB of float32), for 100k+ candidates
# Rows per chunk when threads score while the calling thread prepares the next chunk: small enough that
# tokenizing and scoring overlap from the second chunk on (2,000 LinkedIn descriptions: 128 and 256 within
# noise of each other, 512 slower).
PIPELINE_CHUNK = 256


def row_chunks(n_rows, size=CHUNK):
    """Consecutive slices of at most `size` rows covering ``range(n_rows)``."""
    for start in range(0, n_rows, size):
        yield slice(start, min(start + size, n_rows))


def scores_in_chunks(score_rows, n_rows, k=None, size=CHUNK, n_columns=None, n_jobs=None, prepare=None,
                     summary=None):
    """Score rows chunk by chunk: the full score matrix, or only each row's `k` best.

    Parameters
    ----------
    score_rows : callable
        ``score_rows(rows) -> ndarray (n rows, n_classes)`` for a slice of rows
        (or for what `prepare` made of it). With several jobs it is called
        from threads at once, so it must only read shared state.
    n_rows : int
    k : int or None, default=None
        None returns the ``(n_rows, n_classes)`` matrix (`decision_function`);
        an int returns the indices and scores of each row's `k` best columns,
        best first, never holding more than one chunk's matrix per job.
    size : int, default=CHUNK
        Rows per chunk.
    n_columns : int or None, default=None
        The number of columns, when known: the chunks scored at once then
        hold at most `SCORE_BUDGET` scores together (fewer rows against many
        candidates).
    n_jobs : int or None, default=None
        Threads scoring chunks at once (joblib's convention: None is 1, -1
        all cores). NumPy and SciPy release the GIL in the products and
        partitions that dominate, so threads share the work without copies;
        each gets its share of the cores' BLAS threads.
    prepare : callable or None, default=None
        ``prepare(rows)`` for each chunk in turn, called in the calling
        thread only; `score_rows` gets its result instead of the slice. With
        several jobs, chunks are then at most `PIPELINE_CHUNK` rows, so that
        work which holds the GIL (tokenizing the next descriptions) runs
        while the threads score the previous ones.
    summary : callable or None, default=None
        With `k`: ``summary(scores) -> ndarray (n rows,)`` of each chunk's
        full score matrix, returned after the scores (e.g. each row's best
        probability, which needs every score of the row).

    Returns
    -------
    ndarray, or (indices, scores), or (indices, scores, summaries)
    """
    n_threads = effective_n_jobs(n_jobs)
    if n_columns:
        size = max(1, min(size, SCORE_BUDGET // (n_columns * n_threads)))
    if prepare is not None and n_threads > 1:
        size = min(size, PIPELINE_CHUNK)
    size = max(1, min(size, -(-n_rows // n_threads)))  # a chunk for each thread at least
    prepare = prepare or (lambda rows: rows)

    def best_of(prepared):
        chunk = score_rows(prepared)
        best = top_k_indices(chunk, k)
        found = best, np.take_along_axis(chunk, best, axis=1).astype(np.float32, copy=False)
        return found if summary is None else (*found, summary(chunk))

    work = score_rows if k is None else best_of
    chunks = list(row_chunks(n_rows, size))
    if n_threads == 1 or len(chunks) == 1:
        parts = [work(prepare(rows)) for rows in chunks]
    else:
        with _blas_threads(n_threads), ThreadPoolExecutor(n_threads) as pool:
            # Each chunk goes to the threads as soon as it is prepared, while the next one is.
            futures = [pool.submit(work, prepare(rows)) for rows in chunks]
            parts = [future.result() for future in futures]
    if k is None:
        return np.concatenate(parts)
    indices, scores, *summaries = zip(*parts)
    return (np.concatenate(indices).astype(np.int64, copy=False), np.concatenate(scores),
            *map(np.concatenate, summaries))


@functools.cache
def _blas_controller():
    # Made once: finding the loaded BLAS libraries takes 3-12 ms, limiting them then 0.03 ms.
    return ThreadpoolController()


def _blas_threads(n_jobs):
    """A context in which BLAS runs at most cores // `n_jobs` threads, and never more than it already does.

    Two scoring threads with two BLAS threads each would run four on two
    cores (2,000 LinkedIn descriptions, two jobs: 591-737/s with one BLAS
    thread each against 539-623/s).
    """
    controller = _blas_controller()
    running = [info["num_threads"] for info in controller.select(user_api="blas").info()]
    return controller.limit(limits=min([max(1, cpu_count() // n_jobs), *running]), user_api="blas")


class TopKPredictorMixin:
    """`predict` and `score` for estimators that implement ``predict_top_k(X, k)``."""

    def predict(self, X):
        """The best candidate title of each description.

        Parameters
        ----------
        X : list, array or Series of str, shape (n_samples,)

        Returns
        -------
        ndarray of str, shape (n_samples,)
            Normalized titles.
        """
        return self.predict_top_k(X, k=1)[:, 0]

    def score(self, X, y, sample_weight=None):
        """Top-1 accuracy on normalized titles.

        Parameters
        ----------
        X : list, array or Series of str
            Descriptions.
        y : list, array or Series of str
            Their true titles.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        float
        """
        X, y = check_pairs(X, y)
        hits = self.predict(X) == np.asarray([normalize_title(t) for t in y], dtype=object)
        return float(np.average(hits, weights=sample_weight))


def most_similar_titles(vector, titles, title_vectors, query, topn, exclude=None):
    """The `topn` titles whose vectors are closest to `vector` (cosine), `query` itself left out.

    Parameters
    ----------
    vector : ndarray of shape (1, dim)
        Unit vector of the query title.
    titles : ndarray of str
        Normalized candidate titles.
    title_vectors : ndarray of shape (n_titles, dim)
        Their unit vectors.
    query : str
        The query title, excluded from the answer.
    topn : int
    exclude : ndarray of bool, shape (n_titles,), default=None
        Other titles to leave out.

    Returns
    -------
    list of (str, float)
    """
    topn = check_k(topn)
    scores = vector @ title_vectors.T
    scores[0, titles == normalize_title(query)] = -np.inf
    if exclude is not None:
        scores[0, exclude] = -np.inf
    best = top_k_indices(scores, topn)[0]
    return [(str(titles[i]), float(scores[0, i])) for i in best if np.isfinite(scores[0, i])]
