r"""Figures: runs (:mod:`octk.plots.runs`) and phase diagrams of sweeps (:mod:`octk.plots.phase`).

Every figure is a :class:`matplotlib.figure.Figure` on the Agg canvas, never
``pyplot``: nothing is displayed and no global backend is switched.

* :func:`plot_run`, :func:`plot_figure1`, :func:`plot_theorem1`,
  :func:`plot_bound`, :func:`plot_search` -- runs, RKK's Figure 1, bounds and
  bound searches (:mod:`octk.plots.runs`);
* :func:`phase` -- a measure of a sweep over two axes with analytic boundaries
  (:mod:`octk.plots.boundaries`) and a classification legend (:mod:`octk.plots.phase`).
"""

from __future__ import annotations

from octk.plots.boundaries import BOUNDARIES, Boundary, boundary
from octk.plots.phase import phase
from octk.plots.runs import (
    COLORS,
    FIGURE_FORMATS,
    MAX_POINTS,
    plot_bound,
    plot_figure1,
    plot_run,
    plot_search,
    plot_theorem1,
    save_figure,
)

__all__ = [
    "BOUNDARIES",
    "COLORS",
    "FIGURE_FORMATS",
    "MAX_POINTS",
    "Boundary",
    "boundary",
    "phase",
    "plot_bound",
    "plot_figure1",
    "plot_run",
    "plot_search",
    "plot_theorem1",
    "save_figure",
]
