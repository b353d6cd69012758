"""Reproduce the JOAPS paper's Tables 1, 3 and 6 on public postings and write them to docs/benchmarks.md.

Protocol: an 80/20 `GroupShuffleSplit` by ``dup_cluster`` (reposts of one ad
stay on one side), random_state=0; a hit is an exact normalized-title match.

- Table 1, WARP vs WOCR: `TitlePredictor(loss=...)` on the same subset of the
  training pairs for the same epochs, ranking by cosine (``prior_weight=0``);
  mean training time per pair and Top-k on the test rows.
- Table 3, title prediction: Top-1/5/10 accuracy (over rows and per title) and
  max-BLEU@1/5/10 of JOAPS, Seq2Seq, TF-IDF neighbours and the most frequent
  titles, under both candidate protocols: "fitted" ranks the training titles,
  "fitted+test" adds the test titles (the paper's protocol). Only JOAPS ranks
  a candidate list; the others output the same titles under both.
- Table 6, cost: trainable parameters, training time, prediction time of the
  top 10 for one description (median of 5 after a warm-up) and for the test
  descriptions, scaled to 25,000. Predictions start from raw text, so they
  include tokenization; fits share one tokenization of the descriptions.

Usage::

    python benchmarks/paper_tables.py                 # LinkedIn 2024 set: about 80 minutes on 2 cores
    python benchmarks/paper_tables.py --quick         # 3,000 rows, small models: a few minutes
    python benchmarks/paper_tables.py --output docs/benchmarks.md --json tables.json
"""

import argparse
import copy
import datetime
import json
import os
import platform
import resource
import sys
import time
from importlib.metadata import version

import numpy as np
from sklearn.model_selection import GroupShuffleSplit

import job2vec
import keras
from job2vec import TextPreprocessor, TitlePredictor
from job2vec.baselines import MostFrequentTitlePredictor, Seq2SeqTitlePredictor, TfidfNeighborsTitlePredictor
from job2vec.datasets import load_postings
from job2vec.metrics import max_bleu, top_k_accuracy

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = os.path.join(HERE, os.pardir, os.pardir, "shared", "data",
                            "postings_linkedin_2024_data_professionals", "pairs.jsonl.gz")
KS = (1, 5, 10)

FULL = dict(
    rows=None,
    joaps={},  # the defaults: up to 10 epochs with early stopping
    seq2seq=dict(epochs=4),  # about JOAPS's training time on 2 cores (4 x 8 min)
    table1=dict(pairs=4000, epochs=2),
)
QUICK = dict(
    rows=3000,
    joaps=dict(epochs=2, word_vector_size=100),
    seq2seq=dict(epochs=1, units=64, word_vector_size=100),
    table1=dict(pairs=1000, epochs=1),
)


def machine():
    cpu = "unknown CPU"
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as handle:
            names = [line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")]
        cpu = names[0] if names else cpu
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    packages = ["job2vec", "keras", "jax", "numpy", "scikit-learn", "spacy", "gensim", "sacrebleu"]
    return {
        "date": datetime.date.today().isoformat(),
        "cpu": f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB RAM, no GPU",
        "python": platform.python_version(),
        "backend": keras.backend.backend(),
        "versions": {name: version(name) for name in packages},
    }


def ranking_report(y_true, ranked):
    report = {}
    for k in KS:
        report[f"top_{k}"] = top_k_accuracy(y_true, ranked, k=k)
        report[f"top_{k}_per_title"] = top_k_accuracy(y_true, ranked, k=k, average="per_title")
        report[f"bleu_{k}"] = max_bleu(y_true, ranked, k=k)
    return report


def trainable_parameters(model):
    network = getattr(model, "network_", None)
    if network is None:
        return None
    return int(sum(np.prod(weight.shape) for weight in network.trainable_weights))


def timed_fit(model, X, y):
    tic = time.perf_counter()
    model.fit(X, y)
    return time.perf_counter() - tic


def one_description_seconds(model, text):
    model.predict_top_k([text], k=10)  # warm-up: compiles the one-row shapes
    times = []
    for _ in range(5):
        tic = time.perf_counter()
        model.predict_top_k([text], k=10)
        times.append(time.perf_counter() - tic)
    return float(np.median(times))


def peak_rss_gb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def run_table1(X_tokens, y, test_tokens, y_test, sizes, seed=0):
    """WARP vs WOCR on the same pairs and epochs."""
    keep = np.random.default_rng(seed).permutation(len(y))[: sizes["pairs"]]
    X_sub, y_sub = [X_tokens[i] for i in keep], y[keep]
    rows = []
    for loss in ("warp", "wocr"):
        model = TitlePredictor(loss=loss, epochs=sizes["epochs"], early_stopping=False, prior_weight=0.0,
                               random_state=seed)
        seconds = timed_fit(model, X_sub, y_sub)
        history = model.history_
        speeds = np.asarray(history["pairs_per_second"])
        steady = speeds[1:] if len(speeds) > 1 else speeds  # epoch 1 also compiles the batch shapes
        row = dict(loss=loss, pairs=len(y_sub), epochs=len(history["loss"]), fit_seconds=seconds,
                   seconds_per_pair=float(np.mean(1.0 / steady)),
                   mean_batch_size=float(np.mean(history["batch_size"])),
                   final_violation_ratio=history["violation_ratio"][-1],
                   **ranking_report(y_test, model.predict_top_k(test_tokens, k=10)))
        print(json.dumps({"table": 1, **row}), flush=True)
        rows.append(row)
    return rows


def run_table3(models, X_train, train_tokens, y, X_test, test_tokens, y_test):
    """Fit each model, time its predictions, score both candidate protocols."""
    rows = []
    for name, model, takes_tokens in models:
        fit_seconds = timed_fit(model, train_tokens if takes_tokens else X_train, y)
        tic = time.perf_counter()
        ranked = model.predict_top_k(X_test, k=10)  # from raw text: tokenization included
        predict_seconds = time.perf_counter() - tic
        row = dict(model=name, fit_seconds=fit_seconds, predict_seconds=predict_seconds, n_test=len(X_test),
                   one_description_seconds=one_description_seconds(model, X_test[0]),
                   trainable_parameters=trainable_parameters(model), peak_rss_gb=peak_rss_gb(),
                   **both_protocols(model, ranked, test_tokens, y_test))
        history = getattr(model, "history_", None)
        if history:
            row["epochs_run"] = len(history["loss"])
        if hasattr(model, "prior_weight_"):
            row["prior_weight"] = model.prior_weight_
        print(json.dumps({"table": 3, **row}), flush=True)
        rows.append(row)
        if getattr(model, "prior_weight_", 0):
            rows.append(cosine_only(model, name, test_tokens, y_test))
    return rows


def both_protocols(model, ranked, test_tokens, y_test):
    """Reports for candidates "fitted" (`ranked`) and "fitted+test"; only a ranker tells them apart."""
    reports = {"fitted": ranking_report(y_test, ranked)}
    if hasattr(model, "set_candidates"):
        extended = copy.copy(model).set_candidates(np.concatenate([model.classes_, y_test]))
        reports["fitted+test"] = ranking_report(y_test, extended.predict_top_k(test_tokens, k=10))
    else:
        reports["fitted+test"] = reports["fitted"]
    return reports


def cosine_only(model, name, test_tokens, y_test):
    """The same fitted JOAPS ranked by cosine alone, the paper's ranking (a diagnostic: no refit)."""
    cosine = copy.copy(model)
    cosine.prior_weight_ = 0.0
    row = dict(model=f"{name}, cosine only (prior weight 0)",
               **both_protocols(cosine, cosine.predict_top_k(test_tokens, k=10), test_tokens, y_test))
    print(json.dumps({"table": 3, **row}), flush=True)
    return row


def percent(value):
    return f"{100 * value:.1f}"


def duration(seconds):
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    minutes, seconds = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{seconds:02d}s" if hours else f"{minutes}m{seconds:02d}s"


def markdown(result):
    info, setup = result["machine"], result["setup"]
    out = ["# Benchmarks: the JOAPS paper's tables on public postings", "",
           f"Produced by `{setup['command']}` on {info['date']}, wall time {duration(result['wall_seconds'])}.",
           f"Machine: {info['cpu']}; Python {info['python']}, Keras backend {info['backend']}; "
           + ", ".join(f"{k} {v}" for k, v in info["versions"].items()) + ".", "",
           f"Data: `{setup['data']}`, {setup['n_train']:,} training and {setup['n_test']:,} test rows "
           f"(80/20 `GroupShuffleSplit` by `dup_cluster`, random_state=0); {setup['n_train_titles']:,} distinct "
           f"training titles. Only {percent(setup['ceiling'])}% of test rows have a title seen in training.",
           f"Models: JOAPS `TitlePredictor({setup['joaps']})`; `Seq2SeqTitlePredictor({setup['seq2seq']})`; "
           "`TfidfNeighborsTitlePredictor()`; `MostFrequentTitlePredictor()`; all with random_state=0.", ""]

    t1 = result["table1"]
    out += ["## Table 1: WARP vs WOCR", "",
            f"`TitlePredictor(loss=..., epochs={t1[0]['epochs']}, early_stopping=False, prior_weight=0)` on the "
            f"same {t1[0]['pairs']:,} training pairs; Top-k over the test rows, candidates = the subset's titles. "
            "WARP browses 1,000 sampled titles per batch. Time per pair: the training loop"
            + (" after epoch 1 (which also compiles)." if t1[0]["epochs"] > 1 else ", compilation included."), "",
            "| loss | time per pair | mean batch size | last violation ratio | Top-1 | Top-5 | Top-10 | fit |",
            "|---|---|---|---|---|---|---|---|"]
    for r in t1:
        out.append(f"| {r['loss'].upper()} | {1000 * r['seconds_per_pair']:.1f} ms | {r['mean_batch_size']:.0f} | "
                   f"{r['final_violation_ratio']:.3f} | {percent(r['top_1'])} | {percent(r['top_5'])} | "
                   f"{percent(r['top_10'])} | {duration(r['fit_seconds'])} |")

    out += ["", "## Table 3: title prediction", "",
            "Accuracy in %, over test rows (\"per title\": averaged over true titles); max-BLEU over the top k "
            "(sacrebleu, order 2, exp smoothing).", ""]
    for protocol, label in (("fitted", "candidates = training titles"),
                            ("fitted+test", "candidates = training + test titles (the paper's protocol)")):
        out += [f"### {label}", "",
                "| model | Top-1 | Top-5 | Top-10 | Top-1 per title | Top-5 per title | Top-10 per title "
                "| BLEU@1 | BLEU@5 | BLEU@10 |", "|---" * 10 + "|"]
        for r in result["table3"]:
            m = r[protocol]
            cells = [percent(m[f"top_{k}"]) for k in KS] + [percent(m[f"top_{k}_per_title"]) for k in KS]
            cells += [f"{m[f'bleu_{k}']:.3f}" for k in KS]
            out.append(f"| {r['model']} | " + " | ".join(cells) + " |")
        out.append("")
    out += ["Only JOAPS ranks a candidate list; Seq2Seq generates titles, and the TF-IDF vote and the prior "
            "can only return training titles, so their rows are the same under both protocols.", ""]

    out += ["## Table 6: cost", "",
            "| model | trainable parameters | training time | epochs | prediction, 1 description "
            f"| prediction, {result['table3'][0]['n_test']:,} descriptions | prediction, 25k descriptions (scaled) "
            "| peak RSS |", "|---" * 8 + "|"]
    for r in result["table3"]:
        if "fit_seconds" not in r:  # a diagnostic row of an already counted model
            continue
        params = f"{r['trainable_parameters']:,}" if r["trainable_parameters"] else "-"
        scaled = r["predict_seconds"] * 25000 / r["n_test"]
        out.append(f"| {r['model']} | {params} | {duration(r['fit_seconds'])} | {r.get('epochs_run', '-')} | "
                   f"{duration(r['one_description_seconds'])} | {duration(r['predict_seconds'])} | "
                   f"{duration(scaled)} | {r['peak_rss_gb']:.1f} GB |")
    out += ["", "Peak RSS is the process's high-water mark so far, so it only grows down the table. The 25k "
            "column scales the measured test-set time linearly (prediction runs in fixed-size chunks).", ""]
    return "\n".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=DEFAULT_DATA, help="postings with title, description, dup_cluster")
    parser.add_argument("--quick", action="store_true", help="3,000 rows and small models: a few minutes")
    parser.add_argument("--output", help="write the markdown tables here (e.g. docs/benchmarks.md)")
    parser.add_argument("--json", help="write every measurement here")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    start = time.perf_counter()

    bunch = load_postings(args.data)
    X, y = bunch.data, bunch.target
    groups = bunch.frame["dup_cluster"].to_numpy()
    if sizes["rows"]:
        keep = np.random.default_rng(0).permutation(len(X))[: sizes["rows"]]
        X, y, groups = X[keep], y[keep], groups[keep]
    train, test = next(GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=0).split(X, y, groups))
    X_train, y_train, X_test, y_test = X[train], y[train], X[test], y[test]
    tic = time.perf_counter()
    preprocessor = TextPreprocessor(remove_stop_words=True).fit()
    train_tokens, test_tokens = preprocessor.transform(X_train), preprocessor.transform(X_test)
    train_titles = {job2vec.normalize_title(t) for t in y_train}
    setup = dict(command="python benchmarks/paper_tables.py" + (" --quick" if args.quick else ""),
                 data=os.path.relpath(args.data, os.path.join(HERE, os.pardir)), n_train=len(train),
                 n_test=len(test), n_train_titles=len(train_titles),
                 ceiling=float(np.mean([job2vec.normalize_title(t) in train_titles for t in y_test])),
                 joaps=", ".join(f"{k}={v}" for k, v in sizes["joaps"].items()),
                 seq2seq=", ".join(f"{k}={v}" for k, v in sizes["seq2seq"].items()),
                 tokenize_seconds=time.perf_counter() - tic)
    print(json.dumps(setup), flush=True)

    table1 = run_table1(train_tokens, y_train, test_tokens, y_test, sizes["table1"])
    models = [
        ("JOAPS", TitlePredictor(random_state=0, **sizes["joaps"]), True),
        ("Seq2Seq", Seq2SeqTitlePredictor(random_state=0, **sizes["seq2seq"]), True),
        ("TF-IDF 50-NN vote", TfidfNeighborsTitlePredictor(), False),
        ("most frequent titles", MostFrequentTitlePredictor(), False),
    ]
    table3 = run_table3(models, X_train, train_tokens, y_train, X_test, test_tokens, y_test)
    result = dict(machine=machine(), setup=setup, table1=table1, table3=table3,
                  wall_seconds=time.perf_counter() - start)
    text = markdown(result)
    print(text)
    if args.output:
        with open(args.output, "w") as handle:
            handle.write(text)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(result, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
