"""Parameter validation, driven by each estimator's own constraint table."""

import inspect

import numpy as np
import pytest

from job2vec import JoapsEmbedder, TitlePredictor
from job2vec._base import JoapsBase
from job2vec.baselines import Seq2SeqTitlePredictor, TfidfNeighborsTitlePredictor, Word2VecSumEmbedder

X_OK = ["welds metal parts", "cares for patients in hospital", "welds pipes on site", "nurses patients"]
Y_OK = ["welder", "nurse", "welder", "nurse"]

ESTIMATORS = [TitlePredictor, JoapsEmbedder, Seq2SeqTitlePredictor, TfidfNeighborsTitlePredictor, Word2VecSumEmbedder]
# Values to try against every parameter: each parameter must reject at least one.
CANDIDATE_BAD_VALUES = [-1, 0, 7, 2.5, 1.5, "?", (), (64, 8), (0.9, 0.1), [3, "x"], None, object()]


def bad_values(estimator_class, name):
    rules = estimator_class._parameter_constraints[name]
    return [v for v in CANDIDATE_BAD_VALUES if not any(rule.accepts(v) for rule in rules)]


def cases():
    for estimator_class in ESTIMATORS:
        for name in estimator_class._parameter_constraints:
            for value in bad_values(estimator_class, name)[:2]:
                yield pytest.param(estimator_class, name, value, id=f"{estimator_class.__name__}-{name}-{value!r}")


@pytest.mark.parametrize("estimator_class", ESTIMATORS, ids=lambda c: c.__name__)
def test_the_table_covers_every_parameter_and_rejects_something(estimator_class):
    assert set(estimator_class._parameter_constraints) == set(estimator_class().get_params())
    for name in estimator_class._parameter_constraints:
        assert bad_values(estimator_class, name), f"no candidate bad value for {name}"


@pytest.mark.parametrize("estimator_class, name, value", list(cases()))
def test_fit_names_the_estimator_and_the_parameter(estimator_class, name, value):
    estimator = estimator_class(**{name: value})
    with pytest.raises((ValueError, TypeError)) as info:
        estimator.fit(X_OK, Y_OK) if estimator_class is not JoapsEmbedder else estimator.fit(Y_OK, X_OK)
    assert str(info.value).startswith(f"{estimator_class.__name__}: {name} must be ")


def test_title_predictor_signature_agrees_with_the_base():
    base = inspect.signature(JoapsBase.__init__).parameters
    own = inspect.signature(TitlePredictor.__init__).parameters
    ranking = {"ranking", "n_neighbors", "prior_weight", "n_jobs"}  # TitlePredictor's own: how it ranks titles
    assert set(own) - set(base) == ranking and set(base) <= set(own)
    for name, parameter in base.items():
        assert own[name].default == parameter.default and own[name].kind == parameter.kind, name
    assert set(TitlePredictor._parameter_constraints) - set(JoapsBase._parameter_constraints) == ranking


def test_valid_edge_values_pass_the_table():
    tp = TitlePredictor(validation_fraction=0.0, margin=0.0, violation_thresholds=(0, 1), batch_size_range=(2, 2),
                        prior_weight=0, random_state=np.random.RandomState(0), trainable_embeddings=False)
    for name, rules in tp._parameter_constraints.items():
        assert any(rule.accepts(getattr(tp, name)) for rule in rules), name
