"""``octk check``: the verdicts of issue #4 from the command line, its files and its errors.

Runs in-process through click's CliRunner and reuses the kernels of
``test_bounds.py`` (Adam with α/√t on RKK Theorem 1, C = 3 and 10).
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from octk.cli import main

ADAM_KB = (
    "--rule adam --param schedule=sqrt --param beta1=0 --param eps=0 --param beta2=1/(1+C**2)"
).split()


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_check_table_and_verdict():
    res = invoke("check", *ADAM_KB, "--param", "alpha=0.1", "--sequence", "reddi-thm1:C=3",
                 "--steps", "3000")  # fmt: skip
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "K&B Theorem 4.1" in out and "hypotheses" in out
    assert "holds  γ = β1²/√β2 < 1: γ = 0" in out
    assert "params      alpha=0.1, beta1=0, beta2=0.1, eps=0" in out
    assert "fails  Γ_t ⪰ 0" in out and "first at t = 2" in out
    assert "1,377" in out and "first violation" in out
    assert "verdict: hypotheses hold; bound violated first at T = 1,377" in out


def test_check_json_and_plot(tmp_path):
    png = tmp_path / "bound.png"
    res = invoke("check", *ADAM_KB, "--param", "alpha=1", "--sequence", "reddi-thm1:C=10",
                 "--steps", "3000", "--json", "--plot", png)  # fmt: skip
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["bound"] == "kb-thm4.1" and d["rule"] == "adam" and d["sequence"] == "reddi-thm1:C=10"
    cfg = d["configs"][0]
    assert cfg["first_violation"] == 144 and cfg["hypotheses_hold"]
    assert cfg["params"]["beta2"] == pytest.approx(1 / 101)
    assert cfg["gamma"]["count"] > 0 and cfg["gamma"]["first"] == 2
    assert set(cfg["checkpoints"]["terms"]) == {"D²√(Tv̂) term", "Σ‖g‖ term", "λ term"}
    assert d["plot"] == str(png) and png.read_bytes()[:4] == b"\x89PNG"


def test_check_holds_for_amsgrad():
    res = invoke("check", "--rule", "amsgrad", "--param", "alpha=0.1", "--sequence",
                 "reddi-thm1:C=3", "--steps", "3000", "--backend", "reference")  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "RKK Theorem 4" in res.stdout
    # at T ≤ 3,000 RKK's right-hand side is above T·min(G∞·W, G·D): it cannot fail yet
    assert "verdict: hypotheses hold; holds (vacuous) up to T = 3,000" in res.stdout


def test_check_search_table_json_and_heatmap(tmp_path):
    png = tmp_path / "heat.png"
    args = ["check", *ADAM_KB, "--sequence", "reddi-thm1", "--steps", "3000", "--search",
            "--grid", "C=3,10", "--grid", "alpha=0.1,1", "--heatmap", png]  # fmt: skip
    res = invoke(*args)
    assert res.exit_code == 0, res.output
    assert "fails at T = 1,377" in res.stdout and "fails at T = 144" in res.stdout
    assert png.read_bytes()[:4] == b"\x89PNG"
    res = invoke(*args, "--json", "--force")  # the heat map exists: replacing it needs --force
    d = json.loads(res.stdout)
    assert d["grid"] == {"C": [3.0, 10.0], "alpha": [0.1, 1.0]}
    cell = next(c for c in d["cells"] if c["params"] == {"C": 3.0, "alpha": 0.1})
    assert cell["first_violation"] == 1377 and cell["hypotheses_hold"]


def test_list_bounds():
    res = invoke("check", "--rule", "adam", "--sequence", "reddi-thm1", "--steps", "1",
                 "--list-bounds")  # fmt: skip
    assert res.exit_code == 0
    for name in ("kb-thm4.1", "rkk-thm4-submitted", "rkk-cor2", "duchi-adagrad", "zinkevich-ogd"):
        assert name in res.stdout
    assert "(unverified)" in res.stdout


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["--bound", "kb-thm41"], ["unknown bound 'kb-thm41'", "Did you mean 'kb-thm4.1'"]),
        (["--param", "beta2=1/(1+K**2)"], ["parameter beta2", "'K' is not allowed"]),
        (["--param", "gamma=1/C"], ["--param of rule 'adam'", "gamma"]),
        (["--search"], ["--search needs at least one --grid"]),
        (["--grid", "alpha=1"], ["--grid and --heatmap go with --search"]),
        (["--search", "--grid", "zeta=1,2"], ["unknown grid parameter", "zeta"]),
        (["--search", "--grid", "alpha=x"], ["--grid alpha must be a real number"]),
        (["--lam", "1"], ["lam must be in [0, 1)"]),
        (["--constants", "exact"], ["Invalid value for '--constants'"]),
    ],
)
def test_bad_input_is_one_line_exit_2(args, names):
    res = invoke("check", "--rule", "adam", "--sequence", "reddi-thm1", "--steps", "10", *args)
    assert res.exit_code == 2
    err = res.stderr.strip()
    assert err.startswith("octk: error:") and "\n" not in err and "Traceback" not in err
    for n in names:
        assert n in err, err


def test_no_bound_for_rule_says_which_to_choose():
    res = invoke("check", "--rule", "rmsprop", "--sequence", "reddi-thm1", "--steps", "10")
    assert res.exit_code == 2
    assert "no bound belongs to rule 'rmsprop'" in res.stderr and "kb-thm4.1" in res.stderr


def test_search_cell_that_stopped_being_finite_has_no_verdict():
    # C = 1e155: g² overflows at step 1 and Adam freezes; the cell must not read "holds"
    res = invoke("check", *ADAM_KB, "--sequence", "reddi-thm1",
                 "--steps", 100, "--search", "--grid", "C=3,1e155")  # fmt: skip
    assert res.exit_code == 3
    rows = {line.split()[0]: line for line in res.output.splitlines() if line.strip()[:1].isdigit()}
    assert "holds to T = 100" in rows["3"]
    assert "no verdict: the run stopped being finite" in rows["1e+155"]
    assert "1 of 2 cells stopped being finite" in res.output


def test_search_json_marks_the_nonfinite_cell():
    res = invoke("check", *ADAM_KB, "--sequence", "reddi-thm1",
                 "--steps", 100, "--search", "--grid", "C=3,1e155", "--json")  # fmt: skip
    assert res.exit_code == 3
    line = next(ln for ln in res.output.splitlines() if ln.startswith("{"))
    cells = json.loads(line)["cells"]
    assert [c["nonfinite"] for c in cells] == [False, True]
