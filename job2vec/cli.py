"""The ``job2vec`` command: train, predict, neighbours, explain, map, evaluate, normalize.

Every subcommand has ``--help``. Errors print one line on stderr and exit
with status 1.
"""

import argparse
import ast
import json
import os
import sys
import time

from . import __version__

_DEMO_PARAMS = {"epochs": 5, "random_state": 0}  # the bundled-data demo: a few minutes on 2 cores


def _load_data(path, title_column, description_column):
    from .datasets import load_onet, load_postings

    if path is None:
        bunch = load_onet(kind="tasks")
        print(f"Using the bundled O*NET 27.0 sample: {len(bunch.data):,} task statements, "
              f"{len(set(bunch.target)):,} occupation titles (CC BY 4.0, USDOL/ETA).", file=sys.stderr)
        return bunch.data, bunch.target, None
    bunch = load_postings(path, title_column=title_column, description_column=description_column)
    groups = bunch.frame["dup_cluster"].to_numpy() if "dup_cluster" in bunch.frame else None
    print(f"Loaded {len(bunch.data):,} postings from {path}.", file=sys.stderr)
    return bunch.data, bunch.target, groups


def _load_model(path, needs="predict_top_k"):
    """Load a saved model that has the method `needs`, and say on stderr what was loaded.

    Any saved estimator with that method works: a JOAPS model, the Seq2Seq or
    TF-IDF baselines, or the user's own.
    """
    import joblib

    if not os.path.isfile(path):
        raise FileNotFoundError(f"no such model file: {path!r}.")
    try:
        model = joblib.load(path)
    except ValueError:
        raise
    except Exception as exc:  # pickle, zlib, EOF: a damaged or foreign file
        raise ValueError(f"{path!r} is not a readable job2vec model: {exc!r}") from exc
    name = type(model).__name__
    if needs == "predict_label" and not hasattr(model, needs):
        raise ValueError(f"{path!r} holds a {name}; job2vec normalize needs a saved TitleNormalizer.")
    if not hasattr(model, needs):
        does = "embeds titles, it does not predict them" if hasattr(model, "most_similar") else "is not a title model"
        wanted = "a model that predicts titles" if needs == "predict_top_k" else "a model that embeds titles"
        raise ValueError(f"{path!r} holds a {name}: it {does}; this command needs {wanted}.")
    print(f"Loaded a {name} from {path}.", file=sys.stderr)
    return model


def _read_descriptions(source, description_column, what="description"):
    from .datasets import is_postings_file, load_postings

    if source in (None, "-"):
        if sys.stdin.isatty():
            print(f"Reading {what}s from standard input, one per line; end with Ctrl-D.", file=sys.stderr)
        lines = [line.strip() for line in sys.stdin]
    elif is_postings_file(source):
        frame = load_postings(source, title_column=description_column,
                              description_column=description_column).frame
        return frame[description_column].tolist()
    else:
        if not os.path.isfile(source):
            raise FileNotFoundError(f"no such file: {source!r}.")
        with open(source, encoding="utf-8") as handle:
            lines = [line.strip() for line in handle]
    lines = [line for line in lines if line]
    if not lines:
        raise ValueError(f"no {what} to predict: the input is empty.")
    return lines


def _print_report(report):
    ks = sorted({int(key.split("_")[1]) for key in report if key.startswith("top_")})
    print("\n            " + "".join(f"{'@' + str(k):>9}" for k in ks))
    print("Top-k acc.  " + "".join(f"{100 * report[f'top_{k}']:8.1f}%" for k in ks))
    print("  per title " + "".join(f"{100 * report[f'top_{k}_per_title']:8.1f}%" for k in ks))
    print("max-BLEU    " + "".join(f"{report[f'bleu_{k}']:9.3f}" for k in ks))


def _parse_params(items):
    params = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"--param takes NAME=VALUE, got {item!r}.")
        try:
            params[name] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            params[name] = value
    return params


def cmd_train(args):
    import joblib
    import numpy as np
    from sklearn.model_selection import GroupShuffleSplit, ShuffleSplit

    from . import TitlePredictor
    from .metrics import evaluate

    params = dict(_DEMO_PARAMS) if args.data is None else {"random_state": 0}
    if args.epochs is not None:
        params["epochs"] = args.epochs
    params.update(_parse_params(args.param))
    X, y, groups = _load_data(args.data, args.title_column, args.description_column)
    params.setdefault("verbose", 0 if args.quiet else 1)
    model = TitlePredictor(**params)  # parameters are checked by fit, before any heavy work

    if args.test_size > 0:
        splitter = (GroupShuffleSplit if groups is not None else ShuffleSplit)(
            n_splits=1, test_size=args.test_size, random_state=0)
        train, test = next(splitter.split(X, y, groups))
    else:
        train, test = np.arange(len(X)), np.arange(0)
    print(f"Training TitlePredictor on {len(train):,} pairs"
          + (f", holding out {len(test):,} for evaluation" if len(test) else "") + ".")
    tic = time.perf_counter()
    model.fit(X[train], y[train])
    print(f"Trained in {time.perf_counter() - tic:.0f} s ({len(model.history_['loss'])} epochs, "
          f"{len(model.vocabulary_) - 1:,} words, {len(model.classes_):,} titles).")
    channels = " + ".join(f"{weight:g} x {name}" for name, weight in model.channel_weights_.items() if weight)
    print(f"Ranking ({model.ranking}): cosine" + (f" + {channels}" if channels else "")
          + " (weights chosen on the validation pairs).")
    if len(test):
        report = evaluate(model, X[test], y[test])
        print(f"Held-out evaluation on {len(test):,} descriptions "
              f"(candidates: the {len(model.classes_):,} training titles):")
        _print_report(report)
        shown = test[: args.examples]
        top, scores = model.predict_top_k(X[shown], k=3, return_scores=True)
        print("\nExample predictions:")
        for i, row, row_scores in zip(shown, top, scores):
            text = X[i] if len(X[i]) <= 90 else X[i][:87] + "..."
            guesses = ", ".join(f"{t} ({s:.2f})" for t, s in zip(row, row_scores))
            print(f"  {text}\n    true: {y[i]}\n    predicted: {guesses}")
    joblib.dump(model, args.output)
    # Said plainly: refitting on every row would double the training time.
    print(f"\nSaved the model to {args.output}; it was trained on the {len(train):,} training rows only"
          + (f", not on the {len(test):,} held-out ones (--test-size 0 trains on every row)." if len(test) else "."))
    return 0


def cmd_predict(args):
    model = _load_model(args.model)
    if args.n_jobs is not None:
        if "n_jobs" not in model.get_params():
            raise ValueError(f"--n-jobs needs a model with an n_jobs parameter; a {type(model).__name__} has none.")
        model.set_params(n_jobs=args.n_jobs)
    if args.scheduler is not None:
        return _predict_on_dask(model, args)
    if args.output:
        raise ValueError("--output writes the answers of --scheduler; without it, redirect standard output.")
    sources = args.descriptions or [None]
    descriptions = [text for source in sources for text in _read_descriptions(source, args.description_column)]
    confidence = None
    if args.min_confidence is None:
        titles, scores = model.predict_top_k(descriptions, k=args.k, return_scores=True)
    elif hasattr(model, "predict_proba"):
        titles, scores, confidence = model._top_k_and_confidence(descriptions, args.k)
    else:
        raise ValueError(f"--min-confidence needs a model with predict_proba; a {type(model).__name__} has none.")
    _print_predictions(descriptions, titles, scores, confidence, args)
    return 0


def _predict_on_dask(model, args):
    """``job2vec predict --scheduler``: each file read and predicted on the Dask cluster."""
    import functools

    from . import dask as job2vec_dask

    if not args.descriptions:
        raise ValueError("--scheduler needs description files (the workers read them), not standard input.")
    if args.min_confidence is not None:
        raise ValueError("--min-confidence is not available with --scheduler.")
    missing = [path for path in args.descriptions if not os.path.isfile(path)]
    if missing:
        raise FileNotFoundError(f"no such file: {missing[0]!r}.")
    if args.output and not args.output.endswith((".csv", ".parquet")):
        raise ValueError(f"--output must end in .csv or .parquet, got {args.output!r}.")
    from distributed import Client

    client = job2vec_dask.local_client() if args.scheduler == "local" else Client(args.scheduler)
    with client:
        print(f"Predicting {len(args.descriptions)} file(s) on {client.scheduler.address} "
              f"({len(client.scheduler_info()['workers'])} workers).", file=sys.stderr)
        read = functools.partial(_read_descriptions, description_column=args.description_column)
        answers = job2vec_dask.predict_files(model, [os.path.abspath(p) for p in args.descriptions], read,
                                             k=args.k)
        if args.output:
            if args.output.endswith(".csv"):
                answers.to_csv(args.output, single_file=True, index=False)
            else:
                answers.to_parquet(args.output, write_index=False)
            print(f"Wrote the top {args.k} titles of every description to {args.output}.", file=sys.stderr)
            return 0
        frame = answers.compute()
    width = len([c for c in frame.columns if c.startswith("title_")])
    titles = frame[[f"title_{i + 1}" for i in range(width)]].to_numpy()
    scores = frame[[f"score_{i + 1}" for i in range(width)]].to_numpy()
    _print_predictions(frame["text"].tolist(), titles, scores, None, args)
    return 0


def _print_predictions(descriptions, titles, scores, confidence, args):
    import numpy as np

    if args.json:
        rows = []
        for i, (d, tr, sr) in enumerate(zip(descriptions, titles.tolist(), np.asarray(scores).tolist())):
            row = {"description": d, "titles": [{"title": t, "score": round(float(s), 4)} for t, s in zip(tr, sr)]}
            if confidence is not None:
                row.update(confidence=round(float(confidence[i]), 4), unknown=bool(confidence[i] < args.min_confidence))
            rows.append(row)
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for i, (description, row, row_scores) in enumerate(zip(descriptions, titles, scores)):
        print(description if len(description) <= 100 else description[:97] + "...")
        if confidence is not None and confidence[i] < args.min_confidence:
            print(f"  unknown (confidence {confidence[i]:.2f} < {args.min_confidence}; best guess: {row[0]})")
            continue
        for rank, (title, score) in enumerate(zip(row, row_scores), start=1):
            print(f"  {rank:>2}. {title:<50} {score:.3f}")
        if confidence is not None:
            print(f"      confidence {confidence[i]:.2f}")


def cmd_neighbours(args):
    model = _load_model(args.model, needs="most_similar")
    neighbours = model.most_similar(args.title, topn=args.n)
    if args.json:
        print(json.dumps([{"title": t, "cosine": round(s, 4)} for t, s in neighbours], ensure_ascii=False, indent=1))
        return 0
    print(f"Nearest titles to {args.title!r} in job2vec:")
    for rank, (title, score) in enumerate(neighbours, start=1):
        print(f"  {rank:>2}. {title:<50} {score:.3f}")
    return 0


def cmd_explain(args):
    model = _load_model(args.model, needs="explain")
    descriptions = _read_descriptions(args.descriptions, args.description_column)
    explanations = [model.explain(text, args.title) for text in descriptions]
    if args.json:
        print(json.dumps([{"title": e.title, "score": round(e.score, 4), "method": e.method,
                           "words": [{"token": t, "start": a, "end": b, "weight": round(float(w), 5)}
                                     for t, (a, b), w in zip(e.tokens, e.spans, e.weights)]}
                          for e in explanations], ensure_ascii=False, indent=1))
    else:
        for text, explanation in zip(descriptions, explanations):
            shown = text if len(text) <= 90 else text[:87] + "..."
            print(f"{shown}\n  -> {explanation}")
    if args.html:
        from .explanations import html_page

        with open(args.html, "w", encoding="utf-8") as handle:
            handle.write(html_page(explanations))
        print(f"Wrote {len(explanations)} highlighted descriptions to {args.html}.", file=sys.stderr)
    return 0


def cmd_map(args):
    from .plotting import plot_neighbours

    model = _load_model(args.model, needs="most_similar")
    compare = _load_model(args.compare, needs="most_similar") if args.compare else None
    axes = plot_neighbours(model, args.title, topn=args.n, method=args.method, compare=compare)
    import matplotlib.pyplot as plt

    figure = (axes[0] if compare is not None else axes).figure
    figure.tight_layout()
    figure.savefig(args.output, dpi=150)
    plt.close(figure)
    print(f"Wrote the map of {args.title!r} and its {args.n} nearest titles to {args.output}.", file=sys.stderr)
    return 0


def _read_titles(source, title_column, description_column):
    """Query titles (a list) or postings with descriptions (a DataFrame) from a file or standard input."""
    import pandas as pd

    from .datasets import is_postings_file, load_postings

    if source not in (None, "-") and is_postings_file(source):
        frame = load_postings(source, title_column=title_column, description_column=title_column).frame
        if description_column in frame:
            return pd.DataFrame({"title": frame[title_column], "description": frame[description_column]})
        return frame[title_column].tolist()
    return _read_descriptions(source, description_column, what="title")


def _normalizer(args):
    """The saved normalizer of --model, or a new one fitted on the taxonomy (and saved to --model)."""
    if args.model and os.path.isfile(args.model):
        return _load_model(args.model, needs="predict_label")
    import joblib

    from .normalizer import TitleNormalizer

    model = TitleNormalizer(args.taxonomy, language=args.language, random_state=0, verbose=0 if args.quiet else 1)
    print(f"Learning job2vec from the {args.taxonomy} taxonomy (a few minutes on 2 cores; --model FILE saves it "
          "for the next call)...", file=sys.stderr)
    start = time.perf_counter()
    model.fit()
    print(f"Fitted in {time.perf_counter() - start:.0f} s on {model.n_labels_:,} labels of "
          f"{len(model.classes_):,} occupations.", file=sys.stderr)
    if args.model:
        joblib.dump(model, args.model)
        print(f"Saved to {args.model}.", file=sys.stderr)
    return model


def cmd_normalize(args):
    import pandas as pd

    queries = _read_titles(args.titles, args.title_column, args.description_column)
    model = _normalizer(args)
    codes, scores = model.predict_top_k(queries, k=args.k, return_scores=True)
    labels = model.labels_[model.classes_.searchsorted(codes)]
    titles = queries["title"].tolist() if isinstance(queries, pd.DataFrame) else queries
    if args.json:
        print(json.dumps([{"title": t, "matches": [{"code": c, "label": l, "score": round(float(s), 4)}
                                                   for c, l, s in zip(cr, lr, sr)]}
                          for t, cr, lr, sr in zip(titles, codes.tolist(), labels.tolist(), scores.tolist())],
                         ensure_ascii=False, indent=1))
        return 0
    for title, code_row, label_row, score_row in zip(titles, codes, labels, scores):
        print(title)
        for rank, (code, label, score) in enumerate(zip(code_row, label_row, score_row), start=1):
            print(f"  {rank:>2}. {code:<14} {label:<50} {score:.3f}")
    return 0


def cmd_evaluate(args):
    from .metrics import evaluate

    model = _load_model(args.model)
    X, y, _ = _load_data(args.data, args.title_column, args.description_column)
    report = evaluate(model, X, y)
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        candidates = (f"candidates: the model's {len(model.classes_):,} titles" if hasattr(model, "classes_")
                      else "generated titles")
        print(f"Evaluation on {len(X):,} descriptions ({candidates}):")
        _print_report(report)
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="job2vec", description="Learn job-title embeddings and predict job titles with JOAPS.")
    parser.add_argument("--version", action="version", version=f"job2vec {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def columns(p):
        p.add_argument("--title-column", default="title", help="title column of DATA (default: title)")
        p.add_argument("--description-column", default="description",
                       help="description column of DATA (default: description)")

    p = sub.add_parser("train", help="train a TitlePredictor and report held-out metrics",
                       description="Train a TitlePredictor on DATA (CSV, TSV, JSON-lines, JSON or parquet with "
                                   "title and description columns) or, without DATA, on the bundled O*NET sample. "
                                   "A held-out split is evaluated (grouped by dup_cluster when DATA has it).")
    p.add_argument("data", nargs="?", help="postings file; default: the bundled O*NET 27.0 sample")
    p.add_argument("-o", "--output", default="model.joblib", help="where to save the model (default: model.joblib)")
    p.add_argument("--test-size", type=float, default=0.2, help="held-out share (default: 0.2; 0 to skip)")
    p.add_argument("--epochs", type=int, help="maximum epochs (default: 5 on the bundled data, else 10)")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="any TitlePredictor parameter, e.g. --param trainable_embeddings=True (repeatable)")
    p.add_argument("--examples", type=int, default=3, help="example predictions to show (default: 3)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    columns(p)
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("predict", help="top-k titles of descriptions",
                       description="Predict the top-k titles of each description: DESCRIPTIONS are text files "
                                   "with one description per line, postings files, or '-' / nothing for stdin.")
    p.add_argument("model", help="a model saved by `job2vec train`")
    p.add_argument("descriptions", nargs="*", help="files of descriptions; default: standard input")
    p.add_argument("-k", type=int, default=5, help="titles per description (default: 5)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--description-column", default="description",
                   help="description column when DESCRIPTIONS is a postings file")
    p.add_argument("--min-confidence", type=float, metavar="P",
                   help="answer 'unknown' when the best title's calibrated probability (predict_proba) is below P")
    p.add_argument("--n-jobs", type=int, metavar="N",
                   help="threads that rank descriptions against the titles (the model's n_jobs; -1: all cores)")
    p.add_argument("--scheduler", nargs="?", const="local", metavar="ADDRESS",
                   help="predict on a Dask cluster (pip install 'job2vec[dask]'): the scheduler's address, or "
                        "nothing for a local cluster of one worker per core; each file is read by a worker")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="with --scheduler, write the answers to FILE (.csv or .parquet) instead of printing them")
    p.set_defaults(func=cmd_predict)

    p = sub.add_parser("neighbours", aliases=["neighbors"], help="nearest titles of a title in job2vec",
                       description="List the fitted titles nearest to TITLE in job2vec; TITLE need not be known.")
    p.add_argument("model", help="a saved job2vec model")
    p.add_argument("title", help="any job title")
    p.add_argument("-n", type=int, default=10, help="how many neighbours (default: 10)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_neighbours)

    p = sub.add_parser("explain", help="which words of each description drove its title",
                       description="For each description, the words that drove the score of its top title (or "
                                   "--title): JOAPS CNN filters, or Seq2Seq attention.")
    p.add_argument("model", help="a saved TitlePredictor or Seq2SeqTitlePredictor")
    p.add_argument("descriptions", nargs="?",
                   help="text file (one description per line) or postings file; default: standard input")
    p.add_argument("--title", help="explain this title instead of the top prediction")
    p.add_argument("--html", metavar="FILE", help="also write the highlighted descriptions to FILE")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--description-column", default="description", help="column of a postings file")
    p.set_defaults(func=cmd_explain)

    p = sub.add_parser("map", help="draw a title and its nearest titles in 2-D (PNG, SVG, PDF)",
                       description="Draw TITLE and its nearest fitted titles in 2-D (PCA, as the JOAPS paper's "
                                   "Figures 3-4). Needs matplotlib (pip install 'job2vec[plot]').")
    p.add_argument("model", help="a saved job2vec model")
    p.add_argument("title", help="any job title")
    p.add_argument("-o", "--output", required=True, help="image file to write (format from its extension)")
    p.add_argument("-n", type=int, default=10, help="how many neighbours (default: 10)")
    p.add_argument("--method", choices=("pca", "umap"), default="pca", help="2-D projection (default: pca)")
    p.add_argument("--compare", metavar="MODEL", help="a second saved model drawn beside the first")
    p.set_defaults(func=cmd_map)

    p = sub.add_parser("evaluate", help="Top-k accuracy and max-BLEU of a model on labelled data",
                       description="Evaluate a saved TitlePredictor on DATA (or the bundled O*NET sample).")
    p.add_argument("model", help="a model saved by `job2vec train`")
    p.add_argument("data", nargs="?", help="postings file; default: the bundled O*NET 27.0 sample")
    p.add_argument("--json", action="store_true", help="print JSON")
    columns(p)
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("normalize", aliases=["normalise"], help="map job titles to taxonomy codes (ESCO, O*NET, ROME)",
                       description="Map free-form job titles (one per line, or a postings file with a title and "
                                   "an optional description column) to the occupations of a taxonomy.")
    p.add_argument("titles", nargs="?", help="file of titles or postings; default: standard input")
    p.add_argument("--taxonomy", choices=("esco", "onet", "rome"), default="esco", help="(default: esco)")
    p.add_argument("--language", choices=("en", "fr"), help="labels' language (default: the taxonomy's own)")
    p.add_argument("--model", metavar="FILE", help="a saved normalizer to use; when FILE does not exist, "
                                                   "the new one is saved there")
    p.add_argument("-k", type=int, default=3, help="occupations per title (default: 3)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    columns(p)
    p.set_defaults(func=cmd_normalize)
    return parser


def _keep_compiled_code():
    """Have JAX keep what it compiles on disk, so a later command skips it (about 1 s per command).

    Commands that build a network (``neighbours``, ``explain``, ``train``...)
    compile; ``predict`` with a JOAPS model does not import JAX at all.

    JAX's own persistent cache, in ``$XDG_CACHE_HOME/job2vec/jax`` (default
    ``~/.cache``); settings of the user's ``JAX_*`` variables win. It must be
    configured before JAX is imported, hence environment variables.
    """
    if "jax" in sys.modules:  # read when JAX is imported: too late (e.g. `main` called in a Python session)
        return
    cache_home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", os.path.join(cache_home, "job2vec", "jax"))
    # JAX keeps only compilations over 1 s by default; a network's are many short ones.
    os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
    os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "0")


def main(argv=None):
    """Run the ``job2vec`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    _keep_compiled_code()
    try:
        return args.func(args)
    except (ValueError, TypeError, OSError, ImportError, FloatingPointError) as exc:
        print(f"job2vec {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"job2vec {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
