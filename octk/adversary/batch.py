r"""Evaluate many candidate sequences in one simulation.

Every candidate is one configuration of a single batch, laid out by
:func:`octk.simulate.prepare` and advanced by one call of the backend's kernel
(``backend.compile(program, domain)``, the protocol every backend implements), so
the backend (Numba, CUDA, the reference) runs all of them in one launch. The
program, the lane layout and the kernel are built once per batch size. A candidate's
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

:meth:`Batcher.run` returns, per candidate and checkpoint, the cumulative loss
Σ_t ⟨g_t, x_t⟩, the sums S = Σ_t g_t and the iterate x_{t+1}.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import sympy as sp

from octk.backends import get_backend
from octk.domains import Box
from octk.domains.base import Domain
from octk.errors import ParameterError
from octk.monitors import Monitor
from octk.rules import Rule
from octk.sequences import Sequence
from octk.simulate import prepare
from octk.symbols import U, i


@dataclass(frozen=True)
class BatchRun:
    """Per candidate c and checkpoint k: loss[c, k], S[c, k, :], x[c, k, :] and each
    monitor's value monitors[name][c, k, :]."""

    t: np.ndarray
    loss: np.ndarray
    S: np.ndarray
    x: np.ndarray
    monitors: dict[str, np.ndarray] = field(default_factory=dict)


def _sequence(signal: sp.Expr, data: np.ndarray, wrap: bool, bound: float) -> Sequence:
    return Sequence(
        "adversary", {}, signal, data=np.ascontiguousarray(data), wrap=wrap, bound=bound
    )


class Batcher:
    """Runs batches of C candidates; the program, lane layout and kernel are built once per C.

    ``rule``, ``params`` (scalars), ``domain``, the candidates' ``signal`` over the table
    entry, ``wrap`` (a periodic table), ``rows`` × ``d`` tables, ``steps`` and the
    ``checkpoints``; ``backend`` any :func:`octk.backends.get_backend` name or object.
    """

    def __init__(
        self,
        rule: Rule,
        params: dict[str, Any],
        domain: Domain,
        signal: sp.Expr,
        *,
        rows: int,
        d: int,
        wrap: bool,
        steps: int,
        checkpoints: Iterable[int],
        bound: float,
        backend: Any = "numba",
        monitors: Iterable[Monitor] = (),
    ) -> None:
        if signal.free_symbols & {i, *U}:
            raise ParameterError("a batched candidate signal must not read i or a random stream")
        if not domain.separable and d < 2:
            raise ParameterError(f"domain {domain.spec()} in dimension 1 is an interval: use a box")
        self.rule, self.domain, self.signal = rule, domain, signal
        self.params = {k: float(v) for k, v in params.items()}
        self.rows, self.d, self.wrap, self.steps, self.bound = rows, d, wrap, steps, bound
        self.ck = np.unique(np.asarray(checkpoints, dtype=np.int64))
        self.backend = get_backend(backend)
        self.monitors = tuple(monitors)
        self._built: dict[int, tuple] = {}

    def _build(self, C: int) -> tuple[Any, Any, Any, list[str]]:
        rows, d = self.rows, self.d
        if self.domain.separable:
            # one configuration of dimension C·d; the table has one column block per candidate
            dom = self.domain
            if isinstance(dom, Box) and dom.lo.size > 1:
                dom = Box(np.tile(dom.lo, C), np.tile(dom.hi, C), dom.projection)
            prog, lanes, meta = prepare(
                self.rule,
                _sequence(self.signal, np.zeros((rows, C * d)), self.wrap, self.bound),
                dom,
                steps=self.steps,
                x0=np.zeros(C * d),
                params=self.params,
                d=C * d,
                checkpoints=self.ck,
                monitors=self.monitors,
            )
        else:
            seq = _sequence(self.signal, np.zeros((rows, d)), self.wrap, self.bound)
            x0 = self.domain.project(np.zeros((C, d)))  # a feasible template (simplex: 1/d)
            prog, lanes, meta = prepare(
                self.rule,
                seq,
                self.domain,
                steps=self.steps,
                x0=x0,
                params=self.params,
                d=d,
                checkpoints=self.ck,
                monitors=self.monitors,
            )
            lanes.coord = np.arange(C * d, dtype=np.int64)
        kernel = self.backend.compile(prog, meta["domain"])
        names = [n for n, _ in prog.stats]
        return prog, lanes, kernel, names

    def run(self, tables: np.ndarray, x0: np.ndarray) -> BatchRun:
        """Run C candidate tables (C, rows, d) from first iterates x0 (C, d)."""
        C, rows, d = tables.shape
        if C not in self._built:
            self._built[C] = self._build(C)
        _prog, template, kernel, names = self._built[C]
        lanes = replace(
            template,
            x=np.ascontiguousarray(x0.reshape(-1), dtype=np.float64).copy(),
            state=template.state.copy(),
            loss=template.loss.copy(),
            stats=template.stats.copy(),
            data=np.ascontiguousarray(tables.transpose(1, 0, 2).reshape(rows, C * d)),
            ck_x=template.ck_x.copy(),
            ck_loss=template.ck_loss.copy(),
            ck_stats=template.ck_stats.copy(),
        )
        kernel(lanes, 1, self.steps, 0)
        K = len(lanes.ck_t)

        def per_candidate(q: int) -> np.ndarray:
            return lanes.ck_stats[q].reshape(K, C, d).transpose(1, 0, 2).copy()

        q = names.index("sum_s")
        return BatchRun(
            t=lanes.ck_t.copy(),
            loss=lanes.ck_loss.reshape(K, C, d).sum(axis=2).T.copy(),
            S=per_candidate(q),
            x=lanes.ck_x.reshape(K, C, d).transpose(1, 0, 2).copy(),
            monitors={m.name: per_candidate(names.index(m.name)) for m in self.monitors},
        )


__all__ = ["BatchRun", "Batcher"]
