"""Shared fixtures: small real samples of the bundled O*NET data and tiny fitted models."""

import os
import sys

import numpy as np
import pytest

from job2vec import JoapsEmbedder, TitlePredictor
from job2vec.datasets import load_onet


def pytest_configure(config):
    """Compile JAX's code fast and keep it in pytest's cache, for every test process and the scripts they start.

    Each new network compiles its training step, most of a tiny fit: without
    XLA's backend optimizations a tiny fit takes about 6 s instead of 8 s
    (docs/speed.md). The same shapes recur across tests, xdist workers,
    example scripts and grid-search workers, which then load the code instead
    (the cache is keyed by the computation, JAX's version and flags).
    Environment variables reach the processes started from here; the user's
    own ``JAX_*`` settings and optimization level win.
    """
    if "jax" in sys.modules:  # JAX configured already
        return
    # The same computation, less optimized machine code: tiny fits compile far more than they run.
    flags = os.environ.get("XLA_FLAGS", "")
    if "xla_backend_optimization_level" not in flags:
        os.environ["XLA_FLAGS"] = f"{flags} --xla_backend_optimization_level=0".strip()
    if getattr(config, "cache", None) is None:
        return
    os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", str(config.cache.mkdir("jax-compilation-cache")))
    # JAX keeps only compilations over 1 s by default; a tiny network's are many short ones.
    os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
    os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "0")


# Small enough to train in seconds on 2 cores, real enough to learn from. The title
# separation after training (8 rounds, about 5 s of a 3 s tiny fit) is tested on its own
# in tests/test_separation.py.
TINY = dict(word_vector_size=16, n_filters=8, embedding_size=8, min_count=2, epochs=2,
            max_description_length=40, subword_buckets=1024, max_title_similarity=None, random_state=0)


def onet_tasks_sample(n_occupations, seed=0):
    """Task statements of `n_occupations` random O*NET occupations: (descriptions, titles)."""
    bunch = load_onet(kind="tasks")
    codes = np.unique(bunch.groups)
    chosen = set(np.random.default_rng(seed).choice(codes, n_occupations, replace=False))
    keep = np.array([code in chosen for code in bunch.groups])
    return bunch.data[keep], bunch.target[keep]


@pytest.fixture(scope="session")
def tasks():
    return onet_tasks_sample(15)


@pytest.fixture(scope="session")
def fitted_predictor(tasks):
    X, y = tasks
    return TitlePredictor(**TINY).fit(X, y)


@pytest.fixture(scope="session")
def fitted_embedder(tasks):
    X, y = tasks
    return JoapsEmbedder(**TINY).fit(y, X)
