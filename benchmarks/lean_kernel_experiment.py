"""What a leaner lane layout would buy the high-dimensional step (an experiment, not octk code).

octk's generated kernel copies every lane array of a chunk in and out on each call:
x, 4 hyperparameter rows, seed, coordinate, lo, hi, m, v, two running powers, loss and
one statistic, 176 B per lane, where an Adam step needs x, m, v (48 B). ``lean_kernel``
below is the generated ``uniform`` kernel edited by hand along the lines suggested in
README.md: per-configuration values (hyperparameters, running powers, box bounds, seed)
become chunk scalars, the coordinate comes from the lane index, the loss is summed per
chunk, and x, m, v and the statistic are updated in place. It is valid only for one
configuration on a box, which is all this experiment needs; its iterates must equal the
generated kernel's bit for bit.

    python benchmarks/lean_kernel_experiment.py [--dim D] [--steps S]
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import tempfile
import time

import numpy as np
from numba import njit, prange

from octk.backends import get_backend
from octk.backends.numba_random import uniform_nb
from octk.rules import rule
from octk.simulate import prepare

PARAMS = {"alpha": 0.1, "beta1": 0.9, "beta2": 0.999}


@njit(parallel=True, error_model="numpy", nogil=True)
def lean_kernel(t0, t1, X, PAR, SEED, LO, HI, STATE, LOSS, STATS):
    L = X.shape[0]
    chunk = 256
    nchunks = (L + chunk - 1) // chunk
    p_alpha, p_beta1, p_beta2, p_eps = PAR[0, 0], PAR[1, 0], PAR[2, 0], PAR[3, 0]
    lo, hi, seed = LO[0], HI[0], SEED[0]
    for c in prange(nchunks):
        a = c * chunk
        b = min(L, a + chunk)
        n = b - a
        x = X[a:b]
        s_m_arr = STATE[0, a:b]
        s_v_arr = STATE[1, a:b]
        st0 = STATS[0, a:b]
        pow1 = STATE[2, a]
        pow2 = STATE[3, a]
        loss = np.zeros(n)  # per lane in cache, summed once: an FP reduction would not vectorise
        for t in range(t0, t1 + 1):
            h0 = 1.0 / math.sqrt(t)
            bc1 = -p_beta1 * pow1 + 1
            bc2 = -p_beta2 * pow2 + 1
            for j in range(n):
                xj = x[j]
                a_s = 2 * uniform_nb(seed, t, a + j, 0) - 1
                loss[j] += a_s * xj
                s_m = p_beta1 * s_m_arr[j] + a_s * (1 - p_beta1)
                s_v = p_beta2 * s_v_arr[j] + (a_s * a_s) * (1 - p_beta2)
                a_mhat = s_m / bc1
                a_vhat = s_v / bc2
                den = p_eps + math.sqrt(a_vhat)
                a_delta = p_alpha * h0 * a_mhat / den if den > 0 else 0.0
                x[j] = min(max(-a_delta + xj, lo), hi)
                st0[j] += a_s
                s_m_arr[j] = s_m
                s_v_arr[j] = s_v
            pow1 = p_beta1 * pow1
            pow2 = p_beta2 * pow2
        LOSS[a] += loss.sum()
        STATE[2, a:b] = pow1
        STATE[3, a:b] = pow2


def run(which, D, S, segment, repeat):
    """Best seconds of steps 2..S+1 (step 1 untimed), and the final iterates."""
    n = S + 1
    best = math.inf
    for _ in range(repeat):
        prog, lanes, meta = prepare(
            rule("adam", schedule="sqrt"),
            "uniform",
            "box:-1,1",
            steps=n,
            d=D,
            params=PARAMS,
            checkpoints=[n],
        )
        for arr in vars(lanes).values():
            if isinstance(arr, np.ndarray):
                arr[...] = arr.copy()  # page faults outside the timing
        if which == "octk":
            gen = get_backend("numba").compile(prog, meta["domain"])

            def call(t0, t1, gen=gen, lanes=lanes):
                gen(lanes, t0, t1, 0)
        else:

            def call(t0, t1, ln=lanes):
                lean_kernel(
                    t0, t1, ln.x, ln.par, ln.seed, ln.lo, ln.hi, ln.state, ln.loss, ln.stats
                )

        call(1, 1)
        t = 2
        t0 = time.perf_counter()
        while t <= n:
            t1 = min(n, t + segment - 1)
            call(t, t1)
            t = t1 + 1
        best = min(best, time.perf_counter() - t0)
    return best, lanes.x.copy()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dim", type=int, default=10**7)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args(argv)
    D, S = a.dim, a.steps
    cache = tempfile.mkdtemp(prefix="octk-lean-cache-")  # leave the user's kernel cache alone
    os.environ["OCTK_CACHE_DIR"] = cache
    try:
        compare(D, S, a.repeat)
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def compare(D, S, repeat):
    run("octk", 64, 2, 1, 1)  # compile both
    run("lean", 64, 2, 1, 1)
    print(f"d = {D:.0e}, {S} timed steps, GB/s counted as 48 B per coordinate per step")
    xs = {}
    for which in ("octk", "lean"):
        for seg in (1, S):
            sec, xs[which] = run(which, D, S, seg, repeat)
            print(
                f"  {which:4s} kernel, {seg} step(s) per call: {sec / S * 1e3:7.2f} ms/step, "
                f"{48 * D * S / sec / 1e9:5.1f} GB/s"
            )
    print(f"max |x_lean - x_octk| = {np.max(np.abs(xs['lean'] - xs['octk'])):.1e}")


if __name__ == "__main__":
    main()
