r"""Structural facts of a rule, decided from its program: Γ_t ⪰ 0, scale invariance, the step.

Each fact is a :class:`proofs.claim.Claim` checked on the audited rule, so it is stated,
scoped and rendered exactly as ``octk verify`` states its claims (verdict ``proved``,
``refuted`` with exact values, ``undecided``, or ``not applicable`` with the reason):

* ``audit.gamma`` -- Γ_t = 1/η_t − 1/η_{t−1} ≥ 0 for every gradient sequence and t ≥ 2
  (RKK eq. 2; K&B's proof of Theorem 4.1 needs it), η_t the rule's effective step read
  by :func:`octk.rules.anatomy.effective_step`: the monotonicity certificate or the exact
  run of :func:`proofs.flawed_step.gamma_nonnegative` -- the check ``octk verify``
  applies to AMSGrad, AdaGrad and RMSProp, here on any rule.
* ``audit.scale`` -- g → c·g (c > 0) leaves every step unchanged: each state s scales
  as c^{k_s} (:func:`octk.rules.scaling.scale_degrees` finds k_s), and the identities
  s_t(c·g, c^k·s) = c^k s_t and δ_t(c·g, c^k·s) = δ_t are then checked exactly by SymPy
  (an induction on t from states that start at 0). Where no degrees exist, two exact
  runs of the rule on g and 2g whose steps differ refute it.
* ``audit.step_limit`` -- the step of one huge gradient: lim_{g→±∞} δ_t with the previous
  state and t kept symbolic (SymPy's ``limit``); an infinite limit refutes a bounded
  step, a finite one is the bound on the move a single spike can cause.
* ``audit.first_step`` -- sup_g |δ_1| from the initial state (limits at ±∞ and the
  critical points of δ_1(g)), exact.

The hyperparameters are the audited values, as exact rationals.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import sympy as sp

from octk.errors import ParameterError
from octk.rules import Rule
from octk.rules.anatomy import NotInProgram, assigned
from octk.rules.scaling import scale_degrees
from octk.symbols import g, t
from proofs.claim import (
    Basis,
    Claim,
    NotApplicable,
    Outcome,
    Result,
    Scope,
    Step,
    proved,
    refuted,
    undecided,
)

_C = sp.Symbol("c", positive=True)
_GAMMA = (
    r"\Gamma_t = \frac{1}{\eta_t} - \frac{1}{\eta_{t-1}} \ge 0\ \ (t \ge 2)"
    r"\ \text{for every gradient sequence}"
)
#: gradient sequences of the exact runs that look for a scale-dependent step
SCALE_RUNS = ((1, 0), (1, 2), (3, -1, -1), (1, 1, 1))


def _exact(value: object) -> sp.Basic:
    from proofs.reading import exact

    return exact(value)


def _values(rule: Rule, params: Mapping[str, float]) -> dict[sp.Symbol, sp.Basic]:
    syms = rule.symbols
    return {syms[k]: _exact(v) for k, v in params.items() if k in syms}


def _applies(check: Callable[[Rule], Outcome]) -> Callable[[Rule], Outcome]:
    """``check`` with a program that lacks what it reads turned into NotApplicable."""

    def run(rule: Rule) -> Outcome:
        try:
            return check(rule)
        except (NotInProgram, ParameterError) as e:
            raise NotApplicable(str(e)) from None

    return run


# --------------------------------------------------------------------------- Γ_t
def gamma(rule: Rule) -> Outcome:
    """Γ_t ⪰ 0: :func:`proofs.flawed_step.gamma_nonnegative` on the rule."""
    from proofs.flawed_step import gamma_nonnegative

    return gamma_nonnegative(rule)


# --------------------------------------------------------------------------- scale
def _previous(rule: Rule, name: str, values: Mapping) -> sp.Basic:
    """Target ``name`` over the previous state, g, t and the hyperparameters' values."""
    return assigned(rule, name).xreplace(values)


def _pull(expr: sp.Basic) -> sp.Basic:
    """``expr`` with a common power of c > 0 taken out of every Max and Min:
    max(c^k a, c^k b) = c^k max(a, b)."""

    def pull(e: sp.Basic) -> sp.Basic:
        parts = [sp.factor_terms(sp.powsimp(a)).as_independent(_C, as_Add=False) for a in e.args]
        powers = {dep for _, dep in parts}
        if len(powers) == 1:
            (power,) = powers
            if power != 1:
                return power * type(e)(*(ind for ind, _ in parts))
        return e

    return expr.replace(lambda e: isinstance(e, sp.Max | sp.Min), pull)


def scale(params: Mapping[str, float]) -> Callable[[Rule], Outcome]:
    r"""g → c·g leaves the step unchanged at ``params`` (see the module docstring)."""

    def prove(rule: Rule) -> Outcome:
        values = _values(rule, params)
        degrees = scale_degrees(rule, params)
        if degrees is None:
            return _scale_refuted(rule, params)
        states = {s.symbol: degrees.get(s.name, 0) for s in rule.state}
        scaled = {s: _C**k * s for s, k in states.items()}
        scaled[g] = _C * g
        steps = [
            Step(
                "degrees under g → c·g (octk.rules.scaling)",
                sp.Tuple(*(sp.Eq(sp.Symbol(s.name), _C ** states[s.symbol]) for s in rule.state)),
            )
        ]
        for st in rule.state:
            init = sp.sympify(st.init).xreplace(values)
            if states[st.symbol] != 0 and init != 0:
                return undecided("identity", f"{st.name}_0 = {init} ≠ 0 does not scale", steps)
        for name in [*rule.state_names, "delta"]:
            try:
                e = _previous(rule, name, values)
            except NotInProgram:
                continue
            k = states.get(rule.symbols.get(name, sp.Symbol(name)), 0) if name != "delta" else 0
            diff = sp.simplify(_pull(e.xreplace(scaled)) - _C**k * e)
            if diff != 0:
                return undecided(
                    "identity",
                    f"{name}(c·g) − c^{k}·{name} = {diff} was not reduced to 0 exactly "
                    "(a random-point identity test found the degrees)",
                    steps,
                )
            steps.append(Step(f"{name} scales as c^{k}", sp.Eq(e.xreplace(scaled), _C**k * e)))
        return proved(
            "identity (induction on t)",
            "every state scales as c^k from a zero start and δ_t(c·g) = δ_t(g)",
            steps,
        )

    return prove


def _scale_refuted(rule: Rule, params: Mapping[str, float]) -> Outcome:
    """Exact runs on g and 2g whose steps δ_t differ (sign certified)."""
    from proofs.decide import certified_sign
    from proofs.reading import run_exact

    hyper = {k: v for k, v in params.items() if k in rule.hyper_names}
    for gs in SCALE_RUNS:
        a = run_exact(rule, gs, hyper, targets=["delta"])
        b = run_exact(rule, [2 * v for v in gs], hyper, targets=["delta"])
        for step, (ra, rb) in enumerate(zip(a, b, strict=True), start=1):
            diff = sp.nsimplify(rb["delta"] - ra["delta"])
            sign, how = certified_sign(diff)
            if sign not in (0, None):
                cx = {k: _exact(v) for k, v in hyper.items()}
                cx.update({f"g_{j}": _exact(v) for j, v in enumerate(gs[:step], start=1)})
                cx.update(c=sp.Integer(2), t=sp.Integer(step))
                cx.update(delta=ra["delta"], delta_scaled=rb["delta"])
                return refuted(
                    "exact run",
                    f"δ_{step}(2g) − δ_{step}(g) = {diff} ≠ 0 ({how})",
                    cx,
                    (Step("exact runs on g and 2g", sp.Ne(rb["delta"], ra["delta"])),),
                )
    return undecided("exact run", "no degrees found, and no exact run on g, 2g differed")


# --------------------------------------------------------------------------- the step
def _symbolic_state(rule: Rule) -> dict[sp.Symbol, sp.Symbol]:
    from proofs.dynamics import nonnegative_states

    nonneg, _ = nonnegative_states(rule)
    return {
        s.symbol: sp.Symbol(s.name, nonnegative=True) if s.name in nonneg else sp.Symbol(s.name)
        for s in rule.state
    }


def _at_infinity(expr: sp.Basic, gg: sp.Symbol, side: sp.Basic) -> sp.Basic:
    """``expr`` with each Max (Min) replaced by its one argument tending to +∞ (−∞) as
    g → ``side``, else by the argument whose limit is the unique largest (smallest)
    number: for every |g| large enough that argument is the maximum (minimum), so the
    limit is unchanged. A Max/Min whose arguments' limits are not numbers, or tie,
    stays as it is."""

    def resolve(e: sp.Basic) -> sp.Basic:
        lims = []
        for a in e.args:
            try:
                lims.append(sp.limit(a, gg, side) if a.has(gg) else a)
            except (NotImplementedError, ValueError, TypeError):
                return e
        wins = sp.oo if isinstance(e, sp.Max) else -sp.oo
        others = [v for v in lims if v != wins]
        finite = not any(
            v.has(sp.Limit, sp.AccumBounds, sp.oo, -sp.oo, sp.zoo, sp.nan) for v in others
        )
        if len(others) == len(lims) - 1 and finite:  # one argument runs off to that side
            return e.args[lims.index(wins)]
        if not all(v.is_number and v.is_extended_real for v in lims):
            return e
        best = max(lims) if isinstance(e, sp.Max) else min(lims)
        winners = [a for a, v in zip(e.args, lims, strict=True) if v == best]
        return winners[0] if len(winners) == 1 else e

    return expr.replace(lambda e: isinstance(e, sp.Max | sp.Min), resolve)


def _limit(expr: sp.Basic, gg: sp.Symbol, side: sp.Basic) -> sp.Basic:
    """lim_{g → side} expr, a Max/Min first resolved by :func:`_at_infinity`."""
    return sp.limit(_at_infinity(expr, gg, side), gg, side)


def step_limit(params: Mapping[str, float]) -> Callable[[Rule], Outcome]:
    r"""lim_{g→±∞} δ_t for any previous state and t ≥ 1 (SymPy's limit)."""

    def prove(rule: Rule) -> Outcome:
        tt = sp.Symbol("t", positive=True)
        gg = sp.Symbol("g", real=True)
        env = {**_symbolic_state(rule), t: tt, g: gg}
        delta = _previous(rule, "delta", _values(rule, params)).xreplace(env)
        steps = [Step("the step as a function of g_t", sp.Eq(sp.Symbol(r"\delta_t"), delta))]
        limits = {}
        for side in (sp.oo, -sp.oo):
            try:
                lim = _limit(delta, gg, side)
            except (NotImplementedError, ValueError, TypeError) as e:
                why = " ".join(str(e).split())
                return undecided("limit", f"SymPy cannot take the limit g → {side}: {why}", steps)
            if isinstance(lim, sp.Limit) or lim.has(sp.AccumBounds, sp.nan):
                return undecided("limit", f"the limit g → {side} was not found ({lim})", steps)
            limits[side] = sp.simplify(lim)
            steps.append(Step(f"g → {side}", sp.Eq(sp.Symbol(r"\lim\delta_t"), limits[side])))
        if any(v.has(sp.oo, -sp.oo, sp.zoo) for v in limits.values()):
            cx = {"g": sp.oo if limits[sp.oo].has(sp.oo, -sp.oo, sp.zoo) else -sp.oo}
            return refuted("limit", "|δ_t| → ∞ as |g| → ∞: the step is not bounded", cx, steps)
        shown = ", ".join(f"g → {k}: {sp.sstr(v)}" for k, v in limits.items())
        return proved("limit", f"one huge gradient moves x by at most |lim δ_t| ({shown})", steps)

    return prove


def first_step(params: Mapping[str, float]) -> Callable[[Rule], Outcome]:
    r"""sup_g |δ_1| from the initial state: on g = ±p (p > 0), the limits at p → 0⁺ and
    p → ∞ and the critical points in p."""

    def prove(rule: Rule) -> Outcome:
        p = sp.Symbol("p", positive=True)
        values = _values(rule, params)
        init = {s.symbol: sp.sympify(s.init).xreplace(values) for s in rule.state}
        delta = _previous(rule, "delta", values).xreplace({**init, t: sp.Integer(1)})
        steps = [Step("δ_1 from the initial state", sp.Eq(sp.Symbol(r"\delta_1"), delta))]
        candidates: list[sp.Basic] = []
        for sign in (1, -1):
            e = sp.simplify(delta.xreplace({g: sign * p}))
            if not e.has(p):
                candidates.append(e)
                continue
            for end in (sp.oo, 0):
                try:
                    candidates.append(_limit(e, p, end))
                except (NotImplementedError, ValueError, TypeError) as err:
                    return undecided(
                        "limit",
                        f"SymPy cannot take the limit p → {end}: {' '.join(str(err).split())}",
                        steps,
                    )
            if any(c.has(sp.oo, -sp.oo, sp.zoo) for c in candidates):
                cx = {"g": sign * sp.oo}
                return refuted("limit", "|δ_1| → ∞ as |g| → ∞", cx, steps)
            try:
                crit = sp.solve(sp.diff(e, p), p)
            except (NotImplementedError, ValueError, TypeError):
                return undecided("calculus", "the critical points of δ_1(g) were not found", steps)
            candidates += [e.xreplace({p: c}) for c in crit]
        if any(not sp.sympify(c).is_number for c in candidates):
            return undecided("calculus", f"candidates {candidates} are not all numbers", steps)
        best = max((sp.Abs(sp.nsimplify(c)) for c in candidates), key=lambda v: float(v))
        steps.append(Step("sup over the limits and critical points", sp.Eq(sp.Symbol("S"), best)))
        return proved("limits + critical points", f"sup_g |δ_1| = {sp.sstr(best)}", steps)

    return prove


# --------------------------------------------------------------------------- the claims
def claims(rule: Rule, params: Mapping[str, float]) -> tuple[Claim, ...]:
    """The structural claims on ``rule`` at the audited hyperparameters ``params``."""
    shown = ", ".join(f"{k} = {v:g}" for k, v in params.items()) or "none"

    def build() -> Rule:
        return rule

    return (
        Claim(
            name="audit.gamma",
            statement=_GAMMA,
            source="RKK §3, eq. (2); K&B App. 10.1 (proof of Thm 10.5 = 4.1)",
            assumptions=(r"\eta_t \text{ read from the rule's step } \delta_t = \eta_t M_t",),
            prove=_applies(gamma),
            rule=build,
            scope=Scope.GENERAL,
            basis=Basis.PAPER,
            note=(
                "proved: a monotonicity certificate for every hyperparameter in range; "
                "refuted: an exact run of the rule (the counterexample's values)"
            ),
        ),
        Claim(
            name="audit.scale",
            statement=r"g \to c\,g\ (c > 0):\ \delta_t(c\,g) = \delta_t(g)\ \text{for every t}",
            source="K&B §2.1 ('invariant to the scale of the gradients')",
            assumptions=(rf"\text{{hyperparameters: {shown}}}",),
            prove=_applies(scale(params)),
            rule=build,
            scope=Scope.IDENTITY,
            basis=Basis.OBSERVATION,
        ),
        Claim(
            name="audit.step_limit",
            statement=r"\lim_{g_t \to \pm\infty} \delta_t \text{ is finite (any state, any t)}",
            source="K&B §2.1 (the effective step is bounded)",
            assumptions=(rf"\text{{hyperparameters: {shown}}}",),
            prove=_applies(step_limit(params)),
            rule=build,
            scope=Scope.GENERAL,
            basis=Basis.OBSERVATION,
        ),
        Claim(
            name="audit.first_step",
            statement=r"\sup_{g_1} |\delta_1| \text{ from the initial state}",
            source="K&B §2.1 (|Δ_t| ≤ α at the first step)",
            assumptions=(rf"\text{{hyperparameters: {shown}}}",),
            prove=_applies(first_step(params)),
            rule=build,
            scope=Scope.INSTANCE,
            basis=Basis.OBSERVATION,
        ),
    )


def check(rule: Rule, params: Mapping[str, float]) -> list[Result]:
    """Every structural claim's :class:`~proofs.claim.Result` on ``rule``."""
    return [c.run(rule) for c in claims(rule, params)]


__all__ = ["SCALE_RUNS", "check", "claims", "first_step", "gamma", "scale", "step_limit"]
