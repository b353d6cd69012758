"""The Sphinx site builds with warnings as errors (needs the docs extra)."""

import os
import subprocess
import sys

import pytest

DOCS = os.path.join(os.path.dirname(__file__), os.pardir, "docs")


def test_sphinx_build_without_warnings(tmp_path):
    pytest.importorskip("sphinx", reason="install the docs extra: pip install '.[docs]'")
    pytest.importorskip("numpydoc", reason="install the docs extra: pip install '.[docs]'")
    result = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", DOCS, str(tmp_path)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "api.html").exists()
