"""Explanations and maps on a real set: the deletion test, the paper's Table 5 and Figures 3-4.

On one set of `title_prediction.py` (EMSCAD by default) it fits `TitlePredictor()`,
`Seq2SeqTitlePredictor(epochs=4)` and `Word2VecSumEmbedder()` on the training split
(random_state 0), then writes to ``--out`` (default ``docs/gallery``):

- ``deletion.md`` / ``deletion.png``: the faithfulness test on held-out test
  descriptions: the mean drop of the description-title cosine when the k words
  with the largest attributions (filters, and gradient x input) are deleted,
  against k random known words (the same random draw for both);
- ``table5.html``: three test descriptions highlighted by the JOAPS filters
  beside the Seq2Seq attention (the paper's Table 5);
- ``map_1.png``, ``map_2.png``: the two most frequent training titles and their neighbours,
  JOAPS beside the word2vec-sum baseline (the paper's Figures 3-4);
- ``training.png``: loss, violation ratio and batch size per epoch.

Usage::

    python benchmarks/explanations.py                       # EMSCAD, about 5 minutes on 2 cores
    python benchmarks/explanations.py --set linkedin2024 --joaps model.joblib --no-seq2seq
"""

import argparse
import collections
import html
import os
import sys
import time

import joblib
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from title_prediction import load_split  # noqa: E402

from job2vec import TitlePredictor, normalize_title  # noqa: E402
from job2vec.baselines import Seq2SeqTitlePredictor, Word2VecSumEmbedder  # noqa: E402
from job2vec.explanations import deletion_test  # noqa: E402
from job2vec.plotting import plot_neighbours, plot_training  # noqa: E402

KS = (1, 2, 3, 5, 8, 10)


def timed(label, make):
    tic = time.perf_counter()
    value = make()
    print(f"{label}: {time.perf_counter() - tic:.0f} s", flush=True)
    return value


def write_deletion(out, drops, n_descriptions, set_name):
    """`drops`: ``{method: {k: (attributed, random)}}``."""
    methods = list(drops)
    lines = [f"Deletion test on {n_descriptions} held-out {set_name} test descriptions (their top title): mean drop "
             "of the description-title cosine after deleting k words: the k words with the largest attribution, "
             "or k random known words.\n",
             "| k | " + " | ".join(f"{m}: top-k deleted | {m}: random deleted" for m in methods) + " |",
             "|---|" + "---|---|" * len(methods)]
    for k in drops[methods[0]]:
        lines.append(f"| {k} | " + " | ".join(f"{drops[m][k][0]:.4f} | {drops[m][k][1]:.4f}" for m in methods) + " |")
    with open(os.path.join(out, "deletion.md"), "w") as handle:
        handle.write("\n".join(lines) + "\n")
    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    for method in methods:
        ks = list(drops[method])
        ax.plot(ks, [drops[method][k][0] for k in ks], marker="o", label=f"top-k by {method}")
    ax.plot(ks, [drops[methods[0]][k][1] for k in ks], marker="o", color="grey", label="k random words")
    ax.set_xlabel("words deleted (k)")
    ax.set_ylabel("mean cosine drop")
    ax.set_title(f"Deletion test ({set_name}, {n_descriptions} descriptions)", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "deletion.png"), dpi=120)
    plt.close(fig)
    print("\n".join(lines), flush=True)


def write_table5(out, joaps, seq2seq, descriptions, truths):
    rows = []
    for text, truth in zip(descriptions, truths):
        cells = [joaps.explain(text).to_html()]
        if seq2seq is not None:
            cells.append(seq2seq.explain(text).to_html())
        rows.append(f"<tr><td colspan='{len(cells)}'><i>true title: {html.escape(normalize_title(truth))}</i>"
                    "</td></tr><tr>" + "".join(f"<td style='vertical-align: top; width: {100 // len(cells)}%'>{c}</td>"
                                               for c in cells) + "</tr>")
    columns = ["JOAPS: CNN filters"] + (["Seq2Seq: attention"] if seq2seq is not None else [])
    header = "<tr>" + "".join(f"<th>{name}</th>" for name in columns) + "</tr>"
    with open(os.path.join(out, "table5.html"), "w", encoding="utf-8") as handle:
        handle.write("<table style='border-collapse: collapse; font-size: 0.85em'>" + header + "".join(rows)
                     + "</table>\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="emscad", choices=("emscad", "linkedin2024", "onet"))
    parser.add_argument("--joaps", help="a saved TitlePredictor fitted on the set's training split (skips its fit)")
    parser.add_argument("--no-seq2seq", action="store_true", help="skip the Seq2Seq column of Table 5")
    parser.add_argument("--descriptions", type=int, default=200, help="held-out descriptions in the deletion test")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), os.pardir, "docs", "gallery"))
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    X_train, y_train, X_test, y_test = load_split(args.set)
    tic = time.perf_counter()
    joaps = (joblib.load(args.joaps) if args.joaps
             else timed("TitlePredictor fit", lambda: TitlePredictor(random_state=0).fit(X_train, y_train)))
    seq2seq = None if args.no_seq2seq else timed(
        "Seq2Seq fit", lambda: Seq2SeqTitlePredictor(epochs=4, random_state=0).fit(X_train, y_train))
    word2vec = timed("word2vec-sum fit", lambda: Word2VecSumEmbedder(random_state=0).fit(y_train, X_train))

    rng = np.random.default_rng(0)
    chosen = rng.choice(len(X_test), size=min(args.descriptions, len(X_test)), replace=False)
    drops = {method: timed(f"deletion test ({method})", lambda: deletion_test(
        joaps, list(X_test[chosen]), ks=KS, random_state=0, method=method)) for method in ("filters", "gradient")}
    write_deletion(args.out, drops, len(chosen), args.set)

    short = [i for i in chosen if 200 <= len(X_test[i]) <= 700][:3]  # readable in a table cell
    write_table5(args.out, joaps, seq2seq, X_test[short], y_test[short])

    common = collections.Counter(normalize_title(t) for t in y_train).most_common(2)
    for rank, (title, _) in enumerate(common, start=1):
        axes = plot_neighbours(joaps, title, topn=10, compare=word2vec)
        axes[0].figure.tight_layout()
        axes[0].figure.savefig(os.path.join(args.out, f"map_{rank}.png"), dpi=110)
        plt.close("all")
    axes = plot_training(joaps)
    axes[0].figure.tight_layout()
    axes[0].figure.savefig(os.path.join(args.out, "training.png"), dpi=110)
    plt.close("all")
    print(f"Wrote the gallery to {args.out} in {time.perf_counter() - tic:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
