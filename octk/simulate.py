"""``simulate``: validate a run, lay it out as lanes, and drive a backend.

A run is a batch of C independent configurations (hyperparameters, seed, x_1)
of one rule on one sequence and domain, each of dimension d. The backends see
C·d *lanes* (configuration-major): one lane per (configuration, coordinate).
The driver advances time in segments, so long runs show progress and the
state between segments is plain arrays (a run can be stopped and resumed).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from octk.backends import check_dtype, dtype_name, get_backend, memo, resolve_backend
from octk.backends.program import StepProgram
from octk.domains import domain as make_domain
from octk.driver import unscale_state
from octk.errors import ParameterError, ShapeError, check_choice, check_int
from octk.nonfinite import POLICIES
from octk.rules import Rule
from octk.rules import resolve as make_rule
from octk.sequences import Sequence
from octk.sequences import sequence as make_sequence
from octk.trajectory import Trajectory, log_checkpoints

#: the longest run: t stays exact in float64 (2^53 ≈ 9.0e15) and in int64
MAX_STEPS = 10**15


@dataclass
class Lanes:
    """The arrays a backend reads and updates in place (L = C·d lanes)."""

    d: int
    x: np.ndarray  # (L,)
    par: np.ndarray  # (P, L) hyperparameters per lane
    seed: np.ndarray  # (L,) uint64
    coord: np.ndarray  # (L,) int64, the coordinate index i of each lane
    lo: np.ndarray  # (L,) the domain's per-lane parameters (Domain.lane_bounds):
    hi: np.ndarray  # (L,) box bounds; a ball's radius in hi; ...
    state: np.ndarray  # (S, L)
    loss: np.ndarray  # (L,) Σ f_s(x_s) of the lane's coordinate
    stats: np.ndarray  # (Q, L)
    data: np.ndarray  # (P_rows, d_cols) table, or (1, 1) zeros
    # checkpoint outputs, filled by the backend
    ck_t: np.ndarray  # (K,)
    ck_x: np.ndarray  # (K, L)
    ck_loss: np.ndarray  # (K, L)
    ck_stats: np.ndarray  # (Q, K, L)

    @property
    def n_lanes(self) -> int:
        return self.x.shape[0]


def _per_config(name: str, value, n: int) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(value, dtype=np.float64))
    if arr.ndim != 1 or arr.size not in (1, n):
        raise ShapeError(
            f"parameter {name} must be a scalar or have one value per configuration "
            f"({n}); got shape {np.shape(value)}"
        )
    return np.broadcast_to(arr, (n,)).copy()


def _batch_size(params: dict, seed, x0) -> int:
    sizes = {np.size(v) for v in params.values() if np.ndim(v) > 0}
    if np.ndim(seed) > 0:
        sizes.add(np.size(seed))
    if np.ndim(x0) == 2:
        sizes.add(np.shape(x0)[0])
    sizes.discard(1)
    if len(sizes) > 1:
        raise ShapeError(
            f"batched inputs disagree on the number of configurations: {sorted(sizes)}"
        )
    return sizes.pop() if sizes else 1


def prepare(
    rule: Rule | str,
    sequence: Sequence | str,
    domain="box:-1,1",
    *,
    steps: int,
    x0=0.0,
    params: dict | None = None,
    seed=0,
    d: int | None = None,
    checkpoints=None,
    monitors=None,
):
    """Validate everything and build (program, lanes, metadata) for a backend."""
    if not isinstance(rule, str | Rule):
        raise ParameterError(
            f"rule must be a rule name (octk.rules.SPECS: 'adam', 'amsgrad', ...), a rule file "
            f"(PATH.toml, PATH.py:NAME) or an "
            f"octk.rules.Rule; got {_shown(rule)}"
        )
    if not isinstance(sequence, str | Sequence):
        hint = (
            "; for a table of signals use octk.sequences.sequence('array', path=ARRAY)"
            if isinstance(sequence, np.ndarray | list | tuple)
            else ""
        )
        raise ParameterError(
            f"sequence must be a sequence name like 'reddi-thm1:C=3' or an "
            f"octk.sequences.Sequence; got {_shown(sequence)}{hint}"
        )
    rule = _named_rule(rule) if isinstance(rule, str) else rule
    sequence = _named_sequence(sequence) if isinstance(sequence, str) else sequence
    dom = make_domain(domain)
    steps = check_int("steps", steps, lo=1, hi=MAX_STEPS)
    sequence.check_steps(steps)
    params = dict(params or {})
    for k, v in params.items():
        try:
            if isinstance(v, str):
                raise ValueError
            np.asarray(v, dtype=np.float64)
        except (TypeError, ValueError):
            raise ParameterError(
                f"parameter {k} must be a number or an array of numbers; got {v!r}"
            ) from None
    try:
        if isinstance(x0, str | bytes):
            raise ValueError
        x0_arr = np.asarray(x0, dtype=np.float64)
    except (TypeError, ValueError):
        raise ParameterError(
            f"x0 must be a number, or an array of numbers of shape (d,) or (configs, d); "
            f"got {_shown(x0)}"
        ) from None
    n_cfg = _batch_size(params, seed, x0_arr)
    resolved = {}
    for h in rule.hyperparameters:
        arr = _per_config(h.name, params.get(h.name, h.default), n_cfg)
        # the allowed sets are intervals: the extremes and any non-finite value decide
        finite = np.isfinite(arr)
        for v in arr[~finite][:1] if not finite.all() else (arr.min(), arr.max()):
            h.check(v)
        resolved[h.name] = arr
    extra = set(params) - set(rule.hyper_names)
    if extra:
        rule.resolve({k: params[k] for k in extra})  # raises naming the unknown one

    # dimension
    dims = set()
    if x0_arr.ndim >= 1:
        dims.add(x0_arr.shape[-1])
    if sequence.dim is not None:
        dims.add(sequence.dim)
    if dom.dim() is not None:
        dims.add(dom.dim())
    if d is not None:
        dims.add(check_int("d", d, lo=1))
    if len(dims) > 1:
        raise ShapeError(
            f"dimensions disagree: x0, sequence data, domain and d give {sorted(dims)}"
        )
    d = dims.pop() if dims else 1
    if x0_arr.ndim > 2:
        raise ShapeError(f"x0 must be a scalar, (d,) or (configs, d); got shape {x0_arr.shape}")
    x0_full = np.broadcast_to(x0_arr.reshape((-1, d)) if x0_arr.ndim else x0_arr, (n_cfg, d)).copy()
    if not np.all(np.isfinite(x0_full)):
        raise ParameterError("x0 must be finite")
    if not dom.contains(x0_full, tol=1e-12):
        raise ParameterError(f"x0 must lie in the domain {dom.spec()}; got {x0_full.tolist()[:3]}")

    seeds = np.atleast_1d(np.asarray(seed))
    if seeds.ndim != 1 or not np.issubdtype(seeds.dtype, np.integer) or np.any(seeds < 0):
        raise ParameterError(
            f"seed must be a non-negative integer or one per configuration; got {seed!r}"
        )
    seeds = np.broadcast_to(seeds.astype(np.uint64), (n_cfg,)).copy()

    # checkpoints
    if checkpoints is None:
        ck = log_checkpoints(steps)
    elif isinstance(checkpoints, str) and checkpoints == "all":
        _check_memory("checkpoints", steps * n_cfg * d * 8 * 3, steps, n_cfg * d)
        ck = np.arange(1, steps + 1, dtype=np.int64)
    else:
        ck = np.unique(np.asarray(checkpoints, dtype=np.int64))
        if ck.size == 0 or ck[0] < 1 or ck[-1] > steps:
            raise ParameterError(f"checkpoints must be steps in [1, {steps}]")
        if ck[-1] != steps:
            ck = np.append(ck, steps)

    prog = memo.lowered(rule, sequence, _monitor_list(monitors), weights=dom.reads_weights)
    L = n_cfg * d
    _check_memory("checkpoints", len(ck) * L * 8 * (2 + len(prog.stats)), len(ck), L)
    lanes_par = (
        np.stack([np.repeat(resolved[h], d) for h in prog.hyper])
        if prog.hyper
        else np.zeros((0, L))
    )
    state0 = np.zeros((len(prog.state), L))
    env = {h: lanes_par[k] for k, h in enumerate(prog.hyper)}
    for k, (_sym, init) in enumerate(prog.state):
        state0[k] = float(init) if init.is_number else _eval_init(init, env)
    lo, hi = (np.tile(b, n_cfg) for b in dom.lane_bounds(d))
    K, Q = len(ck), len(prog.stats)
    lanes = Lanes(
        d=d,
        x=x0_full.reshape(-1).copy(),
        par=np.ascontiguousarray(lanes_par),
        seed=np.repeat(seeds, d),
        coord=np.tile(np.arange(d, dtype=np.int64), n_cfg),
        lo=lo,
        hi=hi,
        state=state0,
        loss=np.zeros(L),
        stats=np.repeat(np.asarray(prog.stat_init, dtype=np.float64).reshape(Q, 1), L, axis=1),
        data=sequence.data if sequence.data is not None else np.zeros((1, 1)),
        ck_t=ck,
        ck_x=np.zeros((K, L)),
        ck_loss=np.zeros((K, L)),
        ck_stats=np.zeros((Q, K, L)),
    )
    meta = dict(
        rule=rule,
        sequence=sequence,
        domain=dom,
        steps=steps,
        n_cfg=n_cfg,
        d=d,
        x0=x0_full,
        params=resolved,
        seeds=seeds,
    )
    return prog, lanes, meta


_rules = memo.Memo("rule by name")
_sequences = memo.Memo("sequence by name")


def _named_rule(name: str) -> Rule:
    """``octk.rules.rule(name)``, built once per name (a rule is immutable)."""
    return _rules.get(name, lambda: make_rule(name))


def _named_sequence(spec: str) -> Sequence:
    """``octk.sequences.sequence(spec)``, built once per spec where the sequence has no
    data table (a table may come from a file, which can change between calls)."""
    if spec in _sequences.entries:
        return _sequences.get(spec, lambda: make_sequence(spec))
    seq = make_sequence(spec)
    if seq.data is None:
        _sequences.get(spec, lambda: seq)
    return seq


def _shown(value) -> str:
    """A short description of a wrong argument (an array by its shape, not its values)."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    text = repr(value)
    return text if len(text) <= 60 else f"a {type(value).__name__}"


def available_memory() -> int | None:
    """Bytes of memory available now (None where the system does not say)."""
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


#: below this many bytes the checkpoint buffers are not checked against free memory
#: (asking the system reads /proc/meminfo: a tenth of a warm call's time)
SMALL_BUFFERS = 2**26


def _check_memory(what: str, size: int, count: int, lanes: int) -> None:
    if size < SMALL_BUFFERS:
        return
    free = available_memory()
    if free is not None and size > free:
        raise ParameterError(
            f"{what}: {count:,} checkpoints × {lanes:,} lanes need {size / 2**30:.3g} GiB, "
            f"more than the {free / 2**30:.3g} GiB of memory available; ask for fewer "
            "checkpoints, or stream every iterate to disk with trace=PATH"
        )


def _monitor_list(monitors) -> tuple:
    from octk.monitors import Monitor

    if monitors is None:
        return ()
    if isinstance(monitors, Monitor):
        return (monitors,)
    if isinstance(monitors, str | bytes) or not hasattr(monitors, "__iter__"):
        raise ParameterError(
            f"monitors must be a list of octk.monitors.Monitor records; got {monitors!r}"
        )
    return tuple(monitors)


def _eval_init(expr, env):
    import sympy as sp

    f = sp.lambdify([sp.Symbol(n, real=True, nonnegative=True) for n in env], expr, "numpy")
    return np.broadcast_to(f(*env.values()), (len(next(iter(env.values()))),))


def simulate(
    rule: Rule | str,
    sequence: Sequence | str,
    domain="box:-1,1",
    *,
    steps: int,
    x0=0.0,
    params: dict | None = None,
    seed=0,
    d: int | None = None,
    checkpoints=None,
    backend: Any = "auto",
    progress: bool = False,
    segment: int | None = None,
    monitors=None,
    dtype="float64",
    nonfinite: str = "warn",
    trace=None,
) -> Trajectory:
    """Run ``rule`` on ``sequence`` over ``domain`` for ``steps`` steps.

    Parameters
    ----------
    rule, sequence : objects or registry names (``"adam"``, ``"reddi-thm1:C=3"``).
    domain : a domain or its spec (``"box:-1,1"``, ``"reals"``, ``"ball:1"``).
    steps : T ≥ 1.
    x0 : the first iterate x_1: a scalar, (d,) or (configs, d); must lie in the domain.
    params : hyperparameters overriding the rule's defaults; each a scalar or one
        value per configuration (a batch).
    seed : the random draws' seed, a scalar or one per configuration.
    d : the dimension, where nothing else fixes it (default 1).
    checkpoints : None (log-spaced, ~20 per decade, plus T), ``"all"``, or steps.
    backend : a name from :data:`octk.backends.BACKENDS` or a backend object, e.g.
        ``NumbaBackend(parallel=False)`` (see :func:`octk.backends.get_backend`):
        ``"auto"`` (default: ``"cupy"`` where a GPU is visible and the run is large,
        else ``"numba"``), ``"numba"``, ``"reference"`` (the NumPy oracle), ``"cupy"``
        or ``"cuda-host"`` (the CUDA kernel compiled for the CPU). The backend that
        ran is ``Trajectory.backend``.
    progress : show a progress bar over time segments.
    segment : steps per backend call, ≥ 1 (default: sized so that a call takes
        about 0.25 s, see :mod:`octk.driver`; Ctrl-C is seen between calls).
    monitors : :class:`octk.monitors.Monitor` records, running per-coordinate
        quantities kept by the loop (returned as ``Trajectory.monitors``).
    nonfinite : what a non-finite value (inf, nan) of the state, iterate, loss or
        statistics does: ``"warn"`` (default; a :class:`~octk.errors.NonFiniteWarning`,
        the run goes on and ``Trajectory.nonfinite`` says where it began), ``"raise"``
        (:class:`~octk.errors.NonFiniteError` at once) or ``"ignore"`` (no checks).
        See :mod:`octk.nonfinite`.
    trace : a path: every iterate x_{t+1}, t = 1..T, is streamed to this ``.npy``
        file (shape (T, d), or (T, C, d) for a batch), segment by segment.
    dtype : ``"float64"`` (default) or ``"float32"`` (backends ``numba``, ``cupy`` and
        ``cuda-host``: the kernel computes in single precision, on the hyperparameters,
        bounds and data rounded to float32; the Trajectory holds float64 arrays of those
        values). Its error against float64 is measured in ``benchmarks/float32_error.py``:
        iterates within ~2·10⁻⁶, sums over 10⁵–10⁶ steps within ~2·10⁻⁴ relative.

    Returns
    -------
    Trajectory

    Notes
    -----
    Gradients beyond 2^256 run scaled by an exact power of two where the rule is
    scale-invariant at its hyperparameters (:mod:`octk.rules.scaling`: Adam and
    RMSProp with ε = 0, AMSGrad, AdaGrad, AdaMax, AdamNC), giving the iterates of the
    unscaled run without overflowing g²; ``Trajectory.gradient_scale`` records it.

    Ctrl-C raises :class:`~octk.errors.RunInterrupted` (a ``KeyboardInterrupt``)
    naming the last completed step.
    """
    from octk.driver import check_trace_path

    check_choice("nonfinite", nonfinite, POLICIES)
    if segment is not None:
        segment = check_int("segment", segment, lo=1)
    resolve_backend(backend)  # an unknown name or dtype fails before any work
    name = dtype_name(dtype)
    prog, lanes, meta = prepare(
        rule,
        sequence,
        domain,
        steps=steps,
        x0=x0,
        params=params,
        seed=seed,
        d=d,
        checkpoints=checkpoints,
        monitors=monitors,
    )
    from octk.driver import TraceFile, gradient_scale, with_gradient_scale

    be = get_backend(resolve_backend(backend, work=lanes.n_lanes * meta["steps"], dtype=name))
    meta["dtype"] = check_dtype(be, dtype)

    # the exponent ranges of gradient_scale are float64's
    c, degrees = gradient_scale(prog, meta) if meta["dtype"] == "float64" else (1.0, None)
    prog = with_gradient_scale(prog, c)
    sink = None
    if trace is not None:
        check_trace_path(trace, meta["steps"], meta["n_cfg"], meta["d"])
        sink = TraceFile(trace, meta["steps"], meta["n_cfg"], meta["d"])
    try:
        record = run_program(
            be,
            prog,
            lanes,
            meta,
            progress=progress,
            segment=segment,
            nonfinite=nonfinite,
            trace=sink,
        )
    finally:
        if sink is not None:
            sink.close()
    return _trajectory(be.name, prog, lanes, meta, nonfinite=record, scale=(c, degrees))


def run_program(
    be,
    prog: StepProgram,
    lanes: Lanes,
    meta: dict,
    *,
    progress=False,
    segment=None,
    nonfinite="warn",
    trace=None,
):
    """Advance ``lanes`` from t = 1 to T with backend ``be``, in segments sized by time,
    checking that the values stay finite (:func:`octk.driver.drive`). Returns the first
    :class:`~octk.nonfinite.NonFinite` (``nonfinite="warn"``), or None."""
    from octk.driver import drive

    return drive(
        be, prog, lanes, meta, progress=progress, segment=segment, nonfinite=nonfinite, trace=trace
    )


def _trajectory(
    backend: str, prog: StepProgram, lanes: Lanes, meta: dict, *, nonfinite=None, scale=(1.0, None)
) -> Trajectory:
    C, d, K = meta["n_cfg"], meta["d"], len(lanes.ck_t)
    ck_loss = lanes.ck_loss.reshape(K, C, d).sum(axis=2).T.copy()
    accs = {
        name: lanes.ck_stats[q].reshape(K, C, d).transpose(1, 0, 2).copy()
        for q, (name, _) in enumerate(prog.stats)
    }
    return Trajectory(
        rule=meta["rule"],
        sequence=meta["sequence"],
        domain=meta["domain"],
        backend=backend,
        dtype=meta.get("dtype", "float64"),
        steps=meta["steps"],
        t=lanes.ck_t.copy(),
        x=lanes.ck_x.reshape(K, C, d).transpose(1, 0, 2).copy(),
        loss=ck_loss,
        stats={n: v for n, v in accs.items() if n not in prog.monitors},
        monitors={n: accs[n] for n in prog.monitors},
        x0=meta["x0"],
        params=meta["params"],
        seeds=meta["seeds"],
        state=unscale_state(
            {
                sym.name: lanes.state[k].reshape(C, d).copy()
                for k, (sym, _) in enumerate(prog.state)
                if not sym.name.startswith("pow_")
            },
            scale[1],
            scale[0],
        ),
        nonfinite=nonfinite,
        gradient_scale=scale[0],
    )


__all__ = ["Lanes", "prepare", "run_program", "simulate"]
