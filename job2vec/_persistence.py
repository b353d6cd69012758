"""Pickling of estimators that own a Keras network: the network travels as ``.keras`` bytes.

A Keras model does not pickle by itself across backends and versions, so
`KerasPickleMixin` swaps the fitted ``network_`` for its ``.keras`` archive in
``__getstate__`` and rebuilds it in ``__setstate__``. ``copy.copy`` shares the
network instead of round-tripping it through those bytes.
"""

import io
import json
import os
import tempfile
import zipfile

import keras


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
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "network.keras")
        try:
            _write_with_zero_initializers(data, path)
            return keras.saving.load_model(path, compile=False)
        except Exception as exc:  # a zip, JSON, h5 or config error, depending on the damage
            raise ValueError(f"the saved job2vec network is corrupt or incompatible: {exc}") from exc


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


class KerasPickleMixin:
    """Pickle the fitted Keras network ``network_`` as ``.keras`` bytes; drop the caches it derives."""

    # Rebuilt from the fitted attributes on use, never pickled.
    _caches = ("_encoders", "_inference", "_attention", "_description_weights", "_indexes", "_input_keys")

    def _set_network(self, network):
        """Set ``network_`` after a fit, forgetting what was derived from a previous one."""
        for key in self._caches:
            self.__dict__.pop(key, None)
        self.network_ = network

    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: object.__getstate__ may return __dict__ itself
        for key in self._caches:
            state.pop(key, None)
        if isinstance(state.get("network_"), keras.Model):
            state["network_"] = model_to_bytes(state["network_"])
        return state

    def __setstate__(self, state):
        if isinstance(state.get("network_"), bytes):
            state = dict(state, network_=model_from_bytes(state["network_"]))
        super().__setstate__(state)

    def __copy__(self):
        # A shallow copy shares the fitted network: without this, copy.copy would go
        # through __getstate__ and save and reload the whole network.
        clone = type(self).__new__(type(self))
        clone.__dict__.update(self.__dict__)
        return clone
