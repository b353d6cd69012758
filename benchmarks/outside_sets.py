"""TitlePredictor() against TF-IDF 50-NN on two small sets that `title_prediction.py` does not use.

Nothing is chosen on these sets. Each is split 80/20 three times, grouped by ``dup_cluster``
(`GroupShuffleSplit`, random_state 0, 1, 2); on each split both models are fitted on the
training part and scored with `job2vec.metrics.evaluate`. Prints Top-1/5/10 in %, over rows |
per title, and the fit time.

Usage::

    python benchmarks/outside_sets.py [--json outside.json]
"""

import argparse
import json
import time

from sklearn.model_selection import GroupShuffleSplit

from job2vec import TitlePredictor
from job2vec.baselines import TfidfNeighborsTitlePredictor
from job2vec.metrics import evaluate
from title_prediction import read_pairs

SETS = {"Armenian CareerCenter 2004": "postings_armenian_careercenter_subset",
        "LinkedIn 2023-24 general": "postings_linkedin_2023_2024_subsets"}


def figures(model, X, y):
    report = evaluate(model, X, y)
    return " \\| ".join("/".join(f"{100 * report[f'top_{k}{suffix}']:.1f}" for k in (1, 5, 10))
                        for suffix in ("", "_per_title"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the rows here")
    args = parser.parse_args(argv)
    rows = []
    print("| set, split | TF-IDF 50-NN | TitlePredictor() | fit s |\n|---|---|---|---|", flush=True)
    for name, directory in SETS.items():
        X, y, groups = read_pairs(directory)
        for seed in (0, 1, 2):
            train, test = next(GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=seed).split(X, y, groups))
            tfidf = TfidfNeighborsTitlePredictor().fit(X[train], y[train])
            tic = time.perf_counter()
            joaps = TitlePredictor(random_state=0).fit(X[train], y[train])
            fit_seconds = time.perf_counter() - tic
            row = {"set": name, "rows": len(X), "split": seed, "tfidf": figures(tfidf, X[test], y[test]),
                   "joaps": figures(joaps, X[test], y[test]), "fit_seconds": round(fit_seconds)}
            rows.append(row)
            print(f"| {name} ({len(X)} rows), {seed} | {row['tfidf']} | {row['joaps']} | {row['fit_seconds']} |",
                  flush=True)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(rows, handle, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
