"""The exact deciders of proofs.decide and the rule dynamics of proofs.dynamics: they prove
what is true, refute what is false with an exact witness, and never prove a falsehood."""

from __future__ import annotations

import random

import pytest
import sympy as sp

from octk.rules import rule
from proofs import certify, mutations
from proofs.decide import (
    certified_sign,
    decide_on_interval,
    nonnegative_by_derivative,
    pull_max_factors,
    radical_terms,
    radicals_positive,
    resolve_max,
    scaling_exponents,
    sign_on_interval,
)
from proofs.dynamics import (
    bounded_state,
    gamma_monotone,
    gamma_search,
    inverse_weight,
    linear_cycle,
    weights_on_run,
)
from proofs.reading import run_exact

x = sp.Symbol("x", real=True)
C = sp.Symbol("C", positive=True)


# ----------------------------------------------------------------------------- one variable
def test_sign_on_interval_no_longer_proves_a_negative_cell():
    # regression: the old probes (midpoints of approximate roots) missed the cell between
    # two close roots, and x²(x − a)(x − b) ≥ 0 on (0, ∞) was "proved"
    a, b = sp.Rational(89, 13), sp.Rational(153182, 22373)
    e = x**2 * (x - a) * (x - b)
    for sign_fn in (certify.sign_on_interval, sign_on_interval):
        out = sign_fn(e, x, 0, sp.oo, strict=False)
        assert out.refuted
        w = out.counterexample["x"]
        assert a < w < b and e.xreplace({x: w}) < 0


def test_sign_on_interval_random_close_roots():
    rng = random.Random(3)
    for _ in range(40):
        r1 = sp.Rational(rng.randint(1, 2000), rng.randint(1, 300))
        r2 = r1 + sp.Rational(1, rng.randint(2, 5000))
        neg = (x - r1) * (x - r2) * (x**2 + rng.randint(0, 3))
        assert sign_on_interval(neg, x, 0, sp.oo, strict=False).refuted
        pos = (x - r1) ** 2 * (x - r2) ** 2 * x
        assert sign_on_interval(pos, x, 0, sp.oo, strict=False).proved
        assert sign_on_interval(pos, x, 0, sp.oo, strict=True).refuted


def test_decide_reads_the_roots_themselves():
    # x² − 2 ≥ 0 fails only on (−√2, √2); x² − 2 > 0 fails at the algebraic root √2
    ok, w, _ = decide_on_interval({"f": x**2 - 2}, lambda s: s["f"] >= 0, x, sp.Rational(3, 2), 3)
    assert ok
    ok, w, _ = decide_on_interval({"f": (x**2 - 2) ** 2}, lambda s: s["f"] > 0, x, 1, 2)
    assert ok is False and sp.simplify(w - sp.sqrt(2)) == 0
    ok, _, _ = decide_on_interval({"f": 1 / (x - 1)}, lambda s: s["f"] != 0, x, 0, 2)
    assert ok is None  # a pole inside


# ----------------------------------------------------------------------------- radicals
def test_certified_sign_exact_and_interval():
    assert certified_sign(sp.sqrt(sp.Rational(38, 11)) - 3)[0] == -1
    assert certified_sign(sp.sqrt(2) + sp.sqrt(3) - sp.sqrt(10))[0] == -1  # 3.146 < 3.162
    assert certified_sign(sp.sqrt(2) + sp.sqrt(3) - sp.sqrt(sp.Rational(98, 10)))[0] == 1
    sign, how = certified_sign(sp.log(2) - sp.Rational(69, 100))
    assert sign == 1 and "interval" in how
    assert certified_sign(sp.Integer(0))[0] == 0


def test_radical_terms_normalise_square_factors():
    # √((C²+1)²(C⁴+1)), written expanded, is (C²+1)√(C⁴+1): the two terms cancel
    expanded = sp.sqrt(sp.expand((C**2 + 1) ** 2 * (C**4 + 1)))
    groups, factors = radical_terms(expanded - (C**2 + 1) * sp.sqrt(C**4 + 1), C)
    assert groups == {} and C**2 + 1 in factors
    groups, _ = radical_terms(expanded + 1 / sp.sqrt(C**4 + 1), C)
    assert list(groups) == [C**4 + 1]


def test_radicals_positive_proves_and_refutes():
    # 1/√(C+1) + 1/√(C+2) > 1/√C holds for large C (about 2/√C > 1/√C), fails near 0
    e = 1 / sp.sqrt(C + 1) + 1 / sp.sqrt(C + 2) - 1 / sp.sqrt(C)
    assert radicals_positive(e, C, 1, sp.oo).proved
    out = radicals_positive(e, C, 0, sp.oo)
    assert out.refuted
    w = out.counterexample["C"]
    assert certified_sign(e.xreplace({C: w}))[0] <= 0


def test_nonnegative_by_derivative():
    y = sp.Symbol("y", positive=True)
    assert nonnegative_by_derivative(sp.log(1 + y) - y / (1 + y), y, 0, 1).proved
    assert not nonnegative_by_derivative(sp.log(1 + y) / 2 - y / (1 + y), y, 0, 1).proved


def test_resolve_max_and_scaling():
    m, steps = resolve_max(sp.Max(C**2, C + 1), C, 2, sp.oo)
    assert m == C**2 and steps
    with pytest.raises(ValueError):
        resolve_max(sp.Max(C**2, C + 1), C, 0, sp.oo)
    a, b, v, w = sp.symbols("a b v w", positive=True)
    assert pull_max_factors(sp.Max(b**2 * v, b**2 * w)) == b**2 * sp.Max(v, w)
    D = sp.Symbol("D", positive=True)
    assert scaling_exponents(D**2 * sp.sqrt(v) / w, {D: a * D, v: b**2 * v, w: a * w}, (a, b)) == (
        1,
        1,
    )


# ----------------------------------------------------------------------------- dynamics
def test_gamma_certificate_reads_the_max():
    ams = rule("amsgrad")
    assert gamma_monotone(ams).proved
    mutant = mutations.max_to_current(ams)
    assert not gamma_monotone(mutant).proved
    cx = gamma_search(mutant)
    assert cx is not None
    gs = [cx[f"g_{j}"] for j in range(1, int(cx["t"]) + 1)]
    params = {k: cx[k] for k in mutant.hyper_names if k in cx}
    Ws = weights_on_run(mutant, run_exact(mutant, gs, params), params)
    assert certified_sign(Ws[-1] - Ws[-2])[0] == -1


def test_inverse_weight_is_written_through_the_new_state():
    W = inverse_weight(rule("adam", schedule="sqrt"))
    assert {s.name for s in W.free_symbols} == {"alpha", "beta2", "eps", "t", "v"}


def test_bounded_state_and_its_mutation():
    G = sp.Symbol("G", positive=True)
    beta2 = sp.Symbol("beta2", real=True, nonnegative=True)
    t = sp.Symbol("t", integer=True, positive=True)
    bound = {"v": lambda N: G**2 * (1 - beta2**N)}
    adam = rule("adam", schedule="sqrt")
    assert bounded_state(adam, bound, G).proved
    assert not bounded_state(mutations.one_minus_beta2_to_beta1(adam), bound, G).proved
    assert t  # the bound is read at t and t − 1


def test_linear_cycle_closed_form():
    adam = rule("adam", schedule="sqrt")
    u, c, out = linear_cycle(adam, "v", [C, -1, -1], {"beta1": 0, "beta2": 1 / (1 + C**2)})
    assert out.proved
    assert sp.simplify(u[0] - (c**2 * u[2] * 0 + u[0])) == 0
    assert round(float(u[0].xreplace({C: 3})), 3) == 8.207
