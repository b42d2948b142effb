"""The CPU benchmark scripts run, at tiny sizes, and their peers compute octk's iterates.

Smoke runs only: nothing here looks at a time (the scripts report, they never assert).
What is checked is that every section ran and wrote its JSON, and that every peer's
final iterate (hand Numba loops, NumPy, torch, optax where installed) equals octk's to
rounding -- a peer that solved another problem would make its speed meaningless.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(script: str, *args, tmp_path: Path) -> dict:
    out = tmp_path / "out.json"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *map(str, args), "--json", out],
        env=env,
        capture_output=True,
        text=True,
        timeout=None,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text())


@pytest.mark.slow
def test_bench_counterexample_runs_and_its_peers_agree(tmp_path):
    res = run(
        "bench_counterexample.py", "--quick", "--steps", 3000, "--torch-steps", 100,
        "--configs", 64, "--sweep-steps", 200, "--dim", 4096, "--dim-steps", 2,
        "--repeat", 1, "--skip-asm", tmp_path=tmp_path,
    )  # fmt: skip
    for section in ("counterexample", "sweep", "beta_sweep", "highdim"):
        rows = res[section]["rows"]
        assert rows and all(r["dx"] <= 1e-12 for r in rows), (section, rows)
    names = [r["name"] for r in res["beta_sweep"]["rows"]]
    assert names[:3] == ["octk simulate(), numba backend", "octk kernel call only",
                         "hand Numba, β per lane"]  # fmt: skip
    assert "beta_sweep_octk_over_hand_rate" in res["targets"]


@pytest.mark.slow
def test_bench_overhead_runs(tmp_path):
    res = run("bench_overhead.py", "--quick", tmp_path=tmp_path)
    sizes = [r["configs"] for r in res["simulate_overhead"]]
    assert sizes == [1, 64]
    for r in res["simulate_overhead"]:
        assert r["total_best_s"] >= r["outside_best_s"] > 0 and r["kernel_median_s"] > 0
    assert [r["what"] for r in res["startup"]] == ["import octk", "octk --help"]
    # the start-up imports no optional heavy package (numba, cvxpy, scipy, xarray, ...)
    assert all(set(r["loads"].split(",")) <= {"numpy", "sympy"} for r in res["startup"])
    cold, warm = res["cli"]
    assert "cold" in cold["what"] and "warm" in warm["what"] and warm["simulate_s"] > 0
