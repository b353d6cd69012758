"""Title prediction on real data sets: JOAPS `TitlePredictor` and its ranking ablations vs TF-IDF and the prior.

Sets (``--set``, repeatable; all by default):

- ``linkedin2024``: LinkedIn 2024 postings, 80/20 `GroupShuffleSplit` by
  ``dup_cluster`` (reposts stay on one side), random_state 0.
- ``crosssource``: the models trained on the ``linkedin2024`` training split,
  tested on ``postings_linkedin_2019_data_roles`` + ``postings_linkedin_2023_2024_subsets``
  (rows whose description is among the training descriptions dropped).
- ``emscad``: EMSCAD general-domain ads, 80/20 grouped split.
- ``onet``: the bundled O*NET task statements, 80/20 random split.

Candidates are the distinct training titles; a hit is an exact normalized title
match. For each set: Top-1/5/10 over rows and per title, max-BLEU@1/5/10, fit
time and prediction descriptions/s, for the prior, TF-IDF 50-NN and
`TitlePredictor()` (one fit; its ablations re-rank with the weights each
simpler ranking got on the validation split: cosine only, + prior, +
learned neighbours, + lexical + mention = the default "hybrid"; and the
default with the mention channel dropped).

Usage::

    python benchmarks/title_prediction.py                       # every set, defaults
    python benchmarks/title_prediction.py --set emscad --set onet --json out.json
    python benchmarks/title_prediction.py --quick               # 3,000 rows a set, 3 epochs
"""

import argparse
import ast
import gzip
import json
import os
import platform
import resource
import sys
import time

import joblib
import numpy as np
from sklearn.model_selection import GroupShuffleSplit, ShuffleSplit

import job2vec
from job2vec import TitlePredictor, normalize_title
from job2vec._networks import input_rows, run_encoder
from job2vec._separation import nearest_other_title
from job2vec.baselines import MostFrequentTitlePredictor, Seq2SeqTitlePredictor, TfidfNeighborsTitlePredictor
from job2vec.datasets import load_onet
from job2vec.metrics import evaluate

DATA = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "shared", "data")
SETS = ("linkedin2024", "crosssource", "emscad", "onet")
COLUMNS = ["top_1", "top_5", "top_10", "top_1_per_title", "top_5_per_title", "top_10_per_title",
           "bleu_1", "bleu_5", "bleu_10"]


def read_pairs(name):
    with gzip.open(os.path.join(DATA, name, "pairs.jsonl.gz"), "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    keep = [r for r in rows if (r.get("title") or "").strip() and (r.get("description") or "").strip()]
    X = np.array([r["description"] for r in keep], dtype=object)
    y = np.array([r["title"] for r in keep], dtype=object)
    groups = np.array([r.get("dup_cluster", i) for i, r in enumerate(keep)])
    return X, y, groups


def grouped_split(X, y, groups, quick):
    if quick and len(X) > 3000:
        keep = np.random.default_rng(0).permutation(len(X))[:3000]
        X, y, groups = X[keep], y[keep], groups[keep]
    train, test = next(GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=0).split(X, y, groups))
    return X[train], y[train], X[test], y[test]


def load_split(name, quick=False):
    """The training and test descriptions and titles of one benchmark set (see the module docstring)."""
    if name in ("linkedin2024", "crosssource"):
        X_train, y_train, X_test, y_test = grouped_split(*read_pairs("postings_linkedin_2024_data_professionals"),
                                                         quick)
        if name == "crosssource":
            seen = set(X_train)
            parts = [read_pairs(n) for n in ("postings_linkedin_2019_data_roles",
                                             "postings_linkedin_2023_2024_subsets")]
            X_test = np.concatenate([p[0] for p in parts])
            y_test = np.concatenate([p[1] for p in parts])
            keep = np.array([x not in seen for x in X_test])
            X_test, y_test = X_test[keep], y_test[keep]
    elif name == "emscad":
        X_train, y_train, X_test, y_test = grouped_split(*read_pairs("postings_emscad_subsets"), quick)
    else:
        X, y = load_onet(kind="tasks", return_X_y=True)
        train, test = next(ShuffleSplit(n_splits=1, test_size=0.2, random_state=0).split(X))
        if quick:
            train, test = train[:2400], test[:600]
        X_train, y_train, X_test, y_test = X[train], y[train], X[test], y[test]
    return X_train, y_train, X_test, y_test


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def score(name, model, X_test, y_test, fit_seconds):
    tic = time.perf_counter()
    report = evaluate(model, X_test, y_test)
    report.update(model=name, fit_seconds=fit_seconds,
                  predict_descriptions_per_s=len(X_test) / (time.perf_counter() - tic), peak_rss_mb=peak_rss_mb())
    print(json.dumps(report), flush=True)
    return report


def fit(model, X, y):
    tic = time.perf_counter()
    model.fit(X, y)
    return model, time.perf_counter() - tic


def ablations(model, X_test, y_test, fit_seconds):
    """The fitted TitlePredictor re-ranked with each simpler ranking's validation-chosen weights."""
    chosen = dict(model.channel_weights_)
    variants = [("JOAPS cosine only (paper)", {"prior": 0.0, "neighbours": 0.0, "lexical": 0.0, "mention": 0.0})]
    labels = {"cosine": "JOAPS + prior", "neighbours": "JOAPS + prior + learned neighbours",
              "hybrid": "JOAPS + prior + neighbours + lexical + mention"}
    variants += [(labels[name], weights) for name, weights in model.ranking_weights_.items()]
    if chosen.get("mention"):  # the default ranking with the mention channel dropped (the others as chosen)
        variants.append(("JOAPS default without mention", {**chosen, "mention": 0.0}))
    reports = []
    for label, weights in variants:
        model.channel_weights_ = weights
        reports.append(score(f"{label} {format_weights(weights)}", model, X_test, y_test, fit_seconds))
    model.channel_weights_ = chosen
    return reports


def format_weights(weights):
    return "(" + ", ".join(f"{k[:3]} {v:g}" for k, v in weights.items() if v) + ")" if any(weights.values()) else ""


def collapsed_titles(model, threshold=0.99999):
    """Share of fitted titles whose nearest other fitted title has cosine >= `threshold` (titles sharing a vector).

    Titles with the same encoder input are one title to the model (`most_similar` leaves them out too).
    """
    keys = np.unique(input_rows(model._title_inputs(list(model.titles_))), return_inverse=True)[1].ravel()
    _, similarity = nearest_other_title(model.title_vectors_, keys)
    return float(np.mean(similarity >= threshold))


def unseen_titles_too_close(model, titles, threshold=0.995):
    """Of the `titles` not fitted (normalized, no fitted title with their encoder input): the share whose
    nearest fitted title has cosine >= `threshold`, and the closest (cosine, title, fitted title) five."""
    queries = sorted({normalize_title(t) for t in titles} - set(model.titles_))
    if not queries:  # every test title is a fitted one (O*NET)
        return float("nan"), []
    inputs = model._title_inputs(queries)
    unseen = ~(input_rows(inputs)[:, None] == model._title_input_keys[None, :]).any(axis=1)
    if not unseen.any():
        return float("nan"), []
    queries = [query for query, keep in zip(queries, unseen) if keep]
    similarity = run_encoder(model._title_encoder, [a[unseen] for a in inputs]) @ model.title_vectors_.T
    nearest = similarity.argmax(axis=1)
    best = similarity[np.arange(len(queries)), nearest]
    closest = [(round(float(best[i]), 4), queries[i], model.titles_[nearest[i]]) for i in np.argsort(-best)[:5]]
    return float(np.mean(best >= threshold)), closest


def run_set(X_train, y_train, X_test, y_test, params, fitted=None, seq2seq=False):
    reports = []
    models = fitted or {}
    baselines = [("most frequent title", MostFrequentTitlePredictor),
                 ("TF-IDF 50-NN vote", TfidfNeighborsTitlePredictor)]
    if seq2seq:  # the paper's setting: 4 epochs (its loss plateaus there on LinkedIn)
        baselines.append(("Seq2Seq (4 epochs)", lambda: Seq2SeqTitlePredictor(epochs=4, random_state=0)))
    for name, make in baselines:
        if name not in models:
            models[name] = fit(make(), X_train, y_train)
        reports.append(score(name, models[name][0], X_test, y_test, models[name][1]))
    if "joaps" not in models:
        models["joaps"] = fit(TitlePredictor(**params), X_train, y_train)
    model, seconds = models["joaps"]
    joaps = score(f"JOAPS TitlePredictor() {format_weights(model.channel_weights_)}", model, X_test, y_test, seconds)
    joaps["collapsed_titles"] = collapsed_titles(model)
    joaps["titles_at_1.00"] = collapsed_titles(model, 0.995)
    joaps["unseen_titles_at_1.00"], closest = unseen_titles_too_close(model, y_test)
    print(f"fitted titles sharing a vector with another (cosine >= 0.99999): {100 * joaps['collapsed_titles']:.2f}%; "
          f"with another at cosine 1.00 to two decimals: {100 * joaps['titles_at_1.00']:.2f}%; unseen test titles "
          f"with a fitted title at 1.00: {100 * joaps['unseen_titles_at_1.00']:.2f}%, closest {closest}", flush=True)
    reports += [joaps] + ablations(model, X_test, y_test, seconds)
    return reports, models


def table(reports):
    lines = ["| model | " + " | ".join(COLUMNS) + " | fit s | predict desc/s |", "|---" * (len(COLUMNS) + 3) + "|"]
    for r in reports:
        cells = [f"{100 * r[c]:.1f}" if c.startswith("top") else f"{r[c]:.3f}" for c in COLUMNS]
        lines.append(f"| {r['model']} | " + " | ".join(cells)
                     + f" | {r['fit_seconds']:.0f} | {r['predict_descriptions_per_s']:.0f} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", choices=SETS, help="data set (repeatable; default: all)")
    parser.add_argument("--quick", action="store_true", help="3,000 rows a set and 3 epochs")
    parser.add_argument("--param", action="append", default=[], help="TitlePredictor parameter NAME=VALUE")
    parser.add_argument("--json", help="write the reports here")
    parser.add_argument("--markdown", help="write the tables here (e.g. docs/title_prediction.md)")
    parser.add_argument("--seq2seq", action="store_true", help="add Seq2Seq (4 epochs) on linkedin2024")
    parser.add_argument("--save", help="joblib.dump each set's fitted TitlePredictor to SAVE-<set>.joblib")
    args = parser.parse_args(argv)
    sets = args.set or list(SETS)
    params = {"random_state": 0, **({"epochs": 3} if args.quick else {})}
    for item in args.param:
        name, value = item.split("=", 1)
        params[name] = ast.literal_eval(value)
    print(f"job2vec {job2vec.__version__}, python {platform.python_version()}, {os.cpu_count()} CPUs; "
          f"TitlePredictor{params}; sets {sets}", flush=True)

    results, linkedin = {}, None
    for name in sets:
        tic = time.perf_counter()
        X_train, y_train, X_test, y_test = load_split(name, args.quick)
        seen_titles = {normalize_title(t) for t in y_train}
        reachable = np.mean([normalize_title(t) in seen_titles for t in y_test])
        print(f"\n## {name}: {len(X_train):,} train / {len(X_test):,} test rows, {len(seen_titles):,} training "
              f"titles; {100 * reachable:.1f}% of test rows have a training title", flush=True)
        reuse = linkedin if name in ("linkedin2024", "crosssource") else None
        reports, models = run_set(X_train, y_train, X_test, y_test, params, reuse,
                                  seq2seq=args.seq2seq and name == "linkedin2024")
        if name in ("linkedin2024", "crosssource"):
            linkedin = models
        if args.save:
            joblib.dump(models["joaps"][0], f"{args.save}-{name}.joblib")
        results[name] = {"train_rows": len(X_train), "test_rows": len(X_test), "reachable": reachable,
                         "wall_seconds": time.perf_counter() - tic, "reports": reports}
        print(f"\n### {name} ({results[name]['wall_seconds']:.0f} s)\n\n" + table(reports), flush=True)
        if args.json:
            with open(args.json, "w") as handle:
                json.dump({"params": {k: repr(v) for k, v in params.items()}, "results": results}, handle, indent=1,
                          default=float)
    if args.markdown:
        write_markdown(args.markdown, results, params, " ".join(sys.argv[1:]))
    return 0


def write_markdown(path, results, params, arguments):
    names = {"linkedin2024": "LinkedIn 2024, grouped 80/20 split",
             "crosssource": "cross-source: trained on the LinkedIn 2024 training split, tested on LinkedIn "
                            "2019 data roles + LinkedIn 2023-24 general",
             "emscad": "EMSCAD (general domain), grouped 80/20 split", "onet": "O*NET task statements, 80/20 split"}
    lines = ["# Title prediction on four data sets\n",
             f"Written by `python benchmarks/title_prediction.py {arguments}` on {time.strftime('%Y-%m-%d')}; "
             f"job2vec {job2vec.__version__}, {os.cpu_count()} CPUs, TitlePredictor{params}.\n",
             "Accuracy in % (\"_per_title\": averaged over true titles), max-BLEU over the top k. The JOAPS ablations "
             "re-rank the one fitted model with the weights each simpler ranking got on the validation split "
             "(`ranking_weights_`); their fit time is the one fit's.\n"]
    for name, result in results.items():
        lines.append(f"## {names[name]}\n")
        lines.append(f"{result['train_rows']:,} training / {result['test_rows']:,} test rows; "
                     f"{100 * result['reachable']:.1f}% of test rows have a training title; "
                     f"set wall time {result['wall_seconds']:.0f} s.\n")
        lines.append(table(result["reports"]) + "\n")
        joaps = next(r for r in result["reports"] if "collapsed_titles" in r)
        lines.append(f"JOAPS fitted titles sharing a vector with another title (cosine >= 0.99999): "
                     f"{100 * joaps['collapsed_titles']:.2f}%; with another at cosine 1.00 to two decimals "
                     f"(>= 0.995): {100 * joaps['titles_at_1.00']:.2f}%. Test titles not fitted with a fitted title "
                     f"at >= 0.995: {100 * joaps.get('unseen_titles_at_1.00', float('nan')):.2f}%.\n")
    with open(path, "w") as handle:
        handle.write("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
