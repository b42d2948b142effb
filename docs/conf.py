"""Sphinx configuration of octk's documentation (MyST pages, autodoc, the CLI reference
from the click commands, the notebooks with their committed outputs).

Build: ``python -m sphinx -W -b html docs docs/_build/html`` (``pip install -e ".[docs]"``).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import octk  # noqa: E402

project = "octk"
author = "the octk authors"
copyright = "the octk authors"
release = version = octk.__version__

extensions = [
    "myst_nb",  # Markdown pages (MyST) and notebooks
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",  # the NumPy-style "Parameters" sections of the docstrings
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinx_click",
]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb", ".rst": "restructuredtext"}
exclude_patterns = [
    "_build",
    "**.ipynb_checkpoints",
    "zoo-audit/zoo.md",  # the table octk audit --zoo wrote; zoo.md shows it
]
myst_enable_extensions = ["dollarmath", "amsmath", "deflist", "colon_fence"]
myst_heading_anchors = 3
nb_execution_mode = "off"  # the notebooks are shown with the outputs they were built with
nb_merge_streams = True
suppress_warnings = ["mystnb.unknown_mime_type"]

autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": False}
autodoc_typehints = "none"  # the docstrings state the types and shapes in words
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_ivar = True

html_theme = "alabaster"
html_title = f"octk {release}"
html_static_path: list[str] = []


def _copy_notebooks(app) -> None:
    """The notebooks live in ``notebooks/`` (built by ``notebooks/build.py``); the site
    shows copies of their committed ``.ipynb`` files, never re-executed."""
    dest = HERE / "notebooks"
    dest.mkdir(exist_ok=True)
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        shutil.copyfile(nb, dest / nb.name)


def _rule_math(app, what, name, obj, options, lines) -> None:
    """A rule builder's docstring shows unicode math to ``help()``; the site shows the
    same programs as LaTeX (the builder's ``latex_doc``)."""
    latex = getattr(obj, "latex_doc", None)
    if what == "function" and isinstance(latex, str):
        lines[:] = latex.splitlines()


def _escape_bars(app, what, name, obj, options, lines) -> None:
    """The docstrings write |x| for an absolute value, which reStructuredText reads as a
    substitution: escape the bars, except in math blocks, math roles and table rows."""
    math_indent = None
    for k, line in enumerate(lines):
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if math_indent is not None:
            if stripped and indent <= math_indent:
                math_indent = None
            else:
                continue
        if stripped.startswith(".. math::"):
            math_indent = indent
            continue
        row = stripped.startswith("+") or (stripped.startswith("|") and stripped.endswith("|"))
        if "|" not in line or row or ":math:" in line:
            continue
        lines[k] = line.replace("|", "\\|")


def _api_pages(app) -> None:
    """The API reference's pages, from the packages (:mod:`apigen`)."""
    import apigen

    apigen.write(HERE / "api")


def setup(app) -> None:
    app.connect("builder-inited", _api_pages)
    app.connect("builder-inited", _copy_notebooks)
    app.connect("autodoc-process-docstring", _rule_math)
    app.connect("autodoc-process-docstring", _escape_bars)
