r"""A theorem's hypotheses checked on a run: a verdict and the values that decide it.

A *stated* hypothesis is one the theorem assumes; a *proof step* is a fact the proof
uses without stating it (Γ_t ⪰ 0, RKK's eq. 2). Each is ``holds``, ``fails`` or
``n/a``. What a hypothesis says about the algorithm (its moments, bias corrections,
step size α_t, β1,t, where ε sits) is read from the rule's program
(:func:`octk.rules.anatomy.anatomy`), never from its name or option names: a rule built
by hand with Adam's program meets K&B's hypotheses.

λ (K&B Theorem 4.1, RKK Corollary 1): with β1,t = β1 λ^(t−1) the rule's λ is the
theorem's. With β1 = 0, β1,t = 0 for every λ ∈ (0, 1), so the theorem holds for every
λ and its tightest form is the infimum, λ → 0⁺ (THEORY §4, observation): that is the
default, and ``lam=`` evaluates it at another λ (K&B's "typical" 1 − 1e−8 makes the
constant term ~10¹⁶ times larger). :func:`choose_lambda` says which λ and why.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import SupportsFloat

import numpy as np
import sympy as sp
from numpy.typing import NDArray

from octk.bounds.quantities import Constant, RunQuantities
from octk.domains import Domain
from octk.domains import domain as make_domain
from octk.rules import Rule
from octk.rules.adaptive import beta1, lam
from octk.rules.anatomy import Anatomy, anatomy, same
from octk.symbols import t
from octk.theorems import Theorem, text
from octk.theorems.theorem import Algorithm, Hypothesis
from octk.trajectory import Trajectory

HOLDS, FAILS, NA = "holds", "fails", "n/a"
KB_LAMBDA_TYPICAL = 1 - 1e-8


@dataclass(frozen=True)
class Check:
    """One hypothesis (``kind="stated"``) or proof step (``kind="proof"``) and its verdict."""

    name: str
    verdict: str  # holds | fails | n/a
    detail: str
    kind: str = "stated"

    def __str__(self) -> str:
        return f"{self.verdict:<6} {self.name}: {self.detail}"


def _g(v: SupportsFloat, digits: int = 6) -> str:
    v = float(v)
    return f"{v:.{digits}g}" if math.isfinite(v) else str(v)


def lam_text(value: float) -> str:
    return "λ → 0⁺" if value == 0 else f"λ = {value:.10g}"


# --------------------------------------------------------------------------- the algorithm
def describe(a: Anatomy) -> str:
    """The structure of a program in words (what the algorithm hypothesis compares)."""
    if a.beta1_t is None:
        first = "no first moment (M_t = g_t)"
    else:
        first = f"m_t an EMA of g with β1,t = {text(a.beta1_t)}" + (
            ", m̂_t = m_t/(1 − β1^t)" if a.m_bias_corrected else ", no bias correction"
        )
    second = {
        "none": "no second moment",
        "ema": "v_t an EMA of g²",
        "mean": "v_t the running mean of g² (β2,t = 1 − 1/t)",
        "sum": "v_t = Σ g² (a running sum)",
        "max(ema)": "v̂_t a running max of an EMA of g²",
        "max(ema, corrected)": "v̂_t a running max of a bias-corrected EMA of g²",
        "other": "a denominator of another form",
    }[a.second_moment]
    if a.vhat is not None:
        second += f", √v̂_t with v̂_t = {text(a.vhat)}"
    eps = {"none": "no ε", "outside": "ε outside the root", "inside": "ε inside the root"}
    return f"{first}; {second}; {eps.get(a.eps, 'ε elsewhere')}"


def algorithm_mismatches(alg: Algorithm, a: Anatomy) -> list[str]:
    """What in the program ``a`` differs from the structure ``alg`` (empty: it matches)."""
    out: list[str] = []
    if a.first_moment != alg.first_moment:
        out.append(f"first moment {a.first_moment}, needs {alg.first_moment}")
    if a.second_moment != alg.second_moment:
        out.append(f"second moment {a.second_moment}, needs {alg.second_moment}")
    for attr, what in (("m_bias_corrected", "m̂"), ("v_bias_corrected", "v̂")):
        want = getattr(alg, attr)
        if want is not None and getattr(a, attr) != want:
            out.append(f"{what} {'without' if want else 'with'} a bias correction, needs "
                       f"{'it' if want else 'none'}")  # fmt: skip
    if alg.eps is not None and a.eps not in alg.eps:
        out.append(f"ε {a.eps}, needs {' or '.join(alg.eps)}")
    return out


def family(alg_or_anatomy: Algorithm | Anatomy) -> tuple[str, str]:
    """(first moment, second moment) with every running max one family."""
    first, second = alg_or_anatomy.first_moment, alg_or_anatomy.second_moment
    return first, "max" if second.startswith("max") else second


# --------------------------------------------------------------------------- λ
def choose_lambda(
    theorem: Theorem,
    rule: Rule,
    params: Mapping[str, NDArray[np.float64]],
    C: int,
    lam_option: float | None,
) -> tuple[NDArray[np.float64], list[str], list[Check]]:
    """(λ (C,), reason per configuration, the β1,t-schedule check per configuration).

    NaN, "" and no checks where the theorem has no λ.
    """
    lams = np.full(C, np.nan)
    if lam not in theorem.symbols:
        return lams, [""] * C, []
    needs_decay = any(h.key == "beta1_decay" for h in theorem.hypotheses)
    b1 = params.get("beta1", np.zeros((C, 1)))[:, 0]
    b1t = anatomy(rule).beta1_t
    decays = b1t is not None and anatomy(rule).beta1_ratio == lam  # β1,t = β1 λ^(t−1)
    rule_lam = params.get("lam", np.full((C, 1), np.nan))[:, 0]
    reasons: list[str] = []
    checks: list[Check] = []
    name = "β1,t = β1 λ^(t−1), λ ∈ (0, 1)"
    for c in range(C):
        if b1[c] == 0:
            value = 0.0 if lam_option is None else lam_option
            why = (
                "β1 = 0, so β1,t = 0 = β1 λ^(t−1) for every λ ∈ (0, 1) and the theorem holds "
                "for all of them; "
                + (
                    "the tightest is the infimum λ → 0⁺ (the default)"
                    if lam_option is None
                    else "evaluated at the λ asked for"
                )
            )
            checks.append(Check(name, HOLDS, "β1 = 0: β1,t = 0 for every λ"))
        elif decays:
            value = float(rule_lam[c])
            why = "the rule's schedule β1,t = β1 λ^(t−1) fixes λ"
            checks.append(Check(name, HOLDS, f"β1 = {b1[c]:g}, λ = {value:.10g}"))
        else:
            value = KB_LAMBDA_TYPICAL if lam_option is None else lam_option
            shown = "none" if b1t is None else text(b1t)
            why = (
                f"β1,t = {shown} with β1 = {b1[c]:g} is not β1 λ^(t−1) for any λ ∈ (0, 1); the "
                f"right-hand side is shown at {lam_text(value)} for reference only"
            )
            verdict = FAILS if needs_decay else HOLDS
            checks.append(Check(name, verdict, f"the rule's β1,t = {shown} with β1 = {b1[c]:g}"))
        lams[c] = value
        reasons.append(why)
    return lams, reasons, checks


# --------------------------------------------------------------------------- the checks
def _param(ctx: _Context, name: str, c: int) -> float | None:
    return float(ctx.params[name][c, 0]) if name in ctx.params else None


def _at(value: Constant, c: int) -> float:
    """Configuration ``c``'s value of a reported constant (one number serves all)."""
    if isinstance(value, np.ndarray):
        return float(value[c])
    if value is None:
        return math.nan
    if isinstance(value, str):
        raise TypeError(f"the constant {value!r} is not a number")
    return float(value)


def projection_check(domain: Domain, adaptive: bool) -> Check:
    """Whether the domain's projection is the analysis's (the weighted Π_{F,√V} for an
    adaptive method, the Euclidean one otherwise): the domain says
    (:meth:`octk.domains.Domain.analysis_projection`)."""
    ok, why = domain.analysis_projection(adaptive)
    return Check("projection as in the analysis", HOLDS if ok else FAILS, why)


def _algorithm(h: Hypothesis, ctx: _Context, c: int) -> Check:
    alg, a, r = h.arg, ctx.anatomy, ctx.rule
    bad = algorithm_mismatches(alg, a)
    detail = f"rule {r.name} [{r.preset}]: {describe(a)}" + (f" -- {'; '.join(bad)}" if bad else "")
    return Check(f"algorithm: {alg.title}", FAILS if bad else HOLDS, detail)


def _eps(h: Hypothesis, ctx: _Context, c: int) -> Check:
    what = h.arg or "ε = 0 (the analysis has no ε)"
    e = _param(ctx, "eps", c)
    if e is None or ctx.anatomy.eps == "none":
        return Check(what, HOLDS, "the rule has no ε")
    return Check(what, HOLDS if e == 0 else FAILS, f"ε = {e:g}")


def _schedule(h: Hypothesis, ctx: _Context, c: int) -> Check:
    want, have = h.arg, ctx.anatomy.alpha_t
    name = f"step size α_t = {text(want)}" + ("" if want.has(t) else " (constant)")
    shown = "not of the form α_t·m̂_t/√v̂_t" if have is None else text(have)
    return Check(name, HOLDS if same(have, want) else FAILS, f"the rule's α_t = {shown}")


def _beta1_decay(h: Hypothesis, ctx: _Context, c: int) -> Check:
    if not ctx.lam_checks:  # the theorem has no λ: nothing ties β1,t to one
        return Check("β1,t = β1 λ^(t−1), λ ∈ (0, 1)", NA, "the bound has no λ")
    return ctx.lam_checks[c]


def _beta1_bounded(h: Hypothesis, ctx: _Context, c: int) -> Check:
    b1t, b1 = ctx.anatomy.beta1_t, _param(ctx, "beta1", c) or 0.0
    if b1t is None:
        return Check("β1,t ≤ β1", HOLDS, "no first moment: β1,t = 0")
    ok = ctx.anatomy.beta1_ratio in (1, lam) and same(b1t.xreplace({t: 1}), beta1)
    return Check(
        "β1,t ≤ β1",
        HOLDS if ok else NA,
        f"β1 = {b1:g}, the rule's β1,t = {text(b1t)}"
        + ("" if ok else ": not β1 or β1 λ^(t−1), not decided"),
    )


def _beta1_below_one(h: Hypothesis, ctx: _Context, c: int) -> Check:
    b1 = _param(ctx, "beta1", c) or 0.0
    return Check("β1,t ≤ β1 < 1", HOLDS if b1 < 1 else FAILS, f"β1 = {b1:g}")


def _betas(h: Hypothesis, ctx: _Context, c: int) -> Check:
    b1, b2 = _param(ctx, "beta1", c), _param(ctx, "beta2", c)
    vals = ", ".join(f"{n} = {v:g}" for n, v in (("β1", b1), ("β2", b2)) if v is not None)
    ok = all(v is None or 0 <= v < 1 for v in (b1, b2))
    return Check("β1, β2 ∈ [0, 1)", HOLDS if ok else FAILS, vals or "no β")


def _condition(h: Hypothesis, ctx: _Context, c: int) -> Check:
    cond: sp.Rel = h.arg
    sym = cond.lhs
    value = float(ctx.defined[sym][c])
    name = f"{text(sym)} = {text(ctx.theorem.definitions[sym])} {cond.rel_op} {text(cond.rhs)}"
    if math.isnan(value):
        return Check(name, NA, f"{text(sym)} undefined: the rule lacks its hyperparameters")
    ok = bool(cond.func(value, cond.rhs))
    return Check(name, HOLDS if ok else FAILS, f"{text(sym)} = {_g(value)}")


def _diameter(h: Hypothesis, ctx: _Context, c: int) -> Check:
    which = h.arg
    val = _at(ctx.constants["D∞ (used)" if which == "D∞" else "D (used)"], c)
    where = (
        f"(the domain {ctx.domain.spec()})"
        if ctx.mode == "declared"
        else "(observed on the run, max_t ‖x_t − x*‖)"
    )
    return Check(
        f"bounded diameter {which}",
        HOLDS if math.isfinite(val) else FAILS,
        f"{which} = {_g(val)} {where}",
    )


def _gradients(h: Hypothesis, ctx: _Context, c: int) -> Check:
    which = h.arg
    decl = ctx.constants["G∞ declared"]
    obs = _at(ctx.constants["G∞ observed"], c)
    if decl is None:
        return Check(
            f"bounded gradients {which}",
            HOLDS if math.isfinite(obs) else FAILS,
            f"the sequence declares no bound; observed max |g| = {_g(obs)} on this run",
        )
    declared = _at(decl, c)
    return Check(
        f"bounded gradients {which}",
        HOLDS if obs <= declared * (1 + 1e-12) else FAILS,
        f"declared G∞ = {_g(declared)}, observed max |g| = {_g(obs)}",
    )


def _projection(h: Hypothesis, ctx: _Context, c: int) -> Check:
    return projection_check(ctx.domain, bool(h.arg))


def _gamma(h: Hypothesis, ctx: _Context, c: int) -> Check:
    n, first, mn = (ctx.gamma[k][c] for k in ("count", "first", "min"))
    name, what = "Γ_t ⪰ 0", "Γ_{t,i} = 1/η_{t,i} − 1/η_{t−1,i} (RKK eq. 2)"
    if np.isnan(n):
        return Check(name, NA, f"{what}: the rule's effective step η_t is not defined", h.kind)
    if n == 0:
        return Check(name, HOLDS, f"{what}: none negative over t ≥ 2 (min Γ = {_g(mn)})", h.kind)
    return Check(
        name,
        FAILS,
        f"{what}: {int(n):,} negative, the first at t = {int(first):,} (min Γ = {_g(mn)})",
        h.kind,
    )


def _accumulator(h: Hypothesis, ctx: _Context, c: int) -> Check:
    init = ctx.anatomy.v_init
    env = {ctx.rule.symbols[n]: v[c, 0] for n, v in ctx.params.items() if n in ctx.rule.symbols}
    v0 = 0.0 if init is None else float(sp.sympify(init).xreplace(env))
    return Check("accumulator starts at 0", HOLDS if v0 == 0 else FAILS, f"v0 = {v0:g}")


def _comparator(h: Hypothesis, ctx: _Context, c: int) -> Check:
    dist = float(ctx.values_xinf[c, -1])
    fin = bool(np.isfinite(dist))
    return Check(
        "x* exists (finite comparator)",
        HOLDS if fin else FAILS,
        f"max_t ‖x* − x_t‖∞ = {_g(dist)} at T",
    )


CHECKS: dict[str, Callable[[Hypothesis, _Context, int], Check]] = {
    "algorithm": _algorithm,
    "eps": _eps,
    "schedule": _schedule,
    "beta1_decay": _beta1_decay,
    "beta1_bounded": _beta1_bounded,
    "beta1_below_one": _beta1_below_one,
    "betas": _betas,
    "condition": _condition,
    "diameter": _diameter,
    "gradients": _gradients,
    "projection": _projection,
    "gamma": _gamma,
    "accumulator": _accumulator,
    "comparator": _comparator,
}


@dataclass(frozen=True, eq=False)
class _Context:
    theorem: Theorem
    rule: Rule
    domain: Domain
    anatomy: Anatomy
    params: Mapping[str, NDArray[np.float64]]
    constants: Mapping[str, Constant]
    gamma: Mapping[str, NDArray[np.float64]]
    mode: str
    defined: Mapping[sp.Symbol, NDArray[np.float64]]
    lam_checks: Sequence[Check]
    values_xinf: NDArray[np.float64]


def check_all(
    theorem: Theorem,
    traj: Trajectory,
    run: RunQuantities,
    defined: Mapping[sp.Symbol, NDArray[np.float64]],
    lam_checks: Sequence[Check],
) -> tuple[tuple[Check, ...], ...]:
    """Every hypothesis of ``theorem`` on each configuration of the run.

    ``run``: :class:`octk.bounds.quantities.RunQuantities`; ``defined``: the definitions'
    values (C,) (γ); ``lam_checks``: :func:`choose_lambda`'s checks.
    """
    from octk.theorems.quantities import Xinf

    ctx = _Context(
        theorem, traj.rule, make_domain(traj.domain), anatomy(traj.rule), run.params,
        run.constants, run.gamma, run.mode, defined, lam_checks, np.asarray(run.values[Xinf]),
    )  # fmt: skip
    return tuple(tuple(CHECKS[h.key](h, ctx, c) for h in theorem.hypotheses) for c in range(run.C))


__all__ = [
    "CHECKS",
    "FAILS",
    "HOLDS",
    "KB_LAMBDA_TYPICAL",
    "NA",
    "Check",
    "algorithm_mismatches",
    "check_all",
    "choose_lambda",
    "describe",
    "family",
    "projection_check",
]
