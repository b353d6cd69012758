"""Baselines with the same estimator API as the JOAPS estimators.

- `TfidfNeighborsTitlePredictor`: the nearest training descriptions (TF-IDF,
  cosine) vote for their titles.
- `MostFrequentTitlePredictor`: the prior, the most frequent training titles
  for every description.
- `Word2VecSumEmbedder`: the JOAPS paper's word2vec job2vec, a title is the
  sum of its word vectors.
- `Seq2SeqTitlePredictor`: the JOAPS paper's title generator, a GRU
  encoder-decoder with Bahdanau attention; top k by beam search.
"""

import keras
import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._base import (KerasPickleMixin, check_positive_ints, check_training_params, fit_vocabulary_and_vectors,
                    hold_out, resolve_trainable_embeddings, tokenize)
from ._ranking import TopKPredictorMixin, check_k, most_similar_titles, top_k_indices
from ._seq2seq import BOS, EOS, PAD, SPECIAL_TOKENS, UNK, beam_search, build_seq2seq_network, inference_models
from ._validation import check_pairs, check_texts
from .preprocessing import TextPreprocessor, Vocabulary, normalize_title
from .word_vectors import embedding_matrix, train_word2vec

__all__ = ["TfidfNeighborsTitlePredictor", "MostFrequentTitlePredictor", "Word2VecSumEmbedder",
           "Seq2SeqTitlePredictor"]

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


class Seq2SeqTitlePredictor(KerasPickleMixin, TopKPredictorMixin, BaseEstimator):
    """Generate job titles from descriptions: the JOAPS paper's Seq2Seq baseline.

    A GRU encoder reads the description's words (W_in, as in JOAPS); a GRU
    decoder, started from the encoder's last state, writes the normalized
    title word by word with additive (Bahdanau) attention over the encoder
    states. Trained with teacher forcing and cross-entropy; the top k titles
    are the k best sequences of a beam search. Titles are generated, not
    ranked: any sequence of training title words can come out, including
    titles never seen in `fit`.

    Parameters
    ----------
    units : int, default=256
        Size of both GRUs and of the attention (paper: 256).
    word_vectors : str, default="word2vec"
        W_in, as in `TitlePredictor`.
    word_vector_size : int, default=300
    word2vec_epochs : int, default=5
    trainable_embeddings : bool or "auto", default="auto"
        As in `TitlePredictor`.
    min_count : int, default=10
        Least count of a description word to keep it.
    max_title_length : int, default=13
        Longest generated title, in words.
    max_description_length : int, default=343
        Descriptions are truncated to this many known words.
    batch_size : int, default=64
    learning_rate : float, default=1e-3
        Adam's learning rate.
    epochs : int, default=10
    early_stopping : bool, default=True
        Hold out `validation_fraction` of the pairs and stop when their
        cross-entropy has not improved for `n_iter_no_change` epochs, keeping
        the best weights.
    validation_fraction : float, default=0.1
    n_iter_no_change : int, default=2
    beam_width : int, default=10
        Beams of the search; at least the `k` asked of `predict_top_k`.
    language : str, default="en"
    spacy_model : str or None, default=None
    random_state : int, RandomState or None, default=None
    verbose : int, default=0
        Keras' progress output during fit.

    Attributes
    ----------
    title_words_ : ndarray of str
        The output vocabulary: special tokens, then every word of the
        normalized training titles.
    vocabulary_ : Vocabulary
        Description words and their ids.
    network_ : keras.Model
        The teacher-forced training graph.
    history_ : dict of list
        Keras' per-epoch ``loss`` (and ``val_loss``).
    description_length_, title_length_ : int
        Encoder steps, and decoder steps (the end token included).

    See Also
    --------
    job2vec.TitlePredictor : ranks candidate titles instead of generating them.
    """

    def __init__(self, units=256, word_vectors="word2vec", word_vector_size=300, word2vec_epochs=5,
                 trainable_embeddings="auto", min_count=10, max_title_length=13, max_description_length=343,
                 batch_size=64, learning_rate=1e-3, epochs=10, early_stopping=True, validation_fraction=0.1,
                 n_iter_no_change=2, beam_width=10, language="en", spacy_model=None, random_state=None, verbose=0):
        self.units = units
        self.word_vectors = word_vectors
        self.word_vector_size = word_vector_size
        self.word2vec_epochs = word2vec_epochs
        self.trainable_embeddings = trainable_embeddings
        self.min_count = min_count
        self.max_title_length = max_title_length
        self.max_description_length = max_description_length
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.beam_width = beam_width
        self.language = language
        self.spacy_model = spacy_model
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = _string_tags(super().__sklearn_tags__())
        tags.non_deterministic = False
        return tags

    def _check_params(self):
        check_positive_ints(self, ("units", "word_vector_size", "word2vec_epochs", "min_count", "max_title_length",
                                   "max_description_length", "batch_size", "epochs", "n_iter_no_change",
                                   "beam_width"))
        check_training_params(self)

    def _tokenize(self, texts, remove_stop_words):
        return tokenize(texts, language=self.language, spacy_model=self.spacy_model,
                        remove_stop_words=remove_stop_words)

    def fit(self, X, y):
        """Train the encoder-decoder on descriptions and their titles.

        Parameters
        ----------
        X : list, array or Series of str, shape (n_pairs,)
            Job descriptions (raw text, or token lists from `TextPreprocessor`).
        y : list, array or Series of str, shape (n_pairs,)
            Their job titles.

        Returns
        -------
        self : Seq2SeqTitlePredictor
        """
        self._check_params()
        X, y = check_pairs(X, y)
        titles = [normalize_title(t if isinstance(t, str) else " ".join(t)) for t in y]
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        description_tokens = self._tokenize(X, remove_stop_words=True)
        corpus = description_tokens + self._tokenize(titles, remove_stop_words=False)
        vocabulary, vectors = fit_vocabulary_and_vectors(
            corpus, word_vectors=self.word_vectors, min_count=self.min_count,
            vector_size=self.word_vector_size, epochs=self.word2vec_epochs, seed=seed,
        )
        description_length = int(np.clip(vocabulary.known_lengths(description_tokens).max(), 1,
                                          self.max_description_length))
        description_ids = vocabulary.encode(description_tokens, description_length)

        # Targets: the normalized title's words, the end token, padding; decoder inputs: <bos> + targets.
        title_words = [t.split()[: self.max_title_length] for t in titles]
        words = np.array(SPECIAL_TOKENS + tuple(sorted({w for ws in title_words for w in ws})), dtype=object)
        index = {word: i for i, word in enumerate(words)}
        title_length = max(map(len, title_words)) + 1
        targets = np.full((len(titles), title_length), PAD, dtype=np.int32)
        for row, ws in enumerate(title_words):
            targets[row, : len(ws) + 1] = [index.get(w, UNK) for w in ws] + [EOS]
        decoder_ids = np.concatenate([np.full((len(titles), 1), BOS, dtype=np.int32), targets[:, :-1]], axis=1)

        shuffle = np.random.default_rng(seed)
        train, validation = hold_out((description_ids, decoder_ids, targets),
                                     self.validation_fraction if self.early_stopping else 0.0, shuffle)
        keras.utils.set_random_seed(seed)
        network_args = dict(n_title_words=len(words), description_length=description_length,
                            title_length=title_length, units=self.units,
                            trainable_embeddings=resolve_trainable_embeddings(self.trainable_embeddings,
                                                                              self.word_vectors))
        weights = embedding_matrix(vocabulary, vectors)
        network = build_seq2seq_network(weights, **network_args)
        network.compile(optimizer=keras.optimizers.Adam(self.learning_rate),
                        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=PAD))
        callbacks, validation_data = [], None
        if validation is not None:
            validation_data = ([validation[0], validation[1]], validation[2])
            callbacks.append(keras.callbacks.EarlyStopping(patience=self.n_iter_no_change,
                                                           restore_best_weights=True))
        history = network.fit([train[0], train[1]], train[2], batch_size=self.batch_size, epochs=self.epochs,
                              validation_data=validation_data, callbacks=callbacks, verbose=self.verbose)
        if not np.isfinite(history.history["loss"]).all():
            raise FloatingPointError("training diverged (the loss is not finite); lower learning_rate.")
        trained = build_seq2seq_network(weights, **network_args)  # uncompiled: no optimizer state to pickle
        trained.set_weights(network.get_weights())

        self.vocabulary_ = vocabulary
        self.title_words_ = words
        self.description_length_ = description_length
        self.title_length_ = title_length
        self.network_ = trained
        self.history_ = {key: [float(v) for v in values] for key, values in history.history.items()}
        return self

    def predict_top_k(self, X, k=10, return_scores=False):
        """The `k` most probable titles of each description, by beam search.

        Parameters
        ----------
        X : list, array or Series of str, shape (n_samples,)
            Job descriptions.
        k : int, default=10
            Titles per description (at most the beam width).
        return_scores : bool, default=False
            Also return the titles' log probabilities.

        Returns
        -------
        titles : ndarray of str, shape (n_samples, k)
            Normalized titles, best first.
        scores : ndarray of shape (n_samples, k)
            Only when `return_scores` is True.
        """
        check_is_fitted(self, "network_")
        k = check_k(k)
        tokens = self._tokenize(check_texts(X, "X"), remove_stop_words=True)
        ids = self.vocabulary_.encode(tokens, self.description_length_)
        # Never more beams than words that can start a title (all but <pad>, <eos>, <bos>, <unk>).
        beam_width = min(max(self.beam_width, k), len(self.title_words_) - len(SPECIAL_TOKENS))
        models = self.__dict__.setdefault("_inference", {})  # built once per beam width
        if beam_width not in models:
            models[beam_width] = inference_models(self.network_, beam_width)
        sequences, scores = beam_search(*models[beam_width], ids, beam_width=beam_width, max_length=self.title_length_)
        k = min(k, beam_width)
        words = self.title_words_
        titles = np.array([[" ".join(words[w] for w in seq if w != PAD) for seq in row[:k]] for row in sequences],
                          dtype=object).reshape(len(ids), k)
        return (titles, scores[:, :k]) if return_scores else titles
