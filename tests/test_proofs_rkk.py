"""RKK Theorem 1's mechanism: the exact steady cycle of v, the sign of the 3-step drift for
every C > 2 (Adam up, AMSGrad down) with theory §7's numbers, the regret rate, and the
mutation table."""

from __future__ import annotations

import pytest
import sympy as sp
from proof_families import assert_exact, family_tests, sign

from octk.rules import rule
from proofs import rkk_counterexample as F
from proofs import rkk_sequence
from proofs.dynamics import linear_cycle, period_drift, steady_cycle

CLAIMS = {c.name: c for c in F.CLAIMS}
C = F.C


def _drift(r):
    gs = rkk_sequence.gradients()
    params = F.theorem1_params(r)
    cycle, _ = steady_cycle(r, gs, params, C, 2, sp.oo)
    drift, _ = period_drift(r, gs, params, cycle, C, 2, sp.oo)
    return drift


def recheck(name: str, r, out) -> None:
    cx = out.counterexample
    assert_exact(cx)
    if name == "rkk.drift_amsgrad":  # the drift is not negative at the counterexample's C
        assert sign(_drift(r).xreplace({C: cx["C"]})) >= 0
    elif name == "rkk.drift_adam":
        assert sign(_drift(r).xreplace({C: cx["C"]})) <= 0
    else:  # pragma: no cover
        raise AssertionError(f"no re-check for {name}")


test_expected_verdict, test_mutation = family_tests(F, recheck)


def test_cycle_is_exact_and_matches_theory():
    r = rule("adam", schedule="sqrt")
    u, c, out = linear_cycle(r, "v", rkk_sequence.gradients(), F.theorem1_params(r))
    assert out.proved
    at3 = [x.xreplace({C: 3}) for x in u]
    assert at3[0] == sp.Rational(8199, 999)  # v_a = (β2² + β2 + C²)/(1 + β2 + β2²) at C = 3
    assert tuple(round(float(x), 3) for x in at3) == F.EXPECTED_CYCLE
    assert sp.simplify(c - 1 / (1 + C**2)) == 0


@pytest.mark.parametrize(
    ("name", "c", "value"),
    [("adam", 3, 0.681), ("amsgrad", 3, -0.349), ("amsgrad", 10, -0.804)],
)
def test_drift_numbers(name, c, value):
    r = rule("adam", schedule="sqrt") if name == "adam" else rule("amsgrad")
    assert round(float(_drift(r).xreplace({C: c})), 3) == value


def test_regret_rate_fails_when_perturbed():
    r = rule("adam", schedule="sqrt")
    assert F.regret_rate()(r).proved
    wrong = F.regret_rate(rate=(C - 2) / 3)(r)
    assert wrong.refuted and wrong.counterexample["C"] in (3, 10)
    at_zero = F.regret_rate(at=0)(r)  # x at 0 earns (C − 2)/3 per step, not (2C − 4)/3
    assert at_zero.refuted
