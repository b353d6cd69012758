"""job2vec: job-title embeddings and title prediction with JOAPS, as scikit-learn estimators."""

from ._backend import import_keras

import_keras()  # JAX unless the user chose a Keras backend: see job2vec/_backend.py

from .cleaning import TitleCleaner, clean_title  # noqa: E402
from .embedder import JoapsEmbedder  # noqa: E402
from .normalizer import TitleNormalizer  # noqa: E402
from .predictor import TitlePredictor  # noqa: E402
from .preprocessing import TextPreprocessor, normalize_title  # noqa: E402
from .word_vectors import Vocabulary  # noqa: E402

__version__ = "0.2.0"

__all__ = ["JoapsEmbedder", "TitleNormalizer", "TitlePredictor", "TextPreprocessor", "TitleCleaner", "Vocabulary", "clean_title",
           "normalize_title", "__version__"]
