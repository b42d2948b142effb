"""What the ``make_*.py`` notebook generators share: assemble, execute and write a notebook.

A generator lists its cells as ``(kind, source)`` pairs, ``kind`` being ``"md"`` or ``"code"``,
and ends with ``nbbuild.main(__doc__, CELLS, NOTEBOOK)``. The generators are scripts
(``python notebooks/make_XX.py``), so Python puts this folder first on ``sys.path`` and they
import this module by its name.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]

Cells = list[tuple[str, str]]


def build(cells: Cells) -> nbformat.NotebookNode:
    """A Python 3 notebook holding ``cells``, in order, without outputs."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    nb.metadata["language_info"] = {"name": "python"}
    for kind, src in cells:
        new_cell = nbformat.v4.new_markdown_cell if kind == "md" else nbformat.v4.new_code_cell
        nb.cells.append(new_cell(src))
    return nb


def execute(
    nb: nbformat.NotebookNode,
    timeout: int,
    env: Callable[[str], Mapping[str, str]] | None = None,
) -> None:
    """Run ``nb`` in place in a fresh kernel whose working folder is a temporary one.

    ``env(folder)`` gives environment defaults for the kernel (a variable already set wins).
    """
    with tempfile.TemporaryDirectory() as tmp:
        for key, value in (env(tmp) if env else {}).items():
            os.environ.setdefault(key, value)
        NotebookClient(
            nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": tmp}}
        ).execute()


def write(nb: nbformat.NotebookNode, out: str) -> None:
    """Write ``nb`` to ``out`` and format its code cells in ruff's style, where ruff is installed.

    The generators' cells are written in that style already; this keeps the notebook so if
    they drift.
    """
    nbformat.write(nb, out)
    try:
        subprocess.run(["ruff", "format", "--quiet", out], cwd=REPO, check=False)
    except OSError:
        pass
    print(f"wrote {out}")


def main(
    doc: str,
    cells: Cells,
    notebook: Path,
    *,
    timeout: int = 600,
    env: Callable[[str], Mapping[str, str]] | None = None,
) -> None:
    """The generators' command line: build ``cells``, execute them unless ``--no-execute``,
    and write the notebook (to ``notebook`` unless ``--out``)."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--no-execute", action="store_true", help="write the notebook without outputs")
    ap.add_argument("--out", default=str(notebook))
    args = ap.parse_args()
    nb = build(cells)
    if not args.no_execute:
        execute(nb, timeout, env)
    write(nb, args.out)
