"""Baselines with the same estimator API as the JOAPS estimators.

- `TfidfNeighborsTitlePredictor`: the nearest training descriptions (TF-IDF,
  cosine) vote for their titles.
- `MostFrequentTitlePredictor`: the prior, the most frequent training titles
  for every description.
- `Word2VecSumEmbedder`: the JOAPS paper's word2vec job2vec, a title is the
  sum of its word vectors.
- `Seq2SeqTitlePredictor`: the JOAPS paper's title generator, a GRU
  encoder-decoder with Bahdanau attention; top k by beam search (defined in
  `job2vec.seq2seq`).
"""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from ._base import fit_seed
from ._channels import NeighbourIndex, title_count_matrix
from ._ranking import TopKPredictorMixin, check_k, most_similar_titles, scores_in_chunks, top_k_indices
from ._validation import (N_JOBS, RANDOM_STATE, check_pairs, check_texts, instance_of, integer, one_of, real,
                          string_input_tags, validate_params)
from .preprocessing import TextPreprocessor, normalize_title
from .seq2seq import Seq2SeqTitlePredictor
from .word_vectors import Vocabulary, embedding_matrix, train_word2vec

__all__ = ["TfidfNeighborsTitlePredictor", "MostFrequentTitlePredictor", "Word2VecSumEmbedder",
           "Seq2SeqTitlePredictor"]


def _labels(titles):
    classes, groups = np.unique(np.asarray([normalize_title(t) for t in titles], dtype=object),
                                return_inverse=True)
    return classes, groups.ravel()


class TfidfNeighborsTitlePredictor(TopKPredictorMixin, BaseEstimator):
    """Predict titles by a vote of the nearest training descriptions in TF-IDF space.

    Each of the `n_neighbors` training descriptions most cosine-similar to a
    description votes for its title with its similarity; titles are ranked by
    their summed votes.

    Parameters
    ----------
    n_neighbors : int, default=50
        Voting neighbours.
    min_df : int, default=2
        Passed to `TfidfVectorizer`.
    stop_words : {"english"} or None, default="english"
        Passed to `TfidfVectorizer`.
    n_jobs : int or None, default=None
        Threads that rank descriptions at once (see `TitlePredictor`).

    Attributes
    ----------
    classes_ : ndarray of str
        Distinct normalized training titles.
    vectorizer_ : TfidfVectorizer
    """

    _parameter_constraints = {
        "n_neighbors": [integer(1)],
        "min_df": [integer(1), real(0, 1, closed="right")],
        "stop_words": [one_of("english", None), instance_of(list, tuple, describe="a list of words")],
        "n_jobs": N_JOBS,
    }

    def __init__(self, n_neighbors=50, min_df=2, stop_words="english", n_jobs=None):
        self.n_neighbors = n_neighbors
        self.min_df = min_df
        self.stop_words = stop_words
        self.n_jobs = n_jobs

    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: object.__getstate__ may return __dict__ itself
        state.pop("_index", None)  # rebuilt on use; it holds a lock, which does not pickle
        return state

    def __setstate__(self, state):
        super().__setstate__({"n_jobs": None, **state})  # saved before n_jobs existed

    def __sklearn_tags__(self):
        return string_input_tags(super().__sklearn_tags__())

    def fit(self, X, y):
        """Index the training descriptions and their titles.

        Parameters
        ----------
        X : array-like of str, shape (n_samples,)
            Descriptions.
        y : array-like of str, shape (n_samples,)
            Titles.

        Returns
        -------
        self
        """
        validate_params(self)
        X, y = check_pairs(X, y)
        classes, groups = _labels(y)
        vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=self.min_df, stop_words=self.stop_words)
        try:
            matrix = vectorizer.fit_transform(X)
        except ValueError as exc:  # sklearn's "empty vocabulary" and friends
            raise ValueError(f"TF-IDF could not be fitted: {exc}") from exc
        self.vectorizer_, self.classes_ = vectorizer, classes
        self.train_matrix_, self.train_groups_ = matrix, groups
        self.__dict__.pop("_index", None)  # built from the previous fit's descriptions
        return self

    def decision_function(self, X):
        """Summed neighbour votes of each description for each title, columns = `classes_`.

        Parameters
        ----------
        X : array-like of str, shape (n_samples,)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        return self._rank(X)

    def _rank(self, X, k=None):
        """`scores_in_chunks` of descriptions `X`, each chunk vectorized in this thread (see `TitlePredictor`)."""
        check_is_fitted(self, "train_matrix_")
        texts, index = check_texts(X, "X", allow_tokens=False), self._neighbour_index()
        return scores_in_chunks(lambda query: self._votes(index, query), len(texts), k, n_jobs=self.n_jobs,
                                prepare=lambda rows: self.vectorizer_.transform(texts[rows]))

    def _neighbour_index(self):
        """The training descriptions' `NeighbourIndex`, built once per fit and shared by all threads."""
        if "_index" not in self.__dict__:
            n_rows = len(self.train_groups_)
            titles = title_count_matrix(np.arange(n_rows), self.train_groups_, n_rows, len(self.classes_))
            self._index = NeighbourIndex(self.train_matrix_, titles)
        return self._index

    def _votes(self, index, query):
        """Summed similarities of each query row's nearest training descriptions, per title."""
        return index.votes(query, self.n_neighbors).toarray().astype(np.float32)

    def predict_top_k(self, X, k=10, return_scores=False):
        """The `k` titles with the most votes, best first.

        Parameters
        ----------
        X : array-like of str, shape (n_samples,)
        k : int, default=10
        return_scores : bool, default=False

        Returns
        -------
        titles : ndarray of str, shape (n_samples, k)
        scores : ndarray of shape (n_samples, k), only if `return_scores`
        """
        best, scores = self._rank(X, check_k(k))
        titles = self.classes_[best]
        return (titles, scores) if return_scores else titles


class MostFrequentTitlePredictor(TopKPredictorMixin, BaseEstimator):
    """The prior: rank titles by their training frequency, whatever the description.

    Attributes
    ----------
    classes_ : ndarray of str
        Distinct normalized training titles.
    counts_ : ndarray of int
        Their training counts.
    """

    def __sklearn_tags__(self):
        return string_input_tags(super().__sklearn_tags__())

    def fit(self, X, y):
        """Count the training titles.

        Parameters
        ----------
        X : array-like of str, shape (n_samples,)
            Descriptions (only checked).
        y : array-like of str, shape (n_samples,)
            Titles.

        Returns
        -------
        self
        """
        X, y = check_pairs(X, y)
        self.classes_, groups = _labels(y)
        self.counts_ = np.bincount(groups)
        return self

    def predict_top_k(self, X, k=10, return_scores=False):
        """The `k` most frequent training titles for every description.

        Parameters
        ----------
        X : array-like of str, shape (n_samples,)
        k : int, default=10
        return_scores : bool, default=False
            Scores are the titles' training frequencies.

        Returns
        -------
        titles : ndarray of str, shape (n_samples, k)
        scores : ndarray of shape (n_samples, k), only if `return_scores`
        """
        check_is_fitted(self, "counts_")
        k = check_k(k)
        n = len(check_texts(X, "X"))
        best = top_k_indices(self.counts_[None, :].astype(float), k)[0]
        titles = np.tile(self.classes_[best], (n, 1))
        scores = np.tile(self.counts_[best] / self.counts_.sum(), (n, 1))
        return (titles, scores) if return_scores else titles


class Word2VecSumEmbedder(TransformerMixin, BaseEstimator):
    """The JOAPS paper's word2vec job2vec: a title is the sum of its words' vectors.

    word2vec is trained on the titles and descriptions given to `fit`.

    Parameters
    ----------
    vector_size : int, default=300
    min_count : int, default=10
    epochs : int, default=5
    language : str, default="en"
    random_state : int, RandomState or None, default=None
        Seeds word2vec.

    Attributes
    ----------
    vocabulary_ : Vocabulary
    vectors_ : ndarray of shape (n_words + 1, vector_size)
        Word vectors by id (row 0, padding, is zero).
    titles_ : ndarray of str
        Distinct normalized fitted titles.
    title_vectors_ : ndarray of shape (n_titles, vector_size)
    """

    _parameter_constraints = {
        "vector_size": [integer(1)],
        "min_count": [integer(1)],
        "epochs": [integer(1)],
        "language": [instance_of(str, describe="a spaCy language code")],
        "random_state": RANDOM_STATE,
    }

    def __init__(self, vector_size=300, min_count=10, epochs=5, language="en", random_state=None):
        self.vector_size = vector_size
        self.min_count = min_count
        self.epochs = epochs
        self.language = language
        self.random_state = random_state

    def __sklearn_tags__(self):
        return string_input_tags(super().__sklearn_tags__())

    def _tokens(self, texts, remove_stop_words):
        return TextPreprocessor(language=self.language, remove_stop_words=remove_stop_words).fit().transform(texts)

    def fit(self, X, y):
        """Train word2vec on titles `X` and descriptions `y`.

        Returns
        -------
        self
        """
        validate_params(self)
        X, y = check_pairs(X, y)
        titles = self._tokens(X, remove_stop_words=False)
        corpus = titles + self._tokens(y, remove_stop_words=True)
        keyed = train_word2vec(corpus, vector_size=self.vector_size, min_count=self.min_count,
                               epochs=self.epochs, seed=fit_seed(self.random_state))
        vocabulary = Vocabulary(self.min_count).fit(corpus, allowed=keyed.key_to_index)
        if len(vocabulary) == 1:
            raise ValueError(f"the vocabulary is empty: no word occurs {self.min_count} times; lower min_count.")
        self.vocabulary_, self.vectors_ = vocabulary, embedding_matrix(vocabulary, keyed)
        self.titles_, first = np.unique(np.asarray([normalize_title(t) for t in X], dtype=object),
                                        return_index=True)
        self.title_vectors_ = self._embed([titles[i] for i in first])
        return self

    def _embed(self, token_lists):
        ids = self.vocabulary_.encode(token_lists, max(1, max(map(len, token_lists))))
        summed = self.vectors_[ids].sum(axis=1)  # padding row 0 is zero
        norms = np.linalg.norm(summed, axis=1, keepdims=True)
        return summed / np.maximum(norms, 1e-12)

    def transform(self, X):
        """Unit-normalized sum of word vectors of each title (zero if no word is known).

        Parameters
        ----------
        X : array-like of str, shape (n_titles,)

        Returns
        -------
        ndarray of shape (n_titles, vector_size)
        """
        check_is_fitted(self, "vectors_")
        return self._embed(self._tokens(check_texts(X, "X", allow_tokens=False), remove_stop_words=False))

    def most_similar(self, title, topn=10):
        """Fitted titles closest to `title` by cosine, best first, `title` itself left out.

        Returns
        -------
        list of (str, float)
        """
        if not isinstance(title, str):
            raise TypeError(f"title must be a string, got {type(title).__name__}.")
        return most_similar_titles(self.transform([title]), self.titles_, self.title_vectors_, title, topn)
