"""TitleNormalizer: taxonomy codes from titles (and descriptions), on the bundled ESCO, O*NET and ROME."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer

from job2vec import JoapsEmbedder, TitleNormalizer, normalize_title
from job2vec.datasets import load_esco, load_rome, taxonomy_labels

from .conftest import TINY

# Tiny, but with enough room for the title encoder to learn ESCO's synonyms.
SMALL = {**TINY, "word_vector_size": 64, "embedding_size": 64, "n_filters": 16, "epochs": 6,
         "subword_buckets": 4096}


def esco_sample(n_occupations=400, seed=0):
    """ESCO labels of `n_occupations` occupations, with 20 % of each one's alternative labels held out."""
    table = taxonomy_labels("esco", "en")
    rng = np.random.default_rng(seed)
    chosen = set(rng.choice(table["code"].unique(), n_occupations, replace=False))
    table = table[table["code"].isin(chosen)].reset_index(drop=True)
    table = table.assign(label=table["label"].map(normalize_title)).drop_duplicates(["code", "label"])
    alternative = table.index[table["code"].duplicated()].to_numpy()
    held = [row for code, rows in pd.Series(alternative).groupby(table.loc[alternative, "code"].to_numpy())
            for row in rng.choice(rows.to_numpy(), int(round(0.2 * len(rows))), replace=False)]
    queries = table.loc[held]
    return table.drop(index=held).reset_index(drop=True), list(queries["label"]), queries["code"].to_numpy()


@pytest.fixture(scope="module")
def esco():
    return esco_sample()


@pytest.fixture(scope="module")
def normalizer(esco):
    taxonomy, _, _ = esco
    return TitleNormalizer(taxonomy, embedder=JoapsEmbedder(**SMALL), random_state=0).fit()


def char_tfidf_top_k(taxonomy, queries, k=10):
    """The TF-IDF character 2-4-gram baseline: an occupation's score is its best label's."""
    table = taxonomy.sort_values("code", kind="stable")
    codes, starts = np.unique(table["code"].to_numpy(dtype=object), return_index=True)
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
    labels = vectorizer.fit_transform(table["label"].map(normalize_title))
    scores = np.maximum.reduceat((vectorizer.transform(queries) @ labels.T).toarray(), starts, axis=1)
    return codes[np.argsort(-scores, axis=1, kind="stable")[:, :k]]


def recall(top, truth, k):
    return float((top[:, :k] == truth[:, None]).any(axis=1).mean())


def test_beats_the_character_tfidf_baseline_on_held_out_esco_labels(esco, normalizer):
    taxonomy, queries, truth = esco
    ours, baseline = normalizer.predict_top_k(queries, k=10), char_tfidf_top_k(taxonomy, queries)
    assert len(queries) > 700
    for k in (1, 10):
        assert recall(ours, truth, k) > recall(baseline, truth, k), k


def test_predictions_are_codes_labels_and_scores(esco, normalizer):
    taxonomy, queries, _ = esco
    codes, scores = normalizer.predict_top_k(queries[:20], k=5, return_scores=True)
    assert codes.shape == scores.shape == (20, 5)
    assert set(codes.ravel()) <= set(taxonomy["code"])
    assert np.all(np.diff(scores, axis=1) <= 1e-6)
    np.testing.assert_array_equal(normalizer.predict(queries[:20]), codes[:, 0])
    decision = normalizer.decision_function(queries[:20])
    assert decision.shape == (20, len(normalizer.classes_))
    np.testing.assert_array_equal(normalizer.classes_[decision.argmax(axis=1)], codes[:, 0])
    preferred = taxonomy.drop_duplicates("code").set_index("code")["label"]
    np.testing.assert_array_equal(normalizer.predict_label(queries[:20]), preferred[codes[:, 0]].to_numpy())
    assert normalizer.transform(queries[:3]).shape == (3, SMALL["embedding_size"])
    assert set(normalizer.weights_) == {"title", "definition", "lexical"}
    assert 0 < normalizer.validation_recall_["recall@1"] <= normalizer.validation_recall_["recall@10"] <= 1


def test_a_description_adds_evidence_and_weight_zero_ignores_it(esco, normalizer):
    taxonomy, queries, _ = esco
    descriptions = taxonomy.drop_duplicates("code")["description"].to_numpy()[:5]
    frame = pd.DataFrame({"title": queries[:5], "description": descriptions})
    titles_only = normalizer.decision_function(queries[:5])
    assert not np.allclose(normalizer.decision_function(frame), titles_only)
    frame.loc[2, "description"] = None  # a posting without its description ranks on its title
    np.testing.assert_allclose(normalizer.decision_function(frame)[2], titles_only[2], rtol=1e-5)
    unused = clone(normalizer).set_params(description_weight=0.0)
    unused.__dict__.update({k: v for k, v in normalizer.__dict__.items() if k.endswith("_") or k.startswith("_")})
    np.testing.assert_allclose(unused.decision_function(frame), titles_only, rtol=1e-5)


def test_pickle_round_trip_and_clone_leave_the_embedder_unfitted(esco, normalizer):
    _, queries, _ = esco
    restored = pickle.loads(pickle.dumps(normalizer))
    np.testing.assert_array_equal(restored.predict_top_k(queries[:30], k=3), normalizer.predict_top_k(queries[:30], k=3))
    assert not hasattr(normalizer.embedder, "network_")
    assert clone(normalizer).get_params()["taxonomy"] is not None


def test_coded_postings_become_labels_of_their_code():
    taxonomy, _, _ = esco_sample(30, seed=1)
    code = taxonomy["code"].iloc[0]
    title = "chief vibes officer"
    fitted = TitleNormalizer(taxonomy, embedder=JoapsEmbedder(**TINY), weights={"title": 1.0, "lexical": 1.0},
                             random_state=0).fit([title], [code])
    assert fitted.predict([title])[0] == code
    assert fitted.validation_recall_ is None and fitted.weights_["definition"] == 0.0


def test_bundled_rome_fits_in_french_with_metier_codes():
    # Batches of 128 throughout: the adaptive batch is tested elsewhere, and 12,071 labels take 88 steps.
    tiny = JoapsEmbedder(**{**TINY, "epochs": 1, "word2vec_epochs": 1, "language": "fr",
                            "batch_size_range": (128, 128)})
    fitted = TitleNormalizer("rome", embedder=tiny, random_state=0).fit()
    assert len(fitted.classes_) == 1584 and fitted.classes_[0] == "A1101"
    assert fitted.predict(["Boulanger"])[0].startswith(("D", "H"))  # trade and food métiers
    assert isinstance(fitted.predict_label(["infirmier de bloc"])[0], str)


@pytest.mark.parametrize("params, match", [
    ({"taxonomy": "isco"}, "taxonomy"),
    ({"taxonomy": "rome", "language": "en"}, "no 'en' labels"),
    ({"taxonomy": pd.DataFrame({"code": ["a", "b"], "label": ["x", "y"]})}, "no column 'description'"),
    ({"taxonomy": pd.DataFrame({"code": ["a", "b"], "label": ["x", " "], "description": ["d", "e"]})},
     "column 'label' has 1 missing or blank"),
    ({"weights": {"title": 1.0, "skills": 1.0}}, "unknown channels"),
    ({"weights": {"title": 0.0}}, "not all 0"),
])
def test_bad_parameters_get_one_clear_error(params, match):
    with pytest.raises(ValueError, match=match):
        TitleNormalizer(**{"embedder": JoapsEmbedder(**TINY), **params}).fit()


def test_bad_queries_and_postings_get_clear_errors(esco, normalizer):
    taxonomy, _, _ = esco
    with pytest.raises(ValueError, match=r"X\[1\] is an empty text"):
        normalizer.predict(["nurse", "  "])
    with pytest.raises(ValueError, match="no 'title' column"):
        normalizer.predict(pd.DataFrame({"name": ["nurse"]}))
    with pytest.raises(TypeError, match="not a single string"):
        normalizer.predict("nurse")
    unfitted = TitleNormalizer(taxonomy, embedder=JoapsEmbedder(**TINY))
    with pytest.raises(ValueError, match="not in the taxonomy"):
        unfitted.fit(["nurse"], ["no such code"])
    with pytest.raises(ValueError, match="titles alone teach nothing"):
        unfitted.fit(["nurse"])
    with pytest.raises(ValueError, match="without X"):
        unfitted.fit(None, ["code"])


def test_load_esco_and_load_rome_describe_the_bundled_taxonomies():
    english, french, rome = load_esco(), load_esco("fr"), load_rome()
    assert len(english.occupations) == 3007 and len(french.occupations) == 2942 and len(rome.occupations) == 1584
    assert list(english.frame.columns) == ["uri", "code", "isco_group", "label", "label_kind", "description"]
    assert english.occupations["isco_group_label"].ne("").mean() > 0.99
    assert (english.frame["label_kind"] == "preferred").sum() == 3007
    assert set(french.frame["uri"]) <= set(english.frame["uri"]) | set(french.occupations["uri"])
    assert rome.frame["description"].str.len().min() > 100
    descriptions, labels = load_rome(return_X_y=True)
    assert len(descriptions) == len(labels) == len(rome.frame)
    with pytest.raises(ValueError, match="language must be one of"):
        load_esco("de")


def test_embedder_groups_are_checked_before_training():
    # Fitting with groups runs in every TitleNormalizer fit above.
    taxonomy, _, _ = esco_sample(20, seed=2)
    with pytest.raises(ValueError, match="groups has 3 labels for"):
        JoapsEmbedder(**TINY).fit(taxonomy["label"], taxonomy["description"], groups=["a", "b", "c"])
    with pytest.raises(ValueError, match="loss='warp'"):
        JoapsEmbedder(**{**TINY, "loss": "warp"}).fit(taxonomy["label"], taxonomy["description"],
                                                      groups=taxonomy["code"])
