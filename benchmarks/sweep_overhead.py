#!/usr/bin/env python3
"""The cost of a sweep beyond its simulations, and its scaling on a Dask LocalCluster.

Adam (α = 0.1, constant step) on RKK Theorem 1 over an n × m plane, either

* ``--plane beta1-beta2`` (default): β1 ∈ [0, 0.99] × β2 ∈ [10⁻³, 0.999] at C = 3, one
  program: every cell is a lane of ONE batched ``simulate()`` call, the issue's
  baseline; or
* ``--plane beta2-C``: β2 × C ∈ [3, 20] with β1 = 0; C changes the program (the signal
  is printed into the kernel), so the baseline is one batched call per C, and the first
  run compiles one kernel per C (cached on disk by source): the warm-up pays it.

Timed, each the best of ``--repeat``:

1. **batched**: the same cells in as few ``octk.simulate`` calls as there are programs,
   kept at the same checkpoints as the sweep's (the floor: what any sweep simulates);
2. **sweep**: ``octk.sweep`` in-process (blocks, the comparator at T, the measures and
   the classification), and **sweep+zarr** with its store (``out=``);
3. **cluster xN**: the sweep with ``scheduler=`` a ``Client`` of a ``LocalCluster`` of
   N single-threaded workers (start-up not counted; a warm-up sweep loads the kernels
   on the workers). Numba runs each block's lanes on every core of its process, so on
   one machine workers add processes, not cores: the speed-up to expect is across
   machines (each worker on its own host), about linear in hosts while blocks outnumber
   them.

The issue's size is a 256 × 256 grid × 10^5 steps (6.6·10^9 config-steps); the defaults
here are small (the dev machine is shared).

    python benchmarks/sweep_overhead.py --n 256 --m 256 --steps 100000
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

PLANES = ("beta1-beta2", "beta2-C")
MEASURES = ("x_final", "distance", "rate", "classification")


def setting(plane: str, n: int, m: int) -> tuple[str, dict[str, list[float]], dict[str, float]]:
    """(sequence, grid, fixed hyperparameters) of the plane."""
    b2 = np.geomspace(1e-3, 0.999, m).tolist()
    if plane == "beta1-beta2":
        return (
            "reddi-thm1:C=3",
            {"beta1": np.linspace(0, 0.99, n).tolist(), "beta2": b2},
            {"alpha": 0.1},
        )
    return (
        "reddi-thm1",
        {"beta2": b2, "C": np.linspace(3.0, 20.0, n).tolist()},
        {
            "alpha": 0.1,
            "beta1": 0.0,
        },
    )


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def batched(plane: str, n: int, m: int, steps: int, backend: str) -> None:
    """The cells as one ``simulate`` call per program (every other axis a lane)."""
    seq, g, fixed = setting(plane, n, m)
    ck = run_checkpoints(steps, MEASURES)
    if plane == "beta1-beta2":
        b1, b2 = np.meshgrid(g["beta1"], g["beta2"], indexing="ij")
        octk.simulate(
            "adam", seq, steps=steps, backend=backend, checkpoints=ck,
            params={**fixed, "beta1": b1.ravel(), "beta2": b2.ravel()},
        )  # fmt: skip
        return
    for C in g["C"]:
        octk.simulate(
            "adam", f"reddi-thm1:C={C}", steps=steps, backend=backend, checkpoints=ck,
            params={**fixed, "beta2": np.asarray(g["beta2"])},
        )  # fmt: skip


def sweep(
    plane: str, n: int, m: int, steps: int, backend: str, out: Path | None = None,
    scheduler: object = None,
) -> None:  # fmt: skip
    seq, g, fixed = setting(plane, n, m)
    if out is not None and out.exists():
        shutil.rmtree(out)
    octk.sweep(
        "adam", seq, steps=steps, grid=g, params=fixed, measures=MEASURES,
        backend=backend, out=out, scheduler=scheduler,
    )  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--plane", choices=PLANES, default=PLANES[0])
    ap.add_argument("--n", type=int, default=64, help="values of the first axis")
    ap.add_argument("--m", type=int, default=64, help="values of the second axis")
    ap.add_argument("--steps", type=int, default=10_000)
    ap.add_argument("--backend", default="numba")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", default="1,2", help="LocalCluster sizes (empty: skip)")
    ap.add_argument("--quick", action="store_true", help="16 x 16 cells, 2000 steps, 1 repeat")
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()
    if a.quick:
        a.n, a.m, a.steps, a.repeat = 16, 16, 2000, 1
    cells = a.n * a.m
    print(f"Adam on RKK Theorem 1, plane {a.plane}: {a.n} x {a.m} = {cells:,} cells, "
          f"T = {a.steps:,}, {cells * a.steps:.2e} config-steps, backend {a.backend}")  # fmt: skip
    tmp = Path(tempfile.mkdtemp(prefix="octk-sweep-bench-"))
    out = tmp / "s.zarr"
    shape = (a.plane, a.n, a.m)
    # compile or load every kernel, and the sweep's first imports, outside the timings
    batched(*shape, 10, a.backend)
    sweep(*shape, 10, a.backend, out)
    res: dict[str, float] = {}
    try:
        res["batched"] = best(lambda: batched(*shape, a.steps, a.backend), a.repeat)
        res["sweep"] = best(lambda: sweep(*shape, a.steps, a.backend), a.repeat)
        res["sweep+zarr"] = best(lambda: sweep(*shape, a.steps, a.backend, out), a.repeat)
        for k in [int(w) for w in a.workers.split(",") if w.strip()]:
            from distributed import Client, LocalCluster

            with LocalCluster(n_workers=k, threads_per_worker=1, dashboard_address=":0") as cl:
                with Client(cl) as client:
                    sweep(*shape, 10, a.backend, scheduler=client)  # load the kernels there
                    res[f"cluster x{k}"] = best(
                        lambda c=client: sweep(*shape, a.steps, a.backend, out, c), a.repeat
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
