"""Datasets: the bundled taxonomies (O*NET 27.0, ESCO, ROME), and loaders for the user's own postings files."""

import functools
import gzip
import json
import os
import warnings
from importlib import resources

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

__all__ = ["load_esco", "load_onet", "load_postings", "load_rome"]

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


@functools.lru_cache(maxsize=None)
def _bundled(name):
    """The JSON document of a bundled data file."""
    with resources.files("job2vec").joinpath("data", name).open("rb") as raw:
        with gzip.open(raw, "rt", encoding="utf-8") as handle:
            return json.load(handle)


def _onet_occupations():
    return _bundled(_ONET_FILE)["occupations"]


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


_ESCO_FILES = {"en": "esco_1_1_1_en.json.gz", "fr": "esco_1_0_fr.json.gz"}
_ESCO_DESCR = """ESCO (European Skills, Competences, Qualifications and Occupations), bundled with job2vec.

English: ESCO v1.1.1, 3,007 occupations with their URI, ESCO code, ISCO-08
unit group, preferred label, alternative labels (30,089) and description;
the ISCO group names.
French: the ESCO v1.0 French preferred and alternative labels of 2,942
occupations. The French export has no descriptions, so French labels come
with the English description of their occupation.

Source: ESCO classification of the European Commission, used under the
CC BY 4.0 licence (https://esco.ec.europa.eu). Rebuilt by
tools/make_taxonomy_data.py.
"""
_ROME_FILE = "rome_4_60_fr.json.gz"
_ROME_DESCR = """ROME v4.60 (Répertoire Opérationnel des Métiers et des Emplois), bundled with job2vec.

1,584 métiers (code such as "F1402", label, definition) and their 13,120
appellations (job titles), in French.

Source: France Travail, Licence Ouverte / Etalab 2.0. Rebuilt by
tools/make_taxonomy_data.py.
"""


def _label_rows(occupations, key, extra=()):
    """One row per label: the occupation's `key` and `extra` fields, the label, its kind, the description."""
    rows = []
    for occupation in occupations:
        fields = [occupation[name] for name in (key, *extra)]
        rows.append((*fields, occupation["label"], "preferred", occupation["description"]))
        rows += [(*fields, label, "alternative", occupation["description"]) for label in occupation["alt_labels"]]
    return pd.DataFrame(rows, columns=[key, *extra, "label", "label_kind", "description"])


def _taxonomy_bunch(frame, occupations, key, descr, return_X_y, **extra):
    descriptions = frame["description"].to_numpy(dtype=object)
    labels = frame["label"].to_numpy(dtype=object)
    if return_X_y:
        return descriptions, labels
    return Bunch(data=descriptions, target=labels, groups=frame[key].to_numpy(dtype=object), frame=frame,
                 occupations=occupations, DESCR=descr, **extra)


def load_esco(language="en", return_X_y=False):
    """Load the ESCO occupations that ship with job2vec (CC BY 4.0), in English or French.

    Parameters
    ----------
    language : {"en", "fr"}, default="en"
        ``"en"``: ESCO v1.1.1, 3,007 occupations. ``"fr"``: the French
        labels of ESCO v1.0 (2,942 occupations), each with the English
        description of its occupation (the French export has none).
    return_X_y : bool, default=False
        Return ``(descriptions, labels)``, one pair per label, instead of a
        Bunch.

    Returns
    -------
    data : Bunch
        ``frame``: one row per label, with columns ``uri`` (the
        occupation's ESCO URI), ``code`` (ESCO code, e.g. ``"2654.1.7"``),
        ``isco_group`` (ISCO-08 unit group), ``label``, ``label_kind``
        (``"preferred"`` or ``"alternative"``) and ``description``.
        ``occupations``: one row per occupation (``uri``, ``code``,
        ``isco_group``, ``isco_group_label``, ``label``, ``description``).
        ``data``, ``target``, ``groups``: the frame's descriptions, labels and
        URIs as arrays; ``isco_groups``: ISCO-08 code to group name;
        ``DESCR``.
    (descriptions, labels) : tuple of ndarray
        When `return_X_y` is True.

    Examples
    --------
    >>> from job2vec.datasets import load_esco
    >>> esco = load_esco()
    >>> len(esco.occupations), esco.occupations.label[0]
    (3007, 'technical director')
    """
    if language not in _ESCO_FILES:
        raise ValueError(f"language must be one of {sorted(_ESCO_FILES)}, got {language!r}.")
    english = _bundled(_ESCO_FILES["en"])
    groups = english["isco_groups"]
    details = {o["uri"]: o for o in english["occupations"]}
    occupations = [o if language == "en" else {**details.get(o["uri"], {}), **o}
                   for o in _bundled(_ESCO_FILES[language])["occupations"]]
    frame = _label_rows(occupations, "uri", ("code", "isco_group"))
    table = pd.DataFrame([{"uri": o["uri"], "code": o["code"], "isco_group": o["isco_group"],
                           "isco_group_label": groups.get(o["isco_group"], ""), "label": o["label"],
                           "description": o["description"]} for o in occupations])
    return _taxonomy_bunch(frame, table, "uri", _ESCO_DESCR, return_X_y, isco_groups=dict(groups))


def load_rome(return_X_y=False):
    """Load the French ROME v4.60 taxonomy that ships with job2vec (Licence Ouverte 2.0).

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(definitions, labels)``, one pair per label, instead of a
        Bunch.

    Returns
    -------
    data : Bunch
        ``frame``: one row per label, with columns ``code`` (the métier,
        e.g. ``"F1402"``), ``label`` (the métier's label, ``label_kind``
        ``"preferred"``, or one of its appellations, ``"alternative"``) and
        ``description`` (the métier's definition). ``occupations``: one row
        per métier (``code``, ``label``, ``description``). ``data``,
        ``target``, ``groups``: the frame's definitions, labels and codes as
        arrays; ``DESCR``.
    (definitions, labels) : tuple of ndarray
        When `return_X_y` is True.

    Examples
    --------
    >>> from job2vec.datasets import load_rome
    >>> rome = load_rome()
    >>> len(rome.occupations)
    1584
    """
    occupations = _bundled(_ROME_FILE)["occupations"]
    frame = _label_rows(occupations, "code")
    table = pd.DataFrame([{"code": o["code"], "label": o["label"], "description": o["description"]}
                          for o in occupations])
    return _taxonomy_bunch(frame, table, "code", _ROME_DESCR, return_X_y)


TAXONOMY_LANGUAGES = {"esco": ("en", "fr"), "onet": ("en",), "rome": ("fr",)}  # the first is the default
_TAXONOMY_COLUMNS = ("code", "label", "description")


def taxonomy_labels(taxonomy, language):
    """One row per label of a taxonomy: ``code``, ``label``, ``description``, each code's preferred label first.

    Parameters
    ----------
    taxonomy : {"esco", "onet", "rome"} or DataFrame
        A bundled taxonomy (ESCO codes are occupation URIs; O*NET labels are
        the official and alternate titles) or the user's own table with the
        columns code, label and description.
    language : str
        The labels' language.

    Returns
    -------
    DataFrame
    """
    if isinstance(taxonomy, pd.DataFrame):
        return _user_taxonomy(taxonomy)
    if taxonomy not in TAXONOMY_LANGUAGES:
        raise ValueError(f"unknown taxonomy {taxonomy!r}; use one of {sorted(TAXONOMY_LANGUAGES)} or a DataFrame "
                         f"with columns {list(_TAXONOMY_COLUMNS)}.")
    if language not in TAXONOMY_LANGUAGES[taxonomy]:
        raise ValueError(f"taxonomy {taxonomy!r} has no {language!r} labels; its languages are "
                         f"{list(TAXONOMY_LANGUAGES[taxonomy])}.")
    if taxonomy == "esco":
        frame = load_esco(language).frame.rename(columns={"code": "esco_code", "uri": "code"})
    elif taxonomy == "rome":
        frame = load_rome().frame
    else:
        rows = []
        for occupation in _onet_occupations():
            text = " ".join([occupation["description"], *occupation["tasks"]])
            rows += [(occupation["code"], title, text)
                     for title in [occupation["title"], *occupation["alternate_titles"]]]
        frame = pd.DataFrame(rows, columns=list(_TAXONOMY_COLUMNS))
    return frame[list(_TAXONOMY_COLUMNS)].reset_index(drop=True)


def _user_taxonomy(table):
    missing = [column for column in _TAXONOMY_COLUMNS if column not in table.columns]
    if missing:
        raise ValueError(f"the taxonomy table has no column {missing[0]!r}; it needs {list(_TAXONOMY_COLUMNS)}, "
                         f"and has {list(map(str, table.columns))}.")
    frame = table[list(_TAXONOMY_COLUMNS)].reset_index(drop=True)
    for column in _TAXONOMY_COLUMNS:
        blank = ~frame[column].map(lambda v: isinstance(v, str) and bool(v.strip())).to_numpy(dtype=bool)
        if blank.any():
            raise ValueError(f"the taxonomy table's column {column!r} has {int(blank.sum())} missing or blank "
                             f"values (first at row {int(np.flatnonzero(blank)[0])}).")
    if frame["code"].nunique() < 2:
        raise ValueError("the taxonomy table needs at least 2 codes.")
    return frame


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
