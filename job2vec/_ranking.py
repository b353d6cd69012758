"""Helpers shared by every title predictor: top-k selection and predict/score from it."""

import numpy as np

from ._validation import check_pairs
from .preprocessing import normalize_title


def top_k_indices(scores, k):
    """Column indices of the `k` largest scores of each row, best first."""
    k = min(k, scores.shape[1])
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(scores, part, axis=1), axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


def check_k(k):
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}.")
    return int(k)


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


def most_similar_titles(vector, titles, title_vectors, query, topn):
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

    Returns
    -------
    list of (str, float)
    """
    topn = check_k(topn)
    scores = vector @ title_vectors.T
    scores[0, titles == normalize_title(query)] = -np.inf
    best = top_k_indices(scores, topn)[0]
    return [(str(titles[i]), float(scores[0, i])) for i in best if np.isfinite(scores[0, i])]
