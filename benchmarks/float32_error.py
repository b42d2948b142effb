"""The error of ``dtype="float32"`` against float64, on the CPU (numba) and the host
build of the CUDA kernels (cuda-host), side by side in one run.

``numba`` float32 is the generated ``@njit`` kernel with float32 lane arrays,
``np.float32`` literals and casts (every operation and accumulator of the step in
single precision; the ball's and the simplex's group projections accumulate their
norms and sums in float64 and store float32). ``cuda-host`` float32 is the CUDA
source with ``real`` = float, run on the CPU: the figures hold for the ``cupy``
backend's float32 up to the order of the ball's norm reduction. The float64 run
is octk's numba backend (equal to the reference to 1e-12). Per case and backend:
the largest |x32 − x64| over all checkpoints and coordinates, and the relative error
at T of the played loss Σ f_t(x_t) and of the regret R_T (its comparator reads the
float32-accumulated statistics); and |x32(numba) − x32(cuda-host)|.

    python benchmarks/float32_error.py [--out benchmarks/float32-error.txt] [--json PATH]
    python benchmarks/float32_error.py --quick     # T / 100: a smoke run, seconds

cuda-host needs a C++ compiler; without one its columns say so.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from octk.backends import get_backend
from octk.errors import BackendUnavailableError
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


BACKENDS = ("numba", "cuda-host")


def has_compiler() -> bool:
    try:
        get_backend("cuda-host")
    except BackendUnavailableError:
        return False
    return True


def errors(x64, r64, x32) -> dict:
    """The errors of the float32 trajectory ``x32`` against float64."""
    r32 = regret(x32).regret[:, -1]
    loss64, loss32 = x64.loss[:, -1], x32.loss[:, -1]
    return {
        "max_abs_dx": float(np.max(np.abs(x32.x - x64.x))),
        "rel_loss": float(np.max(np.abs(loss32 - loss64) / np.maximum(1.0, np.abs(loss64)))),
        "rel_regret": float(np.max(np.abs(r32 - r64) / np.maximum(1.0, np.abs(r64)))),
    }


def measure(label, r, seq, dom, steps, d, params, backends=BACKENDS) -> dict:
    kw = dict(steps=steps, d=d, params=params, seed=3)
    x64 = simulate(r, seq, dom, backend="numba", **kw)
    r64 = regret(x64).regret[:, -1]
    out = {"case": label, "T": steps, "d": d, "regret64": float(r64[0])}
    runs = {b: simulate(r, seq, dom, backend=b, dtype="float32", **kw) for b in backends}
    for b, x32 in runs.items():
        out[b] = errors(x64, r64, x32)
    if len(runs) == 2:
        a, b = runs.values()
        out["numba_vs_cuda_host_dx"] = float(np.max(np.abs(a.x - b.x)))
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="float32 vs float64 error of octk's kernels")
    p.add_argument("--out", default=None, help="also write the table to this file")
    p.add_argument("--json", default=None, help="also write every number to this file")
    p.add_argument("--quick", action="store_true", help="T / 100 (a smoke run)")
    a = p.parse_args(argv)
    backends = BACKENDS if has_compiler() else ("numba",)
    lines = [
        "| case | T | d | backend | max abs(x32 − x64) | rel. error of Σ f_t at T "
        "| rel. error of R_T | R_T (float64) |",
        "|---|---:|---:|---|---:|---:|---:|---:|",
    ]
    results = []
    for label, r, seq, dom, steps, d, params in CASES:
        steps = max(100, steps // 100) if a.quick else steps
        m = measure(label, r, seq, dom, steps, d, params, backends)
        results.append(m)
        for b in backends:
            e = m[b]
            lines.append(
                f"| {m['case']} | {m['T']:.0e} | {m['d']} | {b} | {e['max_abs_dx']:.1e} | "
                f"{e['rel_loss']:.1e} | {e['rel_regret']:.1e} | {m['regret64']:.4g} |"
            )
            print(lines[-1], flush=True)
    if len(backends) < 2:
        lines.append("")
        lines.append("cuda-host: no C++ compiler here, not measured")
    else:
        worst = max(m["numba_vs_cuda_host_dx"] for m in results)
        lines += ["", f"max |x32(numba) − x32(cuda-host)| over the cases: {worst:.1e}"]
    print("\n".join(lines[-2:]))
    text = "\n".join(lines) + "\n"
    if a.out:
        Path(a.out).write_text(text)
    if a.json:
        Path(a.json).write_text(json.dumps({"quick": a.quick, "cases": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
