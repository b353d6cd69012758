"""job2vec: job-title embeddings and title prediction with JOAPS, as scikit-learn estimators.

The public names load on first use, so ``import job2vec`` (and the
``job2vec`` command's start-up) does not pay for Keras, JAX and spaCy until
an estimator needs them.
"""

import importlib

from ._backend import default_to_jax

default_to_jax()  # Keras on JAX unless the user chose a backend: see job2vec/_backend.py

__version__ = "0.2.0"

_PUBLIC = {
    "JoapsEmbedder": "embedder",
    "TitleNormalizer": "normalizer",
    "TitlePredictor": "predictor",
    "TextPreprocessor": "preprocessing",
    "normalize_title": "preprocessing",
    "TitleCleaner": "cleaning",
    "clean_title": "cleaning",
    "Vocabulary": "word_vectors",
}
_SUBMODULES = ("baselines", "cleaning", "cli", "dask", "datasets", "embedder", "explanations", "losses", "metrics",
               "normalizer", "plotting", "predictor", "preprocessing", "seq2seq", "word_vectors")

__all__ = ["JoapsEmbedder", "TitleNormalizer", "TitlePredictor", "TextPreprocessor", "TitleCleaner", "Vocabulary",
           "clean_title", "normalize_title", "__version__"]


def __getattr__(name):
    if name in _PUBLIC:
        return getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *_PUBLIC, *_SUBMODULES})
