r"""Sweeps: a grid of runs as one labelled :class:`xarray.Dataset` (:func:`sweep`).

One dimension per grid axis (hyperparameters, rule options, sequence parameters, seed,
x0), one variable per measure (:data:`MEASURES`: final iterate, distance to the
comparator, R(T)/T, first violation of a bound, drift, a converges / diverges / cycles /
undecided classification). Cells batch into one simulation per block of one program;
blocks persist to a zarr store as they finish (``out=``, ``resume=True``) and run as
Dask tasks on request (``scheduler=``); :func:`load` reads a finished store back.
``octk sweep`` is the command line.
"""

from __future__ import annotations

from octk.sweeps.axes import Axis, parse_grid, parse_values
from octk.sweeps.engine import run_block, sweep
from octk.sweeps.measures import FLAGS, MEASURES, classification_rule
from octk.sweeps.plan import Plan
from octk.sweeps.store import load

__all__ = [
    "FLAGS",
    "MEASURES",
    "Axis",
    "Plan",
    "classification_rule",
    "load",
    "parse_grid",
    "parse_values",
    "run_block",
    "sweep",
]
