"""Shared pieces of octk's CPU benchmarks: the problem's constants, the runners and
their round-robin timing, octk's kernel timed alone, the optional peers (torch, jax,
optax), jax's ``lax.scan`` Adam, and the output helpers (tables, machine, CPU load).

Imported by ``bench_counterexample.py``, ``sweeps.py`` and ``highdim.py`` (run from
the repository root: ``python benchmarks/bench_counterexample.py``).
"""

from __future__ import annotations

import math
import os
import platform
import re
import subprocess
import time

import numba
import numpy as np

from octk.backends import get_backend
from octk.rules import rule
from octk.simulate import prepare

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


def timed(fn, *args, **kw):
    """A runner: () -> (seconds of fn(*args, **kw), its result)."""

    def run():
        t0 = time.perf_counter()
        out = fn(*args, **kw)
        return time.perf_counter() - t0, out

    return run


def rounds(entries, repeat):
    """Best seconds and last result of each (name, runner), run round-robin ``repeat`` times.

    Round-robin spreads each implementation's repeats over the whole section, so a burst
    of load from another process cannot spoil every repeat of one implementation.
    """
    best = {name: math.inf for name, _ in entries}
    last = {}
    for _ in range(repeat):
        for name, run in entries:
            sec, last[name] = run()
            best[name] = min(best[name], sec)
    return best, last


def touch(lanes):
    """Write every lane array once, so page faults of fresh allocations are not timed."""
    for a in vars(lanes).values():
        if isinstance(a, np.ndarray):
            a[...] = a.copy()


def octk_kernel(seq, steps, *, warm=0, segment=None, threads=None, **kw):
    """A runner timing the compiled kernel alone over steps warm+1..steps.

    The lanes are prepared and touched, and steps 1..warm run, outside the timing;
    ``segment`` steps per kernel call (default: all in one call); ``threads`` Numba
    threads (default: all). The result is (final lane iterates, bytes per lane that one
    kernel call reads and writes).
    """

    def run():
        prog, lanes, meta = prepare(adam_rule(), seq, BOX, steps=steps, checkpoints=[steps], **kw)
        kern = get_backend("numba").compile(prog, meta["domain"])
        touch(lanes)
        if warm:
            kern(lanes, 1, warm, 0)
        all_threads = numba.get_num_threads()
        numba.set_num_threads(threads or all_threads)
        seg = segment or steps
        t = warm + 1
        t0 = time.perf_counter()
        while t <= steps:
            t1 = min(steps, t + seg - 1)
            kern(lanes, t, t1, 0)  # one checkpoint, at t = steps: k0 = 0 until then
            t = t1 + 1
        sec = time.perf_counter() - t0
        numba.set_num_threads(all_threads)
        return sec, (lanes.x.copy(), octk_lane_bytes(lanes))

    return run


def octk_lane_bytes(lanes):
    """Bytes per lane one kernel call reads and writes (checkpoint rows not counted)."""
    reads = (
        lanes.x,
        lanes.par,
        lanes.seed,
        lanes.coord,
        lanes.lo,
        lanes.hi,
        lanes.state,
        lanes.loss,
        lanes.stats,
    )
    writes = (lanes.x, lanes.state, lanes.loss, lanes.stats)
    return (sum(a.nbytes for a in reads) + sum(a.nbytes for a in writes)) / lanes.n_lanes


# --------------------------------------------------------------------------- peers


def optional(name):
    try:
        return __import__(name)
    except ImportError:
        return None


torch = optional("torch")
jax = optional("jax")
optax = optional("optax") if jax is not None else None
jnp = lax = None
if jax is not None:
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    from jax import lax


def jax_scan_fn(T, per_config_state=False):
    """optax.adam (lr = alpha/sqrt(count+1)) + clip, T steps in one lax.scan, per alpha.

    Under ``vmap`` over alpha, jax sees that m and v depend on neither alpha nor x (the
    gradient of this linear loss is c_t) and keeps them unbatched: one m, v update per
    step for all configurations. ``per_config_state`` adds 0·x0 to them, which batches
    them: every configuration then updates its own m, v, as octk and the hand loop do.
    """

    def batched(s, x0):
        same = jnp.shape(s) == x0.shape and jnp.issubdtype(s.dtype, jnp.floating)
        return s + 0.0 * x0 if same else s

    def run(alpha, x0):
        opt = optax.adam(lambda k: alpha / jnp.sqrt(k + 1.0), b1=BETA1, b2=BETA2, eps=EPS)

        def body(carry, _):
            x, state, t = carry
            c = jnp.where(t % 3 == 1, 3.0, -1.0)
            g = jax.grad(lambda y: jnp.sum(c * y))(x)
            upd, state = opt.update(g, state, x)
            x = jnp.clip(optax.apply_updates(x, upd), -1.0, 1.0)
            return (x, state, t + 1), None

        state = opt.init(x0)
        if per_config_state:
            state = jax.tree.map(lambda s: batched(s, x0), state)
        carry = (x0, state, jnp.asarray(1, dtype=jnp.int64))
        (x, _, _), _ = lax.scan(body, carry, None, length=T)
        return x

    return run


# ------------------------------------------------------------------------ output


def table(headers, rows):
    cells = [headers, *rows]
    w = [max(len(str(c[k])) for c in cells) for k in range(len(headers))]
    line = "  ".join("-" * x for x in w)
    out = ["  ".join(str(h).ljust(x) for h, x in zip(headers, w, strict=True)), line]
    for c in rows:
        out.append(
            "  ".join(
                str(v).rjust(x) if k in range(1, len(w) - 1) else str(v).ljust(x)
                for k, (v, x) in enumerate(zip(c, w, strict=True))
            )
        )
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
    vers = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
    }
    for mod in (torch, jax, optax):
        if mod is not None:
            vers[mod.__name__] = mod.__version__
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "numba_threads": numba.config.NUMBA_NUM_THREADS,
        "platform": platform.platform(),
        "versions": vers,
    }


def cpu_snapshot():
    """(wall s, CPU-s busy on the machine, CPU-s stolen by the hypervisor, CPU-s of this
    process and its children); busy and stolen are None where /proc/stat is missing."""
    t = os.times()
    own = t.user + t.system + t.children_user + t.children_system
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        hz = os.sysconf("SC_CLK_TCK")
        busy = (sum(v[:7]) - v[3] - v[4]) / hz  # user..softirq, less idle and iowait
        steal = v[7] / hz
    except (OSError, ValueError, IndexError):
        busy = steal = None
    return time.perf_counter(), busy, steal, own
