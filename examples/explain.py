"""Why a title was predicted, and where a title sits in job2vec.

1. `TitlePredictor.explain`: the words of a held-out task statement that drove
   its top title, from the CNN's max-pooled filters (the JOAPS paper's Table 5),
   printed and written as highlighted HTML.
2. The deletion test: deleting the most attributed words lowers the score more
   than deleting random ones.
3. `job2vec.plotting`: a title and its nearest titles in 2-D, JOAPS beside the
   word2vec-sum baseline (Figures 3-4), and the training curves.

Writes explanations.html, map.png and training.png to --out (default: the
current directory). About 3 minutes on 2 cores; --tiny takes seconds.

    python examples/explain.py [--tiny] [--out DIR]
"""

import argparse
import os

import matplotlib
from sklearn.model_selection import train_test_split

matplotlib.use("Agg")  # files only, no window

from job2vec import TitlePredictor  # noqa: E402
from job2vec.baselines import Word2VecSumEmbedder  # noqa: E402
from job2vec.explanations import deletion_test, html_page  # noqa: E402
from job2vec.plotting import plot_neighbours, plot_training  # noqa: E402

from _common import model_params, sample_tasks  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--tiny", action="store_true", help="tiny models and data (seconds; used by the tests)")
parser.add_argument("--out", default=".", help="directory for the HTML and the images")
args = parser.parse_args()
os.makedirs(args.out, exist_ok=True)

X, y, _ = sample_tasks(10 if args.tiny else 120)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
model = TitlePredictor(**model_params(args.tiny)).fit(X_train, y_train)

# 1. Which words drove the top title (or any title: model.explain(text, title="...")).
explanations = [model.explain(text) for text in X_test[:3]]
for text, truth, explanation in zip(X_test, y_test, explanations):
    print(f"{text}\n  true: {truth}\n  -> {explanation}\n")
with open(os.path.join(args.out, "explanations.html"), "w", encoding="utf-8") as handle:
    handle.write(html_page(explanations))  # in Jupyter, just display an Explanation

# 2. Are the attributions faithful? Delete the top-k words, or k random ones.
for k, (attributed, chance) in deletion_test(model, list(X_test[: 15 if args.tiny else 60]), ks=(1, 3, 5)).items():
    print(f"deleting {k} word(s): the cosine drops by {attributed:.3f} (top attributed) vs {chance:.3f} (random)")

# 3. Maps: the paper's PCA of a title's neighbours, JOAPS beside word2vec-sum; training curves.
baseline = Word2VecSumEmbedder(vector_size=model.word_vector_size, min_count=2, random_state=0).fit(y_train, X_train)
axes = plot_neighbours(model, y_train[0], topn=8, compare=baseline)
axes[0].figure.tight_layout()
axes[0].figure.savefig(os.path.join(args.out, "map.png"), dpi=110)
axes = plot_training(model)
axes[0].figure.tight_layout()
axes[0].figure.savefig(os.path.join(args.out, "training.png"), dpi=110)
print(f"\nWrote explanations.html, map.png and training.png to {os.path.abspath(args.out)}.")
