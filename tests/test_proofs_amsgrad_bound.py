"""RKK Theorem 4 and Corollary 1: the two γ's, the dimensions (final vs submitted first
term), √v̂ ≤ G∞ for AMSGrad, the careful middle term vs the printed one, and the
mutation table."""

from __future__ import annotations

import sympy as sp
from proof_families import (
    assert_exact,
    family_tests,
    gradients_of,
    params_of,
)

from octk.rules.adaptive import beta1, beta2
from proofs import amsgrad_bound as F
from proofs.reading import run_exact

CLAIMS = {c.name: c for c in F.CLAIMS}


def recheck(name: str, r, out) -> None:
    cx = out.counterexample
    assert_exact(cx)
    if name in ("ams.gamma_converse", "ams.gamma_implication"):
        c1, c2 = F._rates(r)  # the decay rates of the (possibly mutated) rule
        env = {beta1: cx.get("beta1", 0), beta2: cx.get("beta2", 0)}
        rkk, kb = (c1 / sp.sqrt(c2)).xreplace(env), (c1**2 / sp.sqrt(c2)).xreplace(env)
        if name == "ams.gamma_converse":
            assert kb < 1 <= rkk
    elif name in ("ams.dimension_submitted", "ams.dimension_final"):
        assert (cx["exponent_a"], cx["exponent_b"]) != (1, 1)
    elif name in ("ams.corollary_printed", "ams.corollary_middle"):
        total, _, _ = F.middle_chain(r)
        target = F.PRINTED if name.endswith("printed") else F.CAREFUL
        diff = total - target
        env = {s: sp.sympify(cx[s.name]) for s in diff.free_symbols if s.name in cx}
        assert sp.simplify(diff.xreplace(env)) != 0
    elif name == "ams.vhat_le_G":
        gs, params = gradients_of(cx), params_of(r, cx)
        rows = run_exact(r, gs, params)
        assert rows[int(cx["t"]) - 1]["vmax"] > max(v**2 for v in gs)
    else:  # pragma: no cover
        raise AssertionError(f"no re-check for {name}")


test_expected_verdict, test_mutation = family_tests(F, recheck)


def test_submitted_first_term_scales_as_a2_b():
    cx = CLAIMS["ams.dimension_submitted"].check().counterexample
    assert (cx["term"], cx["exponent_a"], cx["exponent_b"]) == ("first", 2, 1)


def test_alpha_has_the_unit_of_x():
    from octk.rules import rule
    from proofs.dynamics import step_size_scaling

    a, b = sp.symbols("a b", positive=True)
    assert step_size_scaling(rule("amsgrad"), a, b)[0] == a
    assert step_size_scaling(rule("ogd"), a, b)[0] == a / b  # OGD's step is not scale-free


def test_careful_and_printed_middle_terms_differ_by_d_over_alpha():
    assert sp.simplify(F.CAREFUL / F.PRINTED - F.d / F.alpha) == 0


def test_gamma_implication_fails_when_perturbed():
    out = F.gamma_implication(power=sp.Rational(1, 2))(CLAIMS["ams.gamma_implication"].rule())
    assert out.refuted
    b1, b2 = out.counterexample["beta1"], out.counterexample["beta2"]
    assert b1 / sp.sqrt(b2) < 1 <= sp.sqrt(b1) / sp.sqrt(b2)
    assert {beta1.name, beta2.name} <= set(out.counterexample)
