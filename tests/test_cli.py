"""The `job2vec` command end to end on a tiny real dataset, and its error paths."""

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from .conftest import onet_tasks_sample

TINY_PARAMS = ["--param", "word_vector_size=16", "--param", "n_filters=8", "--param", "embedding_size=8",
               "--param", "min_count=2", "--param", "max_description_length=40",
               "--param", "batch_size_range=(8, 16)", "--param", "subword_buckets=1024"]


def job2vec(*args, stdin=None, env=None):
    env = {**(os.environ if env is None else env), "KERAS_BACKEND": "jax"}
    return subprocess.run([sys.executable, "-m", "job2vec", *map(str, args)], input=stdin, capture_output=True,
                          text=True, env=env, timeout=600)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli")
    X, y = onet_tasks_sample(12, seed=3)
    pd.DataFrame({"title": y, "description": X, "dup_cluster": range(len(X))}).to_csv(path / "postings.csv", index=False)
    return path


@pytest.fixture(scope="module")
def trained(workdir):
    model = workdir / "model.joblib"
    result = job2vec("train", workdir / "postings.csv", "-o", model, "--epochs", 2, *TINY_PARAMS)
    assert result.returncode == 0, result.stderr
    return model, result.stdout


def test_train_reports_metrics_examples_and_saves(trained):
    model, out = trained
    assert model.exists()
    for text in ("Held-out evaluation", "Top-k acc.", "per title", "max-BLEU", "Example predictions", "Saved the model"):
        assert text in out
    assert "trained on the" in out and "not on the" in out and "held-out ones" in out


def test_predict_from_file_stdin_and_json_and_jax_compiled_code_kept(trained, workdir, tmp_path):
    model, _ = trained
    (workdir / "d.txt").write_text("Weld metal parts.\n\nTreat patients in a clinic.\n")
    env = {name: value for name, value in os.environ.items() if not name.startswith("JAX_")}
    env["XDG_CACHE_HOME"] = str(tmp_path)
    table = job2vec("predict", model, workdir / "d.txt", "-k", 3, env=env)
    assert table.returncode == 0, table.stderr
    assert table.stdout.count(" 1. ") == 2 and " 3. " in table.stdout
    assert not (tmp_path / "job2vec" / "jax").exists()  # prediction runs in NumPy: nothing compiled
    as_json = json.loads(job2vec("predict", model, "--json", "-k", 2, stdin="Weld metal parts.\n", env=env).stdout)
    assert len(as_json) == 1 and len(as_json[0]["titles"]) == 2 and -1 <= as_json[0]["titles"][0]["score"] <= 1
    from_postings = job2vec("predict", model, workdir / "postings.csv", "--json", "-k", 1, env=env)
    assert len(json.loads(from_postings.stdout)) == len(pd.read_csv(workdir / "postings.csv"))
    assert job2vec("neighbours", model, "welder", env=env).returncode == 0  # titles go through the network
    assert list((tmp_path / "job2vec" / "jax").iterdir())  # JAX's compiled code, kept for the next runs


def test_predict_with_threads_gives_the_same_answers(trained, workdir):
    model, _ = trained
    answers = [json.loads(job2vec("predict", model, workdir / "postings.csv", "--json", "-k", 3, *n_jobs).stdout)
               for n_jobs in ([], ["--n-jobs", 2])]
    assert answers[0] == answers[1] and len(answers[0]) == len(pd.read_csv(workdir / "postings.csv"))


def test_neighbours_and_evaluate(trained, workdir):
    model, _ = trained
    result = job2vec("neighbours", model, "data engineer", "-n", 4, "--json")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 4
    result = job2vec("evaluate", model, workdir / "postings.csv", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert 0 <= report["top_1"] <= report["top_10"] <= 1


@pytest.mark.parametrize("args, message", [
    (["predict", "missing.joblib", "x.txt"], "no such model file"),
    (["train", "missing.csv"], "no such postings file"),
    (["train", "--param", "epochs"], "NAME=VALUE"),
])
def test_errors_are_one_line_with_nonzero_status(args, message, workdir):
    result = job2vec(*args)
    assert result.returncode == 1
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_corrupt_model_and_wrong_column(trained, workdir):
    bad = workdir / "bad.joblib"
    bad.write_bytes(b"not a model at all")
    result = job2vec("neighbours", bad, "nurse")
    assert result.returncode == 1 and "not a readable job2vec model" in result.stderr
    result = job2vec("evaluate", trained[0], workdir / "postings.csv", "--title-column", "job")
    assert result.returncode == 1 and "no column 'job'" in result.stderr
    result = job2vec("predict", trained[0], stdin="")
    assert result.returncode == 1 and "empty" in result.stderr


def test_train_prints_one_plain_line_per_epoch(trained):
    out = trained[1]
    lines = [line for line in out.splitlines() if line.startswith("epoch ")]
    assert [line.split(" - ")[0] for line in lines] == ["epoch 1/2", "epoch 2/2"]
    for text in ("loss", "violation ratio", "batch", "pairs/s", "val_loss", "elapsed"):
        assert text in lines[0]
    assert "left" in lines[0] and "\r" not in out and "\x1b" not in out  # a pipe gets no live line


def test_explain_prints_words_and_writes_html(trained, workdir):
    (workdir / "one.txt").write_text("Sort & deliver <mail> to the café.\n", encoding="utf-8")
    result = job2vec("explain", trained[0], workdir / "one.txt", "--html", workdir / "why.html", "--json",
                     "--title", "Geographer")
    assert result.returncode == 0, result.stderr
    [explained] = json.loads(result.stdout)
    assert explained["title"] == "geographer" and explained["method"] == "filters"
    assert [w["token"] for w in explained["words"]][:2] == ["sort", "deliver"]
    page = (workdir / "why.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "café" in page
    assert "<mail>" not in page and "&lt;" in page and "&gt; to the café" in page  # escaped around the word


def test_map_writes_an_image(trained, workdir):
    result = job2vec("map", trained[0], "geographer", "-o", workdir / "map.png", "-n", 5)
    assert result.returncode == 0, result.stderr
    assert (workdir / "map.png").read_bytes()[:4] == b"\x89PNG"


def test_version():
    from job2vec import __version__

    result = job2vec("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"job2vec {__version__}"


def test_every_subcommand_has_help():
    for command in ("train", "predict", "neighbours", "evaluate", "explain", "map", "normalize"):
        result = job2vec(command, "--help")
        assert result.returncode == 0 and "usage: job2vec" in result.stdout


def test_embedder_models_give_neighbours_but_do_not_predict(fitted_embedder, workdir):
    import joblib

    path = workdir / "embedder.joblib"
    joblib.dump(fitted_embedder, path)
    result = job2vec("neighbours", path, "nurse", "-n", 2, "--json")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 2
    result = job2vec("predict", path, stdin="Weld metal parts.\n")
    assert result.returncode == 1 and "does not predict them" in result.stderr


def test_any_saved_title_predictor_loads_and_is_named(tasks, workdir):
    import joblib

    from job2vec.baselines import Seq2SeqTitlePredictor, TfidfNeighborsTitlePredictor

    X, y = tasks
    tfidf, seq2seq = workdir / "tfidf.joblib", workdir / "seq2seq.joblib"
    joblib.dump(TfidfNeighborsTitlePredictor(n_neighbors=5).fit(X, y), tfidf)
    joblib.dump(Seq2SeqTitlePredictor(units=8, word_vector_size=16, min_count=2, epochs=1,
                                      max_description_length=40, random_state=0).fit(X, y), seq2seq)
    result = job2vec("predict", seq2seq, "--json", "-k", 2, stdin="Weld metal parts.\n")
    assert result.returncode == 0, result.stderr
    assert "Loaded a Seq2SeqTitlePredictor" in result.stderr and len(json.loads(result.stdout)[0]["titles"]) == 2
    result = job2vec("predict", seq2seq, "--n-jobs", 2, stdin="Weld metal parts.\n")
    assert result.returncode == 1 and "--n-jobs needs a model with an n_jobs parameter" in result.stderr
    result = job2vec("evaluate", tfidf, workdir / "postings.csv", "--json")
    assert result.returncode == 0, result.stderr
    assert "Loaded a TfidfNeighborsTitlePredictor" in result.stderr and 0 <= json.loads(result.stdout)["top_1"] <= 1
    result = job2vec("neighbours", tfidf, "nurse")
    assert result.returncode == 1 and "TfidfNeighborsTitlePredictor" in result.stderr


def test_min_confidence_answers_unknown_instead_of_guessing(trained):
    model, _ = trained
    stdin = "Weld metal parts.\n€€€ ### !!!\n"
    result = job2vec("predict", model, "--json", "-k", 2, "--min-confidence", 0.999, stdin=stdin)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert all(0 <= r["confidence"] <= 1 for r in rows) and all(r["unknown"] for r in rows)
    assert "fewer than 3 words" in result.stderr  # the text with no known word is reported
    text = job2vec("predict", model, "--min-confidence", 0.0, stdin=stdin)
    assert text.returncode == 0 and "unknown" not in text.stdout and "confidence" in text.stdout


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_min_confidence_ranks_once_a_chunk_at_a_time(trained, monkeypatch, n_jobs):
    import warnings

    import joblib

    from job2vec import _ranking

    model = joblib.load(trained[0]).set_params(n_jobs=n_jobs)
    descriptions = ["Weld metal parts.", "€€€ ### !!!", "Teach children to read.", "Repair engines.", "Audit accounts."]
    titles, scores = model.predict_top_k(descriptions, k=3, return_scores=True)
    best = model.predict_proba(descriptions).max(axis=1)
    monkeypatch.setattr(_ranking, "SCORE_BUDGET", 2 * n_jobs * len(model.classes_))  # two descriptions a chunk
    chunk_rows, scores_of = [], model._scores

    def counting_scores(vectors, tokens):
        chunk_rows.append(len(vectors))
        return scores_of(vectors, tokens)

    monkeypatch.setattr(model, "_scores", counting_scores)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        answer = model._top_k_and_confidence(descriptions, 3)
    assert sorted(chunk_rows) == [1, 2, 2]  # each description ranked once, in chunks of two
    assert len(caught) == 1 and "of 5 descriptions have fewer than" in str(caught[0].message)
    np.testing.assert_array_equal(answer[0], titles)
    np.testing.assert_allclose(answer[1], scores, rtol=1e-6)
    np.testing.assert_allclose(answer[2], best, rtol=1e-6)


def test_normalize_prints_codes_labels_and_scores(trained, workdir, capsys):
    import joblib

    from job2vec import JoapsEmbedder, TitleNormalizer
    from job2vec.cli import main

    from .conftest import TINY
    from .test_normalizer import esco_sample

    taxonomy, queries, _ = esco_sample(25, seed=4)
    path = workdir / "normalizer.joblib"
    joblib.dump(TitleNormalizer(taxonomy, embedder=JoapsEmbedder(**TINY), random_state=0).fit(), path)
    postings = workdir / "titles.csv"
    pd.DataFrame({"title": queries[:3], "description": ["Cares for patients.", None, None]}).to_csv(postings,
                                                                                                  index=False)
    assert main(["normalize", "--model", str(path), str(postings), "--json", "-k", "2"]) == 0
    answers = json.loads(capsys.readouterr().out)
    assert [a["title"] for a in answers] == queries[:3] and all(len(a["matches"]) == 2 for a in answers)
    assert set(answers[0]["matches"][0]) == {"code", "label", "score"}
    assert answers[0]["matches"][0]["label"] in set(taxonomy["label"])

    (workdir / "titles.txt").write_text("\n".join(queries[:2]) + "\n")
    assert main(["normalize", "--model", str(path), str(workdir / "titles.txt")]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(queries[0]) and printed.count(" 1. http://data.europa.eu/esco/") == 2
    assert main(["normalize", "--model", str(trained[0]), str(workdir / "titles.txt")]) == 1
    assert "holds a TitlePredictor; job2vec normalize needs a saved TitleNormalizer" in capsys.readouterr().err
