r"""Non-finite values in a run: the first step where one appeared, and why.

A float64 run can stop meaning anything without failing. The square g² overflows
at |g| > √(1.8·10³⁰⁸) ≈ 1.34·10¹⁵⁴, after which Adam's v_t is inf and
x_{t+1} = x_t − α m_t/√v_t = x_t for the rest of the run; a signal undefined at
t = 1 (s_t = t/(t − 1)) makes every later value nan. This module finds such a run's
first non-finite value, for every backend, through one mechanism:

1. after every segment of time, the driver (:func:`octk.simulate.run_program`)
   checks that the lanes' iterate, state, loss and statistics are finite
   (:func:`first_bad`); before the segment it kept a :func:`snapshot`;
2. where a segment ends with a non-finite value, :func:`locate` restores the
   snapshot and bisects the segment with the same kernel, down to the first step
   t* after which a value is non-finite;
3. :func:`diagnose` replays step t* of the offending configuration with the
   reference backend (the NumPy oracle, which keeps every intermediate value) and
   names the first assignment of the step program whose value left float64 and,
   inside it, the innermost subexpression that did (``g**2 = inf`` with
   ``g = 1e+155``).

Nothing here reads a rule's or a backend's name. The policies
(``simulate(..., nonfinite=...)``):

``"warn"`` (default)
    warn with :class:`~octk.errors.NonFiniteWarning`, record the
    :class:`NonFinite` in ``Trajectory.nonfinite`` and finish the run;
``"raise"``
    raise :class:`~octk.errors.NonFiniteError` (its ``record`` the
    :class:`NonFinite`) at once; the command line does this;
``"ignore"``
    no checks (the run's values are what float64 gives).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import sympy as sp

POLICIES = ("warn", "raise", "ignore")
MAX_FLOAT = float(np.finfo(np.float64).max)
_MUTABLE = ("x", "state", "loss", "stats")


@dataclass(frozen=True)
class NonFinite:
    """Where a run's first non-finite value appeared.

    Attributes
    ----------
    step : int
        The first step t after which a value is inf or nan.
    quantity : str
        What turned non-finite: ``"state v"``, ``"iterate x"``, ``"loss"``,
        ``"signal s"``, ``"statistic sum_s"``, ...
    config, coordinate : int
        The configuration (batch index) and the coordinate i.
    value : float
        The value (inf, −inf or nan).
    cause : str
        The innermost subexpression that left float64, with its inputs.
    hint : str
        What to try.
    """

    step: int
    quantity: str
    config: int
    coordinate: int
    value: float
    cause: str
    hint: str = ""

    def __str__(self) -> str:
        where = f"step {self.step:,} (configuration {self.config}, coordinate {self.coordinate})"
        text = f"non-finite {self.quantity} = {self.value} at {where}: {self.cause}"
        return f"{text}; {self.hint}" if self.hint else text


# --------------------------------------------------------------------------- checks
def _arrays(prog, lanes):
    """(quantity, array, check) of every array the step updates; ``check`` tells
    the good values (a monitor may hold ±inf by design, a running extremum before
    its first value: only nan is bad there)."""
    yield "iterate x", lanes.x, np.isfinite
    for k, (sym, _) in enumerate(prog.state):
        yield f"state {sym.name}", lanes.state[k], np.isfinite
    yield "loss", lanes.loss, np.isfinite
    for q, (name, _) in enumerate(prog.stats):
        if name in prog.monitors:
            yield f"monitor {name}", lanes.stats[q], _not_nan
        else:
            yield f"statistic {name}", lanes.stats[q], np.isfinite


def _not_nan(a: np.ndarray) -> np.ndarray:
    return ~np.isnan(a)


def first_bad(prog, lanes) -> tuple[str, int] | None:
    """(quantity, lane) of the lowest lane holding a non-finite value, or None."""
    best: tuple[str, int] | None = None
    for name, arr, good in _arrays(prog, lanes):
        ok = good(arr)
        if not ok.all():
            lane = int(np.argmin(ok))
            if best is None or lane < best[1]:
                best = (name, lane)
    return best


def snapshot(lanes) -> dict[str, np.ndarray]:
    """Copies of the arrays a kernel updates (the checkpoint outputs are rewritten alike)."""
    return {f: getattr(lanes, f).copy() for f in _MUTABLE}


def restore(lanes, snap: dict[str, np.ndarray]) -> None:
    """Put ``snap`` back into ``lanes`` (in place, so views held elsewhere stay valid)."""
    for f in _MUTABLE:
        getattr(lanes, f)[...] = snap[f]


def locate(advance, prog, lanes, snap, t0: int, t1: int) -> tuple[int, dict]:
    """The first step in [t0, t1] after which a value is non-finite, by bisection.

    ``snap`` holds the lanes after step t0 − 1 (all finite) and the lanes after t1
    are not. ``advance(a, b)`` runs steps a..b. Returns (t*, the snapshot after
    t* − 1); the lanes are left after step t*.
    """
    lo, hi = t0, t1
    while lo < hi:
        mid = (lo + hi) // 2
        restore(lanes, snap)
        advance(lo, mid)
        if first_bad(prog, lanes) is None:
            snap, lo = snapshot(lanes), mid + 1
        else:
            hi = mid
    restore(lanes, snap)
    advance(lo, lo)
    return lo, snap


# --------------------------------------------------------------------------- diagnosis
def diagnose(
    prog, domain, lanes, before: dict, step: int, found: tuple[str, int], dtype: str = "float64"
) -> NonFinite:
    """Replay ``step`` of the configuration of lane ``found[1]`` with the reference
    backend from ``before`` and explain the first non-finite value (module doc). A
    run in ``dtype`` float32 whose step is finite in float64 is said to be so."""
    from octk.backends.reference import XHAT, ReferenceBackend

    quantity, lane = found
    d = lanes.d
    config, coord = divmod(lane, d)
    sl = slice(config * d, (config + 1) * d)
    one = replace(
        lanes,
        x=before["x"][sl].copy(),
        par=lanes.par[:, sl].copy(),
        seed=lanes.seed[sl].copy(),
        coord=lanes.coord[sl].copy(),
        lo=lanes.lo[sl].copy(),
        hi=lanes.hi[sl].copy(),
        state=before["state"][:, sl].copy(),
        loss=before["loss"][sl].copy(),
        stats=before["stats"][:, sl].copy(),
        ck_t=np.array([step], dtype=np.int64),
        ck_x=np.zeros((1, d)),
        ck_loss=np.zeros((1, d)),
        ck_stats=np.zeros((len(prog.stats), 1, d)),
    )
    kernel = ReferenceBackend().compile(prog, domain)
    with np.errstate(all="ignore"):
        kernel(one, step, step, 0)
    env = kernel.env

    def at(name):
        v = env[name]
        return float(np.broadcast_to(v, one.x.shape)[coord]) if np.ndim(v) else float(v)

    values: dict[str, float] = {"t": float(step), "i": float(coord), "x": float(before["x"][lane])}
    values.update({h: float(lanes.par[k, lane]) for k, h in enumerate(prog.hyper)})
    for k, (sym, _) in enumerate(prog.state):
        values[sym.name] = float(before["state"][k, lane])
    for key in env:
        if key.startswith(("U", "data_", "_float")) and key not in values:
            values[key] = at(key)
    value = math.nan
    cause = "no single step explains it (the value was non-finite only after the projection)"
    hint = ""
    for target, expr in prog.assignments:
        name = XHAT if target.name == "x" else target.name
        v = at(name)
        if not math.isfinite(v):
            quantity = _quantity(prog, target.name)
            value = v
            cause, hint = _explain(expr, values, target.name, prog)
            break
        values[target.name] = v
    else:
        if dtype != "float64":
            top = float(np.finfo(np.dtype(dtype)).max)
            cause = f"the step is finite in float64 but leaves {dtype} (max {top:.2g})"
            hint = "run in float64 (dtype='float64')"
        for name, arr, good in _arrays(prog, one):
            w = float(np.asarray(arr)[coord])
            if not good(np.asarray(w)):
                quantity, value = name, w
                cause = (
                    "the sum overflows float64 (max 1.8e308)"
                    if name in ("loss",) or name.startswith("statistic")
                    else cause
                )
                hint = "rescale the losses or shorten the run"
                break
    return NonFinite(step, quantity, config, coord, value, cause, hint)


def _quantity(prog, name: str) -> str:
    if name in prog.state_names:
        return f"state {name}"
    if name == "x":
        return "iterate x"
    if name == "s":
        return "signal s"
    if name == "f":
        return "loss"
    if name == "g":
        return "gradient g"
    return f"quantity {name}"


def _numeric(expr: sp.Basic) -> sp.Basic:
    """``expr`` with integers beyond int64 made floats (NumPy holds those as objects)."""
    big = {n: sp.Float(float(n)) for n in expr.atoms(sp.Integer) if abs(int(n)) >= 2**63}
    return expr.xreplace(big) if big else expr


def _value(expr: sp.Basic, values: dict[str, float]) -> float:
    """``expr`` evaluated in float64 at ``values`` (nan where it cannot be)."""
    syms = sorted(expr.free_symbols, key=lambda s: s.name)
    try:
        f = sp.lambdify(syms, _numeric(expr), modules="numpy")
        with np.errstate(all="ignore"):
            out = f(*(np.float64(values.get(s.name, math.nan)) for s in syms))
        out = np.asarray(out)
        if np.iscomplexobj(out):
            return math.nan
        return float(out.astype(np.float64))
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, NameError):
        return math.nan


def _chosen_branch(expr: sp.Piecewise, values) -> sp.Basic | None:
    for e, c in expr.args:
        if c is sp.true or _value(sp.Piecewise((1, c), (0, True)), values) == 1:
            return e
    return None


def innermost(expr: sp.Basic, values: dict[str, float]) -> sp.Basic | None:
    """The innermost subexpression of ``expr`` whose float64 value is non-finite at
    ``values`` (the branch a Piecewise takes, only), or None where it is finite."""
    if isinstance(expr, sp.Piecewise):
        branch = _chosen_branch(expr, values)
        return None if branch is None else innermost(branch, values)
    if math.isfinite(_value(expr, values)):
        return None
    for arg in expr.args:
        if isinstance(arg, sp.Expr) and not arg.is_Atom:
            inner = innermost(arg, values)
            if inner is not None:
                return inner
    return expr


def _fmt(v: float) -> str:
    return f"{v:.3g}"


def _explain(expr: sp.Basic, values: dict[str, float], target: str, prog) -> tuple[str, str]:
    """(cause, hint) of the assignment ``target = expr`` turning non-finite."""
    sub = innermost(expr, values) or expr
    val = _value(sub, values)
    inputs = ", ".join(
        f"{s.name} = {_fmt(values[s.name])}"
        for s in sorted(sub.free_symbols, key=lambda s: s.name)
        if s.name in values and not s.name.startswith("_")
    )
    args = [a for a in sub.args if isinstance(a, sp.Expr)]
    arg_vals = [_value(a, values) for a in args]
    where = f" ({inputs})" if inputs else ""
    in_signal = target in ("s", "f") or str(sub) in str(prog.sequence.signal)
    hint = (
        f"the loss sequence {prog.sequence.spec()!r} is not finite here; define it for every t ≥ 1"
        if in_signal
        else ""
    )
    if isinstance(sub, sp.Pow) and all(map(math.isfinite, arg_vals)):
        base, ex = arg_vals
        if base == 0 and ex < 0:
            return f"{sub} divides by zero{where}", hint
        if base < 0 and not float(ex).is_integer():
            return f"{sub} is not real{where}", hint
        if ex > 1 and math.isinf(val):
            limit = MAX_FLOAT ** (1 / ex)
            b = sub.args[0]
            hint = hint or (
                "rescale the losses"
                + (
                    f" — {prog.rule.title} is scale-invariant, so that changes nothing else"
                    if _scale_invariant(prog)
                    else ""
                )
            )
            return f"{sub} overflows float64 at |{b}| > {_fmt(limit)}{where}", hint
    if isinstance(sub, sp.log) and arg_vals and arg_vals[0] <= 0:
        return f"{sub} is undefined at {_fmt(arg_vals[0])}{where}", hint
    if math.isinf(val) and all(map(math.isfinite, arg_vals)):
        return f"{sub} = {val} overflows float64 (max 1.8e308){where}", hint or (
            "rescale the losses"
        )
    return f"{sub} = {val}{where}", hint


def _scale_invariant(prog) -> bool:
    from octk.rules.scaling import scale_invariant

    try:
        return scale_invariant(prog.rule)
    except Exception:  # an analysis that cannot decide says nothing
        return False


__all__ = [
    "POLICIES",
    "NonFinite",
    "diagnose",
    "first_bad",
    "innermost",
    "locate",
    "restore",
    "snapshot",
]
