r"""RKK Theorem 4 (AMSGrad's regret bound) and Corollary 1: conditions, dimensions, terms.

.. math::

    {THM_4}

(printed from :data:`octk.theorems.reddi_kale_kumar.THM_4`, where it is written once),
with γ = β1/√β2 < 1 -- RKK's γ, not K&B's β1²/√β2. The claims:

* RKK's condition implies K&B's (β1²/√β2 = β1·γ ≤ γ); the converse is refuted
  (β1 = 1/2, β2 = 1/9: β1²/√β2 = 3/4, β1/√β2 = 3/2);
* dimensions: scale x by a and g by b. The rule's state scales as (m, v, v̂) → (b m,
  b² v, b² v̂), and the rule's update x̂ − x = α_t m_t/√v̂_t is invariant under g → b g,
  so α must scale as a (derived from the rule's ``delta``). Each term of the final
  version scales like the regret, a·b; the submitted first term (without 1/α) scales as
  a²·b -- refuted with the exact exponents;
* √v̂_t ≤ G∞ for AMSGrad (an invariant of the rule's update, max included);
* Corollary 1's middle term: from Theorem 4's middle term with β1,t = β1 λ^(t−1) (read
  from the rule), α_t = α/√t (read), √v̂ ≤ G∞, √t ≤ t and Σ t λ^(t−1) ≤ 1/(1−λ)², the
  careful sum is d β1 D∞² G∞/(2α(1−β1)(1−λ)²); the printed β1 D∞² G∞/(2(1−β1)(1−λ)²)
  is not what Theorem 4 implies (it lacks d/α, and scales as a²·b).
"""

from __future__ import annotations

import sympy as sp

from octk.rules import rule as make_rule
from octk.rules.adaptive import alpha, beta1, beta2, lam
from octk.rules.rule import Rule
from octk.symbols import t
from octk.theorems.derived import RKK_COR_1_CAREFUL
from octk.theorems.reddi_kale_kumar import COR_1, THM_4, THM_4_SUBMITTED
from proofs.certify import identity, positive_coefficients, search
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
    proved,
    refuted,
    survives_table,
    undecided,
    untouched,
)
from proofs.decide import scaling_exponents
from proofs.dynamics import as_premise
from proofs.reading import assigned, state_symbol
from proofs.theorem_4_1 import (
    Dinf,
    G,
    a_,
    agm_sum,
    b_,
    beta1_t,
    dimension_outcome,
    vhat_le_G,
)

__doc__ = (__doc__ or "").replace("{THM_4}", THM_4.latex())

d = sp.Symbol("d", integer=True, positive=True)  # the dimension
S_mid = sp.Symbol("S_mid", positive=True)  # Σ_t β1,t √v̂_t/α_t (one coordinate)
s1, s2 = sp.Symbol("s1", positive=True), sp.Symbol("s2", positive=True)
UNIT = {beta1: s1 / (1 + s1), beta2: s2 / (1 + s2)}


def _rates(rule: Rule) -> tuple[sp.Basic, sp.Basic]:
    """(c1, c2): the weights of the previous m and v in the rule's updates (c1 at t = 1)."""
    c1 = sp.diff(assigned(rule, "m"), state_symbol(rule, "m")).xreplace({t: 1})
    c2 = sp.diff(assigned(rule, "v"), state_symbol(rule, "v"))
    return sp.simplify(c1), sp.simplify(c2)


_GRID = {
    beta1: (sp.Rational(1, 4), sp.Rational(1, 2), sp.Rational(9, 10)),
    beta2: (sp.Rational(1, 9), sp.Rational(1, 2), sp.Rational(7, 10), sp.Rational(9, 10)),
}


def gamma_implication(power=2):
    r"""c1/√c2 < 1 ⇒ c1^power/√c2 < 1 for c1 ∈ [0, 1), c2 ∈ (0, 1) (power = 2: RKK's
    condition implies K&B's): c1^power ≤ c1 (positive coefficients), else a grid
    counterexample. The decay rates c1, c2 are read from the rule."""
    power = sp.sympify(power)

    def prove(rule: Rule) -> Outcome:
        c1, c2 = _rates(rule)
        rkk, kb = c1 / sp.sqrt(c2), c1**power / sp.sqrt(c2)
        steps = [
            Step(
                "decay rates read from the rule",
                sp.Eq(sp.Tuple(sp.Symbol("c1"), sp.Symbol("c2")), sp.Tuple(c1, c2), evaluate=False),
            ),
            Step("RKK's γ and K&B's γ", sp.Tuple(rkk, kb)),
        ]
        cert = positive_coefficients(c1 - c1**power, UNIT, what="c1^p ≤ c1 on [0, 1)")
        if cert.proved:
            steps.append(Step("K&B's γ = RKK's γ · c1^(p−1) ≤ RKK's γ", sp.LessThan(kb, rkk)))
            return proved("sign (positive coefficients)", "γ_KB ≤ γ_RKK", steps)

        def bad(env):
            return bool(rkk.xreplace(env) ** 2 < 1) and not bool(kb.xreplace(env) ** 2 < 1)

        env = search(bad, {beta1, beta2} & (rkk.free_symbols | kb.free_symbols), _GRID)
        if env is not None:
            return refuted(
                "counterexample",
                f"γ_RKK = {rkk.xreplace(env)} < 1 but γ' = {kb.xreplace(env)} ≥ 1",
                {s.name: v for s, v in env.items()},
                steps,
            )
        return undecided("sign", cert.detail, steps)

    return prove


def gamma_converse(rule: Rule) -> Outcome:
    r"""K&B's condition β1²/√β2 < 1 implies RKK's β1/√β2 < 1 (expected: refuted)."""
    c1, c2 = _rates(rule)
    rkk, kb = c1 / sp.sqrt(c2), c1**2 / sp.sqrt(c2)

    def bad(env):  # compare squares: exact rationals
        return bool(kb.xreplace(env) ** 2 < 1) and not bool(rkk.xreplace(env) ** 2 < 1)

    env = search(bad, {beta1, beta2} & (rkk.free_symbols | kb.free_symbols), _GRID)
    steps = [
        Step(
            "K&B's γ < 1 but RKK's γ ≥ 1?", sp.And(sp.StrictLessThan(kb, 1), sp.GreaterThan(rkk, 1))
        )
    ]
    if env is not None:
        return refuted(
            "counterexample",
            f"β1²/√β2 = {kb.xreplace(env)} < 1 but β1/√β2 = {rkk.xreplace(env)} ≥ 1 "
            "(squares compared)",
            {s.name: v for s, v in env.items()},
            steps,
        )
    return undecided("counterexample search", "no counterexample on the grid", steps)


def dimension(with_alpha: bool = True):
    r"""Each term of Theorem 4 scales like the regret (a·b) under x → a x, g → b g; α's scaling
    derived from the rule, S_mid = Σ β1,t √v̂_t/α_t scaling as √v̂/α."""

    def prove(rule: Rule) -> Outcome:
        from proofs.dynamics import rule_scaling, step_size_scaling

        factor, _ = step_size_scaling(rule, a_, b_)
        scale_state = rule_scaling(rule, b_)
        vmax = state_symbol(rule, "vmax")
        (ev,) = scaling_exponents(vmax, scale_state, (b_,))
        extra = {S_mid: b_ ** sp.Rational(ev, 2) / factor * S_mid}
        theorem = THM_4 if with_alpha else THM_4_SUBMITTED  # what octk check evaluates
        terms = dict(
            zip(("first", "middle", "last"), theorem.per_coordinate().values(), strict=True)
        )
        return dimension_outcome(rule, terms, extra)

    return prove


#: Corollary 1's middle term summed carefully (d coordinates) and as printed: the terms
#: octk check evaluates (octk.theorems), d kept
MIDDLE_NAME, CAREFUL_NAME, PRINTED_NAME = (th.terms[1] for th in (THM_4, RKK_COR_1_CAREFUL, COR_1))
CAREFUL = RKK_COR_1_CAREFUL.expanded(RKK_COR_1_CAREFUL.terms_[1].expr)
PRINTED = COR_1.expanded(COR_1.terms_[1].expr)


def middle_chain(rule: Rule) -> tuple[sp.Basic, Outcome, list[Step]]:
    r"""The bound Theorem 4's middle term implies with the rule's β1,t and α_t."""
    B = beta1_t(rule)
    c = sp.simplify(B / lam ** (t - 1))
    eta = rule.effective_step()
    vm = sp.Symbol(str(next(s for s in eta.free_symbols if s.name in ("vmax", "vhat"))), real=True)
    alpha_t = sp.simplify(eta * sp.sqrt(vm))
    sched = sp.simplify(alpha_t * sp.sqrt(t) / alpha)
    if c.has(t) or sched.has(t) or vm in sched.free_symbols:
        raise NotApplicable(f"β1,t = {B} or α_t = {alpha_t} is not of the corollary's form")
    z = sp.Symbol("z", positive=True)
    root = positive_coefficients((1 + z) ** 2 - (1 + z), {}, what="√t ≤ t (√t = 1 + z)")
    bound = vhat_le_G(rule)
    total = d * Dinf**2 / (2 * (1 - beta1)) * c * G / (alpha * sched) / (1 - lam) ** 2
    steps = [
        Step("β1,t read from the rule", sp.Eq(sp.Symbol(r"\beta_{1,t}"), B)),
        Step("α_t read from the rule", sp.Eq(sp.Symbol(r"\alpha_t"), alpha_t)),
        Step(
            "Σ_t β1,t √v̂_t/α_t ≤ (c G∞/α) Σ_t λ^(t−1) √t ≤ (c G∞/α) Σ_t t λ^(t−1) ≤ c G∞/(α(1−λ)²)",
            sp.LessThan(S_mid, c * G / (alpha * sched * (1 - lam) ** 2)),
        ),
        Step("times D∞²/(2(1−β1)) and d coordinates", sp.Eq(sp.Symbol("M"), total)),
    ]
    return total, as_premise(all_of(bound, root, agm_sum())), steps


def corollary_middle(rule: Rule) -> Outcome:
    r"""Theorem 4's middle term with β1,t = β1λ^(t−1) is at most dβ1D∞²G∞/(2α(1−β1)(1−λ)²)."""
    total, pieces, steps = middle_chain(rule)
    same = identity(total, CAREFUL, what="the careful sum", positive=(1 - beta1, 1 - lam))
    return all_of(pieces, same).with_steps(*steps)


def corollary_printed(rule: Rule) -> Outcome:
    r"""Corollary 1's printed middle term is what Theorem 4's middle term gives (expected:
    refuted: it lacks d/α)."""
    total, pieces, steps = middle_chain(rule)
    (ea, eb) = scaling_exponents(PRINTED, {Dinf: a_ * Dinf, G: b_ * G}, (a_, b_))
    steps.append(
        Step(
            f"the printed term scales as a^{ea} b^{eb} (the regret: a b)",
            sp.Eq(sp.Symbol("printed"), PRINTED),
        )
    )
    same = identity(total, PRINTED, what="the printed middle term", positive=(1 - beta1, 1 - lam))
    out = all_of(pieces, same)
    return Outcome(out.verdict, out.method, out.detail, out.counterexample, (*steps, *out.steps))


def _amsgrad() -> Rule:
    return make_rule("amsgrad")


def _amsgrad_decay() -> Rule:
    return make_rule("amsgrad", beta1_schedule="decay")


_SRC = "RKK Theorem 4"

CLAIMS = (
    Claim(
        name="ams.gamma_implication",
        statement=(
            r"\frac{\beta_1}{\sqrt{\beta_2}} < 1 \Rightarrow "
            r"\frac{\beta_1^2}{\sqrt{\beta_2}} < 1"
        ),
        source=_SRC + " (γ = β1/√β2) vs K&B Theorem 4.1 (γ = β1²/√β2)",
        assumptions=(r"\beta_1 \in [0, 1),\ \beta_2 \in (0, 1)",),
        prove=gamma_implication(),
        rule=_amsgrad,
        note=(
            "RKK's γ is not K&B's: β1²/√β2 = β1·(β1/√β2) ≤ β1/√β2. The rates are read "
            "from the rule."
        ),
        scope=Scope.GENERAL,
        basis=Basis.OBSERVATION,
        survives={
            **untouched(
                "the decay rates of m and v",
                "g^2->|g|",
                "step*2",
                "x+delta",
                "drop-sqrt",
                "alpha/sqrt(t+1)",
            ),
            "swap-betas": "c1^2 ≤ c1 for any rate in [0, 1)",
            **dict.fromkeys(
                ("1-beta2->1-beta1", "max->current", "oscillating-step"), "the rates are unchanged"
            ),
            "forget-v": "c2 = β2/2: the implication holds for any c2 in (0, 1)",
            "max->min": "the decay rates are unchanged",
        },
    ),
    Claim(
        name="ams.gamma_converse",
        statement=(
            r"\frac{\beta_1^2}{\sqrt{\beta_2}} < 1 \Rightarrow "
            r"\frac{\beta_1}{\sqrt{\beta_2}} < 1"
        ),
        source=_SRC + " vs K&B Theorem 4.1",
        assumptions=(r"\beta_1 \in [0, 1),\ \beta_2 \in (0, 1)",),
        prove=gamma_converse,
        rule=_amsgrad,
        expected=Verdict.REFUTED,
        note=(
            "K&B's condition is weaker: β1 = 1/2, β2 = 1/9 satisfies it (3/4 < 1) but not "
            "RKK's (3/2)."
        ),
        scope=Scope.GENERAL,
        basis=Basis.OBSERVATION,
    ),
    Claim(
        name="ams.dimension_final",
        statement=r"\text{each term of Theorem 4 (final version) scales like the regret}",
        source=_SRC + " (final version, first term with 1/α)",
        assumptions=(r"x \to a x,\ g \to b g;\ \text{α's scaling derived from the rule}",),
        prove=dimension(True),
        rule=_amsgrad,
        note=(
            "The rule's update is invariant under g → b g, so α carries the unit of x. "
            "The rule's mutations keep this homogeneity; the perturbation that matters is "
            "the submitted first term (ams.dimension_submitted)."
        ),
        scope=Scope.GENERAL,
        basis=Basis.OBSERVATION,
        detects=(
            "g^2->|g|",
            "drop-sqrt",
        ),
        survives={
            **dict.fromkeys(
                ("swap-betas", "1-beta2->1-beta1", "max->current", "forget-v"),
                "the update stays homogeneous",
            ),
            "step*2": "a constant factor does not change how a term scales",
            "oscillating-step": "a dimensionless factor",
            "x+delta": "the direction of the update does not change how a term scales",
            "max->min": "a minimum is homogeneous like a maximum",
            "alpha/sqrt(t+1)": "the schedule carries no unit of x or g",
        },
    ),
    Claim(
        name="ams.dimension_submitted",
        statement=(
            THM_4_SUBMITTED.latex_terms(per_coordinate=True)[THM_4_SUBMITTED.terms[0]]
            + r"\ \text{(submitted first term, per coordinate) scales like the regret}"
        ),
        source=_SRC + " (submitted version, without 1/α)",
        assumptions=(r"x \to a x,\ g \to b g",),
        prove=dimension(False),
        rule=_amsgrad,
        expected=Verdict.REFUTED,
        note="Without 1/α the first term scales as a²·b; the regret as a·b.",
        scope=Scope.GENERAL,
        basis=Basis.OBSERVATION,
    ),
    Claim(
        name="ams.vhat_le_G",
        statement=r"\sqrt{\hat v_{t}} \le G_\infty\ \text{for AMSGrad}",
        source=_SRC + " (proof), RKK Corollary 1",
        assumptions=(r"|g_t| \le G_\infty,\ v_0 = \hat v_0 = 0",),
        prove=vhat_le_G,
        rule=_amsgrad,
        note="v_t and its running max stay ≤ G∞²(1 − β2^t): induction on the rule's update.",
        scope=Scope.GENERAL,
        basis=Basis.PAPER,
        detects=(
            "1-beta2->1-beta1",
            "g^2->|g|",
            "forget-v",
            "max->min",
        ),
        survives={
            **untouched(
                "the updates of v and vmax", "step*2", "x+delta", "drop-sqrt", "alpha/sqrt(t+1)"
            ),
            "swap-betas": "an EMA of g² stays below G∞²",
            "max->current": "v itself stays below G∞²",
            "oscillating-step": "the step is not part of v̂",
        },
    ),
    Claim(
        name="ams.corollary_middle",
        statement=(
            r"\text{the chain bounds }"
            + THM_4.latex_terms()[MIDDLE_NAME]
            + r" \le "
            + RKK_COR_1_CAREFUL.latex_terms()[CAREFUL_NAME]
        ),
        source="RKK Corollary 1 (from Theorem 4's middle term)",
        assumptions=(
            r"\beta_{1,t} = \beta_1\lambda^{t-1},\ \alpha_t = \alpha/\sqrt t,\ |g_t| \le G_\infty",
        ),
        prove=corollary_middle,
        rule=_amsgrad_decay,
        note="β1,t and α_t read from the rule; √v̂ ≤ G∞, √t ≤ t and Σ t λ^(t−1) ≤ 1/(1−λ)².",
        scope=Scope.GENERAL,
        basis=Basis.OBSERVATION,
        premises=("ams.vhat_le_G",),
        proves="the middle term's sum",
        detects=(
            "swap-betas",
            "1-beta2->1-beta1",
            "g^2->|g|",
            "step*2",
            "forget-v",
            "max->min",
        ),
        survives={
            **untouched("β1,t, α_t and the bound on v̂", "x+delta"),
            "max->current": "v ≤ G∞² without the max too",
        },
    ),
    Claim(
        name="ams.corollary_printed",
        statement=(
            r"\text{Theorem 4's middle term gives }"
            + COR_1.latex_terms()[PRINTED_NAME]
            + r"\ \text{(as printed)}"
        ),
        source="RKK Corollary 1 (as printed)",
        assumptions=(r"\beta_{1,t} = \beta_1\lambda^{t-1},\ \alpha_t = \alpha/\sqrt t",),
        prove=corollary_printed,
        rule=_amsgrad_decay,
        expected=Verdict.REFUTED,
        note="The printed term lacks d/α: it differs from the careful sum and scales as a²·b.",
        scope=Scope.GENERAL,
        basis=Basis.PAPER,
    ),
)

#: derived views of the declarations (claim -> mutations it detects; claim ->
#: {mutation: why it survives}), for the notebooks' tables
DETECTS = detects_table(CLAIMS)
HOLDS = survives_table(CLAIMS)
