r"""Limits of Adam: AdaGrad as β2 → 1 (K&B §5) and AdaMax as p → ∞ (K&B §7.1).

**AdaGrad.** From the rule's unrolled v_t and its ``vhat`` = v_t/(1−β2^t), the
bias-corrected second moment is Σ_k w_k g_k² with w_k = (1−β2)β2^(t−k)/(1−β2^t), and
w_k → 1/t as β2 → 1, so v̂_t → (1/t) Σ_{k≤t} g_k². With β1 = 0, ε = 0 and α_t = α/√t,
the rule's step is a continuous function of v̂_t; its limit α g_t/√(Σ g_k²) is
exactly ``rule("adagrad")``'s step (ε = 0, accumulator from 0). Without the bias
correction the weights tend to 0, v_t → 0 and the step diverges.

**AdaMax.** Adam's update of v with β2 → β2^p and g² → |g|^p (K&B eq. 6) unrolls to
v_t = (1−β2^p) Σ β2^(p(t−i)) |g_i|^p; v_t^(1/p) → max_i β2^(t−i)|g_i| (the L^p norm
tends to the max norm: max ≤ ‖·‖_p ≤ t^(1/p) max, and (1−β2^p)^(1/p) → 1), and that
maximum is what ``rule("adamax")``'s update u_t = max(β2 u_{t−1}, |g_t|) computes
(induction). The paper's "|Δ_t| ≤ α" for AdaMax is false by a little: the true bound is
α(1−β1)/(1−β1/β2) = α β2(1−β1)/(β2−β1) (111/110 α at the defaults), attained by
g_i = β2^(i−t).
"""

from __future__ import annotations

import sympy as sp

from octk.rules.adaptive import alpha, beta1, beta2, eps, v0
from octk.rules.rule import Rule
from octk.symbols import g, t
from proofs.bias_correction import M_unrolled, k, m_unrolled, n, v_unrolled
from proofs.certify import (
    as_single_sum,
    expectation,
    identity,
    induction,
    limit,
    max_induction,
    nonnegative_terms,
    positive_coefficients,
    power_at_least,
    sum_identity,
)
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
    refuted,
    survives_table,
    undecided,
    untouched,
)
from proofs.reading import (
    assigned,
    exact,
    first_exceeding,
    grad,
    in_terms_of,
    initial,
    state_space,
    state_symbol,
    update,
)

p = sp.Symbol("p", integer=True, positive=True)  # the L^p exponent, p → ∞
q = sp.Symbol("q", positive=True)  # β2 = 1/(1+q) ∈ (0, 1)
w = sp.Symbol("w", positive=True)
s = sp.Symbol("s", positive=True)
S = sp.Symbol("S", positive=True)  # Σ_{k≤t} g_k² > 0
Y = sp.Symbol("Y", positive=True)  # the value of v̂_t
gp = sp.Symbol("g", positive=True)
b1 = sp.Symbol("beta1", positive=True)
b2 = sp.Symbol("beta2", positive=True)

# ----------------------------------------------------------------------------- AdaGrad


def _vhat_weight(rule: Rule) -> sp.Basic:
    """w_k: v̂_t = Σ_k w_k g_k², from the rule's vhat (linear in the new v) and the unrolled v."""
    vnew = state_symbol(rule, "v")
    try:
        vh = in_terms_of(rule, "vhat", keep=["v"])
    except NotApplicable:
        vh = vnew  # no bias correction: the denominator uses v_t itself
    factor = sp.cancel(vh / vnew)
    if vnew in factor.free_symbols:
        raise NotApplicable(f"v̂_t is not linear in v_t: {vh}")
    return factor * (1 - beta2) * beta2 ** (t - k)


def adagrad_vhat(rule: Rule) -> Outcome:
    r"""lim_{β2→1} v̂_t = (1/t) Σ_{k≤t} g_k²."""
    w_k = _vhat_weight(rule)
    lim = limit(w_k, beta2, 1, 1 / t, direction="-", what="lim_{β2→1⁻} w_k")
    return all_of(v_unrolled(rule), lim).with_steps(
        Step(
            "the rule's v̂_t, with v_t unrolled, is a weighted sum of the g_k²",
            sp.Eq(sp.Symbol(r"\hat v_t"), sp.Sum(w_k * grad(k) ** 2, (k, 1, t)), evaluate=False),
        ),
        Step(
            "every weight tends to 1/t (a finite sum: the limit of the sum is the sum of limits)",
            sp.Eq(
                sp.Limit(sp.Symbol(r"\hat v_t"), beta2, 1, dir="-"),
                sp.Sum(grad(k) ** 2, (k, 1, t)) / t,
                evaluate=False,
            ),
        ),
    )


_adagrad_rule = paper_rule("adagrad")


def adagrad_step(rule: Rule) -> Outcome:
    r"""β1 = 0, ε = 0, α_t = α/√t: lim_{β2→1} Δ_t = α g_t/√(Σ_{k≤t} g_k²) = AdaGrad's Δ_t."""
    # Adam's step as a function of the value Y of v̂_t
    delta = in_terms_of(rule, "delta", keep=["vhat"]).xreplace(
        {beta1: 0, eps: 0, sp.Symbol("vhat", real=True): Y}
    )
    as_function = identity(
        delta, alpha * g / sp.sqrt(t * Y), what="β1 = 0, ε = 0: Δ_t = α g_t/√(t v̂_t)"
    )
    at_limit = identity(
        (alpha * g / sp.sqrt(t * Y)).xreplace({Y: S / t}),
        alpha * g / sp.sqrt(S),
        what="v̂_t → S/t: Δ_t → α g_t/√S (√ is continuous at S/t > 0)",
    )
    # AdaGrad: its accumulator is the running sum, and its step at ε = 0
    ada = _adagrad_rule()
    start = initial(ada, "v").xreplace({v0: exact(ada.defaults["v0"])})
    step = update(ada, "v")
    running = induction(
        lambda N: sp.Sum(grad(k) ** 2, (k, 1, N)),
        lambda prev, N: step(prev, grad(N), N),
        n,
        initial=start,
        what="AdaGrad's v_n = Σ_{k≤n} g_k² (v_0 = 0, the paper preset)",
    )
    ada_delta = assigned(ada, "delta", eps=0).xreplace({state_symbol(ada, "v"): S - g**2})
    same = identity(
        ada_delta,
        alpha * g / sp.sqrt(S),
        what="AdaGrad's Δ_t with v_{t−1} = S − g_t² is α g_t/√S",
    )
    return all_of(adagrad_vhat(rule), as_function, at_limit, running, same).with_steps(
        Step(
            "Adam's step (β1 = 0, ε = 0, α_t = α/√t) as a function of v̂_t",
            sp.Eq(sp.Symbol(r"\Delta_t"), alpha * g / sp.sqrt(t * sp.Symbol(r"\hat v_t"))),
        ),
        Step(
            "AdaGrad (rule adagrad, ε = 0)",
            sp.Eq(sp.Symbol(r"\Delta_t^{\mathrm{AdaGrad}}"), assigned(ada, "delta", eps=0)),
        ),
    )


def no_bias_correction_diverges(rule: Rule) -> Outcome:
    r"""Without bias correction: lim_{β2→1} v_t = 0 and Δ_t → +∞ for g_t > 0."""
    w_k = _vhat_weight(rule)
    weights = limit(w_k, beta2, 1, 0, direction="-", what="lim_{β2→1⁻} (1−β2)β2^(t−k)")
    delta = in_terms_of(rule, "delta", keep=["v"]).xreplace(
        {beta1: 0, eps: 0, sp.Symbol("v", real=True): Y}
    )
    as_function = identity(
        delta, alpha * g / sp.sqrt(t * Y), what="β1 = 0, ε = 0: Δ_t = α g_t/√(t v_t)"
    )
    apos = sp.Symbol("alpha", positive=True)
    blow = limit(
        (apos * gp / sp.sqrt(t * Y)),
        Y,
        0,
        sp.oo,
        direction="+",
        what="v_t → 0⁺: Δ_t → +∞ (g_t > 0, α > 0)",
    )
    return all_of(v_unrolled(rule), weights, as_function, blow)


# ----------------------------------------------------------------------------- AdaMax


def _lp_update(rule: Rule):
    """Adam's update of v with β2 → β2^p and g² → |g|^p (K&B eq. 6); an update without g²
    keeps what it has (and the unrolled form of eq. 7 then fails for it)."""
    expr = assigned(rule, "v")
    lp = expr.xreplace({beta2: beta2**p, g**2: sp.Abs(g) ** p})
    sym = state_symbol(rule, "v")
    return lp, lambda prev, g_n, step: lp.xreplace({sym: prev, g: g_n, t: step})


def adamax_lp_unrolled(rule: Rule) -> Outcome:
    r"""v_t = β2^p v_{t−1} + (1−β2^p)|g_t|^p unrolls to (1−β2^p) Σ β2^(p(t−i)) |g_i|^p."""
    lp, step = _lp_update(rule)
    out = induction(
        lambda N: (1 - beta2**p) * sp.Sum(beta2 ** (p * (N - k)) * sp.Abs(grad(k)) ** p, (k, 1, N)),
        lambda prev, N: step(prev, grad(N), N),
        n,
        initial=initial(rule, "v"),
        what="v_n = (1−β2^p) Σ_{k≤n} β2^(p(n−k)) |g_k|^p",
    )
    return out.with_steps(
        Step(
            "Adam's update of v with β2 → β2^p, g² → |g|^p (eq. 6)",
            sp.Eq(sp.Symbol("v_t"), lp),
        )
    )


def adamax_lp_limit(rule: Rule) -> Outcome:
    r"""lim_{p→∞} v_t^(1/p) = max_i β2^(t−i)|g_i| =: M (finite t; every |g_i| > 0)."""
    M = sp.Symbol("M", positive=True)
    a = sp.Symbol("a", positive=True)  # one term a_i = β2^(t−i)|g_i| ≤ M
    pos = {beta2: 1 / (1 + q)}
    term = (beta2 ** (t - k) * sp.Abs(grad(k))) ** p
    parts = [
        adamax_lp_unrolled(rule),
        identity(
            (beta2 ** (p * (t - k)) * sp.Abs(grad(k)) ** p).xreplace(pos),
            term.xreplace(pos),
            what="β2^(p(t−i))|g_i|^p = a_i^p, a_i = β2^(t−i)|g_i|",
        ),
        limit(
            ((1 - beta2**p) ** (1 / p)).xreplace(pos),
            p,
            sp.oo,
            1,
            what="(1−β2^p)^(1/p) → 1 (β2 = 1/(1+q))",
        ),
        # lower bound: the sum of the non-negative a_i^p contains M^p
        nonnegative_terms(term, pos, what="a_i^p ≥ 0, so Σ a_i^p ≥ M^p"),
        # upper bound: a_i^p ≤ M^p (a_i = M r, r ∈ (0, 1]) and Σ_{i≤t} M^p = t M^p
        power_at_least(sp.Integer(1), a / M, p, {a: M / (1 + w)}, what="a_i ≤ M ⇒ a_i^p ≤ M^p"),
        sum_identity(lambda i: M**p, lambda N: N * M**p, n, what="Σ_{i≤t} M^p = t M^p"),
        limit(t ** (1 / p), p, sp.oo, 1, what="t^(1/p) → 1"),
    ]
    return all_of(*parts).with_steps(
        Step(
            "squeeze",
            sp.And(
                sp.LessThan(M, sp.Symbol(r"\|a\|_p"), evaluate=False),
                sp.LessThan(sp.Symbol(r"\|a\|_p"), t ** (1 / p) * M, evaluate=False),
            ),
        ),
        Step(
            "so, with (1−β2^p)^(1/p) → 1",
            sp.Eq(
                sp.Limit(sp.Symbol("v_t") ** (1 / p), p, sp.oo),
                sp.Symbol(r"\max_i \beta_2^{t-i}|g_i|"),
                evaluate=False,
            ),
        ),
    )


def adamax_recurrence(rule: Rule) -> Outcome:
    r"""max_i β2^(t−i)|g_i| satisfies the rule's u_t = max(β2 u_{t−1}, |g_t|), u_0 = 0."""
    step = update(rule, "u")
    betas = {
        beta1: (sp.Rational(1, 10), sp.Rational(1, 2)),
        beta2: (sp.Rational(1, 2), sp.Rational(1, 10)),
    }
    return max_induction(
        lambda i, N: beta2 ** (N - i) * sp.Abs(grad(i)),
        lambda prev, N: step(prev, grad(N), N),
        n,
        initial=initial(rule, "u"),
        sequence=grad,
        what="u_n = max_{i≤n} β2^(n−i) |g_i|",
        space=betas,
    )


_adamax = paper_rule("adamax")


def _adamax_defaults(rule: Rule) -> dict:
    return {name: exact(v) for name, v in rule.defaults.items()}


def adamax_step_alpha(rule: Rule) -> Outcome:
    r"""'|Δ_t| ≤ α' for AdaMax, at the rule's defaults (exact run on g_k = β2^(−k))."""
    params = _adamax_defaults(rule)
    bb2 = params["beta2"]
    a = params["alpha"]
    quantity = (assigned(rule, "delta") / alpha) ** 2
    kk = sp.Symbol("k", integer=True, positive=True)
    gens = (bb2**j for j in range(1, 21))  # ∝ β2^(j−t): every term of the max is equal
    hit = first_exceeding(rule, gens, params, quantity.xreplace({alpha: a}), sp.Integer(1))
    claim = Step("claim (K&B §7.1)", sp.LessThan(sp.Abs(sp.Symbol(r"\Delta_t")), alpha))
    if hit is None:
        return undecided("counterexample search", "no violation up to t = 20", (claim,))
    tt, val = hit
    ce = {**params, "t": sp.Integer(tt), "g_k": bb2**kk}
    return refuted(
        "counterexample (exact run)",
        f"at t = {tt}, (Δ_t/α)² = {val} ≈ {sp.N(val, 8)} > 1",
        ce,
        (
            claim,
            Step(
                f"the rule run exactly on g_k = {bb2**kk}, k = 1..{tt}",
                sp.StrictGreaterThan(
                    (sp.Symbol(r"\Delta_t") / alpha) ** 2, sp.Integer(1), evaluate=False
                ),
            ),
            Step(
                f"exact value at t = {tt}",
                sp.Eq((sp.Symbol(r"\Delta_t") / alpha) ** 2, val, evaluate=False),
            ),
        ),
    )


def _one_minus_power_positive(base: sp.Symbol, subs: dict) -> Outcome:
    """1 − b^t = (1−b) Σ_{j<t} b^j > 0 for b ∈ (0, 1): a sum of positive terms."""
    j = sp.Symbol("j", integer=True, positive=True)
    return all_of(
        sum_identity(
            lambda i: (1 - base) * base ** (i - 1),
            lambda N: 1 - base**N,
            n,
            what=f"1 − {base}^n = Σ_{{j≤n}} (1−{base}) {base}^(j−1)",
        ),
        nonnegative_terms((1 - base) * base ** (j - 1), subs, strict=True, what="terms > 0"),
    )


def adamax_bound(tt: sp.Basic = t) -> sp.Expr:
    r"""B_t = (1−β1)(1−r^t)/((1−r)(1−β1^t)), r = β1/β2: the tight bound of |Δ_t|/α."""
    r = b1 / b2
    return (1 - b1) * (1 - r**tt) / ((1 - r) * (1 - b1**tt))


def adamax_step_bound(rule: Rule) -> Outcome:
    r"""|Δ_t| ≤ α B_t ≤ α(1−β1)/(1−β1/β2) for β1 < β2 (what holds instead of |Δ_t| ≤ α)."""
    r = b1 / b2
    case = {b1: s / (1 + s), b2: (s / (1 + s) + w) / (1 + w)}  # 0 < β1 < β2 < 1
    rule_betas = {beta1: b1, beta2: b2}
    m_new, u_new = assigned(rule, "m"), assigned(rule, "u")
    # the step from the rule: Δ_t = α m_t/((1−β1^t) u_t)
    form = identity(
        assigned(rule, "delta"),
        alpha * m_new / ((1 - beta1**t) * u_new),
        what="the rule's Δ_t = α m_t/((1−β1^t) u_t)",
        space=state_space(rule),
    )
    # |m_t| ≤ (1−β1) Σ β1^(t−i)|g_i| ≤ (1−β1) u_t Σ r^(t−i), since |g_i| ≤ β2^(−(t−i)) u_t
    summand = identity(
        b1 ** (n - k) * b2 ** (-(n - k)),
        r ** (n - k),
        what="β1^(n−i) β2^(−(n−i)) = r^(n−i)",
    )
    geometric = sum_identity(
        lambda i: r ** (n - i), lambda N: (1 - r**N) / (1 - r), n, what="Σ_{i≤n} r^(n−i)"
    )
    # B_t ≤ (1−β1)/(1−r): r^t ≥ β1^t because r ≥ β1
    cap = all_of(
        power_at_least(r, b1, t, case, what="r = β1/β2 ≥ β1 ⇒ r^t ≥ β1^t"),
        identity(
            (1 - b1) / (1 - r) - adamax_bound(),
            (1 - b1) * (r**t - b1**t) / ((1 - r) * (1 - b1**t)),
            what="(1−β1)/(1−r) − B_t = (1−β1)(r^t − β1^t)/((1−r)(1−β1^t))",
        ),
        positive_coefficients(1 - r, case, strict=True, what="1 − r > 0"),
        positive_coefficients(1 - b1, case, strict=True, what="1 − β1 > 0"),
        _one_minus_power_positive(b1, case),
    )
    # tightness: g_i = β2^(i−t) makes every term of the max 1, and m_t = (1−β1) Σ r^(t−i)
    seq = {grad(k): b2 ** (k - n)}
    m_n = expectation(M_unrolled(n).xreplace(rule_betas), seq, random=(grad,))
    fm, _, _ = as_single_sum(m_n)
    tight = all_of(
        sum_identity(
            fm, lambda N: (1 - b1) * (1 - r**N) / (1 - r), n, what="m_n on g_i = β2^(i−n)"
        ),
        identity((b2 ** (n - k) * b2 ** (k - n)), 1, what="every term of the max is 1: u_n = 1"),
    )
    parts = [m_unrolled(rule), adamax_recurrence(rule), form, summand, geometric, cap, tight]
    return all_of(*parts).with_steps(
        Step(
            "the triangle inequality and u_t ≥ β2^(t−i)|g_i| (u_t is their max)",
            sp.LessThan(
                sp.Abs(sp.Symbol("m_t")),
                (1 - b1) * sp.Symbol("u_t") * sp.Sum(r ** (t - k), (k, 1, t)),
                evaluate=False,
            ),
        ),
        Step(
            "so",
            sp.LessThan(sp.Abs(sp.Symbol(r"\Delta_t")), alpha * adamax_bound(), evaluate=False),
        ),
        Step(
            "and, as r^t ≥ β1^t",
            sp.LessThan(alpha * adamax_bound(), alpha * (1 - b1) / (1 - r), evaluate=False),
        ),
    )


def adamax_bound_defaults(rule: Rule) -> Outcome:
    r"""At the defaults (β1 = 0.9, β2 = 0.999): (1−β1)/(1−β1/β2) = 111/110."""
    d = _adamax_defaults(rule)
    at = {b1: d["beta1"], b2: d["beta2"]}
    value = ((1 - b1) / (1 - b1 / b2)).xreplace(at)
    return all_of(
        adamax_step_bound(rule),
        identity(value, sp.Rational(111, 110), what="(1−β1)/(1−β1/β2) = 111/110 at the defaults"),
        limit(adamax_bound().xreplace(at), t, sp.oo, value, what="B_t → 111/110"),
    )


_adam = paper_rule("adam")
_adam_sqrt = paper_rule("adam", schedule="sqrt")
_adam_sqrt_no_bc = paper_rule(
    "adam", schedule="sqrt", bias_correction_m=False, bias_correction_v=False
)
#: the mutations that change Adam's bias-corrected second moment
_VHAT_MUTATIONS = (
    "drop-bias-correction",
    "drop-bias-correction-v",
    "swap-betas",
    "1-beta2->1-beta1",
)
#: the mutations that change AdaMax's step
_ADAMAX_STEP_MUTATIONS = ("max->current", "swap-betas", "drop-bias-correction", "step*2")


CLAIMS = (
    Claim(
        name="limits.adagrad_vhat",
        statement=r"\lim_{\beta_2\to 1} \hat v_t = \frac{1}{t}\sum_{i=1}^{t} g_i^2",
        source="K&B §5 (AdaGrad as a limit of Adam)",
        assumptions=(r"v_0 = 0", r"t \ge 1 \text{ fixed}"),
        prove=adagrad_vhat,
        rule=_adam_sqrt,
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
                "alpha/sqrt(t+1)",
            )
        },
    ),
    Claim(
        name="limits.adagrad_step",
        statement=(
            r"\beta_1 = 0,\ \epsilon = 0,\ \alpha_t = \alpha/\sqrt{t}:\ "
            r"\lim_{\beta_2\to 1}\Delta_t = \frac{\alpha\, g_t}{\sqrt{\sum_{i\le t} g_i^2}}"
            r" = \Delta_t^{\mathrm{AdaGrad}}"
        ),
        source="K&B §5",
        assumptions=(
            r"\sum_{i \le t} g_i^2 > 0",
            r"\text{AdaGrad: accumulator from } 0,\ \epsilon = 0",
        ),
        prove=adagrad_step,
        rule=_adam_sqrt,
        scope=Scope.GENERAL,
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
            "alpha/sqrt(t+1)",
        ),
        survives={
            **untouched("the moments and the step δ", "x+delta"),
            "move-eps": "ε = 0 in the claim",
        },
    ),
    Claim(
        name="limits.uncorrected_diverges",
        statement=(
            r"\text{no bias correction: } \lim_{\beta_2\to 1} v_t = 0,\ "
            r"\lim_{\beta_2\to 1}\Delta_t = +\infty\ (g_t > 0)"
        ),
        source="K&B §5 ('without bias correction ... the updates would blow up')",
        assumptions=(r"\beta_1 = 0,\ \epsilon = 0,\ \alpha_t = \alpha/\sqrt{t}", r"g_t > 0"),
        prove=no_bias_correction_diverges,
        rule=_adam_sqrt_no_bc,
        scope=Scope.GENERAL,
        basis=Basis.PAPER,
        detects=(
            "swap-betas",
            "1-beta2->1-beta1",
            "g^2->|g|",
            "step*2",
            "oscillating-step",
            "forget-v",
            "drop-sqrt",
            "alpha/sqrt(t+1)",
        ),
        survives={
            **untouched("the moments and the step δ", "x+delta"),
            "move-eps": "ε = 0 in the claim",
        },
    ),
    Claim(
        name="limits.adamax_lp_unrolled",
        statement=(
            r"v_t = \beta_2^p v_{t-1} + (1-\beta_2^p)|g_t|^p \implies "
            r"v_t = (1-\beta_2^p)\sum_{i=1}^{t}\beta_2^{p(t-i)}|g_i|^p"
        ),
        source="K&B §7.1, eqs (6)–(7)",
        assumptions=(r"v_0 = 0", r"p \ge 1"),
        prove=adamax_lp_unrolled,
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
        name="limits.adamax_lp_limit",
        statement=(r"\lim_{p\to\infty} v_t^{1/p} = \max_{i\le t} \beta_2^{t-i}|g_i|"),
        source="K&B §7.1, eqs (8)–(11)",
        assumptions=(
            r"t \text{ fixed},\ |g_i| > 0",
            r"\beta_2 \in (0, 1)",
            r"p \to \infty \text{ through the integers}",
        ),
        prove=adamax_lp_limit,
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
        name="limits.adamax_recurrence",
        statement=(
            r"u_t = \max_{i\le t}\beta_2^{t-i}|g_i| \iff "
            r"u_t = \max(\beta_2 u_{t-1}, |g_t|),\ u_0 = 0"
        ),
        source="K&B §7.1, eqs (11)–(12) and Algorithm 2",
        assumptions=(r"\beta_2 \ge 0",),
        prove=adamax_recurrence,
        rule=_adamax,
        scope=Scope.GENERAL,
        basis=Basis.PAPER,
        detects=(
            "swap-betas",
            "max->current",
            "max->min",
        ),
        survives={
            **untouched(
                "the update of u", "drop-bias-correction", "step*2", "oscillating-step", "x+delta"
            )
        },
    ),
    Claim(
        name="limits.adamax_step_alpha",
        statement=r"\text{AdaMax: } |\Delta_t| \le \alpha",
        source="K&B §7.1 ('the magnitude of parameter updates has a simpler bound ... |Δt| ≤ α')",
        assumptions=(r"\beta_1 = 0.9,\ \beta_2 = 0.999",),
        prove=adamax_step_alpha,
        rule=_adamax,
        expected=Verdict.REFUTED,
        note="g = (β2, β2²) gives (Δ_2/α)² > 1 at t = 2: the true bound is 111/110 α",
        scope=Scope.GENERAL,
        basis=Basis.PAPER,
    ),
    Claim(
        name="limits.adamax_step_bound",
        statement=(
            r"\text{AdaMax: } |\Delta_t| \le \alpha\,\frac{(1-\beta_1)(1-r^t)}{(1-r)(1-\beta_1^t)}"
            r" \le \alpha\,\frac{1-\beta_1}{1-r},\ r = \beta_1/\beta_2,"
            r"\ \text{attained by } g_i = \beta_2^{i-t}"
        ),
        source="observation, replacing K&B §7.1's |Δ_t| ≤ α",
        assumptions=(r"0 < \beta_1 < \beta_2 < 1", r"u_t > 0"),
        prove=adamax_step_bound,
        rule=_adamax,
        scope=Scope.GENERAL,
        basis=Basis.OBSERVATION,
        detects=(
            "drop-bias-correction",
            "swap-betas",
            "max->current",
            "step*2",
            "oscillating-step",
            "max->min",
        ),
        survives={**untouched("the moments and the step δ", "x+delta")},
    ),
    Claim(
        name="limits.adamax_bound_defaults",
        statement=(
            r"\beta_1 = 0.9,\ \beta_2 = 0.999:\ "
            r"\frac{1-\beta_1}{1-\beta_1/\beta_2} = \frac{111}{110}"
        ),
        source="observation (K&B §7.1 at the defaults)",
        assumptions=(r"\text{the rule's defaults}",),
        prove=adamax_bound_defaults,
        rule=_adamax,
        scope=Scope.INSTANCE,
        basis=Basis.OBSERVATION,
        detects=(
            "drop-bias-correction",
            "swap-betas",
            "max->current",
            "step*2",
            "oscillating-step",
            "max->min",
        ),
        survives={**untouched("the moments and the step δ", "x+delta")},
    ),
)

#: derived views of the declarations (claim -> mutations it detects; claim ->
#: {mutation: why it survives}), for the notebooks' tables
DETECTS = detects_table(CLAIMS)
HOLDS = survives_table(CLAIMS)
