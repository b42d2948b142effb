"""octk adversary: batched search, replayable specs, certificates and their re-check."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pytest

import octk
from octk.adversary import adversary
from octk.adversary import certificate as cert_mod
from octk.adversary.batch import Batcher
from octk.adversary.families import Family, GradientBound
from octk.adversary.limit import limit_certificate
from octk.backends import exact as ex
from octk.domains import domain
from octk.errors import ParameterError
from octk.symbols import DATA

OGD_CONSTANT = {"schedule": "constant"}


def _ogd_ball(n: int, budget: int, seed: int = 0, out=None):
    return adversary(
        "ogd",
        domain="ball:0.5;projection=euclidean",
        d=n + 1,
        steps=n,
        family="free",
        bound="l2:1",
        x0="free",
        objective="regret",
        budget=budget,
        seed=seed,
        params={"alpha": 1 / math.sqrt(n)},
        options=OGD_CONSTANT,
        out=out,
    )


@pytest.mark.parametrize("layout", ["box:-1,1", "ball:2;projection=euclidean"])
def test_batch_matches_one_run_per_candidate(layout):
    """Every candidate of one batched run equals its own octk.simulate run (reference)."""
    rng = np.random.default_rng(1)
    C, T, d = 3, 5, 2
    tables = rng.uniform(-1, 1, (C, T, d))
    x0 = rng.uniform(-0.5, 0.5, (C, d))
    dom = domain(layout)
    rule = octk.rule("adam", schedule="sqrt")
    b = Batcher(
        rule,
        {"alpha": 0.3},
        dom,
        DATA,
        rows=T,
        d=d,
        wrap=False,
        steps=T,
        checkpoints=[T],
        bound=1.0,
        backend="reference",
    )
    run = b.run(tables, x0)
    for c in range(C):
        traj = octk.simulate(
            rule,
            octk.sequence("array", path=tables[c]),
            dom,
            steps=T,
            x0=x0[c],
            params={"alpha": 0.3},
            backend="reference",
        )
        assert run.loss[c, -1] == pytest.approx(traj.loss[0, -1], rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(run.x[c, -1], traj.x_final[0], rtol=1e-12, atol=1e-12)


def test_ogd_ball_reaches_the_exact_worst_case_and_certifies_it(tmp_path):
    """Done-when: OGD, step D/(M√n), ball of diameter 1 in dimension n+1, free x_1:
    ≥ 99 % of M·D·√n, certified, and the certificate re-checks (n = 2, 3 here)."""
    for n in (2, 3):
        res = _ogd_ball(n, 6000, out=tmp_path / f"ogd{n}.json")
        exact_worst = math.sqrt(n)
        assert res.value >= 0.99 * exact_worst
        assert res.value <= exact_worst * (1 + 1e-9)  # Zinkevich's bound holds
        assert res.known["value"] == pytest.approx(exact_worst)
        c = res.certificate
        assert c["status"] == "certified" and c["lower_bound_float"] >= 0.99 * exact_worst
        ok, msg = cert_mod.check(cert_mod.load(res.certificate_file))
        assert ok, msg


@pytest.mark.slow
def test_ogd_ball_n8():
    res = _ogd_ball(8, 100000)
    assert res.certificate["lower_bound_float"] >= 0.99 * math.sqrt(8)


def test_tampered_certificate_is_rejected(tmp_path):
    res = _ogd_ball(2, 3000, out=tmp_path / "r.json")
    cert = cert_mod.load(res.certificate_file)
    assert cert_mod.check(cert)[0]
    # a larger claim than the run proves
    bad = json.loads(json.dumps(cert))
    bad["lower_bound"] = str(Fraction(cert["lower_bound"]) + Fraction(1, 10**6))
    assert not cert_mod.check(bad)[0]
    # a gradient changed: the claim no longer follows from the re-run
    bad = json.loads(json.dumps(cert))
    bad["sequence"]["table"][0] = ["0"] * len(bad["sequence"]["table"][0])
    assert not cert_mod.check(bad)[0]
    # a gradient beyond the bound ‖g‖₂ ≤ 1 is refused outright
    bad = json.loads(json.dumps(cert))
    bad["sequence"]["table"][0][0] = "2"
    ok, msg = cert_mod.check(bad)
    assert not ok and "exceeds the bound" in msg
    # x_1 outside the ball
    bad = json.loads(json.dumps(cert))
    bad["x0"][0] = "1"
    ok, msg = cert_mod.check(bad)
    assert not ok and "not in the domain" in msg


def _rkk_certificate(table):
    """A certificate skeleton for Adam at RKK Theorem 1's settings on a periodic table."""
    return {
        "octk_certificate": 1,
        "rule": "adam",
        "preset": "paper",
        "options": dict(octk.rule("adam", schedule="sqrt").options),
        "params": {"alpha": "1/10", "beta1": "0", "beta2": "1/10", "eps": "1/100000000"},
        "domain": "box:-1,1",
        "d": 1,
        "bound": {"norm": "inf", "value": "3"},
        "sequence": {"kind": "table", "G": "3", "wrap": True, "table": table},
        "x0": ["1"],
        "objective": "rate",
        "steps": 60,
        "T0": 30,
    }


def test_limit_rate_of_rkk_theorem_1_is_two_thirds():
    """RKK's C x, −x, −x (C = 3) against Adam (β1 = 0, β2 = 0.1, α/√t): lim R_T/T = 2/3
    exactly, with the periodic orbit of v enclosed; (3, 0, 0) drifts to x* (rate 0)."""
    part = limit_certificate(_rkk_certificate([["3"], ["-1"], ["-1"]]))
    assert part["status"] == "certified"
    assert Fraction(part["rate"]) == Fraction(2, 3) and part["faces"] == ["1"]
    other = limit_certificate(_rkk_certificate([["3"], ["0"], ["0"]]))
    assert other["status"] == "certified" and Fraction(other["rate"]) == 0


def test_adam_periodic_search_beats_rkk(tmp_path):
    """Done-when: a periodic pattern against Adam at RKK Theorem 1's settings whose
    certified long-run average regret is at least RKK's 2/3."""
    res = adversary(
        "adam",
        domain="box:-1,1",
        steps=20000,
        family="periodic:p=3",
        bound=3,
        x0="free",
        objective="rate",
        budget=600,
        seed=0,
        params={"alpha": 0.1, "beta1": 0.0, "beta2": 0.1},
        options={"schedule": "sqrt"},
        out=tmp_path / "adam.json",
        certify_steps=5000,  # the finite run is not redone (CI time): the limit is certified
    )
    assert res.known["value"] == pytest.approx(2 / 3)
    assert res.certificate["status"] == "certified"
    assert res.certificate["finite"] == "skipped"
    assert res.certificate["limit"]["tests"] == ["krawczyk"]
    assert res.limit_rate is not None and res.limit_rate >= 2 / 3
    assert res.sequence.startswith("periodic:values=")
    ok, msg = cert_mod.check(cert_mod.load(res.certificate_file))
    assert ok, msg
    # the spec replays: octk run on it gives the searched objective's run
    rule = octk.rule("adam", schedule="sqrt")
    traj = octk.simulate(
        rule,
        res.sequence,
        "box:-1,1",
        steps=20000,
        x0=res.x0,
        params={"alpha": 0.1, "beta1": 0.0, "beta2": 0.1},
        checkpoints=[res.T0, 20000],
    )
    reg = octk.regret(traj).regret[0]
    rate = (reg[-1] - reg[0]) / (20000 - res.T0)
    assert rate == pytest.approx(res.value, rel=1e-9)


def test_exact_evaluator_is_exact_for_ogd_on_a_box():
    """OGD with a rational constant step on a box runs in exact rationals."""
    rule = octk.rule("ogd", schedule="constant")
    seq = octk.Sequence("t", {}, DATA, data=np.zeros((1, 1)), wrap=True)
    from octk.backends.program import lower

    out = ex.run(
        lower(rule, seq),
        domain("box:-1,1"),
        x0=[Fraction(0)],
        params={"alpha": Fraction(1, 2)},
        data=[[Fraction(1)], [Fraction(-1, 3)]],
        steps=4,
        wrap=True,
    )
    # x: 0, -1/2, -1/3, -5/6 ; loss Σ g x = 0 + 1/6 - 1/3 + 5/18
    assert isinstance(out["loss"], Fraction)
    assert out["loss"] == Fraction(0) + Fraction(1, 6) - Fraction(1, 3) + Fraction(5, 18)


def test_errors_name_the_parameter():
    with pytest.raises(ParameterError, match="family"):
        Family.parse("weird")
    with pytest.raises(ParameterError, match="p=P"):
        Family.parse("periodic:q=3")
    with pytest.raises(ParameterError, match="bound"):
        GradientBound.parse("l3:1")
    with pytest.raises(ParameterError, match="objective"):
        adversary("ogd", steps=2, objective="nope", budget=100)


def test_cli_adversary_json_and_certify(tmp_path):
    """octk adversary --json prints the spelled-out keys; octk certify re-checks the file
    (exit 0) and rejects a tampered copy (exit 1); the sequence spec replays with octk run."""
    from click.testing import CliRunner

    from octk.cli import main

    runner = CliRunner()
    out = tmp_path / "res.json"
    res = runner.invoke(
        main,
        [
            "adversary",
            "--rule",
            "ogd",
            "--param",
            "schedule=constant",
            "--param",
            "alpha=0.5",
            "--domain",
            "box:-1,1",
            "--steps",
            "4",
            "--family",
            "periodic:p=2",
            "--bound",
            "1",
            "--x0",
            "0",
            "--objective",
            "regret",
            "--budget",
            "200",
            "--seed",
            "1",
            "--out",
            str(out),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    for key in ("objective", "value", "sequence", "x0", "certificate"):
        assert key in data
    assert set(data["certificate"]) >= {"status", "lower_bound", "file"}
    assert data["certificate"]["status"] == "certified"
    assert data["certificate"]["lower_bound"] <= data["value"] + 1e-12
    cfile = data["certificate"]["file"]
    ok = runner.invoke(main, ["certify", cfile])
    assert ok.exit_code == 0 and ok.output.startswith("holds"), ok.output
    cert = json.loads(open(cfile).read())
    cert["lower_bound"] = str(Fraction(cert["lower_bound"]) * 2 + 1)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(cert))
    rej = runner.invoke(main, ["certify", str(bad)])
    assert rej.exit_code == 1 and "REJECTED" in rej.output
    run = runner.invoke(
        main,
        [
            "run",
            "--rule",
            "ogd",
            "--param",
            "schedule=constant",
            "--param",
            "alpha=0.5",
            "--sequence",
            data["sequence"],
            "--steps",
            "4",
            "--x0",
            "0",
            "--json",
        ],
    )
    assert run.exit_code == 0, run.output
    assert json.loads(run.output)["regret"] == pytest.approx(data["value"], rel=1e-12)


def test_ogd_against_pepit_exact_worst_case():
    """PEPit's exact worst-case regret of OGD (step D/(M√n), M-Lipschitz convex losses, a set
    of diameter D) against octk's certified search on linear losses over a ball of
    diameter D in dimension n+1: equal to 1 %, and never above PEPit's bound."""
    pep = pytest.importorskip("PEPit.examples.online_learning.online_gradient_descent")
    n = 2
    tau, theory = pep.wc_online_gradient_descent(M=1, D=1, n=n, verbose=-1)
    assert tau == pytest.approx(theory, rel=1e-4)
    res = _ogd_ball(n, 3000)
    lb = res.certificate["lower_bound_float"]
    assert 0.99 * tau <= lb <= tau * (1 + 1e-6)
