"""Peak memory of fitting `TitlePredictor` on many pairs, in a fresh process.

No shared set has 500k postings, so the pairs are drawn **with replacement**
from every English postings set in ``../shared/data`` (LinkedIn 2024, LinkedIn
2019 data roles, LinkedIn 2023-24, EMSCAD, CareerCenter.am): about 28k
distinct postings. job2vec keeps each distinct text's tokens, ids and index rows
once, so the repeats cost little beyond the per-pair arrays, but the vocabulary
counts every pair: repeats push more words over `min_count` (288,591 description
words at 500k pairs), which is what `max_vocabulary` (100,000) bounds.

A thread samples the resident set size every 0.2 s, so the report says in
which phase of the fit the peak happened (the fit's steps and progress lines are
stamped with the time).

Usage::

    python benchmarks/memory.py --pairs 500000 --epochs 1 --word2vec-epochs 1 --json mem500k.json
"""

import argparse
import gzip
import json
import os
import resource
import sys
import threading
import time

import numpy as np

DATA = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "shared", "data")
SETS = ("postings_linkedin_2024_data_professionals", "postings_linkedin_2019_data_roles",
        "postings_linkedin_2023_2024_subsets", "postings_emscad_subsets", "postings_armenian_careercenter_subset")


def read_postings():
    X, y = [], []
    for name in SETS:
        with gzip.open(os.path.join(DATA, name, "pairs.jsonl.gz"), "rt", encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                if (row.get("title") or "").strip() and (row.get("description") or "").strip():
                    X.append(row["description"])
                    y.append(row["title"])
    return np.array(X, dtype=object), np.array(y, dtype=object)


def rss_mb():
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class RssSampler(threading.Thread):
    """Samples the resident set size; `timeline` holds (seconds since start, MB)."""

    def __init__(self, interval=0.2):
        super().__init__(daemon=True)
        self.interval, self.timeline, self.start_time = interval, [], time.perf_counter()
        self.stopped = threading.Event()
        self.on_minute = None  # called every minute (a long run leaves a partial report)

    def run(self):
        while not self.stopped.is_set():
            self.timeline.append((time.perf_counter() - self.start_time, rss_mb()))
            if self.on_minute is not None and len(self.timeline) % int(60 / self.interval) == 0:
                self.on_minute()
            time.sleep(self.interval)


class Phases:
    """Passes the fit's progress lines through to the terminal and stamps each with the time."""

    def __init__(self, stream, start_time):
        self.stream, self.start_time, self.marks = stream, start_time, []

    def write(self, text):
        if text.strip():
            self.marks.append((time.perf_counter() - self.start_time, text.strip()[:100]))
        return self.stream.write(text)

    def mark(self, text):
        self.marks.append((time.perf_counter() - self.start_time, text))

    def __getattr__(self, name):
        return getattr(self.stream, name)


# The fit's steps, by the module attribute the fit calls them through.
STEPS = [("job2vec.word_vectors", "tokenize"), ("job2vec.word_vectors", "fit_vocabulary_and_vectors"),
         ("job2vec._base", "hold_out"), ("job2vec._base", "train_network"), ("job2vec._base", "separate_titles"),
         ("job2vec._base", "run_encoder"),
         ("job2vec.predictor", "fit_lexical_index"), ("job2vec.predictor", "choose_on_validation")]


def mark_steps(phases):
    """Stamp the start and end of each of the fit's `STEPS` (wrapping them; the results are unchanged)."""
    import functools
    import importlib

    for owner_name, name in STEPS:
        owner = importlib.import_module(owner_name)
        step = getattr(owner, name)

        @functools.wraps(step)
        def wrapper(*args, _step=step, _name=name, **kwargs):
            phases.mark(f"{_name} starts")
            result = _step(*args, **kwargs)
            phases.mark(f"{_name} ends")
            return result

        setattr(owner, name, wrapper)


def write_partial(path, sampler, phases):
    """The timeline so far, marked partial; the finished run overwrites it."""
    peak_time, peak = max(sampler.timeline, key=lambda sample: sample[1])
    with open(path, "w") as handle:
        json.dump({"partial": True, "peak_sampled_mb": round(peak), "peak_at_s": round(peak_time, 1),
                   "marks": [(round(t, 1), text) for t, text in phases.marks],
                   "timeline": [(round(t, 1), round(m)) for t, m in sampler.timeline[::25]]}, handle, indent=1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=500_000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--word2vec-epochs", type=int, default=1,
                        help="word2vec passes (memory does not depend on it; time does)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="also write the report to this file")
    args = parser.parse_args(argv)

    sampler = RssSampler()
    sampler.start()
    phases = Phases(sys.stdout, sampler.start_time)
    sys.stdout = phases
    if args.json:
        sampler.on_minute = lambda: write_partial(args.json, sampler, phases)
    from job2vec import TitlePredictor

    mark_steps(phases)

    X, y = read_postings()
    rows = np.random.default_rng(args.seed).integers(0, len(X), args.pairs)
    X, y = X[rows], y[rows]
    loaded_mb = rss_mb()
    phases.mark(f"{args.pairs} pairs sampled")
    model = TitlePredictor(epochs=args.epochs, word2vec_epochs=args.word2vec_epochs, verbose=1,
                           random_state=args.seed)
    tic = time.perf_counter()
    model.fit(X, y)
    fit_seconds = time.perf_counter() - tic
    phases.mark("fit done")
    top = model.predict_top_k(list(X[:200]), k=10)
    sampler.stopped.set()
    sampler.join()

    peak_time, peak = max(sampler.timeline, key=lambda sample: sample[1])
    during = [text for when, text in phases.marks if when <= peak_time]
    report = {
        "pairs": args.pairs, "distinct_descriptions": int(len(set(X))), "distinct_titles": int(len(model.classes_)),
        "epochs": args.epochs, "word2vec_epochs": args.word2vec_epochs,
        "fit_seconds": round(fit_seconds, 1), "rss_after_loading_data_mb": round(loaded_mb),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "peak_sampled_mb": round(peak), "peak_at_s": round(peak_time, 1),
        "peak_after": during[-1] if during else "start",
        "rss_after_fit_mb": round(rss_mb()), "predicted_rows": len(top),
        "timeline": [(round(t, 1), round(m)) for t, m in sampler.timeline[::25]],
        "marks": [(round(t, 1), text) for t, text in phases.marks],
    }
    sys.stdout = phases.stream
    summary = {k: v for k, v in report.items() if k not in ("timeline", "marks")}
    print(json.dumps(summary, indent=1))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(report, handle, indent=1)


if __name__ == "__main__":
    main()
