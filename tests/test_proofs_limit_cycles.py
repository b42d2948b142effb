"""Bock & Weiß's 2-cycle of Adam on a quadratic: existence and certified stability."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
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
    poly = L._cycle_poly()  # char_poly(cycle_rule()), computed once per process
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


def test_certified_attracting_mask():
    """The phase diagrams' hatch layer: ρ < 1 certified per cell, on a broadcast grid; β1 = 0
    gives ρ = β2 (attracting for 1/9 < β2 < 1), (0.9, 0.999) is not attracting, and values
    outside the parameter ranges are False."""
    b1 = np.array([0.0, 0.1, 0.9])[:, None]
    b2 = np.array([0.9, 0.999])[None, :]
    mask = L.certified_attracting(b1, b2)
    assert mask.dtype == bool and mask.shape == (3, 2)
    assert mask.tolist() == [[True, True], [True, True], [False, False]]  # ρ(0.9, 0.9) ≈ 1.84
    assert not L.certified_attracting(1.0, 0.5) and not L.certified_attracting(0.5, 0.0)
    # the exact Schur–Cohn test agrees with the claim's root enclosures on these cells
    poly = L._cycle_poly()
    for q1, q2 in ((Fraction(1, 10), Fraction(9, 10)), (Fraction(9, 10), Fraction(9, 10))):
        lo, hi = L.radius_enclosure(poly, q1, q2)
        assert L.certified_attracting(float(q1), float(q2)) == (hi < 1) and (hi < 1 or lo > 1)


def test_schur_stable_decides_the_unit_disk():
    F = Fraction
    assert L.schur_stable([F(1, 4), F(0), F(1)])  # z² + 1/4: roots ±i/2
    assert not L.schur_stable([F(1), F(0), F(1)])  # z² + 1: roots on the circle
    assert not L.schur_stable([F(-3), F(1)])  # z − 3
    assert L.schur_stable([F(-1, 2), F(3, 2), F(-2), F(1)]) is False  # (z − 1)(z² − z + 1/2)
    assert L.schur_stable([F(-1, 8), F(3, 4), F(-3, 2), F(1)])  # (z − 1/2)³
