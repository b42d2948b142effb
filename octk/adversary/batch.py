r"""Evaluate many candidate sequences in one simulation.

Every candidate is one configuration of a single :func:`octk.simulate.prepare` /
:func:`~octk.simulate.run_program` call, so the backend (Numba, CUDA, the
reference) advances all of them in one kernel launch per segment. A candidate's
sequence is a table (rows × d) of its own; two layouts carry the C tables:

* a **separable** domain (a box, R^d: F is a product of intervals and the rules
  are coordinatewise, so every coordinate runs on its own) — one configuration of
  dimension C·d, whose data table has one column block per candidate;
* any other domain (a ball couples the coordinates through its projection) —
  C configurations of dimension d ≥ 2. The data table is read at column
  ``coord`` of each lane (``DATA[row, coord]``, the lane layout of
  :class:`~octk.simulate.Lanes`); giving each lane its own column (coord =
  lane index) and the table C·d columns makes every configuration read its own
  block. This is sound because the candidates' signals read neither the
  coordinate index i nor a random stream (checked), the only other readers of
  ``coord``.

:func:`run_batch` returns, per candidate and checkpoint, the cumulative loss
Σ_t ⟨g_t, x_t⟩, the sums S = Σ_t g_t and the iterate x_{t+1}.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from octk.backends import get_backend
from octk.domains import Box
from octk.errors import ParameterError
from octk.sequences import Sequence
from octk.simulate import prepare, run_program
from octk.symbols import U, i


@dataclass(frozen=True)
class BatchRun:
    """Per candidate c and checkpoint k: loss[c, k], S[c, k, :], x[c, k, :]."""

    t: np.ndarray
    loss: np.ndarray
    S: np.ndarray
    x: np.ndarray


def _sequence(signal: sp.Expr, data: np.ndarray, wrap: bool, bound: float) -> Sequence:
    return Sequence(
        "adversary", {}, signal, data=np.ascontiguousarray(data), wrap=wrap, bound=bound
    )


def run_batch(
    rule,
    params: dict,
    domain,
    signal: sp.Expr,
    tables: np.ndarray,
    wrap: bool,
    x0: np.ndarray,
    steps: int,
    checkpoints,
    *,
    bound: float,
    backend="numba",
) -> BatchRun:
    """Run ``rule`` on C candidate tables (C, rows, d) from x0 (C, d); see the module doc."""
    if signal.free_symbols & {i, *U}:
        raise ParameterError("a batched candidate signal must not read i or a random stream")
    C, rows, d = tables.shape
    be = get_backend(backend)
    ck = np.unique(np.asarray(checkpoints, dtype=np.int64))
    scalars = {k: float(v) for k, v in params.items()}
    if domain.separable:
        flat = np.ascontiguousarray(tables.transpose(1, 0, 2).reshape(rows, C * d))
        dom = domain
        if isinstance(domain, Box) and domain.lo.size > 1:
            dom = Box(np.tile(domain.lo, C), np.tile(domain.hi, C), domain.projection)
        seq = _sequence(signal, flat if C * d > 1 else flat.reshape(rows, 1), wrap, bound)
        prog, lanes, meta = prepare(
            rule, seq, dom, steps=steps, x0=x0.reshape(-1), params=scalars, d=C * d,
            checkpoints=ck,
        )
    else:
        if d < 2:
            raise ParameterError(
                f"domain {domain.spec()} in dimension 1 is an interval: use a box"
            )
        seq = _sequence(signal, np.zeros((rows, d)), wrap, bound)
        prog, lanes, meta = prepare(
            rule, seq, domain, steps=steps, x0=x0, params=scalars, d=d, checkpoints=ck
        )
        lanes.data = np.ascontiguousarray(tables.transpose(1, 0, 2).reshape(rows, C * d))
        lanes.coord = np.arange(C * d, dtype=np.int64)
    run_program(be, prog, lanes, meta)
    K = len(lanes.ck_t)
    q = [n for n, _ in prog.stats].index("sum_s")
    return BatchRun(
        t=lanes.ck_t.copy(),
        loss=lanes.ck_loss.reshape(K, C, d).sum(axis=2).T.copy(),
        S=lanes.ck_stats[q].reshape(K, C, d).transpose(1, 0, 2).copy(),
        x=lanes.ck_x.reshape(K, C, d).transpose(1, 0, 2).copy(),
    )


__all__ = ["BatchRun", "run_batch"]
