r"""Checking a bound on a run: :func:`check`, with the exact first violation over every T.

R(T) − RHS(T) may change sign several times (Adam's iterate oscillates), so the first
T with R(T) > RHS(T) is found by evaluating the bound at **every** T = 1..steps: the
run goes in windows of steps whose statistics are evaluated and dropped
(:func:`scan`); only the checkpoints (log-spaced by default) are kept for the table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike, NDArray

from octk.bounds.evaluation import CONSTANTS, BoundResult, evaluate
from octk.bounds.quantities import bound_monitors
from octk.bounds.registry import default_bound, get_bound
from octk.domains import Domain
from octk.domains import domain as make_domain
from octk.errors import ParameterError, check_choice, check_int, check_real
from octk.rules import Rule
from octk.rules import resolve as make_rule
from octk.sequences import Sequence
from octk.sequences import sequence as make_sequence
from octk.theorems import Theorem
from octk.trajectory import Trajectory

SCAN_BUDGET = 2**24  # floats of per-step output held at once while scanning (128 MiB)


def check(
    rule: Rule | str,
    sequence: Sequence | str,
    domain: Domain | str = "box:-1,1",
    *,
    bound: Theorem | str | None = None,
    steps: int,
    params: Mapping[str, object] | None = None,
    x0: ArrayLike = 0.0,
    seed: ArrayLike = 0,
    d: int | None = None,
    checkpoints: ArrayLike | None = None,
    backend: object = "numba",
    lam: float | None = None,
    constants: str = "declared",
    every_step: bool = True,
    progress: bool = False,
    nonfinite: str = "warn",
    dtype: str = "float64",
) -> BoundResult:
    """Run ``rule`` on ``sequence`` and evaluate a published regret bound on the run.

    Parameters are those of :func:`octk.simulate` (params and seed may be batched:
    every configuration is checked; a string value of a hyperparameter is an
    expression of the sequence's parameters, see :func:`resolve_ties`), plus
    ``dtype`` (float32 on the numba, cupy and cuda-host backends), ``bound`` (a name from
    :data:`BOUNDS`; default: the rule's own, e.g.
    ``kb-thm4.1`` for Adam's program), ``lam`` and ``constants`` (see :func:`evaluate`).

    ``nonfinite``: as in :func:`octk.simulate` (``"raise"``: a run that turns
    non-finite is a :class:`~octk.errors.NonFiniteError`, not a bound check).

    ``every_step`` (default): the bound is evaluated at **every** T = 1..steps, so
    ``first_violation`` is the exact first T with R(T) > RHS(T). ``every_step=False``:
    checkpoints only (faster, and ``first_violation`` is the first violating checkpoint).

    >>> from octk.rules import rule
    >>> res = check(rule("adam", schedule="sqrt"), "reddi-thm1:C=3", steps=100_000,
    ...             params={"alpha": 0.1, "beta1": 0.0, "beta2": "1/(1+C**2)", "eps": 0.0})
    >>> res.bound.name, res.hypotheses_hold(), int(res.first_violation[0])
    ('kb-thm4.1', True, 1377)
    """
    return check_run(
        rule, sequence, domain, bound=bound, steps=steps, params=params, x0=x0, seed=seed,
        d=d, checkpoints=checkpoints, backend=backend, lam=lam, constants=constants,
        every_step=every_step, progress=progress, nonfinite=nonfinite, dtype=dtype,
    )[0]  # fmt: skip


def check_run(
    rule: Rule | str,
    sequence: Sequence | str,
    domain: Domain | str = "box:-1,1",
    *,
    bound: Theorem | str | None = None,
    steps: int,
    params: Mapping[str, object] | None = None,
    x0: ArrayLike = 0.0,
    seed: ArrayLike = 0,
    d: int | None = None,
    checkpoints: ArrayLike | None = None,
    report_at: ArrayLike | None = None,
    backend: object = "numba",
    lam: float | None = None,
    constants: str = "declared",
    every_step: bool = True,
    progress: bool = False,
    nonfinite: str = "warn",
    dtype: str = "float64",
) -> tuple[BoundResult, Trajectory]:
    """:func:`check`, returning also the run (at ``checkpoints``); the bound's table is
    evaluated at ``report_at`` (checkpoints of the run; default: all of them), its first
    violation at every step (``every_step``)."""
    from octk.simulate import simulate

    rule = make_rule(rule) if isinstance(rule, str) else rule
    sequence = make_sequence(sequence) if isinstance(sequence, str) else sequence
    dom = make_domain(domain)
    b = default_bound(rule) if bound is None else get_bound(bound)
    check_choice("constants", constants, CONSTANTS)
    check_choice("every_step", every_step, (True, False))
    steps = check_int("steps", steps, lo=1)
    if lam is not None:
        lam = check_real("lam", lam, lo=0, hi=1, hi_open=True)
    resolved = resolve_ties(params, sequence)
    # simulate's keyword arguments, passed through to it
    kw: dict[str, Any] = dict(
        x0=x0,
        params=resolved,
        seed=seed,
        d=d,
        monitors=bound_monitors(rule),
        nonfinite=nonfinite,
    )
    if not every_step:
        traj = simulate(
            rule, sequence, dom, steps=steps, checkpoints=checkpoints, backend=backend,
            progress=progress, dtype=dtype, **kw,
        )  # fmt: skip
        shown = traj if report_at is None else traj.at(report_at)
        return evaluate(shown, b, lam=lam, constants=constants), traj
    traj, first, vr, vh = scan(
        rule, sequence, dom, b, steps, checkpoints, backend, lam, constants, progress, kw, dtype
    )
    shown = traj if report_at is None else traj.at(report_at)
    res = evaluate(shown, b, lam=lam, constants=constants)
    res = replace(
        res, first_violation=first, violation_regret=vr, violation_rhs=vh, every_step=True
    )
    return res, traj


def scan(
    rule: Rule,
    sequence: Sequence,
    dom: Domain,
    b: Theorem,
    steps: int,
    checkpoints: ArrayLike | None,
    backend: object,
    lam: float | None,
    constants: str,
    progress: bool,
    kw: Mapping[str, Any],
    dtype: str,
) -> tuple[Trajectory, NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Run in windows with every step a checkpoint; evaluate each window; keep ``checkpoints``.

    Returns (trajectory at the kept checkpoints, first violation, R and RHS there).
    """
    from octk.backends import check_dtype, dtype_name, get_backend, resolve_backend
    from octk.driver import Driver
    from octk.simulate import _trajectory, prepare

    kw = dict(kw)
    nonfinite = kw.pop("nonfinite", "warn")
    prog, lanes, meta = prepare(rule, sequence, dom, steps=steps, checkpoints=checkpoints, **kw)
    dtype = dtype_name(dtype)
    be = get_backend(resolve_backend(backend, work=lanes.n_lanes * steps, dtype=dtype))
    meta["dtype"] = check_dtype(be, dtype)
    keep = lanes.ck_t.copy()
    compile_kw = {"dtype": dtype} if dtype != "float64" else {}
    driver = Driver(
        be.compile(prog, meta["domain"], **compile_kw), prog, lanes, meta, nonfinite=nonfinite
    )
    C, L, Q = meta["n_cfg"], lanes.n_lanes, len(prog.stats)
    window = int(max(1, min(2**16, SCAN_BUDGET // (L * (Q + 2)))))
    first = np.zeros(C, dtype=np.int64)
    vr, vh = np.full(C, np.nan), np.full(C, np.nan)
    pieces: list[Trajectory] = []
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=steps, unit="step", unit_scale=True, desc=f"check {b.name}", leave=False)
    t0 = 1
    while t0 <= steps:
        scanning = not np.all(first > 0)
        if scanning:
            t1 = min(steps, t0 + window - 1)
            ck = np.arange(t0, t1 + 1, dtype=np.int64)
        else:  # every configuration has failed: the kept checkpoints only, to the end
            t1 = steps
            ck = keep[keep >= t0]
        K = len(ck)
        lanes.ck_t = ck
        lanes.ck_x = np.zeros((K, L))
        lanes.ck_loss = np.zeros((K, L))
        lanes.ck_stats = np.zeros((Q, K, L))
        driver.run(t0, t1)  # time-sized segments, finiteness checks, Ctrl-C
        part = _trajectory(be.name, prog, lanes, meta)
        if scanning:
            with np.errstate(all="ignore"):
                r = evaluate(part, b, lam=lam, constants=constants, hypotheses=False)
            new = (first == 0) & (r.first_violation > 0)
            first[new] = r.first_violation[new]
            vr[new], vh[new] = r.violation_regret[new], r.violation_rhs[new]
        kept = ck[np.isin(ck, keep)]
        if kept.size:
            pieces.append(part.at(kept))
        if bar is not None:
            bar.update(t1 - t0 + 1)
        t0 = t1 + 1
    if bar is not None:
        bar.close()
    return _concat(pieces), first, vr, vh


def _concat(pieces: list[Trajectory]) -> Trajectory:
    """One trajectory from pieces that follow each other in time."""
    last = pieces[-1]

    def cat(name: str) -> dict[str, np.ndarray]:
        return {
            n: np.concatenate([getattr(p, name)[n] for p in pieces], axis=1)
            for n in getattr(last, name)
        }

    return replace(
        last,
        t=np.concatenate([p.t for p in pieces]),
        x=np.concatenate([p.x for p in pieces], axis=1),
        loss=np.concatenate([p.loss for p in pieces], axis=1),
        stats=cat("stats"),
        monitors=cat("monitors"),
    )


def resolve_ties(params: Mapping[str, object] | None, sequence: Sequence) -> dict[str, object]:
    """``params`` with string values evaluated as expressions of the sequence's parameters.

    ``{"beta2": "1/(1+C**2)"}`` on ``reddi-thm1:C=3`` gives β2 = 0.1 (RKK Theorem 1's
    choice). Parsed safely (:func:`octk.expressions.parse_expression`).
    """
    from octk.expressions import parse_expression

    out: dict[str, object] = {}
    names = {n: sp.Symbol(n, real=True) for n in sequence.params}
    values = {names[n]: v for n, v in sequence.params.items() if isinstance(v, int | float)}
    for k, v in dict(params or {}).items():
        if isinstance(v, str):
            try:
                out[k] = float(v)
                continue
            except ValueError:
                pass
            e = parse_expression(v, name=f"parameter {k}", extra=names).xreplace(values)
            if not e.is_number or not e.is_real:
                raise ParameterError(
                    f"parameter {k}={v!r} must be a number or an expression of the sequence's "
                    f"parameters ({', '.join(names) or 'none'}); left with {e}"
                )
            out[k] = float(e)
        else:
            out[k] = v
    return out


__all__ = ["SCAN_BUDGET", "check", "check_run", "resolve_ties", "scan"]
