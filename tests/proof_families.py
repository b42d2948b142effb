"""Shared checks of the claim families: the mutation table (walking each claim's own
declarations) and exact re-checks.

Every claim declares ``detects`` (mutations it must detect: refuted, or undecided by a
method that ran) and ``survives`` (applicable mutations under which it stays true, with
the reason). On every mutant of a claim's paper rule the check must agree with them: a
declared detection is detected, a declared survival is proved, no check crashes
(``error``), and a claim is proved on a mutant only where it declares it survives. An
expected refutation is never proved on any mutant. Claims that do not read the rule
(``reads_rule=False``) are left out: no mutation of a rule can change them.

A family's test module defines ``recheck(name, rule, outcome)`` (a refutation confirmed
by substitution) and takes the shared tests from :func:`family_tests`.
"""

from __future__ import annotations

import functools

import pytest
import sympy as sp

import proofs
from proofs import mutations
from proofs.claim import Verdict
from proofs.decide import certified_sign
from proofs.dynamics import weights_on_run
from proofs.reading import run_exact

MUTS = mutations.EVERY_MUTATION


@functools.cache
def _claims() -> dict:
    return {c.name: c for c in proofs.claims()}


def applicable(mod, skip=()) -> list[tuple[str, str]]:
    """(claim, mutation) pairs where the mutation rewrites the claim's paper rule (claims that
    read the rule, but those in ``skip``)."""
    out = []
    for c in mod.CLAIMS:
        if c.name in skip or not c.reads_rule:
            continue
        base = c.rule()
        for label, mutate in MUTS.items():
            try:
                mutate(base)
            except ValueError:
                continue
            out.append((c.name, label))
    return out


@functools.cache
def mutant_outcome(name: str, label: str):
    """(claim, mutated rule, outcome of the claim's check on it), computed once per process."""
    claim = _claims()[name]
    mutated = MUTS[label](claim.rule())
    return claim, mutated, claim.check(mutated)


def assert_as_declared(claim, label: str, out) -> None:
    """One cell of the mutation table against the claim's declarations."""
    cell = (claim.name, label, out.verdict.value, out.method, out.detail)
    assert out.verdict is not Verdict.ERROR, cell
    if label in claim.detects:
        assert out.detects, cell  # refuted or undecided by a method that ran
    elif label in claim.survives and claim.expected is Verdict.PROVED:
        assert out.proved, cell
    else:
        assert not out.proved, cell


def assert_mutation_verdict(mod, name: str, label: str):
    """The mutation table: the cell (name, label) agrees with the claim's declarations."""
    claim, mutated, out = mutant_outcome(name, label)
    assert_as_declared(claim, label, out)
    return claim, mutated, out


def family_tests(mod, recheck, skip=(), recheck_mutants=True):
    """The tests every family shares, to bind at module level as
    ``test_expected_verdict, test_mutation = family_tests(F, recheck)``:

    * every claim gets its expected verdict, shows its steps, and a refutation is re-checked
      by ``recheck(name, rule, outcome)``;
    * the mutation table (:func:`assert_mutation_verdict`) over the applicable (claim,
      mutation) pairs, the claims in ``skip`` left out, a refutation of a declared
      detection re-checked likewise (every refutation if ``recheck_mutants``).
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
        claim, mutated, out = assert_mutation_verdict(mod, name, label)
        if out.refuted and (recheck_mutants or label in claim.detects):
            recheck(name, mutated, out)

    return test_expected_verdict, test_mutation


def assert_proved_claims_detect_a_mutation(mod, skip=()) -> None:
    """Every claim expected proved that reads the rule (but those in ``skip``) declares a
    mutation it must detect."""
    for claim in mod.CLAIMS:
        if claim.expected is Verdict.PROVED and claim.reads_rule and claim.name not in skip:
            assert claim.detects, claim.name


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
