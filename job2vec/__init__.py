"""job2vec: job-title embeddings and title prediction with JOAPS, as scikit-learn estimators."""

import os

# Keras 3 reads its backend once, at import. JAX is the fastest CPU backend measured for
# these networks; a backend the user chose (KERAS_BACKEND, or keras imported first) wins.
os.environ.setdefault("KERAS_BACKEND", "jax")

from .embedder import JoapsEmbedder  # noqa: E402
from .predictor import TitlePredictor  # noqa: E402
from .preprocessing import TextPreprocessor, Vocabulary, normalize_title  # noqa: E402

__version__ = "0.1.0"

__all__ = ["JoapsEmbedder", "TitlePredictor", "TextPreprocessor", "Vocabulary", "normalize_title", "__version__"]
