r"""The linear loss continued by a quadratic below x = −1 (Zhang et al. 2022's counterexample).

.. math::

    ℓ(x, s) = s·h(x), \qquad
    h(x) = \begin{cases} x & x ≥ −1 \\ (x+2)²/2 − 3/2 & x < −1 \end{cases}

h is C¹ (h(−1) = −1, h'(−1) = 1), convex, and minimal at x = −2 (h(−2) = −3/2).
With s = 1 + (n−1)a this is Zhang et al.'s f₀ — (1+(n−1)a)·x above −1,
(1+(n−1)a)/2·(x+2)² − 3(1+(n−1)a)/2 below — and with s = −a their fᵢ, i ≥ 1,
−a·x above and −a/2·(x+2)² + 3a/2 below (Zhang, Chen, Shi, Sun & Luo, "Adam Can
Converge Without Any Modification On Update Rules", NeurIPS 2022). ℓ(·, s) is
convex for s ≥ 0 and concave for s < 0: the family is not convex, only its
round-sums S·h with S ≥ 0 are. The comparator is the exact piecewise minimum
(:mod:`octk.sequences.losses.piecewise`): x* = −2 when S > 0, any point when
S = 0, unbounded on R (an end of a box) when S < 0.
"""

from __future__ import annotations

import sympy as sp

from octk.sequences.losses.piecewise import PiecewiseLoss


class LinearQuadraticTail(PiecewiseLoss):
    name = "linear-quadratic-tail"
    summary = "f = s·x for x ≥ −1, s·((x+2)²/2 − 3/2) below (Zhang et al. 2022)"

    def phi(self, x: sp.Symbol, s: sp.Expr) -> sp.Expr:
        return sp.Piecewise((s * x, x >= -1), (s * ((x + 2) ** 2 / 2 - sp.Rational(3, 2)), True))
