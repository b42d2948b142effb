"""Every bad input of the CLI and the API is an octk error naming the parameter, the
value and what is allowed; every output is checked before the work; --trace streams;
Ctrl-C stops a long run and says where."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import octk
from octk.cli import main
from octk.errors import OctkError, ParameterError
from octk.expressions import MAX_DEPTH, parse_expression

REF = ["--rule", "ogd", "--sequence", "reddi-thm1:C=3", "--backend", "reference"]


def invoke(*args, env=None):
    return CliRunner(env=env).invoke(main, [str(a) for a in args], catch_exceptions=False)


def error_line(res) -> str:
    lines = [ln for ln in res.stderr.splitlines() if ln.startswith("octk: error:")]
    assert len(lines) == 1, res.output
    return lines[0]


# --------------------------------------------------------------------------- expressions
@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("1/0", "'1/0' divides by zero"),
        ("sqrt(-t)", "'sqrt(-t)' is not real"),
        ("log(-2)", "'log(-2)' is not real"),
        ("10**400", "'10**400' gives a number beyond float64's range"),
        ("1e400", "'1e400' is beyond float64's range"),
        ("+".join(["t"] * 1000), f"(a sum of n terms nests n levels); at most {MAX_DEPTH}"),
        ("(" * 300 + "t" + ")" * 300, "too many nested parentheses"),
        ("mod(t, 0)", "invalid expression 'mod(t, 0)'"),
    ],
)  # fmt: skip
def test_expressions_report_in_the_users_terms(text, words):
    with pytest.raises(ParameterError) as exc:
        parse_expression(text, name="c")
    assert str(exc.value).startswith("c: ") and words in str(exc.value)
    assert len(str(exc.value)) < 300


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("expr:c=1/0", "divides by zero"),
        ("expr:c=sqrt(-t)", "is not real"),
        ("expr:c=10**400", "beyond float64's range"),
        ("expr:c=t**1000", "kernels take integer exponents −4..4"),
    ],
)
def test_cli_expression_errors_are_one_line(spec, words):
    res = invoke("run", "--rule", "ogd", "--sequence", spec, "--steps", 5)
    assert res.exit_code == 2 and words in error_line(res)


# --------------------------------------------------------------------------- CLI values
@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--steps", "1e20"], "steps must be an integer in [1, 1000000000000000]"),
        (["--steps", "10", "--domain", "box:"], "'box:' has nothing after ':'"),
        (["--steps", "10", "--domain", "ball:"], "'ball:' has nothing after ':'"),
        (["--steps", "10", "--domain", "box:nan,1"], "must be a finite number in (-inf, inf)"),
    ],
)
def test_cli_values(args, words):
    res = invoke("run", *REF, *args)
    assert res.exit_code == 2 and words in error_line(res)


def test_unwritable_cache_dir_is_named(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    res = invoke(
        "run", "--rule", "ogd", "--sequence", "reddi-thm1:C=2.5", "--steps", 3,
        env={"OCTK_CACHE_DIR": str(blocker)},
    )  # fmt: skip
    assert res.exit_code == 2
    assert "OCTK_CACHE_DIR: cannot write the kernel cache" in error_line(res)


def test_reference_backend_takes_huge_integers():
    traj = octk.simulate(
        "ogd", "reddi-thm1:C=1e300", steps=4, backend="reference", nonfinite="raise"
    )
    assert np.all(np.isfinite(traj.x))


# --------------------------------------------------------------------------- API types
@pytest.mark.parametrize(
    ("kw", "words"),
    [
        (dict(rule=None), "rule must be a rule name"),
        (dict(sequence=np.ones(4)), "got an array of shape (4,); for a table of signals"),
        (dict(steps=10**20), "steps must be an integer in [1, 1000000000000000]"),
        (dict(nonfinite="maybe"), "nonfinite must be one of 'warn', 'raise', 'ignore'"),
        (dict(checkpoints="all", steps=10**13), "checkpoints:"),
    ],
)
def test_api_arguments(kw, words):
    args = dict(rule="ogd", sequence="reddi-thm1", steps=5, backend="reference") | kw
    with pytest.raises(OctkError) as exc:
        octk.simulate(args.pop("rule"), args.pop("sequence"), **args)
    assert words in str(exc.value)


def test_regret_of_a_string():
    with pytest.raises(ParameterError, match="regret needs a Trajectory"):
        octk.regret("str")


# --------------------------------------------------------------------------- outputs
def test_outputs_are_checked_before_the_work(tmp_path):
    taken = tmp_path / "taken.png"
    taken.write_bytes(b"x")
    cases = [
        (["--plot", "/proc/x.png"], "--plot: cannot write '/proc/x.png'"),
        (["--plot", tmp_path / "x.gif"], "must end in .png, .svg, .pdf"),
        (["--plot", taken], "exists; use --force to replace it"),
        (["--trace", tmp_path / "x.txt"], "--trace:"),
        (["--trace", tmp_path], "is a directory"),
        (["--trace", tmp_path / "huge.npy", "--steps", "1e15"], "GiB, more than the"),
    ]
    for extra, words in cases:
        # 10^12 steps: an error after the work would never come back
        res = invoke("run", *REF, *(["--steps", "1e12"] if "--steps" not in extra else []), *extra)
        assert res.exit_code == 2 and words in error_line(res), extra
    block = tmp_path / "afile"
    block.write_text("")
    for out, words in [(block, "is an existing file"), ("/proc/xx", "cannot write")]:
        res = invoke("reproduce", "reddi2018", "--out", out, "--scale", "1e-9")
        assert res.exit_code == 2 and words in error_line(res)


@pytest.mark.parametrize(
    ("suffix", "magic"), [(".svg", b"<?xml"), (".pdf", b"%PDF"), (".png", b"\x89PNG")]
)
def test_figure_format_follows_the_extension(tmp_path, suffix, magic):
    path = tmp_path / f"run{suffix}"
    res = invoke("run", *REF, "--steps", 20, "--plot", path)
    assert res.exit_code == 0, res.output
    assert path.read_bytes().startswith(magic)
    again = invoke("run", *REF, "--steps", 20, "--plot", path, "--force")
    assert again.exit_code == 0


def test_trace_streams_every_iterate(tmp_path):
    path = tmp_path / "x.npy"
    res = invoke("run", *REF, "--steps", 1000, "--trace", path, "--json")
    assert res.exit_code == 0, res.output
    assert "trace: 1,000 × 1 float64 = 7.81 KiB" in res.stderr
    xs = np.load(path)
    full = octk.simulate(
        "ogd", "reddi-thm1:C=3", steps=1000, backend="reference", checkpoints="all"
    )
    np.testing.assert_array_equal(xs, full.x[0])
    # batches: (T, C, d), written in segments of a small buffer
    path2 = tmp_path / "batch.npy"
    traj = octk.simulate(
        "ogd", "reddi-thm1:C=3", steps=50, params={"alpha": [0.1, 1.0]}, d=2,
        backend="reference", trace=path2, segment=7,
    )  # fmt: skip
    xs2 = np.load(path2)
    assert xs2.shape == (50, 2, 2)
    np.testing.assert_array_equal(xs2[traj.t - 1].transpose(1, 0, 2), traj.x)


# --------------------------------------------------------------------------- Ctrl-C
@pytest.mark.parametrize("progress", ["--no-progress", "--progress"])
def test_ctrl_c_stops_a_billion_step_run(tmp_path, progress):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "octk", "run", *REF, "--steps", "1e9", progress],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    # wait until the run is under way (the progress bar, or a first segment's time)
    try:
        proc.communicate(timeout=8)
    except subprocess.TimeoutExpired:
        pass
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)  # a generous bound: it ends at all
    assert proc.returncode == 130, err
    last = err.strip().splitlines()[-1]
    assert last.startswith("octk: error: interrupted at step ") and last.endswith(
        "of 1,000,000,000"
    )
