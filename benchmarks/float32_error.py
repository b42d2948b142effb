"""The error of ``dtype="float32"`` against float64, measured on the host build.

The float32 kernel is the CUDA source with ``real`` = float (every operation,
literal and accumulator in single precision); ``cuda-host`` runs that very text on
the CPU, so the figures hold for the ``cupy`` backend's float32 up to the order
of the ball's norm reduction. The float64 run is octk's numba backend (equal to
the reference to 1e-12). Per case: the largest |x32 − x64| over all checkpoints
and coordinates, and the relative error at T of the played loss Σ f_t(x_t) and
of the regret R_T (its comparator reads the float32-accumulated statistics).

    python benchmarks/float32_error.py [--out benchmarks/float32-error.txt]   # ~1 min
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from octk.regret import regret
from octk.rules import rule
from octk.simulate import simulate

RKK = {"alpha": 0.1, "beta1": 0.0, "beta2": 0.1}
CASES = [
    # (label, rule, sequence, domain, steps, d, params)
    ("RKK Thm 1, Adam α/√t, β1=0, β2=0.1", rule("adam", schedule="sqrt"), "reddi-thm1:C=3",
     "box:-1,1", 10**5, 1, RKK),
    ("RKK Thm 1, Adam, T = 10^6", rule("adam", schedule="sqrt"), "reddi-thm1:C=3",
     "box:-1,1", 10**6, 1, RKK),
    ("AMSGrad, reddi-synthetic", rule("amsgrad"), "reddi-synthetic", "box:-1,1", 10**5, 1,
     {"alpha": 0.1, "beta1": 0.9, "beta2": 0.99}),
    ("Adam (torch preset), uniform, d = 10", rule("adam", "torch"), "uniform:low=-2,high=2",
     "box:-1,1", 10**4, 10, {"alpha": 0.01}),
    ("AdaGrad, uniform, ball R = 1, d = 10", rule("adagrad"), "uniform:low=-2,high=2",
     "ball:1;projection=euclidean", 10**4, 10, {"alpha": 0.1}),
    ("RMSprop, sparse p = 0.3, box [-2, 2]^4", rule("rmsprop"), "sparse:p=0.3", "box:-2,2",
     10**4, 4,
     {"alpha": 0.01}),
]  # fmt: skip


def measure(label, r, seq, dom, steps, d, params) -> dict:
    kw = dict(steps=steps, d=d, params=params, seed=3)
    x64 = simulate(r, seq, dom, backend="numba", **kw)
    x32 = simulate(r, seq, dom, backend="cuda-host", dtype="float32", **kw)
    r64, r32 = regret(x64).regret[:, -1], regret(x32).regret[:, -1]
    loss64, loss32 = x64.loss[:, -1], x32.loss[:, -1]
    return {
        "case": label,
        "T": steps,
        "d": d,
        "max_abs_dx": float(np.max(np.abs(x32.x - x64.x))),
        "rel_loss": float(np.max(np.abs(loss32 - loss64) / np.maximum(1.0, np.abs(loss64)))),
        "rel_regret": float(np.max(np.abs(r32 - r64) / np.maximum(1.0, np.abs(r64)))),
        "regret64": float(r64[0]),
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="float32 vs float64 error of octk's kernels")
    p.add_argument("--out", default=None, help="also write the table to this file")
    a = p.parse_args(argv)
    lines = [
        "| case | T | d | max abs(x32 − x64) | rel. error of Σ f_t at T "
        "| rel. error of R_T | R_T (float64) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for case in CASES:
        m = measure(*case)
        lines.append(
            f"| {m['case']} | {m['T']:.0e} | {m['d']} | {m['max_abs_dx']:.1e} | "
            f"{m['rel_loss']:.1e} | {m['rel_regret']:.1e} | {m['regret64']:.4g} |"
        )
        print(lines[-1], flush=True)
    text = "\n".join(lines) + "\n"
    if a.out:
        Path(a.out).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
