"""JoapsEmbedder: job2vec for seen and unseen titles."""

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sklearn.cluster import KMeans
from sklearn.pipeline import Pipeline

from job2vec import JoapsEmbedder, normalize_title

from .conftest import TINY


def test_transform_unit_vectors_for_seen_and_unseen_titles(fitted_embedder, tasks):
    vectors = fitted_embedder.transform([tasks[1][0], "geographer", "gis analyst"])
    assert vectors.shape == (3, TINY["embedding_size"])
    norms = np.linalg.norm(vectors, axis=1)
    assert np.all((np.abs(norms - 1) < 1e-5) | (norms == 0))


def test_title_vectors_match_transform(fitted_embedder):
    titles = list(fitted_embedder.titles_[:4])
    np.testing.assert_allclose(fitted_embedder.transform(titles), fitted_embedder.title_vectors_[:4], atol=1e-6)


def test_most_similar(fitted_embedder, tasks):
    query = tasks[1][0]
    neighbours = fitted_embedder.most_similar(query, topn=3)
    assert len(neighbours) == 3
    assert normalize_title(query) not in [t for t, _ in neighbours]
    scores = [s for _, s in neighbours]
    assert scores == sorted(scores, reverse=True) and all(-1 <= s <= 1 + 1e-6 for s in scores)
    assert len(fitted_embedder.most_similar("underwater basket weaver", topn=2)) == 2
    with pytest.raises(TypeError):
        fitted_embedder.most_similar(["a list"])
    with pytest.raises(ValueError):
        fitted_embedder.most_similar("x", topn=0)


def test_fit_transform_and_clustering_pipeline(tasks):
    X, y = tasks
    pipe = Pipeline([("job2vec", JoapsEmbedder(**TINY)), ("kmeans", KMeans(n_clusters=3, n_init=2, random_state=0))])
    labels = pipe.fit(y, X).predict(["geographer", "nurse", "welder"])
    assert labels.shape == (3,)
    vectors = JoapsEmbedder(**TINY).fit_transform(y, X)
    assert vectors.shape == (len(y), TINY["embedding_size"])


WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=10)


@pytest.fixture(scope="module")
def subword_embedder(tasks):
    X, y = tasks
    return JoapsEmbedder(**{**TINY, "subword_buckets": 2**12}).fit(y, X)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(WORDS, min_size=1, max_size=4), WORDS, st.integers(0, 3))
def test_with_subwords_titles_that_differ_in_any_word_get_different_vectors(subword_embedder, words, other, at):
    at = at % len(words)
    assume(other != words[at])
    changed = words[:at] + [other] + words[at + 1:]
    a, b = subword_embedder.transform([" ".join(words), " ".join(changed)])
    assert not np.allclose(a, b, atol=1e-6)


def test_with_subwords_punctuation_and_title_numbers_count(subword_embedder):
    # Pairs of real LinkedIn 2024 titles that shared one vector in job2vec 0.2.0.
    pairs = [(".net software engineer", "software engineer"), ("sr. java developer", "sr java developer"),
             ("back-end developer", "back end developer"), ("business/data analyst", "business data analyst"),
             ("operational language analyst - chinese, level 3 (2021-0049)",
              "operational language analyst - chinese, level 1 (2021-0254)")]
    vectors = subword_embedder.transform([title for pair in pairs for title in pair])
    assert subword_embedder.title_punctuation_
    assert np.all(np.sum(vectors[0::2] * vectors[1::2], axis=1) < 1 - 1e-6)


def test_a_model_saved_by_0_2_0_keeps_its_title_tokens(subword_embedder):
    state = subword_embedder.__getstate__()
    del state["title_punctuation_"]  # job2vec 0.2.0 had no such attribute
    restored = JoapsEmbedder.__new__(JoapsEmbedder)
    restored.__setstate__(state)
    assert restored.title_punctuation_ is False
    np.testing.assert_allclose(restored.transform(["staff nurse"]), subword_embedder.transform(["staff nurse"]),
                               atol=1e-6)


def test_a_model_saved_before_0_3_keeps_the_gru_alone_as_its_title_encoder(tasks):
    X, y = tasks
    gru_alone = JoapsEmbedder(**{**TINY, "title_word_mean": False, "epochs": 1}).fit(y[:150], X[:150])
    assert "title_word_mean" not in {layer.name for layer in gru_alone.network_.layers}
    restored = {}
    for fitted, model in (("fitted", gru_alone), ("unfitted", JoapsEmbedder())):
        state = model.__getstate__()
        del state["title_word_mean"]  # job2vec 0.2 had no such parameter
        restored[fitted] = JoapsEmbedder.__new__(JoapsEmbedder)
        restored[fitted].__setstate__(state)
        assert restored[fitted].get_params()["title_word_mean"] is False
    np.testing.assert_allclose(restored["fitted"].transform(y[:5]), gru_alone.transform(y[:5]), atol=1e-6)


def test_with_subwords_unknown_words_count_and_unseen_titles_get_their_own_vector(subword_embedder):
    vectors = subword_embedder.transform(["staff nurse london", "staff nurse leeds", "staff nurse"])
    assert np.linalg.norm(vectors, axis=1) == pytest.approx(1, abs=1e-5)  # no all-unknown zero vector
    assert vectors[0] @ vectors[1] < 1 - 1e-6 and vectors[0] @ vectors[2] < 1 - 1e-6
    assert [i.name for i in subword_embedder.network_.inputs] == ["description_ids", "title_ids", "title_pieces"]
    neighbours = subword_embedder.most_similar("staff nurse london", topn=5)
    assert all(score < 1 - 1e-6 for _, score in neighbours)
