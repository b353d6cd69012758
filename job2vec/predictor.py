"""`TitlePredictor`: predict job titles of descriptions by nearest titles in job2vec."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._base import PARAMETERS_DOC, JoapsBase, _title_label
from ._ranking import TopKPredictorMixin, check_k, top_k_indices
from ._validation import check_texts

_CHUNK = 2048  # descriptions scored at once: bounds the (chunk, n_classes) score matrix


class TitlePredictor(TopKPredictorMixin, JoapsBase):
    __doc__ = f"""Predict the job title of a description with JOAPS.

    The description is encoded by the CNN description encoder; the predicted
    titles are the candidate titles whose job2vec vectors (from the title
    encoder) are closest by cosine. Candidates are the titles seen in `fit`,
    or any list given to `set_candidates` (e.g. a taxonomy).

    Read more in the :ref:`User Guide <method>`.

    Parameters
    ----------{PARAMETERS_DOC}
    Attributes
    ----------
    classes_ : ndarray of str
        The candidate titles (normalized): the distinct fitted titles, or
        those of the last `set_candidates`. Columns of `decision_function`.
    candidate_vectors_ : ndarray of shape (n_classes, embedding_size)
        Their unit job2vec vectors.
    titles_ : ndarray of str
        The distinct normalized titles seen in `fit`.
    title_vectors_ : ndarray of shape (n_titles, embedding_size)
        Their job2vec vectors.
    vocabulary_ : Vocabulary
        Known words and their ids.
    network_ : keras.Model
        The trained joint network.
    history_ : dict of list
        Per-epoch training loss, violation ratio, batch size, speed and
        validation scores.
    title_length_, description_length_ : int
        Padded input lengths.

    See Also
    --------
    JoapsEmbedder : The same model, used to embed titles.

    Notes
    -----
    A description none of whose words is in the vocabulary is encoded as an
    all-padding sequence; it still gets an answer (the same for all such
    descriptions), with low scores.

    Examples
    --------
    >>> from job2vec import TitlePredictor
    >>> from job2vec.datasets import load_onet
    >>> X, y = load_onet(kind="tasks", return_X_y=True)
    >>> tp = TitlePredictor(epochs=2, random_state=0).fit(X, y)  # doctest: +SKIP
    >>> tp.predict(["Prepare and serve coffee drinks to customers."])  # doctest: +SKIP
    array(['baristas'], dtype=object)
    """

    def fit(self, X, y):
        """Train on descriptions and their titles.

        Parameters
        ----------
        X : list, array or Series of str, shape (n_pairs,)
            Job descriptions (raw text, or token lists from `TextPreprocessor`).
        y : list, array or Series of str, shape (n_pairs,)
            Their job titles.

        Returns
        -------
        self : TitlePredictor
        """
        self._fit(descriptions=X, titles=y, description_name="X", title_name="y")
        self.classes_ = self.titles_
        self.candidate_vectors_ = self.title_vectors_
        return self

    def set_candidates(self, titles):
        """Rank descriptions against `titles` from now on, without refitting.

        Parameters
        ----------
        titles : list, array or Series of str
            Candidate titles, e.g. a taxonomy's labels. They are normalized
            and de-duplicated; unseen titles are fine.

        Returns
        -------
        self : TitlePredictor
        """
        check_is_fitted(self, "network_")
        titles = check_texts(titles, "titles", allow_tokens=False)
        classes, first = np.unique(np.asarray([_title_label(t) for t in titles], dtype=object), return_index=True)
        self.candidate_vectors_ = self._encode_titles([titles[i] for i in first])
        self.classes_ = classes
        return self

    def transform(self, X):
        """Encode descriptions into job2vec.

        Parameters
        ----------
        X : list, array or Series of str, shape (n_samples,)
            Job descriptions.

        Returns
        -------
        ndarray of shape (n_samples, embedding_size)
            Unit-norm description vectors, comparable with title vectors.
        """
        return self._encode_descriptions(X)

    def decision_function(self, X):
        """Cosine similarity of each description to each candidate title.

        Parameters
        ----------
        X : list, array or Series of str, shape (n_samples,)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Columns follow `classes_`.
        """
        return self.transform(X) @ self.candidate_vectors_.T

    def predict_top_k(self, X, k=10, return_scores=False):
        """The `k` best candidate titles of each description.

        Parameters
        ----------
        X : list, array or Series of str, shape (n_samples,)
            Job descriptions.
        k : int, default=10
            Titles per description (at most ``len(classes_)``).
        return_scores : bool, default=False
            Also return the cosine similarities.

        Returns
        -------
        titles : ndarray of str, shape (n_samples, k)
            Best first.
        scores : ndarray of shape (n_samples, k)
            Only when `return_scores` is True.
        """
        k = check_k(k)
        vectors = self.transform(X)
        k = min(k, len(self.classes_))
        indices = np.empty((len(vectors), k), dtype=np.int64)
        scores = np.empty((len(vectors), k), dtype=np.float32)
        for start in range(0, len(vectors), _CHUNK):
            chunk = vectors[start : start + _CHUNK] @ self.candidate_vectors_.T
            best = top_k_indices(chunk, k)
            indices[start : start + _CHUNK] = best
            scores[start : start + _CHUNK] = np.take_along_axis(chunk, best, axis=1)
        titles = self.classes_[indices]
        return (titles, scores) if return_scores else titles
