"""TitlePredictor: the prediction API, on real O*NET data."""

import copy
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import train_test_split

from job2vec import TextPreprocessor, TitlePredictor, normalize_title
from job2vec._channels import mention_scores, neighbour_votes
from job2vec.baselines import MostFrequentTitlePredictor
from job2vec.metrics import top_k_accuracy

from .conftest import TINY, onet_tasks_sample


def test_prediction_api_shapes_and_consistency(fitted_predictor, tasks):
    X, y = tasks
    tp = fitted_predictor
    assert list(tp.classes_) == sorted({normalize_title(t) for t in y})
    scores = tp.decision_function(X[:7])
    assert scores.shape == (7, len(tp.classes_))
    top, top_scores = tp.predict_top_k(X[:7], k=4, return_scores=True)
    assert top.shape == top_scores.shape == (7, 4)
    # The top-k are the arg-max columns of decision_function, in order.
    np.testing.assert_array_equal(top, tp.classes_[np.argsort(-scores, axis=1, kind="stable")[:, :4]])
    assert np.all(np.diff(top_scores, axis=1) <= 1e-6)
    np.testing.assert_array_equal(tp.predict(X[:7]), top[:, 0])
    vectors = tp.transform(X[:7])
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1, rtol=1e-5)
    expected = vectors @ tp.candidate_vectors_.T + tp.prior_weight_ * tp.candidate_log_prior_
    weights = tp.channel_weights_
    if weights["neighbours"]:
        expected += weights["neighbours"] * neighbour_votes(vectors, tp.description_vectors_, tp.description_titles_,
                                                            tp.n_neighbors).toarray()
    tokens = TextPreprocessor().fit_transform(X[:7])
    if weights["lexical"]:
        expected += weights["lexical"] * neighbour_votes(tp.lexical_vectorizer_.transform(tokens), tp.lexical_matrix_,
                                                         tp.description_titles_, tp.n_neighbors).toarray()
    if weights["mention"]:
        expected += weights["mention"] * mention_scores(tp.lexical_vectorizer_.transform(tokens),
                                                        tp.candidate_words_)
    np.testing.assert_allclose(expected, scores, rtol=1e-5, atol=1e-5)
    assert tp.score(X[:20], y[:20]) == pytest.approx(np.mean(tp.predict(X[:20]) == [normalize_title(t) for t in y[:20]]))


def test_k_larger_than_classes_is_clipped(fitted_predictor, tasks):
    assert fitted_predictor.predict_top_k(tasks[0][:2], k=10_000).shape == (2, len(fitted_predictor.classes_))


def test_history_records_the_batch_size_rule(fitted_predictor):
    history = fitted_predictor.history_
    for key in ("loss", "violation_ratio", "batch_size", "final_batch_size", "val_loss", "val_violation_ratio"):
        assert len(history[key]) == len(history["loss"]) >= 1
    assert all(8 <= b <= 128 for b in history["final_batch_size"])
    assert all(0 <= r <= 1 for r in history["violation_ratio"])


def test_set_candidates_ranks_against_any_title_list(fitted_predictor, tasks):
    X, y = tasks
    tp = pickle.loads(pickle.dumps(fitted_predictor))  # a copy: set_candidates changes the model
    before = tp.predict_top_k(X[:5], k=3)
    taxonomy = ["Geographer", "Registered Nurse", "registered  nurse", y[0]]
    tp.set_candidates(taxonomy)
    assert list(tp.classes_) == sorted({"geographer", "registered nurse", normalize_title(y[0])})
    assert tp.decision_function(X[:5]).shape == (5, 3)
    assert set(tp.predict(X[:5])) <= set(tp.classes_)
    tp.set_candidates(tp.titles_)
    np.testing.assert_array_equal(tp.predict_top_k(X[:5], k=3), before)


def test_out_of_vocabulary_description_still_gets_an_answer(fitted_predictor):
    top = fitted_predictor.predict_top_k(["zzqx wvvk qqqxz"], k=3)
    assert top.shape == (1, 3) and all(t in fitted_predictor.classes_ for t in top[0])


def test_inputs_as_list_array_series_and_token_lists(fitted_predictor, tasks):
    X = tasks[0][:5]
    expected = fitted_predictor.predict(list(X))
    np.testing.assert_array_equal(fitted_predictor.predict(np.asarray(X)), expected)
    np.testing.assert_array_equal(fitted_predictor.predict(pd.Series(X, index=[9, 3, 7, 1, 0])), expected)
    tokens = TextPreprocessor().fit_transform(X)
    np.testing.assert_array_equal(fitted_predictor.predict(tokens), expected)


def test_not_fitted():
    for call in (lambda tp: tp.predict(["x"]), lambda tp: tp.transform(["x"]),
                 lambda tp: tp.set_candidates(["x"]), lambda tp: tp.most_similar("x")):
        with pytest.raises(NotFittedError):
            call(TitlePredictor())


def test_a_model_saved_before_n_jobs_ranks_with_one_thread(fitted_predictor, tasks):
    state = fitted_predictor.__getstate__()
    del state["n_jobs"]  # job2vec 0.2.0 had no such parameter
    restored = TitlePredictor.__new__(TitlePredictor)
    restored.__setstate__(state)
    assert restored.get_params()["n_jobs"] is None
    np.testing.assert_array_equal(restored.predict(tasks[0][:5]), fitted_predictor.predict(tasks[0][:5]))


def test_mnrl_loss_trains(tasks):
    X, y = tasks
    tp = TitlePredictor(**{**TINY, "loss": "mnrl"}).fit(X, y)
    assert np.isfinite(tp.history_["loss"]).all()


def test_warp_loss_trains_and_keeps_the_plain_network(tasks):
    X, y = tasks
    tp = TitlePredictor(**{**TINY, "loss": "warp", "batch_size_range": (8, 16), "subword_buckets": 0}).fit(X, y)
    assert np.isfinite(tp.history_["loss"]).all() and np.isfinite(tp.history_["val_loss"]).all()
    assert 0 <= min(tp.history_["violation_ratio"]) <= max(tp.history_["violation_ratio"]) <= 1
    assert [i.name for i in tp.network_.inputs] == ["description_ids", "title_ids"]  # no negatives branch kept
    assert tp.predict_top_k(X[:4], k=3).shape == (4, 3)


def test_titles_without_a_known_word_train_without_subwords(tasks):
    # Without subwords a title is its words known to W_in: with min_count=20, two of these O*NET titles have none, and
    # are the zero vector. Its normalization once sent NaN through the title's word mean into the weights. WARP and
    # the title separation meet such titles as pairs, as sampled negatives and as anchors.
    X, y = tasks
    tp = TitlePredictor(**{**TINY, "subword_buckets": 0, "title_word_mean": True, "min_count": 20, "loss": "warp",
                           "max_title_similarity": 0.99}).fit(X, y)
    empty = ~(tp._title_inputs(tp.titles_)[0] != 0).any(axis=1)
    assert 0 < empty.sum() < len(empty)
    assert np.isfinite(tp.history_["loss"]).all()
    vectors = tp._encode_titles(tp.titles_)
    assert (vectors[empty] == 0).all() and np.allclose(np.linalg.norm(vectors[~empty], axis=1), 1, atol=1e-5)
    assert all(np.isfinite(w).all() for w in tp.network_.get_weights())


def test_learns_real_titles_better_than_prior_and_random():
    """On held-out O*NET task statements, Top-5 beats the most-frequent-title prior and chance."""
    X, y = onet_tasks_sample(30, seed=1)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    params = dict(word_vector_size=32, n_filters=32, embedding_size=32, min_count=2, epochs=12,
                  trainable_embeddings=True, max_description_length=40, random_state=0)
    tp = TitlePredictor(**params).fit(X_train, y_train)
    model_top5 = top_k_accuracy(y_test, tp.predict_top_k(X_test, k=5))
    prior_top5 = top_k_accuracy(y_test, MostFrequentTitlePredictor().fit(X_train, y_train).predict_top_k(X_test, k=5))
    chance_top5 = 5 / len(tp.classes_)
    print(f"Top-5: model {model_top5:.3f}, prior {prior_top5:.3f}, chance {chance_top5:.3f}")
    assert model_top5 > max(prior_top5, chance_top5) + 0.15


def test_title_prior(fitted_predictor, tasks):
    X, y = tasks
    tp = fitted_predictor
    assert tp.prior_weight_ in (0.0, 0.01, 0.02, 0.05, 0.1, 0.2)
    assert tp.title_counts_.sum() == len(y) and len(tp.title_counts_) == len(tp.titles_)
    counts = dict(zip(tp.titles_, tp.title_counts_))
    most, least = max(counts, key=counts.get), min(counts, key=counts.get)
    prior = dict(zip(tp.classes_, tp.candidate_log_prior_))
    assert prior[most] >= prior[least]
    assert np.exp(tp.candidate_log_prior_).sum() == pytest.approx(1)


def test_prior_weight_zero_ranks_by_cosine_and_unseen_candidates_share_a_prior(tasks):
    X, y = tasks
    tp = TitlePredictor(**{**TINY, "ranking": "cosine", "prior_weight": 0}).fit(X, y)  # the paper's ranking
    assert tp.prior_weight_ == 0
    np.testing.assert_allclose(tp.decision_function(X[:3]), tp.transform(X[:3]) @ tp.candidate_vectors_.T, atol=1e-6)
    tp.set_candidates(["geographer", "registered nurse", tp.titles_[0]])
    prior = dict(zip(tp.classes_, tp.candidate_log_prior_))
    assert prior["geographer"] == prior["registered nurse"] < prior[tp.titles_[0]]
    with pytest.raises(ValueError, match="prior_weight"):
        TitlePredictor(**{**TINY, "prior_weight": "big"}).fit(X, y)


@pytest.mark.parametrize("ranking", ["cosine", "neighbours", "hybrid"])
def test_each_ranking_uses_only_its_channels_and_records_the_simpler_ones(ranking, tasks):
    X, y = tasks
    tp = TitlePredictor(**{**TINY, "ranking": ranking}).fit(X, y)
    allowed = {"cosine": {"prior"}, "neighbours": {"prior", "neighbours"},
               "hybrid": {"prior", "neighbours", "lexical", "mention"}}
    assert list(tp.ranking_weights_) == [r for r in ("cosine", "neighbours", "hybrid") if allowed[r] <= allowed[ranking]]
    for name, weights in tp.ranking_weights_.items():
        assert {c for c, w in weights.items() if w} <= allowed[name]
    assert tp.channel_weights_ == tp.ranking_weights_[ranking] and tp.prior_weight_ == tp.channel_weights_["prior"]
    assert (tp.description_vectors_ is None) == (ranking == "cosine")
    assert (tp.lexical_matrix_ is None) == (ranking != "hybrid")
    assert tp.predict_top_k(X[:3], k=2).shape == (3, 2)


def test_weights_are_not_chosen_on_titles_no_training_pair_has(fitted_predictor, tasks):
    # Every pair has a title of its own: no validation title is among the training part's
    # titles, so no weighting can rank one right and nothing is chosen.
    X, y = tasks
    tp = TitlePredictor(**TINY).fit(X, [f"{title} {i}" for i, title in enumerate(y)])
    assert tp.channel_weights_ == {"prior": 0.0, "neighbours": 0.0, "lexical": 0.0, "mention": 0.0}
    assert np.isnan(tp.calibration_error_)
    # With shared titles the same fit chooses on the validation pairs.
    assert np.isfinite(fitted_predictor.calibration_error_)


def test_neighbour_channels_recover_training_titles(tasks):
    X, y = tasks
    tp = TitlePredictor(**{**TINY, "ranking": "hybrid"}).fit(X, y)
    tp.channel_weights_ = {"prior": 0.0, "neighbours": 0.0, "lexical": 100.0, "mention": 0.0}  # TF-IDF votes alone
    # A training description is its own nearest TF-IDF neighbour: its title wins.
    assert np.mean(tp.predict(X[:40]) == [normalize_title(t) for t in y[:40]]) > 0.9


def test_neighbour_indexes_hold_each_distinct_description_once(tasks):
    X, y = tasks
    reposted = np.concatenate([np.arange(len(X)), np.arange(0, len(X), 3)])  # every third ad posted twice
    tp = TitlePredictor(**{**TINY, "ranking": "hybrid"}).fit(X[reposted], y[reposted])
    n_texts = len(set(X))
    assert tp.description_vectors_.shape[0] == tp.lexical_matrix_.shape[0] == n_texts
    assert tp.description_titles_.shape == (n_texts, len(tp.titles_))
    np.testing.assert_array_equal(np.asarray(tp.description_titles_.sum(axis=0)).ravel(), tp.title_counts_)


def test_unfitted_candidates_get_the_cosine_and_mention_channels_only(fitted_predictor, tasks):
    tp = pickle.loads(pickle.dumps(fitted_predictor))
    tp.channel_weights_ = {"prior": 0.0, "neighbours": 1.0, "lexical": 1.0, "mention": 0.5}
    X = tasks[0][:4]
    tp.decision_function(X)  # builds the channels' indexes, the mention one from the fitted titles' words
    tp.set_candidates(["geographer", tp.titles_[0]])
    unseen = list(tp.classes_).index("geographer")
    words = tp.lexical_vectorizer_.transform(TextPreprocessor().fit_transform(X))
    mention = (words.toarray() > 0) @ tp.candidate_words_[unseen].toarray().ravel()
    np.testing.assert_allclose(tp.decision_function(X)[:, unseen],
                               tp.transform(X) @ tp.candidate_vectors_[unseen] + 0.5 * mention, atol=1e-5)


def test_mention_is_the_idf_weighted_share_of_title_words_in_the_description(tasks):
    X, y = tasks
    tp = TitlePredictor(**{**TINY, "ranking": "hybrid"}).fit(X, y)
    idf = dict(zip(tp.lexical_vectorizer_.get_feature_names_out(), tp.lexical_vectorizer_.idf_))
    # Two words of the fit descriptions that tokenize to themselves, and one in no fit description.
    stable = [w for w in sorted(idf) if w.isalpha() and TextPreprocessor().fit_transform([w]) == [[w]]]
    first, second = stable[:2]
    tp.set_candidates([f"{first} {second}", second, f"zzyzx {second}"])
    queries = [f"Our {first} and {second} team.", f"About {second}.", "Qqqq."]
    mention = mention_scores(tp.lexical_vectorizer_.transform(TextPreprocessor().fit_transform(queries)),
                             tp.candidate_words_)
    column = {title: i for i, title in enumerate(tp.classes_)}
    both, alone, unknown = column[f"{first} {second}"], column[second], column[f"zzyzx {second}"]
    assert mention[0, both] == pytest.approx(1.0)
    assert mention[1, both] == pytest.approx(idf[second] / (idf[first] + idf[second]), rel=1e-5)
    assert mention[1, alone] == pytest.approx(1.0)
    # An unknown word weighs as the rarest known one and is never present.
    assert mention[1, unknown] == pytest.approx(idf[second] / (max(idf.values()) + idf[second]), rel=1e-5)
    assert not mention[2].any()


def test_predict_proba_is_calibrated_on_validation(fitted_predictor, tasks):
    X = tasks[0][:6]
    proba = fitted_predictor.predict_proba(X)
    assert proba.shape == (6, len(fitted_predictor.classes_))
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(fitted_predictor.classes_[proba.argmax(axis=1)], fitted_predictor.predict(X))
    assert fitted_predictor.temperature_ > 0 and 0 <= fitted_predictor.calibration_error_ <= 1


def test_descriptions_without_known_words_raise_one_counting_warning(fitted_predictor, tasks):
    with pytest.warns(UserWarning, match="2 of 3 descriptions have fewer than 3 words"):
        fitted_predictor.predict(["€€€ ### !!!", "🙂🙂", tasks[0][0]])
    # The count is exact at the threshold: two known words warn, three do not.
    known = [w for w in fitted_predictor._tokenize([tasks[0][0]], remove_stop_words=True)[0]
             if w in fitted_predictor.vocabulary_]
    with pytest.warns(UserWarning, match="1 of 2 descriptions have fewer than 3 words"):
        fitted_predictor.predict([" ".join(known[:2]), " ".join(known[:3])])


def test_descriptions_encoded_chunk_by_chunk_still_raise_one_warning(fitted_predictor, tasks, monkeypatch):
    from job2vec import _ranking

    monkeypatch.setattr(_ranking, "PIPELINE_CHUNK", 2)  # 4 chunks of 2, encoded one after the other
    threaded = copy.copy(fitted_predictor).set_params(n_jobs=2)
    X = ["€€€ ### !!!", tasks[0][0], "🙂🙂", tasks[0][1], tasks[0][2], "???", tasks[0][3], tasks[0][4]]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        titles = threaded.predict_top_k(X, k=3)
    assert [str(w.message)[:40] for w in caught] == ["3 of 8 descriptions have fewer than 3 wo"]
    assert caught[0].filename == __file__  # pointed at the caller's line
    np.testing.assert_array_equal(titles, fitted_predictor.predict_top_k(X, k=3))


def test_warp_samples_negatives_with_their_subword_pieces(tasks):
    X, y = tasks
    tp = TitlePredictor(**{**TINY, "loss": "warp", "subword_buckets": 2**8, "ranking": "cosine"}).fit(X, y)
    assert np.isfinite(tp.history_["loss"]).all()
    assert [i.name for i in tp.network_.inputs] == ["description_ids", "title_ids", "title_pieces"]
    assert tp.predict_top_k(X[:3], k=2).shape == (3, 2)
