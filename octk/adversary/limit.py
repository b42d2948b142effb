r"""The long-run regret rate of a periodic pattern, certified.

Setting: a box F = Π_i [lo_i, hi_i], linear losses with a periodic table
g_1, …, g_p (repeated), and a rule with step size α_t = α/√t whose other state z
(moments m, v, a running max, …) is driven by the gradients alone. For large t
the rule's bias corrections (factors 1/(1 − β^t)) tend to 1 and a decaying β1,t =
β1 λ^(t−1) to 0, so the state follows the *limit rule* (the same builder with
``schedule=constant``, no bias correction, β1,t ≡ its limit; checked to be free of t).

**Lemma.** Let Z be a box of states with P(Z) ⊆ Z, P the limit rule's p-step map
of z (an interval evaluation of the program over Z; Brouwer gives a periodic orbit
z* ∈ Z; the EMA and max recursions are contractions, so the state converges to it),
and let the per-period displacement of x under the limit rule with α = 1,
Δ_i = Σ_{k≤p} (x̂_k − x)_i, have a decided sign on Z for every coordinate i. Then
x_{t,i} → hi_i if Δ_i > 0 and lo_i if Δ_i < 0 (the displacement per period is
α Δ_i/√t (1 + o(1)), whose sum diverges, while a period's excursion is O(1/√t)),
and the average regret tends to

.. math::

    \lim_{T\to\infty} R_T/T = \frac1p \sum_i \Big( S_i x^\infty_i - \min(S_i lo_i, S_i hi_i) \Big),
    \qquad S_i = \sum_{k\le p} g_{k,i},

an exact rational. :func:`limit_certificate` finds Z by iterating the limit rule
in floating point (untrusted) and checks the premises with :mod:`octk.backends.exact`;
:func:`check_limit` re-checks a stored Z from scratch.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import sympy as sp

from octk.backends import exact as ex
from octk.backends.program import lower as lower_program
from octk.domains import Box
from octk.domains import domain as make_domain
from octk.rules import SPECS
from octk.rules import rule as make_rule
from octk.sequences import Sequence
from octk.symbols import DATA, i, t, x


class NotApplicable(ValueError):
    """The lemma's setting does not hold (the message says which premise)."""


def limit_rule(name: str, preset: str, options: dict, params: dict):
    """The limit rule of (name, preset, options) and its hyperparameters (see the module doc)."""
    spec = SPECS[name]
    if options.get("schedule") != "sqrt":
        raise NotApplicable("the limit rate needs the step size α_t = α/√t (schedule=sqrt)")
    opts = dict(options, schedule="constant")
    for k in ("bias_correction_m", "bias_correction_v"):
        if k in spec.options:
            opts[k] = False
    params = dict(params)
    if opts.get("beta1_schedule") == "decay":
        opts["beta1_schedule"] = "constant"
        params["beta1"] = Fraction(0)
    r = make_rule(name, preset, **opts)
    params["alpha"] = Fraction(1)
    return r, {h.name: Fraction(params.get(h.name, ex.exact(h.default))) for h in r.hyperparameters}


def _program(rule, d: int):
    seq = Sequence("limit", {}, DATA, data=np.zeros((1, max(d, 1))), wrap=True)
    prog = lower_program(rule, seq)
    used = set().union(*(e.free_symbols for e in prog.all_expressions()))
    if t in used or prog.post or i in used:
        raise NotApplicable("the limit rule's program still depends on t")
    return prog


def _period(prog, params: dict, z: list, table_col: list, xv=Fraction(0)):
    """One period of the limit program on one coordinate: (z after, Σ (x̂ − x), deltas)."""
    hyper = {h.symbol: params[h.name] for h in prog.rule.hyperparameters}
    disp = Fraction(0)
    for gk in table_col:
        env = dict(hyper)
        env[t] = Fraction(1)
        env[x] = xv
        env[DATA] = gk
        for q, (sym, _) in enumerate(prog.state):
            env[sym] = z[q]
        for target, e in prog.assignments:
            env[target if target != x else XHAT] = ex.evaluate(e, env)
        z = [env[sym] for sym, _ in prog.state]
        disp = ex.add(disp, ex.add(env[XHAT], ex.mul(Fraction(-1), xv)))
    return z, disp


XHAT = sp.Symbol("<xhat>", real=True)


def _float_orbit(prog, params: dict, col: list, periods: int = 5000) -> list[Fraction]:
    """The state after iterating periods from z_0, rounded to doubles each period (untrusted)."""
    z = [
        ex.evaluate(sp.sympify(init), {h.symbol: params[h.name] for h in prog.rule.hyperparameters})
        for _, init in prog.state
    ]
    for _ in range(periods):
        out, _ = _period(prog, params, z, col)
        new = [Fraction(float(ex.lower(v))) for v in out]
        if new == z:
            break
        z = new
    return z


def _check_box(prog, params, Z: list, col: list):
    """P(Z) ⊆ Z (componentwise) and the displacement enclosure on Z."""
    zi = [ex.interval(lo, hi) if lo != hi else lo for lo, hi in Z]
    out, disp = _period(prog, params, zi, col)
    for (lo, hi), o in zip(Z, out, strict=True):
        olo, ohi = ex.lower(o), ex.upper(o)
        if not (lo <= olo and ohi <= hi):
            return False, disp
    return True, disp


def limit_certificate(cert: dict) -> dict:
    """The limit-rate part of a periodic certificate (status, Z, drift signs, exact rate)."""
    name, preset = cert["rule"], cert["preset"]
    params = {k: Fraction(v) for k, v in cert["params"].items()}
    r, lp = limit_rule(name, preset, cert["options"], params)
    dom = make_domain(cert["domain"])
    if dom.kind != "box" or cert["sequence"]["kind"] != "table" or not cert["sequence"]["wrap"]:
        raise NotApplicable("the limit rate is certified for periodic tables on a box")
    d = int(cert["d"])
    prog = _program(r, d)
    table = [[Fraction(v) for v in row] for row in cert["sequence"]["table"]]
    orbits = []
    for k in range(d):
        col = [row[k] for row in table]
        zf = _float_orbit(prog, lp, col)
        for scale in (1e-12, 1e-9, 1e-6, 1e-3):
            Z = []
            for v in zf:
                rad = Fraction(scale) * (1 + abs(v))
                Z.append((v - rad, v + rad))
            ok, _ = _check_box(prog, lp, Z, col)
            if ok:
                break
        else:
            raise NotApplicable(f"no box around the float orbit maps into itself (coordinate {k})")
        orbits.append([[_q(a), _q(b)] for a, b in Z])
    out = {"orbit": orbits}
    return check_limit(cert, out)


def check_limit(cert: dict, part: dict) -> dict:
    """Re-check a limit part from scratch; returns it with ``status``, ``faces``, ``rate``."""
    params = {k: Fraction(v) for k, v in cert["params"].items()}
    r, lp = limit_rule(cert["rule"], cert["preset"], cert["options"], params)
    dom = make_domain(cert["domain"])
    if not isinstance(dom, Box):
        raise NotApplicable("the limit rate is certified on a box")
    d = int(cert["d"])
    lo, hi = dom.bounds(d)
    prog = _program(r, d)
    table = [[Fraction(v) for v in row] for row in cert["sequence"]["table"]]
    p = len(table)
    rate = Fraction(0)
    faces = []
    for k in range(d):
        col = [row[k] for row in table]
        Z = [(Fraction(a), Fraction(b)) for a, b in part["orbit"][k]]
        ok, disp = _check_box(prog, lp, Z, col)
        if not ok:
            return {**part, "status": "rejected", "reason": f"P(Z) ⊄ Z on coordinate {k}"}
        s = ex.sign(disp)
        if s is None or s == 0:
            return {**part, "status": "undecided", "reason": f"drift sign of coordinate {k}"}
        face = ex.exact(float(hi[k] if s > 0 else lo[k]))
        if not all(math.isfinite(v) for v in (lo[k], hi[k])):
            raise NotApplicable("the limit rate needs a bounded box")
        S = sum(col, Fraction(0))
        a, b = ex.exact(float(lo[k])), ex.exact(float(hi[k]))
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


__all__ = ["NotApplicable", "check_limit", "limit_certificate", "limit_rule"]
