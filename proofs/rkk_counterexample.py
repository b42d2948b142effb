r"""RKK Theorem 1's mechanism, read from the rules: the steady 3-cycle of v and the drift.

F = [−1, 1], f_t(x) = C x if t mod 3 = 1 else −x (octk's ``reddi-thm1``), C > 2,
β1 = 0, β2 = 1/(1 + C²), α_t = α/√t. The claims:

* the rule's second moment, driven by C, −1, −1, tends to a 3-cycle (v_a, v_b, v_c):
  the linear fixed point of three composed updates of the rule, solved exactly as
  rational functions of C; v_t = v*_(phase) − β2^t v_c (induction on the period) --
  so v approaches its cycle from below; at C = 3 the cycle is (8.207, 1.721, 1.072);
* the drift of x over one period, in units of α/√(3t), read from the rule's
  ``delta`` at the steady state: Adam's −C/√v_a + 1/√v_b + 1/√v_c > 0 for every
  C > 2 (x moves up, to the wrong end +1), AMSGrad's (2 − C)/√v_a < 0 (its v̂ is the
  largest value of the cycle, v_a): each sign certified on (2, ∞) by exact squaring
  and Sturm sequences; +0.681 (Adam, C = 3), −0.349 (AMSGrad, C = 3), −0.804 (C = 10);
* with x at +1, the average regret is (2C − 4)/3 per step in the limit.
"""

from __future__ import annotations

import sympy as sp

from octk.rules import rule as make_rule
from octk.rules.rule import Rule
from proofs import rkk_sequence
from proofs.certify import identity, limit
from proofs.claim import (
    Basis,
    Claim,
    Outcome,
    Scope,
    Step,
    all_of,
    detects_table,
    refuted,
    survives_table,
    undecided,
    untouched,
)
from proofs.decide import radicals_positive, sign_on_interval
from proofs.dynamics import linear_cycle, period_drift, rule_params, steady_cycle

C = rkk_sequence.C
k = sp.Symbol("k", integer=True, positive=True)

#: theory §7's numbers
EXPECTED_CYCLE = (8.207, 1.721, 1.072)  # v at C = 3
EXPECTED_DRIFT = {"adam": {3: 0.681}, "amsgrad": {3: -0.349, 10: -0.804}}


def theorem1_params(rule: Rule) -> dict:
    """β1 = 0, β2 = 1/(1 + C²), ε = 0 (those the rule has)."""
    return rule_params(rule, {"beta1": 0, "beta2": 1 / (1 + C**2), "eps": 0})


def cycle_of_v(rule: Rule) -> Outcome:
    r"""The steady 3-cycle of the rule's v on C, −1, −1 and the closed form from v_0 = 0."""
    gs = rkk_sequence.gradients()
    params = theorem1_params(rule)
    u, _c, out = linear_cycle(rule, "v", gs, params)
    numbers = tuple(round(float(x.xreplace({C: 3})), 3) for x in u)
    steps = [
        Step("β2 = 1/(1 + C²); the gradients of one period", sp.Tuple(*gs)),
        Step(
            "the cycle (v_a, v_b, v_c): the linear fixed point of three updates of the rule",
            sp.Eq(sp.Symbol("(v_a, v_b, v_c)"), sp.Tuple(*u), evaluate=False),
        ),
        Step(
            f"at C = 3: {numbers} (theory §7: {EXPECTED_CYCLE})",
            sp.Eq(
                sp.Symbol("(v_a, v_b, v_c)|_{C=3}"),
                sp.Tuple(*[x.xreplace({C: 3}) for x in u]),
                evaluate=False,
            ),
        ),
    ]
    below = sign_on_interval(u[2], C, 2, sp.oo, what="v_c > 0: v_t = v* − β2^t v_c < v*")
    steps.append(
        Step(
            "from below: v_t − v*_(phase) = −β2^t v_c < 0 (v_c > 0 on C > 2, Sturm)",
            sp.StrictGreaterThan(u[2], 0, evaluate=False),
        )
    )
    if numbers != EXPECTED_CYCLE:
        return undecided(
            "steady state", f"cycle at C = 3 is {numbers}, not {EXPECTED_CYCLE}", steps
        )
    return all_of(out, below).with_steps(*steps)


def _drift(rule: Rule, positive: bool, name: str) -> Outcome:
    gs = rkk_sequence.gradients()
    params = theorem1_params(rule)
    cycle, out = steady_cycle(rule, gs, params, C, 2, sp.oo)
    drift, dsteps = period_drift(rule, gs, params, cycle, C, 2, sp.oo)
    values = {c: round(float(drift.xreplace({C: c})), 3) for c in EXPECTED_DRIFT[name]}
    steps = [
        Step(
            "steady state of every state of the rule over one period (C, −1, −1)",
            sp.Eq(
                sp.Symbol("s^*"),
                sp.Tuple(*[sp.Tuple(*row.values()) for row in cycle]),
                evaluate=False,
            ),
        ),
        *dsteps,
        Step(
            r"drift over one period: $\lim \sqrt{3t}\,(x_{3t+4} - x_{3t+1})/\alpha$ "
            f"(values {values}; theory §7: {EXPECTED_DRIFT[name]})",
            sp.Eq(sp.Symbol("D(C)"), drift),
        ),
    ]
    sign = radicals_positive(
        drift if positive else -drift,
        C,
        2,
        sp.oo,
        what=f"the drift is {'positive' if positive else 'negative'} for every C > 2",
    )
    steps += list(sign.steps)
    if sign.refuted:
        return refuted(
            "sign (radicals)",
            f"the drift has the wrong sign: D = {drift}",
            sign.counterexample or {"C": sp.Integer(3)},
            steps,
        )
    if values != EXPECTED_DRIFT[name]:
        return undecided(
            "sign (radicals)", f"drift {values} ≠ theory §7 {EXPECTED_DRIFT[name]}", steps
        )
    return all_of(out, sign).with_steps(*steps)


def drift_adam(rule: Rule) -> Outcome:
    r"""Adam's steady drift over one period is positive for every C > 2."""
    return _drift(rule, True, "adam")


def drift_amsgrad(rule: Rule) -> Outcome:
    r"""AMSGrad's steady drift over one period is negative for every C > 2."""
    return _drift(rule, False, "amsgrad")


def regret_rate(rate: sp.Basic | None = None, at: sp.Basic = 1):
    r"""With x_t = ``at`` at every step of k periods, R_{3k}/(3k) = (1 + at)(C − 2)/3, which
    is ``rate`` ((2C − 4)/3 by default, x at +1) -- an identity, and the limit k → ∞
    with any bounded transient.

    The claim is about the sequence, not a rule: the perturbation that matters is the
    rate (or where x sits), a parameter of this builder.
    """
    rate = (2 * C - 4) / 3 if rate is None else rate

    def prove(rule: Rule) -> Outcome:
        gs = rkk_sequence.gradients()
        if rkk_sequence.registry_gradients(3) != [g.xreplace({C: 3}) for g in gs]:
            raise ValueError("the registry's reddi-thm1 sequence is not C, −1, −1")
        played = k * sum(g * at for g in gs)  # Σ f_t(x_t) over k periods
        total = k * sum(gs)  # Σ g_t; min over [−1, 1] of x·Σg is −|Σg| = −k(C − 2)
        best = -total  # C > 2: Σ g > 0, the best point is x* = −1
        regret = played - best
        per_step = sp.simplify(regret / (3 * k))
        steps = [
            Step("one period of the sequence", sp.Tuple(*gs)),
            Step(
                f"x* = −1 (Σg = k(C − 2) > 0 for C > 2); regret of k periods with x = {at}",
                sp.Eq(sp.Symbol("R_{3k}"), sp.expand(regret)),
            ),
        ]
        ident = identity(per_step, rate, what=f"R_(3k)/(3k) = {rate}", space={C: (3, 10)})
        B = sp.Symbol("B", positive=True)  # a bounded transient of the first steps
        lim = limit((regret + B) / (3 * k), k, sp.oo, rate, what="a bounded transient vanishes")
        return all_of(ident, lim).with_steps(*steps)

    return prove


CLAIMS = (
    Claim(
        name="rkk.cycle",
        statement=(
            r"v_t \to (v_a, v_b, v_c) \text{ periodically},\ "
            r"v_t = v^*_{t \bmod 3} - \beta_2^t v_c;\ C = 3:\ (8.207, 1.721, 1.072)"
        ),
        source="RKK Theorem 1 (proof), theory §7",
        assumptions=(r"C > 2,\ \beta_1 = 0,\ \beta_2 = 1/(1+C^2),\ v_0 = 0",),
        prove=cycle_of_v,
        rule=lambda: make_rule("adam", schedule="sqrt"),
        note=(
            "The fixed point of three composed updates of the rule's v, solved exactly as "
            "rational functions of C; the closed form by induction on the period."
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
            **untouched("the update of v", "step*2", "x+delta", "drop-sqrt", "alpha/sqrt(t+1)"),
            "drop-bias-correction": "the bias correction is not part of v",
            "drop-bias-correction-v": "as above",
            "move-eps": "ε is not part of v",
            "oscillating-step": "the step is not part of v",
        },
    ),
    Claim(
        name="rkk.drift_adam",
        statement=(
            r"\lim \frac{\sqrt{3t}}{\alpha}(x_{3t+4} - x_{3t+1}) = "
            r"-\frac{C}{\sqrt{v_a}} + \frac{1}{\sqrt{v_b}} + \frac{1}{\sqrt{v_c}} > 0"
            r"\ \ (C > 2)"
        ),
        source="RKK Theorem 1 (proof); theory §7 (+0.681 at C = 3)",
        assumptions=(
            r"C > 2,\ \beta_1 = 0,\ \beta_2 = 1/(1+C^2),\ \epsilon = 0,\ \alpha_t = \alpha/\sqrt t",
            r"x \text{ in the interior (the projection stops it at } +1)",
        ),
        prove=drift_adam,
        rule=lambda: make_rule("adam", schedule="sqrt"),
        note=(
            "Adam moves up, towards +1, the wrong end (x* = −1). The sign is certified "
            "for every C > 2 by squaring (the terms are radicals of rational functions of "
            "C) and a Sturm decomposition of (2, ∞)."
        ),
        scope=Scope.GENERAL,
        basis=Basis.PAPER,
        detects=(
            "swap-betas",
            "1-beta2->1-beta1",
            "g^2->|g|",
            "step*2",
            "forget-v",
            "x+delta",
            "drop-sqrt",
        ),
        survives={
            "drop-bias-correction": "1 − β^t → 1: the steady drift is the same",
            "drop-bias-correction-v": "as above",
            "move-eps": "ε = 0 in the claim",
            "alpha/sqrt(t+1)": "the drift is a limit t → ∞, and √t/√(t+1) → 1",
        },
    ),
    Claim(
        name="rkk.drift_amsgrad",
        statement=(
            r"\lim \frac{\sqrt{3t}}{\alpha}(x_{3t+4} - x_{3t+1}) = "
            r"\frac{2 - C}{\sqrt{\max(v_a, v_b, v_c)}} < 0\ \ (C > 2)"
        ),
        source="RKK §4 (AMSGrad); theory §7 (−0.349 at C = 3, −0.804 at C = 10)",
        assumptions=(r"C > 2,\ \beta_1 = 0,\ \beta_2 = 1/(1+C^2),\ \alpha_t = \alpha/\sqrt t",),
        prove=drift_amsgrad,
        rule=lambda: make_rule("amsgrad"),
        note=(
            "AMSGrad's v̂ tends to the largest value of the cycle, v_a (v approaches the "
            "cycle from below), so every step of the period divides by √v_a."
        ),
        scope=Scope.GENERAL,
        basis=Basis.PAPER,
        detects=(
            "swap-betas",
            "1-beta2->1-beta1",
            "max->current",
            "g^2->|g|",
            "step*2",
            "forget-v",
            "x+delta",
            "drop-sqrt",
        ),
        survives={"alpha/sqrt(t+1)": "the drift is a limit t → ∞, and √t/√(t+1) → 1"},
    ),
    Claim(
        name="rkk.regret_rate",
        statement=r"x_t = +1 \Rightarrow \frac{R_T}{T} \to \frac{2C - 4}{3}",
        source="RKK Theorem 1",
        assumptions=(r"C > 2,\ F = [-1, 1],\ x^* = -1",),
        prove=regret_rate(),
        rule=lambda: make_rule("adam", schedule="sqrt"),
        note="An identity over one period and a limit; C = 10 gives 16/3 ≈ 5.333 (theory §7).",
        scope=Scope.GENERAL,
        basis=Basis.PAPER,
        reads_rule=False,
    ),
)

#: derived views of the declarations (claim -> mutations it detects; claim ->
#: {mutation: why it survives}), for the notebooks' tables
DETECTS = detects_table(CLAIMS)
HOLDS = survives_table(CLAIMS)
