"""The API reference's pages, written at build time from the packages themselves.

Every module of ``octk`` and ``proofs`` lands on the first page whose prefix it falls
under (any other module of octk on the first page), so a new module is documented
without editing a list. A package's page entry shows its docstring only: its members
are documented where they are defined.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

# page, title, introduction, module prefixes (the first page also takes the rest of octk)
PAGES = (
    (
        "run",
        "Running and measuring",
        "What a script calls: run a rule on a sequence over a domain, measure its regret, "
        "keep the result.",
        ("octk",),
    ),
    (
        "rules",
        "Rules",
        "The optimizers as SymPy programs: one general adaptive method, its named settings "
        "and presets, and the one reader of a program.",
        ("octk.rules", "octk.symbols"),
    ),
    (
        "sequences",
        "Sequences, losses and domains",
        "The adversaries, the loss families and the feasible sets.",
        ("octk.sequences", "octk.expressions", "octk.random", "octk.domains"),
    ),
    (
        "bounds",
        "Theorems and bounds",
        "The published regret bounds written once as SymPy terms, and their evaluation on runs.",
        ("octk.theorems", "octk.bounds"),
    ),
    (
        "sweeps",
        "Sweeps",
        "A grid of runs as one labelled Dataset: axes, blocks, measures and the "
        "classification, the zarr store and the Dask tasks.",
        ("octk.sweeps",),
    ),
    (
        "backends",
        "Backends and experiments",
        "Lowering a rule to one straight-line step, the simulators that run it, and the "
        "papers' experiments.",
        ("octk.backends", "octk.experiments"),
    ),
    (
        "cli",
        "The command line's modules",
        "How the `octk` commands are built (their options and help are in the "
        "{doc}`CLI reference <../cli>`).",
        ("octk.cli", "octk.__main__"),
    ),
    (
        "proofs",
        "Proofs",
        "The symbolic checks of the papers' derivations (`octk verify`).",
        ("proofs",),
    ),
)


def modules() -> list[str]:
    """Every module of octk and proofs, packages first, then by name."""
    out = []
    for name in ("octk", "proofs"):
        pkg = importlib.import_module(name)
        out.append(name)
        out += sorted(m.name for m in pkgutil.walk_packages(pkg.__path__, name + "."))
    return out


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def assign() -> dict[str, list[str]]:
    """page -> its modules: each module on the page with the longest matching prefix."""
    pages: dict[str, list[str]] = {page: [] for page, *_ in PAGES}
    for mod in modules():
        best = max(
            (
                (len(p), page)
                for page, _t, _i, prefixes in PAGES
                for p in prefixes
                if _under(mod, p)
            ),
            default=(0, PAGES[0][0]),
        )
        pages[best[1]].append(mod)
    return pages


def _is_package(module: str) -> bool:
    return hasattr(importlib.import_module(module), "__path__")


def write(dest: Path) -> list[Path]:
    """Write the index and one page per entry of :data:`PAGES` into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    assigned = assign()
    written = []
    index = ["# API reference", "", "Generated from the docstrings (their math rendered).", ""]
    index += ["```{toctree}", ":maxdepth: 2", "", *(page for page, *_ in PAGES), "```", ""]
    (dest / "index.md").write_text("\n".join(index))
    for page, title, intro, _prefixes in PAGES:
        lines = [f"# {title}", "", intro, ""]
        for mod in assigned[page]:
            lines += [f"## `{mod}`", "", "```{eval-rst}", f".. automodule:: {mod}"]
            if _is_package(mod):
                lines.append("   :no-members:")
            lines += ["```", ""]
        path = dest / f"{page}.md"
        path.write_text("\n".join(lines))
        written.append(path)
    return written
