r"""Scale invariance, decided from a rule's program by a symbolic check g → c·g.

A rule is *scale-invariant* when multiplying every gradient by a constant c > 0
leaves its iterates unchanged: each state s scales as c^{k_s} (Adam's m as c, v as
c², AMSGrad's max(v) as c²) and the step x̂_{t+1} = x_t − α_t m_t/√v_t does not
change. With ε = 0, Adam, AMSGrad and diagonal AdaGrad are; OGD (x − α g/√t) is
not, nor is any rule with ε > 0.

:func:`scale_degrees` walks the program in order, substituting s ↦ c^{k_s} s for
every symbol of known degree (g: 1; t, x and the hyperparameters, given their
values: 0) and finding each target's degree k with e(c·) − c^k e = 0; a guard
Piecewise((e, h > 0), (0, True)) keeps its degree where h is homogeneous. The
check reads the program only, never the rule's name or options.

Why it matters: a run whose gradients are near float64's limits (|g| > 1.34·10¹⁵⁴
overflows g²) can run on gradients scaled by a power of two c = 2^{−k}, which is
exact in floating point (the exponent shifts, the mantissa does not change), and give
the very iterates of the unscaled run (:func:`octk.simulate.simulate` does this
by itself; ``Trajectory.gradient_scale`` records c).
"""

from __future__ import annotations

import random
from collections.abc import Mapping

import sympy as sp

from octk.rules.rule import Rule
from octk.symbols import g, t, x

_C = sp.Symbol("c", positive=True)
_DEGREES = (0, 1, 2, -1, -2, sp.Rational(1, 2), -sp.Rational(1, 2), 3, 4)


def _unguard(expr: sp.Basic, scaled) -> sp.Basic | None:
    """``expr`` with each guard Piecewise((e, h > 0), (0, True)) replaced by e, if every
    guard's h is homogeneous under ``scaled``; None otherwise."""
    ok = True

    def strip(e):
        nonlocal ok
        if (
            isinstance(e, sp.Piecewise)
            and len(e.args) == 2
            and e.args[1].expr == 0
            and e.args[1].cond is sp.true
            and isinstance(e.args[0].cond, sp.StrictGreaterThan)
            and e.args[0].cond.rhs == 0
        ):
            if _degree(e.args[0].cond.lhs, scaled) is None:
                ok = False
            return e.args[0].expr
        return e

    out = expr.replace(lambda e: isinstance(e, sp.Piecewise), strip)
    return out if ok else None


def _degree(expr: sp.Basic, scaled) -> sp.Basic | None:
    """k with expr(scaled) = c^k expr, or None.

    The identity is tested exactly where SymPy proves it at once, else at random
    rational points in 40-digit arithmetic (an identity test: a non-identity of
    these elementary functions vanishes at random points with probability zero).
    """
    if expr.free_symbols.isdisjoint(scaled):
        return sp.Integer(0)
    new = expr.xreplace(scaled)
    rng = random.Random(1)
    points = []
    for _ in range(3):
        pt = {s: sp.Rational(rng.randint(1, 997), rng.randint(1, 97)) for s in new.free_symbols}
        if g in pt and rng.random() < 0.5:
            pt[g] = -pt[g]
        points.append(pt)
    for k in _DEGREES:
        diff = new - _C**k * expr
        if diff == 0:
            return sp.sympify(k)
        ok = True
        for pt in points:
            a = sp.N(diff.xreplace(pt), 40)
            b = sp.N((_C**k * expr).xreplace(pt), 40)
            if not (a.is_number and b.is_number) or abs(a) > 1e-30 * (1 + abs(b)):
                ok = False
                break
        if ok:
            return sp.sympify(k)
    return None


def scale_degrees(
    rule: Rule, params: Mapping[str, float] | None = None
) -> dict[str, sp.Basic] | None:
    """The degree k_s of every state and temporary under g → c·g, or None where the
    rule is not scale-invariant at these hyperparameters (``params``: values, default:
    the rule's defaults)."""
    values = {h.symbol: sp.nsimplify(h.default) for h in rule.hyperparameters}
    for h in rule.hyperparameters:
        if params and h.name in params:
            values[h.symbol] = sp.nsimplify(params[h.name])
    degrees: dict[sp.Symbol, sp.Basic] = {g: sp.Integer(1)}
    states = {s.symbol: s.init for s in rule.state}

    def scaled_map():
        return {s: _C**k * s for s, k in degrees.items() if k != 0}

    for target, expr in rule.program:
        e = expr.xreplace(values)
        for s in e.free_symbols - set(degrees) - {t, x}:
            if s not in states:
                return None  # a symbol the check does not know
            # a state read before its update: its degree is that of its update
            upd = dict(rule.program).get(s)
            k = None
            for cand in _DEGREES:
                degrees[s] = sp.sympify(cand)
                body = _unguard(upd.xreplace(values), scaled_map()) if upd is not None else None
                if body is not None and _degree(body, scaled_map()) == degrees[s]:
                    k = degrees[s]
                    break
            if k is None:
                return None
        body = _unguard(e, scaled_map())
        if body is None:
            return None
        k = _degree(body, scaled_map())
        if k is None:
            return None
        if target == x:
            if k != 0:
                return None
            continue
        if target in degrees and degrees[target] != k:
            return None
        degrees[target] = k
    for s, init in states.items():
        if degrees.get(s, 0) != 0 and sp.sympify(init).xreplace(values) != 0:
            return None  # a nonzero start does not scale
    return {s.name: k for s, k in degrees.items() if s != g}


def scale_invariant(rule: Rule, params: Mapping[str, float] | None = None) -> bool:
    """Whether ``rule``'s iterates do not change when every gradient is scaled by c > 0."""
    return scale_degrees(rule, params) is not None


__all__ = ["scale_degrees", "scale_invariant"]
