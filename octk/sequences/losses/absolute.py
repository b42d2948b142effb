r"""The absolute loss f_t(x) = Σ_i |x_i − s_{t,i}| over a signal with finitely many values.

Subgradient sign(x − s) (0 at x = s); statistics n_{ij} = #{t: s_{t,i} = a_j}
for the values a_j of ``sequence.support()`` (so the comparator is
T-independent), and

.. math::  Σ_t f_t(x) = Σ_i Σ_j n_{ij} |x_i − a_j|.

Closed form on a separable domain (a box, R^d): per coordinate the (lower)
weighted median of the a_j with weights n_{ij}, projected onto F (in one
dimension convexity makes the clip of an unconstrained minimiser a
constrained one). Elsewhere (a ball, a simplex) cvxpy solves it. G∞ = 1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import sympy as sp

from octk.errors import ParameterError
from octk.sequences.losses.base import CvxpyObjective, Loss, Solution, Support

if TYPE_CHECKING:
    from octk.domains.base import Domain

MAX_SUPPORT = 64


def _values(support: Support) -> tuple[float, ...]:
    """The signal's values (a sequence with a continuous signal is refused by ``validate``)."""
    if support is None:
        raise ParameterError("loss='absolute' needs a signal with finitely many values")
    return support


def _sorted_support(support: Support) -> tuple[np.ndarray, np.ndarray]:
    """(a sorted, order): the support values sorted and the count_k index of each."""
    a = np.asarray(_values(support), dtype=np.float64)
    order = np.argsort(a, kind="stable")
    return a[order], order


class Absolute(Loss):
    name = "absolute"
    summary = "f = |x − s|"

    def expr(self, x: sp.Symbol, s: sp.Expr) -> sp.Expr:
        return sp.Abs(x - s)

    def gradient(self, x: sp.Symbol, s: sp.Expr) -> sp.Expr:
        return sp.Piecewise((1, x > s), (-1, x < s), (0, True))

    def statistics(self, s: sp.Expr, support: Support) -> tuple[tuple[str, sp.Expr], ...]:
        return tuple(
            (f"count_{k}", sp.Piecewise((1, sp.Eq(s, a)), (0, True)))
            for k, a in enumerate(_values(support))
        )

    def validate(self, sequence: Any) -> None:
        if sequence.support() is None:
            raise ParameterError(
                f"loss='absolute' needs a signal z_t with finitely many values (at most "
                f"{MAX_SUPPORT}) so that the comparator is T-independent; sequence "
                f"{sequence.name!r} has a continuous or unbounded set of values"
            )

    def check_stats(self, stats: dict) -> None:
        if any(np.any(v < 0) for v in stats.values()):
            raise ParameterError("stats count_k are sums of non-negative terms; got < 0")

    def has_closed_form(self, domain: Domain) -> bool:
        return domain.separable

    def closed_form(self, domain: Domain, stats: dict, n: np.ndarray, support: Support) -> Solution:
        a, order = _sorted_support(support)
        W = [stats[f"count_{k}"] for k in order]  # sorted by support value, each (..., d)
        total = sum(W)
        half = 0.5 * total
        x = np.zeros_like(total)
        found = total <= 0  # no data: any point; pick 0 (then projected)
        cw = np.zeros_like(total)
        for aj, wj in zip(a, W, strict=True):  # first a_j with cumulative weight ≥ total/2
            cw = cw + wj
            hit = ~found & (cw >= half)
            x = np.where(hit, aj, x)
            found |= hit
        x = domain.project(x)
        value = np.sum(sum(wj * np.abs(x - aj) for aj, wj in zip(a, W, strict=True)), axis=-1)
        return x, value, np.full(value.shape, "optimal", dtype="<U18")

    def cvxpy_objective(self, x: Any, d: int, support: Support) -> CvxpyObjective:
        return _AbsoluteObjective(x, d, support)

    def objective_key(self, support: Support) -> object:
        return _values(support)

    def gradient_bound(self, signal_bound: float | None, domain: Domain, d: int) -> float | None:
        return 1.0


class _AbsoluteObjective(CvxpyObjective):
    def __init__(self, x: Any, d: int, support: Support) -> None:
        import cvxpy as cp

        self.a, self.order = _sorted_support(support)
        self.w = cp.Parameter((d, len(self.a)), nonneg=True)  # n_ij / max n_ij
        dist = cp.abs(cp.reshape(x, (d, 1), order="C") - self.a[None, :])
        self.expr = cp.sum(cp.multiply(self.w, dist))

    def assign(self, stats: dict, n: int) -> None:
        W = np.stack([stats[f"count_{k}"] for k in self.order], axis=-1)
        self.scale = float(np.max(W)) or 1.0
        self.w.value = W / self.scale

    def value(self, x: np.ndarray, solver_value: float) -> float:
        return float(solver_value) * self.scale
