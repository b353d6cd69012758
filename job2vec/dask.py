"""Batch title prediction on a Dask cluster.

`predict_top_k` runs a fitted model over a Dask DataFrame of postings, one
partition per task; `predict_files` does it for many files (``job2vec predict
--scheduler``). Dask is an optional extra: ``pip install "job2vec[dask]"`` on
the client and on every worker, since workers unpickle the model and run it
(same job2vec, Keras backend and spaCy as where it was saved).

The fitted model travels once per worker: it is a single key of the task
graph (`dask.delayed`), which each worker fetches once, unpickles once (the
Keras network is rebuilt then) and keeps for every partition it runs.
"""

import uuid

import numpy as np
import pandas as pd

try:
    import dask
    import dask.dataframe as dd
except ImportError as exc:  # the optional extra
    raise ImportError('job2vec.dask needs Dask: pip install "job2vec[dask]"') from exc

from ._ranking import check_k

__all__ = ["predict_top_k", "predict_files", "local_client"]


def predict_top_k(estimator, frame, k=10, column="description", return_scores=False, keep=()):
    """The `k` best titles of every posting of a Dask DataFrame, computed on the cluster.

    Parameters
    ----------
    estimator : fitted estimator with ``predict_top_k(X, k, return_scores)``
        A `TitlePredictor`, a baseline, or a `TitleNormalizer` (then
        `column` holds titles and the answers are occupation codes).
    frame : dask.dataframe.DataFrame or dask.dataframe.Series
        The postings; a Series is the texts themselves.
    k : int, default=10
        Titles per posting (at most the number of candidate titles).
    column : str, default="description"
        The column of `frame` with the texts to predict from.
    return_scores : bool, default=False
        Also return columns ``score_1`` ... ``score_k``.
    keep : sequence of str, default=()
        Columns of `frame` to carry into the answer (an id, the source file).

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy; the `keep` columns, ``title_1`` ... ``title_k`` (best first)
        and, on request, ``score_1`` ... ``score_k``; the index of `frame`. The same
        answers as ``estimator.predict_top_k`` on the whole column.

    Examples
    --------
    >>> import dask.dataframe as dd                                # doctest: +SKIP
    >>> from distributed import Client                             # doctest: +SKIP
    >>> client = Client("tcp://scheduler:8786")                    # doctest: +SKIP
    >>> postings = dd.read_parquet("s3://bucket/postings/")        # doctest: +SKIP
    >>> top = job2vec.dask.predict_top_k(model, postings, k=5)     # doctest: +SKIP
    >>> top.to_parquet("s3://bucket/predicted/")                   # doctest: +SKIP
    """
    k = check_k(k)
    if not hasattr(estimator, "predict_top_k"):
        raise TypeError(f"estimator must have predict_top_k; a {type(estimator).__name__} has none.")
    keep = list(keep)
    if isinstance(frame, dd.DataFrame):
        missing = [c for c in [column, *keep] if c not in frame.columns]
        if missing:
            raise ValueError(f"frame has no column {missing[0]!r}; its columns are {list(frame.columns)}.")
    elif isinstance(frame, dd.Series):
        if keep:
            raise ValueError("keep needs a DataFrame: a Series has no other columns.")
        frame = frame.to_frame(name=column)
    else:
        raise TypeError(f"frame must be a dask DataFrame or Series, got {type(frame).__name__}; "
                        "for in-memory data call estimator.predict_top_k.")
    width = min(k, len(estimator.classes_)) if hasattr(estimator, "classes_") else k
    meta = _answers(frame._meta[keep], np.empty((0, width), dtype=object),
                    np.empty((0, width), np.float32) if return_scores else None)
    # One key for the model, whatever the number of partitions: each worker fetches it once.
    model = dask.delayed(estimator, name=f"job2vec-model-{uuid.uuid4().hex}")
    return frame.map_partitions(_partition_top_k, model, width, column, keep, return_scores, meta=meta)


def _partition_top_k(part, estimator, k, column, keep, return_scores):
    """One partition's answers (runs on a worker)."""
    if len(part) == 0:
        titles, scores = np.empty((0, k), dtype=object), np.empty((0, k), np.float32)
    else:
        titles, scores = estimator.predict_top_k(part[column].tolist(), k=k, return_scores=True)
    return _answers(part[keep], np.asarray(titles, dtype=object), np.asarray(scores, np.float32) if return_scores
                    else None)


def _answers(kept, titles, scores):
    """`kept` columns, then ``title_1`` ... and optionally ``score_1`` ...; `kept`'s index."""
    columns = {name: kept[name].to_numpy() for name in kept.columns}
    columns.update({f"title_{i + 1}": titles[:, i] for i in range(titles.shape[1])})
    if scores is not None:
        columns.update({f"score_{i + 1}": scores[:, i] for i in range(scores.shape[1])})
    return pd.DataFrame(columns, index=kept.index)


def predict_files(estimator, paths, read, k=10, return_scores=True):
    """`predict_top_k` over many files, each read on a worker (``job2vec predict --scheduler``).

    Parameters
    ----------
    estimator : fitted estimator with ``predict_top_k``
    paths : list of str
        Files the workers can read (shared storage, or a LocalCluster).
    read : callable
        ``read(path) -> list of str``, the texts of one file; it must pickle
        (a module-level function or a `functools.partial` of one).
    k : int, default=10
    return_scores : bool, default=True

    Returns
    -------
    dask.dataframe.DataFrame
        Columns ``file``, ``row`` (0-based, within the file), ``text``, then
        those of `predict_top_k`; one partition per file.
    """
    if not paths:
        raise ValueError("no files to predict.")
    meta = pd.DataFrame({"file": pd.Series(dtype=object), "row": pd.Series(dtype=np.int64),
                         "text": pd.Series(dtype=object)})
    parts = [dask.delayed(_read_file)(read, path) for path in paths]
    frame = dd.from_delayed(parts, meta=meta, verify_meta=False)
    return predict_top_k(estimator, frame, k=k, column="text", return_scores=return_scores,
                         keep=("file", "row", "text"))


def _read_file(read, path):
    texts = read(path)
    return pd.DataFrame({"file": [path] * len(texts), "row": np.arange(len(texts), dtype=np.int64), "text": texts})


def local_client(n_workers=None, threads_per_worker=1):
    """A `distributed.Client` on a new `LocalCluster`: one worker process per core by default.

    One thread per worker: JAX and spaCy run a batch best alone, and
    processes sidestep the GIL of the tokenizer.
    """
    import os

    from distributed import Client

    # The client starts the cluster itself, so closing the client stops the workers too.
    return Client(n_workers=n_workers or os.cpu_count() or 1, threads_per_worker=threads_per_worker,
                  processes=True, dashboard_address=None)
