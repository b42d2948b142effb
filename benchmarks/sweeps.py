"""Section 2 of ``bench_counterexample.py``: batched sweeps of RKK's Theorem 1.

* the α-sweep: C step sizes α ∈ [0.01, 0.5], β shared, against hand Numba loops
  (one that updates m, v per lane as octk does, one that shares them the way jax's
  ``vmap`` finds), NumPy and optax under ``vmap(lax.scan)``;
* the (β1, β2)-sweep: C pairs on a grid, α shared, where nothing is shared between
  configurations (m, v, the bias corrections differ per configuration): octk against
  the hand loop that reads β per configuration, and optax under ``vmap``.
"""

from __future__ import annotations

import math
import time

import numba
import numpy as np
from benchlib import (
    BETA1,
    BETA2,
    BOX,
    CHUNK,
    EPS,
    PARAMS,
    SEQ,
    adam_rule,
    jax,
    jax_scan_fn,
    jnp,
    lax,
    octk_kernel,
    optax,
    rounds,
    timed,
)
from numba import njit, prange

from octk.simulate import simulate

# ---------------------------------------------------------------------- 2. α-sweep


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


@njit(parallel=True, error_model="numpy")
def hand_sweep_shared(T, alpha, b1, b2, eps, x):
    """As hand_sweep, but m and v (identical in every lane here) are updated once per step."""
    C = x.shape[0]
    nch = (C + CHUNK - 1) // CHUNK
    for c in prange(nch):
        a = c * CHUNK
        b = min(C, a + CHUNK)
        xs = x[a:b].copy()
        al = alpha[a:b]
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
            u = (1.0 / math.sqrt(t)) * (m / (1.0 - pb1)) / (eps + math.sqrt(v / (1.0 - pb2)))
            for j in range(b - a):
                xs[j] = min(max(xs[j] - al[j] * u, -1.0), 1.0)
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
        x = x - alpha * (1.0 / math.sqrt(t)) * (m / (1.0 - pb1)) / (EPS + np.sqrt(v / (1.0 - pb2)))
        np.clip(x, -1.0, 1.0, out=x)
    return x


def bench_sweep(a):
    C, T, rep = a.configs, a.sweep_steps, a.repeat
    alpha = np.linspace(0.01, 0.5, C)
    params = dict(PARAMS, alpha=alpha)
    r = adam_rule()
    info = {}

    def octk_sim():
        tr = simulate(r, SEQ, BOX, steps=T, params=params, checkpoints=[T])
        return tr.x_final[:, 0]

    octk_sim()  # the kernel is the one of part 1 (parameters are data): already compiled
    hand_sweep(3, alpha[:8].copy(), BETA1, BETA2, EPS, np.zeros(8))  # compile
    hand_sweep_shared(3, alpha[:8].copy(), BETA1, BETA2, EPS, np.zeros(8))

    def hand(fn, threads=None):
        def run():
            n = numba.get_num_threads()
            numba.set_num_threads(threads or n)
            out = timed(fn, T, alpha, BETA1, BETA2, EPS, np.zeros(C))()
            numba.set_num_threads(n)
            return out

        return run

    one = numba.get_num_threads() > 1
    entries = [
        ("octk simulate(), numba backend", timed(octk_sim), "end to end"),
        ("octk kernel call only", octk_kernel(SEQ, T, params=params), "prange, 256-lane chunks"),
        ("hand Numba, t outside, lanes inside", hand(hand_sweep), "prange chunks, shared beta"),
    ]
    if one:
        entries += [
            ("octk kernel call only, 1 thread", octk_kernel(SEQ, T, params=params, threads=1), ""),
            ("hand Numba, t outside, lanes inside, 1 thread", hand(hand_sweep, threads=1), ""),
        ]
    entries += [
        ("hand Numba, m and v once per step", hand(hand_sweep_shared), "the structure vmap finds"),
        ("NumPy, t outside, configs vectorised", timed(numpy_sweep, T, alpha), ""),
    ]
    if optax is None:
        print("  note: jax/optax not installed, vmap(lax.scan) sweep skipped")
    else:
        alpha_j, x0 = jnp.asarray(alpha), jnp.zeros((C, 1))
        for per_config in (False, True):
            t0 = time.perf_counter()
            run = jax.vmap(jax_scan_fn(T, per_config_state=per_config))
            fn = jax.jit(run).lower(alpha_j, x0).compile()
            comp = time.perf_counter() - t0
            info[f"jax_compile_s{'_per_config_state' if per_config else ''}"] = comp
            how = "m, v per config (0·x0 added)" if per_config else "m, v shared (unbatched)"
            runner = timed(lambda fn=fn: np.asarray(fn(alpha_j, x0).block_until_ready())[:, 0])
            entries.append((f"optax + jax vmap(lax.scan), {how}", runner, f"compile {comp:.2f} s"))

    best, last = rounds([(n, f) for n, f, _ in entries], rep)
    for name in last:
        if name.startswith("octk kernel"):
            last[name] = last[name][0]
    x_octk = last["octk simulate(), numba backend"]
    base = C * T / best["octk simulate(), numba backend"]
    rows = []
    for name, _, note in entries:
        rate = C * T / best[name]
        dx = float(np.max(np.abs(np.asarray(last[name]).reshape(-1) - x_octk)))
        rows.append(dict(name=name, rate=rate, ratio=base / rate, dx=dx, note=note))
    return rows, info


# ------------------------------------------------------------- 2b. (β1, β2)-sweep


@njit(parallel=True, error_model="numpy")
def hand_beta_sweep(T, alpha, b1, b2, eps, x):
    """Configurations in parallel chunks, t outside, lanes inside; β1, β2 per lane, so
    m, v and both bias corrections are per lane: nothing is shared between lanes."""
    C = x.shape[0]
    nch = (C + CHUNK - 1) // CHUNK
    for c in prange(nch):
        a = c * CHUNK
        b = min(C, a + CHUNK)
        n = b - a
        xs = x[a:b].copy()
        c1 = b1[a:b]
        c2 = b2[a:b]
        m = np.zeros(n)
        v = np.zeros(n)
        p1 = np.ones(n)
        p2 = np.ones(n)
        for t in range(1, T + 1):
            g = 3.0 if t % 3 == 1 else -1.0
            h = alpha * (1.0 / math.sqrt(t))
            for j in range(n):
                mj = c1[j] * m[j] + g * (1.0 - c1[j])
                vj = c2[j] * v[j] + g * g * (1.0 - c2[j])
                m[j] = mj
                v[j] = vj
                p1[j] *= c1[j]
                p2[j] *= c2[j]
                xn = xs[j] - h * (mj / (1.0 - p1[j])) / (eps + math.sqrt(vj / (1.0 - p2[j])))
                xs[j] = min(max(xn, -1.0), 1.0)
        x[a:b] = xs
    return x


def beta_grid(C):
    """C (β1, β2) pairs: β1 ∈ [0, 0.9] × β2 ∈ [0.1, 0.999], a rectangular grid."""
    n1 = max(1, int(math.sqrt(C)))
    n2 = max(1, C // n1)
    b1, b2 = np.meshgrid(np.linspace(0.0, 0.9, n1), np.linspace(0.1, 0.999, n2), indexing="ij")
    return b1.ravel(), b2.ravel()


def jax_beta_fn(T):
    """optax.adam (lr = α/√(count+1)) + clip, T steps in one lax.scan, per (β1, β2)."""

    def run(b1, b2, x0):
        opt = optax.adam(lambda k: PARAMS["alpha"] / jnp.sqrt(k + 1.0), b1=b1, b2=b2, eps=EPS)

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


def bench_beta_sweep(a):
    """The (β1, β2)-sweep: rows as :func:`bench_sweep`'s."""
    b1, b2 = beta_grid(a.configs)
    C, T, rep = b1.size, a.sweep_steps, a.repeat
    alpha = PARAMS["alpha"]
    params = {"alpha": alpha, "beta1": b1, "beta2": b2}
    r = adam_rule()
    info = {"configs": C}

    def octk_sim():
        tr = simulate(r, SEQ, BOX, steps=T, params=params, checkpoints=[T])
        return tr.x_final[:, 0]

    octk_sim()  # the kernel of the α-sweep: hyperparameters are data
    hand_beta_sweep(3, alpha, b1[:8].copy(), b2[:8].copy(), EPS, np.zeros(8))  # compile

    def hand():
        return timed(hand_beta_sweep, T, alpha, b1, b2, EPS, np.zeros(C))()

    entries = [
        ("octk simulate(), numba backend", timed(octk_sim), "end to end"),
        ("octk kernel call only", octk_kernel(SEQ, T, params=params), "prange, 256-lane chunks"),
        ("hand Numba, β per lane", hand, "prange chunks, nothing shared"),
    ]
    if optax is None:
        print("  note: jax/optax not installed, vmap(lax.scan) sweep skipped")
    else:
        b1j, b2j, x0 = jnp.asarray(b1), jnp.asarray(b2), jnp.zeros((C, 1))
        t0 = time.perf_counter()
        fn = jax.jit(jax.vmap(jax_beta_fn(T))).lower(b1j, b2j, x0).compile()
        comp = time.perf_counter() - t0
        info["jax_compile_s"] = comp
        runner = timed(lambda: np.asarray(fn(b1j, b2j, x0).block_until_ready())[:, 0])
        entries.append(("optax + jax vmap(lax.scan)", runner, f"compile {comp:.2f} s"))
    best, last = rounds([(n, f) for n, f, _ in entries], rep)
    last["octk kernel call only"] = last["octk kernel call only"][0]
    x_octk = last["octk simulate(), numba backend"]
    base = C * T / best["octk simulate(), numba backend"]
    rows = []
    for name, _, note in entries:
        rate = C * T / best[name]
        dx = float(np.max(np.abs(np.asarray(last[name]).reshape(-1) - x_octk)))
        rows.append(dict(name=name, rate=rate, ratio=base / rate, dx=dx, note=note))
    return rows, info
