"""`TitlePredictor`: predict job titles of descriptions by nearest titles in job2vec."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._base import FITTED_DOC, PARAMETERS_DOC, JoapsBase, title_label, warn_few_known
from ._channels import (DEFAULT_TEMPERATURE, RANKINGS, WEIGHT_GRID, NeighbourIndex, choose_on_validation, combine,
                        fit_lexical_index, log_prior, mention_scores, pairs_per_text, softmax, title_count_matrix,
                        title_word_weights)
from ._ranking import TopKPredictorMixin, check_k, scores_in_chunks
from .explanations import explain_joaps
from ._validation import N_JOBS, check_texts, integer, one_of, real


RANKING_DOC = """
    ranking : {"hybrid", "neighbours", "cosine"}, default="hybrid"
        The evidence a candidate title's score adds up (see the user guide):
        ``"cosine"``, the paper's description→title cosine (plus the title
        prior, see `prior_weight`); ``"neighbours"``, plus the votes of the
        `n_neighbors` training descriptions nearest in the learned
        description space; ``"hybrid"``, plus the votes of the nearest
        training descriptions in TF-IDF space over the same tokens (sparse +
        dense) and how much of the title's wording the description contains
        (its words' IDF-weighted share). The channel weights are chosen on
        the early-stopping validation pairs: the best of a grid, where it
        beats by more than one standard error the reference of the cosine,
        TF-IDF votes and mention at 1, prior and learned neighbours off
        (channels beyond the cosine and prior are off without a validation
        split). ``ranking="cosine", prior_weight=0`` is the paper's method.
    n_neighbors : int, default=50
        Voting training descriptions of the neighbour channels.
    prior_weight : "auto" or float, default="auto"
        Weight lambda of the title prior ``lambda * log p(title)`` in the
        ranking score, with ``p`` the add-one smoothed frequency of the title
        in the fit data (titles never seen, e.g. from `set_candidates`, share
        the smallest prior). In-batch negatives are drawn in proportion to
        title frequency, so the trained cosine leaves the prior out; 0 ranks
        without it, as in the paper. ``"auto"`` chooses lambda from (0, 0.01,
        0.02, 0.05, 0.1, 0.2) with the other channel weights on the
        validation pairs (0 without early stopping).
    n_jobs : int or None, default=None
        Threads that rank descriptions against the candidates at once, in
        `predict`, `predict_top_k`, `predict_proba` and `decision_function`
        (joblib's convention: None means 1 unless in a
        :func:`joblib.parallel_config` context, -1 means all processors). The
        neighbour channels' sparse and dense products release the GIL, so
        threads share the model without copying it, while the calling thread
        tokenizes the next descriptions; the scores are the same up to float
        rounding. On two cores, ``n_jobs=2`` ranked raw LinkedIn ads 1.4 to
        2 times as fast as one job (docs/speed.md)."""


class TitlePredictor(TopKPredictorMixin, JoapsBase):
    __doc__ = f"""Predict the job title of a description with JOAPS.

    The description is encoded by the CNN description encoder; the predicted
    titles are the candidate titles whose job2vec vectors (from the title
    encoder) are closest by cosine. Candidates are the titles seen in `fit`,
    or any list given to `set_candidates` (e.g. a taxonomy).

    Read more in the :ref:`User Guide <method>`.

    Parameters
    ----------{PARAMETERS_DOC}{RANKING_DOC}

    Attributes
    ----------
    classes_ : ndarray of str
        The candidate titles (normalized): the distinct fitted titles, or
        those of the last `set_candidates`. Columns of `decision_function`.
    candidate_vectors_ : ndarray of shape (n_classes, embedding_size)
        Their unit job2vec vectors.
    candidate_log_prior_ : ndarray of shape (n_classes,)
        Their log prior (see `prior_weight`).
    candidate_groups_ : ndarray of int, shape (n_classes,)
        Each candidate's index in `titles_`, -1 for a candidate that is no
        fitted title (it gets no neighbour votes).
    prior_weight_ : float
        The prior weight in use (chosen when `prior_weight` is "auto").
    channel_weights_ : dict of str to float
        The weights of the ``"prior"``, ``"neighbours"``, ``"lexical"`` and
        ``"mention"`` channels in the ranking score (see `ranking`).
    ranking_weights_ : dict of str to dict
        The weights chosen on the validation split for `ranking` and for each
        simpler ranking (``"cosine"``, ``"neighbours"``): the ablations.
    temperature_ : float
        Softmax temperature of `predict_proba`, fitted on the validation split.
    calibration_error_ : float
        Expected calibration error (15 bins) of the top-1 probability on the
        validation split at that temperature; NaN without a validation split.
    description_vectors_ : ndarray of shape (n_texts, embedding_size) or None
        Each distinct fit description in job2vec: the learned neighbour
        index.
    description_titles_ : sparse matrix of shape (n_texts, n_titles)
        How many fit pairs give each of them each of `titles_`: a repost is
        indexed once and votes as often as it occurs.
    lexical_vectorizer_ : TfidfVectorizer or None
        Its document frequencies count fit pairs.
    lexical_matrix_ : sparse matrix of shape (n_texts, n_words) or None
        The distinct fit descriptions in TF-IDF space: the lexical neighbour
        index.
    candidate_words_ : sparse matrix of shape (n_classes, n_words) or None
        Each candidate title's words, IDF-weighted, rows summing to at most
        1 (the mention channel; words the fit descriptions never use count
        in the sum but can never be mentioned).
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
        max_vocabulary=100_000,
        max_title_length=20,
        max_description_length=343,
        loss="wocr",
        margin=0.1,
        subword_buckets=32768,
        title_word_mean=True,
        max_title_similarity=0.99,
        batch_size_range=(8, 128),
        violation_thresholds=(0.2, 0.8),
        learning_rate=1e-3,
        epochs=10,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=2,
        language="en",
        spacy_model=None,
        ranking="hybrid",
        n_neighbors=50,
        prior_weight="auto",
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        super().__init__(
            filter_sizes=filter_sizes, n_filters=n_filters, embedding_size=embedding_size,
            word_vectors=word_vectors, word_vector_size=word_vector_size, word2vec_epochs=word2vec_epochs,
            trainable_embeddings=trainable_embeddings, min_count=min_count, max_vocabulary=max_vocabulary,
            max_title_length=max_title_length,
            max_description_length=max_description_length, loss=loss, margin=margin,
            subword_buckets=subword_buckets, title_word_mean=title_word_mean, max_title_similarity=max_title_similarity,
            batch_size_range=batch_size_range, violation_thresholds=violation_thresholds,
            learning_rate=learning_rate, epochs=epochs, early_stopping=early_stopping,
            validation_fraction=validation_fraction, n_iter_no_change=n_iter_no_change, language=language,
            spacy_model=spacy_model, random_state=random_state, verbose=verbose,
        )
        self.ranking = ranking
        self.n_neighbors = n_neighbors
        self.prior_weight = prior_weight
        self.n_jobs = n_jobs

    _parameter_constraints = {
        **JoapsBase._parameter_constraints,
        "ranking": [one_of(*RANKINGS)],
        "n_neighbors": [integer(1)],
        "prior_weight": [one_of("auto"), real(0)],
        "n_jobs": N_JOBS,
    }

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
        split = self._fit(descriptions=X, titles=y, description_name="X", title_name="y")
        channels = RANKINGS[self.ranking]
        # Each distinct description text is encoded and indexed once. While the weights are
        # chosen, the neighbour indexes hold the training part only (the validation pairs are the
        # queries); then every fit pair, as (text, title) entries with their number of pairs.
        description_vectors = (self._description_encoder(split.description_ids) if "neighbours" in channels else None)
        vectorizer, lexical_matrix = (fit_lexical_index(split.description_tokens, pairs_per_text(split))
                                      if "lexical" in channels else (None, None))
        title_words = (self._title_words(self.titles_, vectorizer) if "mention" in channels and vectorizer is not None
                       else None)
        grid = {name: WEIGHT_GRID[name] for name in channels}
        if self.prior_weight != "auto":
            grid["prior"] = (float(self.prior_weight),)
        if lexical_matrix is None:
            grid.pop("lexical", None)
            grid.pop("mention", None)
        rankings = [name for name in RANKINGS if set(RANKINGS[name]) <= set(channels)]
        weights, temperature, calibration_error = choose_on_validation(
            split, grid, rankings, title_vectors=self.title_vectors_, description_vectors=description_vectors,
            encode=self._description_encoder, lexical_matrix=lexical_matrix, title_words=title_words,
            n_neighbors=self.n_neighbors)

        self.title_counts_ = np.bincount(split.groups, minlength=len(self.titles_))
        self.description_titles_ = title_count_matrix(split.description_rows, split.groups,
                                                      len(split.description_tokens), len(self.titles_))
        self.description_vectors_ = description_vectors
        self.lexical_vectorizer_, self.lexical_matrix_ = vectorizer, lexical_matrix
        self.ranking_weights_ = weights
        self.channel_weights_ = weights[self.ranking]
        self.prior_weight_ = self.channel_weights_["prior"]
        self.temperature_, self.calibration_error_ = temperature, calibration_error
        self.classes_ = self.titles_
        self.candidate_vectors_ = self.title_vectors_
        self.candidate_log_prior_ = log_prior(self.title_counts_)
        self.candidate_groups_ = np.arange(len(self.titles_))
        self.candidate_words_ = title_words
        return self

    def _title_words(self, titles, vectorizer):
        """The mention channel's side of `titles`: their words as the descriptions are tokenized."""
        return title_word_weights(self._tokenize(list(titles), remove_stop_words=True), vectorizer)

    def __setstate__(self, state):
        state = {"n_jobs": None, **state}  # saved before n_jobs existed
        if "network_" in state and "channel_weights_" not in state:
            # Saved by job2vec 0.1: the cosine and prior ranking it was fitted with.
            state = {"ranking": "cosine", "n_neighbors": 50, "temperature_": DEFAULT_TEMPERATURE,
                     "calibration_error_": float("nan"), "description_vectors_": None, "lexical_vectorizer_": None,
                     "lexical_matrix_": None, "description_titles_": None, **state}
            weights = {"prior": float(state.get("prior_weight_", 0.0)), "neighbours": 0.0, "lexical": 0.0}
            group_of = {title: i for i, title in enumerate(state["titles_"])}
            state.update(channel_weights_=weights, ranking_weights_={"cosine": weights},
                         candidate_groups_=np.array([group_of.get(c, -1) for c in state["classes_"]]))
        if "channel_weights_" in state and "mention" not in state["channel_weights_"]:
            # Saved by job2vec 0.2, which had no mention channel.
            state = {**state, "candidate_words_": None,
                     "channel_weights_": {**state["channel_weights_"], "mention": 0.0},
                     "ranking_weights_": {name: {**weights, "mention": 0.0}
                                          for name, weights in state["ranking_weights_"].items()}}
        if "description_groups_" in state:
            # Saved before 0.3: the neighbour indexes held one row per fit pair.
            state = dict(state)
            groups = state.pop("description_groups_")
            state["description_titles_"] = (None if groups is None else title_count_matrix(
                np.arange(len(groups)), groups, len(groups), len(state["titles_"])))
        super().__setstate__(state)

    def set_candidates(self, titles):
        """Rank descriptions against `titles` from now on, without refitting.

        Parameters
        ----------
        titles : list, array or Series of str
            Candidate titles, e.g. a taxonomy's labels. They are normalized
            and de-duplicated; unseen titles are fine. A candidate that is no
            fitted title gets no neighbour votes (no training description
            has it) and the smallest prior: it is ranked by its cosine and
            by how much of its wording the description contains.

        Returns
        -------
        self : TitlePredictor
        """
        check_is_fitted(self)
        titles = check_texts(titles, "titles", allow_tokens=False)
        classes, first = np.unique(np.asarray([title_label(t) for t in titles], dtype=object), return_index=True)
        vectors = self._encode_titles([titles[i] for i in first])
        counts = dict(zip(self.titles_, self.title_counts_))
        group_of = {title: i for i, title in enumerate(self.titles_)}
        self.candidate_log_prior_ = log_prior(np.array([counts.get(c, 0) for c in classes], dtype=float))
        self.candidate_groups_ = np.array([group_of.get(c, -1) for c in classes], dtype=np.int64)
        self.candidate_vectors_ = vectors
        self.candidate_words_ = (self._title_words(classes, self.lexical_vectorizer_)
                                 if self.lexical_vectorizer_ is not None else None)
        self.__dict__.get("_indexes", {}).pop("mention", None)  # built from the previous candidates' words
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

        ``cos(description, title) + w_prior * candidate_log_prior_ +
        w_neighbours * learned votes + w_lexical * TF-IDF votes + w_mention *
        mention``, with the weights of `channel_weights_` (see `ranking`).

        Parameters
        ----------
        X : list, array or Series of str, shape (n_samples,)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Columns follow `classes_`.
        """
        return self._rank(X)

    def _rank(self, X, k=None, summary=None):
        """`scores_in_chunks` of descriptions `X`: each chunk encoded in this thread, scored by `n_jobs` threads.

        Tokenizing holds the GIL and scoring mostly does not, so with two
        jobs a chunk is tokenized while the previous ones are scored.
        """
        check_is_fitted(self)
        texts = check_texts(X, "X")
        for name in ("neighbours", "lexical", "mention"):
            if self.channel_weights_[name]:
                self._channel_index(name)  # built once here, not by each thread
        few = []

        def encode(rows):
            vectors, tokens, n_few = self._encode_texts(texts[rows])
            few.append(n_few)
            return vectors, tokens

        ranked = scores_in_chunks(lambda encoded: self._scores(*encoded), len(texts), k,
                                  n_columns=len(self.classes_), n_jobs=self.n_jobs, prepare=encode, summary=summary)
        warn_few_known(sum(few), len(texts), stacklevel=4)
        return ranked

    def _scores(self, vectors, tokens):
        """Scores of the candidates for descriptions given by their vectors and token lists."""
        weights = self.channel_weights_
        votes = {}
        if weights["neighbours"]:
            votes["neighbours"] = self._candidate_votes(self._channel_index("neighbours").votes(vectors,
                                                                                               self.n_neighbors))
        if weights["lexical"] or weights["mention"]:
            queries = self.lexical_vectorizer_.transform(tokens)
        if weights["lexical"]:
            votes["lexical"] = self._candidate_votes(self._channel_index("lexical").votes(queries, self.n_neighbors))
        if weights["mention"]:
            votes["mention"] = mention_scores(queries, self._channel_index("mention"))
        return combine(vectors @ self.candidate_vectors_.T, weights, self.candidate_log_prior_, votes)

    def _channel_index(self, name):
        """What channel `name` ranks with, built on first use from the fitted attributes and never pickled.

        The neighbour channels' `NeighbourIndex`, and the candidates' title
        words in CSC form (their transpose is then CSR, so a query multiplies
        it without a conversion); `set_candidates` drops the latter.
        """
        indexes = self.__dict__.setdefault("_indexes", {})
        if name not in indexes:
            if name == "mention":
                indexes[name] = self.candidate_words_.tocsc()
            else:
                index = self.description_vectors_ if name == "neighbours" else self.lexical_matrix_
                indexes[name] = NeighbourIndex(index, self.description_titles_)
        return indexes[name]

    def _candidate_votes(self, votes):
        """Votes per fitted title (sparse) as a dense matrix over the candidates; 0 for unfitted ones."""
        groups = self.candidate_groups_
        if len(groups) == votes.shape[1] and np.array_equal(groups, np.arange(len(groups))):
            return votes.toarray()  # the fitted titles, in their order
        known = groups >= 0
        if known.all():
            return votes[:, groups].toarray()
        dense = np.zeros((votes.shape[0], len(groups)), dtype=np.float32)
        dense[:, known] = votes[:, groups[known]].toarray()
        return dense

    def explain(self, description, title=None, method="filters"):
        """Which words of `description` drove the score of `title` (the paper's Table 5).

        The description–title cosine is split over the description's words
        through the CNN's max-pooled filters: each filter's share of the
        cosine (its pooled value times how far its dense-layer row points
        towards the title) goes to the words of its winning n-gram. The
        weights plus a bias term add up to the cosine; see
        `job2vec.explanations`. The ranking channels (prior, neighbours) are
        not part of it.

        Parameters
        ----------
        description : str
        title : str or None, default=None
            Any title, fitted or not; None explains the top prediction.
        method : {"filters", "gradient"}, default="filters"
            ``"filters"``: the exact split above. ``"gradient"``: gradient ×
            input, the cosine's gradient with respect to each word vector
            dotted with it (first order, so the weights do not add up to the
            cosine).

        Returns
        -------
        Explanation
            ``tokens``, ``spans`` (character offsets in `description`),
            ``weights``, ``title`` and ``score`` (the cosine); renders as
            HTML in Jupyter (``to_html``) and as text with ``str``.
        """
        check_is_fitted(self)
        if method not in ("filters", "gradient"):
            raise ValueError(f"method must be 'filters' or 'gradient', got {method!r}.")
        return explain_joaps(self, description, title, method)

    def predict_proba(self, X):
        """Probability of each candidate title, calibrated on the validation split.

        ``softmax(decision_function(X) / temperature_)``; the temperature
        minimizes the log loss of the early-stopping validation pairs, and
        `calibration_error_` is its top-1 expected calibration error there.

        Parameters
        ----------
        X : list, array or Series of str, shape (n_samples,)
            Descriptions whose titles to score.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Rows sum to 1; columns follow `classes_`.
        """
        return softmax(self.decision_function(X), self.temperature_)

    def _top_k_and_confidence(self, X, k):
        """`predict_top_k` with its scores, and each description's best `predict_proba`, from one ranking.

        ``job2vec predict --min-confidence`` on a large file: the
        probabilities of a chunk of descriptions at a time, never the whole
        (descriptions, titles) matrix.
        """
        indices, scores, confidence = self._rank(
            X, check_k(k), summary=lambda chunk: softmax(chunk, self.temperature_).max(axis=1))
        return self.classes_[indices], scores, confidence

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
        indices, scores = self._rank(X, check_k(k))
        titles = self.classes_[indices]
        return (titles, scores) if return_scores else titles
