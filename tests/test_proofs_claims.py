"""What a claim says it proves: its declarations (scope, basis, premises, the mutations it
detects and survives), the verdict as shown when a premise is refuted, the renderers of
``octk verify`` (proofs.report), the claim × mutation table, and the mutations of issue 8,
each detected by a verdict a method reached."""

from __future__ import annotations

import json

import pytest
import sympy as sp

import proofs
from octk.rules import rule
from proofs import mutation_table, mutations, report
from proofs.claim import Basis, Claim, Outcome, Result, Scope, Verdict, proved

CLAIMS = {c.name: c for c in proofs.claims()}


# ----------------------------------------------------------------------------- declarations
@pytest.mark.parametrize("name", sorted(CLAIMS))
def test_each_claim_declares_what_it_proves(name):
    c = CLAIMS[name]
    assert isinstance(c.scope, Scope) and isinstance(c.basis, Basis)
    assert set(c.detects) <= set(mutations.EVERY_MUTATION), c.detects
    assert set(c.survives) <= set(mutations.EVERY_MUTATION), c.survives
    assert not set(c.detects) & set(c.survives)
    assert all(reason.strip() for reason in c.survives.values())
    assert set(c.premises) <= set(CLAIMS) and name not in c.premises
    base = c.rule()
    for label in (*c.detects, *c.survives):  # a declared mutation rewrites the claim's rule
        assert mutations.EVERY_MUTATION[label](base).program != base.program
    if c.basis is Basis.READING:
        assert c.reading, "a reading says what the paper says"
    if c.expected is Verdict.PROVED and c.reads_rule and not c.detects:
        # a claim no mutation can break (ams.gamma_implication holds for all decay rates)
        # says why it survives each one; its tests perturb the claim itself instead
        base = c.rule()
        applies = []
        for label, mutate in mutations.EVERY_MUTATION.items():
            try:
                mutate(base)
            except ValueError:
                continue
            applies.append(label)
        assert set(applies) <= set(c.survives), set(applies) - set(c.survives)
    if not c.reads_rule:
        assert not c.detects and not c.survives


def test_attributions_separate_the_paper_from_octks_reading():
    """K&B §2.1 says |Δ_t| ⪅ α ('approximately'); only the printed bounds are refuted as the
    paper's. The β1 in the remark on ζ is a wording slip, not a printed formula."""
    assert CLAIMS["step.at_most_alpha"].basis is Basis.READING
    assert "approximately" in CLAIMS["step.at_most_alpha"].reading
    assert "3.16" in CLAIMS["step.at_most_alpha"].reading
    for name in ("step.paper_bound", "step.equality_case"):
        assert CLAIMS[name].basis is Basis.PAPER and CLAIMS[name].expected is Verdict.REFUTED
    assert CLAIMS["bias.zeta_beta1"].basis is Basis.READING
    assert "wording slip" in CLAIMS["bias.zeta_beta1"].reading


# ----------------------------------------------------------------------------- premises
def test_a_proved_claim_on_a_refuted_premise_is_shown_as_given():
    runs = {r.claim.name: r for r in proofs.run("t41.*")}
    chain, assembly = runs["t41.lemma_10_4_chain"], runs["t41.assembly"]
    lemma = runs["t41.lemma_10_3"]
    assert lemma.outcome.refuted
    assert chain.outcome.proved and not chain.established
    assert chain.shown == "proved: the chain's constant, given t41.lemma_10_3 (refuted)"
    assert chain.claim.scope is Scope.IDENTITY
    assert assembly.outcome.proved and not assembly.established
    assert assembly.shown.startswith("proved: the assembly, given ")
    for premise in ("t41.lemma_10_4_as_proved", "t41.vhat_le_G_sqrt", "flawed.adam_rkk"):
        assert f"{premise} (refuted)" in assembly.shown
    assert "t41.lemma_10_3 (refuted)" in assembly.shown  # through the chain, transitively
    assert "R(T)" not in assembly.claim.statement  # the statement is the algebra it checks
    md = assembly.markdown(steps=False)
    assert "scope: *identity*" in md and "premises: `t41.lemma_10_4_chain` (proved)" in md
    assert "proved: the assembly, given" in md


def test_a_claim_with_proved_premises_is_established():
    (r,) = proofs.run("ams.corollary_middle")
    assert r.premises == (("ams.vhat_le_G", Verdict.PROVED),)
    assert r.established and r.shown == "proved"


# ----------------------------------------------------------------------------- renderers
def _result(name, verdict, premises=(), claim_premises=(), expected=Verdict.PROVED):
    c = Claim(
        name=name,
        statement="a = a",
        source="a source",
        prove=lambda r: proved("identity"),
        rule=lambda: rule("adam"),
        expected=expected,
        scope=Scope.INSTANCE,
        basis=Basis.READING,
        reading="the paper says something else",
        premises=claim_premises,
        proves="the algebra",
    )
    return Result(c, Outcome(verdict, "a method", "a detail"), 0.5, premises)


def test_table_shows_scope_basis_premises_and_the_verdict_as_shown():
    rs = [
        _result("demo.given", Verdict.PROVED, (("demo.lemma", Verdict.REFUTED),), ("demo.lemma",)),
        _result("demo.crash", Verdict.ERROR),
        _result("demo.na", Verdict.NOT_APPLICABLE),
    ]
    text = report.table(rs)
    row = next(line for line in text.splitlines() if line.startswith("demo.given"))
    assert "instance" in row and "reading" in row
    assert row.endswith("proved: the algebra, given demo.lemma (refuted)")
    assert "premises: demo.lemma (refuted)" in text
    assert "error !" in text and "not applicable !" in text  # never the expected verdict
    assert "a method: a detail" in text  # the detail of an unexpected verdict
    assert "the paper says" not in text
    assert "the paper says: the paper says something else" in report.table(rs, verbose=True)
    line = report.summary(rs, 1.0)
    assert line.startswith("1 of 3 claims as expected (1.0 s); 1 error; UNEXPECTED:")


def test_json_carries_scope_premises_and_the_verdict_as_shown():
    rs = [
        _result("demo.given", Verdict.PROVED, (("demo.lemma", Verdict.REFUTED),), ("demo.lemma",))
    ]
    out = json.loads(json.dumps(report.as_json(rs, 2.0)))
    (c,) = out["claims"]
    assert c["scope"] == "instance" and c["basis"] == "octk's reading"
    assert c["premises"] == [{"claim": "demo.lemma", "verdict": "refuted"}]
    assert c["unmet_premises"] == [{"claim": "demo.lemma", "verdict": "refuted"}]
    assert c["verdict"] == "proved" and not c["established"]
    assert c["shown"] == "proved: the algebra, given demo.lemma (refuted)"
    assert c["reading"] == "the paper says something else"
    assert (out["passed"], out["failed"], out["errors"], out["seconds"]) == (1, 0, 0, 2.0)


def test_renderers_fill_in_the_premises_themselves():
    results = [c.run() for c in proofs.claims("t41.lemma_10_4_chain")]  # as the CLI runs them
    assert results[0].premises == ()
    assert "given t41.lemma_10_3 (refuted)" in report.table(results)
    rec = report.as_json(results, 0.0)["claims"][0]
    assert {"claim": "t41.lemma_10_3", "verdict": "refuted"} in rec["premises"]


# ----------------------------------------------------------------------------- issue 8's mutations
#: each mutation of issue 8 and claims that must detect it, with the verdict they reach
REQUIRED = {
    "x+delta": {"rkk.drift_adam": Verdict.REFUTED, "rkk.drift_amsgrad": Verdict.REFUTED},
    "g^2/(t+1)": {"adamnc.beta2_schedule": Verdict.REFUTED},
    "drop-sqrt": {"step.spike_exact": Verdict.REFUTED, "rkk.drift_adam": Verdict.UNDECIDED},
    "max->min": {"limits.adamax_recurrence": Verdict.REFUTED, "flawed.amsgrad": Verdict.UNDECIDED},
    "alpha/sqrt(t+1)": {"t41.assembly": Verdict.REFUTED, "limits.adagrad_step": Verdict.REFUTED},
}
CASES = [(m, c) for m, cs in REQUIRED.items() for c in cs]


@pytest.mark.slow  # every (mutation, claim) pair
@pytest.mark.parametrize(("mutation", "name"), CASES, ids=[f"{m}|{c}" for m, c in CASES])
def test_issue_mutations_are_detected_by_a_method(mutation, name):
    claim = CLAIMS[name]
    assert mutation in claim.detects
    out = claim.check(mutations.EVERY_MUTATION[mutation](claim.rule()))
    assert out.verdict is REQUIRED[mutation][name], (out.method, out.detail)
    assert out.reached and out.method not in ("error", "not applicable")
    if out.refuted:
        assert out.counterexample


def test_x_plus_delta_reverses_the_drift_read_from_the_rule():
    out = CLAIMS["rkk.drift_adam"].check(mutations.flip_update(rule("adam", schedule="sqrt")))
    assert out.refuted and "wrong sign" in out.detail
    drift = next(s.math for s in out.steps if str(getattr(s.math, "lhs", "")) == "D(C)").rhs
    assert round(float(drift.xreplace({proofs.rkk_counterexample.C: 3})), 3) == -0.681


def test_adamnc_program_is_rkks_running_mean():
    (r,) = proofs.run("adamnc.beta2_schedule")
    assert r.outcome.proved and "induction" in r.outcome.method
    out = r.claim.check(mutations.mean_weight_shift(rule("adamnc")))
    assert out.refuted and out.counterexample["t"] == 1


def test_the_new_mutations_rewrite_what_they_name():
    x = sp.Symbol("x", real=True)
    flipped = mutations.flip_update(rule("ogd")).assignments(guarded=False)["x"]
    assert sp.simplify(flipped - x - rule("ogd").assignments()["delta"]) == 0
    ams = mutations.max_to_min(rule("amsgrad")).assignments(guarded=False)["vmax"]
    assert ams.func is sp.Min
    shifted = mutations.shift_schedule(rule("ogd")).assignments()["delta"]
    t, g = sp.Symbol("t", integer=True, positive=True), sp.Symbol("g", real=True)
    assert (
        sp.simplify(shifted - sp.Symbol("alpha", real=True, nonnegative=True) * g / sp.sqrt(t + 1))
        == 0
    )
    for m in (mutations.mean_weight_shift, mutations.max_to_min):
        with pytest.raises(ValueError, match="does not apply"):
            m(rule("adam"))
    with pytest.raises(ValueError, match="does not apply"):
        mutations.swap_betas(rule("rmsprop"))  # it has no β1 to swap with


# ----------------------------------------------------------------------------- the table
def test_mutation_table_marks_cells_against_the_declarations():
    cells = mutation_table.cells(proofs.claims("adamnc"))
    by = {c.mutation: c for c in cells}
    assert by["g^2/(t+1)"].declared == "detects" and by["g^2/(t+1)"].as_declared
    assert by["g^2/(t+1)"].text() == "**R counterexample**"
    assert by["x+delta"].text() == "*P*"
    assert by["max->min"].status == "does not apply" and by["max->min"].text() == "·"
    md = mutation_table.markdown(cells)
    assert md.splitlines()[0].startswith("| claim | drop-bias-correction")
    assert "| `adamnc.beta2_schedule` |" in md and "⚠" not in md.split("\n\n")[0]
    free = mutation_table.cells(proofs.claims("t41.agm_sum"), ["swap-betas"])
    assert free[0].status == "rule-free" and free[0].text() == "="
    rows = mutation_table.as_json(cells)
    assert {r["mutation"] for r in rows} == set(mutations.EVERY_MUTATION)


def test_a_wrong_declaration_shows_in_the_table():
    from dataclasses import replace

    base = proofs.claims("adamnc")[0]
    wrong = replace(base, detects=("x+delta",), survives={})  # x + δ leaves v unchanged
    (cell,) = mutation_table.cells([wrong], ["x+delta"])
    assert cell.outcome.proved and not cell.as_declared and cell.text().endswith("⚠")


@pytest.mark.slow  # octk verify on mutated rules
def test_verify_on_mutated_rules_finishes_with_a_table(monkeypatch):
    """`octk verify` on claims whose rules are mutated (drop the √, max → min, α/√(t+1)):
    every claim gets a row and the run ends with its summary, never an internal error."""
    from dataclasses import replace

    from click.testing import CliRunner

    from octk.cli import main

    def mutated(c):
        for label in ("drop-sqrt", "max->min", "alpha/sqrt(t+1)"):
            try:
                r = mutations.EVERY_MUTATION[label](c.rule())
            except ValueError:
                continue
            return replace(c, rule=lambda r=r: r)
        return c

    selected = [mutated(c) for c in proofs.claims() if c.family in ("theorem_4_1", "flawed_step")]
    monkeypatch.setattr(proofs, "claims", lambda pattern=None: selected)
    res = CliRunner().invoke(main, ["verify"], catch_exceptions=False)
    assert "internal error" not in res.output
    assert all(c.name in res.output for c in selected)
    assert f"of {len(selected)} claims as expected" in res.output
