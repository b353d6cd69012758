"""Which Keras 3 backend job2vec runs on.

Keras reads its backend once, when it is first imported: from the
``KERAS_BACKEND`` environment variable, else from ``~/.keras/keras.json``,
which Keras itself writes with ``"tensorflow"`` on first use. JAX is the fastest
CPU backend measured for these networks, so once job2vec is imported, Keras
is imported on JAX unless the user chose: a ``KERAS_BACKEND`` set before
Keras is imported, or ``keras`` imported before job2vec, wins. The variable is
set only while Keras' own ``__init__`` runs, so the caller's environment (and
any subprocess it starts) is left as it was.

Importing job2vec does not import Keras (3-4 s): `default_to_jax` only
registers an import hook, so ``job2vec --help`` starts in well under a
second and Keras loads with the first estimator.
"""

import importlib.abc
import importlib.util
import os
import sys

DEFAULT_BACKEND = "jax"


class _DefaultBackendLoader(importlib.abc.Loader):
    """Keras' own loader, run with ``KERAS_BACKEND`` set to the default unless the user set it."""

    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        if "KERAS_BACKEND" in os.environ:
            return self.loader.exec_module(module)
        os.environ["KERAS_BACKEND"] = DEFAULT_BACKEND
        try:
            self.loader.exec_module(module)
        finally:
            del os.environ["KERAS_BACKEND"]


class _DefaultBackendFinder(importlib.abc.MetaPathFinder):
    """Finds the real ``keras`` once and wraps its loader in `_DefaultBackendLoader`."""

    def find_spec(self, fullname, path, target=None):
        if fullname != "keras":
            return None
        sys.meta_path.remove(self)  # one use; also keeps the search below from coming back here
        spec = importlib.util.find_spec("keras")
        if spec is not None and spec.loader is not None:
            spec.loader = _DefaultBackendLoader(spec.loader)
        return spec


def default_to_jax():
    """Have Keras imported on `DEFAULT_BACKEND` (unless the user chose) whenever it is first imported."""
    if "keras" not in sys.modules and not any(isinstance(f, _DefaultBackendFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _DefaultBackendFinder())


def import_keras():
    """Import Keras, on `DEFAULT_BACKEND` unless the user already chose a backend; return its name."""
    default_to_jax()
    import keras

    return keras.backend.backend()
