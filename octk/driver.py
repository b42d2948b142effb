r"""The time loop of :func:`octk.simulate.run_program`: segments sized by time,
finiteness checks, Ctrl-C, and a trace streamed to disk.

* **Segments sized by time.** Every backend advances the lanes with
  ``kernel(lanes, t0, t1, k0)``; a Numba or CUDA call cannot be interrupted, so the
  driver keeps each call short: the first one runs :data:`FIRST_SEGMENT` steps,
  each later one is resized from the measured rate so that a call takes about
  :data:`TARGET_SECONDS` (at most ×16 larger or ÷4 smaller than the last). Ctrl-C
  is therefore seen within about half a second on every backend, with or without
  a progress bar, and raises :class:`~octk.errors.RunInterrupted` naming the last
  completed step (the command line prints it and exits with status 130).
* **Finite values.** Between segments the lanes are checked and a non-finite
  value is located and explained by :mod:`octk.nonfinite` (its policies).
* **Trace.** With a :class:`TraceFile` every iterate x_{t+1} is written to a
  memory-mapped ``.npy`` segment by segment; the kernel writes them into a
  buffer of at most :data:`TRACE_BUFFER_BYTES` per call, so memory does not grow
  with T.
* **Gradient scale.** :func:`with_gradient_scale` multiplies the program's
  gradient by an exact power of two (see :mod:`octk.rules.scaling`).
"""

from __future__ import annotations

import math
import os
import shutil
import time
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import sympy as sp

from octk.errors import NonFiniteError, NonFiniteWarning, ParameterError, RunInterrupted
from octk.nonfinite import NonFinite, diagnose, first_bad, locate, snapshot
from octk.symbols import g

FIRST_SEGMENT = 256
TARGET_SECONDS = 0.25
TRACE_BUFFER_BYTES = 32 * 2**20
#: gradients above this bound run scaled (scale-invariant rules only, see gradient_scale)
RESCALE_ABOVE = 2.0**256


class SegmentSizer:
    """Steps per kernel call: ``fixed`` if given, else sized so a call takes ~0.25 s."""

    def __init__(self, fixed: int | None, steps: int):
        self.fixed = fixed is not None
        self.size = fixed if fixed is not None else min(steps, FIRST_SEGMENT)
        self.calls = 0

    def update(self, n: int, seconds: float) -> None:
        self.calls += 1
        if self.fixed or self.calls == 1:  # the first call includes compilation
            return
        want = n * TARGET_SECONDS / max(seconds, 1e-6)
        self.size = int(min(max(want, self.size / 4, 1), self.size * 16))


class TraceFile:
    """Every iterate x_{t+1}, t = 1..T, in a memory-mapped ``.npy`` file: shape (T, d)
    for one configuration, (T, C, d) for a batch."""

    def __init__(self, path, steps: int, n_cfg: int, d: int):
        from numpy.lib.format import open_memmap

        self.path = Path(path)
        self.shape = (steps, d) if n_cfg == 1 else (steps, n_cfg, d)
        try:
            self.array = open_memmap(self.path, mode="w+", dtype=np.float64, shape=self.shape)
        except OSError as e:
            raise ParameterError(
                f"trace: cannot write {str(self.path)!r}: {e.strerror or e}"
            ) from None

    def write(self, t0: int, rows: np.ndarray) -> None:
        """Rows x_{t+1} for t = t0, t0 + 1, ... (one row of lanes each)."""
        self.array[t0 - 1 : t0 - 1 + len(rows)] = rows.reshape((len(rows), *self.shape[1:]))

    def close(self) -> None:
        self.array.flush()
        del self.array


def trace_bytes(steps: int, n_cfg: int, d: int) -> int:
    """The size of a trace file (its data; the header adds 128 bytes)."""
    return steps * n_cfg * d * 8


def check_trace_path(path, steps: int, n_cfg: int, d: int) -> int:
    """Raise unless a trace of this size can be written at ``path``; return its size."""
    path = Path(path)
    size = trace_bytes(steps, n_cfg, d)
    parent = path.parent if str(path.parent) else Path(".")
    existing = next((p for p in (parent, *parent.parents) if p.exists()), Path("."))
    if not os.access(existing, os.W_OK):
        raise ParameterError(
            f"trace: cannot write {str(path)!r}: {str(existing)!r} is not writable"
        )
    free = shutil.disk_usage(existing).free
    if size > free:
        raise ParameterError(
            f"trace: {steps:,} steps × {n_cfg * d} coordinates need {size / 2**30:.3g} GiB, "
            f"more than the {free / 2**30:.3g} GiB free under {str(existing)!r}"
        )
    return size


class Stepper:
    """``advance(t0, t1)``: run steps t0..t1, filling checkpoints (and the trace)."""

    def __init__(self, kernel, lanes, trace: TraceFile | None):
        self.kernel, self.lanes, self.trace = kernel, lanes, trace
        per_step = 8 * lanes.n_lanes * (2 + lanes.ck_stats.shape[0])
        self.rows = max(1, TRACE_BUFFER_BYTES // per_step)

    def __call__(self, t0: int, t1: int) -> None:
        lanes = self.lanes
        if self.trace is None:
            self.kernel(lanes, t0, t1, int(np.searchsorted(lanes.ck_t, t0, side="left")))
            return
        Q, L = lanes.ck_stats.shape[0], lanes.n_lanes
        for a in range(t0, t1 + 1, self.rows):
            b = min(t1, a + self.rows - 1)
            m = b - a + 1
            sub = replace(
                lanes,
                ck_t=np.arange(a, b + 1, dtype=np.int64),
                ck_x=np.empty((m, L)),
                ck_loss=np.empty((m, L)),
                ck_stats=np.empty((Q, m, L)),
            )
            self.kernel(sub, a, b, 0)
            for f in ("x", "state", "loss", "stats"):  # a backend may rebind them
                setattr(lanes, f, getattr(sub, f))
            self.trace.write(a, sub.ck_x)
            lo, hi = np.searchsorted(lanes.ck_t, [a, b + 1], side="left")
            rows = lanes.ck_t[lo:hi] - a
            lanes.ck_x[lo:hi] = sub.ck_x[rows]
            lanes.ck_loss[lo:hi] = sub.ck_loss[rows]
            lanes.ck_stats[:, lo:hi] = sub.ck_stats[:, rows]


class Driver:
    """Runs ranges of steps of one run: time-sized segments, finiteness checks (the
    policy ``nonfinite``, see :mod:`octk.nonfinite`) and Ctrl-C (module doc).

    ``run(t0, t1)`` may be called for successive ranges (a caller that swaps the
    lanes' checkpoint arrays between them, like :func:`octk.bounds.scan.scan`);
    ``record`` is the first :class:`NonFinite`, or None.
    """

    def __init__(self, kernel, prog, lanes, meta, *, segment=None, nonfinite="warn", trace=None):
        self.prog, self.lanes, self.meta = prog, lanes, meta
        self.advance = Stepper(kernel, lanes, trace)
        self.sizer = SegmentSizer(segment, meta["steps"])
        self.policy = nonfinite
        self.checking = nonfinite != "ignore"
        self.record: NonFinite | None = None
        self.done = 0

    def run(self, t0: int, t1: int, bar=None) -> None:
        prog, lanes = self.prog, self.lanes
        try:
            while t0 <= t1:
                b = min(t1, t0 + self.sizer.size - 1)
                snap = snapshot(lanes) if self.checking else None
                started = time.perf_counter()
                self.advance(t0, b)
                self.sizer.update(b - t0 + 1, time.perf_counter() - started)
                if self.checking and first_bad(prog, lanes) is not None:
                    self._found(snap, t0, b)
                if bar is not None:
                    bar.update(b - t0 + 1)
                self.done, t0 = b, b + 1
        except KeyboardInterrupt:
            raise RunInterrupted(self.done, self.meta["steps"]) from None

    def _found(self, snap, t0: int, t1: int) -> None:
        step, before = locate(self.advance, self.prog, self.lanes, snap, t0, t1)
        found = first_bad(self.prog, self.lanes)
        assert found is not None
        self.record = diagnose(
            self.prog,
            self.meta["domain"],
            self.lanes,
            before,
            step,
            found,
            self.meta.get("dtype", "float64"),
        )
        if self.policy == "raise":
            self.done = step - 1
            raise NonFiniteError(str(self.record), self.record)
        warnings.warn(str(self.record), NonFiniteWarning, stacklevel=5)
        self.checking = False
        if step < t1:
            self.advance(step + 1, t1)


def drive(be, prog, lanes, meta, *, progress=False, segment=None, nonfinite="warn", trace=None):
    """Advance ``lanes`` from t = 1 to T (module doc); the first :class:`NonFinite`, or None."""
    steps = meta["steps"]
    dtype = meta.get("dtype", "float64")
    kernel = be.compile(prog, meta["domain"], **({"dtype": dtype} if dtype != "float64" else {}))
    driver = Driver(kernel, prog, lanes, meta, segment=segment, nonfinite=nonfinite, trace=trace)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(
            total=steps,
            unit="step",
            unit_scale=True,
            desc=f"{prog.rule.name}/{be.name}",
            leave=False,
        )
    try:
        driver.run(1, steps, bar)
    finally:
        if bar is not None:
            bar.close()
    return driver.record


# --------------------------------------------------------------------------- rescaling
def _signal_range(seq) -> tuple[float, float] | None:
    """(smallest nonzero, largest) |s_t| where the sequence says, else None."""
    from octk.symbols import DATA

    if seq.signal == DATA and seq.data is not None:
        values = np.abs(seq.data[seq.data != 0])
    elif (support := seq.support()) is not None:
        values = np.abs(np.array([v for v in support if v != 0], dtype=np.float64))
    else:
        return None
    if values.size == 0 or not np.all(np.isfinite(values)):
        return None
    return float(values.min()), float(values.max())


def gradient_scale(prog, meta) -> tuple[float, dict[str, sp.Basic] | None]:
    """(c, state degrees) of an exact rescaling g → c·g, or (1.0, None) where none is
    needed or allowed.

    Needed: some |g| exceeds :data:`RESCALE_ABOVE`. Allowed: the gradient is the
    signal itself (a linear loss), whose smallest and largest nonzero magnitudes
    g_min, G are known (a data table or a finite support); the rule is
    scale-invariant at every configuration's hyperparameters; and one power of two
    c keeps every (c·g)² of the run normal, c·g_min ≥ 2^−511, and the sums of T of
    them finite, (c·G)²·T < 2^1023 — then the scaled run computes the unscaled
    run's iterates exactly.
    """
    from octk.backends.program import S
    from octk.rules.scaling import scale_degrees

    seq = meta["sequence"]
    grad = dict(prog.assignments).get(g)
    if grad is None or (grad != S and sp.simplify(grad - S) != 0):
        return 1.0, None
    span = _signal_range(seq)
    if span is None or span[1] <= RESCALE_ABOVE:
        return 1.0, None
    low = -511 - math.floor(math.log2(span[0]))  # c ≥ 2^low keeps c·g_min normal when squared
    high = math.floor((1023 - math.log2(meta["steps"])) / 2 - math.log2(span[1])) - 1
    if low > high:
        return 1.0, None
    configs = {tuple(float(v[k]) for v in meta["params"].values()) for k in range(meta["n_cfg"])}
    degrees = None
    for cfg in configs:
        degrees = scale_degrees(prog.rule, dict(zip(meta["params"], cfg, strict=True)))
        if degrees is None:
            return 1.0, None
    return math.ldexp(1.0, (low + high) // 2), degrees


def with_gradient_scale(prog, c: float):
    """``prog`` with its gradient g multiplied by ``c`` (an exact power of two)."""
    if c == 1.0:
        return prog
    return replace(
        prog,
        assignments=tuple((s, sp.Float(c) * e if s == g else e) for s, e in prog.assignments),
    )


def unscale_state(state: dict[str, np.ndarray], degrees, c: float) -> dict[str, np.ndarray]:
    """The state of the unscaled run: s / c^k for a state of degree k (inf beyond float64)."""
    if c == 1.0 or not degrees:
        return state
    e = -math.log2(c)
    out = {}
    with np.errstate(over="ignore"):
        for name, v in state.items():
            k = float(degrees.get(name, 0))
            out[name] = np.ldexp(v, int(e * k)) if (e * k).is_integer() else v * c ** (-k)
    return out


__all__ = [
    "FIRST_SEGMENT",
    "TARGET_SECONDS",
    "TRACE_BUFFER_BYTES",
    "Driver",
    "SegmentSizer",
    "Stepper",
    "TraceFile",
    "check_trace_path",
    "drive",
    "gradient_scale",
    "trace_bytes",
    "unscale_state",
    "with_gradient_scale",
]
