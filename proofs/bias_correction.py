r"""K&B §3 (eqs 1–4): the unrolled moments and the bias correction that makes them unbiased.

Every claim reads the update of ``m`` and ``v`` and the temporaries ``mhat`` and
``vhat`` from the rule's program (:mod:`proofs.reading`):

* the unrolled forms m_t = (1−β1) Σ β1^(t−i) g_i and v_t = (1−β2) Σ β2^(t−i) g_i²,
  by induction on the rule's recurrences;
* under stationarity (E[g_i] = μ, E[g_i²] = σ² for every i) the expectation, linear,
  turns the unrolled sums into geometric sums with closed forms
  E[m_t] = μ(1−β1^t), E[v_t] = σ²(1−β2^t) (telescoping);
* the rule's ``mhat`` and ``vhat``, with the previous state replaced by its
  expectation, are then unbiased: E[m̂_t] = μ, E[v̂_t] = σ²;
* without stationarity, E[v_t] = E[g_t²](1−β2^t) + ζ_t, and ζ_t weighs the drifts
  E[g_i²] − E[g_t²] by (1−β2)β2^(t−i): the decay rate in the paper's remark on ζ is
  β2 (the paper's text says β1).
"""

from __future__ import annotations

import sympy as sp

from octk.rules.adaptive import beta1, beta2
from octk.rules.rule import Rule
from octk.symbols import g, t
from proofs.certify import (
    as_single_sum,
    combine_sums,
    expectation,
    identity,
    induction,
    reduce_to_zero,
    sum_identity,
)
from proofs.claim import (
    Basis,
    Claim,
    Outcome,
    Scope,
    Step,
    Verdict,
    all_of,
    detects_table,
    paper_rule,
    proved,
    survives_table,
    undecided,
    untouched,
)
from proofs.reading import assigned, grad, initial, state_symbol, update

n = sp.Symbol("n", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)
mu = sp.Symbol("mu", real=True)  # E[g_i]
sigma2 = sp.Symbol("sigma2", positive=True)  # E[g_i²]
s = sp.Function("s", positive=True)  # s(i) = E[g_i²], not stationary

__all__ = ["CLAIMS", "M_unrolled", "V_unrolled", "grad", "initial", "update"]


def M_unrolled(N: sp.Basic) -> sp.Basic:
    r"""The paper's unrolled first moment (1−β1) Σ_{k≤N} β1^(N−k) g_k."""
    return (1 - beta1) * sp.Sum(beta1 ** (N - k) * grad(k), (k, 1, N))


def V_unrolled(N: sp.Basic) -> sp.Basic:
    r"""The paper's unrolled second moment (K&B eq. 1) (1−β2) Σ_{k≤N} β2^(N−k) g_k²."""
    return (1 - beta2) * sp.Sum(beta2 ** (N - k) * grad(k) ** 2, (k, 1, N))


def m_unrolled(rule: Rule) -> Outcome:
    """m_n = (1−β1) Σ β1^(n−k) g_k, by induction on the rule's update of m."""
    step = update(rule, "m")
    return induction(
        M_unrolled,
        lambda prev, N: step(prev, grad(N), N),
        n,
        initial=initial(rule, "m"),
        what="m_n = (1−β1) Σ_{k≤n} β1^(n−k) g_k",
    )


def v_unrolled(rule: Rule) -> Outcome:
    """v_n = (1−β2) Σ β2^(n−k) g_k², by induction on the rule's update of v."""
    step = update(rule, "v")
    return induction(
        V_unrolled,
        lambda prev, N: step(prev, grad(N), N),
        n,
        initial=initial(rule, "v"),
        what="v_n = (1−β2) Σ_{k≤n} β2^(n−k) g_k²",
    )


_v_unrolled = v_unrolled  # the name the first version of this module used


def _expected_sum(unrolled, moments, closed, what: str) -> Outcome:
    """E[unrolled(n)] (linearity, moments substituted in the summand) = closed(n)."""
    e = expectation(unrolled(n), moments, random=(grad,))
    summand, lo, hi = as_single_sum(e)
    if hi != n or lo != 1:
        raise ValueError(f"unexpected limits of the sum {e}")
    out = sum_identity(summand, closed, n, what=what)
    first = Step(
        "the expectation is linear: replace each moment in the summand",
        sp.Eq(sp.Symbol(r"\mathbb{E}[\cdot]"), e, evaluate=False),
    )
    return out.with_steps(first)


def _initial_matches(rule: Rule, name: str, closed) -> Outcome:
    """The closed form at n = 0 equals the expectation of the initial state."""
    return identity(
        initial(rule, name), closed(sp.Integer(0)), what=f"E[{name}_0] = closed form at t = 0"
    )


def v_expectation(rule: Rule) -> Outcome:
    r"""E[v_n] = σ²(1 − β2^n) when E[g_k²] = σ² for every k."""
    closed = lambda N: sigma2 * (1 - beta2**N)  # noqa: E731
    return all_of(
        v_unrolled(rule),
        _expected_sum(
            V_unrolled, {grad(k) ** 2: sigma2}, closed, "E[v_n] = σ²(1−β2^n) (geometric sum)"
        ),
        _initial_matches(rule, "v", closed),
    )


def m_expectation(rule: Rule) -> Outcome:
    r"""E[m_n] = μ(1 − β1^n) when E[g_k] = μ for every k."""
    closed = lambda N: mu * (1 - beta1**N)  # noqa: E731
    return all_of(
        m_unrolled(rule),
        _expected_sum(M_unrolled, {grad(k): mu}, closed, "E[m_n] = μ(1−β1^n) (geometric sum)"),
        _initial_matches(rule, "m", closed),
    )


def _unbiased(rule: Rule, name: str, target: str, moments: dict, mean, previous) -> Outcome:
    """E[target_t] = mean, reading the rule's temporary ``target`` with the previous state
    replaced by its (proved) expectation ``previous`` at t − 1."""
    expr = assigned(rule, target)
    prev = state_symbol(rule, name)
    e = expectation(expr, {prev: previous, **moments}, random=(g, prev))
    out = identity(e, mean, what=f"E[{target}_t] = {mean}", positive=(1 - beta1**t, 1 - beta2**t))
    return out.with_steps(
        Step(f"the rule's {target}, as read from its program", sp.Eq(sp.Symbol(target), expr)),
        Step(
            f"expectation: {name}_(t−1) → E[{name}_(t−1)], moments of g_t → their means",
            sp.Eq(sp.Symbol(rf"\mathbb{{E}}[{target}_t]"), e, evaluate=False),
        ),
    )


def vhat_unbiased(rule: Rule) -> Outcome:
    r"""E[v̂_t] = σ² (K&B eqs 2–4), from the rule's ``vhat``; refuted at once where the rule's
    v_t already misses its unrolled form (then E[v_{t−1}] is not what ``vhat`` is read with)."""
    first = v_expectation(rule)
    if first.refuted:
        return first
    return all_of(
        first,
        _unbiased(rule, "v", "vhat", {g**2: sigma2}, sigma2, sigma2 * (1 - beta2 ** (t - 1))),
    )


def mhat_unbiased(rule: Rule) -> Outcome:
    r"""E[m̂_t] = μ, from the rule's ``mhat`` (refuted at once where m_t misses its unrolled
    form)."""
    first = m_expectation(rule)
    if first.refuted:
        return first
    return all_of(first, _unbiased(rule, "m", "mhat", {g: mu}, mu, mu * (1 - beta1 ** (t - 1))))


def zeta_weights(rule: Rule) -> Outcome:
    r"""Non-stationary second moments s_k = E[g_k²]:
    E[v_n] = s_n (1 − β2^n) + ζ_n with ζ_n = Σ_k (1−β2) β2^(n−k) (s_k − s_n)."""
    unrolled = v_unrolled(rule)
    ev = expectation(V_unrolled(n), {grad(k) ** 2: s(k)}, random=(grad,))
    weight = lambda i: (1 - beta2) * beta2 ** (n - i)  # noqa: E731
    weights = sum_identity(weight, lambda N: 1 - beta2**N, n, what="Σ_k (1−β2) β2^(n−k) = 1 − β2^n")
    zeta = sp.Sum(weight(k) * (s(k) - s(n)), (k, 1, n))
    total = sp.Sum(weight(k), (k, 1, n))
    # linearity: E[v_n] − s_n Σ_k w_k − ζ_n merges into one sum with summand 0
    rest = combine_sums(ev - s(n) * total - zeta)
    linear = (
        proved("identity", "E[v_n] − s_n Σ w_k − ζ_n = 0 (one sum, summand 0)")
        if reduce_to_zero(rest)
        else undecided("identity", f"linearity step left {rest}")
    )
    steps = (
        Step(
            "non-stationary: E[g_k²] = s_k; linearity of the expectation",
            sp.Eq(sp.Symbol(r"\mathbb{E}[v_n]"), ev, evaluate=False),
        ),
        Step(
            "ζ_n, the bias term, weighs each drift s_k − s_n by (1−β2) β2^(n−k)",
            sp.Eq(sp.Symbol(r"\zeta_n"), zeta, evaluate=False),
        ),
        Step(
            "so E[v_n] = s_n (1 − β2^n) + ζ_n: ζ decays with β2, not β1",
            sp.Eq(sp.Symbol(r"\mathbb{E}[v_n]"), s(n) * (1 - beta2**n) + zeta, evaluate=False),
        ),
    )
    return all_of(unrolled, weights, linear).with_steps(*steps)


def zeta_beta1(rule: Rule) -> Outcome:
    r"""The literal reading "ζ's weights decay with β1": checked at t = 2 exactly, from the
    rule's update of v with E[g_1²] = s_1, E[g_2²] = s_2 (and E|g_i| = a_i, unknowns of
    their own, should the update read |g|)."""
    s1, s2 = sp.symbols("s_1 s_2", positive=True)
    a1, a2 = sp.symbols("a_1 a_2", positive=True)
    step = update(rule, "v")
    ev = initial(rule, "v")
    for N, sN, aN in ((1, s1, a1), (2, s2, a2)):
        moments = {g**2: sN, sp.Abs(g): aN}
        ev = expectation(step(ev, g, sp.Integer(N)), moments, random=(g,))
    zeta_b1 = (1 - beta1) * beta1 * (s1 - s2)  # the i = 2 term has s_2 − s_2 = 0
    return identity(
        ev,
        s2 * (1 - beta2**2) + zeta_b1,
        what="E[v_2] = s_2(1−β2²) + (1−β1) Σ_i β1^(2−i)(s_i − s_2)",
    ).with_steps(
        Step(
            "two steps of the rule's update of v, in expectation",
            sp.Eq(sp.Symbol(r"\mathbb{E}[v_2]"), ev, evaluate=False),
        )
    )


_adam = paper_rule("adam")
_MEAN_G = r"\mathbb{E}[g_i] = \mu \text{ for every } i"

CLAIMS = (
    Claim(
        name="bias.v_unrolled",
        statement=r"v_t = (1-\beta_2)\sum_{i=1}^{t} \beta_2^{t-i} g_i^2",
        source="K&B §3, eq. (1)",
        assumptions=(r"v_0 = 0",),
        prove=v_unrolled,
        rule=_adam,
        scope=Scope.GENERAL,
        basis=Basis.PAPER,
        detects=(
            "swap-betas",
            "1-beta2->1-beta1",
            "g^2->|g|",
            "forget-v",
        ),
        survives={
            **untouched(
                "the update of v",
                "drop-bias-correction",
                "drop-bias-correction-v",
                "move-eps",
                "step*2",
                "oscillating-step",
                "x+delta",
                "drop-sqrt",
            )
        },
    ),
    Claim(
        name="bias.m_unrolled",
        statement=r"m_t = (1-\beta_1)\sum_{i=1}^{t} \beta_1^{t-i} g_i",
        source="K&B §3 (the first-moment analogue of eq. (1))",
        assumptions=(r"m_0 = 0",),
        prove=m_unrolled,
        rule=_adam,
        scope=Scope.GENERAL,
        basis=Basis.PAPER,
        detects=("swap-betas",),
        survives={
            **untouched(
                "the update of m",
                "drop-bias-correction",
                "drop-bias-correction-v",
                "1-beta2->1-beta1",
                "move-eps",
                "g^2->|g|",
                "step*2",
                "oscillating-step",
                "forget-v",
                "x+delta",
                "drop-sqrt",
            )
        },
    ),
    Claim(
        name="bias.v_expectation",
        statement=r"\mathbb{E}[v_t] = \mathbb{E}[g^2]\,(1-\beta_2^t)",
        source="K&B §3, eqs (2)–(3)",
        assumptions=(
            r"\mathbb{E}[g_i^2] = \sigma^2 \text{ for every } i \text{ (stationary)}",
            r"v_0 = 0",
        ),
        prove=v_expectation,
        rule=_adam,
        scope=Scope.GENERAL,
        basis=Basis.PAPER,
        detects=(
            "swap-betas",
            "1-beta2->1-beta1",
            "g^2->|g|",
            "forget-v",
        ),
        survives={
            **untouched(
                "the update of v",
                "drop-bias-correction",
                "drop-bias-correction-v",
                "move-eps",
                "step*2",
                "oscillating-step",
                "x+delta",
                "drop-sqrt",
            )
        },
    ),
    Claim(
        name="bias.vhat_unbiased",
        statement=r"\mathbb{E}[\hat v_t] = \mathbb{E}[g^2]",
        source="K&B §3, eq. (4) and Algorithm 1",
        assumptions=(r"\mathbb{E}[g_i^2] = \sigma^2 \text{ for every } i", r"v_0 = 0"),
        prove=vhat_unbiased,
        rule=_adam,
        note="reads the rule's vhat: dropping the bias correction makes it biased by 1 − β2^t",
        scope=Scope.GENERAL,
        basis=Basis.PAPER,
        detects=(
            "drop-bias-correction",
            "drop-bias-correction-v",
            "swap-betas",
            "1-beta2->1-beta1",
            "g^2->|g|",
            "forget-v",
        ),
        survives={
            **untouched(
                "the update of v and v̂",
                "move-eps",
                "step*2",
                "oscillating-step",
                "x+delta",
                "drop-sqrt",
            )
        },
    ),
    Claim(
        name="bias.m_expectation",
        statement=r"\mathbb{E}[m_t] = \mathbb{E}[g]\,(1-\beta_1^t)",
        source="K&B §3 (first-moment analogue of eqs (2)–(3))",
        assumptions=(_MEAN_G, r"m_0 = 0"),
        prove=m_expectation,
        rule=_adam,
        scope=Scope.GENERAL,
        basis=Basis.PAPER,
        detects=("swap-betas",),
        survives={
            **untouched(
                "the update of m",
                "drop-bias-correction",
                "drop-bias-correction-v",
                "1-beta2->1-beta1",
                "move-eps",
                "g^2->|g|",
                "step*2",
                "oscillating-step",
                "forget-v",
                "x+delta",
                "drop-sqrt",
            )
        },
    ),
    Claim(
        name="bias.mhat_unbiased",
        statement=r"\mathbb{E}[\hat m_t] = \mathbb{E}[g]",
        source="K&B §3 and Algorithm 1",
        assumptions=(_MEAN_G, r"m_0 = 0"),
        prove=mhat_unbiased,
        rule=_adam,
        scope=Scope.GENERAL,
        basis=Basis.PAPER,
        detects=(
            "drop-bias-correction",
            "swap-betas",
        ),
        survives={
            **untouched(
                "the update of m and m̂",
                "drop-bias-correction-v",
                "1-beta2->1-beta1",
                "move-eps",
                "g^2->|g|",
                "step*2",
                "oscillating-step",
                "forget-v",
                "x+delta",
                "drop-sqrt",
            )
        },
    ),
    Claim(
        name="bias.zeta_weights",
        statement=(
            r"\mathbb{E}[v_t] = \mathbb{E}[g_t^2](1-\beta_2^t) + \zeta_t,\quad "
            r"\zeta_t = \sum_{i=1}^{t} (1-\beta_2)\beta_2^{t-i}"
            r"\left(\mathbb{E}[g_i^2]-\mathbb{E}[g_t^2]\right)"
        ),
        source="K&B §3, eq. (3) and the remark on ζ after it",
        assumptions=(r"\mathbb{E}[g_i^2] = s_i > 0 \text{ (not stationary)}", r"v_0 = 0"),
        prove=zeta_weights,
        rule=_adam,
        note=(
            "The paper says ζ 'can be kept small since the exponential decay rate β1' ... ; "
            "ζ_t weighs the drift of E[g_i²] by (1−β2)β2^(t−i), so the rate meant is β2 "
            "(observation; see bias.zeta_beta1)."
        ),
        scope=Scope.GENERAL,
        basis=Basis.PAPER,
        detects=(
            "swap-betas",
            "1-beta2->1-beta1",
            "g^2->|g|",
            "forget-v",
        ),
        survives={
            **untouched(
                "the update of v",
                "drop-bias-correction",
                "drop-bias-correction-v",
                "move-eps",
                "step*2",
                "oscillating-step",
                "x+delta",
                "drop-sqrt",
            )
        },
    ),
    Claim(
        name="bias.zeta_beta1",
        statement=(
            r"\zeta_t = \sum_{i=1}^{t} (1-\beta_1)\beta_1^{t-i}"
            r"\left(\mathbb{E}[g_i^2]-\mathbb{E}[g_t^2]\right)"
        ),
        source="K&B §3, the remark on ζ after eq. (3), read literally (β1)",
        assumptions=(r"\mathbb{E}[g_i^2] = s_i > 0", r"t = 2"),
        prove=zeta_beta1,
        rule=_adam,
        expected=Verdict.REFUTED,
        note="ζ is governed by β2; a reading with β1 fails at t = 2 (exact values).",
        scope=Scope.GENERAL,
        basis=Basis.READING,
        reading=(
            "K&B §3 prints no formula for ζ; after eq. (3) it says ζ 'can be kept small since "
            "the exponential decay rate β1 can (and should) be chosen such that the exponential "
            "moving average assigns small weights to gradients too far in the past'. octk reads "
            "that sentence literally (weights (1−β1)β1^(t−i)); eq. (3) itself gives β2 "
            "(bias.zeta_weights). A wording slip, not a printed formula."
        ),
    ),
)

#: derived views of the declarations (claim -> mutations it detects; claim ->
#: {mutation: why it survives}), for the notebooks' tables
DETECTS = detects_table(CLAIMS)
HOLDS = survives_table(CLAIMS)
