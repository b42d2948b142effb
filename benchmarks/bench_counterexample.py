"""Side-by-side speed of octk's Numba backend and the libraries a user would otherwise use.

Three problems, float64, one process, one machine (see DESIGN.md, "Performance targets"):

1. the Reddi-Kale-Kumar Theorem 1 counterexample, one coordinate, T steps
   (f_t = 3x if t mod 3 == 1 else -x on [-1, 1]; Adam, beta1 = 0, beta2 = 0.1,
   alpha_t = 0.1/sqrt(t), bias-corrected, eps = 1e-8);
2. a batched sweep of the same problem over C step sizes alpha in [0.01, 0.5];
3. one high-dimensional Adam step (d coordinates, the ``uniform`` sequence on
   box:-1,1), reported as GB/s of the bytes a step must move.

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
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

# A fresh kernel cache, so that the first octk call measures a cold compile and a
# second process measures a disk-cache hit. Set before octk is imported.
_CACHE = tempfile.mkdtemp(prefix="octk-bench-cache-")
os.environ["OCTK_CACHE_DIR"] = _CACHE

import numpy as np  # noqa: E402
from numba import njit, prange  # noqa: E402

from octk.backends import get_backend  # noqa: E402
from octk.backends.numba_backend import load_kernel  # noqa: E402
from octk.random import uniform_np  # noqa: E402
from octk.rules import rule  # noqa: E402
from octk.simulate import prepare, run_program, simulate  # noqa: E402

SEQ = "reddi-thm1:C=3"
BOX = "box:-1,1"
ALPHA, BETA1, BETA2, EPS = 0.1, 0.0, 0.1, 1e-8
PARAMS = {"alpha": ALPHA, "beta1": BETA1, "beta2": BETA2}
# the high-dimensional step: ordinary Adam constants
HD_PARAMS = {"alpha": 0.1, "beta1": 0.9, "beta2": 0.999}
HD_BYTES = 48  # per coordinate per step: m, v, x read + written, 8 bytes each
CHUNK = 256


def adam_rule():
    return rule("adam", schedule="sqrt")


def best_of(fn, repeat):
    """(best seconds, last result) of ``repeat`` calls of ``fn()``."""
    best, out = math.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


# --------------------------------------------------------------------------- peers


def optional(name):
    try:
        return __import__(name)
    except ImportError:
        return None


torch = optional("torch")
jax = optional("jax")
optax = optional("optax") if jax is not None else None
if jax is not None:
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    from jax import lax


# --------------------------------------------------------------- 1. counterexample


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


def jax_scan_fn(T):
    """optax.adam (lr = alpha/sqrt(count+1)) + clip, T steps in one lax.scan, per alpha."""

    def run(alpha, x0):
        opt = optax.adam(lambda k: alpha / jnp.sqrt(k + 1.0), b1=BETA1, b2=BETA2, eps=EPS)

        def body(carry, _):
            x, state, t = carry
            c = jnp.where(t % 3 == 1, 3.0, -1.0)
            g = jax.grad(lambda y: jnp.sum(c * y))(x)
            upd, state = opt.update(g, state, x)
            x = jnp.clip(optax.apply_updates(x, upd), -1.0, 1.0)
            return (x, state, t + 1), None

        carry = (x0, opt.init(x0), jnp.asarray(1, dtype=jnp.int64))
        (x, _, _), _ = lax.scan(body, carry, None, length=T)
        return x

    return run


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
            [sys.executable, "-c", code], env=dict(os.environ), capture_output=True, text=True,
            check=True, timeout=600,
        ).stdout.split()
        return float(out[0]), float(out[1])
    except (subprocess.SubprocessError, ValueError, IndexError) as e:
        print(f"  note: second-process measurement failed: {e}")
        return None, None


def bench_counterexample(a):
    T, Tt, Tp, rep = a.steps, a.torch_steps, a.python_steps, a.repeat
    r = adam_rule()
    rows, info = [], {}

    t0 = time.perf_counter()
    simulate(r, SEQ, BOX, steps=10, params=PARAMS)
    info["octk_first_call_s"] = time.perf_counter() - t0  # compile (cold cache) + lowering
    info["octk_import_s_2nd_process"], info["octk_first_call_s_2nd_process"] = (
        octk_cache_hit_seconds()
    )

    def octk_x(steps):
        tr = simulate(r, SEQ, BOX, steps=steps, params=PARAMS, checkpoints=[steps])
        return float(tr.x_final[0, 0])

    sec, x_octk = best_of(lambda: octk_x(T), rep)
    base = sec / T
    rows.append(dict(name="octk simulate(), numba backend", steps=T, s_per_step=base, dx=0.0,
                     note="end to end: lowering + kernel"))

    prog, lanes0, meta = prepare(r, SEQ, BOX, steps=T, params=PARAMS, checkpoints=[T])
    be = get_backend("numba")

    def kernel_only():
        _, lanes, m = prepare(r, SEQ, BOX, steps=T, params=PARAMS, checkpoints=[T])
        t0 = time.perf_counter()
        run_program(be, prog, lanes, m)
        return time.perf_counter() - t0, float(lanes.x[0])

    res = [kernel_only() for _ in range(rep)]
    sec = min(s for s, _ in res)
    rows.append(dict(name="octk kernel only (prepared lanes)", steps=T, s_per_step=sec / T,
                     dx=abs(res[-1][1] - x_octk), note=""))

    hand_loop(10, ALPHA, BETA1, BETA2, EPS, 0.0)  # compile
    sec, xh = best_of(lambda: hand_loop(T, ALPHA, BETA1, BETA2, EPS, 0.0), rep)
    rows.append(dict(name="hand-written Numba scalar loop", steps=T, s_per_step=sec / T,
                     dx=abs(xh - x_octk), note="the dependency-chain reference"))

    sec, xp = best_of(lambda: python_loop(Tp, ALPHA, BETA1, BETA2, EPS, 0.0), 1)
    ref = x_octk if Tp == T else octk_x(Tp)
    rows.append(dict(name="pure Python loop", steps=Tp, s_per_step=sec / Tp, dx=abs(xp - ref),
                     note="" if Tp == T else f"{Tp} steps, per step extrapolated"))

    if torch is None:
        print("  note: torch not installed, torch.optim.Adam skipped (pip install octk[bench])")
    else:
        ref = octk_x(Tt)
        for autograd in (True, False):
            torch_loop(100, autograd)  # warm-up
            sec, xt = best_of(lambda ag=autograd: torch_loop(Tt, ag), 1)
            how = "loss.backward()" if autograd else "grad assigned"
            rows.append(dict(name=f"torch.optim.Adam + clamp_ ({how})", steps=Tt,
                             s_per_step=sec / Tt, dx=abs(xt - ref),
                             note=f"{Tt} steps, per step extrapolated to T"))

    if optax is None:
        print("  note: jax/optax not installed, optax + lax.scan skipped (pip install octk[bench])")
    else:
        x0 = jnp.zeros(1)
        t0 = time.perf_counter()
        fn = jax.jit(jax_scan_fn(T)).lower(ALPHA, x0).compile()
        info["jax_compile_s"] = time.perf_counter() - t0
        sec, xj = best_of(lambda: fn(ALPHA, x0).block_until_ready(), rep)
        rows.append(dict(name="optax.adam + jax lax.scan (jit)", steps=T, s_per_step=sec / T,
                         dx=abs(float(xj[0]) - x_octk),
                         note=f"compile {info['jax_compile_s']:.2f} s excluded"))

    for row in rows:
        row["ratio"] = row["s_per_step"] / base
    info["x_final_octk"] = x_octk
    return rows, info


# ---------------------------------------------------------------------- 2. sweep


@njit(parallel=True, error_model="numpy")
def hand_sweep(T, alpha, b1, b2, eps, x):
    """Configurations in parallel chunks, t outside, lanes inside; beta shared by all lanes."""
    C = x.shape[0]
    nch = (C + CHUNK - 1) // CHUNK
    for c in prange(nch):
        a = c * CHUNK
        b = min(C, a + CHUNK)
        n = b - a
        xs = x[a:b].copy()
        al = alpha[a:b]
        m = np.zeros(n)
        v = np.zeros(n)
        pb1 = 1.0
        pb2 = 1.0
        for t in range(1, T + 1):
            g = 3.0 if t % 3 == 1 else -1.0
            pb1 *= b1
            pb2 *= b2
            bc1 = 1.0 - pb1
            bc2 = 1.0 - pb2
            h = 1.0 / math.sqrt(t)
            for j in range(n):
                mj = b1 * m[j] + g * (1.0 - b1)
                vj = b2 * v[j] + g * g * (1.0 - b2)
                m[j] = mj
                v[j] = vj
                xn = xs[j] - al[j] * h * (mj / bc1) / (eps + math.sqrt(vj / bc2))
                xs[j] = min(max(xn, -1.0), 1.0)
        x[a:b] = xs
    return x


def numpy_sweep(T, alpha):
    """t outside (Python), configurations inside (NumPy arrays)."""
    m = np.zeros_like(alpha)
    v = np.zeros_like(alpha)
    x = np.zeros_like(alpha)
    pb1 = pb2 = 1.0
    for t in range(1, T + 1):
        g = 3.0 if t % 3 == 1 else -1.0
        m = BETA1 * m + g * (1.0 - BETA1)
        v = BETA2 * v + g * g * (1.0 - BETA2)
        pb1 *= BETA1
        pb2 *= BETA2
        x = x - alpha * (1.0 / math.sqrt(t)) * (m / (1.0 - pb1)) / (
            EPS + np.sqrt(v / (1.0 - pb2))
        )
        np.clip(x, -1.0, 1.0, out=x)
    return x


def bench_sweep(a):
    C, T, rep = a.configs, a.sweep_steps, a.repeat
    alpha = np.linspace(0.01, 0.5, C)
    params = dict(PARAMS, alpha=alpha)
    r = adam_rule()
    work = C * T
    rows, info = [], {}

    def octk_sim():
        tr = simulate(r, SEQ, BOX, steps=T, params=params, checkpoints=[T])
        return tr.x_final[:, 0]

    octk_sim()  # the kernel is the one of part 1 (parameters are data): already compiled
    sec, x_octk = best_of(octk_sim, rep)
    base = work / sec
    rows.append(dict(name="octk simulate(), numba backend", rate=base, dx=0.0,
                     note="end to end, prange over 256-lane chunks"))

    prog, _, _ = prepare(r, SEQ, BOX, steps=T, params=params, checkpoints=[T])
    be = get_backend("numba")

    def kernel_only():
        _, lanes, m = prepare(r, SEQ, BOX, steps=T, params=params, checkpoints=[T])
        t0 = time.perf_counter()
        run_program(be, prog, lanes, m)
        return time.perf_counter() - t0, lanes.x.copy()

    res = [kernel_only() for _ in range(rep)]
    sec = min(s for s, _ in res)
    rows.append(dict(name="octk kernel only (prepared lanes)", rate=work / sec,
                     dx=float(np.max(np.abs(res[-1][1] - x_octk))), note=""))

    hand_sweep(3, alpha[:8].copy(), BETA1, BETA2, EPS, np.zeros(8))  # compile
    sec, xh = best_of(lambda: hand_sweep(T, alpha, BETA1, BETA2, EPS, np.zeros(C)), rep)
    rows.append(dict(name="hand-written Numba, t outside, lanes inside", rate=work / sec,
                     dx=float(np.max(np.abs(xh - x_octk))), note="prange chunks, shared beta"))

    sec, xn = best_of(lambda: numpy_sweep(T, alpha), 1)
    rows.append(dict(name="NumPy, t outside, configs vectorised", rate=work / sec,
                     dx=float(np.max(np.abs(xn - x_octk))), note=""))

    if optax is None:
        print("  note: jax/optax not installed, vmap(lax.scan) sweep skipped")
    else:
        fn_one = jax_scan_fn(T)
        alpha_j, x0 = jnp.asarray(alpha), jnp.zeros((C, 1))
        t0 = time.perf_counter()
        fn = jax.jit(jax.vmap(fn_one)).lower(alpha_j, x0).compile()
        info["jax_compile_s"] = time.perf_counter() - t0
        sec, xj = best_of(lambda: fn(alpha_j, x0).block_until_ready(), rep)
        rows.append(dict(name="optax.adam + jax vmap(lax.scan) (jit)", rate=work / sec,
                         dx=float(np.max(np.abs(np.asarray(xj)[:, 0] - x_octk))),
                         note=f"compile {info['jax_compile_s']:.2f} s excluded"))

    for row in rows:
        row["ratio"] = base / row["rate"]  # > 1: slower than octk
    return rows, info


def asm_counts(source):
    """Packed vs scalar sqrt/div (and 64-bit multiplies) in the compiled kernel's assembly."""
    kern = load_kernel(source)
    asm = kern.inspect_asm(kern.signatures[0])
    out = {}
    for op in ("vsqrtpd", "vdivpd", "vmulpd", "vpmullq", "vsqrtsd", "vdivsd", "vmulsd"):
        hits = re.findall(rf"\b{op}\s+([^\n]*)", asm)
        out[op] = len(hits)
        if op.endswith("pd") or op == "vpmullq":
            for reg in ("ymm", "zmm"):
                out[f"{op}_{reg}"] = sum(reg in h for h in hits)
    return out


def vectorisation_report():
    """Counts for the batched counterexample kernel and the high-dimensional (uniform) one."""
    be = get_backend("numba")
    out = {}
    cases = (("sweep", SEQ, PARAMS, 1), ("highdim", "uniform", HD_PARAMS, 4))
    for name, seq, params, d in cases:
        prog, _, meta = prepare(adam_rule(), seq, BOX, steps=2, params=params, d=d)
        out[name] = asm_counts(be.source(prog, meta["domain"]))
    return out


# ------------------------------------------------------------ 3. high-dimensional


@njit(parallel=True, error_model="numpy")
def hand_step(x, m, v, g, b1, b2, eps, ah, bc1, bc2):
    """One Adam step over all coordinates (box [-1, 1]), parallel over coordinates."""
    for i in prange(x.shape[0]):
        mi = b1 * m[i] + g[i] * (1.0 - b1)
        vi = b2 * v[i] + g[i] * g[i] * (1.0 - b2)
        m[i] = mi
        v[i] = vi
        xn = x[i] - ah * (mi / bc1) / (eps + math.sqrt(vi / bc2))
        x[i] = min(max(xn, -1.0), 1.0)


@njit(parallel=True)
def stream_update(a, b, s):
    """a += s*b in place: 16 bytes read + 8 written per element, no write-allocate."""
    for i in prange(a.shape[0]):
        a[i] = a[i] + s * b[i]


def hd_schedule(S):
    """Per step t: (alpha/sqrt(t), 1 - beta1^t, 1 - beta2^t), with running products."""
    al, b1, b2 = HD_PARAMS["alpha"], HD_PARAMS["beta1"], HD_PARAMS["beta2"]
    out, p1, p2 = [], 1.0, 1.0
    for t in range(1, S + 1):
        out.append((al * (1.0 / math.sqrt(t)), 1.0 - b1 * p1, 1.0 - b2 * p2))
        p1 *= b1
        p2 *= b2
    return out


def numpy_steps(G, sched):
    b1, b2 = HD_PARAMS["beta1"], HD_PARAMS["beta2"]
    d = G.shape[1]
    x, m, v, tmp = np.zeros(d), np.zeros(d), np.zeros(d), np.empty(d)
    t0 = time.perf_counter()
    for g, (ah, bc1, bc2) in zip(G, sched, strict=True):
        m *= b1
        np.multiply(g, 1.0 - b1, out=tmp)
        m += tmp
        v *= b2
        np.multiply(g, g, out=tmp)
        tmp *= 1.0 - b2
        v += tmp
        np.divide(v, bc2, out=tmp)
        np.sqrt(tmp, out=tmp)
        tmp += EPS
        np.divide(m, tmp, out=tmp)
        tmp *= ah / bc1
        x -= tmp
        np.clip(x, -1.0, 1.0, out=x)
    return time.perf_counter() - t0, x


def hand_steps(G, sched):
    b1, b2 = HD_PARAMS["beta1"], HD_PARAMS["beta2"]
    d = G.shape[1]
    x, m, v = np.zeros(d), np.zeros(d), np.zeros(d)
    t0 = time.perf_counter()
    for g, (ah, bc1, bc2) in zip(G, sched, strict=True):
        hand_step(x, m, v, g, b1, b2, EPS, ah, bc1, bc2)
    return time.perf_counter() - t0, x


def torch_steps(G, sched, **kw):
    b1, b2 = HD_PARAMS["beta1"], HD_PARAMS["beta2"]
    x = torch.zeros(G.shape[1], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([x], lr=HD_PARAMS["alpha"], betas=(b1, b2), eps=EPS, **kw)
    grads = [torch.from_numpy(g) for g in G]
    t0 = time.perf_counter()
    for t, g in enumerate(grads, start=1):
        opt.param_groups[0]["lr"] = sched[t - 1][0]
        x.grad = g
        opt.step()
        with torch.no_grad():
            x.clamp_(-1.0, 1.0)
    return time.perf_counter() - t0, x.detach().numpy().copy()


def bench_highdim(a):
    D, S, rep = a.dim, a.dim_steps, a.repeat
    nominal = HD_BYTES * D * S
    r = adam_rule()
    be = get_backend("numba")
    rows, info = [], {}

    def gbs(sec):
        return nominal / sec / 1e9

    simulate(r, "uniform", BOX, steps=2, d=4, params=HD_PARAMS)  # compile the uniform kernel

    def octk_run(segment):
        prog, lanes, meta = prepare(r, "uniform", BOX, steps=S, d=D, params=HD_PARAMS,
                                    checkpoints=[S])
        t0 = time.perf_counter()
        run_program(be, prog, lanes, meta, segment=segment)
        return time.perf_counter() - t0, lanes.x.copy()

    res = [octk_run(None) for _ in range(rep)]
    sec = min(s for s, _ in res)
    x_octk = res[-1][1]
    rows.append(dict(name=f"octk kernel, {S} steps in one call", s_per_step=sec / S,
                     gbs=gbs(sec), dx=0.0, note="chunk stays in cache across steps"))
    res = [octk_run(1) for _ in range(rep)]
    sec = min(s for s, _ in res)
    rows.append(dict(name="octk kernel, one step per call", s_per_step=sec / S, gbs=gbs(sec),
                     dx=float(np.max(np.abs(res[-1][1] - x_octk))), note="the per-step cost"))

    def octk_sim():
        tr = simulate(r, "uniform", BOX, steps=S, d=D, params=HD_PARAMS, checkpoints=[S])
        return tr.x_final[0]

    sec, xs = best_of(octk_sim, 1)
    rows.append(dict(name="octk simulate() end to end", s_per_step=sec / S, gbs=gbs(sec),
                     dx=float(np.max(np.abs(xs - x_octk))), note="incl. lane set-up"))

    # the peers read octk's own gradients (2u - 1 from the counter-based draws), precomputed
    coords = np.arange(D, dtype=np.uint64)
    G = np.stack([2.0 * uniform_np(0, t, coords) - 1.0 for t in range(1, S + 1)])
    sched = hd_schedule(S)

    hand_steps(G[:, :64].copy(), sched)  # compile
    peers = [("hand-written Numba prange step", hand_steps, {}, "")]
    peers.append(("NumPy, in-place ufuncs", numpy_steps, {}, ""))
    if torch is None:
        print("  note: torch not installed, torch.optim.Adam (d-dim) skipped")
    else:
        for kw, label in (({"foreach": False}, "foreach=False"),
                          ({"foreach": True}, "foreach=True"), ({"fused": True}, "fused=True")):
            peers.append((f"torch.optim.Adam({label}) + clamp_",
                          lambda G, s, kw=kw: torch_steps(G, s, **kw), {}, ""))
    for name, fn, _, note in peers:
        res = [fn(G, sched) for _ in range(rep)]
        sec = min(s for s, _ in res)
        rows.append(dict(name=name, s_per_step=sec / S, gbs=gbs(sec),
                         dx=float(np.max(np.abs(res[-1][1] - x_octk))), note=note))

    # the machine's bandwidth, for the same counting: an in-place a += s*b (24 B/element)
    A, B = np.random.default_rng(0).random((2, D))
    stream_update(A[:64], B[:64], 0.5)
    sec, _ = best_of(lambda: stream_update(A, B, 1e-9), max(rep, 5))
    info["stream_gbs"] = 24 * D / sec / 1e9
    info["bytes_per_coord_step"] = HD_BYTES
    for row in rows:
        row["frac_bw"] = row["gbs"] / info["stream_gbs"]
    return rows, info


# ------------------------------------------------------------------------ output


def table(headers, rows):
    cells = [headers, *rows]
    w = [max(len(str(c[k])) for c in cells) for k in range(len(headers))]
    line = "  ".join("-" * x for x in w)
    out = ["  ".join(str(h).ljust(x) for h, x in zip(headers, w, strict=True)), line]
    for c in rows:
        out.append("  ".join(
            str(v).rjust(x) if k in range(1, len(w) - 1) else str(v).ljust(x)
            for k, (v, x) in enumerate(zip(c, w, strict=True))
        ))
    return "\n".join(out)


def fmt_time(s):
    if s < 1e-6:
        return f"{s * 1e9:.1f} ns"
    if s < 1e-3:
        return f"{s * 1e6:.1f} µs"
    return f"{s * 1e3:.2f} ms"


def machine():
    model = platform.processor() or platform.machine()
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        m = re.search(r"Model name:\s*(.+)", out)
        model = m.group(1).strip() if m else model
    except (OSError, subprocess.SubprocessError):
        pass
    import numba

    vers = {"python": platform.python_version(), "numpy": np.__version__,
            "numba": numba.__version__}
    for mod in (torch, jax, optax):
        if mod is not None:
            vers[mod.__name__] = mod.__version__
    return {"cpu": model, "cores": os.cpu_count(), "numba_threads": numba.config.NUMBA_NUM_THREADS,
            "platform": platform.platform(), "versions": vers}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=10**7, help="T of the 1-D counterexample")
    p.add_argument("--torch-steps", type=int, default=2 * 10**4,
                   help="torch steps, extrapolated per step")
    p.add_argument("--python-steps", type=int, default=None,
                   help="pure-Python steps (default: --steps)")
    p.add_argument("--configs", type=int, default=4096, help="configurations of the sweep")
    p.add_argument("--sweep-steps", type=int, default=10**4, help="T of the sweep")
    p.add_argument("--dim", type=int, default=10**7, help="d of the high-dimensional step")
    p.add_argument("--dim-steps", type=int, default=5, help="steps of the high-dimensional run")
    p.add_argument("--repeat", type=int, default=3, help="best of this many runs (fast ones)")
    p.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    p.add_argument("--json", metavar="PATH", help="write every number to PATH")
    a = p.parse_args(argv)
    if a.quick:
        a.steps, a.torch_steps, a.configs = 10**5, 2000, 512
        a.sweep_steps, a.dim, a.dim_steps = 1000, 10**5, 3
    a.python_steps = a.python_steps or a.steps

    mach = machine()
    v = mach["versions"]
    print(f"octk benchmarks: {mach['cpu']}, {mach['cores']} cores, "
          f"numba threads {mach['numba_threads']}, float64")
    print("  " + ", ".join(f"{k} {x}" for k, x in v.items()))
    results = {"machine": mach, "args": vars(a)}

    try:
        print(f"\n1. RKK Theorem 1 counterexample, Adam (beta1=0, beta2=0.1, alpha_t=0.1/sqrt t), "
              f"T = {a.steps:.0e}")
        rows, info = bench_counterexample(a)
        print(table(
            ["implementation", "steps run", "per step", "time/octk", "max |Δx|", "note"],
            [[r["name"], f"{r['steps']:.0e}", fmt_time(r["s_per_step"]), f"{r['ratio']:.3g}×",
              f"{r['dx']:.1e}", r["note"]] for r in rows],
        ))
        c2 = info["octk_first_call_s_2nd_process"]
        print(f"octk first call (cold cache: SymPy lowering + Numba compile): "
              f"{info['octk_first_call_s']:.2f} s; in a second process (disk cache hit): "
              + (f"{c2:.2f} s (+ {info['octk_import_s_2nd_process']:.2f} s import)" if c2 else "n/a"))
        results["counterexample"] = {"rows": rows, **info}

        print(f"\n2. Batched sweep: {a.configs} configurations (alpha in [0.01, 0.5]) "
              f"× T = {a.sweep_steps:.0e}")
        rows, info = bench_sweep(a)
        print(table(
            ["implementation", "config-steps/s", "octk faster by", "max |Δx|", "note"],
            [[r["name"], f"{r['rate']:.3g}", f"{r['ratio']:.3g}×", f"{r['dx']:.1e}", r["note"]]
             for r in rows],
        ))
        results["sweep"] = {"rows": rows, **info}

        print(f"\n3. High-dimensional Adam step: d = {a.dim:.0e}, {a.dim_steps} steps, "
              f"'uniform' sequence on {BOX}")
        rows, info = bench_highdim(a)
        print(table(
            ["implementation", "per step", "GB/s", "of stream", "max |Δx|", "note"],
            [[r["name"], fmt_time(r["s_per_step"]), f"{r['gbs']:.1f}", f"{r['frac_bw']:.0%}",
              f"{r['dx']:.1e}", r["note"]] for r in rows],
        ))
        print(f"GB/s counts {HD_BYTES} B per coordinate per step (m, v, x: 8 B read + 8 B written "
              f"each); not counted: the peers' gradient read, octk's extra lane arrays, write-"
              f"allocate. Stream reference (parallel Numba a += s·b, 24 B/element): "
              f"{info['stream_gbs']:.1f} GB/s")
        results["highdim"] = {"rows": rows, **info}

        print("\n4. Does the generated inner lane loop vectorise? (instruction counts in the "
              "compiled kernel's assembly; packed = *pd, by register width)")
        vec = vectorisation_report()
        for name, cnt in vec.items():
            print(f"octk {name} kernel: " + ", ".join(f"{k} {x}" for k, x in cnt.items()))
        results["asm"] = vec
    finally:
        shutil.rmtree(_CACHE, ignore_errors=True)

    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=2, default=float)
        print(f"\nwrote {a.json}")


if __name__ == "__main__":
    main()
