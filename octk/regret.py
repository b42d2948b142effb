r"""Regret against the best fixed point in hindsight.

.. math::

    R(T) = \sum_{t\le T} f_t(x_t) - \min_{x\in F} \sum_{t\le T} f_t(x)

The first term is ``traj.loss``. The second, the *comparator*, is built from the
sufficient statistics of the losses alone (never from the sequence), so its
cost does not depend on T. With n = T and, per coordinate i,

========== ===================================== ==========================================
loss       statistics                            min_{x∈F} Σ_t f_t(x)
========== ===================================== ==========================================
linear     S_i = Σ_t s_{t,i}                     min Σ_i S_i x_i
quadratic  S_i, SS_i = Σ_t s_{t,i}²              min Σ_i (n x_i² − 2 S_i x_i + SS_i)
absolute   n_ij = #{t: s_{t,i} = a_j}            min Σ_i Σ_j n_ij |x_i − a_j|
========== ===================================== ==========================================

(a_j: the values of ``sequence.support()``). Closed forms, vectorised over
configurations and checkpoints:

* linear, box: x*_i = lo_i if S_i > 0, hi_i if S_i < 0, clip(0, lo_i, hi_i) if
  S_i = 0; an infinite bound in the needed direction makes it unbounded.
* linear, R^d: unbounded unless S = 0 (then x* = 0, value 0).
* linear, ball ‖x‖ ≤ R: x* = −R S/‖S‖, value −R‖S‖.
* quadratic: x* = Π_F(S/n) (clip on a box, radial projection on a ball, S/n on
  R^d); value n‖x* − S/n‖² + Σ_i (SS_i − S_i²/n).
* absolute, box or R^d: per coordinate the (lower) weighted median of the a_j
  with weights n_ij, clipped into [lo_i, hi_i] (1-D convexity makes the clip of
  an unconstrained minimiser a constrained one).

Everything else (absolute on a ball) is solved with cvxpy: one parametrised
(DPP) problem per (loss, domain, d, support), built once and re-solved per
checkpoint and configuration with new parameter values.

Conventions: an unbounded comparator has value −inf, x* = nan and status
``"unbounded"``, so its regret is **+inf**; an infeasible one has value +inf.
"""

from __future__ import annotations

import functools
import threading
import warnings
from dataclasses import dataclass

import numpy as np

from octk.domains import Ball, Box, Reals
from octk.domains import domain as make_domain
from octk.errors import (
    ComparatorError,
    ComparatorWarning,
    ParameterError,
    ShapeError,
    check_choice,
    check_int,
)
from octk.sequences import sequence as make_sequence
from octk.sequences.sequence import Sequence

METHODS = ("auto", "closed-form", "cvxpy")
STATUSES = ("optimal", "optimal_inaccurate", "unbounded", "infeasible")
# regret() also marks "nan" where a checkpoint's statistics are not finite (a diverged
# adaptive run): best and x_star are nan there, instead of a crash mid-sweep.
_STATUS_DTYPE = "<U18"


# --------------------------------------------------------------------------- records
@dataclass(frozen=True, eq=False)
class Comparator:
    """One solve of min_{x∈F} Σ_t f_t(x).

    x : (d,) a minimiser θ* (nan if none); value : the minimum (−inf if unbounded,
    +inf if infeasible); status : one of :data:`STATUSES`; solver : ``"closed-form"``
    or the cvxpy solver's name.
    """

    x: np.ndarray
    value: float
    status: str
    solver: str


@dataclass(frozen=True, eq=False)
class Regret:
    """Regret curves of a batch (C configurations, K checkpoints, d coordinates).

    t : (K,) checkpoint steps; played : (C, K) Σ_{t≤T} f_t(x_t); best : (C, K)
    min_{x∈F} Σ_{t≤T} f_t(x); x_star : (C, K, d) the minimisers; status : (C, K)
    comparator statuses; solver : the solver(s) used (``"closed-form"``,
    ``"CLARABEL"``, ...).
    """

    t: np.ndarray
    played: np.ndarray
    best: np.ndarray
    x_star: np.ndarray
    status: np.ndarray
    solver: str

    @property
    def regret(self) -> np.ndarray:
        """(C, K) R(T) = played − best; +inf where the comparator is unbounded."""
        return self.played - self.best

    @property
    def average(self) -> np.ndarray:
        """(C, K) R(T)/T."""
        return self.regret / self.t


# --------------------------------------------------------------------------- inputs
def _stat_names(seq: Sequence) -> tuple[str, ...]:
    if seq.loss == "linear":
        return ("sum_s",)
    if seq.loss == "quadratic":
        return ("sum_s", "sum_ss")
    return tuple(f"count_{k}" for k in range(len(seq.support())))


def _support(seq: Sequence) -> tuple[np.ndarray, np.ndarray]:
    """(a sorted, order): the support values sorted and the count_k index of each."""
    a = np.asarray(seq.support(), dtype=np.float64)
    order = np.argsort(a, kind="stable")
    return a[order], order


def _has_closed_form(loss: str, dom) -> bool:
    return not (loss == "absolute" and isinstance(dom, Ball))


def _domain_key(dom, d: int) -> tuple:
    if isinstance(dom, Box):
        lo, hi = dom.bounds(d)
        return ("box", tuple(lo.tolist()), tuple(hi.tolist()))
    if isinstance(dom, Ball):
        return ("ball", float(dom.radius))
    return ("reals",)


# --------------------------------------------------------------------------- closed forms
def _closed_form(seq: Sequence, dom, stats: dict, n: np.ndarray):
    """Vectorised closed forms. stats: name -> (..., d); n: (...). Returns (x, value, status)."""
    if seq.loss == "linear":
        return _linear(dom, stats["sum_s"])
    if seq.loss == "quadratic":
        return _quadratic(dom, stats["sum_s"], stats["sum_ss"], n)
    return _absolute(dom, seq, stats)


def _optimal(shape) -> np.ndarray:
    return np.full(shape, "optimal", dtype=_STATUS_DTYPE)


def _linear(dom, S: np.ndarray):
    if isinstance(dom, Ball):
        norm = np.sqrt(np.sum(S * S, axis=-1))
        safe = np.where(norm > 0, norm, 1.0)
        x = -dom.radius * S / safe[..., None]
        return x, -dom.radius * norm, _optimal(norm.shape)
    if isinstance(dom, Reals):
        lo = np.full(S.shape[-1], -np.inf)
        hi = np.full(S.shape[-1], np.inf)
    else:
        lo, hi = dom.bounds(S.shape[-1])
    x = np.where(S > 0, lo, np.where(S < 0, hi, np.clip(0.0, lo, hi)))
    unbounded = np.any(~np.isfinite(x), axis=-1)
    with np.errstate(invalid="ignore"):
        value = np.sum(np.where(S != 0, S * x, 0.0), axis=-1)
    value = np.where(unbounded, -np.inf, value)
    x = np.where(unbounded[..., None], np.nan, x)
    status = _optimal(unbounded.shape)
    status[unbounded] = "unbounded"
    return x, value, status


def _quadratic(dom, S: np.ndarray, SS: np.ndarray, n: np.ndarray):
    n = np.asarray(n, dtype=np.float64)[..., None]
    m = np.divide(S, n, out=np.zeros(np.broadcast_shapes(S.shape, n.shape)), where=n > 0)
    x = dom.project(m)
    # Σ_i (n x_i² − 2 S_i x_i + SS_i) = n‖x − m‖² + Σ_i (SS_i − S_i m_i), ≥ 0 exactly
    value = np.sum(n * (x - m) ** 2 + (SS - S * m), axis=-1)
    return x, np.maximum(value, 0.0), _optimal(value.shape)


def _absolute(dom, seq: Sequence, stats: dict):
    a, order = _support(seq)
    W = [stats[f"count_{k}"] for k in order]  # sorted by support value, each (..., d)
    total = sum(W)
    half = 0.5 * total
    x = np.zeros_like(total)
    found = total <= 0  # no data: any point; pick 0 (then clipped)
    cw = np.zeros_like(total)
    for aj, wj in zip(a, W, strict=True):  # first a_j with cumulative weight ≥ total/2
        cw = cw + wj
        hit = ~found & (cw >= half)
        x = np.where(hit, aj, x)
        found |= hit
    x = dom.project(x)
    value = sum(wj * np.abs(x - aj) for aj, wj in zip(a, W, strict=True))
    value = np.sum(value, axis=-1)
    return x, value, _optimal(value.shape)


# --------------------------------------------------------------------------- cvxpy
class _Problem:
    """A parametrised comparator problem, built once and re-solved (thread-safe)."""

    def __init__(self, seq: Sequence, dom, d: int):
        import cvxpy as cp

        self.loss = seq.loss
        self.d = d
        self.lock = threading.Lock()
        self.x = x = cp.Variable(d)
        cons = []
        if isinstance(dom, Box):
            lo, hi = dom.bounds(d)
            fl, fh = np.flatnonzero(np.isfinite(lo)), np.flatnonzero(np.isfinite(hi))
            if fl.size:
                cons.append(x[fl] >= lo[fl])
            if fh.size:
                cons.append(x[fh] <= hi[fh])
        elif isinstance(dom, Ball):
            cons.append(cp.norm(x, 2) <= dom.radius)
        # Parameters are scaled to O(1) before each solve; _solve undoes the scaling.
        if seq.loss == "linear":
            self.c = cp.Parameter(d)  # S / ‖S‖∞
            obj = self.c @ x
        elif seq.loss == "quadratic":
            self.m = cp.Parameter(d)  # S / n; objective ‖x − m‖², same argmin as Σ_t f_t
            obj = cp.sum_squares(x - self.m)
        else:
            self.a, self.order = _support(seq)
            self.w = cp.Parameter((d, len(self.a)), nonneg=True)  # n_ij / max n_ij
            dist = cp.abs(cp.reshape(x, (d, 1), order="C") - self.a[None, :])
            obj = cp.sum(cp.multiply(self.w, dist))
        self.problem = cp.Problem(cp.Minimize(obj), cons)
        assert self.problem.is_dpp()

    def solve(self, stats: dict, n: int, where: str):
        """(x, value, raw cvxpy status, solver name) for one set of statistics."""
        import cvxpy as cp

        with self.lock:
            if self.loss == "linear":
                S = stats["sum_s"]
                scale = float(np.max(np.abs(S))) or 1.0
                self.c.value = S / scale
            elif self.loss == "quadratic":
                S, SS = stats["sum_s"], stats["sum_ss"]
                m = S / n if n > 0 else np.zeros_like(S)
                self.m.value = m
            else:
                W = np.stack([stats[f"count_{k}"] for k in self.order], axis=-1)
                scale = float(np.max(W)) or 1.0
                self.w.value = W / scale
            try:
                self.problem.solve(solver=_solver())
            except cp.error.SolverError as exc:
                raise ComparatorError(
                    f"cvxpy solver failed on the {self.loss} comparator at {where}: {exc}. "
                    "Try method='closed-form' where one exists, check the statistics for "
                    "huge or non-finite values, or install another solver (e.g. SCS)."
                ) from None
            status = self.problem.status
            value = self.problem.value
            x = None if self.x.value is None else np.array(self.x.value, dtype=np.float64)
            name = self.problem.solver_stats.solver_name if self.problem.solver_stats else None
        if x is not None and status in ("optimal", "optimal_inaccurate"):
            if self.loss == "quadratic":
                value = max(float(n * np.sum((x - m) ** 2) + np.sum(SS - S * m)), 0.0)
            else:
                value = float(value) * scale
        return x, value, status, name or (_solver() or "cvxpy")


_PROBLEMS: dict[tuple, _Problem] = {}
_PROBLEMS_LOCK = threading.Lock()
_MAX_PROBLEMS = 64


def _problem(seq: Sequence, dom, d: int) -> _Problem:
    support = seq.support() if seq.loss == "absolute" else None
    key = (seq.loss, _domain_key(dom, d), d, support)
    with _PROBLEMS_LOCK:
        prob = _PROBLEMS.get(key)
        if prob is None:
            if len(_PROBLEMS) >= _MAX_PROBLEMS:
                _PROBLEMS.pop(next(iter(_PROBLEMS)))
            prob = _PROBLEMS[key] = _Problem(seq, dom, d)
        return prob


@functools.cache
def _solver() -> str | None:
    import cvxpy as cp

    return "CLARABEL" if "CLARABEL" in cp.installed_solvers() else None


def _cvxpy_one(seq, dom, stats: dict, n: int, where: str):
    """One cvxpy solve → (x, value, status, solver); raises ComparatorError on failure."""
    d = len(next(iter(stats.values())))
    x, value, raw, name = _problem(seq, dom, d).solve(stats, n, where)
    if raw in ("optimal", "optimal_inaccurate") and x is not None:
        return x, float(value), raw, name
    if raw in ("unbounded", "unbounded_inaccurate"):
        return np.full(d, np.nan), -np.inf, "unbounded", name
    if raw in ("infeasible", "infeasible_inaccurate"):
        return np.full(d, np.nan), np.inf, "infeasible", name
    raise ComparatorError(
        f"cvxpy ({name}) returned status {raw!r} for the {seq.loss} comparator on "
        f"{dom.spec()} at {where}; try method='closed-form' where one exists, or rescale "
        "the problem"
    )


# --------------------------------------------------------------------------- public API
def _use_closed_form(seq: Sequence, dom, method: str) -> bool:
    check_choice("method", method, METHODS)
    has = _has_closed_form(seq.loss, dom)
    if method == "closed-form" and not has:
        raise ParameterError(
            f"method='closed-form': there is no closed form for the {seq.loss} loss on "
            f"{dom.spec()}; use method='auto' or 'cvxpy'"
        )
    return has and method != "cvxpy"


def comparator(sequence, domain, stats: dict, n: int, *, method: str = "auto") -> Comparator:
    r"""min_{x∈F} Σ_{t≤n} f_t(x) from the sufficient statistics of n losses.

    Parameters
    ----------
    sequence : a :class:`~octk.sequences.Sequence` or its spec (loss family, support).
    domain : a domain or spec (``"box:-1,1"``, ``"reals"``, ``"ball:1"``).
    stats : name -> (d,) sums: ``sum_s`` (S = Σ s_t) for linear; ``sum_s``, ``sum_ss``
        for quadratic (objective Σ_i n x_i² − 2 S_i x_i + SS_i); ``count_k`` (n_ik,
        occurrences of support value a_k) for absolute (Σ_i Σ_k n_ik |x_i − a_k|).
    n : the number of losses summed, T.
    method : ``"auto"`` (closed form where one exists, else cvxpy),
        ``"closed-form"`` (ParameterError if none) or ``"cvxpy"``.

    Unbounded: value −inf, x nan. ``optimal_inaccurate`` warns ComparatorWarning;
    a failed solve raises ComparatorError.
    """
    dom = make_domain(domain)
    if isinstance(sequence, str):
        sequence = make_sequence(sequence)
    if not isinstance(sequence, Sequence):
        raise ParameterError(f"sequence must be an octk Sequence; got {type(sequence).__name__}")
    closed = _use_closed_form(sequence, dom, method)
    n = check_int("n", n, lo=0)
    arrs = {}
    for name in _stat_names(sequence):
        if name not in stats:
            raise ParameterError(
                f"stats is missing {name!r}; the {sequence.loss} comparator needs "
                f"{', '.join(_stat_names(sequence))}"
            )
        arrs[name] = np.atleast_1d(np.asarray(stats[name], dtype=np.float64))
    shapes = {a.shape for a in arrs.values()}
    if len(shapes) != 1 or next(iter(shapes)) == () or len(next(iter(shapes))) != 1:
        raise ShapeError(f"stats must be 1-D arrays of one length d; got shapes {sorted(shapes)}")
    if not all(np.all(np.isfinite(a)) for a in arrs.values()):
        raise ParameterError("stats must be finite")
    if sequence.loss != "linear" and any(np.any(a < 0) for k, a in arrs.items() if k != "sum_s"):
        raise ParameterError("stats sum_ss and count_k are sums of non-negative terms; got < 0")
    if closed:
        x, value, status = _closed_form(sequence, dom, arrs, np.asarray(float(n)))
        return Comparator(np.asarray(x), float(value), str(status), "closed-form")
    x, value, status, solver = _cvxpy_one(sequence, dom, arrs, n, f"n = {n}")
    if status == "optimal_inaccurate":
        warnings.warn(
            f"comparator solved only to reduced accuracy by {solver} at n = {n}",
            ComparatorWarning,
            stacklevel=2,
        )
    return Comparator(x, value, status, solver)


def regret(traj, *, method: str = "auto", at=None) -> Regret:
    r"""Regret curves R(T) = Σ_{t≤T} f_t(x_t) − min_{x∈F} Σ_{t≤T} f_t(x) of a Trajectory.

    Parameters
    ----------
    traj : a :class:`~octk.trajectory.Trajectory`.
    method : as in :func:`comparator`.
    at : checkpoint steps to evaluate (default: all of ``traj.t``).

    Closed forms run vectorised over all configurations and checkpoints; cvxpy
    re-solves one cached parametrised problem per (configuration, checkpoint).
    Where the comparator is unbounded the regret is +inf. Checkpoints whose
    statistics are not finite get best = nan, x_star = nan, status ``"nan"``.
    """
    seq, dom = traj.sequence, traj.domain
    closed = _use_closed_form(seq, dom, method)
    if at is not None:
        try:
            traj = traj.at(at)
        except ValueError as exc:
            raise ParameterError(f"at: {exc}") from None
    t = np.asarray(traj.t, dtype=np.int64)
    C, K, d = traj.n_configs, len(t), traj.d
    missing = [name for name in _stat_names(seq) if name not in traj.stats]
    if missing:
        raise ParameterError(f"trajectory lacks the statistics {missing} of its {seq.loss} loss")
    stats = {name: np.asarray(traj.stats[name], dtype=np.float64) for name in _stat_names(seq)}
    played = np.asarray(traj.loss, dtype=np.float64)
    bad = ~np.all([np.all(np.isfinite(v), axis=-1) for v in stats.values()], axis=0)
    if closed:
        n = np.broadcast_to(t.astype(np.float64), (C, K))
        with np.errstate(invalid="ignore"):
            x, best, status = _closed_form(seq, dom, stats, n)
        if bad.any():
            x[bad], best[bad], status[bad] = np.nan, np.nan, "nan"
        return Regret(t, played, best, x, status, "closed-form")

    x = np.full((C, K, d), np.nan)
    best = np.full((C, K), np.nan)
    status = np.full((C, K), "nan", dtype=_STATUS_DTYPE)
    solvers = set()
    for c in range(C):
        for k in range(K):
            if bad[c, k]:
                continue
            one = {name: v[c, k] for name, v in stats.items()}
            where = f"configuration {c}, checkpoint t = {t[k]}"
            x[c, k], best[c, k], status[c, k], name = _cvxpy_one(seq, dom, one, int(t[k]), where)
            solvers.add(name)
    inaccurate = int(np.sum(status == "optimal_inaccurate"))
    if inaccurate:
        warnings.warn(
            f"{inaccurate} of {C * K} comparator solves reached only reduced accuracy "
            "(status 'optimal_inaccurate')",
            ComparatorWarning,
            stacklevel=2,
        )
    return Regret(t, played, best, x, status, "+".join(sorted(solvers)) or "cvxpy")


__all__ = ["METHODS", "STATUSES", "Comparator", "Regret", "comparator", "regret"]
