"""job2vec.dask and ``job2vec predict --scheduler`` on a real two-worker LocalCluster."""

import joblib
import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import job2vec.dask as job2vec_dask  # noqa: E402
from job2vec.cli import main  # noqa: E402


@pytest.fixture(scope="module")
def client():
    # Worker processes, as on a real cluster: the model must travel pickled.
    with job2vec_dask.local_client(n_workers=2) as client:
        yield client


def test_predict_top_k_on_the_cluster_equals_the_single_process_answers(client, fitted_predictor, tasks):
    texts = list(tasks[0][:90])
    expected_titles, expected_scores = fitted_predictor.predict_top_k(texts, k=3, return_scores=True)
    postings = pd.DataFrame({"id": np.arange(90) + 1000, "description": texts})
    frame = dd.from_pandas(postings, npartitions=4)

    answers = job2vec_dask.predict_top_k(fitted_predictor, frame, k=3, return_scores=True, keep=["id"])
    assert list(answers.columns) == ["id", "title_1", "title_2", "title_3", "score_1", "score_2", "score_3"]
    assert answers.npartitions == 4
    result = answers.compute()
    assert (result["id"].to_numpy() == postings["id"].to_numpy()).all()
    assert (result[["title_1", "title_2", "title_3"]].to_numpy() == expected_titles).all()
    np.testing.assert_allclose(result[["score_1", "score_2", "score_3"]].to_numpy(), expected_scores, atol=1e-6)
    # One key holds the model, whatever the number of partitions: a worker fetches a key once.
    graph = dict(answers.__dask_graph__())
    assert len([key for key in graph if "job2vec-model" in str(key)]) == 1

    series = job2vec_dask.predict_top_k(fitted_predictor, frame["description"], k=2).compute()
    assert list(series.columns) == ["title_1", "title_2"]
    assert (series["title_1"].to_numpy() == expected_titles[:, 0]).all()


def test_predict_top_k_checks_its_input(fitted_predictor):
    frame = dd.from_pandas(pd.DataFrame({"text": ["data engineer"]}), npartitions=1)
    with pytest.raises(ValueError, match="no column 'description'"):
        job2vec_dask.predict_top_k(fitted_predictor, frame)
    with pytest.raises(TypeError, match="dask DataFrame or Series"):
        job2vec_dask.predict_top_k(fitted_predictor, pd.DataFrame({"description": ["x"]}))
    with pytest.raises(TypeError, match="predict_top_k"):
        job2vec_dask.predict_top_k(object(), frame, column="text")
    with pytest.raises(ValueError, match="k must be a positive integer"):
        job2vec_dask.predict_top_k(fitted_predictor, frame, k=0, column="text")


def test_cli_predict_with_a_scheduler_writes_every_file(client, fitted_predictor, tasks, tmp_path, capsys):
    model = tmp_path / "model.joblib"
    joblib.dump(fitted_predictor, model)
    texts = list(tasks[0][:12])
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("\n".join(texts[:5]), encoding="utf-8")
    second.write_text("\n".join(texts[5:]), encoding="utf-8")
    output = tmp_path / "answers.csv"

    argv = ["predict", str(model), str(first), str(second), "-k", "2", "--scheduler", client.scheduler.address]
    assert main(argv + ["-o", str(output)]) == 0
    answers = pd.read_csv(output)
    assert list(answers.columns) == ["file", "row", "text", "title_1", "title_2", "score_1", "score_2"]
    assert answers["row"].tolist() == [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 5, 6]
    expected = fitted_predictor.predict_top_k(texts, k=2)
    assert (answers[["title_1", "title_2"]].to_numpy() == expected).all()

    capsys.readouterr()
    assert main(argv) == 0  # printed as without --scheduler
    assert capsys.readouterr().out.count(" 1. ") == 12

    assert main(["predict", str(model), "--scheduler", client.scheduler.address]) == 1
    assert "--scheduler needs description files" in capsys.readouterr().err
    assert main(argv + ["-o", str(tmp_path / "answers.txt")]) == 1
    assert "--output must end in .csv or .parquet" in capsys.readouterr().err
