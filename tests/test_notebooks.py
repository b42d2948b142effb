"""Every notebook source runs, top to bottom, and its assertions hold (at a reduced scale);
every committed ``.ipynb`` holds exactly the cells of its source.

The sources are jupytext ``.py`` files (percent format); ``notebooks/build.py`` executes
them. Here they run through the same functions with the parameters ``SCALE = 0.02`` and
``OUT`` a temporary folder injected after their ``parameters`` cell.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("jupytext")

FOLDER = Path(__file__).parents[1] / "notebooks"
SCALE = 0.02
FIGURES = {
    "01_": "figure1.png",
    "03_": "gamma.png",
    "04_": "bound_loglog.png",
    "05_": "classification.png",
}


def _build_module():
    spec = importlib.util.spec_from_file_location("notebooks_build", FOLDER / "build.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


build = _build_module()
SOURCES = build.sources()


def test_there_are_notebooks():
    assert len(SOURCES) >= 4, "notebooks/ should hold the notebook sources NN_*.py"
    for source in SOURCES:
        assert source.with_suffix(".ipynb").is_file(), f"{source.name} has no built notebook"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_built_notebook_matches_its_source(source):
    """The committed notebook was built from the source as it is (rebuild after editing:
    ``python notebooks/build.py NAME``), and it ran without errors."""
    import nbformat

    built = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    cells = [(c.cell_type, c.source.strip()) for c in build.read(source).cells]
    assert [(c.cell_type, c.source.strip()) for c in built.cells] == cells
    assert not build.errors(built)
    assert all(c.get("outputs") is not None for c in built.cells if c.cell_type == "code")
    assert any(c.get("outputs") for c in built.cells if c.cell_type == "code"), "not executed"


def test_parameters_are_declared_and_injected():
    for source in SOURCES:
        declared = build.parameters(build.read(source))
        assert "OUT" in declared, f"{source.name}: no parameters cell declaring OUT"
    nb = build.inject(build.read(SOURCES[0]), {"SCALE": 0.5, "UNDECLARED": 1})
    (cell,) = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert cell.source == "SCALE = 0.5"


def test_build_names_the_sources_it_knows():
    assert build._find("03_theorem_4_1.ipynb") == FOLDER / "03_theorem_4_1.py"
    with pytest.raises(SystemExit, match="no notebook source 'nope'; known: 01_reddi"):
        build._find("nope")


@pytest.mark.slow
@pytest.mark.notebook
@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_notebook_executes(source, tmp_path):
    out = tmp_path / "out"
    nb = build.inject(build.read(source), {"SCALE": SCALE, "OUT": str(out)})
    build.execute(nb, tmp_path, timeout=600)
    assert not build.errors(nb)
    for prefix, name in FIGURES.items():
        if source.name.startswith(prefix):
            assert (out / name).is_file(), name
