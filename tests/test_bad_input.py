"""Bad input gets a clear ValueError or TypeError naming the problem, never a backend traceback."""

import numpy as np
import pandas as pd
import pytest

from job2vec import JoapsEmbedder, TitlePredictor

from .conftest import TINY

X_OK = ["welds metal parts", "cares for patients in hospital", "welds pipes on site", "nurses patients"]
Y_OK = ["welder", "nurse", "welder", "nurse"]


@pytest.mark.parametrize(
    "X, y, error, message",
    [
        ("welds metal parts", Y_OK, TypeError, "not a single string"),
        ([], [], ValueError, "empty"),
        (X_OK[:3] + [None], Y_OK, ValueError, r"X\[3\] is missing"),
        (X_OK[:3] + [float("nan")], Y_OK, ValueError, r"X\[3\] is missing"),
        (X_OK[:3] + [42], Y_OK, TypeError, r"X\[3\] is of type int"),
        (X_OK[:3] + [""], Y_OK, ValueError, r"X\[3\] is an empty text"),
        (X_OK, Y_OK[:3], ValueError, "different lengths"),
        (X_OK, ["welder"] * 4, ValueError, "at least 2 distinct titles"),
        (X_OK, None, TypeError, "y is required"),
        (np.array([X_OK, X_OK]), Y_OK, ValueError, "must be 1-D"),
        (pd.DataFrame({"a": X_OK, "b": X_OK}), Y_OK, ValueError, "must be 1-D"),
    ],
)
def test_fit_rejects_bad_input(X, y, error, message):
    with pytest.raises(error, match=message):
        TitlePredictor(**TINY).fit(X, y)


def test_empty_vocabulary():
    with pytest.raises(ValueError, match="vocabulary is empty"):
        TitlePredictor(**{**TINY, "min_count": 50}).fit(X_OK, Y_OK)


def test_descriptions_without_a_known_word_are_left_out_of_training(tasks):
    X, y = tasks  # at min_count=10, 60 of these 150 O*NET descriptions have no known word
    with pytest.warns(UserWarning, match=r"training pairs have no description word in the vocabulary"):
        model = TitlePredictor(**{**TINY, "min_count": 10, "epochs": 2}).fit(X[:150], y[:150])
    assert np.isfinite(model.history_["loss"]).all()  # their zero vectors made the loss NaN at once


def test_no_description_with_a_known_word():
    descriptions = ["alpha one", "beta two", "gamma three", "delta four"]  # only title words reach min_count=2
    with pytest.raises(ValueError, match="No training description has a word in the vocabulary"):
        TitlePredictor(**{**TINY, "min_count": 2, "early_stopping": False}).fit(
            descriptions, ["welder", "welder helper", "nurse", "nurse aide"])


@pytest.mark.parametrize(
    "params, message",
    [
        ({"filter_sizes": ()}, "filter_sizes"),
        ({"filter_sizes": 3}, "filter_sizes"),
        ({"batch_size_range": (64, 8)}, "batch_size_range"),
        ({"batch_size_range": 8}, "batch_size_range"),
        ({"violation_thresholds": (0.9, 0.1)}, "violation_thresholds"),
        ({"loss": "hinge"}, "loss must be one of"),
        ({"embedding_size": 7}, "even"),
        ({"epochs": 0}, "epochs"),
        ({"validation_fraction": 1.5}, "validation_fraction"),
        ({"margin": -1}, "margin"),
        ({"learning_rate": 0}, "learning_rate"),
        ({"n_jobs": 0}, "n_jobs must be None or a non-zero integer"),
    ],
)
def test_bad_parameters_are_reported_at_fit(params, message):
    with pytest.raises(ValueError, match=message):
        TitlePredictor(**{**TINY, **params}).fit(X_OK, Y_OK)


def test_bad_input_at_predict(fitted_predictor):
    with pytest.raises(TypeError, match="not a single string"):
        fitted_predictor.predict("a description")
    with pytest.raises(ValueError, match="empty"):
        fitted_predictor.predict([])
    with pytest.raises(ValueError, match="missing"):
        fitted_predictor.predict_top_k([None])
    with pytest.raises(ValueError, match="k must be a positive integer"):
        fitted_predictor.predict_top_k(["x"], k=0)
    with pytest.raises(TypeError, match="mixes raw strings and token lists"):
        fitted_predictor.predict(["text", ["tok"]])


def test_embedder_bad_input(fitted_embedder):
    with pytest.raises(TypeError, match="not a single string"):
        fitted_embedder.transform("nurse")
    with pytest.raises(ValueError, match="missing"):
        JoapsEmbedder(**TINY).fit(["nurse", None], ["a", "b"])


@pytest.mark.parametrize(
    "X, y, error, message",
    [
        (X_OK[:3] + [None], Y_OK, ValueError, r"X\[3\] is missing"),
        (X_OK, Y_OK[:3], ValueError, "different lengths"),
        (X_OK, ["welder", "", "nurse", "nurse"], ValueError, r"y\[1\] is an empty text"),
        (X_OK, Y_OK, ValueError, "vocabulary is empty"),  # min_count=50 below
    ],
)
def test_seq2seq_rejects_bad_input(X, y, error, message):
    from job2vec.baselines import Seq2SeqTitlePredictor

    with pytest.raises(error, match=message):
        Seq2SeqTitlePredictor(units=4, min_count=50, epochs=1).fit(X, y)
