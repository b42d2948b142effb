r"""Certificates: a found sequence re-run exactly, and a rigorous lower bound on its objective.

A certificate is a JSON object that names everything the run depends on, in
exact rationals (strings ``"p/q"``): the rule (name, preset, options), its
hyperparameters (the decimals the user gave, read exactly: β2 = 0.1 is 1/10),
the domain, the first iterate x_1, the gradient bound, and the table of the
sequence (the coefficients g_t, or an adaptive adversary's thresholds). It
states the objective, the horizon T (and T0 for a rate) and a ``lower_bound``.

:func:`check` trusts none of the search: it rebuilds the rule's
:class:`~octk.backends.program.StepProgram`, verifies x_1 ∈ F and the gradient
bound exactly, re-runs the program with :mod:`octk.backends.exact` (exact
rationals, else outward-rounded intervals) and recomputes the enclosure of the
objective (R_T, (R_T − R_{T0})/(T − T0) or ‖x_{T+1} − x*‖); the certificate holds
iff the recomputed lower end is ≥ the stated ``lower_bound``. A file whose
numbers were edited fails unless the edited run still proves the stated bound.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy as sp

from octk.adversary import violation
from octk.adversary.serial import certificate_rule, rule_to_json
from octk.backends import exact as ex
from octk.backends.program import lower as lower_program
from octk.domains import domain as make_domain
from octk.errors import OctkError, ParameterError
from octk.sequences import Sequence
from octk.symbols import DATA, x

if TYPE_CHECKING:
    from octk.adversary.search import Problem
    from octk.domains.base import Domain
    from octk.rules import Rule

VERSION = 1


def _q(v: Fraction) -> str:
    return f"{v.numerator}/{v.denominator}" if v.denominator != 1 else str(v.numerator)


def _float_exact(v: float) -> Fraction:
    return Fraction(float(v))  # the double, exactly


def _signal(kind: str, G: Fraction) -> sp.Expr:
    if kind == "threshold":
        g = sp.Rational(G.numerator, G.denominator)
        return sp.Piecewise((g, x >= DATA), (-g, True))
    return DATA


def _fit_inside(values: list[Fraction], limit: Fraction, norm: str) -> list[Fraction]:
    """Shrink a rounded vector by 2^-50 steps until it is exactly within the limit."""
    for _ in range(8):
        size = max(abs(v) for v in values) if norm == "inf" else sum(v * v for v in values)
        if size <= (limit if norm == "inf" else limit * limit):
            return values
        values = [v * (1 - Fraction(1, 2**50)) for v in values]
    raise ParameterError("a rounded point could not be brought inside its bound")


def build(
    problem: Problem,
    table: np.ndarray,
    x0: np.ndarray,
    *,
    kind: str,
    steps: int,
    T0: int,
    at: int | None = None,
) -> dict[str, Any]:
    """The certificate of one candidate (``table`` rows × d, ``x0`` (d,)), uncertified yet;
    ``at``: the step t* whose margin a ``violation`` certificate states."""
    dom: Any = problem.domain
    d = len(x0)
    x0q = [_float_exact(v) for v in x0]
    if dom.kind == "ball":
        x0q = _fit_inside(x0q, ex.exact(float(dom.radius)), "l2")
    elif dom.kind == "simplex":  # the rounded point projected exactly: Σ x = R, x ≥ 0
        x0q = ex.project_simplex(x0q, ex.exact(float(dom.total)))
    elif dom.kind == "box":
        lo, hi = dom.bounds(d)
        x0q = [
            min(max(v, ex.exact(float(a))), ex.exact(float(b)))
            for v, a, b in zip(x0q, lo, hi, strict=True)
        ]
    G = ex.exact(problem.bound.value)
    rows = []
    for r in table:
        q = [_float_exact(v) for v in r]
        if kind == "table":
            if problem.bound.norm == "inf":
                q = [max(min(v, G), -G) for v in q]
            else:
                q = _fit_inside(q, G, "l2")
        rows.append(q)
    if kind == "threshold":
        G = _float_exact(problem.bound.per_coordinate(d)) if problem.bound.norm == "l2" else G
    rule = problem.rule
    return {
        "octk_certificate": VERSION,
        "rule": rule.name,
        "preset": rule.preset,
        "options": {k: v for k, v in rule.options.items()},
        "program": rule_to_json(rule),
        "params": {k: _q(ex.exact(v)) for k, v in problem.params.items()},
        "domain": dom.spec(),
        "d": d,
        "bound": {"norm": problem.bound.norm, "value": _q(ex.exact(problem.bound.value))},
        "sequence": {
            "kind": kind,
            "G": _q(G),
            "wrap": problem.family.wrap,
            "table": [[_q(v) for v in r] for r in rows],
        },
        "x0": [_q(v) for v in x0q],
        "objective": problem.objective,
        "steps": steps,
        "T0": T0,
        **({"at": int(at)} if at is not None else {}),
    }


def _premises(
    cert: dict[str, Any],
) -> tuple[Rule, Domain, int, str, Fraction, list[list[Fraction]], list[Fraction]]:
    """Parse a certificate and check its premises exactly: x_1 ∈ F, gradients within the bound."""
    rule = certificate_rule(cert)
    dom = make_domain(cert["domain"])
    d = int(cert["d"])
    seq = cert["sequence"]
    kind = seq["kind"]
    if kind not in ("table", "threshold"):
        raise ParameterError(f"certificate sequence kind must be table or threshold; got {kind!r}")
    G = Fraction(seq["G"])
    table = [[Fraction(v) for v in r] for r in seq["table"]]
    if not table or any(len(r) != d for r in table):
        raise ParameterError(f"certificate table rows must have d = {d} entries")
    x0 = [Fraction(v) for v in cert["x0"]]
    if len(x0) != d:
        raise ParameterError(f"certificate x0 must have d = {d} entries")
    # the premises, exactly: x_1 ∈ F and every gradient within the bound
    if ex.project(dom, list(x0), True) != x0:
        raise ParameterError("certificate x0 is not in the domain")
    B = Fraction(cert["bound"]["value"])
    norm = cert["bound"]["norm"]
    grads = table if kind == "table" else [[G] * d]
    for r in grads:
        size = max(abs(v) for v in r) if norm == "inf" else sum(v * v for v in r)
        if size > (B if norm == "inf" else B * B):
            raise ParameterError(f"certificate gradient {r} exceeds the bound {norm}:{B}")
    return rule, dom, d, kind, G, table, x0


def _enclose(cert: dict[str, Any]) -> Any:
    """Re-run the certificate's run; the objective's enclosure (exact value or interval)."""
    rule, dom, d, kind, G, table, x0 = _premises(cert)
    seq = cert["sequence"]
    steps, T0 = int(cert["steps"]), int(cert["T0"])
    if not 1 <= T0 < steps and cert["objective"] == "rate":
        raise ParameterError("certificate T0 must satisfy 1 ≤ T0 < T")
    if not seq["wrap"] and len(table) < steps:
        raise ParameterError("certificate table is shorter than the horizon T")
    objective = cert["objective"]
    viol = str(objective).startswith(violation.PREFIX)
    horizon = int(cert["at"]) if viol else steps
    if not 1 <= horizon <= steps:
        raise ParameterError("certificate step t* ('at') must satisfy 1 ≤ t* ≤ T")
    sequence = Sequence("certificate", {}, _signal(kind, G), data=np.zeros((1, d)), wrap=True)
    mons = violation.monitors(rule) if viol else ()
    prog = lower_program(rule, sequence, mons, weights=dom.reads_weights)
    params = {
        h.name: Fraction(cert["params"].get(h.name, ex.exact(h.default)))
        for h in rule.hyperparameters
    }
    out = ex.run(
        prog,
        dom,
        x0=x0,
        params=params,
        data=table,
        steps=horizon,
        wrap=seq["wrap"],
        checkpoints=(T0,),
    )

    def regret(rec: dict[str, Any]) -> Any:
        return ex.add(rec["loss"], ex.mul(Fraction(-1), ex.min_linear(dom, rec["S"])))

    if viol:
        B = Fraction(cert["bound"]["value"])
        g2 = B if cert["bound"]["norm"] == "l2" else ex.mul(ex.sqrt(Fraction(d)), B)
        bound = violation.enclose_bound(
            violation.theorem_of(objective),
            rule,
            params,
            t=horizon,
            d=d,
            diameters=_diameters(dom, d),
            ginf=B,
            g2=g2,
            mon=out["monitors"],
        )
        return ex.add(regret(out), ex.mul(Fraction(-1), bound))
    if objective == "regret":
        return regret(out)
    if objective == "rate":
        diff = ex.add(regret(out), ex.mul(Fraction(-1), regret(out["at"][T0])))
        return ex.div(diff, Fraction(steps - T0))
    if objective == "distance":
        xs = _argmin(dom, out["S"])
        dist2 = Fraction(0)
        for a, b in zip(out["x"], xs, strict=True):
            diff = ex.add(a, ex.mul(Fraction(-1), b))
            dist2 = ex.add(dist2, ex.mul(diff, diff))
        return ex.sqrt(dist2)
    raise ParameterError(
        f"certificate objective must be regret, rate, distance or violation:BOUND; "
        f"got {objective!r}"
    )


def _diameters(dom: Any, d: int) -> tuple[Any, Any]:
    """(D, D∞) of the domain, exact or enclosed (a box, a ball, a simplex)."""
    if dom.kind == "box":
        lo, hi = dom.bounds(d)
        w = [ex.exact(float(b)) - ex.exact(float(a)) for a, b in zip(lo, hi, strict=True)]
        return ex.sqrt(sum((v * v for v in w), Fraction(0))), max(w)
    if dom.kind == "ball":
        r = ex.exact(float(dom.radius))
        return 2 * r, 2 * r
    if dom.kind == "simplex":
        R = ex.exact(float(dom.total))
        return (ex.mul(ex.sqrt(Fraction(2)), R), R) if d > 1 else (Fraction(0), Fraction(0))
    raise ParameterError(f"violation certificates need a bounded domain; got {dom.spec()}")


def _argmin(dom: Any, S: list[Any]) -> list[Any]:
    if dom.kind == "box":
        lo, hi = dom.bounds(len(S))
        out = []
        for s, a, b in zip(S, lo, hi, strict=True):
            sg = ex.sign(s)
            if sg is None or sg == 0:
                raise ex.Undecided("x* is not unique or not decided")
            out.append(ex.exact(float(a if sg > 0 else b)))
        return out
    if dom.kind == "ball":
        n2 = Fraction(0)
        for v in S:
            n2 = ex.add(n2, ex.mul(v, v))
        scale = ex.div(ex.exact(float(dom.radius)), ex.sqrt(n2))
        return [ex.mul(Fraction(-1), ex.mul(v, scale)) for v in S]
    if dom.kind == "simplex":  # the vertex R e_k, k = argmin_i S_i (unique)
        k = min(range(len(S)), key=lambda j: ex.lower(S[j]))
        for j, v in enumerate(S):
            if j != k and ex.compare(v, S[k]) <= 0:
                raise ex.Undecided("x* is not unique or not decided")
        R = ex.exact(float(dom.total))
        return [R if j == k else Fraction(0) for j in range(len(S))]
    raise ParameterError(f"distance certificates take a box, a ball or a simplex; got {dom.spec()}")


#: the longest horizon re-run in exact rationals (else 160-bit intervals): about 2 ms a step
MAX_EXACT_STEPS = 5000
#: the longest horizon re-run at all, in double intervals (:mod:`octk.backends.dinterval`)
#: above MAX_EXACT_STEPS: about 0.5 ms a step and coordinate in CPython, so a minute or
#: two; the enclosure's width grows like T·2^-52 (1e-12 at T = 20000 for RKK's pattern)
MAX_STEPS = 100_000


def arithmetic_for(steps: int, max_exact: int = MAX_EXACT_STEPS) -> str:
    """``exact`` up to ``max_exact`` steps, ``double`` above (see :data:`MAX_STEPS`)."""
    return "exact" if steps <= max_exact else "double"


def certify(cert: dict, *, max_steps: int = MAX_STEPS, max_exact: int = MAX_EXACT_STEPS) -> dict:
    """Re-run ``cert`` and fill ``status``, ``lower_bound``, ``enclosure``, ``arithmetic``
    and, for a periodic table, ``limit`` (the certified lim R_T/T, :mod:`octk.adversary.limit`).

    The finite-horizon run is redone for T ≤ ``max_steps``: in exact rationals (and
    160-bit intervals where a square root is irrational) up to ``max_exact`` steps, in
    outward-rounded double intervals above; a longer run is marked ``skipped`` (its
    long-run rate may still be certified). ``status`` is ``certified`` where a bound
    was shown, else ``undecided`` or ``skipped``.
    """
    cert.pop("reason", None)
    cert.update(lower_bound=None, lower_bound_float=None, enclosure=None)
    steps = int(cert["steps"])
    if steps > max_steps:
        cert["finite"] = "skipped"
        cert["reason"] = f"T > {max_steps}: the re-run is not attempted"
    else:
        cert["arithmetic"] = arithmetic_for(steps, max_exact)
        try:
            with ex.arithmetic(cert["arithmetic"]):
                enc = _enclose(cert)
        except ex.Undecided as e:
            cert["finite"] = "undecided"
            cert["reason"] = str(e)
        else:
            lo, hi = ex.lower(enc), ex.upper(enc)
            cert.update(
                finite="certified",
                lower_bound=_q(lo),
                lower_bound_float=float(lo),
                enclosure=[_q(lo), _q(hi)],
                exact=isinstance(enc, Fraction),
            )
    if cert["sequence"]["wrap"] and cert["sequence"]["kind"] == "table":
        from octk.adversary.limit import NotApplicable, limit_certificate

        try:
            cert["limit"] = limit_certificate(cert)
        except (NotApplicable, ex.Undecided) as e:
            cert["limit"] = {"status": "not-applicable", "reason": str(e)}
    shown = cert["finite"] == "certified" or cert.get("limit", {}).get("status") == "certified"
    cert["status"] = "certified" if shown else cert["finite"]
    return cert


def check(cert: dict) -> tuple[bool, str]:
    """Re-check a certificate from scratch: (holds, message)."""
    if cert.get("octk_certificate") != VERSION:
        return False, f"not an octk certificate (version {VERSION})"
    if cert.get("status") != "certified":
        return False, f"the certificate states no bound (status {cert.get('status')!r})"
    try:
        _premises(cert)
    except (OctkError, KeyError, ValueError, TypeError, ZeroDivisionError) as e:
        return False, f"the certificate is malformed: {e}"
    limit_note = ""
    if cert.get("limit", {}).get("status") == "certified":
        from octk.adversary.limit import NotApplicable, check_limit

        part = cert["limit"]
        try:
            again = check_limit(cert, part)
        except (NotApplicable, ex.Undecided, KeyError, ValueError) as e:
            return False, f"the limit-rate part does not re-check: {e}"
        if again["status"] != "certified" or Fraction(again["rate"]) != Fraction(part["rate"]):
            return False, (
                f"the limit-rate part does not re-check: {again.get('reason', '')} "
                f"(stated rate {part['rate']}, recomputed {again.get('rate')})"
            )
        limit_note = f"lim R_T/T = {float(Fraction(part['rate'])):.12g} (periodic orbit checked)"
    if cert.get("lower_bound") is None:
        if limit_note:
            return True, limit_note + " holds"
        return False, "the certificate states no bound"
    claimed = Fraction(cert["lower_bound"])
    try:
        with ex.arithmetic(cert.get("arithmetic", "exact")):
            enc = _enclose(cert)
    except ex.Undecided as e:
        return False, f"the re-run does not decide a branch: {e}"
    except (OctkError, KeyError, ValueError, TypeError, ZeroDivisionError) as e:
        return False, f"the certificate is malformed: {e}"
    got = ex.lower(enc)
    limit_note = "; " + limit_note if limit_note else ""
    at = f", margin at t* = {cert['at']}" if "at" in cert else ""
    if got >= claimed:
        return True, (
            f"{cert['objective']} ≥ {float(claimed):.12g} holds: the exact re-run gives "
            f"≥ {float(got):.12g} (T = {cert['steps']}{at}){limit_note}"
        )
    return False, (
        f"{cert['objective']} ≥ {float(claimed):.12g} is NOT shown: the exact re-run gives only "
        f"≥ {float(got):.12g}"
    )


def save(cert: dict[str, Any], path: str | Path) -> Path:
    p = Path(path)
    p.write_text(json.dumps(cert, indent=1) + "\n")
    return p


def load(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    if not p.is_file():
        raise ParameterError(f"certificate: no such file {str(p)!r}")
    try:
        return json.loads(p.read_text())
    except json.JSONDecodeError as e:
        raise ParameterError(f"certificate {str(p)!r} is not JSON ({e})") from None


__all__ = ["build", "certify", "check", "load", "save"]
