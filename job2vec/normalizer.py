"""`TitleNormalizer`: free-form job titles to taxonomy codes (ESCO, O*NET, ROME or the user's own).

The VacancySBERT task done with job2vec. JOAPS learns, from the taxonomy's
own (label, occupation description) pairs, a title encoder that puts a label
near its occupation's description, and so near the other labels of that
occupation. A query title is then scored against every occupation by

    w_title * max_labels cos(t, label) + w_definition * cos(t, definition)
    + w_lexical * max_labels tfidf(t, label) [+ w_description * description evidence]

- ``title``: job2vec of the query vs job2vec of each label of the occupation;
- ``definition``: job2vec of the query vs the occupation's description
  through the description encoder (what the loss trained);
- ``lexical``: character 2-4-gram TF-IDF cosine with the labels (spelling);
- ``description`` (when the posting's description is given): its encoding vs
  the occupation's labels and description (VacancySBERT "with skills").

An occupation's score over its labels is the best of them (one good synonym
is enough; a mean would punish occupations with many labels).
"""

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._base import NetworkEstimatorMixin, fit_seed
from ._channels import best_weights, weighted_sum
from ._ranking import check_k, row_chunks, scores_in_chunks
from ._validation import RANDOM_STATE, check_texts, instance_of, integer, one_of, real, string_input_tags, \
    validate_params
from .datasets import TAXONOMY_LANGUAGES, taxonomy_labels
from .embedder import JoapsEmbedder
from .preprocessing import normalize_title

TITLE_CHANNELS = ("title", "definition", "lexical")
WEIGHT_GRID = {
    "title": (0.0, 0.5, 1.0),
    "definition": (0.0, 0.5, 1.0),
    "lexical": (0.0, 0.25, 0.5, 1.0, 2.0),
}
DEFAULT_WEIGHTS = {"title": 1.0, "definition": 0.5, "lexical": 0.5}  # without a validation split
# Taxonomy definitions are short (ESCO: 40 words, ROME: 123), and each one is repeated for every
# label of its occupation: 100 words and 5 epochs keep a fit on O*NET's 53,770 labels in minutes.
# The labels of one occupation share its definition and are meant to land together: they are not
# pushed apart after training (`max_title_similarity`).
DEFAULT_EMBEDDER = {"max_description_length": 100, "epochs": 5, "max_title_similarity": None}
_CHUNK = 512  # queries scored at once: (512, n_labels) float32 per channel


def _occupation_max(scores, starts):
    """Per occupation, the best score over its labels (labels sorted by occupation, `starts` = first label)."""
    return np.maximum.reduceat(scores, starts, axis=1)


class TitleNormalizer(NetworkEstimatorMixin, BaseEstimator):
    """Map free-form job titles (and their descriptions) to taxonomy codes with job2vec.

    `fit` learns job2vec (a `JoapsEmbedder`) from the taxonomy's own
    (label, occupation description) pairs, plus the user's postings when
    given; `predict` returns the code of the occupation whose labels and
    description best match each title. An occupation's score is the best
    over its labels (see the user guide for the formula).

    Read more in the :ref:`User Guide <normalization>`.

    Parameters
    ----------
    taxonomy : {"esco", "onet", "rome"} or DataFrame, default="esco"
        The occupations: ESCO v1.1.1 (codes are occupation URIs), O*NET 27.0
        (O*NET-SOC codes; official and alternate titles are the labels), ROME
        v4.60 (métier codes, French), or the user's own table with columns
        ``code``, ``label`` and ``description`` (one row per label; rows of
        one code share its description, the first is its preferred label).
    language : {"en", "fr"} or None, default=None
        The labels' language; None is the taxonomy's own ("fr" for ROME,
        otherwise "en"). ``taxonomy="esco", language="fr"`` uses ESCO's
        French labels.
    embedder : JoapsEmbedder or None, default=None
        The job2vec model to learn (cloned, never fitted in place). None is
        ``JoapsEmbedder(max_description_length=100, epochs=5,
        max_title_similarity=None, language=language,
        random_state=random_state, verbose=verbose)``: taxonomy definitions
        are short, and each is repeated for every label of its occupation,
        whose labels are meant to share a vector. Its ``word_vectors`` may be pre-trained, e.g.
        ``"spacy:fr_core_news_md"``.
    weights : "auto" or dict, default="auto"
        Weights of the ``"title"``, ``"definition"`` and ``"lexical"``
        channels. ``"auto"`` chooses them on `validation_fraction` of the
        alternative labels, held out of the network and of the label index
        while choosing (they join the index after).
    description_weight : float, default=0.5
        Weight of the description channel when a query comes with its
        description (0 ignores descriptions).
    validation_fraction : float, default=0.1
        Share of each occupation's alternative labels held out to choose the
        weights (occupations with fewer than 2 alternative labels keep all).
    random_state : int, RandomState or None, default=None
        Seeds the validation split and the default embedder.
    verbose : int, default=0
        Passed to the default embedder (one line per epoch).

    Attributes
    ----------
    classes_ : ndarray of str
        The occupation codes, columns of `decision_function`.
    labels_ : ndarray of str
        The preferred label of each code, as the taxonomy writes it.
    embedder_ : JoapsEmbedder
        The fitted job2vec model.
    weights_ : dict of str to float
        The channel weights in use.
    validation_recall_ : dict of str to float or None
        Recall@1/5/10 of the chosen weights on the held-out labels
        (None without a validation split).
    n_labels_ : int
        Labels in the index (normalized, distinct per code).

    See Also
    --------
    JoapsEmbedder : The job2vec model learned here.

    Examples
    --------
    >>> from job2vec import TitleNormalizer
    >>> normalizer = TitleNormalizer(taxonomy="esco", random_state=0).fit()  # doctest: +SKIP
    >>> normalizer.predict_label(["junior java dev"])  # doctest: +SKIP
    array(['ICT application developer'], dtype=object)
    """

    _parameter_constraints = {
        "taxonomy": [one_of(*TAXONOMY_LANGUAGES), instance_of(pd.DataFrame, describe="a DataFrame")],
        "language": [one_of(None, "en", "fr")],
        "embedder": [one_of(None), instance_of(JoapsEmbedder, describe="a JoapsEmbedder")],
        "weights": [one_of("auto"), instance_of(dict, describe="a dict of channel weights")],
        "description_weight": [real(0)],
        "validation_fraction": [real(0, 1)],
        "random_state": RANDOM_STATE,
        "verbose": [integer(0)],
    }

    def __init__(self, taxonomy="esco", *, language=None, embedder=None, weights="auto", description_weight=0.5,
                 validation_fraction=0.1, random_state=None, verbose=0):
        self.taxonomy = taxonomy
        self.language = language
        self.embedder = embedder
        self.weights = weights
        self.description_weight = description_weight
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        return string_input_tags(super().__sklearn_tags__())

    # ------------------------------------------------------------------- fit
    def fit(self, X=None, y=None):
        """Learn job2vec from the taxonomy, plus the user's postings when given.

        Parameters
        ----------
        X : None, list of str, or DataFrame, default=None
            Extra postings: titles, or a frame with a ``title`` and an
            optional ``description`` column. Titles with codes `y` become
            labels of those codes; postings with descriptions become training
            pairs (with their code when `y` is given).
        y : None or list of str, default=None
            The taxonomy code of each posting of `X`.

        Returns
        -------
        self : TitleNormalizer
        """
        validate_params(self)
        fixed_weights = None if self.weights == "auto" else self._checked_weights()
        language = self._language()
        table = taxonomy_labels(self.taxonomy, language)
        codes, code_index = np.unique(table["code"].to_numpy(dtype=object), return_inverse=True)
        first_rows = table.groupby(code_index).first()  # a code's description, and its preferred label
        definitions = first_rows["description"].to_numpy(dtype=object)
        labels = pd.DataFrame({"occupation": code_index, "label": table["label"].map(normalize_title),
                               "preferred": ~table["code"].duplicated().to_numpy()})
        coded, extra_titles, extra_texts, extra_groups = self._postings(X, y, codes)
        labels = pd.concat([labels, coded[labels.columns]], ignore_index=True)
        labels = labels[labels["label"] != ""].drop_duplicates(["occupation", "label"]).reset_index(drop=True)
        unlabelled = np.setdiff1d(np.arange(len(codes)), labels["occupation"])
        if len(unlabelled):
            raise ValueError(f"{len(unlabelled)} codes have no label left after normalization, e.g. "
                             f"{codes[unlabelled[0]]!r}.")  # the per-occupation maxima need one per code

        rng = check_random_state(fit_seed(self.random_state))
        held_out = self._validation_labels(labels, rng) if self.weights == "auto" else np.zeros(len(labels), bool)
        train = labels[~held_out]
        embedder = clone(self.embedder) if self.embedder is not None else self.default_embedder()
        embedder.fit(list(train["label"]) + extra_titles,
                     list(definitions[train["occupation"]]) + extra_texts,
                     groups=list(codes[train["occupation"]]) + extra_groups)

        definition_vectors = embedder._encode_descriptions(definitions)
        if held_out.any():
            index = self._label_index(embedder, train)
            queries = labels[held_out]
            channels = self._title_channels(index, definition_vectors, list(queries["label"]), embedder)
            truth = queries["occupation"].to_numpy()
            weights = best_weights(channels, truth, WEIGHT_GRID)
            chosen = weighted_sum(channels, weights)
            top = np.argsort(-chosen, axis=1)[:, :10] == truth[:, None]
            validation_recall = {f"recall@{k}": float(top[:, :k].any(axis=1).mean()) for k in (1, 5, 10)}
        else:
            weights = fixed_weights or dict(DEFAULT_WEIGHTS)
            validation_recall = None

        # Everything computed: only now replace a previous fit.
        self.embedder_ = embedder
        self._index = self._label_index(embedder, labels)
        self.definition_vectors_ = definition_vectors
        self.classes_ = codes
        self.labels_ = first_rows["label"].to_numpy(dtype=object)
        self.weights_ = weights
        self.validation_recall_ = validation_recall
        self.n_labels_ = len(labels)
        return self

    def default_embedder(self):
        """The unfitted `JoapsEmbedder` that `fit` uses when `embedder` is None."""
        return JoapsEmbedder(**DEFAULT_EMBEDDER, language=self._language(), random_state=self.random_state,
                             verbose=self.verbose)

    def _language(self):
        if self.language is not None:
            return self.language
        return TAXONOMY_LANGUAGES.get(self.taxonomy, ("en",))[0] if isinstance(self.taxonomy, str) else "en"

    def _checked_weights(self):
        unknown = set(self.weights) - set(TITLE_CHANNELS)
        if unknown:
            raise ValueError(f"weights has unknown channels {sorted(unknown)}; use {list(TITLE_CHANNELS)}.")
        weights = {name: float(self.weights.get(name, 0.0)) for name in TITLE_CHANNELS}
        if any(w < 0 for w in weights.values()) or not any(weights.values()):
            raise ValueError(f"weights must be >= 0 and not all 0, got {self.weights!r}.")
        return weights

    def _postings(self, X, y, codes):
        """The user's postings: labels from coded titles, and extra training pairs (titles, texts, groups)."""
        coded = pd.DataFrame({"occupation": np.zeros(0, np.int64), "label": [], "preferred": np.zeros(0, bool)})
        if X is None:
            if y is not None:
                raise ValueError("y (codes) was given without X (the titles they belong to).")
            return coded, [], [], []
        titles, descriptions = read_postings(X)
        if y is not None:
            y = check_texts(y, "y", allow_tokens=False)
            if len(y) != len(titles):
                raise ValueError(f"X and y have different lengths: {len(titles)} and {len(y)}.")
            unknown = sorted(set(y) - set(codes))
            if unknown:
                raise ValueError(f"y has {len(unknown)} codes that are not in the taxonomy, e.g. {unknown[:3]}.")
            coded = pd.DataFrame({"occupation": np.searchsorted(codes, y), "preferred": False,
                                 "label": [normalize_title(t) for t in titles]})
        elif descriptions is None:
            raise ValueError("titles alone teach nothing without their codes: give y, or a frame with a "
                             "'description' column.")
        if descriptions is None:
            return coded, [], [], []
        keep = [i for i, d in enumerate(descriptions) if d]
        groups = [y[i] for i in keep] if y is not None else [f"title:{normalize_title(titles[i])}" for i in keep]
        return coded, [titles[i] for i in keep], [descriptions[i] for i in keep], groups

    def _validation_labels(self, labels, rng):
        """A mask of alternative labels held out to choose the weights; every occupation keeps two labels."""
        held_out = np.zeros(len(labels), dtype=bool)
        alternative = labels.index[~labels["preferred"]].to_numpy()
        for rows in pd.Series(alternative).groupby(labels.loc[alternative, "occupation"].to_numpy()):
            rows = rows[1].to_numpy()
            n = int(round(self.validation_fraction * len(rows)))
            if len(rows) >= 2 and n:
                held_out[rng.choice(rows, min(n, len(rows) - 1), replace=False)] = True
        return held_out

    @staticmethod
    def _label_index(embedder, labels):
        """Labels sorted by occupation, their job2vec vectors, the first label of each occupation, and TF-IDF."""
        labels = labels.sort_values("occupation", kind="stable")
        texts = list(labels["label"])
        lexical = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, dtype=np.float32)
        matrix = lexical.fit_transform(texts)
        occupations = labels["occupation"].to_numpy()
        starts = np.flatnonzero(np.r_[True, occupations[1:] != occupations[:-1]])
        return {"vectors": embedder.transform(texts), "starts": starts, "lexical": lexical,
                "lexical_matrix": matrix.T.tocsr()}

    def _title_channels(self, index, definition_vectors, titles, embedder):
        """The title channels of `titles` (normalized), each (n_titles, n_occupations), chunk by chunk."""
        vectors = embedder.transform(titles)
        parts = []
        for rows in row_chunks(len(titles), _CHUNK):  # bounds the (chunk, n_labels) similarities
            lexical = (index["lexical"].transform(titles[rows]) @ index["lexical_matrix"]).toarray()
            parts.append({"title": _occupation_max(vectors[rows] @ index["vectors"].T, index["starts"]),
                          "lexical": _occupation_max(lexical, index["starts"])})
        return {"title": np.concatenate([p["title"] for p in parts]),
                "definition": vectors @ definition_vectors.T,
                "lexical": np.concatenate([p["lexical"] for p in parts])}

    # --------------------------------------------------------------- predict
    def _description_channel(self, descriptions):
        """Evidence of the posting descriptions: their encoding vs each occupation's labels and description.

        Rows without a description get 0 (their ranking is the titles' alone).
        """
        evidence = np.zeros((len(descriptions), len(self.classes_)), dtype=np.float32)
        given = [i for i, text in enumerate(descriptions) if text]
        if given:
            vectors = self.embedder_._encode_descriptions([descriptions[i] for i in given])
            evidence[given] = 0.5 * (_occupation_max(vectors @ self._index["vectors"].T, self._index["starts"])
                                     + vectors @ self.definition_vectors_.T)
        return evidence

    def decision_function(self, X):
        """The score of every occupation for each query.

        Parameters
        ----------
        X : list of str, or DataFrame
            Titles, or a frame with a ``title`` and an optional
            ``description`` column.

        Returns
        -------
        ndarray of shape (n_queries, n_classes)
            Columns follow `classes_`.
        """
        return self._scores_in_chunks(X, k=None)

    def _scores_in_chunks(self, X, k):
        check_is_fitted(self, "embedder_")
        titles, descriptions = read_postings(X)
        titles = [normalize_title(t) for t in titles]
        use_descriptions = descriptions is not None and self.description_weight > 0

        def score_rows(rows):
            channels = self._title_channels(self._index, self.definition_vectors_, titles[rows], self.embedder_)
            scores = weighted_sum(channels, self.weights_)
            if use_descriptions:
                scores += np.float32(self.description_weight) * self._description_channel(descriptions[rows])
            return scores

        return scores_in_chunks(score_rows, len(titles), k=k, size=_CHUNK)

    def predict_top_k(self, X, k=10, return_scores=False):
        """The `k` best occupation codes of each query, best first.

        Parameters
        ----------
        X : list of str, or DataFrame
            Titles, or a frame with a ``title`` and an optional
            ``description`` column.
        k : int, default=10
        return_scores : bool, default=False
            Also return the scores.

        Returns
        -------
        codes : ndarray of str, shape (n_queries, k)
        scores : ndarray of float, shape (n_queries, k)
            When `return_scores` is True.
        """
        k = check_k(k)
        indices, scores = self._scores_in_chunks(X, k=k)
        codes = self.classes_[indices]
        return (codes, scores) if return_scores else codes

    def predict(self, X):
        """The best occupation code of each query.

        Parameters
        ----------
        X : list of str, or DataFrame
            Titles, or a frame with a ``title`` and an optional
            ``description`` column.

        Returns
        -------
        ndarray of str, shape (n_queries,)
        """
        return self.predict_top_k(X, k=1)[:, 0]

    def predict_label(self, X):
        """The preferred label of the best occupation of each query.

        Parameters
        ----------
        X : list of str, or DataFrame

        Returns
        -------
        ndarray of str, shape (n_queries,)
        """
        return self.labels_[np.searchsorted(self.classes_, self.predict(X))]

    def transform(self, X):
        """The job2vec vectors of the query titles.

        Parameters
        ----------
        X : list of str, or DataFrame

        Returns
        -------
        ndarray of shape (n_queries, embedding_size)
        """
        check_is_fitted(self, "embedder_")
        titles, _ = read_postings(X)
        return self.embedder_.transform(titles)

    def score(self, X, y, sample_weight=None):
        """Recall@1: the share of queries whose best code is `y`.

        Parameters
        ----------
        X : list of str, or DataFrame
        y : list of str
            True codes.
        sample_weight : array-like of shape (n_queries,), default=None

        Returns
        -------
        float
        """
        y = np.asarray(check_texts(y, "y", allow_tokens=False), dtype=object)
        return float(np.average(self.predict(X) == y, weights=sample_weight))


def read_postings(X):
    """Titles and descriptions (None, or "" where missing) of `X`: a list of titles or a frame."""
    if isinstance(X, pd.DataFrame):
        if "title" not in X.columns:
            raise ValueError(f"X has no 'title' column; its columns are {list(map(str, X.columns))}.")
        titles = check_texts(X["title"], "X['title']", allow_tokens=False)
        if "description" not in X.columns:
            return np.asarray(titles, dtype=object), None
        descriptions = [d.strip() if isinstance(d, str) else "" for d in X["description"]]
        return np.asarray(titles, dtype=object), np.asarray(descriptions, dtype=object)
    return np.asarray(check_texts(X, "X", allow_tokens=False), dtype=object), None
