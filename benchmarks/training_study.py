"""What trains the JOAPS network best: each variant scored on a validation split, never on a test split.

For each set, the training split of `title_prediction.py` (the same seeds) is
split again, 85/15 with identical descriptions kept on one side; each variant
of `TitlePredictor` is fitted on the 85 % and scored on the 15 %. Reported:
Top-1/5/10 over rows and per title for the default ranking (its channel
weights chosen inside `fit`, on the fit's own early-stopping split) and for
the cosine alone (the network by itself), plus fit time and epochs.

Usage::

    python benchmarks/training_study.py --set emscad --set onet --json study.json
    python benchmarks/training_study.py --set linkedin2024 --rows 6000
    python benchmarks/training_study.py --set onet --seed 1   # another initialization, same split

Also reported: the share of validation titles not seen in fit whose nearest
fitted title is at cosine >= 0.995 (`title_prediction.unseen_titles_too_close`).
"""

import argparse
import json
import os
import sys
import time

import numpy as np
from sklearn.model_selection import GroupShuffleSplit

sys.path.insert(0, os.path.dirname(__file__))
from title_prediction import load_split, unseen_titles_too_close  # noqa: E402

from job2vec import TitlePredictor  # noqa: E402
from job2vec.metrics import top_k_accuracy  # noqa: E402

VARIANTS = {  # name: TitlePredictor parameters changed from the defaults
    "defaults (WOCR, margin 0.1, batch 8-128, lr 1e-3, fine-tuned W_in)": {},
    "MNRL loss": {"loss": "mnrl"},
    "margin 0.2": {"margin": 0.2},
    "margin 0.05": {"margin": 0.05},
    "batch 32-256": {"batch_size_range": (32, 256)},
    "learning rate 3e-3": {"learning_rate": 3e-3},
    "frozen W_in": {"trainable_embeddings": False},
    "up to 20 epochs": {"epochs": 20},
    "title GRU alone (no word mean)": {"title_word_mean": False},
}


def validation_split(X, y, rows, seed=1):
    if rows and len(X) > rows:
        keep = np.random.default_rng(seed).permutation(len(X))[:rows]
        X, y = X[keep], y[keep]
    fit, valid = next(GroupShuffleSplit(n_splits=1, test_size=0.15, random_state=seed).split(X, y, groups=X))
    return X[fit], y[fit], X[valid], y[valid]


def scores(model, X, y):
    top = model.predict_top_k(X, k=10)
    return {f"top_{k}{suffix}": 100 * top_k_accuracy(y, top, k=k, average=average)
            for k in (1, 5, 10) for suffix, average in (("", "micro"), ("_per_title", "per_title"))}


def run_variant(params, X_fit, y_fit, X_valid, y_valid, seed=0):
    tic = time.perf_counter()
    model = TitlePredictor(random_state=seed, **params).fit(X_fit, y_fit)
    report = {"fit_seconds": time.perf_counter() - tic, "epochs": model.n_iter_, "best_epoch": model.best_epoch_,
              "weights": model.channel_weights_, "ranking": scores(model, X_valid, y_valid)}
    report["unseen_titles_at_1.00"] = unseen_titles_too_close(model, y_valid)[0]
    model.channel_weights_ = {name: 0.0 for name in model.channel_weights_}
    report["cosine"] = scores(model, X_valid, y_valid)
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", choices=("linkedin2024", "emscad", "onet"))
    parser.add_argument("--variant", action="append", choices=list(VARIANTS), help="default: all")
    parser.add_argument("--rows", type=int, default=0, help="sample this many training rows first (0: all)")
    parser.add_argument("--seed", type=int, default=0, help="TitlePredictor's random_state (the split stays)")
    parser.add_argument("--json", help="write the reports here")
    args = parser.parse_args(argv)
    results = {}
    for name in args.set or ["emscad", "onet"]:
        X_train, y_train, _, _ = load_split(name)
        X_fit, y_fit, X_valid, y_valid = validation_split(X_train, y_train, args.rows)
        print(f"\n## {name}: {len(X_fit):,} fit / {len(X_valid):,} validation rows", flush=True)
        print("| variant | ranking Top-1/5/10 | per title | cosine Top-1/5/10 | per title | fit s | epochs "
              "| unseen titles at >= 0.995 (%) |")
        print("|---|---|---|---|---|---|---|---|", flush=True)
        for variant in args.variant or list(VARIANTS):
            report = run_variant(VARIANTS[variant], X_fit, y_fit, X_valid, y_valid, args.seed)
            results.setdefault(name, {})[variant] = report
            cells = [f"{r['top_1' + s]:.1f}/{r['top_5' + s]:.1f}/{r['top_10' + s]:.1f}"
                     for r in (report["ranking"], report["cosine"]) for s in ("", "_per_title")]
            print(f"| {variant} | " + " | ".join(cells) + f" | {report['fit_seconds']:.0f} | "
                  f"{report['epochs']} (best {report['best_epoch']}) | "
                  f"{100 * report['unseen_titles_at_1.00']:.2f} |", flush=True)
            if args.json:
                with open(args.json, "w") as handle:
                    json.dump(results, handle, indent=1, default=float)
    return 0


if __name__ == "__main__":
    sys.exit(main())
