"""The CLI's backend wiring: ``--backend auto`` by default, ``--dtype``, which backend ran,
and ``--emit-source`` for the CUDA backends (no GPU or CuPy needed to print it).

Without a visible GPU ``auto`` runs numba (float64 and float32); the tests that assume so
skip where CuPy sees a device. The cuda-host runs need a C++ compiler.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from octk.backends import get_backend
from octk.backends.cupy_backend import device_error
from octk.cli import main
from octk.errors import BackendUnavailableError

THM1 = ["--rule", "adam", "--param", "schedule=sqrt", "--param", "alpha=0.1"]
THM1 += ["--param", "beta1=0", "--param", "beta2=0.1", "--sequence", "reddi-thm1:C=3"]


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _has_compiler() -> bool:
    try:
        get_backend("cuda-host")
    except BackendUnavailableError:
        return False
    return True


no_gpu = pytest.mark.skipif(device_error() is None, reason="a GPU is visible: auto may pick it")
needs_cxx = pytest.mark.skipif(not _has_compiler(), reason="no C++ compiler for cuda-host")


@pytest.mark.parametrize("command", ["run", "check", "reproduce"])
def test_auto_is_the_default_and_dtype_an_option(command):
    out = invoke(command, "--help").stdout
    assert "--backend" in out and "[default: auto]" in out
    assert "--dtype [float64|float32]" in out and "[default: float64]" in out


@no_gpu
def test_run_says_which_backend_and_dtype_ran():
    res = invoke("run", *THM1, "--steps", 300, "--json")
    assert res.exit_code == 0, res.output
    r = json.loads(res.stdout)
    assert (r["backend"], r["backend_requested"], r["dtype"]) == ("numba", "auto", "float64")
    table = invoke("run", *THM1, "--steps", 300).stdout
    assert "backend     numba (float64, asked auto)" in table
    named = invoke("run", *THM1, "--steps", 300, "--backend", "reference").stdout
    assert "backend     reference (float64)   T = 300" in named


@no_gpu
@needs_cxx
def test_run_float32_on_cuda_host_numba_and_auto():
    """float32 runs the CUDA kernel text and the Numba kernel in single precision: close
    to float64, not equal, and within float32 rounding of each other; ``auto`` with float32
    and no GPU is numba."""
    ref = json.loads(
        invoke("run", *THM1, "--steps", 1000, "--backend", "reference", "--json").stdout
    )
    xs = []
    for backend, ran in (("cuda-host", "cuda-host"), ("numba", "numba"), ("auto", "numba")):
        res = invoke("run", *THM1, "--steps", 1000, "--backend", backend, "--dtype", "float32")
        assert res.exit_code == 0, res.output
        out = json.loads(
            invoke(
                "run", *THM1, "--steps", 1000, "--backend", backend, "--dtype", "float32", "--json"
            ).stdout
        )
        assert (out["backend"], out["dtype"]) == (ran, "float32")
        err = np.max(np.abs(np.subtract(out["checkpoints"]["x"], ref["checkpoints"]["x"])))
        assert 0 < err < 1e-5, err
        assert f"{ran} (float32" in res.stdout
        xs.append(out["checkpoints"]["x"])
    # numba hoists 1/√t out of the lane loop (α·(1/√t) vs α/√t): a float32 ulp apart
    np.testing.assert_allclose(xs[1], xs[0], rtol=0, atol=1e-6)
    assert xs[1] == xs[2]


def test_a_dtype_nothing_computes_is_one_error_line():
    bad = invoke("run", *THM1, "--steps", 10, "--dtype", "float16")
    assert bad.exit_code == 2 and "float16" in bad.stderr
    lines = [ln for ln in bad.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("octk: error:")


@pytest.mark.parametrize("backend", ["cupy", "cuda-host"])
def test_emit_source_prints_the_cuda_text(backend):
    """The very text kernel_source gives, for the run's domain and dtype (the weighted
    simplex: the group layout), without CuPy or a GPU."""
    from octk.backends.cuda_source import kernel_source
    from octk.backends.program import lower
    from octk.domains import domain
    from octk.rules import rule
    from octk.sequences import sequence

    args = ["--rule", "amsgrad", "--sequence", "uniform", "--domain", "simplex:1"]
    args += ["--x0", "0.5,0.5", "--backend", backend, "--dtype", "float32", "--emit-source"]
    res = invoke("run", *args)
    assert res.exit_code == 0, res.output
    prog = lower(rule("amsgrad"), sequence("uniform"), weights=True)
    assert res.stdout == kernel_source(prog, domain("simplex:1"), dtype="float32")
    assert 'extern "C" __global__ void octk_group_step(' in res.stdout
    assert "real: float" in res.stdout


def test_emit_source_of_the_reference_is_an_error():
    res = invoke("run", *THM1, "--backend", "reference", "--emit-source")
    assert res.exit_code != 0 and "has none" in res.stderr and "Traceback" not in res.output


@needs_cxx
def test_check_takes_dtype():
    args = [*THM1, "--param", "eps=0", "--steps", 2000, "--backend", "cuda-host", "--json"]
    f64 = json.loads(invoke("check", *args).stdout)
    f32 = json.loads(invoke("check", *args, "--dtype", "float32").stdout)
    c32, c64 = f32["configs"][0], f64["configs"][0]
    assert c32["first_violation"] == c64["first_violation"] == 1377
    rel = abs(c32["violation_regret"] / c64["violation_regret"] - 1)
    assert 0 < rel < 1e-4, rel  # computed in single precision, and close
    numba = json.loads(invoke("check", *args[:-3], "--backend", "numba", "--json").stdout)
    n32 = json.loads(
        invoke("check", *args[:-3], "--backend", "numba", "--json", "--dtype", "float32").stdout
    )
    assert n32["configs"][0]["violation_regret"] == c32["violation_regret"]
    assert numba["configs"][0]["violation_regret"] == pytest.approx(c64["violation_regret"], 1e-12)


@no_gpu
def test_reproduce_auto_records_what_ran(tmp_path):
    """``auto`` goes to every run by name; float32 without a GPU runs numba, and the
    outputs say so."""
    out = tmp_path / "repro"
    res = invoke(
        "reproduce", "reddi2018", "--scale", 0.001, "--dtype", "float32", "--out", out,
        "--no-progress",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "backend numba (float32)" in res.stdout
    data = json.loads((out / "results.json").read_text())
    assert (data["backend"], data["dtype"]) == ("numba", "float32")
    assert "backend numba (float32)" in (out / "table.md").read_text()
