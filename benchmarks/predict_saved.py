"""Prediction speed of a saved TitlePredictor on a benchmark set's test split, in this (fresh) process.

`speed.py` fits a model on 6,000 pairs; the neighbour indexes of a model fitted on the whole
LinkedIn training split (``title_prediction.py --set linkedin2024 --save m`` writes one) are
three times larger, and ranking against them costs more. This script loads such a model and
times, on the first 2,000 test descriptions of its set (``--set``, default ``linkedin2024``):

- ``new_per_s``: top 10 titles from raw text, every text new to the process (tokenizer cache
  empty);
- ``cached_per_s``: the same texts again;
- ``one_ms``: the median time of one description (the next 30 test descriptions, or the
  first 30 when the split has fewer than 2,030);
- ``title_ms``: the median time of ``most_similar`` for one title (the titles of those 30
  descriptions: each is encoded, then ranked against the fitted titles);
- ``explain_ms``: the median time of ``explain`` for one of those 30 descriptions.

Run it in alternating fresh processes to compare versions or ``--n-jobs`` settings (the
machine's speed drifts); ``--save FILE`` keeps the top 10 titles, to check that two runs
agree.

Usage::

    python benchmarks/predict_saved.py m-linkedin2024.joblib [--n-jobs 2] [--save top.npy]
    python benchmarks/predict_saved.py m-onet.joblib --set onet
"""

import argparse
import json
import statistics
import time

import joblib
import numpy as np

from title_prediction import SETS, load_split


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="a TitlePredictor saved with joblib.dump")
    parser.add_argument("--set", default="linkedin2024", choices=SETS, help="the model's benchmark set")
    parser.add_argument("--n-jobs", type=int, default=None, help="the model's n_jobs (default: as saved)")
    parser.add_argument("--save", help="write the top 10 titles of the 2,000 descriptions here (.npy)")
    args = parser.parse_args(argv)

    _, _, X_test, y_test = load_split(args.set)
    texts = list(X_test[:2000])
    singles = slice(2000, 2030) if len(X_test) >= 2030 else slice(0, 30)
    singles, single_titles = list(X_test[singles]), list(y_test[singles])
    model = joblib.load(args.model)
    if args.n_jobs is not None:
        model.set_params(n_jobs=args.n_jobs)
    model.predict_top_k(["Warm-up: a data analyst who writes SQL and Python."], k=10)
    tic = time.perf_counter()
    top = model.predict_top_k(texts, k=10)
    new = time.perf_counter() - tic
    tic = time.perf_counter()
    model.predict_top_k(texts, k=10)
    cached = time.perf_counter() - tic
    latencies = {"one_ms": [], "title_ms": [], "explain_ms": []}
    model.most_similar("warm-up analyst")
    model.explain(singles[0])
    for text, title in zip(singles, single_titles):
        for name, call in (("one_ms", lambda: model.predict_top_k([text], k=10)),
                           ("title_ms", lambda: model.most_similar(title)),
                           ("explain_ms", lambda: model.explain(text))):
            tic = time.perf_counter()
            call()
            latencies[name].append(time.perf_counter() - tic)
    if args.save:
        np.save(args.save, top)
    print(json.dumps({"n_jobs": model.get_params().get("n_jobs"), "new_per_s": round(len(texts) / new),
                      "cached_per_s": round(len(texts) / cached),
                      **{name: round(1000 * statistics.median(times), 1) for name, times in latencies.items()}}))


if __name__ == "__main__":
    main()
