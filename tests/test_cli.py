"""The ``octk`` command line: outputs, numbers, files, registries and error messages.

Most tests run in-process through click's CliRunner. Only one Numba kernel is
compiled (Adam, constant α, on RKK's Theorem 1 sequence), and every Numba test
reuses it; the reproduction runs at scale 0.001 on the reference backend.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from octk.cli import main

T = 300
# RKK Theorem 1, C = 3, with β1 = 0, β2 = 1/(1 + C²) = 0.1 and a constant α = 0.1
THM1 = (
    "--rule adam --param alpha=0.1 --param beta1=0 --param beta2=0.1 "
    f"--sequence reddi-thm1:C=3 --steps {T}"
).split()


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def run_json(*args) -> dict:
    res = invoke("run", *args, "--json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def adam_thm1(steps, alpha=0.1, beta1=0.0, beta2=0.1, eps=1e-8, C=3.0):
    """K&B Algorithm 1 on f_t = C x (t mod 3 = 1) else −x, clipped to [−1, 1], by hand."""
    x = m = v = played = 0.0
    for t in range(1, steps + 1):
        g = C if t % 3 == 1 else -1.0
        played += g * x
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        mhat, vhat = m / (1 - beta1**t), v / (1 - beta2**t)
        x = min(1.0, max(-1.0, x - alpha * mhat / (math.sqrt(vhat) + eps)))
    return x, played


@pytest.fixture(scope="module")
def ref_json():
    return run_json(*THM1, "--backend", "reference")


@pytest.fixture(scope="module")
def numba_json():
    return run_json(*THM1, "--backend", "numba")


def test_run_json_reference_fields_and_numbers(ref_json):
    r = ref_json
    keys = "steps x regret average_regret comparator checkpoints rule preset params sequence"
    for key in (*keys.split(), "domain", "backend"):
        assert key in r, key
    assert (r["rule"], r["preset"], r["backend"], r["steps"]) == ("adam", "paper", "reference", T)
    assert r["sequence"] == "reddi-thm1:C=3" and r["domain"] == "box:-1,1"
    assert r["params"] == {"alpha": 0.1, "beta1": 0.0, "beta2": 0.1, "eps": 1e-8}
    # Adam drifts to the wrong end x = +1 although x* = −1
    x_hand, played_hand = adam_thm1(T)
    assert r["x"][0] > 0.9
    assert r["x"][0] == pytest.approx(x_hand, rel=1e-9, abs=1e-12)
    # Σ c_t = 100 (3 − 1 − 1 per period) → min Σ f_t = −100 at x* = −1
    comp = r["comparator"]
    assert comp["x"] == [-1.0] and comp["value"] == -100.0
    assert comp["status"] == "optimal" and comp["solver"] == "closed-form"
    assert r["regret"] == pytest.approx(played_hand + 100.0, rel=1e-9)
    assert r["regret"] > 0
    assert r["average_regret"] == pytest.approx(r["regret"] / T, rel=1e-12)
    ck = r["checkpoints"]
    assert ck["t"][0] == 1 and ck["t"][-1] == T and ck["t"] == sorted(set(ck["t"]))
    assert len(ck["regret"]) == len(ck["t"]) == len(ck["x"]) == len(ck["average_regret"])
    assert ck["x"][-1] == r["x"] and ck["regret"][-1] == r["regret"]


def test_run_json_numba_matches_reference(ref_json, numba_json):
    assert numba_json["backend"] == "numba"
    assert numba_json["x"] == pytest.approx(ref_json["x"], rel=1e-12, abs=1e-12)
    assert numba_json["checkpoints"]["t"] == ref_json["checkpoints"]["t"]
    np.testing.assert_allclose(
        numba_json["checkpoints"]["regret"],
        ref_json["checkpoints"]["regret"],
        rtol=1e-12,
        atol=1e-12,
    )


def test_run_summary_table():
    res = invoke("run", *THM1, "--backend", "reference")
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "Adam [paper]" in out and "R_T/T =" in out and "comparator" in out
    assert "x* = [-1]" in out and "min Σ f_t = -100" in out


def test_trace_shape_and_values(tmp_path):
    path = tmp_path / "trace.npy"
    r = run_json(*THM1, "--backend", "numba", "--x0", "0,0.5", "--trace", path)
    xs = np.load(path)
    assert xs.shape == (T, 2)
    assert xs[-1].tolist() == r["x"]
    ck = r["checkpoints"]
    assert ck["t"][-1] == T and len(ck["t"]) < T  # regret only at the log-spaced subset
    np.testing.assert_array_equal(xs[np.asarray(ck["t"]) - 1], np.asarray(ck["x"]))


@pytest.mark.parametrize(("name", "magic"), [("run.png", b"\x89PNG"), ("run.pdf", b"%PDF")])
def test_plot_file(tmp_path, name, magic):
    path = tmp_path / name
    res = invoke("run", *THM1[:-1], 50, "--backend", "reference", "--plot", path)
    assert res.exit_code == 0, res.output
    assert path.read_bytes()[:4] == magic


def test_param_splits_options_from_hyperparameters():
    r = run_json(
        "--rule",
        "adam",
        "--param",
        "schedule=sqrt",
        "--param",
        "bias_correction_m=false",
        "--param",
        "eps_mode=inside",
        "--param",
        "alpha=0.5",
        "--sequence",
        "reddi-thm1",
        "--steps",
        10,
        "--backend",
        "reference",
    )
    assert r["options"]["schedule"] == "sqrt" and r["options"]["bias_correction_m"] is False
    assert r["options"]["eps_mode"] == "inside" and r["params"]["alpha"] == 0.5


def test_array_sequence(tmp_path):
    path = tmp_path / "c.npy"
    np.save(path, np.tile([1.0, -2.0], (20, 1)))
    r = run_json(
        "--rule", "ogd", "--sequence", f"array:path={path}", "--steps", 20, "--backend", "reference"
    )
    assert r["d"] == 2 and r["comparator"]["x"] == [-1.0, 1.0]
    assert r["comparator"]["value"] == -60.0


def test_emit_source():
    res = invoke("run", "--rule", "amsgrad", "--sequence", "reddi-synthetic", "--emit-source")
    assert res.exit_code == 0, res.output
    assert "@njit" in res.stdout and "def kernel(" in res.stdout
    assert "Rule('amsgrad'" in res.stdout and "reddi-synthetic" in res.stdout


def test_list_names_every_registry_entry():
    from octk.backends import BACKENDS
    from octk.domains import DOMAINS
    from octk.rules import PRESETS, SPECS
    from octk.sequences import SEQUENCES

    res = invoke("list")
    assert res.exit_code == 0, res.output
    first_words = {line.split()[0] for line in res.stdout.splitlines() if line.startswith("  ")}
    for registry in (SPECS, SEQUENCES, DOMAINS, BACKENDS, PRESETS):
        missing = set(registry) - first_words
        assert not missing, missing
    only = invoke("list", "--domains").stdout.split()
    assert set(DOMAINS) <= set(only) and "adam" not in only


def test_list_verbose_shows_each_preset_program():
    from octk.rules import SPECS, rule

    out = invoke("list", "--rules", "-v").stdout
    for name, spec in SPECS.items():
        for preset in spec.presets:
            for line in rule(name, preset).describe().splitlines():
                assert line.strip() in out, (name, preset, line)


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["--rule", "amsgard", "--sequence", "reddi-thm1", "--steps", 3], ["amsgard", "amsgrad"]),
        (
            ["--rule", "adam", "--param", "beta1=1.5", "--sequence", "reddi-thm1", "--steps", 3],
            ["beta1", "[0, 1)"],
        ),
        (["--rule", "adam", "--sequence", "reddi-thm1", "--steps", 0], ["steps"]),
        (
            ["--rule", "adam", "--param", "beta1", "--sequence", "reddi-thm1", "--steps", 3],
            ["--param", "NAME=VALUE"],
        ),
        (
            ["--rule", "adam", "--param", "alhpa=1", "--sequence", "reddi-thm1", "--steps", 3],
            ["alhpa", "alpha"],
        ),
        (
            ["--rule", "adam", "--param", "schedule=sqr", "--sequence", "reddi-thm1", "--steps", 3],
            ["schedule", "sqrt"],
        ),
        (["--rule", "adam", "--sequence", "reddi-thm1:D=3", "--steps", 3], ["'D'", "C"]),
        (
            ["--rule", "adam", "--sequence", "array:path=/no/such/file.npy", "--steps", 3],
            ["path", "/no/such/file.npy"],
        ),
        (
            ["--rule", "adam", "--sequence", "reddi-thm1", "--steps", 3, "--backend", "cuda"],
            ["backend", "cuda"],
        ),
        (["--rule", "adam", "--sequence", "reddi-thm1", "--steps", 3, "--x0", "abc"], ["x0"]),
        (["--rule", "adam", "--sequence", "reddi-thm1", "--steps", 3, "--bogus"], ["--bogus"]),
        (["--rule", "adam", "--sequence", "reddi-thm1"], ["--steps"]),
    ],
)
def test_bad_input_is_one_line_exit_2(args, names):
    res = invoke("run", *args)
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("octk: error: "), res.stderr
    assert "Traceback" not in res.output
    for name in names:
        assert name in lines[0]
    assert res.stdout == ""


def test_reproduce_reddi2018_tiny(tmp_path):
    out = tmp_path / "repro"
    res = invoke(
        "reproduce",
        "reddi2018",
        "--scale",
        0.001,
        "--backend",
        "reference",
        "--out",
        out,
        "--no-progress",
    )
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0].startswith("step sizes:") and "0.1/√t" in lines[0] and "1/√t" in lines[0]
    for name in ("figure1.png", "theorem1.png", "table.md", "results.json"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    assert (out / "figure1.png").read_bytes()[:4] == b"\x89PNG"
    data = json.loads((out / "results.json").read_text())
    rows = {(r["key"], r["method"]): r for r in data["rows"]}
    assert len(rows) == 9
    assert rows["thm1-C3", "Adam"]["T"] == 300 and rows["online", "Adam"]["T"] == 6000
    assert rows["stochastic", "Adam"]["seeds"] == 8
    assert rows["thm1-C10", "Adam"]["x_T"] == 1.0  # Adam at the wrong end already
    assert "| Theorem 1, C = 3 | Adam |" in (out / "table.md").read_text()
    assert "| Theorem 1, C = 3 | Adam |" in res.stdout
    bad = invoke("reproduce", "reddi2017")
    assert bad.exit_code == 2 and "reddi2018" in bad.stderr


def test_bare_octk_shows_help():
    res = invoke()
    assert res.exit_code == 0 and "reproduce" in res.stdout and "run" in res.stdout


def test_python_m_octk():
    res = subprocess.run(
        [sys.executable, "-m", "octk", "list", "--backends"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    assert "numba" in res.stdout and "reference" in res.stdout


@pytest.mark.skipif(shutil.which("octk") is None, reason="the octk script is not installed")
def test_octk_entry_point(numba_json):
    env = dict(os.environ)
    res = subprocess.run(
        ["octk", "run", *THM1, "--json"], capture_output=True, text=True, env=env, timeout=300
    )
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["x"] == numba_json["x"]
    bad = subprocess.run(
        ["octk", "run", "--rule", "nope", "--sequence", "reddi-thm1", "--steps", "3"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0 and bad.stderr.startswith("octk: error: ")
