r"""K&B §2.1: the effective step Δ_t = α m̂_t/√v̂_t (ε = 0) and its bounds.

The paper's §2.1 is a heuristic: "|Δ_t| ≤ α(1−β1)/√(1−β2) in the case
(1−β1) > √(1−β2), and |Δ_t| ≤ α otherwise", the first case arising "only" for a
gradient that was zero at every earlier step. What holds, checked on the rule's own
expressions (:mod:`proofs.reading`):

* the **single spike** (g_i = 0 for i < t, g_t ≠ 0): |Δ_t| = α R_t exactly, with
  R_t = (1−β1)√(1−β2^t)/((1−β1^t)√(1−β2)) → (1−β1)/√(1−β2) as t → ∞; the paper's case
  split holds for every t (R_t ≤ (1−β1)/√(1−β2) when (1−β1) > √(1−β2), R_t ≤ 1
  otherwise, with R_1 = 1), proved with the power-mean inequality
  β1^t + (2−β1)^t ≥ 2 by non-negative increments;
* **scale invariance**: g → c·g (c > 0) scales m by c and v by c², so the step with
  ε equals the step on g with ε/c; with ε = 0 it is unchanged;
* a rigorous bound by **Cauchy–Schwarz** (observation, β1² < β2):
  |m_t|/√v_t ≤ (1−β1)/(√(1−β2)√(1−β1²/β2)), times √(1−β2^t)/(1−β1^t) with bias
  correction; the bound is attained by g_i = (β1/β2)^(t−i) and is √(370/7) ≈ 7.27 at
  the defaults;
* hence the paper's bounds fail for some gradient sequences: exact counterexamples,
  found by running the rule on rationals (|Δ_2| > α at the defaults; |Δ_210| > 3.16α,
  the paper's first-case bound; and |m̂_2/√v̂_2| > 1 in the paper's equality case).
"""

from __future__ import annotations

import sympy as sp

from octk.rules.adaptive import alpha, beta1, beta2, eps
from octk.rules.rule import Rule
from octk.symbols import g, t
from proofs.bias_correction import M_unrolled, V_unrolled, k, m_unrolled, n, v_unrolled
from proofs.certify import (
    combine_sums,
    expectation,
    identity,
    limit,
    nondecreasing,
    nonnegative_terms,
    positive_coefficients,
    power_at_least,
    reduce_to_zero,
    sum_identity,
)
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
    paper_rule,
    proved,
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
    initial,
    state_space,
    state_symbol,
    update,
)

# positive versions of the decay rates (the rule's are non-negative: β ∈ [0, 1))
b1 = sp.Symbol("beta1", positive=True)
b2 = sp.Symbol("beta2", positive=True)
POSITIVE_BETAS = {beta1: b1, beta2: b2}
s = sp.Symbol("s", positive=True)  # β1 = s/(1+s) ∈ (0, 1)
u = sp.Symbol("u", positive=True)
u0 = sp.Symbol("u", nonnegative=True)
gp = sp.Symbol("g", positive=True)
c = sp.Symbol("c", positive=True)  # the scale factor of the gradients
lam = sp.Symbol("lambda", real=True)
gamma = b1**2 / b2

#: β1 = s/(1+s) and the threshold β2 = c(β1) = β1(2 − β1), i.e. (1−β1)² = 1 − β2
BETA1 = {b1: s / (1 + s)}
THRESHOLD = b1 * (2 - b1)


def ratio(tt: sp.Basic = t) -> sp.Expr:
    r"""R_t = (1−β1)√(1−β2^t)/((1−β1^t)√(1−β2)), the single-spike |Δ_t|/α."""
    return (1 - b1) * sp.sqrt(1 - b2**tt) / ((1 - b1**tt) * sp.sqrt(1 - b2))


def _positive_parts():
    return (1 - b1**t, 1 - b2**t, 1 - b1, 1 - b2, 1 - beta1**t, 1 - beta2**t, 1 - beta1, 1 - beta2)


# ----------------------------------------------------------------------------- spike


def zero_history(rule: Rule) -> Outcome:
    """Zero gradients keep m and v at their initial value 0 (so the spike state is reachable)."""
    parts = []
    for name in ("m", "v"):
        init = initial(rule, name)
        step = update(rule, name)
        parts.append(identity(init, 0, what=f"{name}_0 = 0"))
        parts.append(identity(step(0, 0, t), 0, what=f"{name}_t = 0 after a zero gradient"))
    return all_of(*parts)


def spike_delta(rule: Rule) -> sp.Expr:
    """The rule's Δ_t with m_{t−1} = v_{t−1} = 0 and ε = 0, in positive β's."""
    d = assigned(rule, "delta", m=0, v=0, eps=0)
    return d.xreplace(POSITIVE_BETAS)


def spike_exact(rule: Rule) -> Outcome:
    r"""Single spike: Δ_t = α sign(g_t) R_t exactly."""
    d = spike_delta(rule)
    pos = identity(
        d.xreplace({g: gp}),
        alpha * ratio(),
        what="g_t > 0: Δ_t = α R_t",
        positive=_positive_parts(),
    )
    odd = identity(
        d.xreplace({g: -gp}), -d.xreplace({g: gp}), what="Δ_t is odd in g_t: Δ_t(−g) = −Δ_t(g)"
    )
    return all_of(zero_history(rule), pos, odd).with_steps(
        Step("the rule's Δ_t at m_{t−1} = v_{t−1} = 0, ε = 0", sp.Eq(sp.Symbol(r"\Delta_t"), d)),
        Step(
            "so |Δ_t| = α R_t",
            sp.Eq(sp.Symbol(r"|\Delta_t|"), alpha * ratio(), evaluate=False),
        ),
    )


def spike_limit(rule: Rule) -> Outcome:
    r"""R_t → (1−β1)/√(1−β2) as t → ∞ (β1, β2 ∈ (0, 1))."""
    p, q = sp.symbols("p q", positive=True)
    expr = ratio().xreplace({b1: 1 / (1 + p), b2: 1 / (1 + q)})
    target = ((1 - b1) / sp.sqrt(1 - b2)).xreplace({b1: 1 / (1 + p), b2: 1 / (1 + q)})
    lim = limit(expr, t, sp.oo, target, what="lim_{t→∞} R_t (β1 = 1/(1+p), β2 = 1/(1+q))")
    return all_of(spike_exact(rule), lim)


def power_mean_lemma() -> Outcome:
    r"""β1^t + (2−β1)^t ≥ 2 for every t ≥ 1, β1 ∈ (0, 1): f(t) = β1^t + (2−β1)^t − 2 has
    f(1) = 0 and increments (1−β1)((2−β1)^t − β1^t) ≥ 0."""
    f = lambda N: b1**N + (2 - b1) ** N - 2  # noqa: E731
    inc = (1 - b1) * ((2 - b1) ** t - b1**t)
    sign = all_of(
        power_at_least(2 - b1, b1, t, BETA1, what="(2−β1)^t ≥ β1^t"),
        positive_coefficients(1 - b1, BETA1, strict=True, what="1 − β1 > 0"),
    )
    out = all_of(
        identity(f(sp.Integer(1)), 0, what="f(1) = 0"),
        nondecreasing(f, inc, sign, t, what="f(t+1) − f(t) = (1−β1)((2−β1)^t − β1^t) ≥ 0"),
    )
    return out.with_steps(
        Step(
            "power-mean lemma",
            sp.GreaterThan(b1**t + (2 - b1) ** t, 2, evaluate=False),
        )
    )


def _lemma_times_power() -> Outcome:
    r"""c^t − 2β1^t + β1^(2t) = β1^t (β1^t + (2−β1)^t − 2) ≥ 0, c = β1(2−β1)."""
    lhs = (b1 * (2 - b1)) ** t - 2 * b1**t + b1 ** (2 * t)
    rhs = b1**t * (b1**t + (2 - b1) ** t - 2)
    return all_of(
        identity(
            lhs.xreplace(BETA1),
            rhs.xreplace(BETA1),
            what="c^t − 2β1^t + β1^(2t) = β1^t(β1^t + (2−β1)^t − 2)",
        ),
        power_mean_lemma(),
    )


def spike_case1(rule: Rule) -> Outcome:
    r"""(1−β1) > √(1−β2): the single-spike |Δ_t| ≤ α(1−β1)/√(1−β2) for every t ≥ 1."""
    c_t = b1**t * (2 - b1) ** t  # = (β1(2−β1))^t
    bound2 = (1 - b1) ** 2 / (1 - b2)
    gap = (b2**t - c_t) + (c_t - 2 * b1**t + b1 ** (2 * t))
    # β2 ∈ (c, 1): β2 = (c + u)/(1 + u), u > 0
    case = {**BETA1, b2: ((THRESHOLD + u) / (1 + u)).xreplace(BETA1)}
    key = identity(
        bound2 - ratio() ** 2,
        (1 - b1) ** 2 / ((1 - b2) * (1 - b1**t) ** 2) * gap,
        what=(
            "(bound)² − R_t² = (1−β1)²/((1−β2)(1−β1^t)²) · [(β2^t − c^t) + (c^t − 2β1^t + β1^(2t))]"
        ),
        positive=(1 - b1**t, 1 - b2**t, 1 - b1, 1 - b2),
    )
    mono = power_at_least(b2, THRESHOLD, t, case, what="β2 > c ⇒ β2^t ≥ c^t")
    front = positive_coefficients(
        (1 - b1) ** 2 / (1 - b2), case, strict=True, what="(1−β1)²/(1−β2) > 0"
    )
    return all_of(spike_exact(rule), key, mono, _lemma_times_power(), front).with_steps(
        Step(
            "case 1: (1−β1)² > 1 − β2, i.e. β2 > c = β1(2−β1)",
            sp.StrictGreaterThan(b2, THRESHOLD),
        ),
        Step(
            "claim",
            sp.LessThan(ratio(), (1 - b1) / sp.sqrt(1 - b2), evaluate=False),
        ),
    )


def spike_case2(rule: Rule) -> Outcome:
    r"""(1−β1) ≤ √(1−β2): the single-spike |Δ_t| ≤ α for every t ≥ 1, with equality at t = 1."""
    x = sp.Symbol("x", positive=True)
    S = lambda base: (1 - base**t) / (1 - base)  # noqa: E731  Σ_{j<t} base^j
    c_t = b1**t * (2 - b1) ** t
    cs = THRESHOLD
    # β2 ∈ (0, c]: β2 = c/(1 + u), u ≥ 0
    case = {**BETA1, b2: (THRESHOLD / (1 + u0)).xreplace(BETA1)}
    key = identity(
        1 - ratio() ** 2,
        ((c_t - 2 * b1**t + b1 ** (2 * t)) + (1 - b1) ** 2 * (S(cs) - S(b2))).xreplace(
            {(1 - cs**t): 1 - c_t}
        )
        / (1 - b1**t) ** 2,
        what="1 − R_t² = [(c^t − 2β1^t + β1^(2t)) + (1−β1)²(S(c) − S(β2))]/(1−β1^t)²",
        positive=(1 - b1**t, 1 - b2**t, 1 - b1, 1 - b2),
    )
    geometric = sum_identity(
        lambda j: x ** (j - 1), lambda N: (1 - x**N) / (1 - x), n, what="S(x) = Σ_{j<n} x^j"
    )
    mono = power_at_least(THRESHOLD, b2, n, case, what="β2 ≤ c ⇒ c^j ≥ β2^j (j ≥ 1)")
    eq1 = identity(ratio(sp.Integer(1)), 1, what="R_1 = 1: the bound is attained at t = 1")
    return all_of(spike_exact(rule), key, geometric, mono, _lemma_times_power(), eq1).with_steps(
        Step(
            "case 2: (1−β1)² ≤ 1 − β2, i.e. β2 ≤ c = β1(2−β1)",
            sp.LessThan(b2, THRESHOLD),
        ),
        Step("claim", sp.LessThan(ratio(), 1)),
        Step(
            "S(c) − S(β2) = Σ_{j<t} (c^j − β2^j) is a sum of non-negative terms",
            sp.Eq(sp.Symbol("S(x)"), (1 - x**t) / (1 - x), evaluate=False),
        ),
    )


# ----------------------------------------------------------------------------- scale


def scale_invariance(rule: Rule) -> Outcome:
    r"""g → c·g (c > 0): m → c·m, v → c²·v, and Δ_t(c·g; ε) = Δ_t(g; ε/c)."""
    degrees = {"m": 1, "v": 2}
    parts = []
    steps = []
    scale_state = {}
    for name, d in degrees.items():
        sym = state_symbol(rule, name)
        scale_state[sym] = c**d * sym
        parts.append(
            identity(c**d * initial(rule, name), initial(rule, name), what=f"{name}_0 = 0")
        )
    for name, d in degrees.items():
        new = assigned(rule, name)
        scaled = new.xreplace({**scale_state, g: c * g})
        parts.append(
            identity(
                scaled,
                c**d * new,
                what=f"{name}_t(c·g, c^{d}·state) = c^{d}·{name}_t",
                space=state_space(rule),
            )
        )
        steps.append(Step(f"{name} scales by c^{d}", sp.Eq(scaled, c**d * new, evaluate=False)))
    delta = assigned(rule, "delta")
    lhs = delta.xreplace({**scale_state, g: c * g})
    rhs = delta.xreplace({eps: eps / c})
    parts.append(
        identity(
            lhs,
            rhs,
            what="Δ_t(c·g; ε) = Δ_t(g; ε/c)",
            positive=(
                1 - beta1**t,
                1 - beta2**t,
                assigned(rule, "v"),
                c**2 * assigned(rule, "v"),
            ),
            space=state_space(rule),
        )
    )
    parts.append(
        identity(
            lhs.xreplace({eps: 0}),
            delta.xreplace({eps: 0}),
            what="ε = 0: Δ_t(c·g) = Δ_t(g)",
            positive=(1 - beta1**t, 1 - beta2**t, assigned(rule, "v")),
            space=state_space(rule),
        )
    )
    steps.append(
        Step(
            "induction on t: the state of the run on c·g is (c·m, c²·v); the step then is",
            sp.Eq(lhs, rhs, evaluate=False),
        )
    )
    return all_of(*parts).with_steps(*steps)


# ----------------------------------------------------------------------------- Cauchy–Schwarz


def cs_bound(tt: sp.Basic = t) -> sp.Expr:
    r"""The bias-corrected Cauchy–Schwarz bound of |m̂_t|/√v̂_t (all t): the t → ∞ form of the
    geometric factor."""
    return (1 - b1) * sp.sqrt(1 - b2**tt) / ((1 - b1**tt) * sp.sqrt(1 - b2) * sp.sqrt(1 - gamma))


def cs_limit_value() -> sp.Expr:
    r"""(1−β1)/(√(1−β2)√(1−β1²/β2)), the bound without the bias-correction factor."""
    return (1 - b1) / (sp.sqrt(1 - b2) * sp.sqrt(1 - gamma))


def _A(N):
    return (1 - gamma**N) / (1 - gamma)


def cauchy_schwarz(rule: Rule) -> Outcome:
    r"""|m̂_t|/√v̂_t ≤ (1−β1)√(1−β2^t)/((1−β1^t)√(1−β2)√(1−β1²/β2)) when β1² < β2."""
    a = lambda i: b1 ** (n - i) * b2 ** (-(n - i) / sp.Integer(2))  # noqa: E731
    b = lambda i: b2 ** ((n - i) / sp.Integer(2)) * grad(i)  # noqa: E731
    A = sp.Sum(a(k) ** 2, (k, 1, n))
    B = sp.Sum(b(k) ** 2, (k, 1, n))
    C = sp.Sum(a(k) * b(k), (k, 1, n))
    Av, Bv, Cv = sp.symbols("A B C", positive=True)
    parts = [
        m_unrolled(rule),
        v_unrolled(rule),
        identity(a(k) * b(k), b1 ** (n - k) * grad(k), what="a_k b_k = β1^(n−k) g_k"),
        identity(b(k) ** 2, b2 ** (n - k) * grad(k) ** 2, what="b_k² = β2^(n−k) g_k²"),
        identity(a(k) ** 2, gamma ** (n - k), what="a_k² = γ^(n−k), γ = β1²/β2"),
    ]
    quad = combine_sums(
        sp.Sum((lam * a(k) - b(k)) ** 2, (k, 1, n)) - (lam**2 * A - 2 * lam * C + B)
    )
    parts.append(
        proved("identity", "Σ(λa_k − b_k)² = λ²A − 2λC + B")
        if reduce_to_zero(quad)
        else undecided("identity", f"the quadratic in λ did not reduce: {quad}")
    )
    parts.append(nonnegative_terms((lam * a(k) - b(k)) ** 2, what="(λa_k − b_k)² ≥ 0"))
    g_ = sp.Symbol("gamma", positive=True)
    parts.append(
        sum_identity(
            lambda i: g_ ** (n - i), lambda N: (1 - g_**N) / (1 - g_), n, what="A = (1−γ^n)/(1−γ)"
        )
    )
    parts.append(
        identity(
            (Cv / Av) ** 2 * Av - 2 * (Cv / Av) * Cv + Bv,
            Bv - Cv**2 / Av,
            what="λ = C/A: 0 ≤ λ²A − 2λC + B = B − C²/A, so C² ≤ A B",
        )
    )
    # m_n = (1−β1) C and v_n = (1−β2) B: so m_n² ≤ (1−β1)² A B = (1−β1)²/(1−β2) · A · v_n
    m_n, v_n = M_unrolled(n).xreplace(POSITIVE_BETAS), V_unrolled(n).xreplace(POSITIVE_BETAS)
    parts.append(
        identity(
            combine_sums(m_n - (1 - b1) * C),
            0,
            what="m_n = (1−β1) C",
        )
    )
    parts.append(identity(combine_sums(v_n - (1 - b2) * B), 0, what="v_n = (1−β2) B"))
    gs = sp.Symbol("sigma", positive=True)  # γ = sigma/(1+sigma) < 1
    parts.append(
        all_of(
            identity(1 / (1 - g_) - (1 - g_**n) / (1 - g_), g_**n / (1 - g_), what="1/(1−γ) − A"),
            nonnegative_terms(g_**n / (1 - g_), {g_: gs / (1 + gs)}, what="γ^n/(1−γ) ≥ 0 (γ < 1)"),
        )
    )
    # bias correction and the step, from the rule
    mhat, vhat = assigned(rule, "mhat"), assigned(rule, "vhat")
    m_new, v_new = assigned(rule, "m"), assigned(rule, "v")
    parts.append(
        identity(
            mhat**2 / vhat,
            m_new**2 / v_new * (1 - beta2**t) / (1 - beta1**t) ** 2,
            what="m̂_t²/v̂_t = (m_t²/v_t)(1−β2^t)/(1−β1^t)²",
            positive=(1 - beta1**t, 1 - beta2**t),
            space=state_space(rule),
        )
    )
    parts.append(
        identity(
            assigned(rule, "delta", eps=0),
            alpha * mhat / sp.sqrt(vhat),
            what="ε = 0: Δ_t = α m̂_t/√v̂_t",
            positive=(1 - beta1**t, 1 - beta2**t, v_new),
            space=state_space(rule),
        )
    )
    steps = (
        Step(
            "write β1^(n−k) g_k = a_k b_k with a_k = β1^(n−k) β2^(−(n−k)/2), "
            "b_k = β2^((n−k)/2) g_k",
            sp.Eq(sp.Symbol("m_n"), (1 - b1) * C, evaluate=False),
        ),
        Step(
            "Cauchy–Schwarz, as a sum of squares: for every real λ",
            sp.GreaterThan(sp.Sum((lam * a(k) - b(k)) ** 2, (k, 1, n)), 0, evaluate=False),
        ),
        Step(
            "with λ = C/A: C² ≤ A·B, i.e.",
            sp.LessThan(
                sp.Symbol("m_n") ** 2,
                (1 - b1) ** 2 / (1 - b2) * _A(n) * sp.Symbol("v_n"),
                evaluate=False,
            ),
        ),
        Step(
            "A ≤ 1/(1−γ), and the bias correction multiplies by √(1−β2^t)/(1−β1^t)",
            sp.LessThan(
                sp.Abs(sp.Symbol(r"\hat m_t")) / sp.sqrt(sp.Symbol(r"\hat v_t")),
                cs_bound(),
                evaluate=False,
            ),
        ),
    )
    return all_of(*parts).with_steps(*steps)


def cauchy_schwarz_tight(rule: Rule) -> Outcome:
    r"""Equality: g_k = (β1/β2)^(t−k) gives m_t = (1−β1)A_t, v_t = (1−β2)A_t, so
    m_t²/v_t = (1−β1)² A_t/(1−β2), A_t = (1−γ^t)/(1−γ)."""
    seq = {grad(k): (b1 / b2) ** (n - k)}
    m_n = expectation(M_unrolled(n).xreplace(POSITIVE_BETAS), seq, random=(grad,))
    v_n = expectation(
        V_unrolled(n).xreplace(POSITIVE_BETAS), {grad(k) ** 2: (b1 / b2) ** (2 * (n - k))}, (grad,)
    )
    from proofs.certify import as_single_sum

    fm, _, _ = as_single_sum(m_n)
    fv, _, _ = as_single_sum(v_n)
    parts = [
        m_unrolled(rule),
        v_unrolled(rule),
        sum_identity(fm, lambda N: (1 - b1) * _A(N), n, what="m_n = (1−β1) A_n"),
        sum_identity(fv, lambda N: (1 - b2) * _A(N), n, what="v_n = (1−β2) A_n"),
        identity(
            ((1 - b1) * _A(n)) ** 2 / ((1 - b2) * _A(n)),
            (1 - b1) ** 2 / (1 - b2) * _A(n),
            what="m_n²/v_n = (1−β1)² A_n/(1−β2): equality in Cauchy–Schwarz",
        ),
    ]
    return all_of(*parts).with_steps(
        Step("the equality case of Cauchy–Schwarz, b_k ∝ a_k", sp.Eq(grad(k), (b1 / b2) ** (n - k)))
    )


def _defaults(rule: Rule) -> dict:
    d = rule.defaults
    return {b1: exact(d["beta1"]), b2: exact(d["beta2"])}


def cs_value_defaults(rule: Rule) -> Outcome:
    r"""At the rule's default β1, β2 the bound is √(370/7) ≈ 7.27, and the bias-corrected
    bound tends to it as t → ∞."""
    at = _defaults(rule)
    value = cs_limit_value().xreplace(at)
    exact = identity(value, sp.sqrt(sp.Rational(370, 7)), what="bound at the defaults = √(370/7)")
    lim = limit(cs_bound().xreplace(at), t, sp.oo, value, what="bias-corrected bound as t → ∞")
    approx = sp.N(value, 6)
    return all_of(cauchy_schwarz(rule), exact, lim).with_steps(
        Step(
            f"at β1 = {at[b1]}, β2 = {at[b2]}: (1−β1)/(√(1−β2)√(1−β1²/β2)) ≈ {approx}",
            sp.Eq(cs_limit_value(), value, evaluate=False),
        )
    )


# ----------------------------------------------------------------------------- counterexamples


def _first_violation(
    rule: Rule,
    params: dict,
    sequence,
    bound2: sp.Basic,
    t_max: int,
    what: str,
    seq_text: sp.Basic,
    quantity: str = "delta",
) -> Outcome:
    """Run the rule exactly on g_k = sequence(k) (ε = 0) and return the first t with
    (Δ_t/α)² > bound2 (``quantity='delta'``, the rule's step) or (m̂_t/√v̂_t)² > bound2
    (``quantity='ratio'``), as an exact counterexample; undecided if none by t_max.

    By scale invariance (proved in step.scale_invariance) a prefix g_1..g_t of
    (β2/β1)^k has the same step as (β1/β2)^(t−k), the equality case of Cauchy–Schwarz
    for horizon t, so one run checks every horizon.
    """
    p = {**params, "eps": 0}
    a = exact(p["alpha"])
    if quantity == "delta":
        # the rule's step with ε = 0, squared: rational (√v̂ squared is v̂)
        expr = (assigned(rule, "delta", eps=0) / alpha) ** 2
        shown = (sp.Symbol(r"\Delta_t") / alpha) ** 2
        label = "(Δ_t/α)²"
    else:
        expr = assigned(rule, "mhat") ** 2 / assigned(rule, "vhat")
        shown = sp.Symbol(r"\hat m_t") ** 2 / sp.Symbol(r"\hat v_t")
        label = "m̂_t²/v̂_t"
    gens = (sequence(j) for j in range(1, t_max + 1))
    hit = first_exceeding(rule, gens, p, expr.xreplace({alpha: a}), bound2)
    if hit is not None:
        step, val = hit
        ce = {name: exact(v) for name, v in p.items()}
        ce["t"] = sp.Integer(step)
        ce["g_k"] = seq_text
        return refuted(
            "counterexample (exact run)",
            f"{what}: at t = {step}, {label} = {sp.N(val, 8)} > {sp.N(bound2, 8)}",
            ce,
            (
                Step(
                    f"the rule run exactly on g_k = {seq_text} (k = 1..{step})",
                    sp.StrictGreaterThan(shown, bound2, evaluate=False),
                ),
                Step(f"exact value at t = {step}", sp.Eq(shown, val, evaluate=False)),
            ),
        )
    return undecided("counterexample search", f"no violation up to t = {t_max}")


def _kb_defaults(rule: Rule) -> dict:
    return {k_: exact(v) for k_, v in rule.defaults.items() if k_ in ("beta1", "beta2")}


def at_most_alpha(rule: Rule) -> Outcome:
    r"""'|Δ_t| ≤ α' for every gradient sequence, at the rule's defaults (ε = 0)."""
    p = {**rule.defaults, **_kb_defaults(rule)}
    r = exact(p["beta2"]) / exact(p["beta1"])
    kk = sp.Symbol("k", integer=True, positive=True)
    return _first_violation(
        rule, p, lambda j: r**j, sp.Integer(1), 50, "|Δ_t| > α", r**kk
    ).with_steps(Step("claim", sp.LessThan(sp.Abs(sp.Symbol(r"\Delta_t")), alpha)))


def paper_bound(rule: Rule) -> Outcome:
    r"""'|Δ_t| ≤ α max(1, (1−β1)/√(1−β2))' for every gradient sequence, at the defaults."""
    p = {**rule.defaults, **_kb_defaults(rule)}
    bb1, bb2 = exact(p["beta1"]), exact(p["beta2"])
    bound2 = sp.Max(1, (1 - bb1) ** 2 / (1 - bb2))
    kk = sp.Symbol("k", integer=True, positive=True)
    return _first_violation(
        rule, p, lambda j: (bb2 / bb1) ** j, bound2, 240, "|Δ_t| > paper's bound", (bb2 / bb1) ** kk
    ).with_steps(
        Step(
            "claim (K&B §2.1)",
            sp.LessThan(
                sp.Abs(sp.Symbol(r"\Delta_t")),
                alpha * sp.Max(1, (1 - b1) / sp.sqrt(1 - b2)),
                evaluate=False,
            ),
        )
    )


def equality_case(rule: Rule) -> Outcome:
    r"""'(1−β1) = √(1−β2) ⇒ |m̂_t/√v̂_t| < 1', at β1 = 1/2, β2 = 3/4 (ε = 0)."""
    p = {**rule.defaults, "beta1": sp.Rational(1, 2), "beta2": sp.Rational(3, 4)}
    kk = sp.Symbol("k", integer=True, positive=True)
    r = sp.Rational(3, 2)  # β2/β1
    mh1 = assigned(rule, "mhat", m=0, t=1, eps=0)
    vh1 = assigned(rule, "vhat", v=0, t=1, eps=0)
    t1 = identity(
        (mh1**2 / vh1).xreplace({g: gp}),
        1,
        what="t = 1: (m̂_1/√v̂_1)² = 1 for every g_1 ≠ 0",
        positive=(1 - beta1, 1 - beta2),
    )
    out = _first_violation(
        rule, p, lambda j: r**j, sp.Integer(1), 20, "|m̂_t/√v̂_t| > 1", r**kk, quantity="ratio"
    )
    return out.with_steps(
        Step(
            "the paper's equality case (1−β1) = √(1−β2): β1 = 1/2, β2 = 3/4",
            sp.Eq(1 - sp.Rational(1, 2), sp.sqrt(1 - sp.Rational(3, 4))),
        ),
        *t1.steps,
    )


_adam = paper_rule("adam")

_EPS0 = r"\epsilon = 0"
_BETAS = r"\beta_1, \beta_2 \in (0, 1)"
_FROM_ZERO = r"m_0 = v_0 = 0"
_DEFAULTS = r"\beta_1 = 0.9,\ \beta_2 = 0.999"
#: the single spike: ε = 0, g_i = 0 for i < t, g_t ≠ 0
_SPIKE = (_EPS0, r"g_i = 0 \text{ for } i < t,\ g_t \neq 0", _BETAS)
#: the mutations that change the single spike's step
_SPIKE_MUTATIONS = ("drop-bias-correction", "swap-betas", "step*2")

CLAIMS = (
    Claim(
        name="step.spike_exact",
        statement=(
            r"|\Delta_t| = \alpha\,\frac{(1-\beta_1)\sqrt{1-\beta_2^t}}"
            r"{(1-\beta_1^t)\sqrt{1-\beta_2}} =: \alpha R_t"
        ),
        source="K&B §2.1 (the 'most severe case of sparsity')",
        assumptions=_SPIKE,
        prove=spike_exact,
        rule=_adam,
        scope=Scope.GENERAL,
        basis=Basis.OBSERVATION,
        detects=(
            "drop-bias-correction",
            "drop-bias-correction-v",
            "swap-betas",
            "1-beta2->1-beta1",
            "g^2->|g|",
            "step*2",
            "oscillating-step",
            "drop-sqrt",
        ),
        survives={
            **untouched("the moments and the step δ", "x+delta"),
            "move-eps": "ε = 0 in the claim",
            "forget-v": (
                "after zero gradients v_{t−1} = 0, and 0/2 = 0: the spike's v_t is unchanged"
            ),
        },
    ),
    Claim(
        name="step.spike_limit",
        statement=r"\lim_{t\to\infty} R_t = \frac{1-\beta_1}{\sqrt{1-\beta_2}}",
        source="K&B §2.1, first bound",
        assumptions=_SPIKE,
        prove=spike_limit,
        rule=_adam,
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
            "drop-sqrt",
        ),
        survives={
            **untouched("the moments and the step δ", "x+delta"),
            "move-eps": "ε = 0 in the claim",
            "forget-v": (
                "after zero gradients v_{t−1} = 0, and 0/2 = 0: the spike's v_t is unchanged"
            ),
        },
    ),
    Claim(
        name="step.spike_case1",
        statement=(
            r"(1-\beta_1) > \sqrt{1-\beta_2} \implies |\Delta_t| \le "
            r"\alpha\,\frac{1-\beta_1}{\sqrt{1-\beta_2}}\ \ \forall t \ge 1"
        ),
        source="K&B §2.1, first bound (single spike)",
        assumptions=_SPIKE,
        prove=spike_case1,
        rule=_adam,
        note="proved for every t through the power-mean lemma β1^t + (2−β1)^t ≥ 2",
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
            "drop-sqrt",
        ),
        survives={
            **untouched("the moments and the step δ", "x+delta"),
            "move-eps": "ε = 0 in the claim",
            "forget-v": (
                "after zero gradients v_{t−1} = 0, and 0/2 = 0: the spike's v_t is unchanged"
            ),
        },
    ),
    Claim(
        name="step.spike_case2",
        statement=(
            r"(1-\beta_1) \le \sqrt{1-\beta_2} \implies |\Delta_t| \le \alpha\ \ \forall t \ge 1,"
            r"\ \ |\Delta_1| = \alpha"
        ),
        source="K&B §2.1, second bound (single spike)",
        assumptions=_SPIKE,
        prove=spike_case2,
        rule=_adam,
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
            "drop-sqrt",
        ),
        survives={
            **untouched("the moments and the step δ", "x+delta"),
            "move-eps": "ε = 0 in the claim",
            "forget-v": (
                "after zero gradients v_{t−1} = 0, and 0/2 = 0: the spike's v_t is unchanged"
            ),
        },
    ),
    Claim(
        name="step.scale_invariance",
        statement=(
            r"g \to c\,g\ (c > 0):\ \Delta_t(c\,g;\epsilon) = \Delta_t(g;\epsilon/c),"
            r"\ \text{so with } \epsilon = 0,\ \Delta_t(c\,g) = \Delta_t(g)"
        ),
        source="K&B §2.1 ('the effective stepsize is invariant to the scale of the gradients')",
        assumptions=(r"c > 0", _FROM_ZERO),
        prove=scale_invariance,
        rule=_adam,
        tags=(ANY_RULE,),
        scope=Scope.IDENTITY,
        basis=Basis.PAPER,
        detects=(
            "move-eps",
            "g^2->|g|",
            "drop-sqrt",
        ),
        survives={
            **untouched("the moments and the step δ", "x+delta"),
            **dict.fromkeys(
                (
                    "drop-bias-correction",
                    "drop-bias-correction-v",
                    "swap-betas",
                    "1-beta2->1-beta1",
                    "step*2",
                    "oscillating-step",
                    "forget-v",
                ),
                (
                    "the mutant's m and v are still homogeneous of degree 1 and 2 in "
                    "g, so its step is still scale-invariant"
                ),
            ),
        },
    ),
    Claim(
        name="step.cauchy_schwarz",
        statement=(
            r"\frac{|\hat m_t|}{\sqrt{\hat v_t}} \le \frac{(1-\beta_1)\sqrt{1-\beta_2^t}}"
            r"{(1-\beta_1^t)\sqrt{1-\beta_2}\sqrt{1-\beta_1^2/\beta_2}}"
        ),
        source="observation (theory §3), against K&B §2.1",
        assumptions=(r"\beta_1^2 < \beta_2", _BETAS, _FROM_ZERO),
        prove=cauchy_schwarz,
        rule=_adam,
        scope=Scope.GENERAL,
        basis=Basis.OBSERVATION,
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
        survives={
            **untouched("the moments and the step δ", "x+delta"),
            "move-eps": "ε = 0 in the claim",
        },
    ),
    Claim(
        name="step.cauchy_schwarz_tight",
        statement=(
            r"g_i = (\beta_1/\beta_2)^{t-i}:\ \frac{m_t^2}{v_t} = \frac{(1-\beta_1)^2}{1-\beta_2}"
            r"\cdot\frac{1-\gamma^t}{1-\gamma},\ \gamma = \beta_1^2/\beta_2"
        ),
        source="observation (theory §3): the equality case",
        assumptions=(_BETAS, _FROM_ZERO),
        prove=cauchy_schwarz_tight,
        rule=_adam,
        scope=Scope.GENERAL,
        basis=Basis.OBSERVATION,
        detects=(
            "swap-betas",
            "1-beta2->1-beta1",
            "g^2->|g|",
            "forget-v",
        ),
        survives={
            **untouched(
                "the updates of m and v",
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
        name="step.cs_value_defaults",
        statement=(
            r"\beta_1 = 0.9,\ \beta_2 = 0.999:\ "
            r"\frac{1-\beta_1}{\sqrt{1-\beta_2}\sqrt{1-\beta_1^2/\beta_2}} = "
            r"\sqrt{370/7} \approx 7.27"
        ),
        source="observation (theory §3)",
        assumptions=(r"\text{the rule's default } \beta_1, \beta_2",),
        prove=cs_value_defaults,
        rule=_adam,
        scope=Scope.INSTANCE,
        basis=Basis.OBSERVATION,
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
        survives={
            **untouched("the moments and the step δ", "x+delta"),
            "move-eps": "ε = 0 in the claim",
        },
    ),
    Claim(
        name="step.at_most_alpha",
        statement=r"|\Delta_t| \le \alpha \text{ for every gradient sequence (defaults)}",
        source="K&B §2.1 (the bound read as universal)",
        assumptions=(_EPS0, _DEFAULTS),
        prove=at_most_alpha,
        rule=_adam,
        expected=Verdict.REFUTED,
        note="already at t = 2: g = (β1/β2, 1) gives |Δ_2| ≈ 1.0014 α",
        scope=Scope.GENERAL,
        basis=Basis.READING,
        reading=(
            "K&B §2.1 says the steps are 'approximately bounded by the stepsize setting α, "
            "i.e., |Δ_t| ⪅ α', and its own first-case bound α(1−β1)/√(1−β2) is ≈ 3.16α at the "
            "defaults. octk reads the sentence as an exact bound for every sequence: the "
            "refutation is of that reading, not of a bound the paper states "
            "(step.paper_bound and step.equality_case refute what §2.1 states)."
        ),
    ),
    Claim(
        name="step.paper_bound",
        statement=(
            r"|\Delta_t| \le \alpha\max\!\left(1, \frac{1-\beta_1}{\sqrt{1-\beta_2}}\right)"
            r"\text{ for every gradient sequence (defaults)}"
        ),
        source="K&B §2.1, both bounds",
        assumptions=(_EPS0, _DEFAULTS),
        prove=paper_bound,
        rule=_adam,
        expected=Verdict.REFUTED,
        note="the Cauchy–Schwarz equality sequence exceeds 3.16α at t = 210",
        scope=Scope.GENERAL,
        basis=Basis.PAPER,
    ),
    Claim(
        name="step.equality_case",
        statement=(
            r"(1-\beta_1) = \sqrt{1-\beta_2} \implies "
            r"\left|\hat m_t/\sqrt{\hat v_t}\right| < 1"
        ),
        source="K&B §2.1 ('When (1−β1) = √(1−β2) we have |m̂_t/√v̂_t| < 1')",
        assumptions=(_EPS0, r"\beta_1 = 1/2,\ \beta_2 = 3/4"),
        prove=equality_case,
        rule=_adam,
        expected=Verdict.REFUTED,
        note="= 1 at t = 1 for every g_1 ≠ 0, and √(28/27) > 1 at t = 2 with g = (2/3, 1)",
        scope=Scope.GENERAL,
        basis=Basis.PAPER,
    ),
)

#: derived views of the declarations (claim -> mutations it detects; claim ->
#: {mutation: why it survives}), for the notebooks' tables
DETECTS = detects_table(CLAIMS)
HOLDS = survives_table(CLAIMS)
