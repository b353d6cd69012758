"""Speed and memory of job2vec at the paper's sizes, on real postings, in one run.

Measures on an otherwise idle machine, with default parameters:

- tokenization, descriptions/s: a first pass (every chunk new to the
  process) and a second pass over the same texts;
- training, pairs/s per epoch: the first epoch includes JIT compilation, the
  later ones are the steady state; the batch size is adapted as the paper says;
- prediction of the top 10 titles, descriptions/s from raw text new to the
  process (tokenization included), with the ranking's channels weighed on
  the validation split as at the defaults, in one job and (on other new
  texts) with ``n_jobs=2``, and the median latency of one description (of
  those predicted in one job);
- peak RSS of the process;
- the CLI: ``job2vec --help`` and ``job2vec predict`` of 5 descriptions,
  model load included (fresh processes);
- the same figures for the TF-IDF 50-NN baseline and the Seq2Seq baseline.

Run it once per version and compare::

    python benchmarks/speed.py --json after.json
    PYTHONPATH=/path/to/old/checkout python benchmarks/speed.py --json before.json
    python benchmarks/speed.py --compare before.json after.json

Usage::

    python benchmarks/speed.py [--rows 6000] [--epochs 3] [--test-rows 2000] [--data FILE] [--json FILE]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

DEFAULT_DATA = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "shared", "data",
                            "postings_linkedin_2024_data_professionals", "pairs.jsonl.gz")


def rate(n, seconds):
    return round(n / seconds, 1)


def timed(function, *args, **kwargs):
    tic = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - tic


def measure_tokenization(texts):
    from job2vec import TextPreprocessor

    preprocessor = TextPreprocessor().fit()
    _, first = timed(preprocessor.transform, list(texts))
    _, second = timed(preprocessor.transform, list(texts))
    return {"first_pass_per_s": rate(len(texts), first), "second_pass_per_s": rate(len(texts), second)}


def measure_predictor(model, X_train, y_train, X_test, X_two_jobs=None):
    """Fit and prediction figures of any title predictor (history read when it has one).

    With `X_two_jobs`, other descriptions new to the process, prediction is
    also timed on them with ``n_jobs=2`` (two cores).
    """
    _, fit_seconds = timed(model.fit, X_train, y_train)
    report = {"fit_seconds": round(fit_seconds, 1)}
    history = getattr(model, "history_", None)
    if history:
        report["train_pairs_per_s_by_epoch"] = [round(v, 1) for v in history["pairs_per_second"]]
        report["batch_size_by_epoch"] = [round(v, 1) for v in history["batch_size"]]
        steady = history["pairs_per_second"][1:] or history["pairs_per_second"]
        report["train_pairs_per_s_steady"] = round(float(np.mean(steady)), 1)
    model.predict_top_k(X_train[:300], k=10)  # warm-up: compile the prediction shapes, on texts seen in fit
    _, seconds = timed(model.predict_top_k, X_test, k=10)
    report["predict_top10_per_s"] = rate(len(X_test), seconds)
    latencies = [timed(model.predict_top_k, [text], k=10)[1] for text in X_test[:30]]
    report["one_description_ms"] = round(1000 * float(np.median(latencies)), 1)
    if X_two_jobs is not None:
        n_jobs = model.get_params()["n_jobs"]
        _, seconds = timed(model.set_params(n_jobs=2).predict_top_k, X_two_jobs, k=10)
        report["predict_top10_per_s_two_jobs"] = rate(len(X_two_jobs), seconds)
        model.set_params(n_jobs=n_jobs)
    return report


def measure_cli(model, texts):
    """Wall time of ``job2vec --help`` and of ``job2vec predict`` on 5 descriptions, in fresh processes.

    The command keeps JAX's compiled code in a cache; the first ``predict`` runs with an
    empty one (a new model or a new machine), the second with what the first compiled.
    Since a loaded JOAPS model predicts in NumPy, neither call compiles: they differ by
    the file cache and the machine only.
    """
    import joblib

    report = {}
    with tempfile.TemporaryDirectory() as tmp:
        path, inputs = os.path.join(tmp, "model.joblib"), os.path.join(tmp, "five.txt")
        joblib.dump(model, path)
        with open(inputs, "w", encoding="utf-8") as handle:
            handle.write("\n".join(" ".join(t.split()) for t in texts[:5]))
        command = [sys.executable, "-m", "job2vec"]
        environment = {**os.environ, "XDG_CACHE_HOME": os.path.join(tmp, "cache")}
        for name, args in (("help_s", ["--help"]), ("predict_5_first_s", ["predict", path, inputs]),
                           ("predict_5_s", ["predict", path, inputs])):
            tic = time.perf_counter()
            subprocess.run(command + args, check=True, capture_output=True, env=environment)
            report[name] = round(time.perf_counter() - tic, 2)
    return report


def split_rows(n_rows, n_train=6000, n_test=2000):
    """The training and test rows of a postings file: a seeded shuffle, training rows first."""
    order = np.random.default_rng(0).permutation(n_rows)
    return order[:n_train], order[n_train: n_train + n_test]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=DEFAULT_DATA, help="postings file (default: LinkedIn 2024)")
    parser.add_argument("--rows", type=int, default=6000, help="training pairs (default: 6000)")
    parser.add_argument("--test-rows", type=int, default=2000, help="descriptions to predict (default: 2000)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--no-seq2seq", action="store_true", help="skip the Seq2Seq baseline")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"),
                        help="print a Markdown table of two saved runs, and nothing else")
    args = parser.parse_args(argv)
    if args.compare:
        print(compare(*args.compare))
        return

    import job2vec
    from job2vec import TitlePredictor
    from job2vec.baselines import TfidfNeighborsTitlePredictor
    from job2vec.datasets import load_postings

    X, y = load_postings(args.data, return_X_y=True)
    train, test = split_rows(len(X), args.rows, 3 * args.test_rows)
    # Tokenization is timed on the first test rows; prediction on the next ones, new to the process, and
    # with two jobs on the last ones, also new.
    test, predict, two_jobs = np.split(test, [args.test_rows, 2 * args.test_rows])
    X_train, y_train, X_test, X_predict, X_two_jobs = X[train], y[train], X[test], X[predict], X[two_jobs]
    report = {"version": job2vec.__version__, "data": os.path.basename(os.path.dirname(args.data)),
              "train_rows": len(train), "test_rows": len(test), "epochs": args.epochs}

    report["tokenization"] = measure_tokenization(X_test)
    # Early stopping's validation split is where the ranking's channels are weighed: without it the
    # ranking is the cosine alone. With 3 epochs and n_iter_no_change=2 it never stops a fit early.
    model = TitlePredictor(epochs=args.epochs, random_state=0)
    report["joaps"] = measure_predictor(model, X_train, y_train, X_predict, X_two_jobs)
    report["joaps"]["channel_weights"] = model.channel_weights_
    report["joaps"]["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    report["cli"] = measure_cli(model, list(X_predict))
    report["tfidf_50nn"] = measure_predictor(TfidfNeighborsTitlePredictor(), X_train, y_train, X_predict,
                                             X_two_jobs)
    if not args.no_seq2seq:
        from job2vec.seq2seq import Seq2SeqTitlePredictor

        seq2seq = Seq2SeqTitlePredictor(epochs=1, random_state=0)  # slow to train: a quarter of the pairs
        quarter = len(X_train) // 4
        report["seq2seq"] = measure_predictor(seq2seq, X_train[:quarter], y_train[:quarter], X_predict[:500])
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    text = json.dumps(report, indent=1)
    print(text)
    if args.json:
        with open(args.json, "w") as handle:
            handle.write(text + "\n")


ROWS = [
    ("Tokenization, first pass (descriptions/s)", ("tokenization", "first_pass_per_s")),
    ("Tokenization, second pass (descriptions/s)", ("tokenization", "second_pass_per_s")),
    ("JOAPS training, epoch 1 with compilation (pairs/s)", ("joaps", "train_pairs_per_s_by_epoch", 0)),
    ("JOAPS training, later epochs (pairs/s)", ("joaps", "train_pairs_per_s_steady")),
    ("JOAPS fit, word2vec included (s)", ("joaps", "fit_seconds")),
    ("JOAPS prediction, top 10 from raw text (descriptions/s)", ("joaps", "predict_top10_per_s")),
    ("JOAPS prediction, top 10 from raw text, `n_jobs=2` (descriptions/s)", ("joaps", "predict_top10_per_s_two_jobs")),
    ("JOAPS one description (ms)", ("joaps", "one_description_ms")),
    ("Peak RSS after the JOAPS fit (MB)", ("joaps", "peak_rss_mb")),
    ("`job2vec --help` (s)", ("cli", "help_s")),
    ("`job2vec predict`, 5 descriptions, model load included, empty JAX cache (s)", ("cli", "predict_5_first_s")),
    ("`job2vec predict`, 5 descriptions, model load included, second call (s)", ("cli", "predict_5_s")),
    ("TF-IDF 50-NN fit (s)", ("tfidf_50nn", "fit_seconds")),
    ("TF-IDF 50-NN prediction (descriptions/s)", ("tfidf_50nn", "predict_top10_per_s")),
    ("TF-IDF 50-NN prediction, `n_jobs=2` (descriptions/s)", ("tfidf_50nn", "predict_top10_per_s_two_jobs")),
    ("Seq2Seq training, 1 epoch on a quarter of the pairs, with compilation (pairs/s)", ("seq2seq", "train_pairs_per_s_by_epoch", 0)),
    ("Seq2Seq prediction, top 10 (descriptions/s)", ("seq2seq", "predict_top10_per_s")),
]


def compare(before_path, after_path):
    with open(before_path) as handle:
        before = json.load(handle)
    with open(after_path) as handle:
        after = json.load(handle)

    def value(report, path):
        for key in path:
            try:
                report = report[key]
            except (KeyError, IndexError, TypeError):
                return None
        return report

    lines = [f"| {before['train_rows']:,} training pairs, {before['epochs']} epochs, {before['test_rows']:,} "
             f"test descriptions ({before['data']}) | before ({before['version']}) | after ({after['version']}) |",
             "|---|---:|---:|"]
    for label, path in ROWS:
        old, new = value(before, path), value(after, path)
        if old is not None or new is not None:
            lines.append(f"| {label} | {'' if old is None else old} | {'' if new is None else new} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
