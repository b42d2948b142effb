"""Bock & Weiß's 2-cycle of Adam on a quadratic: existence and certified stability."""

from __future__ import annotations

from fractions import Fraction

import pytest

from proofs import limit_cycles as L
from proofs import mutations
from proofs.claim import Verdict


def test_two_cycle_is_an_identity_of_the_program_and_mutants_break_it():
    claim = L.CLAIMS[0]
    assert claim.check().verdict is Verdict.PROVED
    for label in ("x+delta", "swap-betas"):
        out = claim.check(mutations.EVERY_MUTATION[label](claim.rule()))
        assert out.refuted and out.counterexample is not None
    assert claim.check(mutations.EVERY_MUTATION["move-eps"](claim.rule())).proved


@pytest.mark.slow
def test_stability_reproduces_the_spot_values():
    out = L.CLAIMS[1].check()
    assert out.verdict is Verdict.PROVED, out.detail
    assert "0.948151294542658" in out.detail or "0.948151294542659" in out.detail


def test_radius_enclosures_at_the_spot_values():
    poly = L.char_poly(L.cycle_rule())
    lo, hi = L.radius_enclosure(poly, Fraction(1, 10), Fraction(9, 10))
    assert lo <= Fraction("0.948151294542659") + Fraction(1, 10**15) and hi < 1
    assert float(hi) == pytest.approx(0.948151294542659, abs=1e-14)
    lo, _ = L.radius_enclosure(poly, Fraction(9, 10), Fraction(999, 1000))
    assert lo > 1 and float(lo) == pytest.approx(1.10129483, abs=1e-8)
    # β1 = 0: exactly β2 on (1/9, 1); at β2 = 1/10 (< 1/9) the radius is 1/4, not β2
    lo, hi = L.radius_enclosure(poly, Fraction(0), Fraction(9, 10))
    assert lo <= Fraction(9, 10) <= hi and hi - lo < Fraction(1, 10**12)
    lo, hi = L.radius_enclosure(poly, Fraction(0), Fraction(1, 10))
    assert lo <= Fraction(1, 4) <= hi
