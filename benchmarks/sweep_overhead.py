#!/usr/bin/env python3
"""The cost of a sweep beyond its simulations, and its scaling on a Dask LocalCluster.

Adam on RKK Theorem 1 over a (β2, C) grid, with β1 = 0, α = 0.1:

1. **batched**: the same cells as few ``octk.simulate`` calls as the sweep makes (one
   per C: C changes the program), each with every β2 as a lane, kept at the same
   checkpoints (the floor: what any sweep must simulate);
2. **sweep**: ``octk.sweep`` in-process (blocks, measures incl. the comparator and the
   classification, and with ``--out`` the zarr store);
3. **LocalCluster**: the sweep with ``scheduler=`` a ``Client`` of 1 and 2 workers
   (the cluster's start-up not counted; each worker loads the kernels once, which the
   warm-up sweep pays).

Each C is another program, so the first run compiles one kernel per C (cached on disk,
keyed by the kernel's source): the warm-up, outside the timings.

The issue's size is a 256 × 256 grid × 10^5 steps (6.6·10^9 config-steps); the defaults
here are small (the dev machine is shared). Every timing is the best of ``--repeat``.

    python benchmarks/sweep_overhead.py --n-beta2 256 --n-c 256 --steps 100000
    python benchmarks/sweep_overhead.py --quick
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

import octk
from octk.sweeps.measures import run_checkpoints


def grid(n_b2: int, n_c: int) -> dict[str, list[float]]:
    return {
        "beta2": np.geomspace(1e-3, 0.999, n_b2).tolist(),
        "C": np.linspace(3.0, 20.0, n_c).tolist(),
    }


PARAMS = {"alpha": 0.1, "beta1": 0.0}
MEASURES = ("x_final", "distance", "rate", "classification")


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def batched(g: dict, steps: int, backend: str) -> None:
    ck = run_checkpoints(steps, MEASURES)
    for C in g["C"]:
        octk.simulate(
            "adam", f"reddi-thm1:C={C}", steps=steps, backend=backend, checkpoints=ck,
            params={**PARAMS, "beta2": np.asarray(g["beta2"])},
        )  # fmt: skip


def sweep(g: dict, steps: int, backend: str, out: Path | None = None, scheduler=None) -> None:
    if out is not None and out.exists():
        shutil.rmtree(out)
    octk.sweep(
        "adam", "reddi-thm1", steps=steps, grid=g, params=PARAMS, measures=MEASURES,
        backend=backend, out=out, scheduler=scheduler,
    )  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n-beta2", type=int, default=64)
    ap.add_argument("--n-c", type=int, default=8)
    ap.add_argument("--steps", type=int, default=10_000)
    ap.add_argument("--backend", default="numba")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", default="1,2", help="LocalCluster sizes (empty: skip)")
    ap.add_argument("--quick", action="store_true", help="16 x 2 cells, 2000 steps, 1 repeat")
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()
    if a.quick:
        a.n_beta2, a.n_c, a.steps, a.repeat = 16, 2, 2000, 1
    g = grid(a.n_beta2, a.n_c)
    cells = a.n_beta2 * a.n_c
    print(f"Adam on RKK Theorem 1: {a.n_beta2} beta2 x {a.n_c} C = {cells:,} cells, "
          f"T = {a.steps:,}, {cells * a.steps:.2e} config-steps, backend {a.backend}")  # fmt: skip
    # every C is another program (the signal is printed into the kernel): compile or load
    # each kernel once, outside the timings
    batched(g, 10, a.backend)
    tmp = Path(tempfile.mkdtemp(prefix="octk-sweep-bench-"))
    out = tmp / "s.zarr"
    sweep(g, 10, a.backend, out)  # and the sweep's first imports (xarray, zarr, ...)
    res: dict[str, float] = {}
    try:
        res["batched"] = best(lambda: batched(g, a.steps, a.backend), a.repeat)
        res["sweep"] = best(lambda: sweep(g, a.steps, a.backend), a.repeat)
        res["sweep+zarr"] = best(lambda: sweep(g, a.steps, a.backend, out), a.repeat)
        for n in [int(w) for w in a.workers.split(",") if w.strip()]:
            from distributed import Client, LocalCluster

            with LocalCluster(n_workers=n, threads_per_worker=1, dashboard_address=None) as cl:
                with Client(cl) as client:
                    sweep(g, 10, a.backend, scheduler=client)  # load the kernels on the workers
                    res[f"cluster x{n}"] = best(
                        lambda client=client: sweep(g, a.steps, a.backend, out, client), a.repeat
                    )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    base = res["batched"]
    print(f"{'':<14}{'seconds':>10}{'vs batched':>12}{'Mcfg-steps/s':>14}")
    for name, t in res.items():
        print(f"{name:<14}{t:>10.3f}{t / base:>11.3f}x{cells * a.steps / t / 1e6:>14.1f}")
    if a.json:
        a.json.write_text(json.dumps({"args": vars(a) | {"json": str(a.json)}, "seconds": res}))


if __name__ == "__main__":
    main()
