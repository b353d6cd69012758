"""The JOAPS paper's Seq2Seq baseline as an estimator: generate titles from descriptions.

The network (a GRU encoder-decoder with Bahdanau attention) and the beam
search are in `job2vec._seq2seq`; the fit takes the road of every network
estimator here: `prepare_corpus`, then the shared training loop with a fixed
batch size. Re-exported from `job2vec.baselines`.
"""

import keras
import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ._base import TRAINING_CONSTRAINTS, NetworkEstimatorMixin, fit_seed
from ._ranking import TopKPredictorMixin, check_k
from ._seq2seq import BOS, EOS, PAD, SPECIAL_TOKENS, UNK, beam_search, build_seq2seq_network, inference_models
from ._training import best_epoch, hold_out, seeded, train_network
from ._validation import check_pairs, check_texts, integer, validate_params
from .explanations import explain_seq2seq
from .preprocessing import normalize_title
from .word_vectors import prepare_corpus

__all__ = ["Seq2SeqTitlePredictor"]


class Seq2SeqTitlePredictor(NetworkEstimatorMixin, TopKPredictorMixin, BaseEstimator):
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
    max_vocabulary : int or None, default=100000
        At most this many words, as in `TitlePredictor`.
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
        1 prints one line per epoch (loss, batch size, pairs/s, validation
        loss, time left).

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
        Per epoch: ``loss`` (masked cross-entropy), ``batch_size``,
        ``pairs_per_second`` and, with early stopping, ``val_loss``; the
        format of `job2vec.TitlePredictor.history_`.
    n_iter_ : int
        Epochs run.
    best_epoch_ : int
        The epoch whose weights were kept (1-based).
    description_length_, title_length_ : int
        Encoder steps, and decoder steps (the end token included).

    See Also
    --------
    job2vec.TitlePredictor : ranks candidate titles instead of generating them.
    """

    def __init__(self, units=256, word_vectors="word2vec", word_vector_size=300, word2vec_epochs=5,
                 trainable_embeddings="auto", min_count=10, max_vocabulary=100_000, max_title_length=13,
                 max_description_length=343, batch_size=64, learning_rate=1e-3, epochs=10, early_stopping=True,
                 validation_fraction=0.1, n_iter_no_change=2, beam_width=10, language="en", spacy_model=None,
                 random_state=None, verbose=0):
        self.units = units
        self.word_vectors = word_vectors
        self.word_vector_size = word_vector_size
        self.word2vec_epochs = word2vec_epochs
        self.trainable_embeddings = trainable_embeddings
        self.min_count = min_count
        self.max_vocabulary = max_vocabulary
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

    _parameter_constraints = {"units": [integer(1)], "batch_size": [integer(1)], "beam_width": [integer(1)],
                              **TRAINING_CONSTRAINTS}

    def fit(self, X, y):
        """Train the encoder-decoder to write each description's title.

        Parameters
        ----------
        X : list, array or Series of str, shape (n_pairs,)
            Job descriptions, raw or tokenized by `TextPreprocessor`.
        y : list, array or Series of str, shape (n_pairs,)
            The titles to generate, one per description.

        Returns
        -------
        self : Seq2SeqTitlePredictor
        """
        validate_params(self)
        X, y = check_pairs(X, y)
        titles = [normalize_title(t if isinstance(t, str) else " ".join(t)) for t in y]
        seed = fit_seed(self.random_state)
        corpus = prepare_corpus(self, X, titles, seed)

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
        train, validation = hold_out((corpus.description_ids[corpus.description_rows], decoder_ids, targets),
                                     self.validation_fraction if self.early_stopping else 0.0, shuffle,
                                     type(self).__name__)
        with seeded(seed):
            network = build_seq2seq_network(
                corpus.embeddings, n_title_words=len(words), description_length=corpus.description_length,
                title_length=title_length, units=self.units, trainable_embeddings=corpus.trainable,
            )
            trainer = keras.Model(network.inputs, network.outputs)  # holds the optimizer, network_ does not
            trainer.compile(optimizer=keras.optimizers.Adam(self.learning_rate),
                            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=PAD))
            history = train_network(trainer, train, validation, epochs=self.epochs,
                                    batch_size_range=(self.batch_size, self.batch_size),
                                    n_iter_no_change=self.n_iter_no_change, rng=shuffle, verbose=self.verbose)

        self.vocabulary_ = corpus.vocabulary
        self.title_words_ = words
        self.description_length_ = corpus.description_length
        self.title_length_ = title_length
        self._set_network(network)
        self.history_ = history
        self.n_iter_ = len(history["loss"])
        self.best_epoch_ = best_epoch(history)
        return self

    def explain(self, description, title=None):
        """Where the decoder looked in `description` while writing `title` (the paper's Table 5).

        Parameters
        ----------
        description : str
        title : str or None, default=None
            The title to write (teacher-forced); None explains the top prediction.

        Returns
        -------
        job2vec.explanations.Explanation
            ``weights``: each word's attention averaged over the title's
            output steps; ``score``: the title's log probability.
        """
        check_is_fitted(self, "network_")
        return explain_seq2seq(self, description, title)

    def predict_top_k(self, X, k=10, return_scores=False):
        """The `k` most probable titles of each description, by beam search.

        Parameters
        ----------
        X : list, array or Series of str, shape (n_samples,)
            Descriptions to write titles for.
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
