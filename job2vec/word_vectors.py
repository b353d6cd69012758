"""The words a network knows: the `Vocabulary` and the word vectors W_in.

The JOAPS paper uses a word2vec model pre-trained on a large HR corpus (e=300),
frozen during training. Users with such vectors pass them by path or by spaCy
package name; otherwise a word2vec model is trained on the training texts.

`prepare_corpus` is the one corpus-preparation step of every estimator with a
network: tokenize, fit the vocabulary and W_in, encode the descriptions as ids.
"""

import functools
import os
import zlib
from collections import Counter, namedtuple

import numpy as np

from ._persistence import pack_words, unpack_words
from .preprocessing import tokenize

__all__ = ["Vocabulary", "train_word2vec", "load_word_vectors", "embedding_matrix", "prepare_corpus"]


def _stable_hash(text):
    # gensim seeds each word's initial vector with hash(word + seed); Python's str hash
    # changes per process, which would make fits irreproducible across processes.
    return zlib.crc32(text.encode("utf-8"))


def train_word2vec(token_lists, vector_size=300, min_count=10, epochs=5, window=5, seed=0, workers=1):
    """Train a skip-gram word2vec model with gensim.

    Parameters
    ----------
    token_lists : list of list of str
        The tokenized corpus.
    vector_size : int, default=300
        Dimension e of the word vectors.
    min_count : int, default=10
        Words rarer than this get no vector.
    epochs : int, default=5
        Passes over the corpus.
    window : int, default=5
        Context window.
    seed : int, default=0
        Random seed.
    workers : int, default=1
        Worker threads; only ``workers=1`` is exactly reproducible.

    Returns
    -------
    gensim.models.KeyedVectors
    """
    from gensim.models import Word2Vec

    model = Word2Vec(
        sentences=token_lists,
        vector_size=vector_size,
        min_count=min_count,
        window=window,
        sg=1,
        epochs=epochs,
        seed=seed,
        workers=workers,
        hashfxn=_stable_hash,
    )
    return model.wv


def load_word_vectors(source):
    """Load pre-trained word vectors.

    Parameters
    ----------
    source : str or os.PathLike
        One of: a word2vec binary file (``.bin``), a word2vec text file
        (``.txt``, ``.vec``, optionally ``.gz``), a gensim ``KeyedVectors``
        file (``.kv``), or ``"spacy:NAME"`` for an installed spaCy package with
        vectors (e.g. ``"spacy:en_core_web_md"``).

    Returns
    -------
    gensim.models.KeyedVectors

    Raises
    ------
    ValueError
        If the file is missing or unreadable, or the spaCy package has no vectors.
    """
    from gensim.models import KeyedVectors

    source = os.fspath(source)
    if source.startswith("spacy:"):
        return _spacy_vectors(source[len("spacy:") :])
    if not os.path.isfile(source):
        raise ValueError(f"word vector file not found: {source!r}.")
    try:
        if source.endswith(".kv"):
            return KeyedVectors.load(source)
        binary = source.endswith(".bin") or source.endswith(".bin.gz")
        return KeyedVectors.load_word2vec_format(source, binary=binary)
    except Exception as exc:  # gensim raises many kinds on a bad file
        raise ValueError(f"could not read word vectors from {source!r}: {exc}") from exc


def _spacy_vectors(package):
    import spacy
    from gensim.models import KeyedVectors

    try:
        nlp = spacy.load(package, exclude=["tagger", "parser", "ner", "lemmatizer", "senter"])
    except OSError as exc:
        raise ValueError(f"spaCy package {package!r} is not installed.") from exc
    vectors = nlp.vocab.vectors
    if vectors.shape[0] == 0:
        raise ValueError(f"spaCy package {package!r} has no word vectors.")
    strings = nlp.vocab.strings
    keys = list(vectors.keys())
    words, rows = [], []
    for key in keys:
        words.append(strings[key].lower())
        rows.append(vectors.find(key=key))
    kv = KeyedVectors(vector_size=vectors.shape[1])
    kv.add_vectors(words, np.asarray(vectors.data)[rows])
    return kv


def embedding_matrix(vocabulary, keyed_vectors):
    """Stack the vectors of `vocabulary`'s words into an embedding matrix.

    Row 0 (padding) is zero. Words without a vector also get zeros; build the
    vocabulary with ``allowed=keyed_vectors.key_to_index`` to avoid them.

    Returns
    -------
    ndarray of shape (len(vocabulary), vector_size), float32
    """
    matrix = np.zeros((len(vocabulary), keyed_vectors.vector_size), dtype=np.float32)
    for i, word in enumerate(vocabulary.words_, start=1):
        if word in keyed_vectors.key_to_index:
            matrix[i] = keyed_vectors[word]
    return matrix


class Vocabulary:
    """Token to id mapping with a minimum count, and fixed-length id sequences.

    Id 0 is padding; known words get ids 1..n. Unknown words are dropped from
    sequences (the JOAPS paper discards rare words), so a text made only of
    unknown words becomes all padding.

    Parameters
    ----------
    min_count : int, default=10
        Words seen fewer times than this in the fit corpus are left out.
    max_size : int or None, default=None
        At most this many words: if more reach `min_count`, the threshold is
        raised until they fit (as gensim's ``max_final_vocab``), so no word
        is kept over another seen as often.

    Attributes
    ----------
    words_ : list of str
        The known words; ``words_[i - 1]`` has id ``i``.
    min_count_ : int
        The threshold applied: `min_count`, or higher under `max_size`.
    """

    def __init__(self, min_count=10, max_size=None):
        self.min_count = min_count
        self.max_size = max_size

    def fit(self, token_lists, allowed=None):
        """Count the words of `token_lists` and keep the frequent ones.

        Parameters
        ----------
        token_lists : iterable of list of str
            The tokenized corpus.
        allowed : container of str or None, default=None
            If given, only these words may enter (e.g. words that have a
            pre-trained vector).

        Returns
        -------
        self : Vocabulary
        """
        counts = Counter(word for tokens in token_lists for word in tokens)
        words = sorted(
            (w for w, c in counts.items() if c >= self.min_count and (allowed is None or w in allowed)),
            key=lambda w: (-counts[w], w),
        )
        self.min_count_ = self.min_count
        if self.max_size is not None and len(words) > self.max_size:
            # Cut above the count of the first word left out: words seen as often share its fate.
            self.min_count_ = counts[words[self.max_size]] + 1
            words = [w for w in words if counts[w] >= self.min_count_]
        self.words_ = words
        self._index = {word: i + 1 for i, word in enumerate(words)}
        return self

    def __getstate__(self):
        # The words once, packed: the id index is rebuilt on loading (`job2vec._persistence.pack_words`).
        state = {key: value for key, value in self.__dict__.items() if key != "_index"}
        packed = pack_words(self.words_) if "words_" in state else None
        if packed is not None:
            state["words_"] = packed
        return state

    def __setstate__(self, state):
        state = dict(state)
        if isinstance(state.get("words_"), str):
            state["words_"] = unpack_words(state["words_"])
        if "words_" in state:
            state["_index"] = {word: i + 1 for i, word in enumerate(state["words_"])}
        self.__dict__.update(state)

    def __len__(self):
        """Number of ids, padding included."""
        return len(self.words_) + 1

    def __contains__(self, word):
        return word in self._index

    def encode(self, token_lists, length):
        """Turn token lists into a padded ``(n, length)`` int32 array of ids.

        Parameters
        ----------
        token_lists : list of list of str
            Tokenized texts.
        length : int
            Sequences are truncated to, or padded at the end up to, this length.

        Returns
        -------
        ids : ndarray of shape (n, length), dtype int32
        """
        ids = np.zeros((len(token_lists), length), dtype=np.int32)
        index = self._index
        for row, tokens in enumerate(token_lists):
            known = [index[w] for w in tokens if w in index][:length]
            ids[row, : len(known)] = known
        return ids

    def encode_with_pieces(self, token_lists, surface_lists, length, n_buckets):
        """Ids and subword pieces of every token, known or not (fastText-style).

        Unlike `encode`, unknown words keep their position: their word id is 0
        but their pieces (see `word_pieces`) carry them.

        Parameters
        ----------
        token_lists : list of list of str
            Tokenized texts (lemmas: what the vocabulary knows).
        surface_lists : list of list of str
            The same tokens as written (lower-cased): what the pieces are cut from.
        length : int
            Sequences are truncated to, or padded at the end up to, this length.
        n_buckets : int
            Hash buckets of the pieces.

        Returns
        -------
        ids : ndarray of shape (n, length), dtype int32
        pieces : ndarray of shape (n, length, MAX_PIECES), dtype int32
            0 is padding.
        """
        ids = np.zeros((len(token_lists), length), dtype=np.int32)
        pieces = np.zeros((len(token_lists), length, MAX_PIECES), dtype=np.int32)
        index = self._index
        for row, (tokens, surface) in enumerate(zip(token_lists, surface_lists)):
            for position, (word, written) in enumerate(zip(tokens[:length], surface)):
                ids[row, position] = index.get(word, 0)
                word_pieces_ = word_pieces(written, n_buckets)
                pieces[row, position, : len(word_pieces_)] = word_pieces_
        return ids, pieces

    def known_lengths(self, token_lists):
        """Number of known words in each token list (before truncation)."""
        index = self._index
        return np.array([sum(w in index for w in tokens) for tokens in token_lists], dtype=np.int64)


MAX_PIECES = 24  # pieces kept per word: the whole word first, then its n-grams by length


@functools.lru_cache(maxsize=2**16)
def word_pieces(word, n_buckets, n_range=(3, 5)):
    """Hashed ids (1..`n_buckets`) of ``<word>`` and its character n-grams, as fastText cuts them.

    The whole word comes first, so two different words differ in their first
    piece unless their hashes collide; at most `MAX_PIECES` ids.
    """
    marked = f"<{word}>"
    grams = [marked] + [marked[i : i + n] for n in range(n_range[0], n_range[1] + 1)
                        for i in range(len(marked) - n + 1)]
    return tuple(1 + _stable_hash(gram) % n_buckets for gram in dict.fromkeys(grams))[:MAX_PIECES]


def fit_vocabulary_and_vectors(corpus, *, word_vectors, min_count, vector_size, epochs, seed, max_size=None):
    """The `Vocabulary` (words seen `min_count` times, at most `max_size`) and W_in.

    W_in is a word2vec trained on `corpus` with the vocabulary's threshold, or loaded vectors.
    """
    training = word_vectors == "word2vec"
    vectors = None if training else load_word_vectors(word_vectors)
    vocabulary = Vocabulary(min_count, max_size).fit(corpus, allowed=None if training else vectors.key_to_index)
    if len(vocabulary) == 1:
        raise ValueError(
            f"the vocabulary is empty: no word occurs at least min_count={min_count} times"
            + ("" if training else " and has a vector in word_vectors")
            + "; lower min_count or give more texts."
        )
    if training:  # same corpus and threshold: a vector for every vocabulary word, and no other
        vectors = train_word2vec(corpus, vector_size=vector_size, min_count=vocabulary.min_count_, epochs=epochs,
                                 seed=seed)
    return vocabulary, vectors


def resolve_trainable_embeddings(trainable_embeddings, word_vectors):
    """``"auto"``: fine-tune a word2vec trained on the fit texts, keep loaded vectors frozen."""
    if trainable_embeddings == "auto":
        return word_vectors == "word2vec"
    return bool(trainable_embeddings)


Corpus = namedtuple("Corpus", "vocabulary embeddings trainable description_ids description_length "
                               "description_tokens description_rows titles title_tokens title_rows")
Corpus.__doc__ = """A prepared training corpus, each distinct text once.

Fields: the fitted `Vocabulary`; W_in as an ``(len(vocabulary), e)`` matrix
(row 0 is padding); whether W_in is fine-tuned; the distinct descriptions as
padded ids, their length and their token lists, and `description_rows`, the
distinct description of each pair; the distinct titles (as given), their
token lists and `title_rows` (each estimator encodes its titles its own way).
Job boards repost the same ad, so a fit on many postings holds each text's
tokens and ids once.
"""


def distinct_texts(texts):
    """The distinct `texts` (sorted) and the index of each text among them; token lists count as distinct."""
    if isinstance(texts[0], list):
        return texts, np.arange(len(texts))
    distinct, rows = np.unique(np.asarray(texts, dtype=object), return_inverse=True)
    return list(distinct), rows.ravel()


def prepare_corpus(estimator, descriptions, titles, seed, min_description_length=1):
    """Tokenize → vocabulary → W_in → ids: the fit's corpus step, shared by every network.

    Parameters
    ----------
    estimator : estimator
        Reads its ``language``, ``spacy_model``, ``word_vectors``,
        ``min_count``, ``max_vocabulary``, ``word_vector_size``, ``word2vec_epochs``,
        ``trainable_embeddings`` and ``max_description_length`` parameters.
    descriptions, titles : list of str or of token lists
        Aligned texts. Description stop words are dropped, title ones kept.
    seed : int
        Seeds word2vec.
    min_description_length : int, default=1
        Shortest padded description length (a CNN needs its widest filter).

    Returns
    -------
    Corpus
    """
    descriptions, description_rows = distinct_texts(descriptions)
    titles, title_rows = distinct_texts(titles)
    description_tokens = tokenize(descriptions, language=estimator.language, spacy_model=estimator.spacy_model,
                                  remove_stop_words=True)
    title_tokens = tokenize(titles, language=estimator.language, spacy_model=estimator.spacy_model,
                            remove_stop_words=False)
    # word2vec and the vocabulary count every pair, reposts included (the lists are shared, not copied).
    pairs_tokens = [description_tokens[i] for i in description_rows] + [title_tokens[i] for i in title_rows]
    vocabulary, vectors = fit_vocabulary_and_vectors(
        pairs_tokens, word_vectors=estimator.word_vectors, min_count=estimator.min_count,
        max_size=estimator.max_vocabulary,
        vector_size=estimator.word_vector_size, epochs=estimator.word2vec_epochs, seed=seed,
    )
    del pairs_tokens
    # The longest known description, within the cap (and at least `min_description_length`).
    description_length = int(np.clip(vocabulary.known_lengths(description_tokens).max(), min_description_length,
                                      max(estimator.max_description_length, min_description_length)))
    return Corpus(
        vocabulary=vocabulary,
        embeddings=embedding_matrix(vocabulary, vectors),
        trainable=resolve_trainable_embeddings(estimator.trainable_embeddings, estimator.word_vectors),
        description_ids=vocabulary.encode(description_tokens, description_length),
        description_length=description_length,
        description_tokens=description_tokens,
        description_rows=description_rows,
        titles=titles,
        title_tokens=title_tokens,
        title_rows=title_rows,
    )
