"""The estimator core shared by `JoapsEmbedder` and `TitlePredictor`.

It owns the parameters, the fit (preprocessing, W_in, vocabulary, network,
training), the encoding of new texts, and the pickling of the Keras network as
``.keras`` bytes. The fit's building blocks (tokenization, W_in, hold-out,
parameter checks, pickling) are functions, so `Seq2SeqTitlePredictor` uses
them too.
"""

import numbers
import os
import tempfile

import keras
import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._networks import build_joaps_network, split_encoders
from ._ranking import most_similar_titles
from ._training import fit_pairs, pair_batch, warp_batch_maker
from ._validation import check_pairs, check_texts
from .losses import MNRLoss, WARPLoss, WOCRLoss, violation_ratio, warp_violation_ratio
from .preprocessing import TextPreprocessor, Vocabulary, normalize_title
from .word_vectors import embedding_matrix, load_word_vectors, train_word2vec

_LOSSES = ("wocr", "mnrl", "warp")
WARP_NEGATIVES = 1000  # k, the paper's number of sampled negatives per WARP step
_PREDICT_BATCH = 256

PARAMETERS_DOC = """
    filter_sizes : tuple of int, default=(3, 4, 5)
        Widths (in words) of the description encoder's convolution filters.
    n_filters : int, default=100
        Filters per width.
    embedding_size : int, default=100
        h, the dimension of job2vec. Must be even (bidirectional GRU).
    word_vectors : str, default="word2vec"
        W_in. ``"word2vec"`` trains a skip-gram word2vec on the fit texts
        (gensim). Otherwise a path to pre-trained vectors (word2vec ``.bin``
        or text ``.txt``/``.vec``, gensim ``.kv``) or ``"spacy:PACKAGE"`` for
        an installed spaCy package with vectors.
    word_vector_size : int, default=300
        e, the size of trained word2vec vectors (ignored for loaded vectors).
    word2vec_epochs : int, default=5
        Passes of word2vec training.
    trainable_embeddings : bool or "auto", default="auto"
        Fine-tune W_in during training. ``"auto"`` fine-tunes a word2vec
        trained on the fit texts (measured better on the LinkedIn 2024 and
        O*NET sets) and keeps loaded pre-trained vectors frozen, as the paper
        does with its large HR word2vec.
    min_count : int, default=10
        Words seen fewer times in the fit texts are discarded (paper: 10).
    max_title_length : int, default=13
        Titles are truncated to this many known words (paper: 13).
    max_description_length : int, default=343
        Descriptions are truncated to this many known words (paper: 343).
    loss : {"wocr", "mnrl", "warp"}, default="wocr"
        The JOAPS WOCR ranking loss over in-batch negatives; VacancySBERT's
        in-batch multiple-negatives ranking loss; or the WARP loss (the
        paper's eq. 4), which browses 1,000 titles sampled uniformly from the
        fitted titles for each batch up to the first violator and weights it
        by its approximate rank. WARP is the slower baseline of the paper's
        Table 1.
    margin : float, default=0.1
        mu of the WOCR and WARP losses: a negative title violates unless it is
        at least `margin` less cosine-similar to the description than the true
        title.
    batch_size_range : tuple of (int, int), default=(8, 128)
        The batch size starts at the first value and is doubled or halved on
        the fly, never leaving this range.
    violation_thresholds : tuple of (float, float), default=(0.2, 0.8)
        Double the batch when the batch's ratio of violating negatives is
        under the first value, halve it when over the second.
    learning_rate : float, default=1e-3
        Adam's learning rate.
    epochs : int, default=10
        Maximum passes over the training pairs.
    early_stopping : bool, default=True
        Hold out `validation_fraction` of the pairs, stop when the validation
        loss has not improved for `n_iter_no_change` epochs, and keep the best
        weights.
    validation_fraction : float, default=0.1
        Share of pairs held out for early stopping.
    n_iter_no_change : int, default=2
        Patience of early stopping, in epochs.
    language : str, default="en"
        Language of the texts, for spaCy (``"en"``, ``"fr"``, ...).
    spacy_model : str or None, default=None
        An installed trained spaCy pipeline to use instead of the blank one.
    random_state : int, RandomState or None, default=None
        Seeds word2vec, weight initialization and shuffling. The same seed,
        data and machine give the same model.
    verbose : int, default=0
        1 prints a progress bar per epoch.
"""


def _model_to_bytes(model):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "network.keras")
        model.save(path)
        with open(path, "rb") as handle:
            return handle.read()


def _model_from_bytes(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "network.keras")
        with open(path, "wb") as handle:
            handle.write(data)
        try:
            return keras.saving.load_model(path, compile=False)
        except Exception as exc:  # a zip, h5 or config error, depending on the damage
            raise ValueError(f"the saved job2vec network is corrupt or incompatible: {exc}") from exc


class KerasPickleMixin:
    """Pickle the fitted Keras network ``network_`` as ``.keras`` bytes; drop the caches it derives."""

    _caches = ("_encoders", "_inference")  # rebuilt from network_ on first use

    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: object.__getstate__ may return __dict__ itself
        for key in self._caches:
            state.pop(key, None)
        if isinstance(state.get("network_"), keras.Model):
            state["network_"] = _model_to_bytes(state["network_"])
        return state

    def __setstate__(self, state):
        if isinstance(state.get("network_"), bytes):
            state = dict(state, network_=_model_from_bytes(state["network_"]))
        super().__setstate__(state)


def check_positive_ints(estimator, names, minimum=1):
    """Raise a ValueError naming the first parameter in `names` that is not an integer >= `minimum`."""
    for name in names:
        value = getattr(estimator, name)
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
            raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")


def check_training_params(estimator):
    """Checks of the parameters every Keras estimator here shares: learning rate, hold-out, W_in."""
    if not (isinstance(estimator.learning_rate, numbers.Real) and estimator.learning_rate > 0):
        raise ValueError(f"learning_rate must be positive, got {estimator.learning_rate!r}.")
    if not 0 <= estimator.validation_fraction < 1:
        raise ValueError(f"validation_fraction must be in [0, 1), got {estimator.validation_fraction!r}.")
    if estimator.trainable_embeddings not in ("auto", True, False):
        raise ValueError(
            f"trainable_embeddings must be True, False or 'auto', got {estimator.trainable_embeddings!r}."
        )
    if not isinstance(estimator.word_vectors, (str, os.PathLike)):
        raise TypeError(
            f"word_vectors must be 'word2vec', a file path or 'spacy:NAME', got {estimator.word_vectors!r}."
        )


def tokenize(texts, *, language, spacy_model, remove_stop_words):
    """Token lists of `texts`; texts that are already token lists (a `TextPreprocessor` step) pass through."""
    if isinstance(texts[0], list):
        return texts
    preprocessor = TextPreprocessor(language=language, spacy_model=spacy_model, remove_stop_words=remove_stop_words)
    return preprocessor.fit(texts).transform(texts)


def fit_vocabulary_and_vectors(corpus, *, word_vectors, min_count, vector_size, epochs, seed):
    """The `Vocabulary` (words seen `min_count` times) and W_in: word2vec trained on `corpus`, or loaded vectors."""
    training = word_vectors == "word2vec"
    vectors = None if training else load_word_vectors(word_vectors)
    vocabulary = Vocabulary(min_count).fit(corpus, allowed=None if training else vectors.key_to_index)
    if len(vocabulary) == 1:
        raise ValueError(
            f"the vocabulary is empty: no word occurs at least min_count={min_count} times"
            + ("" if training else " and has a vector in word_vectors")
            + "; lower min_count or give more texts."
        )
    if training:  # same corpus and min_count: a vector for every vocabulary word
        vectors = train_word2vec(corpus, vector_size=vector_size, min_count=min_count, epochs=epochs, seed=seed)
    return vocabulary, vectors


def resolve_trainable_embeddings(trainable_embeddings, word_vectors):
    """``"auto"``: fine-tune a word2vec trained on the fit texts, keep loaded vectors frozen."""
    if trainable_embeddings == "auto":
        return word_vectors == "word2vec"
    return bool(trainable_embeddings)


def hold_out(arrays, fraction, rng):
    """Split aligned arrays into (train, validation) for early stopping; validation may be None."""
    n_pairs = len(arrays[0])
    n_validation = int(round(fraction * n_pairs))
    if not n_validation or n_pairs - n_validation < 2:
        return arrays, None
    order = rng.permutation(n_pairs)
    held_out, kept = order[:n_validation], order[n_validation:]
    return tuple(a[kept] for a in arrays), tuple(a[held_out] for a in arrays)


def _run_encoder(encoder, ids):
    if len(ids) <= _PREDICT_BATCH:  # skip predict()'s data pipeline for small inputs
        return keras.ops.convert_to_numpy(encoder(ids, training=False))
    return np.asarray(encoder.predict(ids, batch_size=_PREDICT_BATCH, verbose=0))


def _title_label(title):
    return normalize_title(title if isinstance(title, str) else " ".join(title))


class JoapsBase(KerasPickleMixin, BaseEstimator):
    """Parameters, fit and encoding shared by the JOAPS estimators (not public)."""

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
        random_state=None,
        verbose=0,
    ):
        self.filter_sizes = filter_sizes
        self.n_filters = n_filters
        self.embedding_size = embedding_size
        self.word_vectors = word_vectors
        self.word_vector_size = word_vector_size
        self.word2vec_epochs = word2vec_epochs
        self.trainable_embeddings = trainable_embeddings
        self.min_count = min_count
        self.max_title_length = max_title_length
        self.max_description_length = max_description_length
        self.loss = loss
        self.margin = margin
        self.batch_size_range = batch_size_range
        self.violation_thresholds = violation_thresholds
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.language = language
        self.spacy_model = spacy_model
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.target_tags.required = True
        tags.non_deterministic = False
        return tags

    # ------------------------------------------------------------------ checks
    def _check_params(self):
        check_positive_ints(self, ("n_filters", "embedding_size", "word_vector_size", "word2vec_epochs",
                                   "min_count", "max_title_length", "max_description_length", "epochs",
                                   "n_iter_no_change"))
        if self.embedding_size % 2:
            raise ValueError(f"embedding_size must be even (two GRU directions), got {self.embedding_size}.")
        sizes = tuple(self.filter_sizes) if isinstance(self.filter_sizes, (tuple, list)) else ()
        if not sizes or not all(isinstance(s, numbers.Integral) and s >= 1 for s in sizes):
            raise ValueError(f"filter_sizes must be a non-empty tuple of positive integers, got {self.filter_sizes!r}.")
        if self.loss not in _LOSSES:
            raise ValueError(f"loss must be one of {sorted(_LOSSES)}, got {self.loss!r}.")
        if not (isinstance(self.margin, numbers.Real) and 0 <= self.margin < 2):
            raise ValueError(f"margin must be a number in [0, 2), got {self.margin!r}.")
        low_b, high_b = _pair(self.batch_size_range, "batch_size_range")
        if not all(isinstance(b, numbers.Integral) for b in (low_b, high_b)) or not 2 <= low_b <= high_b:
            raise ValueError(f"batch_size_range must be two integers 2 <= low <= high, got {self.batch_size_range!r}.")
        low_v, high_v = _pair(self.violation_thresholds, "violation_thresholds")
        if not 0 <= low_v <= high_v <= 1:
            raise ValueError(
                f"violation_thresholds must be two numbers 0 <= low <= high <= 1, got {self.violation_thresholds!r}."
            )
        check_training_params(self)

    # ------------------------------------------------------------------- fit
    def _tokenize(self, texts, remove_stop_words):
        return tokenize(texts, language=self.language, spacy_model=self.spacy_model,
                        remove_stop_words=remove_stop_words)

    def _fit(self, descriptions, titles, description_name, title_name):
        """Fit on aligned descriptions and titles; set fitted attributes only on success.

        Returns the training and validation ``(description ids, title ids, title groups)``
        (validation may be None), for estimators that fit more on top.
        """
        self._check_params()
        if description_name == "X":
            descriptions, titles = check_pairs(descriptions, titles, "X", "y")
        else:
            titles, descriptions = check_pairs(titles, descriptions, "X", "y")
        labels = [_title_label(t) for t in titles]
        unique_titles, first, groups = np.unique(np.asarray(labels, dtype=object), return_index=True,
                                                 return_inverse=True)
        if len(unique_titles) < 2:
            raise ValueError(f"{title_name} needs at least 2 distinct titles, got {len(unique_titles)}.")

        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        description_tokens = self._tokenize(descriptions, remove_stop_words=True)
        title_tokens = self._tokenize(titles, remove_stop_words=False)
        corpus = description_tokens + title_tokens

        vocabulary, vectors = fit_vocabulary_and_vectors(
            corpus, word_vectors=self.word_vectors, min_count=self.min_count,
            vector_size=self.word_vector_size, epochs=self.word2vec_epochs, seed=seed,
        )

        # Fixed lengths: the longest known sequence, within the caps (and at least the widest filter).
        title_length = int(np.clip(vocabulary.known_lengths(title_tokens).max(), 1, self.max_title_length))
        widest = max(self.filter_sizes)
        description_length = int(np.clip(vocabulary.known_lengths(description_tokens).max(), widest,
                                          max(self.max_description_length, widest)))
        description_ids = vocabulary.encode(description_tokens, description_length)
        title_ids = vocabulary.encode(title_tokens, title_length)
        groups = groups.ravel().astype(np.float32)  # Keras casts y_true to float; ids stay exact below 2**24

        shuffle = np.random.default_rng(seed)
        train, validation = hold_out((description_ids, title_ids, groups),
                                     self.validation_fraction if self.early_stopping else 0.0, shuffle)

        keras.utils.set_random_seed(seed)
        network_args = dict(
            title_length=title_length, description_length=description_length,
            filter_sizes=tuple(self.filter_sizes), n_filters=self.n_filters,
            embedding_size=self.embedding_size,
            trainable_embeddings=resolve_trainable_embeddings(self.trainable_embeddings, self.word_vectors),
        )
        weights = embedding_matrix(vocabulary, vectors)
        margin = float(self.margin)
        if self.loss == "warp":
            n_negatives = min(WARP_NEGATIVES, len(unique_titles))
            network = build_joaps_network(weights, n_negatives=n_negatives, **network_args)
            loss, ratio = WARPLoss(margin, n_negatives), warp_violation_ratio
            ratio_args = dict(margin=margin, n_negatives=n_negatives)
            make_batch = warp_batch_maker(title_ids[first.ravel()], n_negatives, shuffle)
        else:
            network = build_joaps_network(weights, **network_args)
            loss = WOCRLoss(margin) if self.loss == "wocr" else MNRLoss()
            ratio, ratio_args, make_batch = violation_ratio, dict(margin=margin), pair_batch
        network.compile(
            optimizer=keras.optimizers.Adam(self.learning_rate),
            loss=loss,
            metrics=[keras.metrics.MeanMetricWrapper(ratio, name="violation_ratio", **ratio_args)],
        )
        history = fit_pairs(
            network, train, validation, make_batch=make_batch, epochs=self.epochs,
            batch_size_range=tuple(self.batch_size_range), violation_thresholds=tuple(self.violation_thresholds),
            n_iter_no_change=self.n_iter_no_change, rng=shuffle, verbose=self.verbose,
        )
        # Keep an uncompiled copy (no optimizer state to carry around or pickle) of the
        # plain network: WARP's negatives branch adds no weights.
        trained = build_joaps_network(weights, **network_args)
        for layer in trained.layers:  # by name: the WARP graph orders its weights differently
            if layer.weights:
                layer.set_weights(network.get_layer(layer.name).get_weights())
        encoders = split_encoders(trained)
        title_vectors = _run_encoder(encoders[1], title_ids[first.ravel()])

        # Everything computed: only now replace a previous fit.
        self.vocabulary_ = vocabulary
        self.title_length_ = title_length
        self.description_length_ = description_length
        self.network_ = trained
        self._encoders = encoders
        self.history_ = history
        self.titles_ = unique_titles
        self.title_vectors_ = title_vectors
        return train, validation

    # -------------------------------------------------------------- encoding
    @property
    def _encoder_pair(self):
        if "_encoders" not in self.__dict__:
            self._encoders = split_encoders(self.network_)
        return self._encoders

    def _encode(self, tokens, length, which):
        return _run_encoder(self._encoder_pair[which], self.vocabulary_.encode(tokens, length))

    def _encode_descriptions(self, X):
        check_is_fitted(self, "network_")
        tokens = self._tokenize(check_texts(X, "X"), remove_stop_words=True)
        return self._encode(tokens, self.description_length_, which=0)

    def _encode_titles(self, X):
        check_is_fitted(self, "network_")
        tokens = self._tokenize(check_texts(X, "X"), remove_stop_words=False)
        return self._encode(tokens, self.title_length_, which=1)

    def most_similar(self, title, topn=10):
        """The fitted titles closest to `title` in job2vec.

        Parameters
        ----------
        title : str
            Any job title; it does not need to have been seen in `fit`.
        topn : int, default=10
            How many neighbours to return.

        Returns
        -------
        list of (str, float)
            Neighbouring normalized titles and their cosine similarity, best
            first; `title` itself is left out.
        """
        check_is_fitted(self, "network_")
        if not isinstance(title, str):
            raise TypeError(f"title must be a string, got {type(title).__name__}.")
        return most_similar_titles(self._encode_titles([title]), self.titles_, self.title_vectors_, title, topn)


def _pair(value, name):
    try:
        low, high = value
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (low, high), got {value!r}.") from None
    return low, high

