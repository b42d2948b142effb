"""The per-coordinate symbols shared by rules, sequences and proofs.

Every rule and every loss sequence is written over these symbols, one
coordinate at a time:

* ``t`` -- the step, counted from 1 (a positive integer);
* ``g`` -- the gradient coordinate g_{t,i} revealed at step t;
* ``x`` -- the iterate coordinate x_{t,i} played at step t;
* ``i`` -- the coordinate index (0-based), for sequences that differ by coordinate;
* ``U0``, ``U1``, ... -- counter-based uniform draws in [0, 1) that depend on
  (seed, t, i, stream) only, so that every backend sees the same numbers.
"""

from __future__ import annotations

import sympy as sp

t = sp.Symbol("t", integer=True, positive=True)
g = sp.Symbol("g", real=True)
x = sp.Symbol("x", real=True)
i = sp.Symbol("i", integer=True, nonnegative=True)

MAX_STREAMS = 4
U = tuple(sp.Symbol(f"U{k}", real=True, nonnegative=True) for k in range(MAX_STREAMS))


def uniform(stream: int = 0) -> sp.Symbol:
    """The symbol of uniform draw number ``stream`` (independent streams per step)."""
    if not 0 <= stream < MAX_STREAMS:
        raise ValueError(f"stream must be in [0, {MAX_STREAMS}); got {stream}")
    return U[stream]


def uniform_streams(expr: sp.Expr) -> list[int]:
    """The sorted stream numbers of the uniform draws ``expr`` uses."""
    return sorted(k for k, u in enumerate(U) if u in expr.free_symbols)


#: the entry data[row(t), i] of a sequence's data table (``array`` and ``periodic``)
DATA = sp.Symbol("data_ti", real=True)
