"""Datasets: the bundled O*NET 27.0 sample, and loaders for the user's own postings files."""

import functools
import gzip
import json
import os
import warnings
from importlib import resources

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

__all__ = ["load_onet", "load_postings"]

_ONET_FILE = "onet_27_0.json.gz"
_ONET_DESCR = """O*NET 27.0 (August 2022), bundled with job2vec.

1,016 occupations of the U.S. O*NET-SOC taxonomy with their descriptions,
19,265 task statements, 52,754 alternate titles and 7,541 reported titles.

kind="tasks": one row per task statement; the target is the occupation's
official title (19,265 rows, 923 titles: 93 occupations, mostly "All Other"
residual ones, have no task statements). A stand-in for short job ads.
kind="titles": one row per official, alternate or reported title; the text
is the occupation's description followed by its task statements (61,311
rows, 43,892 distinct normalized titles).

Source: O*NET 27.0 Database by the U.S. Department of Labor, Employment and
Training Administration (USDOL/ETA), used under the CC BY 4.0 license.
O*NET(R) is a trademark of USDOL/ETA. Rebuilt by tools/make_onet_data.py.
"""


@functools.lru_cache(maxsize=1)
def _onet_occupations():
    with resources.files("job2vec").joinpath("data", _ONET_FILE).open("rb") as raw:
        with gzip.open(raw, "rt", encoding="utf-8") as handle:
            return json.load(handle)["occupations"]


def load_onet(kind="tasks", return_X_y=False):
    """Load the O*NET 27.0 sample that ships with job2vec (CC BY 4.0).

    Parameters
    ----------
    kind : {"tasks", "titles"}, default="tasks"
        ``"tasks"``: (task statement, occupation title) pairs, 19,265 rows
        over the 923 occupations that have task statements, for title
        prediction. ``"titles"``: (occupation
        description and tasks, title) pairs for every official, alternate
        and reported title, 61,311 rows, for learning job2vec.
    return_X_y : bool, default=False
        Return ``(descriptions, titles)`` instead of a Bunch.

    Returns
    -------
    data : Bunch
        ``data`` (descriptions, object array), ``target`` (titles),
        ``groups`` (O*NET-SOC occupation codes, for grouped splits),
        ``frame`` (a DataFrame with all columns) and ``DESCR``.
    (descriptions, titles) : tuple of ndarray
        When `return_X_y` is True.

    Examples
    --------
    >>> from job2vec.datasets import load_onet
    >>> X, y = load_onet(return_X_y=True)
    >>> len(X), y[0]
    (19265, 'Chief Executives')
    """
    occupations = _onet_occupations()
    if kind == "tasks":
        rows = [
            (task, occupation["title"], occupation["code"], "task")
            for occupation in occupations
            for task in occupation["tasks"]
        ]
    elif kind == "titles":
        rows = []
        for occupation in occupations:
            text = " ".join([occupation["description"], *occupation["tasks"]])
            titles = [(occupation["title"], "official")]
            titles += [(t, "alternate") for t in occupation["alternate_titles"]]
            titles += [(t, "reported") for t in occupation["reported_titles"]]
            rows += [(text, title, occupation["code"], title_kind) for title, title_kind in titles]
    else:
        raise ValueError(f"kind must be 'tasks' or 'titles', got {kind!r}.")
    frame = pd.DataFrame(rows, columns=["description", "title", "occupation_code", "title_kind"])
    descriptions = frame["description"].to_numpy(dtype=object)
    titles = frame["title"].to_numpy(dtype=object)
    if return_X_y:
        return descriptions, titles
    return Bunch(data=descriptions, target=titles, groups=frame["occupation_code"].to_numpy(dtype=object),
                 frame=frame, DESCR=_ONET_DESCR)


_READERS = {
    ".csv": lambda path: pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""]),
    ".tsv": lambda path: pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, na_values=[""]),
    ".jsonl": lambda path: pd.read_json(path, lines=True, dtype=False),
    ".json": lambda path: pd.read_json(path, dtype=False),
    ".parquet": pd.read_parquet,
}


def _suffix(path):
    name = path.lower()
    for compression in (".gz", ".bz2", ".xz", ".zip", ".zst"):
        if name.endswith(compression):
            name = name[: -len(compression)]
    return os.path.splitext(name)[1]


def is_postings_file(path):
    """Whether `path` has the suffix of a table `load_postings` reads (CSV, TSV, JSON(-lines), parquet)."""
    return _suffix(path) in _READERS


def load_postings(path, title_column="title", description_column="description", return_X_y=False):
    """Load job postings from a CSV, TSV, JSON-lines, JSON or parquet file.

    The format follows the extension (``.csv``, ``.tsv``, ``.jsonl``,
    ``.json``, ``.parquet``, optionally compressed, e.g. ``.jsonl.gz``).
    Rows whose title or description is missing or blank are dropped with a
    warning.

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    title_column, description_column : str, default="title", "description"
        Column names.
    return_X_y : bool, default=False
        Return ``(descriptions, titles)`` instead of a Bunch.

    Returns
    -------
    data : Bunch
        ``data`` (descriptions), ``target`` (titles), ``frame`` (all
        columns of the kept rows).
    (descriptions, titles) : tuple of ndarray
        When `return_X_y` is True.

    Raises
    ------
    FileNotFoundError
        If `path` does not exist.
    ValueError
        For an unknown extension, an empty or unreadable file, text that is
        not UTF-8, a missing column, or no usable row.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no such postings file: {path!r}.")
    suffix = _suffix(path)
    if suffix not in _READERS:
        raise ValueError(f"unknown postings format {suffix or '(no extension)'!r} for {path!r}; "
                         f"use one of {sorted(_READERS)}.")
    if os.path.getsize(path) == 0:
        raise ValueError(f"postings file {path!r} is empty.")
    try:
        frame = _READERS[suffix](path)
    except UnicodeDecodeError as exc:
        raise ValueError(f"postings file {path!r} is not valid UTF-8 text: {exc}") from exc
    except pd.errors.EmptyDataError:
        raise ValueError(f"postings file {path!r} is empty.") from None
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise ValueError(f"could not read postings file {path!r}: {exc}") from exc
    for column in (title_column, description_column):
        if column not in frame.columns:
            raise ValueError(f"postings file {path!r} has no column {column!r}; its columns are "
                             f"{list(map(str, frame.columns))}.")
    keep = np.ones(len(frame), dtype=bool)
    for column in (title_column, description_column):
        values = frame[column]
        keep &= values.map(lambda v: isinstance(v, str) and bool(v.strip())).to_numpy(dtype=bool)
    if not keep.any():
        raise ValueError(f"postings file {path!r} has no row with both a {title_column!r} and a "
                         f"{description_column!r}.")
    if not keep.all():
        warnings.warn(f"dropped {int((~keep).sum())} rows of {path!r} with a missing title or description.",
                      stacklevel=2)
    frame = frame.loc[keep].reset_index(drop=True)
    descriptions = frame[description_column].to_numpy(dtype=object)
    titles = frame[title_column].to_numpy(dtype=object)
    if return_X_y:
        return descriptions, titles
    return Bunch(data=descriptions, target=titles, frame=frame)
