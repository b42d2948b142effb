r"""Piecewise losses: ℓ(x, s) a SymPy ``Piecewise`` of x, affine in the signal s.

A :class:`PiecewiseLoss` is written as one SymPy expression

.. math::  ℓ(x, s) = s·A_k(x) + B_k(x)  \quad  \text{for } x ∈ I_k,\ k = 1..K,

with intervals I_k given by the ``Piecewise`` conditions (relations of x alone,
read in order as SymPy reads them) and A_k, B_k polynomials of degree ≤ 2 in x;
ℓ must be continuous in x (checked at every breakpoint, for every s). The
gradient is derived symbolically (``sympy.diff`` of the Piecewise, one branch per
piece), so the kernels print the very same branches as the reference evaluates.

Sufficient statistic: S = Σ_t s_t (and n = T). The round-sum

.. math::  Σ_{t≤n} ℓ(x, s_t) = S·A_k(x) + n·B_k(x)  \quad (x ∈ I_k)

is again piecewise quadratic, so on a separable domain (a box, R^d) its exact
global minimum per coordinate lies among finitely many candidates: the ends of
F, the breakpoints, and each piece's stationary point −q₁/(2q₂) where its
quadratic coefficient q₂ > 0. The closed form evaluates all of them — convex or
not (the round-sum of a non-convex family such as Zhang et al.'s need not be
convex) — and reports ``unbounded`` where a piece that reaches ±∞ inside F
decreases without bound. On a non-separable domain (a ball, a simplex) cvxpy
solves it where it is convex: the round-sum is written as the rightmost piece plus
one ``pos(b − x)`` and one ``pos(b − x)²`` per breakpoint b, DCP when their
coefficients are ≥ 0 (:class:`_PiecewiseObjective`). Where it is not,
:func:`octk.regret.regret` measures against the point x* the sequence states
(``Sequence.optimum``, status ``stated``) and refuses when none is stated.
"""

from __future__ import annotations

import functools
import itertools
import math
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy as sp

from octk.errors import ParameterError
from octk.sequences.losses.base import CvxpyObjective, Loss, Solution, Support

if TYPE_CHECKING:
    from octk.domains.base import Domain

_X = sp.Symbol("x", real=True)
_S = sp.Symbol("s", real=True)


class Piece:
    """One piece: the interval [lo, hi] (ends open or closed) and the coefficients
    (a0, a1, a2), (b0, b1, b2) of A(x) = a0 + a1 x + a2 x², B(x) likewise."""

    def __init__(self, lo: float, hi: float, a: tuple[float, ...], b: tuple[float, ...]):
        self.lo, self.hi, self.a, self.b = lo, hi, a, b

    def coefficients(self, S: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, ...]:
        """(q0, q1, q2) of the round-sum S·A(x) + n·B(x) on this piece."""
        return tuple(S * ak + n * bk for ak, bk in zip(self.a, self.b, strict=True))


def _coeffs(e: sp.Expr, what: str) -> tuple[float, float, float]:
    try:
        poly = sp.Poly(sp.expand(e), _X)
    except sp.PolynomialError:
        raise ParameterError(f"{what} must be a polynomial in x of degree ≤ 2; got {e}") from None
    if poly.degree() > 2 or poly.free_symbols - {_X}:
        raise ParameterError(f"{what} must be a polynomial in x of degree ≤ 2; got {e}")
    c = [float(v) for v in reversed(poly.all_coeffs())]
    return (*c, 0.0, 0.0, 0.0)[:3]  # type: ignore[return-value]


def _intervals(cond_set: sp.Set) -> list[sp.Interval]:
    if cond_set.is_empty:
        return []
    parts = cond_set.args if isinstance(cond_set, sp.Union) else (cond_set,)
    out = []
    for p in parts:
        if not isinstance(p, sp.Interval):
            raise ParameterError(
                f"a piecewise loss's conditions must be intervals of x; got the set {p}"
            )
        out.append(p)
    return out


def analyse(phi: sp.Expr) -> tuple[Piece, ...]:
    """The pieces of ℓ(x, s) = ``phi`` (over the symbols x and s of this module),
    sorted by interval, after checking the form the module doc states."""
    if not isinstance(phi, sp.Piecewise):
        raise ParameterError(f"a piecewise loss must be a sympy Piecewise in x; got {phi}")
    remaining: sp.Set = sp.S.Reals
    pieces: list[Piece] = []
    for e, c in phi.args:
        if _S in getattr(c, "free_symbols", set()):
            raise ParameterError(f"piecewise loss conditions must not depend on s; got {c}")
        here = (sp.S.Reals if c is sp.true else c.as_set()).intersect(remaining)
        remaining = remaining - here
        if sp.diff(e, _S, 2) != 0:
            raise ParameterError(f"a piecewise loss must be affine in the signal s; got {e}")
        a = _coeffs(sp.diff(e, _S), "the s-coefficient A(x)")
        b = _coeffs(e.subs(_S, 0), "the s-free part B(x)")
        for iv in _intervals(here):
            pieces.append(Piece(float(iv.start), float(iv.end), a, b))
    if not remaining.is_empty:
        raise ParameterError(f"piecewise loss leaves x ∈ {remaining} undefined; end with (…, True)")
    pieces.sort(key=lambda p: p.lo)
    for left, right in itertools.pairwise(pieces):
        xb = right.lo
        for ca, cb in ((left.a, right.a), (left.b, right.b)):
            va = sum(c * xb**k for k, c in enumerate(ca))
            vb = sum(c * xb**k for k, c in enumerate(cb))
            if not math.isclose(va, vb, rel_tol=1e-12, abs_tol=1e-12):
                raise ParameterError(
                    f"a piecewise loss must be continuous in x; it jumps at x = {xb:g}"
                )
    return tuple(pieces)


def _value(pieces: tuple[Piece, ...], x: np.ndarray, S: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The round-sum at x (the piece containing x; continuity makes ties harmless)."""
    out = np.zeros(np.broadcast_shapes(x.shape, S.shape))
    for p in pieces:
        q0, q1, q2 = p.coefficients(S, n)
        inside = (x >= p.lo) & (x <= p.hi)
        with np.errstate(invalid="ignore", over="ignore"):
            out = np.where(inside, q0 + q1 * x + q2 * x * x, out)
    return out


class PiecewiseLoss(Loss):
    """A loss ℓ(x, s) given by :meth:`phi`, a SymPy Piecewise (see the module doc).

    Subclasses set ``name``, ``summary`` and :meth:`phi`; ``convex`` is False
    unless every ℓ(·, s) is convex for every signal value the family is used with.
    """

    convex = False

    def phi(self, x: sp.Symbol, s: sp.Expr) -> sp.Expr:  # pragma: no cover - abstract
        raise NotImplementedError

    @functools.cached_property
    def pieces(self) -> tuple[Piece, ...]:
        return analyse(self.phi(_X, _S))

    def expr(self, x: sp.Symbol, s: sp.Expr) -> sp.Expr:
        return self.phi(x, s)

    def gradient(self, x: sp.Symbol, s: sp.Expr) -> sp.Expr:
        return sp.piecewise_fold(sp.diff(self.phi(x, s), x))

    def statistics(self, s: sp.Expr, support: Support) -> tuple[tuple[str, sp.Expr], ...]:
        return (("sum_s", s),)

    def validate(self, sequence: Any) -> None:
        self.pieces  # noqa: B018 - the form is checked once, on first use

    def has_closed_form(self, domain: Domain) -> bool:
        return domain.separable

    def closed_form(self, domain: Domain, stats: dict, n: np.ndarray, support: Support) -> Solution:
        S = np.asarray(stats["sum_s"], dtype=np.float64)
        d = S.shape[-1]
        n = np.broadcast_to(np.asarray(n, dtype=np.float64)[..., None], S.shape)
        lo, hi = domain.lane_bounds(d)
        lo, hi = np.broadcast_to(lo, S.shape), np.broadcast_to(hi, S.shape)
        cands, unbounded = [], np.zeros(S.shape, dtype=bool)
        for p in self.pieces:
            _, q1, q2 = p.coefficients(S, n)
            a, b = np.maximum(p.lo, lo), np.minimum(p.hi, hi)  # the piece inside F
            live = a <= b
            for end, sign in ((a, -1.0), (b, 1.0)):  # sign: the direction of the end
                finite = np.isfinite(end)
                cands.append(np.where(live & finite, end, np.nan))
                slope = sign * q1  # the derivative along the way out, when q2 = 0
                unbounded |= live & ~finite & ((q2 < 0) | ((q2 == 0) & (slope < 0)))
            with np.errstate(divide="ignore", invalid="ignore"):
                stat = np.where(q2 > 0, -q1 / (2 * q2), np.nan)
            cands.append(np.where(live & (stat >= a) & (stat <= b), stat, np.nan))
            cands.append(np.where(live, np.clip(0.0, a, b), np.nan))  # a finite point of it
        C = np.stack(cands, axis=-1)  # (..., d, candidates)
        vals = _value(self.pieces, C, S[..., None], n[..., None])
        vals = np.where(np.isnan(C), np.inf, vals)
        k = np.argmin(vals, axis=-1)
        x = np.take_along_axis(C, k[..., None], axis=-1)[..., 0]
        best = np.take_along_axis(vals, k[..., None], axis=-1)[..., 0]
        x = np.where(unbounded, np.nan, x)
        value = np.where(np.any(unbounded, axis=-1), -np.inf, np.sum(best, axis=-1))
        status = np.where(np.isneginf(value), "unbounded", "optimal").astype("<U18")
        return x, value, status

    def cvxpy_objective(self, x: Any, d: int, support: Support) -> CvxpyObjective:
        return _PiecewiseObjective(self.pieces, x, d)

    def round_sum(self, x: np.ndarray, stats: dict, n: np.ndarray) -> np.ndarray:
        """Σ_{t≤n} ℓ(x_i, s_t) summed over coordinates, from the statistics (x: (..., d))."""
        S = np.asarray(stats["sum_s"], dtype=np.float64)
        nn = np.broadcast_to(np.asarray(n, dtype=np.float64)[..., None], S.shape)
        return np.asarray(np.sum(_value(self.pieces, np.asarray(x, float), S, nn), axis=-1))

    def gradient_bound(self, signal_bound: float | None, domain: Domain, d: int) -> float | None:
        """max |s A'(x) + B'(x)| over |s| ≤ sup|s| and x ∈ F (A', B' affine: the ends)."""
        if signal_bound is None:
            return None
        r = domain.coordinate_bound(d)
        best = 0.0
        for p in self.pieces:
            a, b = max(p.lo, -r), min(p.hi, r)
            if a > b:
                continue
            for xe in (a, b):
                da = p.a[1] + 2 * p.a[2] * xe if p.a[2] else p.a[1]
                db = p.b[1] + 2 * p.b[2] * xe if p.b[2] else p.b[1]
                if not math.isfinite(da) or not math.isfinite(db):
                    return None
                best = max(best, abs(signal_bound * da) + abs(db))
        return best


class _PiecewiseObjective(CvxpyObjective):
    r"""The round-sum as a DCP expression, where it is convex.

    With P_K the rightmost piece and D_k = P_k − P_{k+1} (zero at the breakpoint b_k by
    continuity, so D_k(x) = λ_k (b_k − x) + μ_k (b_k − x)²), the round-sum is, for every x,

    .. math::  P_K(x) + Σ_k [λ_k pos(b_k − x) + μ_k pos(b_k − x)²],

    each coefficient S·(its A part) + n·(its B part). That is DCP when the coefficients
    of pos and pos² and P_K's x² coefficient are ≥ 0 (a sufficient condition for
    convexity, necessary for this representation); :meth:`assign` raises
    :class:`NotConvexError` otherwise.
    """

    def __init__(self, pieces: tuple[Piece, ...], x: Any, d: int) -> None:
        import cvxpy as cp

        self.pieces = pieces
        last = pieces[-1]
        self.terms: list[tuple[Any, tuple[float, float]]] = []  # (parameter, (A, B) coefficient)
        expr = 0
        self.q1 = cp.Parameter(d)
        self.terms_q1 = (last.a[1], last.b[1])
        expr = expr + self.q1 @ x
        if last.a[2] or last.b[2]:
            p = cp.Parameter(d, nonneg=True)
            self.terms.append((p, (last.a[2], last.b[2])))
            expr = expr + cp.sum(cp.multiply(p, cp.square(x)))
        for left, right in itertools.pairwise(pieces):
            b = right.lo
            da = [u - v for u, v in zip(left.a, right.a, strict=True)]
            db = [u - v for u, v in zip(left.b, right.b, strict=True)]
            lam = (-(da[1] + 2 * da[2] * b), -(db[1] + 2 * db[2] * b))
            for (ca, cb), atom in (
                (lam, cp.pos(b - x)),
                ((da[2], db[2]), cp.square(cp.pos(b - x))),
            ):
                if ca or cb:
                    p = cp.Parameter(d, nonneg=True)
                    self.terms.append((p, (ca, cb)))
                    expr = expr + cp.sum(cp.multiply(p, atom))
        self.expr = expr

    def assign(self, stats: dict, n: int) -> None:
        S = np.asarray(stats["sum_s"], dtype=np.float64)
        self.S, self.n = S, n
        self.scale = float(max(np.max(np.abs(S)), n)) or 1.0
        self.q1.value = (S * self.terms_q1[0] + n * self.terms_q1[1]) / self.scale
        for p, (ca, cb) in self.terms:
            c = (S * ca + n * cb) / self.scale
            if np.any(c < -1e-12):
                raise NotConvexError(
                    "the piecewise round-sum is not convex for these statistics (a piece "
                    "with negative curvature or a kink that turns down)"
                )
            p.value = np.maximum(c, 0.0)

    def value(self, x: np.ndarray, solver_value: float) -> float:
        S, n = self.S, np.asarray(float(self.n))
        return float(
            np.sum(_value(self.pieces, np.asarray(x, float), S, np.broadcast_to(n, S.shape)))
        )


class NotConvexError(ParameterError):
    """A piecewise round-sum that cvxpy cannot take: it is not convex (in its DCP form)."""
