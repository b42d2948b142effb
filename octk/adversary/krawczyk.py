r"""Existence and uniqueness of a periodic orbit by the Krawczyk test on the p-step map.

For the limit program's one-step map P(z, g) (:class:`~octk.adversary.limit.LimitProgram`)
and a periodic table g_1, …, g_p, a period-p orbit is a zero of

.. math::  F(z) = P^p(z) - z, \qquad P^p = P(\cdot, g_p) \circ \dots \circ P(\cdot, g_1).

**Krawczyk's test** (Krawczyk 1969; Moore 1977; Neumaier, *Interval Methods for
Systems of Equations*, 1990, Thm. 5.1.7). For a box X, y ∈ X, any matrix C and an
interval matrix J(X) that contains the Jacobian F'(z) for every z ∈ X,

.. math::  K(X) = y - C F(y) + (I - C\,J(X))(X - y).

If K(X) ⊂ int X, F has exactly one zero in X (and it lies in K(X) ∩ X).

Here J(X) = Π_k P_z(Z_k, g_k) − I, the chain rule along the period, with Z_1 = X,
Z_{k+1} ⊇ P(Z_k, g_k) the interval images and P_z the Jacobian of the step, derived
symbolically from the program (:func:`sympy.diff`) and evaluated in interval
arithmetic (:mod:`octk.backends.exact`, strict mode). y is the midpoint of X (exact),
F(y) is evaluated rigorously, and C = mid(J(X))^{-1} in floating point, read exactly
(any C is valid; a good one makes K small).

Where the map is not differentiable on X — a Max, Min, Abs, sign or Piecewise switch
that the enclosures do not decide, in the map or in its derivative (SymPy writes the
derivative of a Piecewise or sign jump as 0, so the map is checked too); AMSGrad's
running max sits on its switch on the orbit, where v reaches it — the derivative is not
an enclosure of F', the test is not applied, and the caller falls back to the self-map
test (:func:`~octk.adversary.limit.self_map`), stating which test certified the orbit.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy as sp

from octk.backends import exact as ex
from octk.errors import ParameterError
from octk.symbols import g

if TYPE_CHECKING:
    from octk.adversary.limit import LimitProgram

Matrix = list[list[Any]]


def _matmul(a: Matrix, b: Matrix) -> Matrix:
    n, m, k = len(a), len(b[0]), len(b)
    out: Matrix = []
    for r in range(n):
        row = []
        for c in range(m):
            acc: Any = Fraction(0)
            for j in range(k):
                acc = ex.add(acc, ex.mul(a[r][j], b[j][c]))
            row.append(acc)
        out.append(row)
    return out


def _mid(v: Any) -> float:
    return float((ex.lower(v) + ex.upper(v)) / 2)


def jacobian(lp: LimitProgram) -> list[list[sp.Expr]]:
    """∂P_a/∂z_b, symbolically (Heaviside/DiracDelta/sign mark the switches)."""
    return [[sp.diff(e, s) for s in lp.state] for e in lp.step]


def krawczyk(
    lp: LimitProgram, X: list[tuple[Fraction, Fraction]], col: list[Fraction]
) -> dict[str, Any]:
    """The Krawczyk test of F = P^p − id on the box ``X`` for the table column ``col``.

    Returns ``{"status": "unique", "K": [[lo, hi], ...]}`` where K(X) ⊂ int X (a unique
    periodic point in X), else ``{"status": "not-differentiable" | "failed", "reason"}``.
    """
    n = len(lp.state)
    if n == 0:  # no state (OGD): the p-step map of R^0, a point, is its own unique orbit
        return {"status": "unique", "K": []}
    try:
        jac = [[ex.compile_expr(e, strict=True) for e in row] for row in jacobian(lp)]
    except ParameterError as e:  # a derivative the evaluator does not take
        return {"status": "failed", "reason": f"the Jacobian is not evaluable ({e})"}
    # the map itself strictly too: a Piecewise or sign switch that is not decided may be a
    # jump, whose derivative SymPy writes as 0 (no switch left in it to check)
    step = [ex.compile_expr(e, strict=True) for e in lp.step]
    zs: list[Any] = [ex.interval(lo, hi) if lo != hi else lo for lo, hi in X]
    J: Matrix = [[Fraction(int(r == c)) for c in range(n)] for r in range(n)]
    try:
        for gk in col:
            env = dict(zip(lp.state, zs, strict=True))
            env[g] = gk
            J = _matmul([[c(env) for c in row] for row in jac], J)
            zs = [c(env) for c in step]
    except ex.NotDifferentiable as e:
        return {
            "status": "not-differentiable",
            "reason": f"the p-step map is not differentiable on the box ({e})",
        }
    except ex.Undecided as e:
        return {"status": "failed", "reason": f"the Jacobian is not enclosed ({e})"}
    M = [[ex.add(J[r][c], Fraction(-int(r == c))) for c in range(n)] for r in range(n)]
    mid = np.array([[_mid(v) for v in row] for row in M])
    if not np.all(np.isfinite(mid)) or abs(np.linalg.det(mid)) < 1e-300:
        return {
            "status": "failed",
            "reason": "P^p − I is singular at the box's midpoint "
            "(the periodic point may not be isolated)",
        }
    C = [[Fraction(float(v)) for v in row] for row in np.linalg.inv(mid)]
    y = [(lo + hi) / 2 for lo, hi in X]
    try:
        Py, _ = lp.period(list(y), col)
    except ex.Undecided as e:
        return {"status": "failed", "reason": f"F(y) is not enclosed ({e})"}
    Fy = [ex.add(Py[a], -y[a]) for a in range(n)]
    CM = _matmul(C, M)
    dev = [ex.interval(lo - yv, hi - yv) for (lo, hi), yv in zip(X, y, strict=True)]
    K = []
    for a in range(n):
        acc: Any = y[a]
        for b in range(n):
            acc = ex.add(acc, ex.mul(-C[a][b], Fy[b]))
            acc = ex.add(
                acc, ex.mul(ex.add(Fraction(int(a == b)), ex.mul(Fraction(-1), CM[a][b])), dev[b])
            )
        lo_k, hi_k = ex.lower(acc), ex.upper(acc)
        if not (X[a][0] < lo_k and hi_k < X[a][1]):
            return {"status": "failed", "reason": f"K(X) ⊄ int X in state {lp.state[a]}"}
        K.append([lo_k, hi_k])
    return {"status": "unique", "K": K}


__all__ = ["jacobian", "krawczyk"]
