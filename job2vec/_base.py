"""The estimator core shared by `JoapsEmbedder` and `TitlePredictor`.

It owns the parameters and their constraints, the fit (corpus, network,
training through the shared loop), and the encoding of new texts. The pieces
it assembles live in one module each: `word_vectors.prepare_corpus`,
`_networks`, `_training` (loss registry, loop), `_persistence` (pickling).

Keras loads only where a network is built or run (fit, titles): a loaded
model encodes descriptions in NumPy (`_description`), so prediction never
imports Keras or JAX.
"""

import functools
import os
import warnings
from collections import namedtuple

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._description import TABLE_BUDGET, TabledDescriptionEncoder, description_weights, table_bytes
from ._persistence import KerasPickleMixin
from ._ranking import most_similar_titles
from ._validation import (RANDOM_STATE, check_pairs, check_texts, even_integer, instance_of, integer,
                          non_empty_tuple_of, one_of, ordered_pair, real, string_input_tags, validate_params)
from .preprocessing import normalize_title, tokenize
from .word_vectors import prepare_corpus

LOSS_NAMES = ("wocr", "mnrl", "warp")  # the keys of `_training.LOSSES`, known without loading Keras
MIN_KNOWN_WORDS = 3  # descriptions with fewer known words get a warning: their answer is a guess


def warn_few_known(few, n_texts, stacklevel):
    """Warn that `few` of `n_texts` descriptions have too few known words (nothing when `few` is 0)."""
    if few:
        warnings.warn(f"{few} of {n_texts} descriptions have fewer than {MIN_KNOWN_WORDS} words the model "
                      "knows: their titles are guesses.", UserWarning, stacklevel=stacklevel)


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
    max_vocabulary : int or None, default=100000
        At most this many words in W_in: if more reach `min_count`, the
        threshold is raised until they fit (as gensim's ``max_final_vocab``).
        W_in, its gradient and Adam's moments grow with the vocabulary (1.2 KB
        per word each at e=300), and on millions of postings so does the
        vocabulary. No set in the benchmarks comes near the cap (the largest
        has 15,640 words). None: no cap.
    max_title_length : int, default=20
        Titles are truncated to this many tokens: known words, or with
        subwords every token, numbers and punctuation included (paper: 13
        known words; 99.4 % of the LinkedIn 2024 titles have at most 20
        tokens with punctuation, and longer ones could only share a vector by
        differing after the cut).
    max_description_length : int, default=343
        Descriptions are truncated to this many known words (paper: 343).
    loss : {"wocr", "mnrl", "warp"}, default="wocr"
        The JOAPS WOCR ranking loss over in-batch negatives; VacancySBERT's
        in-batch multiple-negatives ranking loss; or the WARP loss (the
        paper's eq. 4), which browses 1,000 titles sampled uniformly from the
        fitted titles for each batch up to the first violator and weights it
        by its approximate rank. WARP is the slower baseline of the paper's
        Table 1.
    subword_buckets : int, default=32768
        Every title word counts: its vector is its W_in row (none when
        unknown) plus the mean of trainable vectors of the whole written word
        and its character 3- to 5-grams, hashed fastText-style into a table of
        this many buckets (2**15), so titles that differ only in rare words or
        numbers get different vectors. 0 is the paper's input: a title is its
        known words (words below `min_count` vanish).
    title_word_mean : bool, default=True
        The title vector is the bidirectional GRU's output plus a linear map
        of the mean of the title's word vectors (W_in rows plus pieces), so
        that each word also reaches the vector outside the GRU, which can let
        a word fade. A word unknown to W_in still weighs little (its pieces
        are small next to known words' rows). Chosen on validation splits;
        False: the GRU alone (the paper).
    max_title_similarity : float or None, default=0.99
        After training, different fitted titles closer than this (cosine)
        are pushed apart by a short fine-tuning of the title encoder (its
        GRU, word-mean map and subword table; at most 8 rounds of 50 steps) that holds
        every title near its trained vector, so that titles with the same
        descriptions (one job in two cities) stay told apart. Titles unseen
        in fit are served too: each round, fitted titles with one token
        swapped for another title's that stay this close to their source
        are pushed away from it. Titles with the same encoder input are one
        title to the model and stay together. None skips it (the paper).
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
        1 prints one line per epoch: loss, violation ratio, batch size,
        pairs/s, validation loss and time left (plus a live line on a
        terminal; log files get plain lines).
"""


FITTED_DOC = """\
    vocabulary_ : Vocabulary
        Known words and their ids.
    network_ : keras.Model
        The trained joint network.
    history_ : dict of list
        Per epoch: ``loss``, ``violation_ratio``, ``batch_size`` (mean),
        ``final_batch_size``, ``pairs_per_second`` and, with early stopping,
        ``val_loss`` and ``val_violation_ratio``.
    n_iter_ : int
        Epochs run.
    best_epoch_ : int
        The epoch whose weights were kept (1-based): the best validation
        loss, or the last epoch without early stopping.
    title_length_, description_length_ : int
        Padded input lengths.
    title_punctuation_ : bool
        Whether title tokens keep punctuation and symbols (with subwords), so
        that "sr. developer" and "sr developer" get different vectors."""


# The constraints of the parameters that every network estimator here shares.
TRAINING_CONSTRAINTS = {
    "word_vectors": [instance_of(str, os.PathLike, describe="'word2vec', a file path or 'spacy:NAME'")],
    "word_vector_size": [integer(1)],
    "word2vec_epochs": [integer(1)],
    "trainable_embeddings": [one_of("auto", True, False)],
    "min_count": [integer(1)],
    "max_vocabulary": [one_of(None), integer(1)],
    "max_title_length": [integer(1)],
    "max_description_length": [integer(1)],
    "learning_rate": [real(0, closed="neither")],
    "epochs": [integer(1)],
    "early_stopping": [one_of(True, False)],
    "validation_fraction": [real(0, 1)],
    "n_iter_no_change": [integer(1)],
    "language": [instance_of(str, describe="a spaCy language code")],
    "spacy_model": [one_of(None), instance_of(str, describe="an installed spaCy pipeline name")],
    "random_state": RANDOM_STATE,
    "verbose": [integer(0)],
}


FitSplit = namedtuple("FitSplit", "groups train_rows validation_rows description_ids description_rows "
                                   "description_tokens")
FitSplit.__doc__ = """The fit data as the training loop split it: each pair's title group, the rows
trained on and held out (None without a validation split), the ids of each
distinct description text, each pair's row there (``description_ids[description_rows]``
are the pairs' ids), and the tokens of each distinct text."""


def fit_seed(random_state):
    """The one integer seed a fit derives from `random_state` (word2vec, shuffling, initialization)."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def title_label(title):
    return normalize_title(title if isinstance(title, str) else " ".join(title))


class NetworkEstimatorMixin(KerasPickleMixin):
    """What every estimator owning a Keras network shares: text-input tags, tokenization, pickling."""

    def __sklearn_tags__(self):
        tags = string_input_tags(super().__sklearn_tags__())
        tags.non_deterministic = False
        return tags

    def _tokenize(self, texts, remove_stop_words, lemmatize=True, keep_numbers=False, keep_punctuation=False):
        return tokenize(texts, language=self.language, spacy_model=self.spacy_model,
                        remove_stop_words=remove_stop_words, lemmatize=lemmatize, keep_numbers=keep_numbers,
                        keep_punctuation=keep_punctuation)

    def __setstate__(self, state):
        # Models saved before 0.3 had no vocabulary cap.
        super().__setstate__({"max_vocabulary": None, **state})


class JoapsBase(NetworkEstimatorMixin, BaseEstimator):
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
        self.max_vocabulary = max_vocabulary
        self.max_title_length = max_title_length
        self.max_description_length = max_description_length
        self.loss = loss
        self.margin = margin
        self.subword_buckets = subword_buckets
        self.title_word_mean = title_word_mean
        self.max_title_similarity = max_title_similarity
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

    _parameter_constraints = {
        "filter_sizes": [non_empty_tuple_of(integer(1))],
        "n_filters": [integer(1)],
        "embedding_size": [even_integer(2, " (two GRU directions)")],
        "loss": [one_of(*LOSS_NAMES)],
        "margin": [real(0, 2)],
        "subword_buckets": [integer(0)],
        "title_word_mean": [one_of(True, False)],
        "max_title_similarity": [one_of(None), real(0, 1, closed="neither")],
        "batch_size_range": [ordered_pair(integer(2))],
        "violation_thresholds": [ordered_pair(real(0, 1, closed="both"))],
        **TRAINING_CONSTRAINTS,
    }

    def __setstate__(self, state):
        # A model saved by job2vec 0.1 predates subwords: it keeps the paper's title input;
        # one saved by 0.2.0 cut its title pieces from words and numbers only.
        # Models saved before 0.3 kept their trained title vectors as they were, and their
        # title encoder was the GRU alone.
        fitted = {"subword_buckets": 0, "title_punctuation_": False, "max_title_similarity": None}
        super().__setstate__({"title_word_mean": False, **(fitted if "network_" in state else {}), **state})

    def __getstate__(self):
        state = super().__getstate__()
        if "network_" in state:
            # A cache, but kept: with it a loaded model encodes descriptions without Keras.
            state["_description_weights"] = self._description_weights
        return state

    # ------------------------------------------------------------------- fit
    def _fit(self, descriptions, titles, description_name, title_name, same_target=None):
        """Fit on aligned descriptions and titles; set fitted attributes only on success.

        `same_target` (one label per pair, optional) marks pairs that are never
        each other's in-batch negatives; by default, pairs with the same
        normalized title. Returns a `FitSplit`, for estimators that fit more on
        top (the ranking channels).
        """
        import keras

        from ._networks import (build_joaps_network, pairs_graph, run_encoder, split_encoders, with_distinct_words,
                                with_sampled_negatives)
        from ._separation import separate_titles
        from ._training import (LOSSES, WARP_NEGATIVES, best_epoch, hold_out, pair_batch, rows_from_tables, seeded,
                                train_network, with_known_words)

        validate_params(self)
        if description_name == "X":
            descriptions, titles = check_pairs(descriptions, titles, "X", "y")
        else:
            titles, descriptions = check_pairs(titles, descriptions, "X", "y")
        labels = [title_label(t) for t in titles]
        unique_titles, first, groups = np.unique(np.asarray(labels, dtype=object), return_index=True,
                                                 return_inverse=True)
        if len(unique_titles) < 2:
            raise ValueError(f"{title_name} needs at least 2 distinct titles, got {len(unique_titles)}.")
        first, groups = first.ravel(), groups.ravel()
        loss_ids = groups if same_target is None else self._same_target_ids(same_target, len(groups))

        seed = fit_seed(self.random_state)
        corpus = prepare_corpus(self, descriptions, titles, seed, min_description_length=max(self.filter_sizes))
        vocabulary = corpus.vocabulary
        title_punctuation = bool(self.subword_buckets)
        title_length, title_tables = self._title_arrays(corpus.titles, corpus.title_tokens, vocabulary,
                                                        punctuation=title_punctuation)
        # Pairs are keys into tables of distinct texts. Reposts (the same description ids) stay
        # on one side of the validation split: `hold_out` groups by its first array.
        repost_keys = np.unique(corpus.description_ids, axis=0, return_inverse=True)[1].ravel()
        loss_ids = loss_ids.astype(np.float32)  # Keras casts y_true to float; ids stay exact below 2**24

        shuffle = np.random.default_rng(seed)
        rows = np.arange(len(groups))
        train, validation = hold_out((repost_keys[corpus.description_rows], corpus.description_rows, corpus.title_rows,
                                      loss_ids, rows),
                                     self.validation_fraction if self.early_stopping else 0.0, shuffle,
                                     type(self).__name__)
        split = FitSplit(groups.astype(np.int64), train[-1], None if validation is None else validation[-1],
                         corpus.description_ids, corpus.description_rows, corpus.description_tokens)
        train, validation = train[1:-1], None if validation is None else validation[1:-1]
        train = with_known_words(train, corpus.description_ids, type(self).__name__)
        title_arrays_by_group = [table[corpus.title_rows[first]] for table in title_tables]
        loss = LOSSES[self.loss]
        n_negatives = min(WARP_NEGATIVES, len(unique_titles))
        with seeded(seed):
            network = build_joaps_network(
                corpus.embeddings, title_length=title_length, description_length=corpus.description_length,
                filter_sizes=tuple(self.filter_sizes), n_filters=self.n_filters,
                embedding_size=self.embedding_size, trainable_embeddings=corpus.trainable,
                subword_buckets=self.subword_buckets, title_word_mean=self.title_word_mean,
            )
            # Trained through a graph that shares its layers (at paper sizes, descriptions as distinct
            # words: `ProjectedFilters`), so `network` never holds an optimizer; WARP's adds the negatives.
            pairs = pairs_graph(network)
            trainer = with_sampled_negatives(network, n_negatives, pairs) if loss.sampled_negatives else pairs
            trainer.compile(optimizer=keras.optimizers.Adam(self.learning_rate),
                            loss=loss.make_loss(float(self.margin), n_negatives),
                            metrics=[loss.metric(float(self.margin), n_negatives)])
            history = train_network(
                trainer, train, validation,
                make_batch=loss.batch_maker(title_arrays_by_group, n_negatives, shuffle,
                                            with_distinct_words(rows_from_tables(pair_batch, corpus.description_ids,
                                                                                 title_tables), network)),
                epochs=self.epochs, batch_size_range=tuple(self.batch_size_range),
                violation_thresholds=tuple(self.violation_thresholds), n_iter_no_change=self.n_iter_no_change,
                rng=shuffle, verbose=self.verbose,
            )
            if self.max_title_similarity is not None:
                separate_titles(network, title_arrays_by_group, self.max_title_similarity, shuffle, self.verbose)
        title_encoder = split_encoders(network)[1]
        title_vectors = run_encoder(title_encoder, title_arrays_by_group)

        # Everything computed: only now replace a previous fit.
        self._set_network(network)
        self._title_encoder = title_encoder
        self.vocabulary_ = vocabulary
        self.title_length_ = title_length
        self.title_punctuation_ = title_punctuation
        self.description_length_ = corpus.description_length
        self.history_ = history
        self.n_iter_ = len(history["loss"])
        self.best_epoch_ = best_epoch(history)
        self.titles_ = unique_titles
        self.title_vectors_ = title_vectors
        return split

    def _same_target_ids(self, same_target, n_pairs):
        """Integer ids of `same_target` (one hashable label per pair), checked."""
        if self.loss == "warp":
            raise ValueError("groups cannot be used with loss='warp': WARP samples its negatives among "
                             "the distinct titles; use loss='wocr' or 'mnrl'.")
        if isinstance(same_target, str) or not hasattr(same_target, "__len__"):
            raise TypeError(f"groups must be an array-like with one label per pair, got "
                            f"{type(same_target).__name__}.")
        labels = np.asarray([str(g) for g in same_target], dtype=object)
        if len(labels) != n_pairs:
            raise ValueError(f"groups has {len(labels)} labels for {n_pairs} pairs.")
        return np.unique(labels, return_inverse=True)[1].ravel()

    # -------------------------------------------------------------- encoding
    @functools.cached_property
    def _description_weights(self):
        """The description encoder's NumPy weights; a saved model keeps them, so it predicts without Keras."""
        return description_weights(self.network_, tuple(self.filter_sizes))

    @functools.cached_property
    def _description_encoder(self):
        """Description ids → unit vectors: from a table in NumPy, or through Keras when the table is too large."""
        if table_bytes(self._description_weights) <= TABLE_BUDGET:
            return TabledDescriptionEncoder(self._description_weights)
        from ._networks import DescriptionEncoder

        return DescriptionEncoder(self.network_)

    @functools.cached_property
    def _title_encoder(self):
        from ._networks import split_encoders

        return split_encoders(self.network_)[1]

    def _title_arrays(self, titles, tokens, vocabulary, length=None, punctuation=False):
        """The title length (fitted, or the longest title capped) and the title encoder's inputs.

        Without subwords the inputs are the known words' ids (`tokens`). With
        subwords, every token counts, numbers too ("data scientist 2"), and
        with `punctuation` so do symbols (".net developer" is not "developer"):
        the ids of the lemmas and the pieces of the tokens as written.
        """
        options = {"remove_stop_words": False, "keep_numbers": True, "keep_punctuation": punctuation}
        if self.subword_buckets:
            tokens = self._tokenize(titles, **options)
        if length is None:
            lengths = list(map(len, tokens)) if self.subword_buckets else vocabulary.known_lengths(tokens)
            length = int(np.clip(max(lengths), 1, self.max_title_length))
        if not self.subword_buckets:
            return length, [vocabulary.encode(tokens, length)]
        surface = self._tokenize(titles, lemmatize=False, **options)
        return length, list(vocabulary.encode_with_pieces(tokens, surface, length, self.subword_buckets))

    def _encode_descriptions(self, X, return_tokens=False):
        check_is_fitted(self)
        vectors, tokens, few = self._encode_texts(check_texts(X, "X"))
        warn_few_known(few, len(tokens), stacklevel=4)
        return (vectors, tokens) if return_tokens else vectors

    def _encode_texts(self, texts):
        """Unit vectors, token lists and the number of descriptions with too few known words.

        `texts` are checked descriptions; the token lists come as a 1-D
        object array, and the count is of descriptions with fewer than
        `MIN_KNOWN_WORDS` words the model knows.
        """
        tokens = self._tokenize(texts, remove_stop_words=True)
        ids = self.vocabulary_.encode(tokens, self.description_length_)
        # `encode` keeps the known words only (ids from 1), so a row's first ids tell how many it has.
        known = (np.count_nonzero(ids[:, :MIN_KNOWN_WORDS], axis=1) if ids.shape[1] >= MIN_KNOWN_WORDS
                 else self.vocabulary_.known_lengths(tokens))
        tokens = np.asarray(list(tokens) + [None], dtype=object)[:-1]  # 1-D even when the lists are equally long
        return self._description_encoder(ids), tokens, int((known < MIN_KNOWN_WORDS).sum())

    def _encode_titles(self, X):
        return self._encode_title_inputs(self._title_inputs(X))

    def _encode_title_inputs(self, inputs):
        from ._networks import run_encoder

        return run_encoder(self._title_encoder, inputs)

    def _title_inputs(self, X):
        """The title encoder's input arrays of titles `X`."""
        check_is_fitted(self)
        titles = check_texts(X, "X")
        tokens = None if self.subword_buckets else self._tokenize(titles, remove_stop_words=False)
        return self._title_arrays(titles, tokens, self.vocabulary_, self.title_length_, self.title_punctuation_)[1]

    @property
    def _title_input_keys(self):
        """Each fitted title's encoder input as one key (`input_rows`), computed once per fitted model."""
        if "_input_keys" not in self.__dict__:
            from ._networks import input_rows

            self._input_keys = input_rows(self._title_inputs(list(self.titles_)))
        return self._input_keys

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
            first. `title` itself is left out, and so are fitted titles that
            are the same to the model (the same tokens up to
            `max_title_length`, e.g. "analyst - senior" and "analyst-senior").
        """
        from ._networks import input_rows

        check_is_fitted(self)
        if not isinstance(title, str):
            raise TypeError(f"title must be a string, got {type(title).__name__}.")
        inputs = self._title_inputs([title])
        # Fitted titles with the query's input ("analyst - senior", "analyst-senior") are the query itself.
        same = self._title_input_keys == input_rows(inputs)[0]
        return most_similar_titles(self._encode_title_inputs(inputs), self.titles_, self.title_vectors_,
                                   title, topn, exclude=same)

