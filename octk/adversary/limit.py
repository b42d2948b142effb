r"""The long-run regret rate of a periodic pattern, certified, for any rule's program.

Setting: a box F = Π_i [lo_i, hi_i], linear losses with a periodic table
g_1, …, g_p (repeated), and a rule whose state z (moments m, v, a running max, …)
is driven by the gradients alone. :func:`limit_program` derives the rule's *limit
program* from its SymPy transition (:meth:`~octk.rules.Rule.transition`, the
hyperparameters substituted as exact rationals), for any rule (registry, zoo or a
user's): every geometric transient c^(a t + b) with 0 < c < 1 (bias corrections
1/(1 − β^t), a decaying β1,t = β1 λ^(t−1), RAdam's t β2^t) is set to its limit 0,
where t·c^t and the like vanish with it; a Piecewise condition on t alone is
replaced by its eventual truth (the sign of lim (lhs − rhs)). Then

* z_{t+1} = P(z_t, g_t): each state update must be free of t and of x after this
  (a recursion like AdamNC's β2,t = 1 − 1/t is not a geometric transient: not
  applicable);
* the step must decay as 1/√t: Δ(z, g) = lim √t (x̂_{t+1} − x_t) is finite and
  free of t and x (α_t = α/√t; a constant step is not applicable).

**Lemma.** Let Z be a box of states holding a periodic orbit z* of the p-step
map P^p (shown by the Krawczyk test, :mod:`~octk.adversary.krawczyk`, which also
gives its uniqueness in Z, or by the self-map test P^p(Z) ⊆ Z and Brouwer), to
which the state converges (the EMA and max recursions are contractions), and let
the per-period displacement Σ_{k≤p} Δ(z_k, g_k) have a decided sign on Z for every
coordinate i. Then x_{t,i} → hi_i where it is positive and lo_i where negative
(the displacement per period is Δ/√t (1 + o(1)), whose sum diverges, while a
period's excursion is O(1/√t)), and the average regret tends to

.. math::

    \lim_{T\to\infty} R_T/T = \frac1p \sum_i \Big( S_i x^\infty_i - \min(S_i lo_i, S_i hi_i) \Big),
    \qquad S_i = \sum_{k\le p} g_{k,i},

an exact rational. :func:`limit_certificate` finds Z by iterating the limit program
in floating point (untrusted) and checks the premises with :mod:`octk.backends.exact`;
:func:`check_limit` re-checks a stored Z from scratch with the test it names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy as sp

from octk.adversary.serial import certificate_rule
from octk.backends import exact as ex
from octk.domains import Box
from octk.domains import domain as make_domain
from octk.rules import Rule
from octk.symbols import g, i, t, x


class NotApplicable(ValueError):
    """The lemma's setting does not hold (the message says which premise)."""


@dataclass(frozen=True)
class LimitProgram:
    """The limit program of a rule (see the module doc): state symbols, their initial
    values, the one-step map P (new state in terms of the previous one and g) and the
    displacement Δ (in the same terms), hyperparameters substituted."""

    rule: Rule
    state: tuple[sp.Symbol, ...]
    init: tuple[sp.Expr, ...]
    step: tuple[sp.Expr, ...]
    drift: sp.Expr

    def period(self, z: list[Any], col: list[Fraction]) -> tuple[list[Any], Any]:
        """One period on one coordinate from state z: (z after, Σ_k Δ(z_k, g_k))."""
        step = [ex.compile_expr(e) for e in self.step]
        drift = ex.compile_expr(self.drift)
        disp: Any = Fraction(0)
        for gk in col:
            env = dict(zip(self.state, z, strict=True))
            env[g] = gk
            disp = ex.add(disp, drift(env))
            z = [c(env) for c in step]
        return z, disp


def _geometric(e: sp.Basic) -> bool:
    """c^(a t + b) with a numeric 0 < c < 1 and a > 0: a transient that tends to 0."""
    if not (isinstance(e, sp.Pow) and e.base.is_Number and t in e.exp.free_symbols):
        return False
    poly = sp.Poly(e.exp, t) if e.exp.is_polynomial(t) else None
    if poly is None or poly.degree() != 1 or poly.free_symbols - {t}:
        return False
    a = poly.LC()
    c = e.base
    return bool((0 < c < 1 and a > 0) or (c > 1 and a < 0))


def _eventually(e: sp.Basic) -> sp.Basic:
    """A Piecewise condition on t alone replaced by its truth for all large t."""

    def decide(rel: sp.Basic) -> sp.Basic:
        lim = sp.limit(rel.lhs - rel.rhs, t, sp.oo)
        if lim.is_extended_real is not True or lim == 0:
            raise NotApplicable(f"the condition {rel} is not decided for large t")
        return sp.true if rel.func(lim, 0) else sp.false

    return e.replace(
        lambda r: (
            isinstance(r, sp.core.relational.Relational)
            and r.free_symbols == {t}
            and r.lhs.is_extended_real is not False
        ),
        decide,
    )


def _tail(e: sp.Expr) -> sp.Expr:
    """``e`` with its geometric transients set to 0 and conditions on t decided."""
    out = e.replace(_geometric, lambda _: sp.Integer(0))
    return _eventually(out) if t in out.free_symbols else out


def _into_max_min(e: sp.Basic) -> sp.Basic:
    """c·Max(a, b) = Max(c a, c b) (and Min) for positive factors c, so that √t reaches a
    clipped step's arguments (AdaBound's clip(α g/√v, η_l/√t, η_u/√t))."""

    def inside(m: sp.Mul) -> sp.Basic:
        pos = [a for a in m.args if a.is_positive]
        rest = [a for a in m.args if not a.is_positive]
        mm = [a for a in rest if isinstance(a, sp.Max | sp.Min)]
        if not pos or len(mm) != 1:
            return m
        c = sp.Mul(*pos)
        f = mm[0]
        others = [a for a in rest if a is not f]
        return sp.Mul(*others) * f.func(*(_into_max_min(c * a) for a in f.args))

    return e.replace(
        lambda m: isinstance(m, sp.Mul) and any(isinstance(a, sp.Max | sp.Min) for a in m.args),
        inside,
    )


def limit_program(rule: Rule, params: dict[str, Fraction]) -> LimitProgram:
    """The limit program of ``rule`` with hyperparameters ``params`` (see the module doc)."""
    subs = {
        h.symbol: sp.Rational(params[h.name].numerator, params[h.name].denominator)
        for h in rule.hyperparameters
    }
    trans = {k: v.xreplace(subs) for k, v in rule.transition(guarded=True).items()}
    state = tuple(s.symbol for s in rule.state)
    allowed = set(state) | {g}
    step = []
    for s in state:
        e = _tail(trans[s])
        bad = e.free_symbols - allowed
        if bad or e.has(sp.oo, sp.zoo, sp.nan):
            reason = "t" if t in bad else ", ".join(sorted(map(str, bad))) or "∞"
            raise NotApplicable(
                f"the limit recursion of {s} depends on {reason} beyond geometric transients"
            )
        step.append(e)
    drift = _tail(_into_max_min(sp.piecewise_fold(sp.sqrt(t) * (trans[x] - x))))
    if drift.has(sp.oo, sp.zoo, sp.nan) or t in drift.free_symbols:
        raise NotApplicable(
            "the limit rate needs a step that decays as 1/√t (e.g. α_t = α/√t, schedule=sqrt): "
            f"√t (x̂_(t+1) − x_t) has no finite limit free of t ({drift})"
        )
    if drift.free_symbols - allowed:
        raise NotApplicable(f"the limit displacement depends on {drift.free_symbols - allowed}")
    if i in set().union(*(e.free_symbols for e in step)):
        raise NotApplicable("the limit program reads the coordinate index i")
    init = tuple(sp.sympify(s.init).xreplace(subs) for s in rule.state)
    return LimitProgram(rule, state, init, tuple(step), drift)


def _params(cert: dict[str, Any], rule: Rule) -> dict[str, Fraction]:
    return {
        h.name: Fraction(cert["params"].get(h.name, ex.exact(h.default)))
        for h in rule.hyperparameters
    }


def _float_orbit(lp: LimitProgram, col: list[Fraction], periods: int = 5000) -> list[Fraction]:
    """The state after iterating periods from z_0, rounded to doubles each period (untrusted)."""
    z = [ex.evaluate(e, {}) for e in lp.init]
    for _ in range(periods):
        out, _ = lp.period(z, col)
        new = [Fraction(float(ex.lower(v))) for v in out]
        if new == z:
            break
        z = new
    return z


def _box(Z: list[tuple[Fraction, Fraction]]) -> list[Any]:
    return [ex.interval(lo, hi) if lo != hi else lo for lo, hi in Z]


def self_map(lp: LimitProgram, Z: list[tuple[Fraction, Fraction]], col: list[Fraction]) -> bool:
    """P^p(Z) ⊆ Z (componentwise): Brouwer gives a periodic orbit in Z."""
    try:
        out, _ = lp.period(_box(Z), col)
    except ex.Undecided:
        return False
    return all(lo <= ex.lower(o) and ex.upper(o) <= hi for (lo, hi), o in zip(Z, out, strict=True))


def _existence(
    lp: LimitProgram, Z: list[tuple[Fraction, Fraction]], col: list[Fraction]
) -> dict[str, Any]:
    """The Krawczyk test on Z, else the self-map test: {test, ok, note}."""
    from octk.adversary.krawczyk import krawczyk

    k = krawczyk(lp, Z, col)
    if k["status"] == "unique":
        return {"test": "krawczyk", "ok": True, "note": "unique periodic point in Z"}
    return {"test": "self-map", "ok": self_map(lp, Z, col), "note": f"Krawczyk: {k['reason']}"}


def limit_certificate(cert: dict[str, Any]) -> dict[str, Any]:
    """The limit-rate part of a periodic certificate (status, Z, tests, drift signs, rate)."""
    rule = certificate_rule(cert)
    dom = make_domain(cert["domain"])
    if dom.kind != "box" or cert["sequence"]["kind"] != "table" or not cert["sequence"]["wrap"]:
        raise NotApplicable("the limit rate is certified for periodic tables on a box")
    lp = limit_program(rule, _params(cert, rule))
    table = [[Fraction(v) for v in row] for row in cert["sequence"]["table"]]
    orbits, tests, notes = [], [], []
    for k in range(int(cert["d"])):
        col = [row[k] for row in table]
        zf = _float_orbit(lp, col)
        for scale in (1e-12, 1e-9, 1e-6, 1e-3):
            rad = [Fraction(scale) * (1 + abs(v)) for v in zf]
            Z = [(v - r, v + r) for v, r in zip(zf, rad, strict=True)]
            found = _existence(lp, Z, col)
            if found["ok"]:
                break
        else:
            raise NotApplicable(f"no box around the float orbit passes a test (coordinate {k})")
        orbits.append([[_q(a), _q(b)] for a, b in Z])
        tests.append(found["test"])
        notes.append(found["note"])
    return check_limit(cert, {"orbit": orbits, "tests": tests, "notes": notes})


def check_limit(cert: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    """Re-check a limit part from scratch; returns it with ``status``, ``faces``, ``rate``.

    Each coordinate's box is re-checked with the test the part names (``tests``;
    ``self-map`` where absent): Krawczyk must show a unique periodic point in it, or
    the self-map test P^p(Z) ⊆ Z must hold."""
    from octk.adversary.krawczyk import krawczyk

    rule = certificate_rule(cert)
    dom = make_domain(cert["domain"])
    if not isinstance(dom, Box):
        raise NotApplicable("the limit rate is certified on a box")
    d = int(cert["d"])
    lo, hi = dom.bounds(d)
    if not all(math.isfinite(v) for v in (*lo, *hi)):
        raise NotApplicable("the limit rate needs a bounded box")
    lp = limit_program(rule, _params(cert, rule))
    table = [[Fraction(v) for v in row] for row in cert["sequence"]["table"]]
    p = len(table)
    tests = part.get("tests", ["self-map"] * d)
    rate = Fraction(0)
    faces = []
    for k in range(d):
        col = [row[k] for row in table]
        Z = [(Fraction(a), Fraction(b)) for a, b in part["orbit"][k]]
        if tests[k] == "krawczyk":
            res = krawczyk(lp, Z, col)
            if res["status"] != "unique":
                reason = f"the Krawczyk test fails on coordinate {k}: {res['reason']}"
                return {**part, "status": "rejected", "reason": reason}
        elif tests[k] != "self-map" or not self_map(lp, Z, col):
            return {**part, "status": "rejected", "reason": f"P(Z) ⊄ Z on coordinate {k}"}
        try:
            _, disp = lp.period(_box(Z), col)
        except ex.Undecided as e:
            return {**part, "status": "undecided", "reason": f"coordinate {k}: {e}"}
        s = ex.sign(disp)
        if s is None or s == 0:
            return {**part, "status": "undecided", "reason": f"drift sign of coordinate {k}"}
        a, b = ex.exact(float(lo[k])), ex.exact(float(hi[k]))
        face = b if s > 0 else a
        S = sum(col, Fraction(0))
        rate += (S * face - min(S * a, S * b)) / p
        faces.append(_q(face))
    return {
        **part,
        "status": "certified",
        "faces": faces,
        "rate": _q(rate),
        "rate_float": float(rate),
    }


def _q(v: Fraction) -> str:
    return f"{v.numerator}/{v.denominator}" if v.denominator != 1 else str(v.numerator)


__all__ = [
    "LimitProgram",
    "NotApplicable",
    "check_limit",
    "limit_certificate",
    "limit_program",
    "self_map",
]
