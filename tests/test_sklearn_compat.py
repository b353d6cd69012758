"""The scikit-learn contract: common checks, clone, persistence, reproducibility, model selection."""

import os
import pickle
import subprocess
import sys

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.utils import estimator_checks as checks

from job2vec import JoapsEmbedder, TextPreprocessor, TitlePredictor
from job2vec.baselines import (MostFrequentTitlePredictor, Seq2SeqTitlePredictor, TfidfNeighborsTitlePredictor,
                               Word2VecSumEmbedder)
from job2vec.metrics import bleu_scorer, top_k_scorer

from .conftest import TINY

ESTIMATORS = [TitlePredictor(), JoapsEmbedder(), TextPreprocessor(), TfidfNeighborsTitlePredictor(),
              MostFrequentTitlePredictor(), Word2VecSumEmbedder(), Seq2SeqTitlePredictor()]
# The common checks that do not feed numeric arrays (these estimators take text).
COMMON_CHECKS = [checks.check_no_attributes_set_in_init, checks.check_parameters_default_constructible,
                 checks.check_get_params_invariance, checks.check_set_params, checks.check_estimator_cloneable,
                 checks.check_estimator_repr, checks.check_estimator_tags_renamed, checks.check_valid_tag_types,
                 checks.check_do_not_raise_errors_in_init_or_set_params]


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("check", COMMON_CHECKS, ids=lambda c: c.__name__)
def test_sklearn_common_checks(estimator, check):
    check(type(estimator).__name__, clone(estimator))


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_tags_declare_string_input(estimator):
    tags = estimator.__sklearn_tags__()
    assert tags.input_tags.string and not tags.input_tags.two_d_array


def test_params_roundtrip_and_clone_is_unfitted(fitted_predictor):
    tp = TitlePredictor(filter_sizes=(2, 3), violation_thresholds=(0.1, 0.9), batch_size_range=(4, 64))
    assert tp.get_params()["filter_sizes"] == (2, 3)
    tp.set_params(margin=0.3)
    assert tp.margin == 0.3
    cloned = clone(fitted_predictor)
    assert cloned.get_params() == fitted_predictor.get_params()
    assert not hasattr(cloned, "network_")


@pytest.mark.parametrize("dump", ["pickle", "joblib"])
def test_persistence_gives_identical_predictions_in_a_fresh_process(fitted_predictor, tasks, tmp_path, dump):
    X = tasks[0][:6]
    path = tmp_path / "model.bin"
    if dump == "pickle":
        path.write_bytes(pickle.dumps(fitted_predictor))
        load = f"import pickle; m = pickle.loads(open({str(path)!r}, 'rb').read())"
    else:
        joblib.dump(fitted_predictor, path)
        load = f"import joblib; m = joblib.load({str(path)!r})"
    np.save(tmp_path / "X.npy", np.asarray(X, dtype=object), allow_pickle=True)
    # Prediction reads the saved NumPy weights: the fresh process must not even import Keras or JAX.
    script = (f"import sys, numpy as np, job2vec; {load}; X = np.load({str(tmp_path / 'X.npy')!r}, allow_pickle=True); "
              f"np.save({str(tmp_path / 'out.npy')!r}, m.decision_function(list(X))); "
              "assert not {'keras', 'jax'} & set(sys.modules), 'prediction imported Keras or JAX'; "
              "m.most_similar('nurse', 1)")  # titles go through the network: rebuilt in this process
    subprocess.run([sys.executable, "-c", script], check=True, env={**os.environ, "KERAS_BACKEND": "jax"})
    np.testing.assert_allclose(np.load(tmp_path / "out.npy"), fitted_predictor.decision_function(X), atol=1e-6)


def test_a_loaded_model_rebuilds_its_network_on_first_use(fitted_predictor, tasks):
    import keras

    X, y = tasks
    loaded = pickle.loads(pickle.dumps(fitted_predictor))
    assert "_network" not in vars(loaded) and "_network_bytes" in vars(loaded)
    np.testing.assert_array_equal(loaded.decision_function(X[:4]), fitted_predictor.decision_function(X[:4]))
    assert "_network_bytes" in vars(loaded)  # prediction did not need it
    (titles_a, scores_a), (titles_b, scores_b) = (zip(*m.most_similar(y[0], 3)) for m in (loaded, fitted_predictor))
    assert titles_a == titles_b and scores_a == pytest.approx(scores_b, abs=1e-6)  # titles need the network
    assert isinstance(loaded.network_, keras.Model) and "_network_bytes" not in vars(loaded)
    again = pickle.loads(pickle.dumps(loaded))  # saved again from the rebuilt network
    np.testing.assert_array_equal(again.decision_function(X[:4]), fitted_predictor.decision_function(X[:4]))


def test_a_model_saved_without_its_description_weights_still_predicts(fitted_predictor, tasks):
    X = tasks[0][:4]
    state = fitted_predictor.__getstate__()
    del state["_description_weights"]  # as saved before 0.3: the network alone
    loaded = TitlePredictor()
    loaded.__setstate__(state)
    np.testing.assert_array_equal(loaded.decision_function(X), fitted_predictor.decision_function(X))


def test_embedder_pickles(fitted_embedder):
    restored = pickle.loads(pickle.dumps(fitted_embedder))
    np.testing.assert_allclose(restored.transform(["nurse", "geographer"]),
                               fitted_embedder.transform(["nurse", "geographer"]), atol=1e-6)
    query = fitted_embedder.titles_[0]
    (titles_a, scores_a), (titles_b, scores_b) = (zip(*m.most_similar(query, 3)) for m in (restored, fitted_embedder))
    assert titles_a == titles_b and scores_a == pytest.approx(scores_b, abs=1e-6)


def test_corrupt_model_file_is_a_clear_error(fitted_predictor, tmp_path):
    state = fitted_predictor.__getstate__()
    state["network_"] = state["network_"][: len(state["network_"]) // 2]  # truncated .keras bytes
    path = tmp_path / "broken.joblib"
    joblib.dump(state, path)
    with pytest.raises(ValueError, match="corrupt or incompatible"):
        TitlePredictor().__setstate__(joblib.load(path))


def test_same_seed_same_model_other_seed_other_model(tasks):
    X, y = tasks
    a = TitlePredictor(**{**TINY, "epochs": 1}).fit(X, y).decision_function(X[:5])
    b = TitlePredictor(**{**TINY, "epochs": 1}).fit(X, y).decision_function(X[:5])
    c = TitlePredictor(**{**TINY, "epochs": 1, "random_state": 1}).fit(X, y).decision_function(X[:5])
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_grid_search_in_parallel_over_filters_and_thresholds(tasks):
    X, y = tasks
    grid = GridSearchCV(
        TitlePredictor(**{**TINY, "epochs": 1, "batch_size_range": (8, 16), "early_stopping": False}),
        # Both parameters searchable; examples/grid_search.py (tests/test_examples.py) runs the full 2 x 2 grid.
        {"filter_sizes": [(3, 4, 5), (2, 3)], "violation_thresholds": [(0.1, 0.9)]},
        scoring={"top5": top_k_scorer(k=5), "bleu1": bleu_scorer(k=1)}, refit="top5",
        cv=KFold(2, shuffle=True, random_state=0), n_jobs=2,
    ).fit(X, y)
    assert len(grid.cv_results_["params"]) == 2
    assert grid.best_estimator_.violation_thresholds == (0.1, 0.9)
    assert np.all(np.isfinite(grid.cv_results_["mean_test_top5"]))
    assert np.all((grid.cv_results_["mean_test_bleu1"] >= 0) & (grid.cv_results_["mean_test_bleu1"] <= 1))
    assert grid.best_estimator_.predict(X[:3]).shape == (3,)


def test_pipeline_with_text_preprocessor(tasks):
    X, y = tasks
    pipe = Pipeline([("prep", TextPreprocessor(language="en")), ("tp", TitlePredictor(**TINY))]).fit(X, y)
    assert pipe.predict(X[:4]).shape == (4,)
    assert 0 <= pipe.score(X[:20], y[:20]) <= 1
    scores = cross_val_score(TitlePredictor(**{**TINY, "epochs": 1}), X, y, cv=KFold(2, shuffle=True, random_state=0),
                             scoring=top_k_scorer(k=5, candidates="fitted+test"))
    assert scores.shape == (2,) and np.all((scores >= 0) & (scores <= 1))


def test_failed_fit_leaves_a_fitted_model_usable(fitted_predictor, tasks):
    tp = pickle.loads(pickle.dumps(fitted_predictor))
    before = tp.predict(tasks[0][:5])
    with pytest.raises(ValueError):
        tp.set_params(min_count=10_000).fit(*tasks)
    np.testing.assert_array_equal(tp.predict(tasks[0][:5]), before)


def test_a_model_saved_by_job2vec_0_1_still_loads_and_predicts_the_same():
    from job2vec.datasets import load_onet

    path = os.path.join(os.path.dirname(__file__), "data", "title_predictor_0.1.joblib")
    model = joblib.load(path)
    X, _ = load_onet(kind="tasks", return_X_y=True)
    # What job2vec 0.1.0 predicted with this model (tests/data/README.md).
    assert model.predict(X[:3]).tolist() == ["advertising and promotions managers"] * 3
    assert model.subword_buckets == 0 and model.ranking == "cosine"
    assert model.channel_weights_ == {"prior": model.prior_weight_, "neighbours": 0.0, "lexical": 0.0, "mention": 0.0}
    np.testing.assert_allclose(model.predict_proba(X[:2]).sum(axis=1), 1, rtol=1e-5)


def test_a_model_saved_by_job2vec_0_2_ranks_as_before_without_the_mention_channel():
    from job2vec.datasets import load_onet

    model = joblib.load(os.path.join(os.path.dirname(__file__), "data", "title_predictor_0.2.joblib"))
    X, _ = load_onet(kind="tasks", return_X_y=True)
    # What job2vec 0.2.0 predicted with this model (tests/data/README.md).
    assert model.predict_top_k(X[:3], k=3).tolist() == [
        ["chief executives", "investment fund managers", "general and operations managers"],
        ["chief executives", "general and operations managers", "computer and information systems managers"],
        ["chief executives", "treasurers and controllers", "advertising and promotions managers"],
    ]
    assert model.channel_weights_ == {"prior": 0.0, "neighbours": 0.03, "lexical": 1.0, "mention": 0.0}
    assert all(weights["mention"] == 0.0 for weights in model.ranking_weights_.values())
    # New candidates still work; the mention channel stays off, as it was fitted.
    model.set_candidates(["chief executives", "geographers"])
    assert model.predict(X[:2]).shape == (2,)
