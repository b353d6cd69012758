"""How fast the first tokenization pass could be without spaCy's own work: the floor of issue #12.

`TextPreprocessor` reads most new chunks' tokens off their shape; the others go through
spaCy's tokenizer. This script times `speed.py`'s first pass (the same 2,000 LinkedIn
descriptions, every chunk new to the process) in fresh processes, alternating:

- ``real``: ``TextPreprocessor().transform`` as it runs;
- ``spacy-free``: the same, with spaCy's answers replayed from a table that an earlier
  process recorded, so the pass does all of its own work but none of spaCy's (the table
  lookups cost a little).

The gap between the two is what spaCy's tokenizer costs on the chunks it still sees; the
``spacy-free`` rate bounds what any change to the rest of the pass could reach.

Usage::

    python benchmarks/tokenization_floor.py [--runs 5]
"""

import argparse
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from collections import namedtuple

from speed import DEFAULT_DATA, split_rows

Token = namedtuple("Token", "idx text")


def first_pass_texts():
    """`speed.py`'s 2,000 test descriptions."""
    from job2vec.datasets import load_postings

    X, _ = load_postings(DEFAULT_DATA, return_X_y=True)
    return list(X[split_rows(len(X))[1]])


def record(path, texts):
    """Run the first pass, keeping every text spaCy's tokenizer was given and its tokens."""
    from job2vec import preprocessing

    table, add = {}, preprocessing._ChunkWords._add

    def recording_add(self, chunks):
        tokenizer = self.tokenizer

        def recorded(text):
            doc = tokenizer(text)
            table[text] = [(token.idx, token.text) for token in doc]
            return doc

        self.tokenizer = recorded
        try:
            add(self, chunks)
        finally:
            self.tokenizer = tokenizer

    preprocessing._ChunkWords._add = recording_add
    preprocessing.TextPreprocessor().fit().transform(texts)
    with open(path, "wb") as handle:
        pickle.dump(table, handle)
    print(f"recorded {len(table):,} tokenizer calls", file=sys.stderr)


def time_first_pass(texts, table_path=None):
    """Seconds of the first pass (in a fresh process); with `table_path`, spaCy's tokenizer answers from the recorded table."""
    from job2vec import preprocessing

    if table_path is not None:
        with open(table_path, "rb") as handle:
            table = {text: [Token(*token) for token in tokens] for text, tokens in pickle.load(handle).items()}
        init = preprocessing._ChunkWords.__init__

        def replaying_init(self, preprocessor):
            init(self, preprocessor)
            self.tokenizer = table.__getitem__

        preprocessing._ChunkWords.__init__ = replaying_init
    preprocessor = preprocessing.TextPreprocessor().fit()
    tic = time.perf_counter()
    preprocessor.transform(texts)
    return time.perf_counter() - tic


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per kind (default: 5)")
    parser.add_argument("--child", choices=["record", "real", "spacy-free"], help=argparse.SUPPRESS)
    parser.add_argument("--table", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        texts = first_pass_texts()
        if args.child == "record":
            record(args.table, texts)
        else:
            print(len(texts) / time_first_pass(texts, args.table if args.child == "spacy-free" else None))
        return

    rates = {"real": [], "spacy-free": []}
    with tempfile.TemporaryDirectory() as tmp:
        table = os.path.join(tmp, "spacy_calls.pkl")

        def child(kind):
            command = [sys.executable, __file__, "--child", kind, "--table", table]
            return subprocess.run(command, check=True, capture_output=True, text=True).stdout

        child("record")
        for _ in range(args.runs):
            for kind in rates:
                rates[kind].append(float(child(kind)))
    for kind, values in rates.items():
        print(f"first pass, {kind}: median {statistics.median(values):,.0f} descriptions/s "
              f"(runs: {', '.join(f'{v:,.0f}' for v in values)})")


if __name__ == "__main__":
    main()
