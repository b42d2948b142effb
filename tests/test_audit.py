"""octk.audit: the counterexamples, the structural claims, the theorems, the worst case,
the report, the zoo table and ``octk audit`` -- at small sizes (one full audit is slow)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

import octk
import octk.rules
from octk.adversary import certificate
from octk.audit import counterexamples as cx
from octk.audit import structure, theorems
from octk.audit.settings import apply
from octk.cli import main
from octk.rules import adaptive, rule

SMALL = dict(steps=300, bound_steps=50, budget=40, seed=0)


def _user_rule():
    """A rule as a user builds it: AMSGrad's max over a bias-corrected EMA, α/√t."""
    return adaptive(
        name="myfix",
        title="My Adam fix",
        source="a user",
        defaults={"alpha": 0.1, "beta1": 0.9, "beta2": 0.99, "eps": 0.0},
        schedule="sqrt",
        amsgrad="vhat",
    )


# ----------------------------------------------------------------------------- counterexamples
@pytest.mark.parametrize(
    ("late", "mid", "star", "avg", "se", "want"),
    [
        (1.0, 1.0, -1.0, 0.6, 0.0, "wrong point"),
        (0.5, 0.9, -1.0, 0.2, 0.0, "undecided at T"),  # far, but approaching x*
        (0.2, 0.2, -1.0, 0.2, 0.2, "undecided at T"),  # far by less than two std errors
        (-0.95, -0.9, -1.0, 0.01, 0.0, "converges"),
        (float("nan"), 0.0, -1.0, 0.1, 0.0, "non-finite"),
        (1.0, 1.0, -1.0, -0.1, 0.0, "undecided at T"),  # no regret
    ],
)
def test_classify(late, mid, star, avg, se, want):
    assert cx.classify(late, mid, star, avg, se) == want


def test_an_iterate_swinging_across_F_is_at_no_point():
    assert cx.classify(0.2, 0.2, -1.0, 0.5, spread=1.8) == "undecided at T"
    assert cx.classify(0.2, 0.2, -1.0, 0.5, spread=0.1) == "wrong point"


def test_window_means_are_time_averages_over_the_steps():
    t = cx.checkpoints(8)
    assert {2, 4, 8} <= set(t.tolist())
    steps = np.arange(1, 9, dtype=float)  # x_s = s: Σ_{s≤t} x_s = t(t+1)/2
    x = t[None, :, None].astype(float)
    x_sum = (t * (t + 1) / 2)[None, :, None].astype(float)
    late, mid, swing = cx.window_means(t, x, x_sum)
    assert late[0, 0] == np.mean(steps[4:]) and mid[0, 0] == np.mean(steps[2:4])
    assert swing[0, 0] == 8 - min(v for v in t if v > 4)


def test_settings_apply_by_name_and_say_what_is_absent():
    adam = rule("adam", schedule="sqrt")
    a = apply(adam, adam.defaults, {"beta1": 0.0, "beta2": 0.1}, schedule="sqrt")
    assert a.params["beta1"] == 0.0 and a.params["beta2"] == 0.1 and not a.absent
    assert "as the counterexample states" in a.schedule
    ogd = rule("ogd", schedule="constant")
    b = apply(ogd, ogd.defaults, {"beta1": 0.0, "beta2": 0.1}, schedule="sqrt")
    assert b.absent == ("beta1", "beta2") and "beta2" not in b.params
    assert "runs as it is" in b.schedule and "the rule has no beta1, beta2" in b.note()


def test_settings_outside_a_rules_range_are_not_applied():
    adam = rule("adam")
    a = apply(adam, adam.defaults, {"beta2": np.array([0.1, 1.5]), "eps": -1.0})
    assert list(a.params["beta2"]) == [0.1] and a.params["eps"] == adam.defaults["eps"]
    assert "eps = -1 (range [0, inf))" in a.note() and "some beta2 values" in a.note()


def test_theorem1_grid_is_one_simulation(monkeypatch):
    calls = []
    real = cx.simulate

    def counting(*args, **kwargs):
        calls.append(kwargs.get("params"))
        return real(*args, **kwargs)

    monkeypatch.setattr(cx, "simulate", counting)
    adam = rule("adam", schedule="sqrt")
    fam = cx.theorem1(adam, adam.defaults, 3000, "reference")
    assert len(calls) == 1
    assert len(fam.cells) == len(cx.beta2_grid()) * len(cx.THM1_C)
    # β2 = 1/(1 + C²), C = 3: Adam goes to x = +1 although x* = −1 (RKK Theorem 1)
    cell = next(c for c in fam.cells if c["C"] == 3 and abs(c["beta2"] - 0.1) < 1e-12)
    assert cell["outcome"] == "wrong point" and cell["x_star"] == -1.0
    assert cell["gamma_negative"] > 0 and cell["gamma_first"] == 2  # Γ_2 < 0 (theory §4)
    assert fam.verdict == "fails"


def test_a_rule_without_beta2_runs_one_configuration():
    ogd = rule("ogd")
    fam = cx.theorem1(ogd, ogd.defaults, 2000, "reference")
    assert {c["beta2"] for c in fam.cells} == {None} and len(fam.cells) == len(cx.THM1_C)
    assert "beta2" in fam.settings.absent
    assert fam.verdict == "converges"


def test_a_nonlinear_loss_goes_through_the_comparator():
    traj = octk.simulate(
        rule("ogd"),
        octk.sequence("reddi-thm1:C=3", loss="quadratic"),
        steps=200,
        backend="reference",
        monitors=cx._monitors(),
    )
    q = cx._per_coordinate(traj)
    reg = octk.regret(traj)
    assert q.avg_T[0, 0] == pytest.approx(reg.average[0, -1])
    assert q.star[0, 0] == pytest.approx(reg.x_star[0, -1, 0])


def test_zhang_is_skipped_with_its_reason_when_unregistered(monkeypatch):
    import octk.sequences

    monkeypatch.setattr(octk.sequences, "sequence_names", lambda: ("reddi-thm1",))
    fam = cx.zhang(rule("adam"), {}, 100, "reference")
    assert fam.verdict == "skipped" and "no Zhang et al. sequence" in fam.reason


# ----------------------------------------------------------------------------- structure
def _verdicts(
    r, params=None, names=("audit.gamma", "audit.scale", "audit.step_limit", "audit.first_step")
):
    claims = structure.claims(r, r.defaults if params is None else params)
    return {c.name: c.check(r) for c in claims if c.name in names}


def test_gamma_proved_for_amsgrad_and_refuted_for_adam_with_an_exact_counterexample():
    ams = _verdicts(rule("amsgrad"), names=("audit.gamma",))["audit.gamma"]
    assert ams.verdict.value == "proved"
    adam = _verdicts(rule("adam"), names=("audit.gamma",))["audit.gamma"]
    assert adam.verdict.value == "refuted"
    assert adam.counterexample["g_1"] == 1 and adam.counterexample["t"] == 2


def test_scale_invariance_and_the_step():
    adam = rule("adam")
    with_eps = _verdicts(adam, names=("audit.scale",))
    assert with_eps["audit.scale"].verdict.value == "refuted"  # ε > 0: δ_1(2g) ≠ δ_1(g)
    no_eps = _verdicts(adam, {**adam.defaults, "eps": 0.0}, ("audit.scale", "audit.first_step"))
    assert no_eps["audit.scale"].verdict.value == "proved"
    assert no_eps["audit.first_step"].detail == "sup_g |δ_1| = 1/1000"  # α, K&B §2.1
    ogd = _verdicts(rule("ogd"), names=("audit.scale", "audit.step_limit"))
    assert ogd["audit.scale"].verdict.value == "refuted"
    assert ogd["audit.step_limit"].verdict.value == "refuted"  # α g/√t is unbounded in g
    ams = _verdicts(rule("amsgrad"), names=("audit.step_limit",))
    assert ams["audit.step_limit"].verdict.value == "proved"
    assert "sqrt(10)/(1000*sqrt(t))" in ams["audit.step_limit"].detail  # α/√(t(1 − β2))


def test_a_sign_step_has_no_gamma_and_says_why():
    """A rule written by hand (Lion's sign step): Γ_t is not defined, and the claim says so."""
    import sympy as sp

    from octk.rules import Hyperparameter, Rule, State
    from octk.rules.rule import hyper_symbol
    from octk.symbols import g, x

    a, b1, b2 = (hyper_symbol(n) for n in ("alpha", "beta1", "beta2"))
    m, c, delta = (sp.Symbol(n, real=True) for n in ("m", "c", "delta"))
    lion = Rule(
        name="lion-by-hand",
        title="Lion",
        source="Chen et al. 2023",
        hyperparameters=(
            Hyperparameter("alpha", 1e-4, "step", 0),
            Hyperparameter("beta1", 0.9, "interpolation", 0, 1, False, True),
            Hyperparameter("beta2", 0.99, "momentum", 0, 1, False, True),
        ),
        state=(State("m", sp.Integer(0), "momentum"),),
        program=(
            (c, b1 * m + (1 - b1) * g),
            (delta, a * sp.sign(c)),
            (m, b2 * m + (1 - b2) * g),
            (x, x - delta),
        ),
    )
    out = _verdicts(lion)
    assert out["audit.gamma"].verdict.value == "not applicable"
    assert "not of the form" in out["audit.gamma"].detail
    assert out["audit.scale"].verdict.value == "proved"  # sign(c·m) = sign(m)
    assert out["audit.first_step"].detail == "sup_g |δ_1| = 1/10000"


def test_theorems_read_structurally():
    adam = rule("adam", schedule="sqrt")
    params = {**adam.defaults, "beta1": 0.0, "eps": 0.0}
    holds = {a.theorem.name for a in theorems.applicable(adam, params, "reference") if a.holds}
    assert "kb-thm4.1" in holds and "rkk-thm4" not in holds
    at_defaults = theorems.applicable(adam, adam.defaults, "reference")
    kb = next(a for a in at_defaults if a.theorem.name == "kb-thm4.1")
    assert not kb.holds and any("ε = 0" in c.name for c in kb.failing)


# ----------------------------------------------------------------------------- the report
def test_a_user_rule_audits_and_reports_every_section(tmp_path):
    rep = octk.audit(_user_rule(), out=tmp_path, backend="reference", **SMALL)
    assert [s.key for s in rep.sections] == ["counterexamples", "structure", "bounds", "worst"]
    assert len(repr(rep).splitlines()) == 5
    assert rep.summary["gamma"] == "proved"  # the max keeps 1/η_t non-decreasing
    assert "Γ_t ≥ 0 at every step" in rep.section("structure").data["gamma_observed"]
    data = json.loads((tmp_path / "audit.json").read_text())
    assert data["rule"] == "myfix" and data["summary"]["worst"]["status"] in (
        "certified",
        "not re-checkable",
    )
    md = (tmp_path / "audit.md").read_text()
    assert "![Counterexamples](counterexamples.png)" in md
    assert (tmp_path / "counterexamples.png").stat().st_size > 0
    assert "scope: *general*" in md  # the claims scoped as octk verify scopes them


def _zoo(tmp_path, monkeypatch, names):
    monkeypatch.setattr(octk.rules, "zoo_names", lambda: names, raising=False)
    from octk.audit import zoo_table

    table = zoo_table(tmp_path, backend="reference", steps=2000, bound_steps=50, budget=40)
    assert [r["rule"] for r in table.rows] == list(names)
    text = (tmp_path / "zoo.md").read_text()
    assert text.count("\n| `") == len(names)
    fails = [r for r in table.rows if r["counterexamples"].startswith("fails")]
    assert fails, "adam fails RKK Theorem 1 at β1 = 0, β2 = 1/(1 + C²)"
    for r in fails:
        cert = r["summary"]["counterexample_certificate"]
        assert cert["file"] in r["counterexamples"] or "certificate" in r["counterexamples"]
        ok, message = certificate.check(certificate.load(cert["file"]))
        assert ok, message
    return table


def test_zoo_table_every_fails_cell_carries_a_certificate_that_rechecks(tmp_path, monkeypatch):
    table = _zoo(tmp_path, monkeypatch, ("adam",))
    assert table.rows[0]["gamma"].startswith("refuted (`alpha=1, beta1=0, beta2=1/10")
    assert json.loads((tmp_path / "zoo.json").read_text())["settings"]["rules"] == ["adam"]


@pytest.mark.slow
def test_zoo_table_adam_and_amsgrad(tmp_path, monkeypatch):
    table = _zoo(tmp_path, monkeypatch, ("adam", "amsgrad"))
    ams = next(r for r in table.rows if r["rule"] == "amsgrad")
    assert ams["gamma"] == "proved" and not ams["counterexamples"].startswith("fails")


# ----------------------------------------------------------------------------- the CLI
def test_cli_errors_are_one_line():
    runner = CliRunner()
    res = runner.invoke(main, ["audit"])
    assert res.exit_code == 2 and "needs --rule NAME" in res.output
    res = runner.invoke(main, ["audit", "--zoo"])
    assert res.exit_code == 2 and "--zoo needs --out DIR" in res.output
    res = runner.invoke(main, ["audit", "--rule", "adam", "--budget", "12"])
    assert res.exit_code == 2 and "budget" in res.output and "32" in res.output


def test_cli_json():
    args = [
        "audit",
        "--rule",
        "ogd",
        "--steps",
        "300",
        "--bound-steps",
        "50",
        "--budget",
        "40",
        "--backend",
        "reference",
        "--json",
    ]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["summary"]["gamma"] == "proved"  # 1/η_t = √t/α grows
    assert set(data["sections"]) == {"counterexamples", "structure", "bounds", "worst"}
    # OGD with α_t = α/√t meets Zinkevich's structural hypotheses, and only his
    assert data["sections"]["bounds"]["applies"] == ["zinkevich-ogd"]
    families = data["sections"]["counterexamples"]["families"]
    assert "beta2" in families[0]["settings"]["absent"]


@pytest.mark.slow
def test_full_audit_of_adam(tmp_path):
    rep = octk.audit("adam", options={"schedule": "sqrt"}, budget=60, out=tmp_path)
    assert rep.summary["counterexamples"] == "fails"
    assert rep.summary["gamma"] == "refuted"
    cert = rep.summary["counterexample_certificate"]
    assert cert["status"] == "certified" and cert["limit_rate"] > 0
    ok, message = certificate.check(certificate.load(cert["file"]))
    assert ok, message
    worst = rep.summary["worst"]
    ok, message = certificate.check(certificate.load(worst["file"]))
    assert ok, message
    md = rep.to_markdown()
    assert r"\Gamma_t" in md and "counterexample: `alpha=1, beta1=0, beta2=1/10" in md
