"""Side-by-side speed of octk's Numba backend and the libraries a user would otherwise use.

Three problems, float64, one process, one machine (see DESIGN.md, "Performance targets"):

1. the Reddi-Kale-Kumar Theorem 1 counterexample, one coordinate, T steps
   (f_t = 3x if t mod 3 == 1 else -x on [-1, 1]; Adam, beta1 = 0, beta2 = 0.1,
   alpha_t = 0.1/sqrt(t), bias-corrected, eps = 1e-8);
2. a batched sweep of the same problem over C step sizes alpha in [0.01, 0.5]
   (``sweeps.py``), and 2b. over C pairs (beta1, beta2), where nothing is shared
   between configurations;
3. one high-dimensional Adam step (d coordinates, the ``uniform`` sequence on
   box:-1,1), reported as GB/s of the bytes a step must move (``highdim.py``);
4. whether the generated lane loop vectorises (assembly counts).

Shared pieces (constants, timing, peers, tables) are in ``benchlib.py``; the
overhead around the kernels (warm ``simulate()``, start-up, the CLI) is
``bench_overhead.py``.

Every peer's final iterate is compared with octk's. Peers that are not installed
(torch, jax + optax: ``pip install octk[bench]``) are skipped with a note. Nothing
here asserts on time: the script reports, it never fails on a slow machine.

    python benchmarks/bench_counterexample.py [--quick] [--steps N] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import warnings

from benchlib import (
    ALPHA,
    BETA1,
    BETA2,
    BOX,
    EPS,
    HD_BYTES,
    HD_PARAMS,
    PARAMS,
    SEQ,
    adam_rule,
    cpu_snapshot,
    fmt_time,
    jax,
    jax_scan_fn,
    jnp,
    machine,
    octk_kernel,
    optax,
    rounds,
    table,
    timed,
    torch,
)

# --------------------------------------------------------------- 1. counterexample
from highdim import bench_highdim
from numba import njit
from sweeps import bench_beta_sweep, bench_sweep, beta_grid

from octk.backends import get_backend
from octk.backends.numba_backend import load_kernel
from octk.simulate import prepare, simulate


@njit(error_model="numpy")
def hand_loop(T, alpha, b1, b2, eps, x):
    """The dependency-chain reference: one scalar loop, running products for beta^t."""
    m = 0.0
    v = 0.0
    pb1 = 1.0
    pb2 = 1.0
    for t in range(1, T + 1):
        g = 3.0 if t % 3 == 1 else -1.0
        m = b1 * m + g * (1.0 - b1)
        v = b2 * v + g * g * (1.0 - b2)
        pb1 *= b1
        pb2 *= b2
        mhat = m / (1.0 - pb1)
        vhat = v / (1.0 - pb2)
        x = x - alpha * (1.0 / math.sqrt(t)) * mhat / (eps + math.sqrt(vhat))
        x = min(max(x, -1.0), 1.0)
    return x


def python_loop(T, alpha, b1, b2, eps, x):
    """The same loop in pure Python."""
    m = v = 0.0
    pb1 = pb2 = 1.0
    sqrt = math.sqrt
    for t in range(1, T + 1):
        g = 3.0 if t % 3 == 1 else -1.0
        m = b1 * m + g * (1.0 - b1)
        v = b2 * v + g * g * (1.0 - b2)
        pb1 *= b1
        pb2 *= b2
        x = x - alpha * (1.0 / sqrt(t)) * (m / (1.0 - pb1)) / (eps + sqrt(v / (1.0 - pb2)))
        x = min(max(x, -1.0), 1.0)
    return x


def torch_loop(T, autograd):
    """torch.optim.Adam on one float64 coordinate, lr set per step, clamp after each step."""
    x = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([x], lr=ALPHA, betas=(BETA1, BETA2), eps=EPS)
    group = opt.param_groups[0]
    g_pos = torch.full((1,), 3.0, dtype=torch.float64)
    g_neg = torch.full((1,), -1.0, dtype=torch.float64)
    for t in range(1, T + 1):
        c = 3.0 if t % 3 == 1 else -1.0
        group["lr"] = ALPHA / math.sqrt(t)
        if autograd:
            opt.zero_grad()
            (c * x).sum().backward()
        else:
            x.grad = g_pos if c > 0 else g_neg
        opt.step()
        with torch.no_grad():
            x.clamp_(-1.0, 1.0)
    return float(x.detach()[0])


def octk_cache_hit_seconds():
    """First simulate() call in a fresh process that finds the kernel in the disk cache."""
    code = (
        "import time\n"
        "t0 = time.perf_counter()\n"
        "from octk.rules import rule\n"
        "from octk.simulate import simulate\n"
        "t1 = time.perf_counter()\n"
        f"simulate(rule('adam', schedule='sqrt'), {SEQ!r}, {BOX!r}, steps=10, params={PARAMS!r})\n"
        "t2 = time.perf_counter()\n"
        "print(t1 - t0, t2 - t1)\n"
    )
    try:
        out = subprocess.run(
            [sys.executable, "-c", code],
            env=dict(os.environ),
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        ).stdout.split()
        return float(out[0]), float(out[1])
    except (subprocess.SubprocessError, ValueError, IndexError) as e:
        print(f"  note: second-process measurement failed: {e}")
        return None, None


def bench_counterexample(a):
    T, Tt, Tp, rep = a.steps, a.torch_steps, a.python_steps, a.repeat
    r = adam_rule()
    info = {}

    t0 = time.perf_counter()
    simulate(r, SEQ, BOX, steps=10, params=PARAMS)
    info["octk_first_call_s"] = time.perf_counter() - t0  # compile (cold cache) + lowering
    info["octk_import_s_2nd_process"], info["octk_first_call_s_2nd_process"] = (
        octk_cache_hit_seconds()
    )

    def octk_x(steps):
        tr = simulate(r, SEQ, BOX, steps=steps, params=PARAMS, checkpoints=[steps])
        return float(tr.x_final[0, 0])

    hand_loop(10, ALPHA, BETA1, BETA2, EPS, 0.0)  # compile
    entries = [
        ("octk simulate(), numba backend", timed(octk_x, T), "end to end: lowering + kernel"),
        ("octk kernel call only", octk_kernel(SEQ, T, params=PARAMS), "lanes prepared outside"),
        (
            "hand-written Numba scalar loop",
            timed(hand_loop, T, ALPHA, BETA1, BETA2, EPS, 0.0),
            "the dependency-chain reference",
        ),
    ]
    if optax is None:
        print("  note: jax/optax not installed, optax + lax.scan skipped (pip install octk[bench])")
    else:
        x0 = jnp.zeros(1)
        t0 = time.perf_counter()
        fn = jax.jit(jax_scan_fn(T)).lower(ALPHA, x0).compile()
        info["jax_compile_s"] = time.perf_counter() - t0
        run = timed(lambda: float(fn(ALPHA, x0).block_until_ready()[0]))
        note = f"compile {info['jax_compile_s']:.2f} s excluded"
        entries.append(("optax.adam + jax lax.scan (jit)", run, note))
    best, last = rounds([(n, f) for n, f, _ in entries], rep)
    last["octk kernel call only"] = float(last["octk kernel call only"][0][0])
    x_octk = last["octk simulate(), numba backend"]
    rows = [
        dict(name=n, steps=T, s_per_step=best[n] / T, dx=abs(last[n] - x_octk), note=note)
        for n, _, note in entries
    ]

    # slow peers: one run of fewer steps, compared with octk at the same step
    sec, xp = timed(python_loop, Tp, ALPHA, BETA1, BETA2, EPS, 0.0)()
    rows.insert(
        3,
        dict(
            name="pure Python loop",
            steps=Tp,
            s_per_step=sec / Tp,
            dx=abs(xp - (x_octk if Tp == T else octk_x(Tp))),
            note="" if Tp == T else f"{Tp} steps, per step extrapolated",
        ),
    )
    if torch is None:
        print("  note: torch not installed, torch.optim.Adam skipped (pip install octk[bench])")
    else:
        ref = octk_x(Tt)
        for k, autograd in enumerate((True, False)):
            torch_loop(100, autograd)  # warm-up
            sec, xt = timed(torch_loop, Tt, autograd)()
            how = "loss.backward()" if autograd else "grad assigned"
            rows.insert(
                4 + k,
                dict(
                    name=f"torch.optim.Adam + clamp_ ({how})",
                    steps=Tt,
                    s_per_step=sec / Tt,
                    dx=abs(xt - ref),
                    note=f"{Tt} steps, per step extrapolated to T",
                ),
            )

    base = rows[0]["s_per_step"]
    for row in rows:
        row["ratio"] = row["s_per_step"] / base
    info["x_final_octk"] = x_octk
    return rows, info


ASM_OPS = {  # what to count: packed (vector) and scalar forms
    "sqrt": ("vsqrtpd", "vsqrtsd"),
    "div": ("vdivpd", "vdivsd"),
    "mul": ("vmulpd", "vmulsd"),
    "int64 mul": ("vpmullq", "imulq"),
}


def asm_counts(source):
    """Packed (by register width) and scalar instruction counts in the kernel's assembly."""
    kern = load_kernel(source)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        asm = kern.inspect_asm(kern.signatures[0])
    if any("cached code" in str(w.message) for w in caught):
        # Numba returns no assembly for a kernel loaded from its disk cache
        return {"note": "kernel came from the disk cache: no assembly (use a fresh cache)"}
    out = {}
    for what, (packed, scalar) in ASM_OPS.items():
        hits = re.findall(rf"\b{packed}\s+([^\n]*)", asm)
        out[what] = {
            packed: len(hits),
            **{f"{packed} {reg}": sum(reg in h for h in hits) for reg in ("xmm", "ymm", "zmm")},
            scalar: len(re.findall(rf"\b{scalar}\s", asm)),
        }
    return out


def vectorisation_report():
    """Counts for the batched counterexample kernel and the high-dimensional (uniform) one."""
    be = get_backend("numba")
    out = {}
    cases = (
        ("sweep (reddi-thm1)", SEQ, PARAMS, 1),
        ("high-dim (uniform)", "uniform", HD_PARAMS, 4),
    )
    for name, seq, params, d in cases:
        prog, _, meta = prepare(adam_rule(), seq, BOX, steps=2, params=params, d=d)
        out[name] = asm_counts(be.source(prog, meta["domain"]))
    return out


_NOVEC_CHILD = """
import time, numpy as np
from octk.backends import get_backend
from octk.rules import rule
from octk.simulate import prepare
C, T = {C}, {T}
params = dict({params!r}, alpha=np.linspace(0.01, 0.5, C))
prog, lanes, meta = prepare(rule("adam", schedule="sqrt"), {seq!r}, {box!r}, steps=T,
                            params=params, checkpoints=[T])
kern = get_backend("numba").compile(prog, meta["domain"])
kern(lanes, 1, 1, 0)
best = float("inf")
for _ in range({repeat}):
    t0 = time.perf_counter()
    kern(lanes, 2, T, 0)
    best = min(best, time.perf_counter() - t0)
print(C * (T - 1) / best)
"""


def sweep_rate_without_vectorizer(C, T, repeat):
    """The sweep kernel's config-steps/s in a child process with NUMBA_LOOP_VECTORIZE=0."""
    cache = tempfile.mkdtemp(prefix="octk-bench-novec-")
    env = dict(os.environ, NUMBA_LOOP_VECTORIZE="0", OCTK_CACHE_DIR=cache)
    code = _NOVEC_CHILD.format(C=C, T=T, params=PARAMS, seq=SEQ, box=BOX, repeat=repeat)
    try:
        out = subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        )
        return float(out.stdout.split()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError) as e:
        print(f"  note: the NUMBA_LOOP_VECTORIZE=0 run failed: {e}")
        return None
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def _row(rows, prefix):
    return next((r for r in rows if r["name"].startswith(prefix)), None)


def targets(res):
    """DESIGN.md's targets, as measured in this run (printed; never asserted)."""
    out = {}
    c = res["counterexample"]["rows"]
    octk, hand = _row(c, "octk kernel"), _row(c, "hand-written")
    libs = [r for r in c if r["name"].startswith(("torch", "optax"))]
    out["1d_octk_over_hand"] = octk["s_per_step"] / hand["s_per_step"]
    print(
        "\nDESIGN.md targets, this run (1-D ratios use the kernel call; end to end in the table):"
    )
    print(f"  1-D: octk / hand loop time = {out['1d_octk_over_hand']:.2f}× (target ≤ 2×)")
    if libs:
        fast = min(libs, key=lambda r: r["s_per_step"])
        out["1d_fastest_library"] = fast["name"]
        out["1d_fastest_library_over_octk"] = fast["s_per_step"] / octk["s_per_step"]
        print(
            f"  1-D: fastest library ({fast['name']}) / octk time = "
            f"{out['1d_fastest_library_over_octk']:.1f}× (target ≥ 100×)"
        )
    s = res["sweep"]["rows"]
    o, o1 = _row(s, "octk kernel call only"), _row(s, "octk kernel call only, 1")
    h, h1 = _row(s, "hand Numba, t outside"), _row(s, "hand Numba, t outside, lanes inside, 1")
    out["sweep_octk_over_hand_rate"] = o["rate"] / h["rate"]
    print(f"  sweep: octk / hand loop config-steps/s = {out['sweep_octk_over_hand_rate']:.2f}")
    if o1 is not None and o1 is not o:
        out["sweep_thread_scaling_octk"] = o["rate"] / o1["rate"]
        out["sweep_thread_scaling_hand"] = h["rate"] / h1["rate"]
        print(
            f"  sweep: all-thread / 1-thread speed-up: "
            f"octk {out['sweep_thread_scaling_octk']:.2f}×, "
            f"hand loop {out['sweep_thread_scaling_hand']:.2f}×"
        )
    if res["sweep"].get("novectorize_rate"):
        out["sweep_vectoriser_speedup"] = o["rate"] / res["sweep"]["novectorize_rate"]
        print(f"  sweep: loop vectoriser on / off = {out['sweep_vectoriser_speedup']:.2f}×")
    b = res["beta_sweep"]["rows"]
    out["beta_sweep_octk_over_hand_rate"] = (
        _row(b, "octk kernel call only")["rate"] / _row(b, "hand Numba")["rate"]
    )
    print(
        f"  (beta1, beta2)-sweep: octk / hand loop config-steps/s = "
        f"{out['beta_sweep_octk_over_hand_rate']:.2f} (issue 10: ≥ 0.95)"
    )
    jx = _row(s, "optax + jax vmap(lax.scan), m, v shared")
    if jx is not None:
        out["sweep_octk_over_jax_as_written"] = o["rate"] / jx["rate"]
        print(
            f"  α-sweep: octk kernel / jax vmap(lax.scan) as written = "
            f"{out['sweep_octk_over_jax_as_written']:.2f} (issue 10: ≥ 2)"
        )
    hd = res["highdim"]["rows"]
    for prefix, key in (
        ("octk kernel, one step", "hd_octk_one_step_frac"),
        ("octk kernel,", "hd_octk_multi_step_frac"),
        ("hand-written", "hd_hand_frac"),
    ):
        out[key] = _row(hd, prefix)["frac_bw"]
    fused = _row(hd, "torch.optim.Adam(fused=True)")
    if fused is not None:
        one = _row(hd, "octk kernel, one step")
        out["hd_octk_one_step_over_torch_fused"] = fused["s_per_step"] / one["s_per_step"]
        print(
            f"  high-dim: torch fused / octk (one step per call) time = "
            f"{out['hd_octk_one_step_over_torch_fused']:.2f} (issue 10: ≥ 1.0)"
        )
    print(
        f"  high-dim: octk {out['hd_octk_one_step_frac']:.0%} (one step per call), "
        f"{out['hd_octk_multi_step_frac']:.0%} (several per call) of the measured bandwidth; "
        f"hand loop {out['hd_hand_frac']:.0%} (target ≥ 80%)"
    )
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=10**7, help="T of the 1-D counterexample")
    p.add_argument(
        "--torch-steps", type=int, default=2 * 10**4, help="torch steps, extrapolated per step"
    )
    p.add_argument(
        "--python-steps", type=int, default=None, help="pure-Python steps (default: --steps)"
    )
    p.add_argument("--configs", type=int, default=4096, help="configurations of the sweep")
    p.add_argument("--sweep-steps", type=int, default=10**4, help="T of the sweep")
    p.add_argument("--dim", type=int, default=10**7, help="d of the high-dimensional step")
    p.add_argument("--dim-steps", type=int, default=5, help="steps of the high-dimensional run")
    p.add_argument("--repeat", type=int, default=5, help="best of this many runs (fast ones)")
    p.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    p.add_argument(
        "--skip-asm",
        action="store_true",
        help="skip section 4 (assembly counts and the vectoriser-off child run)",
    )
    p.add_argument("--json", metavar="PATH", help="write every number to PATH")
    a = p.parse_args(argv)
    if a.quick:
        a.steps, a.torch_steps, a.configs = 10**5, 2000, 512
        a.sweep_steps, a.dim, a.dim_steps = 1000, 10**5, 3
    a.python_steps = a.python_steps or a.steps

    mach = machine()
    v = mach["versions"]
    print(
        f"octk benchmarks: {mach['cpu']}, {mach['cores']} cores, "
        f"numba threads {mach['numba_threads']}, float64"
    )
    print("  " + ", ".join(f"{k} {x}" for k, x in v.items()))
    # A fresh kernel cache, so that the first octk call measures a cold compile (and
    # inspect_asm sees freshly compiled code) and a second process a disk-cache hit.
    cache = tempfile.mkdtemp(prefix="octk-bench-cache-")
    os.environ["OCTK_CACHE_DIR"] = cache
    results = {"machine": mach, "args": vars(a), "other_cpu_s": {}}
    snap = [cpu_snapshot()]

    def load(section):
        # other processes on a shared machine distort the numbers: record their CPU time
        now = cpu_snapshot()
        (w0, b0, s0, o0), (w1, b1, s1, o1) = snap[0], now
        snap[0] = now
        if b0 is None or b1 is None:
            return
        other = max(0.0, (b1 - b0) - (o1 - o0))
        results["other_cpu_s"][section] = {"other": other, "steal": s1 - s0, "wall": w1 - w0}
        print(
            f"(during these {w1 - w0:.0f} s on {mach['cores']} cores: other processes used "
            f"{other:.1f} CPU-s, the hypervisor stole {s1 - s0:.1f} CPU-s; "
            f"1-min load average {os.getloadavg()[0]:.2f})"
        )

    try:
        print(
            f"\n1. RKK Theorem 1 counterexample, Adam (beta1=0, beta2=0.1, alpha_t=0.1/sqrt t), "
            f"T = {a.steps:.0e}"
        )
        rows, info = bench_counterexample(a)
        print(
            table(
                ["implementation", "steps run", "per step", "time/octk", "max |Δx|", "note"],
                [
                    [
                        r["name"],
                        f"{r['steps']:.0e}",
                        fmt_time(r["s_per_step"]),
                        f"{r['ratio']:.3g}×",
                        f"{r['dx']:.1e}",
                        r["note"],
                    ]
                    for r in rows
                ],
            )
        )
        c2, imp = info["octk_first_call_s_2nd_process"], info["octk_import_s_2nd_process"]
        hit = f"{c2:.2f} s (+ {imp:.2f} s import)" if c2 is not None else "n/a"
        print(f"final x after T steps (octk): {info['x_final_octk']!r}")
        print(
            f"octk first call (cold cache: SymPy lowering + Numba compile): "
            f"{info['octk_first_call_s']:.2f} s; in a second process (disk cache hit): {hit}"
        )
        results["counterexample"] = {"rows": rows, **info}
        load("counterexample")

        print(
            f"\n2. Batched sweep: {a.configs} configurations (alpha in [0.01, 0.5]) "
            f"× T = {a.sweep_steps:.0e}"
        )
        rows, info = bench_sweep(a)
        print(
            table(
                ["implementation", "config-steps/s", "octk faster by", "max |Δx|", "note"],
                [
                    [
                        r["name"],
                        f"{r['rate']:.3g}",
                        f"{r['ratio']:.3g}×",
                        f"{r['dx']:.1e}",
                        r["note"],
                    ]
                    for r in rows
                ],
            )
        )
        results["sweep"] = {"rows": rows, **info}
        load("sweep")

        b1, _ = beta_grid(a.configs)
        print(
            f"\n2b. (beta1, beta2)-sweep: {b1.size} pairs, beta1 in [0, 0.9] x beta2 in "
            f"[0.1, 0.999], alpha = {ALPHA} (nothing shared between configurations) "
            f"x T = {a.sweep_steps:.0e}"
        )
        rows, info = bench_beta_sweep(a)
        print(
            table(
                ["implementation", "config-steps/s", "octk faster by", "max |Δx|", "note"],
                [
                    [r["name"], f"{r['rate']:.3g}", f"{r['ratio']:.3g}×", f"{r['dx']:.1e}",
                     r["note"]]
                    for r in rows
                ],
            )
        )  # fmt: skip
        results["beta_sweep"] = {"rows": rows, **info}
        load("beta_sweep")

        print(
            f"\n3. High-dimensional Adam step: d = {a.dim:.0e}, {a.dim_steps} steps, "
            f"'uniform' sequence on {BOX}"
        )
        rows, info = bench_highdim(a)
        print(
            table(
                ["implementation", "per step", "GB/s", "of bw", "max |Δx|", "note"],
                [
                    [
                        r["name"],
                        fmt_time(r["s_per_step"]),
                        f"{r['gbs']:.1f}",
                        f"{r['frac_bw']:.0%}",
                        f"{r['dx']:.1e}",
                        r["note"],
                    ]
                    for r in rows
                ],
            )
        )
        print(
            f"GB/s counts {HD_BYTES} B per coordinate per step (m, v, x: 8 B read + 8 B written "
            f"each); not counted: the peers' gradient read, octk's extra lane arrays, write-"
            f"allocate. Measured bandwidth ('of bw'), the larger of two parallel Numba loops: "
            f"a += s·b in place {info['stream_triad_inplace_gbs']:.1f} GB/s (24 B/element), "
            f"the Adam step's pattern with trivial arithmetic "
            f"{info['stream_adam_pattern_gbs']:.1f} GB/s (56 B/element: g, m, v, x read, "
            f"m, v, x written)"
        )
        results["highdim"] = {"rows": rows, **info}
        load("highdim")

        if not a.skip_asm:
            print(
                "\n4. Does the generated inner lane loop vectorise? (instruction counts in the "
                "compiled kernel's assembly: packed forms by register width, then the scalar form)"
            )
            vec = vectorisation_report()
            for name, cnt in vec.items():
                print(f"octk {name} kernel:")
                for what, c in cnt.items():
                    text = ", ".join(f"{k} {x}" for k, x in c.items()) if isinstance(c, dict) else c
                    print(f"  {what:9s} {text}")
            novec = sweep_rate_without_vectorizer(a.configs, a.sweep_steps, a.repeat)
            vec_rate = results["sweep"]["rows"][1]["rate"]  # octk kernel call only, all threads
            if novec:
                print(
                    f"sweep kernel with LLVM's loop vectoriser off (NUMBA_LOOP_VECTORIZE=0): "
                    f"{novec:.3g} config-steps/s vs {vec_rate:.3g} on: {vec_rate / novec:.2f}×"
                )
            results["asm"] = vec
            results["sweep"]["novectorize_rate"] = novec
        results["targets"] = targets(results)
    finally:
        shutil.rmtree(cache, ignore_errors=True)

    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=2, default=float)
        print(f"\nwrote {a.json}")


if __name__ == "__main__":
    main()
