"""Each example script runs end to end with tiny sizes, so the examples cannot rot."""

import os
import subprocess
import sys

import pytest

EXAMPLES = os.path.join(os.path.dirname(__file__), os.pardir, "examples")


@pytest.mark.parametrize("script", ["pipelines.py", "cross_validation.py", "grid_search.py"])
def test_example_runs(script):
    result = subprocess.run([sys.executable, script, "--tiny"], cwd=EXAMPLES, capture_output=True, text=True,
                            timeout=600, env={**os.environ, "KERAS_BACKEND": "jax"})
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip()
