"""The flawed step Γ_t ≥ 0: refuted for Adam on RKK's sequence (exactly), proved for AMSGrad,
AdaGrad and OGD over their own updates, and the mutation table."""

from __future__ import annotations

import sympy as sp
from proof_families import (
    assert_exact,
    assert_proved_claims_detect_a_mutation,
    family_tests,
    gamma_at,
    sign,
)

from octk.rules import rule
from proofs import flawed_step as F
from proofs import mutations

CLAIMS = {c.name: c for c in F.CLAIMS}


def recheck(name: str, r, out) -> None:
    cx = out.counterexample
    assert_exact(cx)
    gam = gamma_at(r, cx)
    t = int(cx["t"])
    if name == "flawed.adam_rkk_cycle":  # the claimed pattern of signs fails at t
        assert sign(gam) != (1 if t % 3 == 1 else -1)
    else:
        assert sign(gam) < 0


test_expected_verdict, test_mutation = family_tests(F, recheck)


def test_adam_gamma_2_is_exact():
    out = CLAIMS["flawed.adam_rkk"].check()
    cx = out.counterexample
    assert (cx["t"], cx["C"], cx["beta2"], cx["g_1"], cx["g_2"]) == (
        2,
        3,
        sp.Rational(1, 10),
        3,
        -1,
    )
    gam = gamma_at(rule("adam", schedule="sqrt"), cx)
    assert sp.simplify(gam - (sp.sqrt(sp.Rational(38, 11)) - 3)) == 0


def test_cycle_numbers_match_theory():
    out = CLAIMS["flawed.adam_rkk_cycle"].check()
    text = " ".join(s.text for s in out.steps)
    assert "(2.865, 1.312, 1.035)" in text


def test_gamma_reads_the_rule():
    # the weight is 1/η_t of the rule itself: OGD's Γ_t is (√t − √(t−1))/α
    from proofs.dynamics import gamma_expression

    t = sp.Symbol("t", integer=True, positive=True)
    alpha = sp.Symbol("alpha", nonnegative=True, real=True)
    expr = gamma_expression(rule("ogd"))
    assert sp.simplify(expr - (sp.sqrt(t) - sp.sqrt(t - 1)) / alpha) == 0


def test_required_mutations_are_detected():
    # removing AMSGrad's max must break its proof; every proved claim can fail
    assert "max->current" in F.DETECTS["flawed.amsgrad"]
    out = CLAIMS["flawed.amsgrad"].check(mutations.max_to_current(rule("amsgrad")))
    assert out.refuted
    assert_proved_claims_detect_a_mutation(F)
