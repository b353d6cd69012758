"""Word attributions (JOAPS filters, Seq2Seq attention): exact, aligned with the text, faithful."""

import pickle

import numpy as np
import pytest

from job2vec import TitlePredictor
from job2vec.baselines import Seq2SeqTitlePredictor
from job2vec._description import description_weights
from job2vec.explanations import Explanation, deletion_test, filter_attributions, html_page

from .conftest import TINY, onet_tasks_sample

TRICKY = " Details & <b>perks</b>: café crème, naïve \"quotes\" — see https://example.com/job?id=1&x=2 "


def test_filter_weights_add_up_to_the_cosine_and_align_with_the_text(fitted_predictor, tasks):
    X, _ = tasks
    text = X[0] + TRICKY
    explanation = fitted_predictor.explain(text)
    title_vector = fitted_predictor._encode_titles([explanation.title])[0]
    cosine = float(fitted_predictor.transform([text])[0] @ title_vector)
    assert explanation.score == pytest.approx(cosine, abs=1e-4)
    assert explanation.title == fitted_predictor.predict([text])[0] and explanation.method == "filters"
    assert len(explanation.tokens) == len(explanation.spans) == len(explanation.weights)
    # Each span is the word the token was made from, in the original text (lemmas aside).
    for token, (start, end) in zip(explanation.tokens, explanation.spans):
        assert text[start:end].lower().startswith(token[:2])
    assert "example" not in explanation.tokens  # the URL was scrubbed, offsets kept
    known = np.array([t in fitted_predictor.vocabulary_ for t in explanation.tokens])
    assert not explanation.weights[~known].any()  # unknown words get nothing
    assert explanation.weights[known].any()


def test_gradient_times_input_matches_finite_differences(fitted_predictor, tasks):
    text = tasks[0][0]
    weights = description_weights(fitted_predictor.network_, tuple(fitted_predictor.filter_sizes))
    weights = {"w_in": weights["w_in"].astype(np.float64),  # float64: a difference at 1e-6 must show
               "conv": [(k.astype(np.float64), b.astype(np.float64)) for k, b in weights["conv"]],
               "dense": tuple(a.astype(np.float64) for a in weights["dense"])}
    tokens = fitted_predictor._tokenize([text], remove_stop_words=True)[0]
    ids = fitted_predictor.vocabulary_.encode([tokens], fitted_predictor.description_length_)[0]
    title = fitted_predictor._encode_titles([fitted_predictor.predict([text])[0]])[0].astype(np.float64)
    gradient, cosine = filter_attributions(weights, ids, title, method="gradient")
    for position in np.flatnonzero(ids)[:3]:
        if (ids == ids[position]).sum() > 1:
            continue  # scaling a repeated word's vector moves every copy
        scaled = weights["w_in"].copy()
        scaled[ids[position]] *= 1 + 1e-6  # d cos / d log-scale of the word vector = gradient . vector
        _, moved = filter_attributions({**weights, "w_in": scaled}, ids, title, method="gradient")
        assert (moved - cosine) / 1e-6 == pytest.approx(gradient[position], abs=2e-3)
    explanation = fitted_predictor.explain(text, method="gradient")
    assert explanation.method == "gradient" and explanation.score == pytest.approx(cosine, abs=1e-4)


def test_any_title_can_be_explained_and_bad_input_is_named(fitted_predictor, tasks):
    X, y = tasks
    explanation = fitted_predictor.explain(X[0], title="Underwater Basket Weaver")
    assert explanation.title == "underwater basket weaver"
    with pytest.raises(TypeError, match="description must be one string"):
        fitted_predictor.explain([X[0]])
    with pytest.raises(ValueError, match="title must be a non-empty string"):
        fitted_predictor.explain(X[0], title="  ")
    with pytest.raises(ValueError, match="empty"):
        fitted_predictor.explain("")
    with pytest.raises(ValueError, match="method must be"):
        fitted_predictor.explain(X[0], method="lime")


def test_html_escapes_the_text_and_highlights_words(fitted_predictor, tasks):
    explanation = fitted_predictor.explain(tasks[0][0] + TRICKY)
    page = explanation._repr_html_()
    assert "&lt;b&gt;perks&lt;/b&gt;" in page and "<b>perks</b>" not in page
    assert "café crème" in page and "&amp;x=2" in page
    assert page.count("background-color") == np.count_nonzero(explanation.weights)
    assert explanation.title in str(explanation) and "words that drove it" in str(explanation)
    assert html_page([explanation, explanation]).count("<hr>") == 1


def test_explanations_survive_pickling_and_refitting(fitted_predictor, tasks):
    X, y = tasks
    before = fitted_predictor.explain(X[0], title=y[0])
    model = pickle.loads(pickle.dumps(fitted_predictor))
    assert model.explain(X[0], title=y[0]).score == pytest.approx(before.score, abs=1e-5)
    model.set_params(random_state=1).fit(X, y)  # a refit forgets the previous network's weights
    assert model.explain(X[0], title=y[0]).score != pytest.approx(before.score, abs=1e-6)


def test_deleting_the_attributed_words_costs_more_than_random_ones():
    # A real sample: 40 O*NET occupations, 60 held-out task statements.
    X, y = onet_tasks_sample(40, seed=2)
    order = np.random.default_rng(0).permutation(len(X))
    held_out, train = order[:60], order[60:]
    model = TitlePredictor(**TINY).fit(X[train], y[train])
    drops = deletion_test(model, list(X[held_out]), ks=(1, 3, 5), random_state=0)
    for k, (attributed, chance) in drops.items():
        assert attributed > chance, (k, drops)


def test_seq2seq_attention_on_the_same_description(tasks):
    X, y = tasks
    model = Seq2SeqTitlePredictor(units=16, word_vector_size=16, min_count=2, epochs=2, max_description_length=40,
                                  random_state=0).fit(X, y)
    explanation = model.explain(X[0] + TRICKY)
    assert isinstance(explanation, Explanation) and explanation.method == "attention"
    _, scores = model.predict_top_k([X[0] + TRICKY], k=1, return_scores=True)
    assert explanation.score == pytest.approx(float(scores[0, 0]), abs=1e-3)  # the top title's log probability
    known = np.array([t in model.vocabulary_ for t in explanation.tokens])
    assert explanation.weights.sum() == pytest.approx(1.0, abs=1e-4)  # attention is a distribution
    assert not explanation.weights[~known].any()
    assert model.explain(X[0], title=y[0]).title == y[0].lower()
