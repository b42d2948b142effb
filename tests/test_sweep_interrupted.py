"""A sweep that loses its process or a worker loses nothing: ``kill -9`` of a real
``python -m octk sweep`` then ``--resume``, and a Dask worker killed mid-sweep on a
2-worker LocalCluster; each finished store equals one made without interruption."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import octk
from octk.sweeps.store import load

xr = pytest.importorskip("xarray")
pytest.importorskip("zarr")

ROOT = Path(__file__).resolve().parent.parent
GRID = {"C": [3.0, 4.0, 5.0, 6.0], "beta1": [0.0, 0.3, 0.6, 0.9]}
ARGS = dict(steps=2000, params={"alpha": 0.1, "beta2": "1/(1+C**2)"}, backend="reference")
CLI = [
    "sweep", "--rule", "adam", "--param", "alpha=0.1", "--param", "beta2=1/(1+C**2)",
    "--sequence", "reddi-thm1", "--steps", "2000", "--backend", "reference",
    "--grid", "C=3,4,5,6", "--grid", "beta1=0,0.3,0.6,0.9", "--block", "1", "--no-progress",
]  # fmt: skip


def done_count(out: Path) -> int:
    import zarr

    try:
        return int(np.sum(zarr.open_group(out, mode="r")["done"][...]))
    except Exception:  # the template is not in place yet
        return 0


def wait_for_blocks(out: Path, proc_alive) -> int:
    """Poll until at least one block is done (or the run ended); the count seen."""
    while proc_alive():
        n = done_count(out)
        if n >= 1:
            return n
        time.sleep(0.02)
    return done_count(out)


def same_sweep(a, b) -> None:
    """Equal variables, coordinates and attributes (but the time of creation and the
    command line, which name the run, not the numbers)."""
    drop = ("created", "command")
    a = a.assign_attrs({k: None for k in drop})
    b = b.assign_attrs({k: None for k in drop})
    xr.testing.assert_identical(a, b)


def test_kill_9_then_resume_gives_the_uninterrupted_store(tmp_path):
    out = tmp_path / "s.zarr"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "octk", *CLI, "--out", str(out)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen = wait_for_blocks(out, lambda: proc.poll() is None)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the sweep ended before it could be killed"
    total = len(GRID["C"]) * len(GRID["beta1"])
    left = done_count(out)
    assert 1 <= seen <= left < total  # killed mid-sweep: some blocks done, not all
    res = subprocess.run([*cmd, "--resume"], env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    resumed = load(out)
    fresh = octk.sweep("adam", "reddi-thm1", grid=GRID, block=1, **ARGS)
    same_sweep(resumed, fresh)
    assert resumed.attrs["command"].startswith("octk sweep --rule adam")


@pytest.mark.slow
def test_a_worker_killed_mid_sweep_loses_nothing(tmp_path):
    distributed = pytest.importorskip("distributed")
    out = tmp_path / "s.zarr"
    # 8 blocks of 2·10^4 steps: slow enough that a worker still holds one after the first
    grid = {"C": GRID["C"], "beta1": [0.0, 0.5]}
    args = {**ARGS, "steps": 20_000}
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = distributed.Client(cluster)
    try:
        pids = client.run(os.getpid)
        result: dict = {}

        def run() -> None:
            try:
                result["ds"] = octk.sweep(
                    "adam", "reddi-thm1", grid=grid, block=1, out=out, scheduler=client, **args
                )
            except BaseException as e:  # re-raised below, in the test's thread
                result["error"] = e

        thread = threading.Thread(target=run)
        thread.start()
        wait_for_blocks(out, thread.is_alive)
        busy = [w for w, keys in client.processing().items() if keys]
        assert busy, "the sweep ended before a worker could be killed"
        victim = pids[busy[0]]
        os.kill(victim, signal.SIGKILL)  # a worker running a block
        thread.join()
        assert "error" not in result, result.get("error")
        assert victim not in client.run(os.getpid).values()  # the nanny started another
    finally:
        client.close()
        cluster.close()
    fresh = octk.sweep("adam", "reddi-thm1", grid=grid, block=1, **args)
    same_sweep(result["ds"], fresh)
    assert np.all(xr.open_zarr(out, consolidated=False)["done"].values)
