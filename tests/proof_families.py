"""Shared checks of the claim families on Γ_t and the regret bounds (theorem_4_1,
flawed_step, rkk_counterexample, amsgrad_bound): the mutation table and exact re-checks.

Every family module has ``CLAIMS``, ``DETECTS`` (mutations a proved claim must not
survive) and ``HOLDS`` (applicable mutations under which a proved claim stays true, with
the reason). A proved claim on a mutant is therefore proved exactly when the mutation is
in ``HOLDS``; an expected refutation is never proved on any mutant.

A family's test module defines ``recheck(name, rule, outcome)`` (a refutation confirmed
by substitution) and takes the shared tests from :func:`family_tests`.
"""

from __future__ import annotations

import pytest
import sympy as sp

from proofs import mutations
from proofs.claim import Verdict
from proofs.decide import certified_sign
from proofs.dynamics import weights_on_run
from proofs.reading import run_exact

MUTS = {**mutations.MUTATIONS, **mutations.SCHEDULE_MUTATIONS}


def applicable(mod, skip=()) -> list[tuple[str, str]]:
    """(claim, mutation) pairs where the mutation applies to the claim's paper rule."""
    out = []
    for c in mod.CLAIMS:
        if c.name in skip:
            continue
        base = c.rule()
        for label, mutate in MUTS.items():
            try:
                mutate(base)
            except ValueError:
                continue
            out.append((c.name, label))
    return out


def mutant_outcome(mod, name: str, label: str):
    claim = next(c for c in mod.CLAIMS if c.name == name)
    mutated = MUTS[label](claim.rule())
    return claim, mutated, claim.check(mutated)


def assert_mutation_verdict(mod, name: str, label: str):
    """The mutation table: proved on a mutant only where HOLDS says the claim stays true."""
    claim, mutated, out = mutant_outcome(mod, name, label)
    holds = getattr(mod, "HOLDS", {}).get(name, {})
    detects = getattr(mod, "DETECTS", {}).get(name, ())
    if claim.expected is Verdict.PROVED and label in holds:
        assert out.proved, (name, label, out.detail)
    else:
        assert out.verdict is not Verdict.PROVED, (name, label, out.detail)
    if label in detects:
        assert not out.proved
    return claim, mutated, out


def family_tests(mod, recheck, skip=()):
    """The tests every family shares, to bind at module level as
    ``test_expected_verdict, test_mutation = family_tests(F, recheck)``:

    * every claim gets its expected verdict, shows its steps, and a refutation is re-checked
      by ``recheck(name, rule, outcome)``;
    * the mutation table (:func:`assert_mutation_verdict`) over the applicable (claim,
      mutation) pairs, the claims in ``skip`` left out, a refutation re-checked likewise.
    """
    claims = {c.name: c for c in mod.CLAIMS}
    cases = applicable(mod, skip)

    @pytest.mark.parametrize("name", sorted(claims))
    def test_expected_verdict(name):
        claim = claims[name]
        out = claim.check()
        assert out.verdict is claim.expected, out.detail
        assert out.steps
        if out.refuted:
            recheck(name, claim.rule(), out)

    @pytest.mark.slow  # every (claim, mutation) pair
    @pytest.mark.parametrize(("name", "label"), cases, ids=[f"{c}|{m}" for c, m in cases])
    def test_mutation(name, label):
        _, mutated, out = assert_mutation_verdict(mod, name, label)
        if out.refuted:
            recheck(name, mutated, out)

    return test_expected_verdict, test_mutation


def assert_proved_claims_detect_a_mutation(mod, skip=()) -> None:
    """Every claim expected proved (but those in ``skip``) names a mutation it must detect."""
    for claim in mod.CLAIMS:
        if claim.expected is Verdict.PROVED and claim.name not in skip:
            assert mod.DETECTS.get(claim.name), claim.name


def assert_exact(cx: dict, labels=("term",)) -> None:
    """Every counterexample value is an exact number (rational, or an exact algebraic
    number), except named labels."""
    assert cx, "a refutation carries a counterexample"
    for k, v in cx.items():
        if k in labels:
            continue
        v = sp.sympify(v)
        assert not v.atoms(sp.Float), (k, v)
        assert v.is_number and (v.is_Rational or v.is_algebraic), (k, v)


def gradients_of(cx: dict) -> list[sp.Basic]:
    js = sorted(int(k[2:]) for k in cx if k.startswith("g_") and k[2:].isdigit())
    return [sp.sympify(cx[f"g_{j}"]) for j in js]


def params_of(rule, cx: dict) -> dict:
    return {k: sp.sympify(v) for k, v in cx.items() if k in rule.hyper_names}


def gamma_at(rule, cx: dict) -> sp.Basic:
    """Γ_t recomputed from the counterexample: the rule run exactly on its gradients."""
    step = int(cx["t"])
    gs = gradients_of(cx)
    if len(gs) < step:  # RKK's sequence named by C
        C = sp.sympify(cx["C"])
        gs = [C if k % 3 == 1 else sp.Integer(-1) for k in range(1, step + 1)]
    params = params_of(rule, cx)
    rows = run_exact(rule, gs[:step], params)
    Ws = weights_on_run(rule, rows, params)
    return Ws[step - 1] - Ws[step - 2]


def sign(value) -> int:
    s, _ = certified_sign(sp.sympify(value))
    assert s is not None, value
    return s
