"""Section 3 of ``bench_counterexample.py``: one high-dimensional Adam step per call
(d coordinates, the ``uniform`` sequence on box:-1,1) against hand Numba, NumPy,
torch.optim.Adam (foreach=False/True, fused=True), optax under ``jax.jit``, and the
machine's measured memory bandwidth (STREAM-like loops in Numba).
"""

from __future__ import annotations

import math
import time

import numpy as np

# ------------------------------------------------------------ 3. high-dimensional
from benchlib import (
    BOX,
    EPS,
    HD_BYTES,
    HD_PARAMS,
    adam_rule,
    jax,
    jnp,
    octk_kernel,
    optax,
    rounds,
    timed,
    torch,
)
from numba import njit, prange

from octk.random import uniform_np
from octk.simulate import simulate


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


@njit(parallel=True)
def stream_adam_pattern(x, m, v, g, s):
    """The Adam step's memory pattern with trivial arithmetic: 4 arrays read, 3 written (56 B)."""
    for i in prange(x.shape[0]):
        gi = g[i]
        m[i] = m[i] + s * gi
        v[i] = v[i] + s * gi
        x[i] = x[i] + s * gi


def hd_schedule(n):
    """Per step t = 1..n: (alpha/sqrt(t), 1 - beta1^t, 1 - beta2^t), with running products."""
    al, b1, b2 = HD_PARAMS["alpha"], HD_PARAMS["beta1"], HD_PARAMS["beta2"]
    out, p1, p2 = [], 1.0, 1.0
    for t in range(1, n + 1):
        out.append((al * (1.0 / math.sqrt(t)), 1.0 - b1 * p1, 1.0 - b2 * p2))
        p1 *= b1
        p2 *= b2
    return out


def numpy_adam(G, sched):
    """A step function k -> None (NumPy in-place ufuncs) and a getter of x."""
    b1, b2 = HD_PARAMS["beta1"], HD_PARAMS["beta2"]
    d = G.shape[1]
    x, m, v, tmp = np.zeros(d), np.zeros(d), np.zeros(d), np.empty(d)

    def step(k):
        g, (ah, bc1, bc2) = G[k], sched[k]
        np.multiply(m, b1, out=m)
        np.multiply(g, 1.0 - b1, out=tmp)
        np.add(m, tmp, out=m)
        np.multiply(v, b2, out=v)
        np.multiply(g, g, out=tmp)
        np.multiply(tmp, 1.0 - b2, out=tmp)
        np.add(v, tmp, out=v)
        np.divide(v, bc2, out=tmp)
        np.sqrt(tmp, out=tmp)
        np.add(tmp, EPS, out=tmp)
        np.divide(m, tmp, out=tmp)
        np.multiply(tmp, ah / bc1, out=tmp)
        np.subtract(x, tmp, out=x)
        np.clip(x, -1.0, 1.0, out=x)

    return step, lambda: x


def hand_adam(G, sched):
    b1, b2 = HD_PARAMS["beta1"], HD_PARAMS["beta2"]
    d = G.shape[1]
    x, m, v = np.zeros(d), np.zeros(d), np.zeros(d)

    def step(k):
        hand_step(x, m, v, G[k], b1, b2, EPS, *sched[k])

    return step, lambda: x


def optax_adam(G, sched):
    """optax.scale_by_adam under jax.jit, one step per call, x and the state donated (so
    jax may update them in place), the step α_t passed as a scalar argument."""
    b1, b2 = HD_PARAMS["beta1"], HD_PARAMS["beta2"]
    tx = optax.scale_by_adam(b1=b1, b2=b2, eps=EPS)
    grads = [jnp.asarray(g) for g in G]

    def update(x, state, g, ah):
        u, state = tx.update(g, state, x)
        return jnp.clip(x - ah * u, -1.0, 1.0), state

    update = jax.jit(update, donate_argnums=(0, 1))
    x = jnp.zeros(G.shape[1])
    held = [x, tx.init(x)]

    def step(k):
        held[0], held[1] = update(held[0], held[1], grads[k], sched[k][0])
        held[0].block_until_ready()

    return step, lambda: np.asarray(held[0])


def torch_adam(G, sched, **kw):
    b1, b2 = HD_PARAMS["beta1"], HD_PARAMS["beta2"]
    x = torch.zeros(G.shape[1], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([x], lr=HD_PARAMS["alpha"], betas=(b1, b2), eps=EPS, **kw)
    grads = [torch.from_numpy(g) for g in G]

    def step(k):
        opt.param_groups[0]["lr"] = sched[k][0]
        x.grad = grads[k]
        opt.step()
        with torch.no_grad():
            x.clamp_(-1.0, 1.0)

    return step, lambda: x.detach().numpy()


def time_steps(make, n):
    """Run a fresh peer for n steps; step 1 (allocations, lazy state) is not timed."""
    step, get_x = make()
    step(0)
    t0 = time.perf_counter()
    for k in range(1, n):
        step(k)
    return time.perf_counter() - t0, get_x().copy()


def bench_highdim(a):
    D, S, rep = a.dim, a.dim_steps, a.repeat
    n = S + 1  # step 1 is a warm-up everywhere; steps 2..S+1 are timed
    r = adam_rule()
    info = {"bytes_per_coord_step": HD_BYTES}

    simulate(r, "uniform", BOX, steps=2, d=4, params=HD_PARAMS)  # compile the uniform kernel
    # the peers read octk's own gradients (2u - 1 from the counter-based draws), precomputed
    coords = np.arange(D, dtype=np.uint64)
    G = np.stack([2.0 * uniform_np(0, t, coords) - 1.0 for t in range(1, n + 1)])
    sched = hd_schedule(n)
    hand_step(np.zeros(4), np.zeros(4), np.zeros(4), G[0, :4].copy(), 0.9, 0.9, EPS, 1.0, 1.0, 1.0)
    A, B, M, V = np.random.default_rng(0).random((4, D))
    stream_update(A[:64], B[:64], 0.5)
    stream_adam_pattern(A[:64], M[:64], V[:64], B[:64], 0.5)

    kw = dict(d=D, params=HD_PARAMS, warm=1)
    entries = [
        (f"octk kernel, {S} steps in one call", octk_kernel("uniform", n, **kw)),
        ("octk kernel, one step per call", octk_kernel("uniform", n, segment=1, **kw)),
        ("hand-written Numba prange step", lambda: time_steps(lambda: hand_adam(G, sched), n)),
        ("NumPy, in-place ufuncs", lambda: time_steps(lambda: numpy_adam(G, sched), n)),
    ]
    if torch is None:
        print("  note: torch not installed, torch.optim.Adam (d-dim) skipped")
    else:
        for opt in ({"foreach": False}, {"foreach": True}, {"fused": True}):
            label = ", ".join(f"{k}={v}" for k, v in opt.items())
            make = lambda opt=opt: torch_adam(G, sched, **opt)  # noqa: E731
            entries.append((f"torch.optim.Adam({label}) + clamp_", lambda m=make: time_steps(m, n)))
    if optax is None:
        print("  note: jax/optax not installed, optax (d-dim) skipped")
    else:
        entries.append(
            (
                "optax.scale_by_adam under jax.jit + clip",
                lambda: time_steps(lambda: optax_adam(G, sched), n),
            )
        )
    # the machine's bandwidth: in-place a += s*b (24 B/element), and the Adam step's own
    # pattern with trivial arithmetic (56 B/element: g, m, v, x read, m, v, x written)
    entries.append(("stream", timed(stream_update, A, B, 1e-9)))
    entries.append(("stream7", timed(stream_adam_pattern, A, M, V, B, 1e-9)))
    best, last = rounds(entries, rep)
    info["stream_triad_inplace_gbs"] = 24 * D / best.pop("stream") / 1e9
    info["stream_adam_pattern_gbs"] = 56 * D / best.pop("stream7") / 1e9
    info["stream_gbs"] = max(info["stream_triad_inplace_gbs"], info["stream_adam_pattern_gbs"])
    x_octk, info["octk_bytes_per_lane_call"] = last[entries[0][0]]
    nb = info["octk_bytes_per_lane_call"]
    notes = {
        entries[0][0]: "lanes stay in cache across steps",
        entries[1][0]: f"{nb:.0f} B/lane/call",
    }

    def row(name, sec, x):
        gbs = HD_BYTES * D * S / sec / 1e9
        dx = float(np.max(np.abs(x - x_octk)))
        return dict(
            name=name,
            s_per_step=sec / S,
            gbs=gbs,
            frac_bw=gbs / info["stream_gbs"],
            dx=dx,
            note=notes.get(name, ""),
        )

    rows = []
    for name, _ in entries[:-2]:
        x = last[name][0] if name.startswith("octk") else last[name]
        rows.append(row(name, best[name], x))

    def octk_sim():
        tr = simulate(r, "uniform", BOX, steps=n, d=D, params=HD_PARAMS, checkpoints=[n])
        return tr.x_final[0]

    sec, xs = timed(octk_sim)()
    rows.insert(2, row("octk simulate() end to end", sec * S / n, xs))
    rows[2]["note"] = f"all {n} steps, incl. lane set-up"
    return rows, info
