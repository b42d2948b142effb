r"""The ``violation:BOUND`` objective: by how much a run breaks a published regret bound.

For a bound B of :mod:`octk.bounds` (R(T) ≤ B(T) = Σ terms, :class:`~octk.theorems.Theorem`)
the **violation margin** of a run is

.. math::  M = \max_{t \in \mathcal T} \big( R_t - B_t \big),

over the checkpoints 𝒯 (:func:`checkpoints`: 16 evenly spaced steps ending at T, every
step for T ≤ 16). M > 0 means the bound fails at the maximising t* (the first-violation
check of ``octk check`` finds the earliest such t; M measures by how much). B_t is the
theorem's right-hand side at the run's quantities with the *declared* constants, as
``octk check`` evaluates it by default: T = t, d, the domain's diameters D, D∞ (also for
the observed max_t ‖x* − x_t‖∞, which is at most D∞), G∞ the adversary's per-coordinate
bound (‖g‖₂ ≤ G gives G∞ = G) and G = √d G∞ (or the ℓ2 bound), and the data-dependent
sums Σ_i ‖g_{1:t,i}‖₂, Σ_i v̂_{t,i}^{1/2}, Σ_t Σ_i β1,t v̂^{1/2}/α_t from the run's
monitors (:func:`octk.bounds.bound_monitors`); λ as :func:`octk.bounds.evaluate`
chooses it. Whether the theorem's hypotheses hold for the rule is a separate verdict
(``octk check``): M is a fact about the inequality at these values.

**Certified.** The certificate fixes t*, re-runs the sequence exactly
(:mod:`octk.backends.exact`: R_{t*} and the monitors exact or enclosed) and evaluates B
at the enclosed quantities in interval arithmetic, so M ≥ lower(R_{t*}) − upper(B_{t*});
a term whose finiteness condition is not decided makes the upper end +∞ (not certified).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from octk.backends import exact as ex
from octk.errors import ParameterError
from octk.rules import Rule
from octk.theorems import Theorem
from octk.theorems import quantities as Q

PREFIX = "violation:"
#: the monitors a bound's data-dependent sums read
MONITORS = ("sum_g2", "vhat_T", "mid_sum")


def theorem_of(objective: str) -> Theorem:
    """The bound named by ``violation:BOUND``."""
    from octk.bounds import get_bound

    return get_bound(objective[len(PREFIX) :].strip())


def checkpoints(steps: int, count: int = 16) -> list[int]:
    """𝒯: ``count`` evenly spaced steps ending at T (every step for T ≤ count)."""
    return sorted({max(1, round(steps * (k + 1) / count)) for k in range(count)})


def monitors(rule: Rule) -> tuple[Any, ...]:
    """The bound monitors (:func:`octk.bounds.bound_monitors`) the sums read."""
    from octk.bounds import bound_monitors

    return tuple(m for m in bound_monitors(rule) if m.name in MONITORS)


def _lambda(theorem: Theorem, rule: Rule, params: dict[str, float]) -> float:
    from octk.bounds.hypotheses import choose_lambda

    arrays = {k: np.full((1, 1), float(v)) for k, v in params.items()}
    lams, _, _ = choose_lambda(theorem, rule, arrays, 1, None)
    return float(lams[0])


def _hyper(theorem: Theorem, rule: Rule, params: dict[str, Any]) -> dict[sp.Symbol, Any]:
    """The theorem's hyperparameter symbols from the rule's ``params`` (β1 = 0 where the
    rule has none, as :func:`octk.bounds.evaluate` does)."""
    quantity_syms = {q.symbol for q in Q.QUANTITIES}
    out: dict[sp.Symbol, Any] = {}
    for s in theorem.symbols:
        if s in quantity_syms or s.name == "lam":
            continue
        if s.name in params:
            out[s] = params[s.name]
        elif s.name == "beta1":
            out[s] = 0
        else:
            raise ParameterError(
                f"bound {theorem.name!r} reads the hyperparameter {s.name}, which rule "
                f"{rule.name!r} does not have (it has {', '.join(rule.hyper_names)})"
            )
    return out


def values_float(
    theorem: Theorem,
    rule: Rule,
    params: dict[str, float],
    *,
    t: np.ndarray,
    d: int,
    diameters: tuple[float, float],
    ginf: float,
    g2: float,
    mon: dict[str, np.ndarray],
) -> np.ndarray:
    """B_t per candidate and checkpoint (C, K); ``mon[name]`` (C, K, d) the monitors."""
    C, K = mon["sum_g2"].shape[:2]
    vals: dict[sp.Symbol, Any] = {
        Q.T: t[None, :].astype(np.float64),
        Q.d: d,
        Q.D: diameters[0],
        Q.Dinf: diameters[1],
        Q.Xinf: diameters[1],
        Q.Ginf: ginf,
        Q.G: g2,
        Q.Sgnorm: np.sqrt(mon["sum_g2"]).sum(axis=2),
        Q.Svhat: np.sqrt(np.maximum(mon["vhat_T"], 0)).sum(axis=2) if "vhat_T" in mon else np.nan,
        Q.Smid: mon["mid_sum"].sum(axis=2) if "mid_sum" in mon else 0.0,
    }
    vals.update({s: float(v) for s, v in _hyper(theorem, rule, params).items()})
    for s in theorem.symbols:
        if s.name == "lam":
            vals[s] = _lambda(theorem, rule, params)
    terms = theorem.evaluate(vals, (C, K))
    return np.asarray(sum(terms.values()), dtype=np.float64)


def enclose_bound(
    theorem: Theorem,
    rule: Rule,
    params: dict[str, Fraction],
    *,
    t: int,
    d: int,
    diameters: tuple[Fraction, Fraction],
    ginf: Fraction,
    g2: Any,
    mon: dict[str, list[Any]],
) -> Any:
    """B_t enclosed (:mod:`octk.backends.exact`), from exact/enclosed monitor values
    ``mon[name]`` (one per coordinate). +∞ terms (a finiteness condition not shown) raise
    :class:`~octk.backends.exact.Undecided`."""

    def total(vs: list[Any]) -> Any:
        out: Any = Fraction(0)
        for v in vs:
            out = ex.add(out, v)
        return out

    env: dict[Any, Any] = {
        Q.T: Fraction(t),
        Q.d: Fraction(d),
        Q.D: diameters[0],
        Q.Dinf: diameters[1],
        Q.Xinf: diameters[1],
        Q.Ginf: ginf,
        Q.G: g2,
        Q.Sgnorm: total([ex.sqrt(v) for v in mon["sum_g2"]]),
        Q.Smid: total(mon["mid_sum"]) if "mid_sum" in mon else Fraction(0),
    }
    if "vhat_T" in mon:
        env[Q.Svhat] = total([ex.sqrt(ex.maximum(v, Fraction(0))) for v in mon["vhat_T"]])
    env.update(_hyper(theorem, rule, params))
    for s in theorem.symbols:
        if s.name == "lam":
            lam_v = _lambda(theorem, rule, {k: float(v) for k, v in params.items()})
            if not math.isfinite(lam_v):
                raise ex.Undecided(f"bound {theorem.name!r}: λ is not defined for this rule")
            env[s] = Fraction(lam_v)
    out: Any = Fraction(0)
    for term in theorem.terms_:
        if (
            term.finite_if is not sp.true
            and ex.truth(theorem.expanded(term.finite_if), env) is not True
        ):
            raise ex.Undecided(f"bound {theorem.name!r}: term {term.name} is not shown finite")
        out = ex.add(out, ex.evaluate(theorem.expanded(term.expr), env))
    return out


__all__ = [
    "MONITORS",
    "PREFIX",
    "checkpoints",
    "enclose_bound",
    "monitors",
    "theorem_of",
    "values_float",
]
