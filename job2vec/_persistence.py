"""Pickling: a Keras network travels as ``.keras`` bytes, a list of words as one string.

A Keras model does not pickle by itself across backends and versions, so
`KerasPickleMixin` swaps the fitted ``network_`` for its ``.keras`` archive in
``__getstate__``. A loaded estimator rebuilds the network from those bytes
when ``network_`` is first read, not when it is loaded: prediction reads
NumPy arrays only (`job2vec._description`), so it imports neither Keras nor
JAX. ``copy.copy`` shares the network instead of round-tripping it through
those bytes.

joblib loads with a pure-Python unpickler, which costs about 2 µs per
object: the 78,971 words of the LinkedIn model's TF-IDF vocabulary, as a
list and a dict, took 0.47 s of its 0.66 s load. `pack_words` makes them one
string.
"""

import io
import json
import os
import tempfile
import threading
import zipfile

_WORD_SEPARATOR = "\0"


def pack_words(words):
    """`words` as one string for pickling (`unpack_words`), or None if that string would be ambiguous."""
    if words == [""] or any(_WORD_SEPARATOR in word for word in words):
        return None
    return _WORD_SEPARATOR.join(words)


def unpack_words(packed):
    """The list of words `pack_words` packed."""
    return packed.split(_WORD_SEPARATOR) if packed else []


def model_to_bytes(model):
    """The ``.keras`` archive of `model`, as bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "network.keras")
        model.save(path)
        with open(path, "rb") as handle:
            return handle.read()


def model_from_bytes(data):
    """Rebuild a model saved by `model_to_bytes`; a damaged archive is a ValueError.

    Keras builds each layer with its initializers before it reads the saved
    weights; on JAX every random initializer is a compilation (about 0.3 s
    each, 6 s for a JOAPS network). The archive's config is rewritten to
    initialize with zeros, which compiles nothing; the saved weights then
    replace them, so the model is the same.
    """
    import keras

    from . import _networks  # noqa: F401 (registers the custom layers the archive names)

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "network.keras")
        try:
            _write_with_zero_initializers(data, path)
            return keras.saving.load_model(path, compile=False)
        except Exception as exc:  # a zip, JSON, h5 or config error, depending on the damage
            raise _corrupt(exc) from exc


def check_model_bytes(data):
    """Raise ValueError unless `data` opens as a ``.keras`` archive with a readable config (no Keras needed)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            json.loads(archive.read("config.json"))
            archive.getinfo("model.weights.h5")
    except Exception as exc:  # a zip, JSON or missing-member error, depending on the damage
        raise _corrupt(exc) from exc


def _corrupt(exc):
    return ValueError(f"the saved job2vec network is corrupt or incompatible: {exc}")


def _write_with_zero_initializers(data, path):
    """Copy the ``.keras`` archive `data` to `path`, every ``*_initializer`` of its config set to zeros."""
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "config.json":
                content = json.dumps(_zero_initializers(json.loads(content))).encode()
            target.writestr(item, content)


_ZEROS = {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": None}


def _zero_initializers(config):
    if isinstance(config, dict):
        return {key: _ZEROS if key.endswith("_initializer") and isinstance(value, dict) else _zero_initializers(value)
                for key, value in config.items()}
    if isinstance(config, list):
        return [_zero_initializers(value) for value in config]
    return config


_REBUILDING = threading.Lock()


class KerasPickleMixin:
    """Pickle the fitted Keras network ``network_`` as ``.keras`` bytes; drop the caches it derives."""

    # Rebuilt from the fitted attributes on use, never pickled.
    _caches = ("_description_encoder", "_title_encoder", "_inference", "_attention", "_description_weights",
               "_indexes", "_input_keys")

    @property
    def network_(self):
        """The fitted Keras network; a loaded estimator rebuilds it from its saved bytes on first use."""
        state = self.__dict__
        with _REBUILDING:  # threads of one estimator (n_jobs) rebuild it once
            if "_network" not in state:
                if "_network_bytes" not in state:
                    raise AttributeError(f"{type(self).__name__!r} object has no attribute 'network_'")
                state["_network"] = model_from_bytes(state["_network_bytes"])
                del state["_network_bytes"]
        return state["_network"]

    def _set_network(self, network):
        """Set ``network_`` after a fit, forgetting what was derived from a previous one."""
        for key in (*self._caches, "_network_bytes"):
            self.__dict__.pop(key, None)
        self.__dict__["_network"] = network

    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: object.__getstate__ may return __dict__ itself
        for key in self._caches:
            state.pop(key, None)
        if "_network" in state:
            state["network_"] = model_to_bytes(state.pop("_network"))
        elif "_network_bytes" in state:
            state["network_"] = state.pop("_network_bytes")
        return state

    def __setstate__(self, state):
        state = dict(state)
        if isinstance(state.get("network_"), bytes):
            check_model_bytes(state["network_"])
            state["_network_bytes"] = state.pop("network_")
        elif "network_" in state:  # a state that holds the network itself
            state["_network"] = state.pop("network_")
        super().__setstate__(state)

    def __copy__(self):
        # A shallow copy shares the fitted network: without this, copy.copy would go
        # through __getstate__ and save and reload the whole network.
        clone = type(self).__new__(type(self))
        clone.__dict__.update(self.__dict__)
        return clone
