"""Sphinx configuration for the job2vec documentation."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import job2vec  # noqa: E402

project = "job2vec"
copyright = "2026, the job2vec developers"
release = job2vec.__version__
version = release

extensions = ["sphinx.ext.autodoc", "sphinx.ext.autosummary", "numpydoc", "sphinx.ext.intersphinx"]
autosummary_generate = False
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
autodoc_default_options = {"exclude-members": "set_score_request, set_fit_request, set_transform_request, set_predict_request, set_output"}
templates_path = []
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_static_path = []
intersphinx_mapping = {}  # no network at build time
nitpicky = False
