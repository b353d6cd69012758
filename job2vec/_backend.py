"""Which Keras 3 backend job2vec runs on.

Keras reads its backend once, when it is first imported: from the
``KERAS_BACKEND`` environment variable, else from ``~/.keras/keras.json``,
which Keras itself writes with ``"tensorflow"`` on first use. JAX is the fastest
CPU backend measured for these networks, so job2vec imports Keras on JAX
unless the user chose: a ``KERAS_BACKEND`` set before importing job2vec, or
``keras`` imported before job2vec, wins. The variable is set only for the
duration of that import, so the caller's environment (and any subprocess it
starts) is left as it was.
"""

import os
import sys

DEFAULT_BACKEND = "jax"


def import_keras():
    """Import Keras, on `DEFAULT_BACKEND` unless the user already chose a backend; return its name."""
    if "keras" in sys.modules or "KERAS_BACKEND" in os.environ:
        import keras
    else:
        os.environ["KERAS_BACKEND"] = DEFAULT_BACKEND
        try:
            import keras
        finally:
            del os.environ["KERAS_BACKEND"]
    return keras.backend.backend()
