"""Title prediction on real postings: JOAPS `TitlePredictor` vs TF-IDF neighbours vs the prior.

Protocol (issue #2): an 80/20 `GroupShuffleSplit` by ``dup_cluster`` (reposts
stay on one side), candidates = the distinct training titles, exact normalized
title match. Prints Top-1/5/10 accuracy over all test rows and averaged per
title, max-BLEU@1/5/10, training pairs/s, prediction descriptions/s and peak
memory (RSS) after each model.

Usage::

    python benchmarks/title_prediction.py                      # the LinkedIn 2024 set, defaults
    python benchmarks/title_prediction.py --quick              # 3,000 rows, 3 epochs: minutes
    python benchmarks/title_prediction.py --param trainable_embeddings=True --json out.json
"""

import argparse
import ast
import json
import os
import platform
import resource
import sys
import time

import numpy as np
from sklearn.model_selection import GroupShuffleSplit

import job2vec
from job2vec import TitlePredictor
from job2vec.baselines import MostFrequentTitlePredictor, TfidfNeighborsTitlePredictor
from job2vec.datasets import load_postings
from job2vec.metrics import evaluate

DEFAULT_DATA = os.path.join(
    os.path.dirname(__file__), os.pardir, os.pardir, "shared", "data",
    "postings_linkedin_2024_data_professionals", "pairs.jsonl.gz",
)


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_model(name, model, X_train, y_train, X_test, y_test):
    tic = time.perf_counter()
    model.fit(X_train, y_train)
    fit_seconds = time.perf_counter() - tic
    tic = time.perf_counter()
    report = evaluate(model, X_test, y_test)
    predict_seconds = time.perf_counter() - tic  # predict_top_k(k=10) + metrics
    tic = time.perf_counter()
    model.predict_top_k(X_test, k=10)
    report["predict_descriptions_per_s"] = len(X_test) / (time.perf_counter() - tic)
    report.update(model=name, fit_seconds=fit_seconds, evaluate_seconds=predict_seconds,
                  peak_rss_mb=peak_rss_mb())
    history = getattr(model, "history_", None)
    if history:
        seen = np.asarray(history["pairs_per_second"])
        report["train_pairs_per_s"] = float(np.mean(seen[1:] if len(seen) > 1 else seen))  # epoch 1 compiles
        report["epochs_run"] = len(history["loss"])
        report["final_batch_size"] = history["final_batch_size"][-1]
        report["history"] = history
        report["prior_weight"] = model.prior_weight_
    print(json.dumps({k: v for k, v in report.items() if k != "history"}), flush=True)
    return report


def table(reports):
    columns = ["top_1", "top_5", "top_10", "top_1_per_title", "top_5_per_title", "top_10_per_title",
               "bleu_1", "bleu_5", "bleu_10"]
    lines = ["| model | " + " | ".join(columns) + " | fit s | train pairs/s | predict desc/s | peak RSS MB |",
             "|---" * (len(columns) + 5) + "|"]
    for r in reports:
        cells = [f"{100 * r[c]:.1f}" if c.startswith("top") else f"{r[c]:.3f}" for c in columns]
        speed = f"{r['train_pairs_per_s']:.0f}" if "train_pairs_per_s" in r else "-"
        lines.append(f"| {r['model']} | " + " | ".join(cells)
                     + f" | {r['fit_seconds']:.0f} | {speed} | {r['predict_descriptions_per_s']:.0f} | {r['peak_rss_mb']:.0f} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=DEFAULT_DATA, help="postings file with title, description, dup_cluster")
    parser.add_argument("--quick", action="store_true", help="3,000 rows and 3 epochs")
    parser.add_argument("--param", action="append", default=[], help="TitlePredictor parameter NAME=VALUE")
    parser.add_argument("--skip-baselines", action="store_true")
    parser.add_argument("--json", help="write the reports here")
    args = parser.parse_args(argv)

    bunch = load_postings(args.data)
    X, y = bunch.data, bunch.target
    groups = bunch.frame["dup_cluster"].to_numpy()
    if args.quick:
        keep = np.random.default_rng(0).permutation(len(X))[:3000]
        X, y, groups = X[keep], y[keep], groups[keep]
    train, test = next(GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=0).split(X, y, groups))
    params = {"random_state": 0}
    if args.quick:
        params["epochs"] = 3
    for item in args.param:
        name, value = item.split("=", 1)
        params[name] = ast.literal_eval(value)
    print(f"job2vec {job2vec.__version__}, keras backend {os.environ.get('KERAS_BACKEND')}, "
          f"python {platform.python_version()}, {os.cpu_count()} CPUs; "
          f"{len(train)} train / {len(test)} test rows; TitlePredictor{params}", flush=True)

    reports = []
    if not args.skip_baselines:
        reports.append(run_model("most frequent title", MostFrequentTitlePredictor(), X[train], y[train], X[test], y[test]))
        reports.append(run_model("TF-IDF 50-NN vote", TfidfNeighborsTitlePredictor(), X[train], y[train], X[test], y[test]))
    reports.append(run_model("JOAPS TitlePredictor", TitlePredictor(**params), X[train], y[train], X[test], y[test]))
    print(table(reports))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"params": {k: repr(v) for k, v in params.items()}, "reports": reports}, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
