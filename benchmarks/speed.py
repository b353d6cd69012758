"""Speed and memory of TitlePredictor at the paper's sizes, on real postings.

Measures, on an otherwise idle machine: tokenization (descriptions/s), training
(pairs/s per epoch, after the first epoch which includes JIT compilation),
prediction of the top 10 titles (descriptions/s, tokenization included), the
latency of one description, and peak RSS.

Usage::

    python benchmarks/speed.py [--rows 4000] [--epochs 3] [--data FILE]
"""

import argparse
import json
import os
import resource
import time

import numpy as np

import job2vec
from job2vec import TextPreprocessor, TitlePredictor
from job2vec.datasets import load_onet, load_postings

DEFAULT_DATA = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "shared", "data",
                            "postings_linkedin_2024_data_professionals", "pairs.jsonl.gz")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=DEFAULT_DATA, help="postings file (default: LinkedIn 2024; "
                                                             "the bundled O*NET titles if it is missing)")
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args(argv)

    if os.path.exists(args.data):
        X, y = load_postings(args.data, return_X_y=True)
    else:
        X, y = load_onet(kind="titles", return_X_y=True)
    keep = np.random.default_rng(0).permutation(len(X))[: args.rows]
    X, y = X[keep], y[keep]
    report = {"rows": len(X), "keras_backend": os.environ.get("KERAS_BACKEND"), "version": job2vec.__version__}

    tic = time.perf_counter()
    TextPreprocessor().fit().transform(list(X))
    report["tokenize_descriptions_per_s"] = len(X) / (time.perf_counter() - tic)

    tic = time.perf_counter()
    model = TitlePredictor(epochs=args.epochs, early_stopping=False, random_state=0).fit(X, y)
    report["fit_seconds"] = time.perf_counter() - tic
    report["train_pairs_per_s_by_epoch"] = [round(v, 1) for v in model.history_["pairs_per_second"]]
    report["batch_size_by_epoch"] = model.history_["batch_size"]
    report["description_length"] = model.description_length_
    report["trainable_parameters"] = int(sum(np.prod(w.shape) for w in model.network_.trainable_weights))

    model.predict_top_k(X[:300], k=10)  # warm-up: compile the prediction shapes
    tic = time.perf_counter()
    model.predict_top_k(X, k=10)
    report["predict_top10_descriptions_per_s"] = len(X) / (time.perf_counter() - tic)
    latencies = []
    for text in X[:20]:
        tic = time.perf_counter()
        model.predict_top_k([text], k=10)
        latencies.append(time.perf_counter() - tic)
    report["one_description_ms_median"] = 1000 * float(np.median(latencies))
    report["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
