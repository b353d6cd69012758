"""Baselines with the same estimator API as the JOAPS estimators.

- `TfidfNeighborsTitlePredictor`: the nearest training descriptions (TF-IDF,
  cosine) vote for their titles.
- `MostFrequentTitlePredictor`: the prior, the most frequent training titles
  for every description.
- `Word2VecSumEmbedder`: the JOAPS paper's word2vec job2vec, a title is the
  sum of its word vectors.
"""

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from ._ranking import TopKPredictorMixin, check_k, most_similar_titles, top_k_indices
from ._validation import check_pairs, check_texts
from .preprocessing import TextPreprocessor, Vocabulary, normalize_title
from .word_vectors import embedding_matrix, train_word2vec

__all__ = ["TfidfNeighborsTitlePredictor", "MostFrequentTitlePredictor", "Word2VecSumEmbedder"]

_CHUNK = 2048


def _string_tags(tags):
    tags.input_tags.two_d_array = False
    tags.input_tags.string = True
    tags.target_tags.required = True
    return tags


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

    Attributes
    ----------
    classes_ : ndarray of str
        Distinct normalized training titles.
    vectorizer_ : TfidfVectorizer
    """

    def __init__(self, n_neighbors=50, min_df=2, stop_words="english"):
        self.n_neighbors = n_neighbors
        self.min_df = min_df
        self.stop_words = stop_words

    def __sklearn_tags__(self):
        return _string_tags(super().__sklearn_tags__())

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
        X, y = check_pairs(X, y)
        check_k(self.n_neighbors)
        classes, groups = _labels(y)
        vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=self.min_df, stop_words=self.stop_words)
        try:
            matrix = vectorizer.fit_transform(X)
        except ValueError as exc:  # sklearn's "empty vocabulary" and friends
            raise ValueError(f"TF-IDF could not be fitted: {exc}") from exc
        self.vectorizer_, self.classes_ = vectorizer, classes
        self.train_matrix_, self.train_groups_ = matrix, groups
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
        check_is_fitted(self, "train_matrix_")
        query = self.vectorizer_.transform(check_texts(X, "X", allow_tokens=False))
        n_neighbors = min(self.n_neighbors, self.train_matrix_.shape[0])
        votes = np.zeros((query.shape[0], len(self.classes_)), dtype=np.float32)
        for start in range(0, query.shape[0], _CHUNK):
            similarities = (query[start : start + _CHUNK] @ self.train_matrix_.T).toarray()
            nearest = top_k_indices(similarities, n_neighbors)
            weights = np.take_along_axis(similarities, nearest, axis=1)
            rows = np.repeat(np.arange(len(nearest)), n_neighbors)
            chunk = sparse.csr_matrix(
                (weights.ravel(), (rows, self.train_groups_[nearest].ravel())),
                shape=(len(nearest), len(self.classes_)),
            )  # duplicate (row, title) entries are summed: that is the vote
            votes[start : start + _CHUNK] = chunk.toarray()
        return votes

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
        k = check_k(k)
        votes = self.decision_function(X)
        best = top_k_indices(votes, k)
        titles = self.classes_[best]
        return (titles, np.take_along_axis(votes, best, axis=1)) if return_scores else titles


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
        return _string_tags(super().__sklearn_tags__())

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
    random_state : int or None, default=None

    Attributes
    ----------
    vocabulary_ : Vocabulary
    vectors_ : ndarray of shape (n_words + 1, vector_size)
        Word vectors by id (row 0, padding, is zero).
    titles_ : ndarray of str
        Distinct normalized fitted titles.
    title_vectors_ : ndarray of shape (n_titles, vector_size)
    """

    def __init__(self, vector_size=300, min_count=10, epochs=5, language="en", random_state=None):
        self.vector_size = vector_size
        self.min_count = min_count
        self.epochs = epochs
        self.language = language
        self.random_state = random_state

    def __sklearn_tags__(self):
        return _string_tags(super().__sklearn_tags__())

    def _tokens(self, texts, remove_stop_words):
        return TextPreprocessor(language=self.language, remove_stop_words=remove_stop_words).fit().transform(texts)

    def fit(self, X, y):
        """Train word2vec on titles `X` and descriptions `y`.

        Returns
        -------
        self
        """
        X, y = check_pairs(X, y)
        titles = self._tokens(X, remove_stop_words=False)
        corpus = titles + self._tokens(y, remove_stop_words=True)
        seed = 0 if self.random_state is None else int(np.random.RandomState(self.random_state).randint(2**31 - 1))
        keyed = train_word2vec(corpus, vector_size=self.vector_size, min_count=self.min_count,
                               epochs=self.epochs, seed=seed)
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
