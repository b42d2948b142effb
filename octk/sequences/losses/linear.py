r"""The linear loss f_t(x) = Σ_i s_{t,i} x_i.

Gradient s; statistic S_i = Σ_t s_{t,i}; comparator min_{x∈F} S·x, in closed
form on every domain (the domain's ``min_linear``: a vertex of a box, −R S/‖S‖
on a ball, unbounded on R^d unless S = 0); G∞ = sup |s|.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import sympy as sp

from octk.sequences.losses.base import CvxpyObjective, Loss, Solution, Support

if TYPE_CHECKING:
    from octk.domains.base import Domain


class Linear(Loss):
    name = "linear"
    summary = "f = s·x"

    def expr(self, x: sp.Symbol, s: sp.Expr) -> sp.Expr:
        return s * x

    def gradient(self, x: sp.Symbol, s: sp.Expr) -> sp.Expr:
        return s

    def statistics(self, s: sp.Expr, support: Support) -> tuple[tuple[str, sp.Expr], ...]:
        return (("sum_s", s),)

    def has_closed_form(self, domain: Domain) -> bool:
        return True

    def closed_form(self, domain: Domain, stats: dict, n: np.ndarray, support: Support) -> Solution:
        return domain.min_linear(stats["sum_s"])

    def cvxpy_objective(self, x: Any, d: int, support: Support) -> CvxpyObjective:
        return _LinearObjective(x, d)

    def gradient_bound(self, signal_bound: float | None, domain: Domain, d: int) -> float | None:
        return None if signal_bound is None else float(signal_bound)


class _LinearObjective(CvxpyObjective):
    def __init__(self, x: Any, d: int) -> None:
        import cvxpy as cp

        self.c = cp.Parameter(d)  # S / ‖S‖∞
        self.expr = self.c @ x

    def assign(self, stats: dict, n: int) -> None:
        S = stats["sum_s"]
        self.scale = float(np.max(np.abs(S))) or 1.0
        self.c.value = S / self.scale

    def value(self, x: np.ndarray, solver_value: float) -> float:
        return float(solver_value) * self.scale
