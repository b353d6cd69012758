"""W_in: word2vec training and loading pre-trained vectors from real files."""

import gzip
import pickle
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from job2vec import TextPreprocessor, TitlePredictor, Vocabulary
from job2vec.word_vectors import embedding_matrix, load_word_vectors, prepare_corpus, train_word2vec

from .conftest import TINY


@pytest.fixture(scope="module")
def corpus(tasks):
    return TextPreprocessor().fit_transform(list(tasks[0]))


def test_word2vec_is_reproducible_for_a_seed(corpus):
    a = train_word2vec(corpus, vector_size=8, min_count=2, epochs=1, seed=3)
    b = train_word2vec(corpus, vector_size=8, min_count=2, epochs=1, seed=3)
    word = a.index_to_key[0]
    np.testing.assert_array_equal(a[word], b[word])


@pytest.mark.parametrize("binary", [False, True])
def test_load_word2vec_files_and_train_with_them(tmp_path, corpus, tasks, binary):
    vectors = train_word2vec(corpus, vector_size=8, min_count=2, epochs=1, seed=0)
    path = tmp_path / ("vectors.bin" if binary else "vectors.txt")
    vectors.save_word2vec_format(str(path), binary=binary)
    loaded = load_word_vectors(path)
    assert loaded.vector_size == 8 and len(loaded) == len(vectors)
    X, y = tasks
    model = TitlePredictor(**{**TINY, "word_vectors": str(path), "epochs": 1}).fit(X, y)
    assert set(model.vocabulary_.words_) <= set(loaded.key_to_index)
    assert model.network_.get_layer("w_in").get_weights()[0].shape[1] == 8


def test_gzipped_text_vectors(tmp_path):
    path = tmp_path / "v.txt.gz"
    with gzip.open(path, "wt") as handle:
        handle.write("2 3\nnurse 0.1 0.2 0.3\nengineer 0.3 0.2 0.1\n")
    loaded = load_word_vectors(path)
    vocab = Vocabulary(min_count=1).fit([["nurse", "engineer", "unknown"]], allowed=loaded.key_to_index)
    matrix = embedding_matrix(vocab, loaded)
    assert matrix.shape == (3, 3) and np.all(matrix[0] == 0)
    np.testing.assert_allclose(matrix[vocab.encode([["nurse"]], 1)[0, 0]], [0.1, 0.2, 0.3], rtol=1e-6)


def test_missing_and_corrupt_vector_files(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        load_word_vectors(tmp_path / "nope.bin")
    bad = tmp_path / "bad.txt"
    bad.write_text("this is not\na word2vec file\n")
    with pytest.raises(ValueError, match="could not read word vectors"):
        load_word_vectors(bad)


def test_spacy_package_without_vectors_is_a_clear_error():
    with pytest.raises(ValueError, match="not installed"):
        load_word_vectors("spacy:xx_no_such_package")


def test_corpus_holds_each_distinct_text_once_and_counts_every_pair(tasks):
    X, y = tasks
    rows = np.random.default_rng(0).integers(0, 60, 300)  # reposts: 300 pairs of at most 60 ads
    X, y = list(X[rows]), list(y[rows])
    estimator = TitlePredictor(**TINY)
    corpus = prepare_corpus(estimator, X, y, seed=0)
    assert len(corpus.description_ids) == len(corpus.description_tokens) == len(set(X))
    assert len(corpus.titles) == len(corpus.title_tokens) == len(set(y))
    assert [corpus.titles[i] for i in corpus.title_rows] == y
    # Each pair's ids are those of its own text.
    tokens = TextPreprocessor().fit_transform(X)
    np.testing.assert_array_equal(corpus.description_ids[corpus.description_rows],
                                  corpus.vocabulary.encode(tokens, corpus.description_length))
    # word2vec and the vocabulary still count every pair: a word of one reposted ad reaches
    # min_count through its copies.
    counts = Counter(w for t in tokens for w in t) + Counter(w for t in TextPreprocessor(
        remove_stop_words=False).fit_transform(y) for w in t)
    assert {w for w, n in counts.items() if n >= estimator.min_count} == set(corpus.vocabulary.words_)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from("abcdefghij"), max_size=12), max_size=20),
       st.integers(1, 4), st.one_of(st.none(), st.integers(1, 10)))
def test_a_capped_vocabulary_keeps_the_most_frequent_words_and_never_splits_a_tie(token_lists, min_count, max_size):
    counts = Counter(w for tokens in token_lists for w in tokens)
    vocabulary = Vocabulary(min_count, max_size).fit(token_lists)
    kept = {w for w, n in counts.items() if n >= vocabulary.min_count_}
    assert set(vocabulary.words_) == kept and vocabulary.min_count_ >= min_count
    assert max_size is None or len(kept) <= max_size
    if vocabulary.min_count_ > min_count:  # raised no further than the cap needs
        assert len({w for w, n in counts.items() if n >= vocabulary.min_count_ - 1}) > max_size


@settings(max_examples=50, deadline=None)
@given(st.lists(st.lists(st.text(max_size=4), max_size=6), max_size=10))
def test_a_vocabulary_pickles_its_words_once_and_encodes_the_same(token_lists):
    vocabulary = Vocabulary(min_count=1).fit(token_lists)
    restored = pickle.loads(pickle.dumps(vocabulary))
    assert restored.words_ == vocabulary.words_ and restored._index == vocabulary._index
    np.testing.assert_array_equal(restored.encode(token_lists, 5), vocabulary.encode(token_lists, 5))
    if not any("\0" in word for word in vocabulary.words_) and vocabulary.words_ != [""]:
        assert isinstance(vocabulary.__getstate__()["words_"], str) and "_index" not in vocabulary.__getstate__()


def test_max_vocabulary_caps_w_in_and_word2vec_alike(tasks):
    X, y = tasks
    free = prepare_corpus(TitlePredictor(**TINY), list(X), list(y), seed=0)
    capped = prepare_corpus(TitlePredictor(**{**TINY, "max_vocabulary": 50}), list(X), list(y), seed=0)
    assert len(free.vocabulary.words_) > 50 >= len(capped.vocabulary.words_) > 0
    # The most frequent words stay, and each has its own trained vector (word2vec ran with the same threshold).
    assert set(capped.vocabulary.words_) <= set(free.vocabulary.words_)
    assert np.all(np.linalg.norm(capped.embeddings[1:], axis=1) > 0) and capped.embeddings.shape[0] <= 51
