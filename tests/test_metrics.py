"""Metrics against hand-computed values, property tests, and the scorers."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from job2vec.metrics import bleu, evaluate, max_bleu, recall_at_k, top_k_accuracy

Y = ["Data Engineer", "nurse", "nurse", "welder"]
TOP = [["data engineer", "x", "y"], ["x", "nurse", "y"], ["x", "y", "z"], ["x", "y", "welder"]]


def test_top_k_accuracy_by_hand():
    assert top_k_accuracy(Y, TOP, k=1) == 0.25
    assert top_k_accuracy(Y, TOP, k=2) == 0.5
    assert top_k_accuracy(Y, TOP, k=3) == 0.75
    # per title: data engineer 1, nurse 1/2, welder 1 -> mean 5/6
    assert top_k_accuracy(Y, TOP, k=3, average="per_title") == pytest.approx(5 / 6)


def test_bleu_on_the_papers_pair():
    # 2 of 3 unigrams match, no bigram: exp smoothing gives sqrt(2/3 * 1/4).
    assert bleu("trainee assistant sales", "trade assistant trainee") == pytest.approx(np.sqrt(2 / 3 * 1 / 4), abs=1e-6)
    assert bleu("trainee assistant sales", "trade assistant trainee", max_ngram_order=1) == pytest.approx(2 / 3)


def test_max_bleu_takes_the_best_of_the_top_k():
    y, top = ["data engineer"], [["nurse", "senior data engineer", "data engineer"]]
    assert max_bleu(y, top, k=1) == 0
    assert 0 < max_bleu(y, top, k=2) < 1
    assert max_bleu(y, top, k=3) == pytest.approx(1)


def test_recall_at_k_with_several_relevant_titles():
    assert recall_at_k([{"a", "b"}, "c"], [["a", "x"], ["x", "c"]], k=2) == pytest.approx((0.5 + 1) / 2)
    assert recall_at_k(Y, TOP, k=2) == top_k_accuracy(Y, TOP, k=2)


def test_bad_shapes_and_options():
    with pytest.raises(ValueError, match="shape"):
        top_k_accuracy(Y, TOP[:2])
    with pytest.raises(ValueError, match="average"):
        top_k_accuracy(Y, TOP, average="macro")
    with pytest.raises(ValueError, match="k must be"):
        top_k_accuracy(Y, TOP, k=0)


titles = st.lists(st.sampled_from(["nurse", "data engineer", "senior data engineer", "welder", "chef"]),
                  min_size=1, max_size=8)


@given(titles, st.data())
def test_top_k_is_monotone_in_k_and_bleu_bounded(y, data):
    ranked = [data.draw(st.permutations(["nurse", "data engineer", "senior data engineer", "welder", "chef"]))
              for _ in y]
    accs = [top_k_accuracy(y, ranked, k=k) for k in range(1, 6)]
    assert accs == sorted(accs) and accs[-1] == 1.0
    bleus = [max_bleu(y, ranked, k=k) for k in range(1, 6)]
    assert bleus == sorted(bleus) and all(0 <= b <= 1 for b in bleus) and bleus[-1] == pytest.approx(1)


@given(st.text(alphabet="abc ", min_size=1, max_size=20).filter(str.strip))
def test_identical_titles_score_one(title):
    assert bleu(title, title) == pytest.approx(1.0)


def test_evaluate_report(fitted_predictor, tasks):
    X, y = tasks
    report = evaluate(fitted_predictor, X[:30], y[:30])
    assert set(report) >= {"top_1", "top_5", "top_10", "top_5_per_title", "bleu_1", "bleu_10"}
    assert report["top_1"] <= report["top_5"] <= report["top_10"]
