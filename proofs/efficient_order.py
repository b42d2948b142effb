r"""K&B §2: the "more efficient order" of computation, and what its ε̂ must be.

The paper notes that Algorithm 1's last three lines can be replaced by

.. math::

    \alpha_t = \alpha \sqrt{1-\beta_2^t}/(1-\beta_1^t), \qquad
    \theta_t = \theta_{t-1} - \alpha_t\, m_t/(\sqrt{v_t} + \hat\epsilon).

octk has both: ``rule("adam")`` (Algorithm 1, ε outside the root of v̂) and
``rule("adam", eps_mode="hat")`` (the efficient order with a constant ε̂ = ε, the
TensorFlow-style "ε-hat" Adam). The claims compare their ``delta`` expressions:

* they are equal exactly when ε̂ = ε √(1−β2^t) (proved; the value is unique);
* with a constant ε̂ = ε they differ (refuted with an exact counterexample from the
  initial state, t = 1);
* the ``hat`` preset's step is the paper's efficient-order formula, α_t m_t/(√v_t + ε̂),
  read from its own m_t and v_t.
"""

from __future__ import annotations

import sympy as sp

from octk.rules.adaptive import alpha, beta1, beta2, eps
from octk.rules.rule import Rule
from octk.symbols import t
from proofs.certify import identity
from proofs.claim import (
    Basis,
    Claim,
    NotApplicable,
    Outcome,
    Scope,
    Step,
    Verdict,
    all_of,
    detects_table,
    paper_rule,
    proved,
    refuted,
    survives_table,
    undecided,
    untouched,
)
from proofs.reading import assigned, state_space, state_symbol

eps_hat = sp.Symbol("epsilon_hat", positive=True)


def alpha_t() -> sp.Expr:
    r"""The paper's α_t = α √(1−β2^t)/(1−β1^t)."""
    return alpha * sp.sqrt(1 - beta2**t) / (1 - beta1**t)


def _positive(rule: Rule) -> tuple:
    """Quantities positive under the claims' assumptions: 1 − β^t (β ∈ [0,1), t ≥ 1),
    and the new second moment v_t (≥ 0, and > 0 once a gradient is non-zero)."""
    out = [1 - beta1**t, 1 - beta2**t]
    try:
        out.append(assigned(rule, "v"))
    except NotApplicable:
        pass
    return tuple(out)


def _reachable_space(rule: Rule) -> dict:
    """Search counterexamples from the initial state first (m_{t−1} = v_{t−1} = 0), and only
    among states that can occur (v ≥ 0)."""
    return state_space(rule)


_hat_rule = paper_rule("adam", eps_mode="hat")


def equivalent_with_scaled_eps(rule: Rule) -> Outcome:
    r"""Algorithm 1's step equals the efficient order's step with ε̂ = ε √(1−β2^t)."""
    alg1 = assigned(rule, "delta")
    hat = assigned(_hat_rule(), "delta").xreplace({eps: eps * sp.sqrt(1 - beta2**t)})
    out = identity(
        alg1,
        hat,
        what="Algorithm 1's Δ_t = efficient order's Δ_t with ε̂ = ε√(1−β2^t)",
        positive=_positive(rule),
        space=_reachable_space(rule),
    )
    return out.with_steps(
        Step("Algorithm 1 (the rule's delta)", sp.Eq(sp.Symbol(r"\Delta_t"), alg1)),
        Step(
            r"efficient order (rule adam, eps_mode='hat'), ε̂ := ε√(1−β2^t)",
            sp.Eq(sp.Symbol(r"\Delta_t^{\hat\epsilon}"), hat),
        ),
    )


def constant_eps_hat(rule: Rule) -> Outcome:
    r"""Algorithm 1's step equals the efficient order's step with the constant ε̂ = ε."""
    alg1 = assigned(rule, "delta")
    hat = assigned(_hat_rule(), "delta")
    return identity(
        alg1,
        hat,
        what="Algorithm 1's Δ_t = efficient order's Δ_t with constant ε̂ = ε",
        positive=_positive(rule),
        space=_reachable_space(rule),
    )


def eps_hat_unique(rule: Rule) -> Outcome:
    r"""Solving Δ_t(Algorithm 1) = Δ_t(efficient order, ε̂) for ε̂ gives exactly
    ε̂ = ε√(1−β2^t) (for m_t ≠ 0)."""
    alg1 = assigned(rule, "delta")
    hat = assigned(_hat_rule(), "delta").xreplace({eps: eps_hat})
    pos = {p: sp.Dummy(f"c{j}", positive=True) for j, p in enumerate(_positive(rule))}
    back = {d: p for p, d in pos.items()}
    sols = sp.solve(sp.Eq(alg1.xreplace(pos), hat.xreplace(pos)), eps_hat, dict=True)
    target = eps * sp.sqrt(1 - beta2**t)
    steps = (
        Step(
            "solve Δ_t(Algorithm 1) = Δ_t(efficient order) for ε̂",
            sp.Eq(alg1, assigned(_hat_rule(), "delta").xreplace({eps: eps_hat}), evaluate=False),
        ),
    )
    if len(sols) != 1:
        return undecided("solve", f"{len(sols)} solutions for ε̂: {sols}", steps)
    sol = sols[0][eps_hat].xreplace(back)
    out = identity(
        sol, target, what="the unique ε̂", positive=_positive(rule), space=_reachable_space(rule)
    )
    steps = (*steps, Step("the unique solution", sp.Eq(eps_hat, sol)), *out.steps)
    if out.proved:
        return proved("solve + identity", "one solution, ε̂ = ε√(1−β2^t)", steps)
    if out.refuted:
        return refuted("solve + identity", out.detail, out.counterexample or {}, steps)
    return undecided("solve + identity", out.detail, steps)


def hat_preset_form(rule: Rule) -> Outcome:
    r"""The ``hat`` preset's step is α_t m_t/(√v_t + ε̂) with the paper's α_t and ε̂ = ε, where
    m_t and v_t are the preset's own new moments."""
    delta = assigned(rule, "delta")
    m_t, v_t = assigned(rule, "m"), assigned(rule, "v")
    paper = alpha_t() * m_t / (sp.sqrt(v_t) + eps)
    state_symbol(rule, "v")
    return identity(
        delta,
        paper,
        what="Δ_t = α_t m_t/(√v_t + ε̂), α_t = α√(1−β2^t)/(1−β1^t)",
        positive=_positive(rule),
        space=_reachable_space(rule),
    ).with_steps(
        Step("the preset's delta", sp.Eq(sp.Symbol(r"\Delta_t"), delta)),
        Step(r"K&B §2: α_t", sp.Eq(sp.Symbol(r"\alpha_t"), alpha_t())),
    )


def eps_zero(rule: Rule) -> Outcome:
    r"""With ε = 0 the two orders are the same computation for every t."""
    alg1 = assigned(rule, "delta", eps=0)
    hat = assigned(_hat_rule(), "delta", eps=0)
    return all_of(
        identity(
            alg1,
            hat,
            what="ε = 0: Algorithm 1's Δ_t = efficient order's Δ_t",
            positive=_positive(rule),
            space=_reachable_space(rule),
        )
    )


_adam = paper_rule("adam")

#: the step of Algorithm 1 and of the efficient order (with ε̂), in LaTeX
_ALG1_STEP = r"\alpha\,\frac{\hat m_t}{\sqrt{\hat v_t}+\epsilon}"
_EFFICIENT_STEP = r"\alpha_t\,\frac{m_t}{\sqrt{v_t}+\hat\epsilon}"
_ALPHA_T = r"\alpha_t = \frac{\alpha\sqrt{1-\beta_2^t}}{1-\beta_1^t}"
#: the mutations that change Algorithm 1's step
_STEP_MUTATIONS = (
    "drop-bias-correction",
    "drop-bias-correction-v",
    "swap-betas",
    "1-beta2->1-beta1",
)

_ASSUME = (
    r"\beta_1, \beta_2 \in [0, 1),\ t \ge 1",
    r"v_{t-1} \ge 0 \text{ (an invariant: } v_0 = 0,\ v_t \text{ a convex combination)}",
    r"v_t > 0 \text{ (some } g_i \ne 0 \text{; else both steps are 0 by the guard)}",
)

CLAIMS = (
    Claim(
        name="order.eps_hat_scaled",
        statement=(
            rf"{_ALG1_STEP} = {_EFFICIENT_STEP}\quad\text{{with }} {_ALPHA_T},\ "
            r"\hat\epsilon = \epsilon\sqrt{1-\beta_2^t}"
        ),
        source="K&B §2, the paragraph after Algorithm 1",
        assumptions=_ASSUME,
        prove=equivalent_with_scaled_eps,
        rule=_adam,
        note="compares rule('adam') with rule('adam', eps_mode='hat') (observation, theory §2)",
        scope=Scope.IDENTITY,
        basis=Basis.OBSERVATION,
        detects=(
            "drop-bias-correction",
            "drop-bias-correction-v",
            "swap-betas",
            "1-beta2->1-beta1",
            "move-eps",
            "g^2->|g|",
            "step*2",
            "oscillating-step",
            "forget-v",
            "drop-sqrt",
        ),
        survives={**untouched("the step δ", "x+delta")},
    ),
    Claim(
        name="order.eps_hat_unique",
        statement=(
            rf"{_ALG1_STEP} = {_EFFICIENT_STEP} \iff "
            r"\hat\epsilon = \epsilon\sqrt{1-\beta_2^t}\quad (m_t \ne 0)"
        ),
        source="K&B §2, the paragraph after Algorithm 1",
        assumptions=(*_ASSUME, r"m_t \neq 0"),
        prove=eps_hat_unique,
        rule=_adam,
        scope=Scope.IDENTITY,
        basis=Basis.OBSERVATION,
        detects=(
            "drop-bias-correction",
            "drop-bias-correction-v",
            "swap-betas",
            "1-beta2->1-beta1",
            "move-eps",
            "g^2->|g|",
            "step*2",
            "oscillating-step",
            "forget-v",
            "drop-sqrt",
        ),
        survives={**untouched("the step δ", "x+delta")},
    ),
    Claim(
        name="order.eps_hat_constant",
        statement=(
            rf"{_ALG1_STEP} = "
            r"\alpha_t\,\frac{m_t}{\sqrt{v_t}+\epsilon}\ \text{ for every } t"
        ),
        source="K&B §2 (the efficient order with a constant ε̂ = ε, as TensorFlow implements it)",
        assumptions=(*_ASSUME, r"\epsilon > 0"),
        prove=constant_eps_hat,
        rule=_adam,
        expected=Verdict.REFUTED,
        note="a constant ε̂ is a different algorithm (the 'ε-hat' variant); the gap is at t = 1",
        scope=Scope.IDENTITY,
        basis=Basis.READING,
        reading=(
            "K&B §2 writes the efficient order with ε̂ and does not say how ε̂ relates to ε; "
            "octk reads ε̂ = ε (what TensorFlow implements)."
        ),
    ),
    Claim(
        name="order.eps_zero",
        statement=(
            r"\epsilon = 0:\ \alpha\,\frac{\hat m_t}{\sqrt{\hat v_t}} = "
            r"\alpha_t\,\frac{m_t}{\sqrt{v_t}}"
        ),
        source="K&B §2, the paragraph after Algorithm 1",
        assumptions=_ASSUME,
        prove=eps_zero,
        rule=_adam,
        scope=Scope.IDENTITY,
        basis=Basis.PAPER,
        detects=(
            "drop-bias-correction",
            "drop-bias-correction-v",
            "swap-betas",
            "1-beta2->1-beta1",
            "g^2->|g|",
            "step*2",
            "oscillating-step",
            "forget-v",
            "drop-sqrt",
        ),
        survives={**untouched("the step δ", "x+delta"), "move-eps": "ε = 0 in the claim"},
    ),
    Claim(
        name="order.hat_preset_form",
        statement=(
            rf"\Delta_t^{{\text{{hat}}}} = {_EFFICIENT_STEP},\ {_ALPHA_T},\ \hat\epsilon = \epsilon"
        ),
        source="K&B §2 (octk's eps_mode='hat' preset)",
        assumptions=_ASSUME,
        prove=hat_preset_form,
        rule=_hat_rule,
        scope=Scope.IDENTITY,
        basis=Basis.OBSERVATION,
        detects=(
            "drop-bias-correction",
            "drop-bias-correction-v",
            "swap-betas",
            "move-eps",
            "step*2",
            "oscillating-step",
            "drop-sqrt",
        ),
        survives={
            **untouched("the step δ", "x+delta"),
            **dict.fromkeys(
                ("1-beta2->1-beta1", "g^2->|g|", "forget-v"),
                ("the identity holds for any update of v (it rewrites the step in m_t, v_t)"),
            ),
        },
    ),
)

#: derived views of the declarations (claim -> mutations it detects; claim ->
#: {mutation: why it survives}), for the notebooks' tables
DETECTS = detects_table(CLAIMS)
HOLDS = survives_table(CLAIMS)
