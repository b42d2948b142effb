"""What of ``benchmarks/gpu_check.py`` can be checked without a GPU.

It imports with no CuPy, parses its arguments, prints its plan (``--dry-run``),
refuses to run without a device in one line, and its jax baseline computes the
same Adam as octk (so the device figures compare like with like).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from octk.backends.cupy_backend import device_error

PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "gpu_check.py"


@pytest.fixture(scope="module")
def gpu_check():
    spec = importlib.util.spec_from_file_location("gpu_check", PATH)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["gpu_check"] = mod
    spec.loader.exec_module(mod)
    yield mod
    sys.modules.pop("gpu_check", None)


def test_arguments(gpu_check):
    a = gpu_check.parse_args([])
    assert a.sections == gpu_check.SECTIONS and a.configs == 2**20 and a.steps == 10**4
    assert a.dim == 10**8
    a = gpu_check.parse_args(["--sections", "sweep, large_d", "--dim", "1000"])
    assert a.sections == ("sweep", "large_d") and a.dim == 1000
    with pytest.raises(SystemExit):
        gpu_check.parse_args(["--sections", "sweep,bogus"])
    with pytest.raises(SystemExit):
        gpu_check.parse_args(["--configs", "0"])


def test_dry_run_prints_the_plan(gpu_check, capsys):
    assert gpu_check.main(["--dry-run", "--dim", "1000"]) == 0
    out = capsys.readouterr().out
    assert "large_d: d = 1000" in out and "sections: tests, sweep, large_d, reproduce" in out


@pytest.mark.skipif(device_error() is None, reason="a GPU is visible here")
def test_without_a_device_it_stops_with_one_line(gpu_check, capsys, tmp_path):
    assert gpu_check.main(["--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("gpu_check: backend 'cupy'")
    assert not list(tmp_path.iterdir())


def test_the_jax_baseline_is_octks_adam(gpu_check):
    pytest.importorskip("jax")
    C, T = 5, 300
    prog, lanes, meta = gpu_check.sweep_lanes(C, T)
    from octk.backends import get_backend

    get_backend("reference").compile(prog, meta["domain"])(lanes, 1, T, 0)
    fn, arg = gpu_check.jax_sweep(lanes.par[0], T)
    x_jax = np.asarray(fn(arg))
    assert np.ptp(lanes.x) > 0.1  # the step sizes lead to different iterates
    assert np.max(np.abs(x_jax - lanes.x)) < 1e-10
