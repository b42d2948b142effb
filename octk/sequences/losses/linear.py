r"""The linear loss f_t(x) = Σ_i s_{t,i} x_i.

Gradient s; statistic S_i = Σ_t s_{t,i}; comparator min_{x∈F} S·x, in closed
form on every domain (the domain's ``min_linear``: a vertex of a box, −R S/‖S‖
on a ball, unbounded on R^d unless S = 0); G∞ = sup |s|.
"""

from __future__ import annotations

import numpy as np

from octk.sequences.losses.base import CvxpyObjective, Loss


class Linear(Loss):
    name = "linear"
    summary = "f = s·x"

    def expr(self, x, s):
        return s * x

    def gradient(self, x, s):
        return s

    def statistics(self, s, support):
        return (("sum_s", s),)

    def has_closed_form(self, domain) -> bool:
        return True

    def closed_form(self, domain, stats, n, support):
        return domain.min_linear(stats["sum_s"])

    def cvxpy_objective(self, x, d, support):
        return _LinearObjective(x, d)

    def gradient_bound(self, signal_bound, domain, d):
        return None if signal_bound is None else float(signal_bound)


class _LinearObjective(CvxpyObjective):
    def __init__(self, x, d):
        import cvxpy as cp

        self.c = cp.Parameter(d)  # S / ‖S‖∞
        self.expr = self.c @ x

    def assign(self, stats, n):
        S = stats["sum_s"]
        self.scale = float(np.max(np.abs(S))) or 1.0
        self.c.value = S / self.scale

    def value(self, x, solver_value):
        return float(solver_value) * self.scale
