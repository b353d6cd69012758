"""Word vectors W_in: word2vec trained on the fit corpus, or pre-trained vectors loaded from disk.

The JOAPS paper uses a word2vec model pre-trained on a large HR corpus (e=300),
frozen during training. Users with such vectors pass them by path or by spaCy
package name; otherwise a word2vec model is trained on the training texts.
"""

import os
import zlib

import numpy as np

__all__ = ["train_word2vec", "load_word_vectors", "embedding_matrix"]


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
