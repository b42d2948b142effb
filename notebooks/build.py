"""Build the notebooks: each jupytext source ``notebooks/NN_name.py`` (percent format) is
executed top to bottom and written, with its outputs, to ``notebooks/NN_name.ipynb``.

    python notebooks/build.py                      # every notebook, full scale
    python notebooks/build.py 03_theorem_4_1       # one (its name, with or without .py)
    python notebooks/build.py --scale 0.02 --out /tmp/nb   # a quick look, elsewhere

A notebook's first code cell, tagged ``parameters``, declares its parameters (``SCALE``,
``OUT``); :func:`execute` puts a cell tagged ``injected-parameters`` after it to change
them (papermill's convention), so a source reads no environment variables. The kernel
runs in a temporary working folder, where the notebook writes its figures. The tests
(``tests/test_notebooks.py``) execute the sources through this module at a reduced scale.
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jupytext
import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def sources() -> list[Path]:
    """The notebook sources: ``NN_*.py`` in this folder, in order."""
    return sorted(HERE.glob("[0-9][0-9]_*.py"))


def read(source: Path) -> nbformat.NotebookNode:
    """The notebook of a jupytext source, without outputs."""
    return jupytext.read(source)


def parameters(nb: nbformat.NotebookNode) -> dict[str, Any]:
    """The names and default values the ``parameters`` cell assigns."""
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            tree = ast.parse(cell.source)
            return {
                target.id: ast.literal_eval(node.value)
                for node in tree.body
                if isinstance(node, ast.Assign)
                for target in node.targets
                if isinstance(target, ast.Name)
            }
    return {}


def inject(nb: nbformat.NotebookNode, values: Mapping[str, Any]) -> nbformat.NotebookNode:
    """``nb`` with a cell setting those of ``values`` that it declares, after its
    ``parameters`` cell (values it does not declare are left out)."""
    declared = parameters(nb)
    chosen = {k: v for k, v in values.items() if k in declared}
    if not chosen:
        return nb
    index = next(
        k
        for k, c in enumerate(nb.cells)
        if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])
    )
    cell = nbformat.v4.new_code_cell(
        "\n".join(f"{k} = {v!r}" for k, v in chosen.items()),
        metadata={"tags": ["injected-parameters"]},
    )
    nb.cells.insert(index + 1, cell)
    return nb


def execute(
    nb: nbformat.NotebookNode, folder: Path | str, timeout: int = 1800
) -> nbformat.NotebookNode:
    """Run ``nb`` in place in a fresh Python 3 kernel whose working folder is ``folder``."""
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    nb.metadata.setdefault("language_info", {"name": "python"})
    NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    return nb


def errors(nb: nbformat.NotebookNode) -> list[dict]:
    """The error outputs of ``nb``'s code cells."""
    return [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]


def build(source: Path, out: Path, values: Mapping[str, Any] | None = None) -> None:
    """Execute ``source`` (with ``values`` injected) and write the notebook to ``out``."""
    nb = inject(read(source), values or {})
    with tempfile.TemporaryDirectory() as tmp:
        execute(nb, tmp)
    nbformat.write(nb, out)
    try:  # keep the notebook's code cells in ruff's style, as their source is
        subprocess.run(["ruff", "format", "--quiet", str(out)], cwd=REPO, check=False)
    except OSError:
        pass
    print(f"wrote {out}")


def _find(name: str) -> Path:
    stem = Path(name).name.removesuffix(".py").removesuffix(".ipynb")
    path = HERE / f"{stem}.py"
    if not path.exists():
        known = ", ".join(p.stem for p in sources())
        raise SystemExit(f"build.py: no notebook source {stem!r}; known: {known}")
    return path


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help="notebooks to build (default: all)")
    ap.add_argument("--scale", type=float, default=None, help="set the parameter SCALE")
    ap.add_argument("--out", type=Path, default=None, help="folder for the .ipynb files")
    args = ap.parse_args(argv)
    chosen = [_find(n) for n in args.names] or sources()
    values = {} if args.scale is None else {"SCALE": args.scale}
    for source in chosen:
        folder = args.out or source.parent
        folder.mkdir(parents=True, exist_ok=True)
        build(source, folder / source.with_suffix(".ipynb").name, values)


if __name__ == "__main__":
    sys.exit(main())
