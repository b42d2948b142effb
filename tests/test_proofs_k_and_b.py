"""Kingma & Ba's derivations (bias correction, the efficient order, the step bounds, the
AdaGrad and AdaMax limits): every claim gets its expected verdict on the paper's rule,
every mutant agrees with the claim's declarations (a declared detection is refuted or
undecided by a method that ran, never proved, never an error), and every counterexample
is exact and is confirmed by substituting it back.
"""

from __future__ import annotations

import importlib
import re

import pytest
import sympy as sp
from proof_families import applicable, assert_mutation_verdict
from sympy.core.function import AppliedUndef

from proofs import mutations
from proofs.claim import Verdict
from proofs.reading import assigned, run_exact

FAMILIES = ("bias_correction", "efficient_order", "step_bounds", "limits")
MODULES = {f: importlib.import_module(f"proofs.{f}") for f in FAMILIES}
CLAIMS = {c.name: c for mod in MODULES.values() for c in mod.CLAIMS}
#: each claim's declared detections (read from the declarations, not a table of the tests)
DETECTS = {c.name: c.detects for c in CLAIMS.values() if c.detects}

#: the perturbations the issue names for each family; each must be detected by some claim
REQUIRED = {
    "bias_correction": ("drop-bias-correction", "swap-betas", "1-beta2->1-beta1"),
    "efficient_order": ("drop-bias-correction", "swap-betas", "1-beta2->1-beta1", "move-eps"),
    "step_bounds": ("swap-betas", "move-eps", "drop-bias-correction"),
    "limits": ("drop-bias-correction", "max->current", "swap-betas"),
}


# ----------------------------------------------------------------------------- re-checks
def _exact(value) -> bool:
    v = sp.sympify(value)
    if isinstance(v, sp.Rational):
        return True
    # a gradient sequence g_k: an expression of k with rational constants only
    return not v.atoms(sp.Float) and {str(s) for s in v.free_symbols} <= {"k"}


def _env(outcome, expr: sp.Basic) -> dict:
    """The counterexample as a substitution for the free symbols of ``expr`` (by name)."""
    ce = outcome.counterexample
    return {s: sp.sympify(ce[s.name]) for s in expr.free_symbols if s.name in ce}


def _fill_sequence(expr: sp.Basic, outcome) -> sp.Basic:
    """Replace the terms g(k) of a sequence by the counterexample's pattern g_k."""
    pattern = outcome.counterexample.get("g_k")
    if pattern is None:
        return expr
    k = sp.Symbol("k", integer=True)
    pat = sp.sympify(str(pattern), locals={"k": k})
    return expr.xreplace({a: pat.xreplace({k: a.args[0]}) for a in expr.atoms(AppliedUndef)})


def _recheck_equations(outcome) -> bool:
    """Some displayed equation of the derivation fails exactly at the counterexample."""
    for step in outcome.steps:
        eq = step.math
        if not isinstance(eq, sp.Equality):
            continue
        diff = eq.lhs - eq.rhs
        val = diff.xreplace(_env(outcome, diff))
        val = _fill_sequence(val, outcome).doit()
        if val.free_symbols or val.atoms(AppliedUndef):
            continue
        if sp.simplify(val) != 0:
            return True
    return False


def _recheck_run(claim, rule, outcome) -> bool:
    """Re-run the rule exactly on the counterexample's gradients and re-compare."""
    ce = dict(outcome.counterexample)
    steps = int(ce.pop("t"))
    seq = sp.sympify(str(ce.pop("g_k")), locals={"k": sp.Symbol("k", integer=True)})
    (k,) = seq.free_symbols
    grads = [seq.xreplace({k: j}) for j in range(1, steps + 1)]
    params = {n: v for n, v in ce.items() if n in rule.hyper_names}
    if "eps" in rule.hyper_names:
        params["eps"] = 0
    bound = next(s.math.rhs for s in outcome.steps if isinstance(s.math, sp.StrictGreaterThan))
    if "m̂_t²/v̂_t" in outcome.detail:
        last = run_exact(rule, grads, params, targets=("mhat", "vhat"))[-1]
        value = last["mhat"] ** 2 / last["vhat"]
    else:
        # the square of the rule's step (rational: no radical to evaluate at t = 210)
        a = sp.sympify(params["alpha"])
        square = (assigned(rule, "delta", eps=0) / a) ** 2 if "eps" in params else None
        square = (assigned(rule, "delta") / a) ** 2 if square is None else square
        last = run_exact(rule, grads, params, targets=(), extra={"q": square})[-1]
        value = last["q"]
    return value.is_Rational and value > bound


def _recheck_max(rule, outcome) -> bool:
    """u_n by the rule's own update differs from max_i β2^(n−i)|g_i| at the counterexample."""
    from proofs.reading import update

    ce = outcome.counterexample
    nn = int(ce["n"])
    step = update(rule, "u")
    b2 = sp.Symbol("beta2", real=True, nonnegative=True)
    env = {s: sp.sympify(ce[s.name]) for s in rule.symbols.values() if s.name in ce}
    u = sp.Integer(0)
    gs = [sp.sympify(ce[f"g_{j}"]) for j in range(1, nn + 1)]
    for j, gj in enumerate(gs, start=1):
        u = step(u, gj, sp.Integer(j)).xreplace(env)
    target = sp.Max(*[b2 ** (nn - j) * abs(gj) for j, gj in enumerate(gs, start=1)])
    return sp.simplify(u - target.xreplace(env)) != 0


def recheck(claim, rule, outcome) -> None:
    assert outcome.counterexample is not None, (claim.name, outcome.detail)
    for name, value in outcome.counterexample.items():
        assert _exact(value), (claim.name, name, value)
    if outcome.method == "counterexample (exact run)":
        assert _recheck_run(claim, rule, outcome), (claim.name, outcome.detail)
    elif outcome.method == "induction (max)":
        assert _recheck_max(rule, outcome), (claim.name, outcome.detail)
    elif outcome.method == "limit":
        # the limit differs from the claimed value: the displayed limit, evaluated again
        # the limit as computed, and the comparison with the claimed value, fails there
        lim = [
            s.math
            for s in outcome.steps
            if isinstance(s.math, sp.Equality) and isinstance(s.math.lhs, sp.Limit)
        ][-1]
        assert sp.simplify(lim.lhs.doit() - lim.rhs) == 0
        assert _recheck_equations(outcome) or "not" in outcome.detail, outcome.detail
    else:
        assert _recheck_equations(outcome), (claim.name, outcome.method, outcome.detail)


# ----------------------------------------------------------------------------- paper rules
@pytest.mark.parametrize("name", sorted(CLAIMS))
def test_paper_rule_gets_the_expected_verdict(name):
    claim = CLAIMS[name]
    out = claim.check()
    assert out.verdict is claim.expected, (name, out.verdict, out.method, out.detail)
    assert claim.statement and claim.source and claim.assumptions
    assert out.steps, "a derivation to display"
    if out.refuted:
        recheck(claim, claim.rule(), out)


def test_the_refuted_claims_have_the_observations_values():
    """The counterexamples are the ones the theory notes (theory §3): small and exact."""
    at_most = CLAIMS["step.at_most_alpha"].check()
    assert at_most.counterexample["t"] == 2
    paper = CLAIMS["step.paper_bound"].check()
    assert paper.counterexample["t"] == 210
    eq = CLAIMS["step.equality_case"].check()
    assert eq.counterexample["t"] == 2
    assert any(
        s.math
        == sp.Eq(
            sp.Symbol(r"\hat m_t") ** 2 / sp.Symbol(r"\hat v_t"),
            sp.Rational(28, 27),
            evaluate=False,
        )
        for s in eq.steps
    )
    adamax = CLAIMS["limits.adamax_step_alpha"].check()
    assert adamax.counterexample["t"] == 2
    order = CLAIMS["order.eps_hat_constant"].check()
    assert order.counterexample["t"] == 1 and order.counterexample["m"] == 0


def test_cauchy_schwarz_value_is_sqrt_370_over_7():
    from proofs.step_bounds import b1, b2, cs_limit_value

    value = cs_limit_value().xreplace({b1: sp.Rational(9, 10), b2: sp.Rational(999, 1000)})
    assert sp.simplify(value - sp.sqrt(sp.Rational(370, 7))) == 0
    assert abs(float(value) - 7.2703) < 1e-4


# ----------------------------------------------------------------------------- mutations
CASES = [case for mod in MODULES.values() for case in applicable(mod)]


@pytest.mark.slow  # every (claim, mutation) pair
@pytest.mark.parametrize(("name", "mutation"), CASES, ids=[f"{c}|{m}" for c, m in CASES])
def test_mutation_table(name, mutation):
    claim, mutated, out = assert_mutation_verdict(None, name, mutation)
    if out.refuted and mutation in claim.detects:
        recheck(claim, mutated, out)


def test_every_family_detects_the_required_mutations():
    for fam, required in REQUIRED.items():
        names = {c.name for c in MODULES[fam].CLAIMS}
        seen = {m for c, muts in DETECTS.items() if c in names for m in muts}
        assert set(required) <= seen, (fam, set(required) - seen)
    for name, claim in CLAIMS.items():
        if claim.expected is Verdict.PROVED:
            assert DETECTS.get(name), f"{name}: no mutation shows it can fail"
    for muts in DETECTS.values():
        assert set(muts) <= set(mutations.EVERY_MUTATION)


def test_mutations_that_do_not_apply_refuse():
    from octk.rules import rule

    with pytest.raises(ValueError, match="does not apply"):
        mutations.abs_for_square(rule("adamax"))
    assert re.search("abs-for-square", mutations.abs_for_square(rule("adam")).name)
