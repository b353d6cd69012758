"""Importing job2vec picks JAX unless the user chose a backend, and leaves the environment alone."""

import os
import subprocess
import sys

SCRIPT = "import os, job2vec, keras; print(keras.backend.backend(), os.environ.get('KERAS_BACKEND'))"


def run(env):
    return subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env,
                          check=True).stdout.split()


def test_import_defaults_to_jax_without_writing_the_environment():
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    assert run(env) == ["jax", "None"]


def test_a_backend_the_user_chose_wins():
    # numpy is Keras' inference-only backend, installed with Keras itself.
    assert run({**os.environ, "KERAS_BACKEND": "numpy"}) == ["numpy", "numpy"]
