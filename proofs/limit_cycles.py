r"""Bock & Weiß (2019): Adam's 2-cycle on a quadratic, its existence and its stability.

On f(w) = c w²/2 (g = c w), Adam without bias correction and with ε = 0,

    m_t = β1 m_{t−1} + (1 − β1) g_t,   v_t = β2 v_{t−1} + (1 − β2) g_t²,
    w_{t+1} = w_t − α m_t/√v_t,

has the 2-cycle (w, m, v) ↦ (−w, −m, v) through

    w = w* = α(1 − β1)/(2(1 + β1)),   m = −c w* (1 − β1)/(1 + β1),   v = c² w*²

(Bock & Weiß 2019, "A proof of local convergence for the Adam optimizer", the
limit cycle of their §4). The claims read the step map Φ from octk's ``adam``
program (no bias correction, constant step, ε = 0):

* ``limit_cycles.two_cycle`` — Φ(w*, m*, v*) = (−w*, −m*, v*) as an identity in
  α, c > 0 and β1, β2 ∈ [0, 1) (so Φ∘Φ fixes the point);
* ``limit_cycles.stability`` — the Jacobian of Φ∘Φ at the cycle has a characteristic
  polynomial free of α and c (the radius is independent of them); at β1 = 0 it is
  −λ q(λ) with q(0) = β2² and discriminant (9β2 − 1)(β2 − 1)(3β2 − 1)², so for
  1/9 < β2 < 1 the nonzero roots are conjugate of modulus β2: ρ = β2 exactly there
  (for β2 < 1/9 they are real and ρ > β2, e.g. at RKK's β2 = 0.1); on a grid of
  rational (β1, β2) its roots are enclosed by SymPy's exact complex-root isolation
  (rational rectangles), so the spectral radius ρ is enclosed rigorously and the
  cycle certified attracting
  (ρ < 1) or not (ρ > 1). Spot values: ρ(0.1, 0.9) = 0.948151294542659…,
  ρ(0.9, 0.999) = 1.10129483….
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike, NDArray

from octk.rules.rule import Rule
from octk.symbols import g, t, x
from proofs.certify import identity
from proofs.claim import (
    Basis,
    Claim,
    NotApplicable,
    Outcome,
    Scope,
    Step,
    all_of,
    paper_rule,
    proved,
    refuted,
)

c = sp.Symbol("c", positive=True)
W, M, V = sp.symbols("w m v", real=True)
B2, A = sp.symbols("beta2 alpha", positive=True)
U = sp.Symbol("s", nonnegative=True)  # β1 = s/(1 + s), s ≥ 0: 1 ± β1 > 0 as expressions
B1 = U / (1 + U)

#: the (β1, β2) grid of :func:`spectral_radius_grid`
GRID_B1 = (Fraction(0), Fraction(1, 10), Fraction(1, 2), Fraction(9, 10))
GRID_B2 = (Fraction(1, 10), Fraction(9, 10), Fraction(99, 100), Fraction(999, 1000))


def cycle_rule() -> Rule:
    """Adam without bias correction, constant step (ε is set to 0 by the claims)."""
    return paper_rule("adam", bias_correction_m=False, bias_correction_v=False)()


def step_map(rule: Rule):
    """Φ(w, m, v) = (w', m', v') read from the rule's program on g = c w, ε = 0."""
    names = {s.name: s.symbol for s in rule.state}
    if set(names) != {"m", "v"}:
        raise NotApplicable(f"the 2-cycle is Adam's on the state (m, v); the rule has {set(names)}")
    hyper = {h.name: h.symbol for h in rule.hyperparameters}
    if not {"alpha", "beta1", "beta2"} <= set(hyper):
        raise NotApplicable("the rule lacks one of α, β1, β2")
    env: dict = {
        names["m"]: M,
        names["v"]: V,
        x: W,
        g: c * W,
        hyper["alpha"]: A,
        hyper["beta1"]: B1,
        hyper["beta2"]: B2,
    }
    if "eps" in hyper:
        env[hyper["eps"]] = 0
    out = {}
    for target, e in rule.program:
        val = sp.piecewise_fold(e.xreplace(env))
        if isinstance(val, sp.Piecewise):  # the guarded step: √v > 0 at the cycle
            val = val.args[0][0]
        env[target] = val
        out[target] = val
    new = [out.get(x), out.get(names["m"]), out.get(names["v"])]
    exprs = [e for e in new if e is not None]
    if len(exprs) < 3 or any(t in e.free_symbols for e in exprs):
        raise NotApplicable("the step map depends on t (bias correction or a step schedule)")
    return tuple(exprs)


def cycle_point():
    """(w*, m, v*) at the start of a step from w*: m = −m*, the moment of the last step at −w*."""
    w = A * (1 - B1) / (2 * (1 + B1))
    return w, -c * w * (1 - B1) / (1 + B1), c**2 * w**2


def _at(exprs, point):
    sub = dict(zip((W, M, V), point, strict=True))
    return [e.xreplace(sub) for e in exprs]


def two_cycle(rule: Rule) -> Outcome:
    """Φ(w*, m*, v*) = (−w*, −m*, v*), each coordinate an identity."""
    phi = step_map(rule)
    p = cycle_point()
    img = _at(phi, p)
    space = {
        A: (sp.Rational(1, 3), 1, 2),
        c: (sp.Rational(1, 2), 1, 3),
        U: (0, sp.Rational(1, 9), 9),
        B2: (sp.Rational(1, 10), sp.Rational(99, 100)),
    }
    parts = [
        identity(img[0], -p[0], what="w' = −w*", space=space),
        identity(img[1], -p[1], what="m' = −m*", space=space),
        identity(img[2], p[2], what="v' = v*", space=space),
    ]
    return all_of(*parts).with_steps(
        Step("the cycle point", sp.Eq(sp.Tuple(W, M, V), sp.Tuple(*p), evaluate=False)),
        Step(
            "Φ read from the rule at g = c w, ε = 0",
            sp.Eq(sp.Tuple(W, M, V), sp.Tuple(*phi), evaluate=False),
        ),
    )


def char_poly(rule: Rule) -> sp.Poly:
    """The characteristic polynomial of D(Φ∘Φ) at the cycle, in λ (coefficients in β1, β2)."""
    phi = sp.Matrix(step_map(rule))
    J = phi.jacobian(sp.Matrix([W, M, V]))
    p = cycle_point()
    q = (-p[0], -p[1], p[2])
    J2 = J.xreplace(dict(zip((W, M, V), q, strict=True))) * J.xreplace(
        dict(zip((W, M, V), p, strict=True))
    )
    lam = sp.Symbol("lambda")
    J2 = J2.applyfunc(lambda e: sp.cancel(sp.simplify(e)))
    return sp.Poly(sp.expand((J2 - lam * sp.eye(3)).det(method="berkowitz")), lam)


EPS = sp.Rational(1, 10**15)  # width of the root isolation


def radius_enclosure(poly: sp.Poly, b1: Fraction, b2: Fraction, eps=EPS):
    """Rational bounds (lo, hi) on the spectral radius at (β1, β2) = (b1, b2)."""
    sub = {
        U: sp.Rational(b1.numerator, b1.denominator)
        / (1 - sp.Rational(b1.numerator, b1.denominator)),
        B2: sp.Rational(b2.numerator, b2.denominator),
    }
    coeffs = [co.xreplace(sub) for co in poly.all_coeffs()]
    pq = sp.Poly(
        [co if co.is_Rational else sp.nsimplify(sp.simplify(co)) for co in coeffs], poly.gen
    )
    real, cplx = pq.intervals(all=True, eps=eps)
    lo2, hi2 = Fraction(0), Fraction(0)  # bounds on ρ² (squared moduli)
    for (a, b), _mult in real:
        a, b = Fraction(str(a)), Fraction(str(b))
        near = min(a * a, b * b) if a * b > 0 else Fraction(0)
        lo2, hi2 = max(lo2, near), max(hi2, a * a, b * b)
    for (za, zb), _mult in cplx:  # rectangles given by two opposite corners
        ax, ay, bx, by = (Fraction(str(v)) for v in (sp.re(za), sp.im(za), sp.re(zb), sp.im(zb)))
        near = (min(ax * ax, bx * bx) if ax * bx > 0 else Fraction(0)) + (
            min(ay * ay, by * by) if ay * by > 0 else Fraction(0)
        )
        lo2, hi2 = max(lo2, near), max(hi2, max(ax * ax, bx * bx) + max(ay * ay, by * by))
    return _sqrt_down(lo2), _sqrt_up(hi2)


def _sqrt_down(q: Fraction, bits: int = 80) -> Fraction:
    """A rational ≤ √q (q ≥ 0)."""
    s = math.isqrt(q.numerator * 4**bits // q.denominator)
    return Fraction(s, 2**bits)


def _sqrt_up(q: Fraction, bits: int = 80) -> Fraction:
    """A rational ≥ √q."""
    s = math.isqrt(-(-q.numerator * 4**bits // q.denominator))
    return Fraction(s + 1, 2**bits)


def stability(rule: Rule) -> Outcome:
    """α- and c-free characteristic polynomial; ρ = β2 at β1 = 0; the grid certified."""
    poly = char_poly(rule)
    free = set().union(*(co.free_symbols for co in poly.all_coeffs()))
    if free & {A, c}:
        return refuted(
            "characteristic polynomial",
            "the radius depends on α or c",
            {"symbols": sorted(map(str, free & {A, c}))},
        )
    # β1 = 0: the polynomial is −λ (λ² − a λ + β2²); its discriminant factors as
    # (9β2 − 1)(β2 − 1)(3β2 − 1)², negative for 1/9 < β2 < 1: two conjugate roots of
    # modulus √(β2²) = β2 (and 0), so ρ = β2 exactly there
    lam = poly.gen
    at0 = sp.Poly([sp.cancel(co.xreplace({U: 0})) for co in poly.all_coeffs()], lam)
    if at0.eval(0) != 0:
        return refuted("β1 = 0", "λ = 0 is not a root at β1 = 0", {"beta1": 0})
    quad = sp.Poly(sp.cancel(-at0.as_expr() / lam), lam)
    disc = sp.factor(quad.discriminant())
    expected = (9 * B2 - 1) * (B2 - 1) * (3 * B2 - 1) ** 2
    if sp.expand(disc - expected) != 0 or sp.expand(quad.eval(0) - B2**2) != 0:
        return refuted("β1 = 0", f"discriminant {disc}, constant {quad.eval(0)}", {"beta1": 0})
    roots0 = quad.as_expr()
    cells = []
    for b1 in GRID_B1:
        for b2 in GRID_B2:
            lo, hi = radius_enclosure(poly, b1, b2)
            verdict = "attracting" if hi < 1 else ("repelling" if lo > 1 else "undecided")
            cells.append((b1, b2, lo, hi, verdict))
    spots = {}
    for b1, b2 in ((Fraction(1, 10), Fraction(9, 10)), (Fraction(9, 10), Fraction(999, 1000))):
        spots[(b1, b2)] = radius_enclosure(poly, b1, b2)
    lo, hi = spots[(Fraction(1, 10), Fraction(9, 10))]
    spot = Fraction("0.948151294542659")
    if not (lo <= spot + Fraction(1, 10**15) and hi >= spot - Fraction(1, 10**15) and hi < 1):
        return refuted(
            "root isolation",
            f"ρ(0.1, 0.9) ∈ [{float(lo)}, {float(hi)}]",
            {"beta1": "1/10", "beta2": "9/10"},
        )
    lo2, hi2 = spots[(Fraction(9, 10), Fraction(999, 1000))]
    if not (lo2 > 1 and abs(float(lo2) - 1.10129483) < 1e-8):
        return refuted(
            "root isolation",
            f"ρ(0.9, 0.999) ∈ [{float(lo2)}, {float(hi2)}]",
            {"beta1": "9/10", "beta2": "999/1000"},
        )
    if any(v == "undecided" for *_, v in cells):
        return refuted("root isolation", "a grid cell is undecided", {})
    steps = [
        Step("characteristic polynomial of D(Φ∘Φ) at the cycle (free of α, c)", poly.as_expr())
    ]
    steps.append(
        Step(
            "at β1 = 0: −λ·q(λ), q with constant term β2² and discriminant "
            "(9β2 − 1)(β2 − 1)(3β2 − 1)² < 0 on (1/9, 1), so ρ = β2 there",
            roots0,
        )
    )
    steps += [
        Step(f"β1 = {b1}, β2 = {b2}: ρ ∈ [{float(lo):.15g}, {float(hi):.15g}] ({v})")
        for b1, b2, lo, hi, v in cells
    ]
    n_att = sum(v == "attracting" for *_, v in cells)
    return proved(
        "exact root isolation",
        f"ρ(0.1, 0.9) ∈ [{float(lo):.15f}, {float(hi):.15f}]; ρ(0.9, 0.999) ≥ {float(lo2):.10f}; "
        f"{n_att}/{len(cells)} grid cells attracting",
        steps,
    )


def attracting_grid(b1s, b2s) -> dict:
    """{(β1, β2): "attracting" | "repelling" | "undecided"} on a grid (for phase diagrams)."""
    poly = char_poly(cycle_rule())
    out = {}
    for b1 in b1s:
        for b2 in b2s:
            lo, hi = radius_enclosure(poly, Fraction(b1), Fraction(b2))
            out[(b1, b2)] = "attracting" if hi < 1 else ("repelling" if lo > 1 else "undecided")
    return out


@functools.cache
def _cycle_poly() -> sp.Poly:
    return char_poly(cycle_rule())


def _decimal(v: Any) -> Fraction:
    """A grid value as the decimal it prints as (0.9 → 9/10), the value a user typed."""
    return Fraction(repr(float(v)))


def schur_stable(coeffs: list[Fraction]) -> bool:
    r"""Whether every root of Σ_k a_k z^k (``coeffs`` = [a_0, …, a_n], real, a_n ≠ 0) lies
    in the open unit disk, decided exactly by the Schur–Cohn recursion (Schur 1917, Cohn
    1922; Henrici, *Applied and Computational Complex Analysis* I, 1974, §6.8): p is
    stable iff |a_0| < |a_n| and p₁(z) = (a_n p(z) − a_0 p^*(z))/z is, with
    p^*(z) = z^n p(1/z) the reversed polynomial (p₁ has degree n − 1)."""
    a = list(coeffs)
    while len(a) > 1:
        n = len(a) - 1
        if abs(a[0]) >= abs(a[n]):
            return False
        a = [a[n] * a[k] - a[0] * a[n - k] for k in range(1, n + 1)]
    return True


def certified_attracting(beta1: ArrayLike, beta2: ArrayLike) -> NDArray[np.bool_]:
    r"""Where the 2-cycle is certified attracting: ρ(D(Φ∘Φ)) < 1, decided exactly.

    ``beta1``, ``beta2`` broadcast together (e.g. a column and a row for a grid); each
    value is read as the decimal it prints as (0.9 → 9/10). A cell is True iff every root
    of the exact characteristic polynomial of the 2-step map's Jacobian at the cycle
    (:func:`char_poly`, rational coefficients at the cell) lies in the open unit disk,
    decided in exact rational arithmetic by :func:`schur_stable` (no rounding: ρ < 1
    exactly); False elsewhere and outside 0 ≤ β1 < 1, 0 < β2 < 1. The radius is independent
    of α and c (``stability``), so the mask is the phase diagrams' hatch layer for any α, c.
    For example ``certified_attracting([0.1, 0.9], [0.9, 0.999])`` is ``[True, False]``
    (ρ ≈ 0.948 and ≈ 1.101, the enclosures of :func:`radius_enclosure`).
    """
    b1, b2 = np.broadcast_arrays(np.asarray(beta1, dtype=float), np.asarray(beta2, dtype=float))
    out = np.zeros(b1.shape, dtype=bool)
    from octk.backends.exact import compile_expr  # exact rationals throughout

    coeffs = [compile_expr(sp.cancel(co)) for co in reversed(_cycle_poly().all_coeffs())]
    done: dict[tuple[Fraction, Fraction], bool] = {}
    for idx in np.ndindex(b1.shape):
        q1, q2 = _decimal(b1[idx]), _decimal(b2[idx])
        if not (0 <= q1 < 1 and 0 < q2 < 1):
            continue
        if (q1, q2) not in done:
            u = q1 / (1 - q1)  # β1 = s/(1 + s)
            done[(q1, q2)] = schur_stable([f({U: u, B2: q2}) for f in coeffs])
        out[idx] = done[(q1, q2)]
    return out


_EPS_ZERO = "ε = 0 at the cycle: √v + ε and √(v + ε) are the same map"
# each detection below was observed (refuted, with an exact counterexample); the
# oscillating step makes the map depend on t (not applicable)
DETECTS_CYCLE = (
    "swap-betas",
    "1-beta2->1-beta1",
    "g^2->|g|",
    "step*2",
    "forget-v",
    "x+delta",
    "drop-sqrt",
)
SURVIVES_CYCLE = {"move-eps": _EPS_ZERO}
DETECTS_STABILITY = ("step*2", "x+delta")
SURVIVES_STABILITY = {"move-eps": _EPS_ZERO}

_SOURCE = "Bock & Weiß 2019, §4 (Adam's limit cycle on a quadratic)"

CLAIMS = (
    Claim(
        name="limit_cycles.two_cycle",
        statement=(
            r"\Phi(w^*, m^*, v^*) = (-w^*, -m^*, v^*),\ "
            r"w^* = \frac{\alpha(1-\beta_1)}{2(1+\beta_1)}"
        ),
        source=_SOURCE,
        assumptions=(r"f(w) = c w^2/2", r"\epsilon = 0", "no bias correction"),
        prove=two_cycle,
        rule=cycle_rule,
        scope=Scope.IDENTITY,
        basis=Basis.PAPER,
        note="Φ read from octk's adam program (bias corrections off, constant step, ε = 0).",
        detects=DETECTS_CYCLE,
        survives=SURVIVES_CYCLE,
    ),
    Claim(
        name="limit_cycles.stability",
        statement=(
            r"\rho\big(D(\Phi\circ\Phi)\big) \text{ enclosed on a } "
            r"(\beta_1,\beta_2) \text{ grid}"
        ),
        source=_SOURCE,
        assumptions=(r"f(w) = c w^2/2", r"\epsilon = 0", "no bias correction"),
        prove=stability,
        rule=cycle_rule,
        scope=Scope.INSTANCE,
        basis=Basis.PAPER,
        note="Exact characteristic polynomial; roots isolated in rational rectangles.",
        detects=DETECTS_STABILITY,
        survives=SURVIVES_STABILITY,
    ),
)
