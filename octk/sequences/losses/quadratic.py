r"""The quadratic loss f_t(x) = Σ_i (x_i − s_{t,i})².

Gradient 2(x − s); statistics S_i = Σ_t s_{t,i} and SS_i = Σ_t s_{t,i}². With
n = T and m = S/n,

.. math::  Σ_t f_t(x) = n‖x − m‖² + Σ_i (SS_i − S_i m_i),

so x* = Π_F(m), the Euclidean projection of the mean signal (the domain's
``project`` without weights), on every domain. G∞ = 2(sup_F ‖x‖∞ + sup |s|)
on a bounded F.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy as sp

from octk.errors import ParameterError
from octk.sequences.losses.base import CvxpyObjective, Loss, Solution, Support

if TYPE_CHECKING:
    from octk.domains.base import Domain


class Quadratic(Loss):
    name = "quadratic"
    summary = "f = (x − s)²"

    def expr(self, x: sp.Symbol, s: sp.Expr) -> sp.Expr:
        return (x - s) ** 2

    def gradient(self, x: sp.Symbol, s: sp.Expr) -> sp.Expr:
        return 2 * (x - s)

    def statistics(self, s: sp.Expr, support: Support) -> tuple[tuple[str, sp.Expr], ...]:
        return (("sum_s", s), ("sum_ss", s * s))

    def check_stats(self, stats: dict) -> None:
        if np.any(stats["sum_ss"] < 0):
            raise ParameterError("stats sum_ss is a sum of non-negative terms; got < 0")

    def has_closed_form(self, domain: Domain) -> bool:
        return True

    def closed_form(self, domain: Domain, stats: dict, n: np.ndarray, support: Support) -> Solution:
        S, SS = stats["sum_s"], stats["sum_ss"]
        n = np.asarray(n, dtype=np.float64)[..., None]
        m = np.divide(S, n, out=np.zeros(np.broadcast_shapes(S.shape, n.shape)), where=n > 0)
        x = domain.project(m)
        # Σ_i (n x_i² − 2 S_i x_i + SS_i) = n‖x − m‖² + Σ_i (SS_i − S_i m_i), ≥ 0 exactly
        value = np.sum(n * (x - m) ** 2 + (SS - S * m), axis=-1)
        return x, np.maximum(value, 0.0), np.full(value.shape, "optimal", dtype="<U18")

    def cvxpy_objective(self, x: Any, d: int, support: Support) -> CvxpyObjective:
        return _QuadraticObjective(x, d)

    def gradient_bound(self, signal_bound: float | None, domain: Domain, d: int) -> float | None:
        if signal_bound is None:
            return None
        r = domain.coordinate_bound(d)
        return 2 * (r + float(signal_bound)) if math.isfinite(r) else None


class _QuadraticObjective(CvxpyObjective):
    def __init__(self, x: Any, d: int) -> None:
        import cvxpy as cp

        self.m = cp.Parameter(d)  # S / n; objective ‖x − m‖², same argmin as Σ_t f_t
        self.expr = cp.sum_squares(x - self.m)

    def assign(self, stats: dict, n: int) -> None:
        self.S, self.SS, self.n = stats["sum_s"], stats["sum_ss"], n
        self.mean = self.S / n if n > 0 else np.zeros_like(self.S)
        self.m.value = self.mean

    def value(self, x: np.ndarray, solver_value: float) -> float:
        m = self.mean
        return max(float(self.n * np.sum((x - m) ** 2) + np.sum(self.SS - self.S * m)), 0.0)
