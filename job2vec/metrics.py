"""Evaluation of title predictors: Top-k accuracy, max-BLEU over the top k, Recall@k, and scorers.

All metrics compare *normalized* titles (`job2vec.normalize_title`). Each can
be averaged over rows (``average="micro"``, as in the JOAPS paper) or per
true title (``average="per_title"``): job titles are Zipf-distributed, and a
row average mostly rewards getting the few frequent titles right.

BLEU is sacrebleu's sentence BLEU on whitespace tokens with n-grams up to
order 2 and exponential smoothing (``smooth_method="exp"``, sacrebleu's
sentence-level default) and effective order, so a one-word title is scored on
unigrams only. Order 2 because titles are short (median 2-3 words): with
order 4 almost every imperfect title scores near 0. The JOAPS paper's example
"trade assistant trainee" / "trainee assistant sales" scores 0.408 here
(unigram precision 2/3, no shared bigram); the paper reports 0.75 without
saying which variant it used.
"""

import copy
import functools

import numpy as np

from ._ranking import check_k
from ._validation import check_pairs
from .preprocessing import normalize_title

__all__ = ["top_k_accuracy", "max_bleu", "recall_at_k", "bleu", "top_k_scorer", "bleu_scorer", "evaluate"]

_AVERAGES = ("micro", "per_title")


@functools.lru_cache(maxsize=1)
def _bleu_metric(max_ngram_order):
    from sacrebleu.metrics import BLEU

    return BLEU(max_ngram_order=max_ngram_order, smooth_method="exp", effective_order=True, tokenize="none")


def bleu(hypothesis, reference, max_ngram_order=2):
    """Sentence BLEU in [0, 1] between two titles (normalized first).

    Parameters
    ----------
    hypothesis, reference : str
        Predicted and true title.
    max_ngram_order : int, default=2
        Highest n-gram order.

    Returns
    -------
    float

    Examples
    --------
    >>> from job2vec.metrics import bleu
    >>> round(bleu("trainee assistant sales", "trade assistant trainee"), 3)
    0.408
    """
    hypothesis, reference = normalize_title(hypothesis), normalize_title(reference)
    if not hypothesis or not reference:
        return 0.0
    score = _bleu_metric(max_ngram_order).sentence_score(hypothesis, [reference]).score / 100.0
    return min(score, 1.0)  # sacrebleu can return 100.00000000000004


def _prepare(y_true, y_pred_top_k, k):
    y_true = np.asarray([normalize_title(t) for t in y_true], dtype=object)
    y_pred = np.asarray(y_pred_top_k, dtype=object)
    if y_pred.ndim == 1:
        y_pred = y_pred[:, None]
    if y_pred.ndim != 2 or len(y_pred) != len(y_true):
        raise ValueError(
            f"y_pred_top_k must have shape (n_samples, k) with n_samples={len(y_true)}, got {y_pred.shape}."
        )
    if k is not None:
        y_pred = y_pred[:, : check_k(k)]
    return y_true, y_pred


def _average(values, y_true, average):
    if average not in _AVERAGES:
        raise ValueError(f"average must be one of {_AVERAGES}, got {average!r}.")
    values = np.asarray(values, dtype=float)
    if average == "micro":
        return float(values.mean())
    _, groups = np.unique(y_true, return_inverse=True)
    return float(np.mean(np.bincount(groups, weights=values) / np.bincount(groups)))


def top_k_accuracy(y_true, y_pred_top_k, k=None, average="micro"):
    """Share of samples whose true title is among the first `k` predictions.

    Parameters
    ----------
    y_true : array-like of str, shape (n_samples,)
        True titles.
    y_pred_top_k : array-like of str, shape (n_samples, n_predictions)
        Ranked predictions, best first (e.g. `TitlePredictor.predict_top_k`).
    k : int or None, default=None
        How many predictions count; None uses them all.
    average : {"micro", "per_title"}, default="micro"
        Mean over samples, or mean over true titles of each title's accuracy.

    Returns
    -------
    float

    Examples
    --------
    >>> from job2vec.metrics import top_k_accuracy
    >>> top_k_accuracy(["Data Engineer", "nurse"], [["data engineer", "x"], ["x", "y"]], k=2)
    0.5
    """
    y_true, y_pred = _prepare(y_true, y_pred_top_k, k)
    hits = [(row == truth).any() for truth, row in zip(y_true, y_pred)]
    return _average(hits, y_true, average)


def max_bleu(y_true, y_pred_top_k, k=None, average="micro", max_ngram_order=2):
    """Mean over samples of the best BLEU between the true title and each of the top `k` predictions.

    Parameters
    ----------
    y_true : array-like of str, shape (n_samples,)
    y_pred_top_k : array-like of str, shape (n_samples, n_predictions)
    k : int or None, default=None
    average : {"micro", "per_title"}, default="micro"
    max_ngram_order : int, default=2

    Returns
    -------
    float
        In [0, 1].
    """
    y_true, y_pred = _prepare(y_true, y_pred_top_k, k)
    best = [max(bleu(p, truth, max_ngram_order) for p in row) for truth, row in zip(y_true, y_pred)]
    return _average(best, y_true, average)


def recall_at_k(y_true, y_pred_top_k, k=None, average="micro"):
    """Recall@k as in VacancySBERT: share of a sample's relevant titles found in its top `k`.

    Parameters
    ----------
    y_true : array-like, shape (n_samples,)
        Each item a title, or a collection of acceptable titles.
    y_pred_top_k : array-like of str, shape (n_samples, n_predictions)
    k : int or None, default=None
    average : {"micro", "per_title"}, default="micro"
        "per_title" groups samples by their (first) relevant title.

    Returns
    -------
    float
        With one relevant title per sample this equals `top_k_accuracy`.
    """
    relevant = [
        {normalize_title(t)} if isinstance(t, str) else {normalize_title(x) for x in t} for t in y_true
    ]
    keys = [sorted(r)[0] if r else "" for r in relevant]
    _, y_pred = _prepare(keys, y_pred_top_k, k)
    recalls = [len(r & set(row)) / len(r) if r else 0.0 for r, row in zip(relevant, y_pred)]
    return _average(recalls, np.asarray(keys, dtype=object), average)


def _ranked(estimator, X, y, k, candidates):
    # Only a ranker of candidate titles has a candidate list to extend: a generator
    # (Seq2Seq) or a neighbour vote can never output a title differently because of it.
    if candidates == "fitted+test" and hasattr(estimator, "set_candidates"):
        # Score on a shallow copy so the caller's estimator keeps its candidates; it
        # shares the fitted network (`KerasPickleMixin.__copy__`), nothing is re-saved.
        estimator = copy.copy(estimator)
        estimator.set_candidates(np.concatenate([estimator.classes_, np.asarray(y, dtype=object)]))
    elif candidates not in ("fitted", "fitted+test"):
        raise ValueError(f"candidates must be 'fitted' or 'fitted+test', got {candidates!r}.")
    return estimator.predict_top_k(X, k=k)


def _scorer(metric, k, candidates, name, **metric_args):
    """``scorer(estimator, X, y)``: `metric` of the estimator's top `k` titles of X against y."""

    def scorer(estimator, X, y):
        X, y = check_pairs(X, y)
        return metric(y, _ranked(estimator, X, y, k, candidates), k=k, **metric_args)

    scorer.__name__ = name
    return scorer


def top_k_scorer(k=5, average="micro", candidates="fitted"):
    """A scorer for `GridSearchCV`, `cross_validate` and `cross_val_score`: Top-`k` accuracy.

    Parameters
    ----------
    k : int, default=5
    average : {"micro", "per_title"}, default="micro"
    candidates : {"fitted", "fitted+test"}, default="fitted"
        Titles ranked for each test description: the titles seen in fit, or
        those plus the fold's test titles (the JOAPS paper's protocol, where
        the candidate list holds every evaluation title). With "fitted", a
        test title never seen in training always counts as a miss for a
        ranker. Estimators without ``set_candidates`` (a generator such as
        `Seq2SeqTitlePredictor`, a neighbour vote) score the same under both.

    Returns
    -------
    callable
        ``scorer(estimator, X, y) -> float``; greater is better.
    """

    return _scorer(top_k_accuracy, k, candidates, f"top_{k}_accuracy", average=average)


def bleu_scorer(k=1, average="micro", candidates="fitted", max_ngram_order=2):
    """A scorer for `GridSearchCV` and friends: max-BLEU over the top `k` titles.

    Parameters
    ----------
    k : int, default=1
    average : {"micro", "per_title"}, default="micro"
    candidates : {"fitted", "fitted+test"}, default="fitted"
        See `top_k_scorer`.
    max_ngram_order : int, default=2

    Returns
    -------
    callable
        ``scorer(estimator, X, y) -> float``; greater is better.
    """

    return _scorer(max_bleu, k, candidates, f"max_bleu_{k}", average=average, max_ngram_order=max_ngram_order)


def evaluate(estimator, X, y, ks=(1, 5, 10)):
    """Top-k accuracy and max-BLEU@k (micro and per title) of a fitted title predictor.

    Parameters
    ----------
    estimator : fitted title predictor
        Anything with ``predict_top_k(X, k)``.
    X, y : array-like of str
        Descriptions and their true titles.
    ks : tuple of int, default=(1, 5, 10)

    Returns
    -------
    dict
        ``{"top_1": ..., "top_1_per_title": ..., "bleu_1": ..., ...}``.
    """
    X, y = check_pairs(X, y)
    ranked = estimator.predict_top_k(X, k=max(ks))
    report = {}
    for k in ks:
        report[f"top_{k}"] = top_k_accuracy(y, ranked, k=k)
        report[f"top_{k}_per_title"] = top_k_accuracy(y, ranked, k=k, average="per_title")
    for k in ks:
        report[f"bleu_{k}"] = max_bleu(y, ranked, k=k)
    return report
