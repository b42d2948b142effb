"""The claim framework: the registry, the certificates' own correctness, and ``octk verify``.

The families' claims are tested in their own files (with their mutations); here
every claim is run once through ``octk verify --json`` and must get its expected
verdict, and the certificate helpers are shown to refute what is false.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import sympy as sp
from click.testing import CliRunner

import proofs
from octk.cli import main
from octk.rules import rule
from proofs import certify, mutations
from proofs.claim import Claim, Scope, Verdict, all_of, proved, refuted, undecided

a, b = sp.symbols("a b", real=True)
n = sp.Symbol("n", integer=True, positive=True)
x = sp.Symbol("x", real=True)


def invoke(*args):
    return CliRunner().invoke(main, [str(v) for v in args], catch_exceptions=False)


# ----------------------------------------------------------------------------- registry
def test_claims_are_named_sourced_and_unique():
    cs = proofs.claims()
    assert cs, "no claims registered"
    names = [c.name for c in cs]
    assert len(names) == len(set(names)), "duplicate claim names"
    for c in cs:
        assert c.family in proofs.FAMILIES
        assert c.statement and c.source, c.name
        sp.latex(sp.Symbol("x"))  # the statements are LaTeX strings shown by the notebooks
        assert isinstance(c.expected, Verdict)


@pytest.mark.slow  # all of octk verify; each claim also has its own test
def test_every_claim_gets_its_expected_verdict_through_the_cli():
    res = invoke("verify", "--json")
    out = json.loads(res.stdout)
    bad = [(c["claim"], c["verdict"], c["detail"]) for c in out["claims"] if not c["ok"]]
    assert not bad, bad
    assert res.exit_code == 0
    assert out["failed"] == 0 and out["passed"] == len(proofs.claims())
    for c in out["claims"]:
        if c["verdict"] == "refuted":
            assert c["counterexample"] is not None or c["method"] == "limit", c["claim"]


def test_pattern_selects_by_name_or_family_and_unknown_is_one_line_error():
    assert all(c.family == "bias_correction" for c in proofs.claims("bias_correction"))
    assert [c.name for c in proofs.claims("bias.v_unrolled")] == ["bias.v_unrolled"]
    res = invoke("verify", "--claim", "no-such-claim")
    assert res.exit_code == 2
    assert res.output.count("\n") == 1 and "matches no claim" in res.output


def test_list_shows_claims_without_checking():
    res = invoke("verify", "--list", "--claim", "bias")
    assert res.exit_code == 0 and "bias.v_unrolled" in res.output


def test_an_unexpected_verdict_makes_verify_fail(monkeypatch):
    good = proofs.claims("bias.v_unrolled")[0]
    wrong = replace(good, name="bias.wrongly_expected", expected=Verdict.REFUTED)
    monkeypatch.setattr(proofs, "claims", lambda pattern=None: [good, wrong])
    res = invoke("verify")
    assert res.exit_code == 1
    assert "UNEXPECTED: bias.wrongly_expected" in res.output
    assert "expected refuted" in res.output


def test_a_check_that_cannot_apply_is_not_applicable_never_proved():
    c = proofs.claims("bias.v_unrolled")[0]
    ogd = rule("ogd")  # no second moment at all: the claim's expression is missing
    out = c.check(ogd)
    assert out.verdict is Verdict.NOT_APPLICABLE and "assigns no 'v'" in out.detail
    assert not out.reached and not out.detects


def _crashing(name="demo.crash"):
    def prove(r):
        return 1 / 0  # a bug in a check, not a verdict

    return Claim(
        name=name,
        statement="x",
        source="nowhere",
        prove=prove,
        rule=lambda: rule("adam"),
        scope=Scope.IDENTITY,
    )


def test_a_crash_is_an_error_verdict_that_never_detects_and_never_aborts(monkeypatch):
    out = _crashing().check()
    assert out.verdict is Verdict.ERROR and "ZeroDivisionError" in out.detail
    assert not out.detects and not out.reached and not out.proved
    good = proofs.claims("bias.v_unrolled")[0]
    monkeypatch.setattr(proofs, "claims", lambda pattern=None: [_crashing(), good])
    res = invoke("verify")
    assert res.exit_code == 1  # an error is never the expected verdict
    assert "bias.v_unrolled" in res.output  # the run went on after the crash
    assert "error" in res.output and "ZeroDivisionError" in res.output


# ----------------------------------------------------------------------------- mutations
def test_mutations_change_the_program_or_refuse():
    adam = rule("adam", schedule="sqrt")
    for name, mutate in mutations.EVERY_MUTATION.items():
        try:
            m = mutate(adam)
        except ValueError as e:
            assert "does not apply" in str(e)
            continue
        assert m.program != adam.program, name
        assert "~" in m.name
    with pytest.raises(ValueError, match="does not apply"):
        mutations.max_to_current(adam)


def test_max_to_current_takes_the_fresh_argument():
    ams = mutations.max_to_current(rule("amsgrad")).assignments(guarded=False)
    v = ams["v"]
    assert sp.simplify(ams["vmax"] - v) == 0
    adamax = mutations.max_to_current(rule("adamax")).assignments(guarded=False)
    assert adamax["u"] == sp.Abs(sp.Symbol("g", real=True))


# ----------------------------------------------------------------------------- certificates
def test_identity_proves_and_refutes_exactly():
    assert certify.identity((a + b) ** 2, a**2 + 2 * a * b + b**2).proved
    out = certify.identity((a + b) ** 2, a**2 + b**2)
    assert out.refuted
    env = {sp.Symbol(k, real=True): v for k, v in out.counterexample.items()}
    assert all(isinstance(v, sp.Rational) for v in env.values())
    assert sp.simplify(((a + b) ** 2 - a**2 - b**2).xreplace(env)) != 0


def test_sum_identity_telescopes():
    k = lambda i: i  # noqa: E731
    assert certify.sum_identity(k, lambda N: N * (N + 1) / 2, n).proved
    out = certify.sum_identity(k, lambda N: N * (N - 1) / 2, n)
    assert out.refuted


def test_induction_refutes_a_wrong_closed_form():
    g = sp.Function("g")
    k = sp.Symbol("k", integer=True, positive=True)
    beta = sp.Symbol("beta", positive=True)

    def rec(prev, N):
        return beta * prev + (1 - beta) * g(N)

    assert certify.induction(
        lambda N: (1 - beta) * sp.Sum(beta ** (N - k) * g(k), (k, 1, N)), rec, n, initial=0
    ).proved
    wrong = certify.induction(
        lambda N: (1 - beta) * sp.Sum(beta ** (N - k + 1) * g(k), (k, 1, N)), rec, n, initial=0
    )
    assert wrong.refuted


def test_sign_on_interval_decides_exactly():
    assert certify.sign_on_interval(x**2 + 1, x, -5, sp.oo).proved
    out = certify.sign_on_interval(x**2 - 2, x, 0, 2)
    assert out.refuted and (out.counterexample["x"] ** 2 - 2) <= 0
    assert certify.sign_on_interval((x - 1) ** 2, x, 0, 2, strict=False).proved
    assert certify.sign_on_interval((x - 1) ** 2, x, 0, 2, strict=True).refuted
    assert not certify.sign_on_interval(1 / (x - 1), x, 0, 2, strict=False).proved


def test_positive_coefficients_certificate():
    beta, s = sp.Symbol("beta", positive=True), sp.Symbol("s", positive=True)
    # 1 − β > 0 on (0, 1): with β = s/(1+s) it is 1/(1+s)
    assert certify.positive_coefficients(1 - beta, {beta: s / (1 + s)}, strict=True).proved
    out = certify.positive_coefficients(beta - sp.Rational(1, 2), {beta: s / (1 + s)})
    assert out.refuted
    assert out.counterexample["beta"] < sp.Rational(1, 2)  # in the original variable


def test_limit_compares_exactly():
    assert certify.limit(sp.sin(x) / x, x, 0, 1).proved
    assert certify.limit(1 / x**2, x, 0, sp.oo).proved
    assert certify.limit(sp.sin(x) / x, x, 0, 2).refuted


def test_all_of_is_a_conjunction():
    p, r, u = proved("m"), refuted("m", "no", {"a": 1}), undecided("m", "?")
    assert all_of(p, p).proved
    assert all_of(p, r, u).refuted
    assert all_of(p, u).verdict is Verdict.UNDECIDED


def test_claim_run_times_and_reports():
    c = Claim(
        name="demo.square",
        statement=r"(a+b)^2 = a^2 + b^2",
        source="nowhere",
        prove=lambda r: certify.identity((a + b) ** 2, a**2 + b**2),
        rule=lambda: rule("adam"),
        expected=Verdict.REFUTED,
    )
    res = c.run()
    assert res.ok and res.seconds >= 0
    d = res.as_dict()
    assert d["verdict"] == "refuted" and d["counterexample"]


def test_result_markdown_shows_statement_verdict_and_counterexample():
    c = Claim(
        name="demo.square",
        statement=r"(a+b)^2 = a^2 + b^2",
        source="nowhere, eq. (0)",
        prove=lambda r: certify.identity((a + b) ** 2, a**2 + b**2),
        rule=lambda: rule("adam"),
        assumptions=(r"a, b \in \mathbb{R}",),
        expected=Verdict.REFUTED,
        note="false in general",
    )
    md = c.run().markdown()
    assert "**`demo.square`** — nowhere, eq. (0)" in md
    assert "$$ (a+b)^2 = a^2 + b^2 $$" in md
    assert r"assuming $a, b \in \mathbb{R}$" in md
    assert "❌ refuted" in md and "expected **refuted**" in md
    assert "counterexample: `a=" in md and "*false in general*" in md
    assert "\\displaystyle" in md  # the derivation's step is shown
    assert "\\displaystyle" not in c.run().markdown(steps=False)
