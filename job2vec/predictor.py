"""`TitlePredictor`: predict job titles of descriptions by nearest titles in job2vec."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._base import FITTED_DOC, PARAMETERS_DOC, JoapsBase, run_encoder, title_label
from ._ranking import TopKPredictorMixin, check_k, row_chunks, scores_in_chunks, top_k_indices
from ._validation import check_texts, one_of, real

_PRIOR_WEIGHTS = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2)  # the grid of prior_weight="auto"

PRIOR_DOC = """
    prior_weight : "auto" or float, default="auto"
        Weight lambda of the title prior in the ranking score
        ``cos(description, title) + lambda * log p(title)``, with ``p`` the
        add-one smoothed frequency of the title in the fit data (titles never
        seen, e.g. from `set_candidates`, share the smallest prior). In-batch
        negatives are drawn in proportion to title frequency, so the trained
        cosine leaves the prior out; 0 ranks by cosine alone, as in the paper.
        ``"auto"`` picks lambda from (0, 0.01, 0.02, 0.05, 0.1, 0.2) by Top-5
        accuracy on the early-stopping validation pairs (0 without early
        stopping)."""


def _log_prior(counts):
    return np.log((counts + 1.0) / (counts.sum() + len(counts)))


class TitlePredictor(TopKPredictorMixin, JoapsBase):
    __doc__ = f"""Predict the job title of a description with JOAPS.

    The description is encoded by the CNN description encoder; the predicted
    titles are the candidate titles whose job2vec vectors (from the title
    encoder) are closest by cosine. Candidates are the titles seen in `fit`,
    or any list given to `set_candidates` (e.g. a taxonomy).

    Read more in the :ref:`User Guide <method>`.

    Parameters
    ----------{PARAMETERS_DOC}{PRIOR_DOC}

    Attributes
    ----------
    classes_ : ndarray of str
        The candidate titles (normalized): the distinct fitted titles, or
        those of the last `set_candidates`. Columns of `decision_function`.
    candidate_vectors_ : ndarray of shape (n_classes, embedding_size)
        Their unit job2vec vectors.
    candidate_log_prior_ : ndarray of shape (n_classes,)
        Their log prior (see `prior_weight`).
    prior_weight_ : float
        The prior weight in use (chosen when `prior_weight` is "auto").
    title_counts_ : ndarray of int, shape (n_titles,)
        How often each of `titles_` occurs in the fit data.
    titles_ : ndarray of str
        The distinct normalized titles seen in `fit`.
    title_vectors_ : ndarray of shape (n_titles, embedding_size)
        Their job2vec vectors.
{FITTED_DOC}

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

    def __init__(
        self,
        *,
        filter_sizes=(3, 4, 5),
        n_filters=100,
        embedding_size=100,
        word_vectors="word2vec",
        word_vector_size=300,
        word2vec_epochs=5,
        trainable_embeddings="auto",
        min_count=10,
        max_title_length=13,
        max_description_length=343,
        loss="wocr",
        margin=0.1,
        batch_size_range=(8, 128),
        violation_thresholds=(0.2, 0.8),
        learning_rate=1e-3,
        epochs=10,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=2,
        language="en",
        spacy_model=None,
        prior_weight="auto",
        random_state=None,
        verbose=0,
    ):
        super().__init__(
            filter_sizes=filter_sizes, n_filters=n_filters, embedding_size=embedding_size,
            word_vectors=word_vectors, word_vector_size=word_vector_size, word2vec_epochs=word2vec_epochs,
            trainable_embeddings=trainable_embeddings, min_count=min_count, max_title_length=max_title_length,
            max_description_length=max_description_length, loss=loss, margin=margin,
            batch_size_range=batch_size_range, violation_thresholds=violation_thresholds,
            learning_rate=learning_rate, epochs=epochs, early_stopping=early_stopping,
            validation_fraction=validation_fraction, n_iter_no_change=n_iter_no_change, language=language,
            spacy_model=spacy_model, random_state=random_state, verbose=verbose,
        )
        self.prior_weight = prior_weight

    _parameter_constraints = {**JoapsBase._parameter_constraints, "prior_weight": [one_of("auto"), real(0)]}

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
        train, validation = self._fit(descriptions=X, titles=y, description_name="X", title_name="y")
        n_titles = len(self.titles_)
        groups = [part[2].astype(np.int64) for part in (train, validation) if part is not None]
        self.title_counts_ = np.bincount(np.concatenate(groups), minlength=n_titles)
        if self.prior_weight != "auto":
            self.prior_weight_ = float(self.prior_weight)
        elif validation is None:
            self.prior_weight_ = 0.0
        else:
            self.prior_weight_ = self._choose_prior_weight(train, validation)
        self.classes_ = self.titles_
        self.candidate_vectors_ = self.title_vectors_
        self.candidate_log_prior_ = _log_prior(self.title_counts_)
        return self

    def _choose_prior_weight(self, train, validation):
        """The prior weight with the best Top-5 accuracy on the validation pairs.

        The prior counts the training part only, so a validation pair's own title gets no
        help from it.
        """
        log_prior = _log_prior(np.bincount(train[2].astype(np.int64), minlength=len(self.titles_)))
        vectors = run_encoder(self._encoder_pair[0], validation[0])
        truth = validation[2].astype(np.int64)
        hits = np.zeros(len(_PRIOR_WEIGHTS))
        for rows in row_chunks(len(vectors)):
            cosines = vectors[rows] @ self.title_vectors_.T
            for i, weight in enumerate(_PRIOR_WEIGHTS):
                hits[i] += (top_k_indices(cosines + weight * log_prior, 5) == truth[rows, None]).any(axis=1).sum()
        return float(_PRIOR_WEIGHTS[int(np.argmax(hits))])  # ties: the smallest weight

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
        classes, first = np.unique(np.asarray([title_label(t) for t in titles], dtype=object), return_index=True)
        vectors = self._encode_titles([titles[i] for i in first])
        counts = dict(zip(self.titles_, self.title_counts_))
        self.candidate_log_prior_ = _log_prior(np.array([counts.get(c, 0) for c in classes], dtype=float))
        self.candidate_vectors_ = vectors
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
        """Ranking score of each candidate title for each description.

        The cosine similarity plus ``prior_weight_ * candidate_log_prior_``.

        Parameters
        ----------
        X : list, array or Series of str, shape (n_samples,)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Columns follow `classes_`.
        """
        vectors = self.transform(X)
        return scores_in_chunks(lambda rows: self._scores(vectors[rows]), len(vectors))

    def _scores(self, vectors):
        scores = vectors @ self.candidate_vectors_.T
        if self.prior_weight_:
            scores += self.prior_weight_ * self.candidate_log_prior_
        return scores

    def predict_top_k(self, X, k=10, return_scores=False):
        """The `k` best candidate titles of each description.

        Parameters
        ----------
        X : list, array or Series of str, shape (n_samples,)
            Job descriptions.
        k : int, default=10
            Titles per description (at most ``len(classes_)``).
        return_scores : bool, default=False
            Also return the scores (see `decision_function`).

        Returns
        -------
        titles : ndarray of str, shape (n_samples, k)
            Best first.
        scores : ndarray of shape (n_samples, k)
            Only when `return_scores` is True.
        """
        k = check_k(k)
        vectors = self.transform(X)
        indices, scores = scores_in_chunks(lambda rows: self._scores(vectors[rows]), len(vectors), k)
        titles = self.classes_[indices]
        return (titles, scores) if return_scores else titles
