"""The ranking channels' arithmetic: weight choice on a shortlist, the mention channel's title side,
neighbour indexes that hold each distinct description once."""

import itertools
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from job2vec._channels import (best_weights, fit_lexical_index, identity_analyzer, nearest_similarity,
                               neighbour_votes, shortlist, title_count_matrix, title_word_weights, weighted_sum)


def exhaustive_best_weights(channels, truth, grid):
    """`best_weights` without a shortlist: every weighting ranks every column."""
    names = list(grid)
    _, per_column = np.unique(truth, return_inverse=True)
    best, chosen = -np.inf, None
    for values in itertools.product(*(grid[name] for name in names)):
        weights = dict(zip(names, values))
        if not any(values):
            continue
        order = np.argsort(-weighted_sum(channels, weights), axis=1, kind="stable")[:, :10] == truth[:, None]
        quality = sum(order[:, :k].any(axis=1).mean()
                      + np.mean(np.bincount(per_column, weights=order[:, :k].any(axis=1)) / np.bincount(per_column))
                      for k in (1, 5, 10))
        if quality > best + 1e-12:
            best, chosen = quality, weights
    return {name: float(chosen.get(name, 0.0)) for name in channels}


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), n_columns=st.integers(12, 50))
def test_shortlisted_choice_equals_the_exhaustive_one_when_the_shortlist_holds_every_column(seed, n_columns):
    rng = np.random.default_rng(seed)
    n_queries = 30
    truth = rng.integers(0, n_columns, n_queries)
    channels = {
        "cosine": rng.normal(size=(n_queries, n_columns)).astype(np.float32),
        "prior": rng.normal(size=n_columns).astype(np.float32),
        # Votes are sparse: mostly zeros, a few positive columns leaning to the truth.
        "votes": np.where(rng.random((n_queries, n_columns)) < 0.2, rng.random((n_queries, n_columns)), 0.0)
        .astype(np.float32),
    }
    channels["votes"][np.arange(n_queries), truth] += rng.random(n_queries).astype(np.float32)
    grid = {"cosine": (1.0,), "prior": (0.0, 0.1, 1.0), "votes": (0.0, 0.3, 3.0)}
    assert best_weights(channels, truth, grid) == exhaustive_best_weights(channels, truth, grid)


def _noisy_channels(rng, n_queries, n_columns, vote_strength):
    truth = rng.integers(0, n_columns, n_queries)
    channels = {"cosine": rng.normal(size=(n_queries, n_columns)).astype(np.float32),
                "votes": rng.normal(size=(n_queries, n_columns)).astype(np.float32)}
    channels["votes"][np.arange(n_queries), truth] += vote_strength
    return channels, truth


def test_reference_weights_are_kept_unless_beaten_beyond_noise():
    grid = {"cosine": (1.0,), "votes": (0.0, 1.0, 3.0)}
    reference = {"cosine": 1.0, "votes": 0.0}
    # 400 queries where the votes point at the truth: the best weights win by far more than the noise.
    channels, truth = _noisy_channels(np.random.default_rng(0), 400, 40, vote_strength=3.0)
    assert best_weights(channels, truth, grid, reference=reference)["votes"] > 0
    # 8 queries where the votes carry nothing: the grid's best is mostly chance, and mostly not kept.
    kept = kept_by_the_best = 0
    for seed in range(20):
        channels, truth = _noisy_channels(np.random.default_rng(seed), 8, 40, vote_strength=0.0)
        best = best_weights(channels, truth, grid)
        chosen = best_weights(channels, truth, grid, reference=reference)
        assert chosen in (best, reference)
        kept += chosen == reference
        kept_by_the_best += best == reference
    assert kept >= 14 and kept >= kept_by_the_best + 5, (kept, kept_by_the_best)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), n_queries=st.integers(2, 60))
def test_the_choice_with_a_reference_is_the_reference_or_the_best(seed, n_queries):
    channels, truth = _noisy_channels(np.random.default_rng(seed), n_queries, 20, vote_strength=1.0)
    grid = {"cosine": (1.0,), "votes": (0.0, 0.3, 3.0)}
    best = best_weights(channels, truth, grid)
    # A reference value outside the grid falls back to the grid's first value (here 0).
    chosen = best_weights(channels, truth, grid, reference={"cosine": 1.0, "votes": 0.5})
    assert chosen in (best, {"cosine": 1.0, "votes": 0.0})


def test_shortlist_lists_each_channels_top_columns_once():
    cosine = np.array([[0.9, 0.1, 0.5, 0.2]] * 2 + [[0.0, 0.0, 0.0, 1.0]], dtype=np.float32)
    prior = np.array([0.0, 1.0, 0.0, 0.0], dtype=np.float32)
    columns, shortlisted, repeat = shortlist({"cosine": cosine, "prior": prior}, per_channel=2)
    assert columns.shape == (3, 4)
    for row in range(3):
        listed = set(columns[row][~repeat[row]])
        assert listed == set(np.argsort(-cosine[row])[:2]) | {1}
        assert len(listed) == (~repeat[row]).sum()
    np.testing.assert_array_equal(shortlisted["prior"], prior[columns])
    np.testing.assert_array_equal(shortlisted["cosine"], np.take_along_axis(cosine, columns, axis=1))


def test_title_words_weigh_by_idf_and_unknown_words_count_as_the_rarest():
    vectorizer = TfidfVectorizer(analyzer=identity_analyzer).fit([["data", "analyst"], ["data", "engineer"],
                                                                   ["data"]])
    idf = dict(zip(vectorizer.get_feature_names_out(), vectorizer.idf_))
    words = title_word_weights([["data", "analyst", "data"], ["quantum", "engineer"], []], vectorizer).toarray()
    column = vectorizer.vocabulary_
    assert words[0].sum() == pytest.approx(1.0)  # every word known; a repeated word counts once
    assert words[0, column["analyst"]] == pytest.approx(idf["analyst"] / (idf["analyst"] + idf["data"]))
    assert words[1, column["engineer"]] == pytest.approx(idf["engineer"] / (idf["engineer"] + max(idf.values())))
    assert words[1].sum() < 1 and not words[2].any()


def test_nearest_similarity_is_the_highest_row_product():
    rng = np.random.default_rng(0)
    queries, index = rng.random((7, 5)).astype(np.float32), rng.random((300, 5)).astype(np.float32)
    np.testing.assert_allclose(nearest_similarity(queries, index), (queries @ index.T).max(axis=1), rtol=1e-6)
    np.testing.assert_allclose(nearest_similarity(sparse.csr_matrix(queries), sparse.csr_matrix(index)),
                               (queries @ index.T).max(axis=1), rtol=1e-6)
    assert not nearest_similarity(queries, index[:0]).any()


def per_pair_votes(queries, index, groups, n_titles, n_neighbors):
    """`neighbour_votes` over an index with one row per pair, each its own title."""
    return neighbour_votes(queries, index, title_count_matrix(np.arange(len(groups)), groups, len(groups), n_titles),
                           n_neighbors).toarray()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), n_texts=st.integers(1, 40), n_neighbors=st.integers(1, 80))
def test_an_index_of_distinct_texts_votes_as_the_index_of_every_pair(seed, n_texts, n_neighbors):
    rng = np.random.default_rng(seed)
    texts = rng.normal(size=(n_texts, 6)).astype(np.float32)
    texts /= np.linalg.norm(texts, axis=1, keepdims=True)
    title_of_text = rng.integers(0, 5, n_texts)
    pairs = rng.integers(0, n_texts, 120)  # reposts: each text in several pairs
    queries = rng.normal(size=(9, 6)).astype(np.float32)
    distinct = neighbour_votes(queries, texts, title_count_matrix(pairs, title_of_text[pairs], n_texts, 5),
                               n_neighbors).toarray()
    np.testing.assert_allclose(distinct, per_pair_votes(queries, texts[pairs], title_of_text[pairs], 5, n_neighbors),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("blocks_from_work", [0.0, np.inf])
def test_frequent_words_multiplied_densely_give_the_sparse_similarities_and_votes(tasks, monkeypatch,
                                                                                  blocks_from_work):
    from job2vec import TextPreprocessor, _channels

    monkeypatch.setattr(_channels, "_BLOCKS_FROM_WORK", blocks_from_work)  # the rare words by blocks, or not

    X, y = tasks  # real O*NET task statements
    tokens = np.asarray(TextPreprocessor().fit_transform(X) + [None], dtype=object)[:-1]
    _, matrix = fit_lexical_index(tokens)
    n_texts = len(X)
    titles = title_count_matrix(np.arange(n_texts), np.unique(y, return_inverse=True)[1], n_texts, len(set(y)))
    queries = matrix[:40]
    index = _channels.NeighbourIndex(matrix, titles)
    exact = (queries @ matrix.T).toarray()
    np.testing.assert_allclose(index.similarities(queries), exact, rtol=1e-5, atol=1e-6)
    frequent_words, frequent, other_words, others = index._split
    assert 0 < len(frequent_words) < matrix.shape[1] and frequent.shape == (len(frequent_words), n_texts)
    assert len(frequent_words) + len(other_words) == matrix.shape[1]
    # Votes of 40 queries at once (dense block) and 4 at a time (sparse alone) agree.
    few = sparse.vstack([index.votes(queries[start:start + 4], 5) for start in range(0, 40, 4)])
    np.testing.assert_allclose(index.votes(queries, 5).toarray(), few.toarray(), rtol=1e-5, atol=1e-6)
    # The dense block stays within its budget.
    monkeypatch.setattr(_channels, "_DENSE_BUDGET", n_texts * 3)
    assert 0 < len(_channels._split_frequent_words(index.transposed)[0]) <= 3


@pytest.mark.parametrize("blocks_from_work", [0.0, np.inf])
def test_mention_scores_by_blocks_of_word_rows_equal_the_sparse_product(tasks, monkeypatch, blocks_from_work):
    from job2vec import TextPreprocessor, _channels

    X, y = tasks  # real O*NET task statements and occupation titles
    tokens = np.asarray(TextPreprocessor().fit_transform(X) + [None], dtype=object)[:-1]
    vectorizer, matrix = fit_lexical_index(tokens)
    title_words = title_word_weights(TextPreprocessor().fit_transform(sorted(set(y))), vectorizer)
    # Blocks of word rows whatever the work (0), or the sparse product always (inf); 40 queries: blocks
    # of 16, 16 and 8.
    monkeypatch.setattr(_channels, "_BLOCKS_FROM_WORK", blocks_from_work)
    monkeypatch.setattr(_channels, "_MENTION_BLOCK", 16)
    for queries in (matrix[:40], matrix[40:43]):  # 3 queries: the sparse product
        expected = (queries.astype(bool).astype(np.float32) @ title_words.T).toarray()
        assert expected.any()
        for layout in (title_words, title_words.tocsc()):
            scores = _channels.mention_scores(queries, layout)
            assert scores.dtype == np.float32
            np.testing.assert_allclose(scores, expected, rtol=1e-6, atol=1e-7)


def test_a_few_queries_multiplied_through_their_words_rows_give_the_sparse_similarities(tasks):
    from job2vec import TextPreprocessor, _channels

    X, y = tasks  # real O*NET task statements
    tokens = np.asarray(TextPreprocessor().fit_transform(X) + [None], dtype=object)[:-1]
    vectorizer, matrix = fit_lexical_index(tokens)
    n_texts = len(X)
    titles = title_count_matrix(np.arange(n_texts), np.unique(y, return_inverse=True)[1], n_texts, len(set(y)))
    index = _channels.NeighbourIndex(matrix, titles)
    no_known_word = vectorizer.transform([["qwertyuiop"]])
    for queries in (matrix[7:8], matrix[100:103], sparse.vstack([matrix[5], no_known_word, matrix[9]]).tocsr()):
        assert queries.shape[0] < _channels._DENSE_FROM_ROWS
        similarities = index.similarities(queries)
        assert isinstance(similarities, np.ndarray) and similarities.shape == (queries.shape[0], n_texts)
        np.testing.assert_allclose(similarities, (queries @ matrix.T).toarray(), rtol=1e-5, atol=1e-6)
    assert not index.similarities(no_known_word).any()


def test_a_text_with_several_titles_shares_its_places_in_proportion():
    texts = np.eye(3, dtype=np.float32)
    # Text 0: three pairs titled 0, one titled 1. Text 1: two pairs titled 2. Text 2 is far from the query.
    titles = title_count_matrix(np.array([0, 0, 0, 0, 1, 1]), np.array([0, 0, 0, 1, 2, 2]), 3, 3)
    query = np.array([[0.8, 0.6, 0.0]], dtype=np.float32)
    # Five places: text 0 fills four (its pairs), text 1 the fifth one.
    np.testing.assert_allclose(neighbour_votes(query, texts, titles, 5).toarray(), [[0.8 * 3, 0.8 * 1, 0.6 * 1]],
                               rtol=1e-6)
    # Two places: both go to text 0, shared 3:1 between its titles, whatever order ties come in.
    np.testing.assert_allclose(neighbour_votes(query, texts, titles, 2).toarray(), [[0.8 * 1.5, 0.8 * 0.5, 0]],
                               rtol=1e-6)


def test_lexical_index_of_distinct_texts_counts_document_frequency_over_pairs():
    texts = [["data", "analyst"], ["data", "engineer", "engineer"], ["nurse"], ["analyst", "nurse", "rare"]]
    counts = np.array([3, 1, 2, 1])
    repeated = [tokens for tokens, count in zip(texts, counts) for _ in range(count)]
    expected = TfidfVectorizer(analyzer=identity_analyzer, sublinear_tf=True, min_df=2, dtype=np.float32)
    expected_matrix = expected.fit_transform(repeated)
    vectorizer, matrix = fit_lexical_index(texts, counts)
    assert list(vectorizer.get_feature_names_out()) == list(expected.get_feature_names_out())  # "rare" is in 1 pair
    np.testing.assert_allclose(vectorizer.idf_, expected.idf_, rtol=1e-6)
    np.testing.assert_allclose(matrix.toarray(), expected_matrix.toarray()[np.cumsum(counts) - counts], rtol=1e-6)
    np.testing.assert_allclose(vectorizer.transform([["nurse", "data"]]).toarray(),
                               expected.transform([["nurse", "data"]]).toarray(), rtol=1e-6)
    assert fit_lexical_index([["one"], ["two"]]) == (None, None)  # no word in two pairs


def test_the_lexical_vectorizer_pickles_its_vocabulary_as_one_string(tasks):
    from job2vec import TextPreprocessor

    X, _ = tasks  # real O*NET task statements
    tokens = TextPreprocessor().fit_transform(X)
    vectorizer, matrix = fit_lexical_index(tokens)
    state = vectorizer.__getstate__()
    assert isinstance(state["packed_vocabulary"], str) and "vocabulary_" not in state
    restored = pickle.loads(pickle.dumps(vectorizer))
    assert restored.vocabulary == vectorizer.vocabulary and restored.vocabulary_ == vectorizer.vocabulary_
    assert (restored.transform(tokens[:50]) != matrix[:50]).nnz == 0
    # A word with the separator in it keeps the vocabulary as it was.
    odd, _ = fit_lexical_index([["a\0b", "c"], ["a\0b", "c"]])
    assert "packed_vocabulary" not in odd.__getstate__()
    assert pickle.loads(pickle.dumps(odd)).vocabulary_ == {"a\0b": 0, "c": 1}
