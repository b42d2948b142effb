"""CPU time of the Numba kernel's automatic layout against the general ``lanes`` layout.

A quick check, not a benchmark of record: each workload is run with
``NumbaBackend(layout="lanes")`` and ``NumbaBackend(layout="auto")`` in one process,
taking turns, best of ``--repeat``; the ratio is of **CPU time** (``time.process_time``,
all threads), which a machine shared with other processes disturbs less than wall
time. Every pair is also checked bit for bit (the layouts compute the same bits).

    python benchmarks/layout_ratios.py            # ~1 min on 2 cores
    python benchmarks/layout_ratios.py --quick    # smaller sizes
"""

from __future__ import annotations

import argparse
import copy
import time

import numpy as np

from octk.backends.numba_backend import NumbaBackend
from octk.rules import rule
from octk.simulate import prepare

FIELDS = ("x", "state", "loss", "stats", "ck_x", "ck_loss", "ck_stats")


def workloads(quick: bool):
    s = 10 if quick else 1
    adam = rule("adam", schedule="sqrt")
    rkk = {"beta1": 0.0, "beta2": 0.1}
    C = 4096 // s
    n = 64 // (1 if not quick else 8)
    grid = np.linspace(0.0, 0.9, n)
    yield (
        f"alpha-sweep, RKK Thm 1, {C} x 10^4",
        (adam, "reddi-thm1:C=3"),
        dict(steps=10**4, params={"alpha": np.linspace(0.01, 0.5, C), **rkk}),
        [(1, 10**4)],
    )
    yield (
        f"(beta1, beta2) grid, RKK Thm 1, {n * n} x 10^4 (grouped by one of them)",
        (adam, "reddi-thm1:C=3"),
        dict(
            steps=10**4,
            params={
                "alpha": 0.1,
                "beta1": np.repeat(grid, C // 64),
                "beta2": np.tile(grid, C // 64),
            },
        ),
        [(1, 10**4)],
    )
    T = 10**7 // s
    yield (
        f"1-D RKK Thm 1, T = {T:.0e} (time-blocked)",
        (adam, "reddi-thm1:C=3"),
        dict(steps=T, params={"alpha": 0.1, **rkk}),
        [(1, T)],
    )
    d = 10**6 // s
    yield (
        f"Adam, uniform, d = {d:.0e}, 5 steps in one call",
        (rule("adam"), "uniform"),
        dict(steps=5, d=d, checkpoints=[5]),
        [(1, 5)],
    )
    yield (
        f"Adam, uniform, d = {d:.0e}, one step per call (5 calls)",
        (rule("adam"), "uniform"),
        dict(steps=5, d=d, checkpoints=[5]),
        [(t, t) for t in range(1, 6)],
    )
    yield (
        f"Adam, uniform, {C // 8} configurations (own seeds) x d = 10, 10^3 steps (both lanes: "
        "the noise)",
        (rule("adam"), "uniform"),
        dict(steps=10**3, d=10, seed=np.arange(C // 8)),
        [(1, 10**3)],
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    for name, (r, seq), kw, calls in workloads(a.quick):
        prog, lanes0, meta = prepare(r, seq, "box:-1,1", **kw)
        kernels = {
            lay: NumbaBackend(layout=lay).compile(prog, meta["domain"]) for lay in ("lanes", "auto")
        }
        for k in kernels.values():  # compile, choose the plan
            k(copy.deepcopy(lanes0), 1, 1, 0)
        best = {lay: float("inf") for lay in kernels}
        out = {}
        for _ in range(a.repeat):
            for lay, k in kernels.items():
                lanes = copy.deepcopy(lanes0)
                c0 = time.process_time()
                for t0, t1 in calls:
                    k(lanes, t0, t1, int(np.searchsorted(lanes.ck_t, t0)))
                best[lay] = min(best[lay], time.process_time() - c0)
                out[lay] = lanes
        same = all(
            np.array_equal(getattr(out["lanes"], f), getattr(out["auto"], f)) for f in FIELDS
        )
        plan = kernels["auto"].plan
        kind = plan.layout + (" (time-blocked)" if plan.blocked else "")
        print(
            f"{name}\n  auto = {kind}, once per chunk: {', '.join(plan.shared) or '-'}\n"
            f"  CPU s: lanes {best['lanes']:.3f}, auto {best['auto']:.3f}; "
            f"lanes/auto = {best['lanes'] / best['auto']:.2f}; bitwise equal: {same}"
        )


if __name__ == "__main__":
    main()
