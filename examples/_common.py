"""Shared by the examples: a sample of the bundled O*NET data and model sizes."""

import argparse

import numpy as np

from job2vec.datasets import load_onet


def parse_args(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--tiny", action="store_true", help="tiny models and data (seconds; used by the tests)")
    return parser.parse_args()


def sample_tasks(n_occupations, seed=0):
    """Task statements of `n_occupations` random O*NET occupations, with their titles and SOC codes."""
    bunch = load_onet(kind="tasks")
    chosen = set(np.random.default_rng(seed).choice(np.unique(bunch.groups), n_occupations, replace=False))
    keep = np.array([code in chosen for code in bunch.groups])
    return bunch.data[keep], bunch.target[keep], bunch.groups[keep]


def model_params(tiny):
    """Small but real models: these are examples, not benchmarks."""
    if tiny:
        # One or two batch shapes, and no title separation after training: compiling them is most of a tiny
        # fit (the separation has its own tests, tests/test_separation.py).
        return dict(word_vector_size=16, n_filters=8, embedding_size=8, min_count=2, epochs=1,
                    max_description_length=40, batch_size_range=(8, 16), early_stopping=False,
                    subword_buckets=1024, max_title_similarity=None, random_state=0)
    return dict(word_vector_size=100, min_count=2, epochs=8, trainable_embeddings=True, random_state=0)
