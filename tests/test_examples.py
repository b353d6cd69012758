"""Each example script runs end to end with tiny sizes, so the examples cannot rot."""

import os
import subprocess
import sys

import pytest

EXAMPLES = os.path.join(os.path.dirname(__file__), os.pardir, "examples")


def run(script, *args):
    result = subprocess.run([sys.executable, script, "--tiny", *args], cwd=EXAMPLES, capture_output=True, text=True,
                            timeout=600, env={**os.environ, "KERAS_BACKEND": "jax"})
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip()
    return result.stdout


@pytest.mark.parametrize("script", ["pipelines.py", "cross_validation.py", "grid_search.py"])
def test_example_runs(script):
    run(script)


def test_explain_example_writes_its_files(tmp_path):
    out = run("explain.py", "--out", str(tmp_path))
    assert "deleting 3 word(s)" in out and "words that drove it" in out
    assert {p.name for p in tmp_path.iterdir()} == {"explanations.html", "map.png", "training.png"}
