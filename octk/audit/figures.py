r"""The audit's figure: the counterexamples at a glance.

Three panels, drawn on an Agg :class:`~matplotlib.figure.Figure` (never ``pyplot``), as
:mod:`octk.plots` draws:

* RKK Theorem 1 over the (β2, C) grid: R_T/T per cell, a cross on every cell at the
  wrong point;
* Theorem 3's stochastic family: R_t/t against t per β2 (mean over seeds);
* the §5 experiments: R_t/t against t.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from octk.audit.counterexamples import Family
from octk.plots.runs import _new_figure, _zoom, save_figure


def _grid(ax: Axes, fam: Family) -> None:
    b2 = sorted({c["beta2"] for c in fam.cells}, key=lambda v: -1 if v is None else v)
    cs = sorted({c["C"] for c in fam.cells})
    z = np.full((len(b2), len(cs)), np.nan)
    for c in fam.cells:
        i, j = b2.index(c["beta2"]), cs.index(c["C"])
        z[i, j] = c["avg_regret"]
        if c["outcome"] == "wrong point":
            ax.text(j, i, "×", ha="center", va="center", color="white", fontsize=14)
    im = ax.imshow(z, origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(len(cs)), [f"{v:g}" for v in cs])
    ax.set_yticks(range(len(b2)), ["rule's" if v is None else f"{v:.3g}" for v in b2])
    ax.set_xlabel("C")
    ax.set_ylabel("β2")
    ax.set_title(f"{fam.title}: R_T/T (× wrong point), T = {fam.steps:,}", fontsize=9)
    ax.figure.colorbar(im, ax=ax)


def _curves(ax: Axes, fams: list[Family], title: str) -> None:
    drawn = []
    for fam in fams:
        t = np.asarray(fam.curves.get("t", []), dtype=np.float64)
        for label, y in fam.curves.items():
            if label == "t":
                continue
            name = label if len(fams) == 1 else f"{fam.key}: {label}"
            ax.plot(t, np.asarray(y), label=name, lw=1)
            drawn.append((t, np.asarray(y, dtype=np.float64)))
    _zoom(ax, drawn)
    ax.set_xscale("log")
    ax.set_xlabel("t")
    ax.set_ylabel("R_t/t")
    ax.set_title(title, fontsize=9)
    if ax.lines:
        ax.legend(fontsize=6)


def counterexamples_figure(families: list[Family], path: Path | None = None) -> Figure:
    """The three panels (see the module docstring); saved to ``path`` if given."""
    fig = _new_figure(15, 4)
    axes = fig.subplots(1, 3)
    by_key = {f.key: f for f in families if f.verdict != "skipped"}
    if "rkk-thm1" in by_key:
        _grid(axes[0], by_key["rkk-thm1"])
    if "rkk-thm3" in by_key:
        _curves(axes[1], [by_key["rkk-thm3"]], by_key["rkk-thm3"].title)
    sec5 = [f for k, f in by_key.items() if k.startswith("rkk-sec5")]
    _curves(axes[2], sec5, "RKK §5 experiments")
    if path is not None:
        save_figure(fig, path)
    return fig


__all__ = ["counterexamples_figure"]
