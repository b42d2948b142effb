r"""The flawed step of K&B's proof of Theorem 4.1: the weights Γ_t must be ≥ 0.

Summing the per-step inequality leaves
Σ_{t≥2} (θ_t − θ*)² (√v̂_t/α_t − √v̂_{t−1}/α_{t−1}) / (2(1−β1)), which the proof bounds
by D² √v̂_T/α_T by replacing every (θ_t − θ*)² by D². That needs every weight

.. math::

    \Gamma_t = \frac{\sqrt{\hat v_t}}{\alpha_t} - \frac{\sqrt{\hat v_{t-1}}}{\alpha_{t-1}}
    = \frac{1}{\eta_t} - \frac{1}{\eta_{t-1}} \ge 0

(RKK's Γ_t ⪰ 0, their eq. 2), with η_t the rule's effective step: the derivative
of the rule's ``delta`` with respect to its first moment (``mhat``, ``m`` or ``g``),
read from the program by :meth:`octk.rules.Rule.effective_step`.

* Adam (β1 = 0, ε = 0, α_t = α/√t) on RKK's Theorem 1 sequence, C = 3, β2 = 1/10:
  refuted -- iterating the rule exactly from v_0 = 0 gives Γ_2 = √(38/11) − 3 < 0 (α = 1;
  Γ_t is 1/α times a function free of α).
* The same run for every t: with the closed form v_t = v*_(t mod 3) − β2^t v*_c (proved
  by induction from the rule's update), Γ_{3k+2} < 0 and Γ_{3k+3} < 0 for every k ≥ 0
  while Γ_{3k+4} > 0 (a positive-coefficient certificate in k and u = β2^(3k)); as
  u → 0, αΓ_{3k+2} → 1.312√(3k+2) − 2.865√(3k+1) (theory §4's numbers).
* AMSGrad, AdaGrad, online gradient descent: proved for every gradient sequence by a
  monotonicity certificate over the rule's update (a maximum is ≥ its argument, a sum
  of squares grows, α_t decreases). Without AMSGrad's max (mutation ``max->current``)
  the certificate fails and an exact run refutes the claim.
"""

from __future__ import annotations

import sympy as sp

from octk.rules import rule as make_rule
from octk.rules.adaptive import alpha, beta2
from octk.rules.rule import Rule
from octk.symbols import t
from proofs import rkk_sequence
from proofs.certify import limit, positive_coefficients
from proofs.claim import (
    ANY_RULE,
    Basis,
    Claim,
    Outcome,
    Scope,
    Step,
    Verdict,
    all_of,
    detects_table,
    proved,
    refuted,
    survives_table,
    undecided,
    untouched,
)
from proofs.decide import certified_sign
from proofs.dynamics import (
    first_negative_gamma,
    gamma_expression,
    gamma_monotone,
    gamma_search,
    inverse_weight,
    linear_cycle,
    rule_params,
    weights_on_run,
)
from proofs.reading import exact, run_exact, state_symbol

k = sp.Symbol("k", integer=True, positive=True)
u = sp.Symbol("u", positive=True)  # β2^(3k) ∈ (0, 1]

#: RKK Theorem 1 at C = 3: β1 = 0, β2 = 1/(1 + C²) = 1/10, ε = 0; α = 1 (Γ scales as 1/α)
RKK_C = 3
RKK_PARAMS = {"beta1": 0, "beta2": sp.Rational(1, 10), "eps": 0, "alpha": 1}

#: theory §4: √v of the steady cycle after the C step, the first and the second −1 step
EXPECTED_ROOTS = (2.865, 1.312, 1.035)


def _alpha_free(rule: Rule) -> Outcome:
    """α·W does not depend on α, so the sign of Γ_t does not either."""
    W = inverse_weight(rule)
    d = sp.simplify(sp.diff(alpha * W, alpha))
    if d == 0:
        return proved("identity", "α·(1/η_t) is free of α: Γ_t = (1/α)·(a function of the run)")
    return undecided("identity", f"1/η_t is not 1/α times a function free of α: {W}")


def adam_rkk(rule: Rule) -> Outcome:
    r"""Γ_t ≥ 0 for every t ≥ 2 on RKK's Theorem 1 sequence, C = 3 (expected: refuted)."""
    params = rule_params(rule, RKK_PARAMS)
    gs = rkk_sequence.gradients(RKK_C, 9)
    if gs[:3] != rkk_sequence.registry_gradients(RKK_C):  # pragma: no cover - registry drift
        raise ValueError("the registry's reddi-thm1 sequence is not C, −1, −1")
    rows = run_exact(rule, gs, params)
    Ws = weights_on_run(rule, rows, params)
    W = inverse_weight(rule)
    table = [
        Step(
            f"t = {s}: g = {gs[s - 1]}",
            sp.Eq(sp.Symbol(f"W_{s}"), sp.radsimp(Ws[s - 1]), evaluate=False),
        )
        for s in range(1, 5)
    ]
    steps = [
        Step(
            r"W_t = 1/\eta_t = \sqrt{\hat v_t}/\alpha_t, read from the rule",
            sp.Eq(sp.Symbol("W_t"), W),
        ),
        Step(
            "the rule iterated exactly from its initial state on C, −1, −1, ... "
            f"(C = {RKK_C}; {', '.join(f'{k_} = {v}' for k_, v in params.items())})"
        ),
        *table,
    ]
    free = _alpha_free(rule)
    hit = first_negative_gamma(rule, rows, params)
    if hit is None:
        return undecided("exact run", "no Γ_t < 0 in the first 9 steps", steps)
    step, gam = hit
    _, how = certified_sign(gam)
    steps.append(
        Step(
            f"Γ_{step} = W_{step} − W_{step - 1} < 0 ({how})",
            sp.StrictLessThan(gam, 0, evaluate=False),
        )
    )
    cx = {"C": sp.Integer(RKK_C), **{k_: exact(v) for k_, v in params.items()}, "t": step}
    cx.update({f"g_{j}": gs[j - 1] for j in range(1, step + 1)})
    out = refuted("exact run", f"Γ_{step} = {gam} < 0 ({how})", cx, steps)
    return all_of(free, out) if not free.proved else out


def _squared_weight(
    rule: Rule, params: dict, v_t: sp.Basic, t_expr: sp.Basic, c: sp.Basic
) -> sp.Basic:
    r"""(α W_t)² with v_t given in terms of u = c^(3k): the rule's weight at t = t_expr
    (β2 is kept a symbol until its powers β2^(3k+j) are written c^j·u)."""
    syms = rule.symbols
    W = inverse_weight(rule).xreplace(
        {syms[n]: exact(v) for n, v in params.items() if n not in ("beta2", "alpha")}
    )
    v = state_symbol(rule, "v")
    e = (alpha * W) ** 2
    e = e.xreplace({v: v_t, t: t_expr})
    e = sp.expand_power_exp(e).xreplace({beta2 ** (3 * k): u})
    return sp.cancel(sp.together(e.xreplace({beta2: c, alpha: 1})))


def adam_rkk_cycle(rule: Rule) -> Outcome:
    r"""On RKK's sequence (C = 3): Γ_{3k+2} < 0, Γ_{3k+3} < 0 and Γ_{3k+4} > 0 for every
    k ≥ 0 (two of every three weights negative for all t ≥ 2), and the asymptotic form."""
    params = rule_params(rule, RKK_PARAMS)
    gs = rkk_sequence.gradients(RKK_C)
    cyc, c, closed = linear_cycle(rule, "v", gs, params)
    v0 = sp.Integer(0)
    # v_t = v*_(phase) + c^t (v_0 − v*_c); t = 3k + j, c^t = c^j u
    v_at = {j: cyc[(j - 1) % 3] + c**j * u * (v0 - cyc[2]) for j in (1, 2, 3, 4)}
    S = {j: _squared_weight(rule, params, v_at[j], 3 * k + j, c) for j in (1, 2, 3, 4)}
    w = sp.Symbol("w", positive=True)
    steps = [
        Step(
            "closed form of the rule's v on the sequence (induction on k, see the steps below); "
            "t = 3k + j, u = β2^(3k)",
            sp.Eq(sp.Symbol("v_{3k+j}"), cyc[0] + sp.Symbol("c^j") * u * (v0 - cyc[2])),
        ),
        Step(
            r"W_t ≥ 0, so Γ_t < 0 ⟺ W_t² < W_{t−1}²; (αW_{3k+j})² as read from the rule",
            sp.Eq(sp.Symbol(r"(\alpha W_{3k+2})^2"), S[2], evaluate=False),
        ),
    ]
    checks = []
    for a_, b_, what in ((1, 2, "Γ_{3k+2} < 0"), (2, 3, "Γ_{3k+3} < 0"), (4, 3, "Γ_{3k+4} > 0")):
        # k ≥ 1: u = β2^(3k) ∈ (0, 1), written u = 1/(1 + w). The certificate covers every
        # u in (0, 1), more than the values β2^(3k) that occur: a point it fails at is no
        # counterexample, so only a proof is kept from it.
        out = positive_coefficients(
            S[a_] - S[b_], {u: 1 / (1 + w)}, strict=True, what=f"{what} for k ≥ 1"
        )
        if not out.proved:
            out = undecided("sign (positive coefficients)", f"{what}: no certificate")
        checks.append(out)
        steps.append(
            Step(
                f"{what} for every k ≥ 1 (u = 1/(1+w), positive coefficients in k, w): "
                f"{out.verdict.value}",
                sp.StrictGreaterThan(S[a_] - S[b_], 0),
            )
        )
    # the exact run: k = 0 (t = 2, 3, 4), and a genuine counterexample if the pattern fails
    rows = run_exact(rule, rkk_sequence.gradients(RKK_C, 13), params)
    Ws = weights_on_run(rule, rows, params)
    first = []
    for t_ in range(2, 14):
        want = 1 if t_ % 3 == 1 else -1
        gam = sp.radsimp(Ws[t_ - 1] - Ws[t_ - 2])
        sign, how = certified_sign(gam)
        if sign is not None and sign != want:
            cx = {"C": sp.Integer(RKK_C), **{n: exact(v) for n, v in params.items()}}
            cx["t"] = sp.Integer(t_)
            return refuted(
                "exact run",
                f"Γ_{t_} = {gam} has the wrong sign ({how})",
                cx,
                steps,
            )
        first.append(sign == want)
        if t_ <= 4:
            steps.append(
                Step(
                    f"k = 0: Γ_{t_} {'<' if want < 0 else '>'} 0 ({how})",
                    sp.Eq(sp.Symbol(f"Gamma_{t_}"), gam),
                )
            )
    # the asymptotic form: u → 0
    u_lim = limit(sp.Rational(1, 10) ** (3 * k), k, sp.oo, 0, what="u = β2^(3k) → 0")
    roots = [sp.sqrt(cyc[j]) for j in range(3)]
    shown = tuple(round(float(r), 3) for r in roots)
    form = Step(
        "as u → 0: αΓ_{3k+2} → √v_b √(3k+2) − √v_a √(3k+1) and "
        "αΓ_{3k+3} → √v_c √(3k+3) − √v_b √(3k+2), with (√v_a, √v_b, √v_c) = "
        f"{shown} (theory §4: {EXPECTED_ROOTS})",
        sp.Eq(
            sp.Symbol(r"\alpha\Gamma_{3k+2}"),
            roots[1] * sp.sqrt(3 * k + 2) - roots[0] * sp.sqrt(3 * k + 1),
        ),
    )
    steps += [*u_lim.steps, form]
    parts = [closed, *checks, u_lim]
    if not all(first):
        return undecided("exact run", "a sign on the exact run was not decided", steps)
    if shown != EXPECTED_ROOTS:
        return undecided(
            "sign", f"cycle roots {shown} differ from theory §4's {EXPECTED_ROOTS}", steps
        )
    out = all_of(*parts)
    if out.proved:
        return proved(
            "induction + sign (positive coefficients)",
            "Γ_{3k+2} < 0, Γ_{3k+3} < 0, Γ_{3k+4} > 0 for every k ≥ 0",
            (*steps, *closed.steps),
        )
    return Outcome(out.verdict, out.method, out.detail, out.counterexample, tuple(steps))


def gamma_nonnegative(rule: Rule) -> Outcome:
    r"""Γ_t ≥ 0 for every gradient sequence and t ≥ 2: a monotonicity certificate over the
    rule's update, or a counterexample from an exact run of the rule."""
    mono = gamma_monotone(rule)
    expr = gamma_expression(rule)
    first = Step(
        r"Γ_t = W(s_t, t) − W(s_{t−1}, t−1), from the rule's update",
        sp.Eq(sp.Symbol(r"\Gamma_t"), expr),
    )
    if mono.proved:
        return mono.with_steps(first)
    cx = gamma_search(rule)
    if cx is not None:
        value = cx.pop("value")
        return refuted(
            "exact run",
            f"Γ_{cx['t']} = {value} < 0 (sign certified)",
            cx,
            (
                first,
                *mono.steps,
                Step("an exact run of the rule", sp.StrictLessThan(value, 0, evaluate=False)),
            ),
        )
    return undecided("monotonicity", mono.detail, (first, *mono.steps))


def ogd_closed_form(rule: Rule) -> Outcome:
    r"""OGD with α_t = α/√t: Γ_t = (√t − √(t−1))/α > 0, from the rule's step."""
    mono = gamma_nonnegative(rule)
    expr = sp.simplify(gamma_expression(rule))
    want = (sp.sqrt(t) - sp.sqrt(t - 1)) / alpha
    same = sp.simplify(expr - want) == 0
    step = Step("Γ_t read from the rule", sp.Eq(sp.Symbol(r"\Gamma_t"), expr))
    if mono.proved and same:
        return mono.with_steps(step)
    if mono.proved:  # still ≥ 0, but not the closed form the claim states
        return undecided("identity", f"Γ_t = {expr}, not (√t − √(t−1))/α", (step, *mono.steps))
    return mono.with_steps(step)


def _adam_sqrt() -> Rule:
    return make_rule("adam", schedule="sqrt")


_GAMMA = (
    r"\Gamma_t = \frac{\sqrt{\hat v_t}}{\alpha_t} - \frac{\sqrt{\hat v_{t-1}}}{\alpha_{t-1}}"
    r" = \frac{1}{\eta_t} - \frac{1}{\eta_{t-1}}"
)
_SOURCE = "K&B App. 10.1, proof of Thm 10.5 (= 4.1); RKK §3, eq. (2)"

CLAIMS = (
    Claim(
        name="flawed.adam_rkk",
        statement=_GAMMA + r" \ge 0 \ \ (t \ge 2)\ \text{for Adam on RKK's Theorem 1 sequence}",
        source=_SOURCE + " and Theorem 1",
        assumptions=(
            r"\beta_1 = 0,\ \epsilon = 0,\ \alpha_t = \alpha/\sqrt t",
            r"C = 3,\ \beta_2 = 1/(1 + C^2) = 1/10,\ g = C, -1, -1, \ldots",
        ),
        prove=adam_rkk,
        rule=_adam_sqrt,
        expected=Verdict.REFUTED,
        note=(
            "The proof of K&B Theorem 4.1 needs Γ_t ≥ 0 to replace (θ_t − θ*)² by D²; on "
            "RKK's sequence the rule's own weights give Γ_2 = √(38/11) − 3 < 0 (α = 1; "
            "Γ_t is 1/α times a quantity free of α)."
        ),
        scope=Scope.INSTANCE,
        basis=Basis.PAPER,
    ),
    Claim(
        name="flawed.adam_rkk_cycle",
        statement=(
            r"\text{RKK seq., } C = 3:\ \Gamma_{3k+2} < 0,\ \Gamma_{3k+3} < 0,\ "
            r"\Gamma_{3k+4} > 0\ (k \ge 0);\ "
            r"\alpha\Gamma_{3k+2} \approx 1.312\sqrt{3k+2} - 2.865\sqrt{3k+1}"
        ),
        source="theory §4 (observation on RKK Theorem 1's sequence)",
        assumptions=(
            r"\beta_1 = 0,\ \epsilon = 0,\ \alpha_t = \alpha/\sqrt t,\ \beta_2 = 1/10,\ v_0 = 0",
        ),
        prove=adam_rkk_cycle,
        rule=_adam_sqrt,
        note=(
            "Observation, not in the papers: two of every three weights are negative for "
            "every t ≥ 2 (not only for large t). The closed form of v on the sequence is "
            "proved by induction from the rule's update; each sign is a positive-"
            "coefficient certificate in k and w (u = β2^(3k) = 1/(1+w)); k = 0 is checked "
            "on the exact run."
        ),
        scope=Scope.INSTANCE,
        basis=Basis.OBSERVATION,
        detects=(
            "swap-betas",
            "1-beta2->1-beta1",
            "g^2->|g|",
            "oscillating-step",
            "forget-v",
        ),
        survives={
            **untouched("1/η_t and the moments", "x+delta"),
            "drop-bias-correction": "RMSProp's weights have the same signs on this sequence",
            "drop-bias-correction-v": "as without both corrections (β1 = 0: m̂ = m)",
            "move-eps": "ε = 0 in the claim",
            "step*2": "Γ_t is halved: the same signs",
            "drop-sqrt": (
                "the proof goes through for the mutant: with 1/η_t = √t·v̂_t/α "
                "the signs of Γ_t on this sequence keep the claimed pattern"
            ),
            "alpha/sqrt(t+1)": (
                "the proof goes through for the mutant: with √(t+1) for √t the "
                "signs of Γ_t on this sequence keep the claimed pattern"
            ),
        },
    ),
    Claim(
        name="flawed.amsgrad",
        statement=_GAMMA + r" \ge 0\ \text{for AMSGrad, every gradient sequence}",
        source="RKK §4 (AMSGrad satisfies Γ_t ⪰ 0 by the max), eq. (2)",
        assumptions=(
            r"\hat v_t = \max(\hat v_{t-1}, v_t),\ \alpha_t = \alpha/\sqrt t",
            r"v_t \ge 0 \text{ (an invariant)}",
        ),
        prove=gamma_nonnegative,
        rule=lambda: make_rule("amsgrad"),
        tags=(ANY_RULE,),
        note=(
            "1/η_t = √t·√v̂_t/α: v̂ moves up by the max and √t grows, and 1/η is "
            "non-decreasing in both. Remove the max and an exact run refutes it."
        ),
        scope=Scope.GENERAL,
        basis=Basis.PAPER,
        detects=(
            "max->current",
            "oscillating-step",
            "max->min",
        ),
        survives={
            **untouched("1/η_t", "x+delta"),
            "swap-betas": "Γ ≥ 0 holds for every β1, β2: only the max matters",
            "1-beta2->1-beta1": "as above",
            **dict.fromkeys(("g^2->|g|", "forget-v"), "the max still never decreases"),
            "step*2": "1/η_t halves: still non-decreasing",
            "drop-sqrt": "1/η_t = √t·v̂_t/α is still non-decreasing in t and v̂",
            "alpha/sqrt(t+1)": "√(t+1) still grows with t",
        },
    ),
    Claim(
        name="flawed.adagrad",
        statement=_GAMMA + r" \ge 0\ \text{for AdaGrad (diagonal), every gradient sequence}",
        source="RKK §3 (AdaGrad satisfies Γ_t ⪰ 0); Duchi et al. 2011",
        assumptions=(r"v_t = v_{t-1} + g_t^2 \ge 0",),
        prove=gamma_nonnegative,
        rule=lambda: make_rule("adagrad"),
        tags=(ANY_RULE,),
        note="1/η_t = (ε + √v_t)/α and v_t grows by g_t² ≥ 0.",
        scope=Scope.GENERAL,
        basis=Basis.PAPER,
        detects=(
            "oscillating-step",
            "forget-v",
        ),
        survives={
            **untouched("1/η_t", "x+delta"),
            "move-eps": "√(v + ε) is still non-decreasing in v",
            "g^2->|g|": "v still grows, by |g| ≥ 0",
            "step*2": "1/η_t halves: still non-decreasing",
            "drop-sqrt": "1/η_t = (ε + v_t)/α is still non-decreasing",
        },
    ),
    Claim(
        name="flawed.ogd",
        statement=r"\Gamma_t = \frac{\sqrt t - \sqrt{t-1}}{\alpha} > 0\ \text{for OGD}",
        source="RKK §3 (SGD satisfies Γ_t ⪰ 0); Zinkevich 2003",
        assumptions=(r"\alpha_t = \alpha/\sqrt t",),
        prove=ogd_closed_form,
        rule=lambda: make_rule("ogd"),
        note="1/η_t = √t/α: constant effective √V = 1 and a decreasing step.",
        scope=Scope.GENERAL,
        basis=Basis.PAPER,
        detects=(
            "step*2",
            "oscillating-step",
            "alpha/sqrt(t+1)",
        ),
        survives={**untouched("1/η_t", "x+delta")},
    ),
    Claim(
        name="flawed.rmsprop",
        statement=_GAMMA + r" \ge 0\ \text{for RMSProp, every gradient sequence}",
        source="RKK §3 (Adam and RMSProp need not satisfy Γ_t ⪰ 0)",
        assumptions=(r"\alpha_t = \alpha/\sqrt t",),
        prove=gamma_nonnegative,
        rule=lambda: make_rule("rmsprop", schedule="sqrt"),
        tags=(ANY_RULE,),
        expected=Verdict.REFUTED,
        note="v_t may decrease (a gradient 0 after a gradient 1): an exact run gives Γ_2 < 0.",
        scope=Scope.GENERAL,
        basis=Basis.PAPER,
    ),
)

#: derived views of the declarations (claim -> mutations it detects; claim ->
#: {mutation: why it survives}), for the notebooks' tables
DETECTS = detects_table(CLAIMS)
HOLDS = survives_table(CLAIMS)
