r"""Phase-diagram reproductions: sweeps over two axes at two horizons, figures and a table.

A :class:`Panel` is one phase diagram: a rule on a sequence over a (x, y) grid,
run by :func:`octk.sweep` at T (the measure the paper plots, e.g. |x_T − x*|) and
at ``longer`` × T (the drift classification again), so that the figure shows how
the classification depends on T: a finite-T picture alone is a poor classifier,
its boundary moves with T. :func:`run_study` runs the panels of a reproduction and
writes

* one zarr store per panel and horizon (the sweeps' Datasets, ``octk plot phase``
  redraws them),
* one figure: a row per panel, columns the measure at T, the classification at T
  and at ``longer`` × T, each with the panel's analytic boundaries,
* ``table.md`` and ``results.json``: per panel and horizon the cells of each class,
  split by the panel's ``region`` (an inequality boundary, e.g. β1 < √β2), the
  median drift, and the cells whose class changed between the two horizons.

Grids are ``grid`` points per axis (the CLI's ``--grid``): small for CI, the
documented full size by default; T scales with ``--scale``.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from octk.errors import check_int, check_real

FLAGS = ("converges", "diverges", "cycles", "undecided")


@dataclass(frozen=True)
class Panel:
    """One phase diagram of a study (see the module doc).

    rule : (name, options) of :func:`octk.rules.rule`; axes : {name: values(N)}, two
    of them, x first; params : the fixed hyperparameters (expressions allowed, as in
    :func:`octk.sweep`); region : the name of an inequality boundary splitting the
    table's counts (or None); values : boundary symbols that are not axes.
    """

    key: str
    title: str
    rule: tuple[str, Mapping[str, Any]]
    sequence: str
    domain: str
    axes: Mapping[str, Callable[[int], np.ndarray]]
    params: Mapping[str, Any]
    x0: float
    steps: int
    measure: str = "distance"
    boundaries: tuple[str, ...] = ()
    region: str | None = None
    values: Mapping[str, float] = field(default_factory=dict)
    longer: int = 4


def _sweep(panel: Panel, grid: int, steps: int, measures, backend, progress, dtype, store):
    import octk
    from octk.rules import rule

    name, options = panel.rule
    if store.exists():
        shutil.rmtree(store)
    return octk.sweep(
        rule(name, **dict(options)),
        panel.sequence,
        panel.domain,
        steps=steps,
        grid={k: f(grid) for k, f in panel.axes.items()},
        params=dict(panel.params),
        measures=measures,
        backend=backend,
        x0=panel.x0,
        out=store,
        progress=progress,
        dtype=dtype,
        command=f"octk reproduce ({panel.key}, grid {grid}, T = {steps:,})",
    )


def _counts(ds, panel: Panel) -> dict[str, Any]:
    cls = np.asarray(ds["classification"].values)
    out: dict[str, Any] = {f: int(np.sum(cls == k)) for k, f in enumerate(FLAGS)}
    if "drift" in ds:
        d = np.asarray(ds["drift"].values, dtype=float)
        out["median_drift"] = float(np.nanmedian(d)) if np.isfinite(d).any() else None
    if panel.region is not None:
        from octk.plots.boundaries import boundary

        x, y = list(panel.axes)
        X, Y = np.meshgrid(ds[x].values, ds[y].values, indexing="ij")
        inside = boundary(panel.region).holds(x, y, X, Y, panel.values)
        for label, m in (("inside", inside), ("outside", ~inside)):
            out[f"converges_{label}"] = f"{int(np.sum((cls == 0) & m))}/{int(np.sum(m))}"
    return out


def run_study(
    name: str,
    paper: str,
    setup: str,
    panels: tuple[Panel, ...],
    out_dir,
    *,
    grid: int,
    scale: float = 1.0,
    backend: Any = "numba",
    progress: bool = True,
    dtype: str = "float64",
) -> dict:
    """Run every panel at T and ``longer`` × T; write the stores, the figure, the table."""
    grid = check_int("grid", grid, lo=2)
    scale = check_real("scale", scale, lo=0, lo_open=True)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rows, stores, backends, sweeps = [], {}, set(), []
    for p in panels:
        T = max(50, round(p.steps * scale))
        horizons = (
            (T, (p.measure, "drift", "classification")),
            (p.longer * T, ("drift", "classification")),
        )
        pair = []
        for steps, measures in horizons:
            store = out / f"{p.key}_T{steps}.zarr"
            ds = _sweep(p, grid, steps, measures, backend, progress, dtype, store)
            stores[f"{p.key}_T{steps}"] = str(store)
            backends.add(str(ds.attrs.get("backend", backend)))
            rows.append({"panel": p.key, "title": p.title, "T": steps, **_counts(ds, p)})
            pair.append(ds)
        changed = pair[1]["classification"].values != pair[0]["classification"].values
        rows[-1]["changed_vs_T"] = int(np.sum(changed))
        sweeps.append((pair[0], pair[1]))
    figure = out / f"{name}.png"
    draw_study(panels, sweeps, figure)
    wall = time.perf_counter() - started
    table = markdown_table(rows)
    files = {
        "figure": str(figure),
        "table": str(out / "table.md"),
        "json": str(out / "results.json"),
    }
    backend_name = ", ".join(sorted(backends))
    md = [
        f"# {paper}",
        "",
        setup,
        "",
        table,
        "",
        f"- grid {grid} × {grid}; scale {scale:g}; "
        f"backend {backend_name} ({dtype}); wall time {wall:.1f} s.",
    ]
    Path(files["table"]).write_text("\n".join(md) + "\n")
    summary = {
        "paper": paper,
        "setup": setup,
        "grid": grid,
        "scale": scale,
        "rows": rows,
        "stores": stores,
        "backend": backend_name,
        "dtype": dtype,
        "wall_s": wall,
    }
    Path(files["json"]).write_text(json.dumps(summary, indent=1, ensure_ascii=False))
    return {
        "rows": rows,
        "table": table,
        "files": {**files, **stores},
        "out_dir": str(out),
        "backend": backend_name,
        "dtype": dtype,
        "wall_s": wall,
        "grid": grid,
    }


def draw_study(panels: tuple[Panel, ...], sweeps: list[tuple[Any, Any]], path) -> Any:
    """The study's figure: a row per panel, columns the measure at T, the classification
    at T and at ``longer`` × T (``sweeps``: the two Datasets of each panel, e.g. opened
    from the stores :func:`run_study` wrote), with the panel's boundaries."""
    from octk.plots import phase, save_figure
    from octk.plots.runs import _new_figure

    fig = _new_figure(15.0, 4.4 * len(panels))
    axes = fig.subplots(len(panels), 3, squeeze=False)
    for p, (at_t, longer), row in zip(panels, sweeps, axes, strict=True):
        x, y = list(p.axes)
        kw: dict[str, Any] = dict(x=x, y=y, boundaries=p.boundaries, values=p.values)
        steps = int(at_t.attrs["steps"])
        phase(at_t, p.measure, ax=row[0], title=f"{p.title}: {p.measure}, T = {steps:,}", **kw)
        for ax, ds in zip(row[1:], (at_t, longer), strict=True):
            title = f"classification, T = {int(ds.attrs['steps']):,}"
            phase(ds, "classification", ax=ax, title=title, **kw)
    save_figure(fig, path)
    return fig


def markdown_table(rows: list[dict]) -> str:
    """One line per panel and horizon: the cells of each class, the region split, drift."""
    region = any("converges_inside" in r for r in rows)
    head = ["panel", "T", *FLAGS, "median drift", "changed vs T"]
    if region:
        head[6:6] = ["converges inside / outside region"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        drift = r.get("median_drift")
        cells = [r["title"], f"{r['T']:,}", *(str(r[f]) for f in FLAGS)]
        if region:
            cells.append(f"{r.get('converges_inside', '–')} / {r.get('converges_outside', '–')}")
        cells += ["–" if drift is None else f"{drift:+.3f}", str(r.get("changed_vs_T", "–"))]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


__all__ = ["FLAGS", "Panel", "draw_study", "markdown_table", "run_study"]
