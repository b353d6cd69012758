"""The bundled O*NET data and the postings loaders, including bad files."""


import pandas as pd
import pytest

from job2vec.datasets import load_onet, load_postings


def test_onet_tasks_matches_documented_counts():
    bunch = load_onet(kind="tasks")
    assert len(bunch.data) == 19_265 and len(set(bunch.target)) == 923
    assert len(set(bunch.groups)) == 923
    assert bunch.target[0] == "Chief Executives"
    assert "CC BY 4.0" in bunch.DESCR


def test_onet_titles_matches_documented_counts():
    X, y = load_onet(kind="titles", return_X_y=True)
    assert len(X) == len(y) == 61_311
    assert len({t.lower() for t in y}) == 43_892
    assert all(isinstance(x, str) and x for x in X[:100])


def test_onet_bad_kind():
    with pytest.raises(ValueError, match="kind"):
        load_onet(kind="skills")


ROWS = [{"title": "Nurse", "description": "Cares for patients.", "dup_cluster": 1},
        {"title": "Welder", "description": "Welds metal.", "dup_cluster": 2}]


@pytest.mark.parametrize("name", ["p.csv", "p.tsv", "p.jsonl", "p.jsonl.gz", "p.json", "p.parquet"])
def test_load_postings_formats(tmp_path, name):
    frame = pd.DataFrame(ROWS)
    path = tmp_path / name
    if name.endswith(".csv"):
        frame.to_csv(path, index=False)
    elif name.endswith(".tsv"):
        frame.to_csv(path, sep="\t", index=False)
    elif ".jsonl" in name:
        frame.to_json(path, orient="records", lines=True)
    elif name.endswith(".json"):
        frame.to_json(path, orient="records")
    else:
        frame.to_parquet(path)
    X, y = load_postings(path, return_X_y=True)
    assert list(X) == ["Cares for patients.", "Welds metal."] and list(y) == ["Nurse", "Welder"]


def test_custom_columns_and_dropped_rows(tmp_path):
    path = tmp_path / "p.csv"
    pd.DataFrame({"job": ["Nurse", "", "Chef"], "text": ["Cares.", "Orphan text", None]}).to_csv(path, index=False)
    with pytest.warns(UserWarning, match="dropped 2 rows"):
        bunch = load_postings(path, title_column="job", description_column="text")
    assert list(bunch.target) == ["Nurse"]


def test_bad_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such postings file"):
        load_postings(tmp_path / "missing.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ValueError, match="empty"):
        load_postings(empty)
    header_only = tmp_path / "header.csv"
    header_only.write_text("title,description\n")
    with pytest.raises(ValueError, match="no row"):
        load_postings(header_only)
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("title,description\nIngénieur,Développe\n".encode("latin-1"))
    with pytest.raises(ValueError, match="UTF-8"):
        load_postings(latin1)
    wrong = tmp_path / "wrong.csv"
    pd.DataFrame({"name": ["x"], "description": ["y"]}).to_csv(wrong, index=False)
    with pytest.raises(ValueError, match="no column 'title'.*'name'"):
        load_postings(wrong)
    odd = tmp_path / "p.xlsx"
    odd.write_text("x")
    with pytest.raises(ValueError, match="unknown postings format"):
        load_postings(odd)
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"title": "a", "description": \n')
    with pytest.raises(ValueError, match="could not read"):
        load_postings(broken)
