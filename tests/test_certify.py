"""The certificate helpers of proofs/certify.py and proofs/reading.py on small cases whose
answer is known: each proves what is true and refutes (with exact values) or leaves
undecided what is false -- never the other way round.
"""

from __future__ import annotations

import pytest
import sympy as sp

from octk.rules import rule
from proofs import certify
from proofs.claim import NotApplicable, Verdict
from proofs.reading import assigned, exact, first_exceeding, in_terms_of, run_exact

x = sp.Symbol("x", real=True)
y = sp.Symbol("y", real=True)
n = sp.Symbol("n", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)
beta = sp.Symbol("beta", positive=True)
s = sp.Symbol("s", positive=True)
g = sp.Function("g", real=True)


def rational_values(outcome) -> bool:
    return all(isinstance(v, sp.Rational) for v in outcome.counterexample.values())


# ----------------------------------------------------------------------------- identities
def test_identity_refutes_sin_is_cos_with_an_exact_point():
    out = certify.identity(sp.sin(x), sp.cos(x))
    assert out.refuted and rational_values(out)
    at = sp.Rational(out.counterexample["x"])
    assert sp.sin(at) - sp.cos(at) != 0


def test_identity_does_not_combine_square_roots_of_negative_numbers():
    # √x·√y = √(xy) is false for x, y < 0; a forced power simplification would "prove" it
    out = certify.identity(sp.sqrt(x) * sp.sqrt(y), sp.sqrt(x * y))
    assert out.verdict is not Verdict.PROVED
    assert certify.reduce_to_zero(sp.sqrt(x) * sp.sqrt(y) - sp.sqrt(x * y)) is False


def test_identity_with_positive_subexpressions():
    b = sp.Symbol("b", nonnegative=True)
    t = sp.Symbol("t", integer=True, positive=True)
    lhs = sp.sqrt(x**2 / (1 - b**t))
    rhs = sp.Abs(x) / sp.sqrt(1 - b**t)
    assert certify.identity(lhs, rhs, positive=(1 - b**t,)).proved


def test_clearly_nonzero_is_only_a_shortcut():
    assert certify.clearly_nonzero(sp.sin(x) - sp.cos(x))
    assert not certify.clearly_nonzero(sp.sin(x) ** 2 + sp.cos(x) ** 2 - 1)
    assert certify.reduce_to_zero(sp.sin(x) ** 2 + sp.cos(x) ** 2 - 1)


def test_exact_nonzero_decides_radicals():
    assert certify.exact_nonzero(sp.sqrt(2) + sp.sqrt(3) - sp.sqrt(5 + 2 * sp.sqrt(6))) is False
    assert certify.exact_nonzero(sp.Rational(64, 1099) - 3 * sp.sqrt(10) / 157) is True
    assert certify.exact_nonzero(sp.Integer(0)) is False


# ----------------------------------------------------------------------------- sums
def test_sum_identity_reverses_a_summand_that_depends_on_n():
    # Σ_{k≤n} (1−β) β^(n−k) = 1 − β^n: true, although the summand depends on n
    out = certify.sum_identity(lambda i: (1 - beta) * beta ** (n - i), lambda N: 1 - beta**N, n)
    assert out.proved
    wrong = certify.sum_identity(lambda i: (1 - beta) * beta ** (n - i), lambda N: 1 - beta, n)
    assert wrong.refuted


def test_expectation_is_linear_and_refuses_non_affine_expressions():
    mu = sp.Symbol("mu")
    v = sp.Symbol("v")
    e = certify.expectation(3 * x + 2 * v + 1, {x: mu, v: 5}, random=(x, v))
    assert sp.expand(e - (3 * mu + 11)) == 0
    summed = certify.expectation(sp.Sum(beta**k * g(k) ** 2, (k, 1, n)), {g(k) ** 2: mu}, (g,))
    assert summed == sp.Sum(beta**k * mu, (k, 1, n))
    for bad in (x**2, sp.sqrt(x), x * v):  # the claim that asks for it does not apply
        with pytest.raises(NotApplicable, match="not affine in the moments"):
            certify.expectation(bad, {x: mu, v: 1}, random=(x, v))


def test_as_single_sum():
    f, lo, hi = certify.as_single_sum(7 * sp.Sum(beta**k, (k, 1, n)))
    assert (lo, hi) == (1, n) and f(2) == 7 * beta**2


# ----------------------------------------------------------------------------- signs
def test_sign_on_interval_on_the_real_line_and_on_an_interval():
    assert certify.sign_on_interval(x**2 + 1, x, -sp.oo, sp.oo).proved
    out = certify.sign_on_interval(x - sp.Rational(1, 2), x, 0, 1)
    assert out.refuted and rational_values(out)
    at = out.counterexample["x"]
    assert 0 < at < 1 and at - sp.Rational(1, 2) <= 0
    assert certify.sign_on_interval(1 / (x**2 + 1), x, -sp.oo, sp.oo).proved


def test_positive_coefficients_with_a_parameter_that_may_be_zero():
    u = sp.Symbol("u", nonnegative=True)
    c = sp.Symbol("c", positive=True)
    # c − c/(1+u) = c u/(1+u) ≥ 0 for u ≥ 0, but not > 0 (u = 0)
    assert certify.positive_coefficients(c - c / (1 + u), {}).proved
    assert not certify.positive_coefficients(c - c / (1 + u), {}, strict=True).proved
    # a fraction whose numerator and denominator are both negative is positive
    assert certify.positive_coefficients(-1 / (-1 - s), {}, strict=True).proved


def test_nonnegative_terms():
    assert certify.nonnegative_terms((x - g(k)) ** 2).proved
    assert certify.nonnegative_terms(beta ** (n - k) * sp.Abs(g(k))).proved
    assert not certify.nonnegative_terms(x).proved


def test_power_at_least():
    b = sp.Symbol("b", positive=True)
    assert certify.power_at_least(2 - b, b, n, {b: s / (1 + s)}).proved  # b ∈ (0, 1)
    out = certify.power_at_least(b, 2 - b, n, {b: s / (1 + s)})
    assert out.verdict is not Verdict.PROVED


def test_nondecreasing_by_increments():
    f = lambda N: N**2  # noqa: E731
    assert certify.nondecreasing(f, 2 * n + 1, certify.proved("sign", "2n + 1 > 0"), n).proved
    bad = certify.nondecreasing(f, 2 * n, certify.proved("sign", "2n ≥ 0"), n)
    assert bad.refuted  # the increment is 2n + 1, not 2n


def test_max_induction_proves_adamax_and_refutes_its_mutation():
    u = rule("adamax").assignments(guarded=False)["u"]
    usym = sp.Symbol("u", real=True)
    gsym = sp.Symbol("g", real=True)
    b2 = sp.Symbol("beta2", real=True, nonnegative=True)

    def term(i, N):
        return b2 ** (N - i) * sp.Abs(g(i))

    def rec(prev, N):
        return u.xreplace({usym: prev, gsym: g(N)})

    assert certify.max_induction(term, rec, n, initial=0, sequence=g).proved
    out = certify.max_induction(term, lambda prev, N: sp.Abs(g(N)), n, initial=0, sequence=g)
    assert out.refuted and rational_values(out)
    assert out.counterexample["n"] >= 2


def test_limit_shows_the_failed_comparison():
    out = certify.limit(1 / x, x, sp.oo, 1)
    assert out.refuted
    assert any(isinstance(st.math, sp.Equality) and st.math.rhs == 1 for st in out.steps)


# ----------------------------------------------------------------------------- exact runs
def test_run_exact_is_exact_and_matches_the_recurrence():
    adam = rule("adam")
    rows = run_exact(adam, [1, 2, -1], adam.defaults, targets=("m", "v", "vhat"))
    assert all(isinstance(v, sp.Rational) for r in rows for v in r.values())
    b1, b2 = exact(0.9), exact(0.999)
    m = v = sp.Integer(0)
    for gg, row in zip([1, 2, -1], rows, strict=True):
        m, v = b1 * m + (1 - b1) * gg, b2 * v + (1 - b2) * gg**2
        assert row["m"] == m and row["v"] == v
    assert exact(0.999) == sp.Rational(999, 1000) and exact(3) == 3


def test_first_exceeding_and_in_terms_of():
    adam = rule("adam")
    q = (assigned(adam, "delta", eps=0) / sp.Symbol("alpha", nonnegative=True, real=True)) ** 2
    hit = first_exceeding(adam, [1, 1, 1], {**adam.defaults, "eps": 0}, q, sp.Rational(1, 2))
    assert hit == (1, 1)  # Δ_1 = α sign(g_1) for any g_1 ≠ 0
    d = in_terms_of(adam, "delta", keep=["vhat"])
    assert sp.Symbol("vhat", real=True) in d.free_symbols
