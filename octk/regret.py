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

(a_j: the values of ``sequence.support()``). The closed forms, vectorised over
configurations and checkpoints, belong to the loss family
(:mod:`octk.sequences.losses`) with the domain's pieces (:mod:`octk.domains`):

* linear: the domain's ``min_linear`` (a vertex of a box, −R S/‖S‖ on a ball,
  unbounded on R^d unless S = 0, ...);
* quadratic: x* = Π_F(S/n), the domain's Euclidean projection; value
  n‖x* − S/n‖² + Σ_i (SS_i − S_i²/n);
* absolute, on a separable domain (box, R^d): per coordinate the (lower)
  weighted median of the a_j with weights n_ij, projected onto F.

Everything else (absolute on a ball) is solved with cvxpy: the loss's objective
and the domain's constraints make one parametrised (DPP) problem per (loss,
domain, d, support), built once and re-solved per checkpoint and configuration
with new parameter values.

Conventions: an unbounded comparator has value −inf, x* = nan and status
``"unbounded"``, so its regret is **+inf**; an infeasible one has value +inf.
A piecewise loss whose round-sum is not convex on a non-separable domain is
measured against the point the sequence states (``Sequence.optimum``): x* that
point, value Σ_t f_t(x*), status ``"stated"`` and solver ``"stated"`` — a
regret against a fixed point, not the minimum (without a stated point it is a
ComparatorError).
"""

from __future__ import annotations

import functools
import threading
import warnings
from dataclasses import dataclass

import numpy as np

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
from octk.sequences.losses.piecewise import NotConvexError
from octk.sequences.sequence import Sequence

METHODS = ("auto", "closed-form", "cvxpy")
STATUSES = ("optimal", "optimal_inaccurate", "unbounded", "infeasible", "stated")
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
    ``"CLARABEL"``, ...); run : the run measured, in one line (rule, sequence, domain).

    ``repr()`` shows a few lines (:func:`octk.results.text.regret_text`);
    :meth:`to_xarray` and :meth:`to_pandas` give the arrays (the ``octk[io]`` extra).
    """

    t: np.ndarray
    played: np.ndarray
    best: np.ndarray
    x_star: np.ndarray
    status: np.ndarray
    solver: str
    run: str = ""

    def __repr__(self) -> str:
        from octk.results.text import regret_text

        return regret_text(self)

    def to_xarray(self):
        """An :class:`xarray.Dataset` (:func:`octk.results.regret_to_xarray`)."""
        from octk.results import regret_to_xarray

        return regret_to_xarray(self)

    def to_pandas(self):
        """One row per (configuration, checkpoint) (:func:`octk.results.regret_to_pandas`)."""
        from octk.results import regret_to_pandas

        return regret_to_pandas(self)

    @property
    def regret(self) -> np.ndarray:
        """(C, K) R(T) = played − best; +inf where the comparator is unbounded."""
        return self.played - self.best

    @property
    def average(self) -> np.ndarray:
        """(C, K) R(T)/T."""
        return self.regret / self.t


# --------------------------------------------------------------------------- closed forms
def _closed_form(seq: Sequence, dom, stats: dict, n: np.ndarray):
    """The loss's vectorised closed form. stats: name -> (..., d); n: (...)."""
    return seq.family.closed_form(dom, stats, n, seq.support())


# --------------------------------------------------------------------------- cvxpy
class _Problem:
    """A parametrised comparator problem, built once and re-solved (thread-safe).

    The loss gives the objective (parameters scaled to O(1) before each solve, the
    scaling undone in its ``value``), the domain the constraints.
    """

    def __init__(self, seq: Sequence, dom, d: int):
        import cvxpy as cp

        self.loss = seq.loss
        self.d = d
        self.lock = threading.Lock()
        self.x = x = cp.Variable(d)
        self.objective = seq.family.cvxpy_objective(x, d, seq.support())
        self.problem = cp.Problem(cp.Minimize(self.objective.expr), dom.cvxpy_constraints(x, d))
        assert self.problem.is_dpp()

    def solve(self, stats: dict, n: int, where: str):
        """(x, value, raw cvxpy status, solver name) for one set of statistics."""
        import cvxpy as cp

        with self.lock:
            self.objective.assign(stats, n)
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
                value = self.objective.value(x, value)
        return x, value, status, name or (_solver() or "cvxpy")


_PROBLEMS: dict[tuple, _Problem] = {}
_PROBLEMS_LOCK = threading.Lock()
_MAX_PROBLEMS = 64


def _problem(seq: Sequence, dom, d: int) -> _Problem:
    key = (seq.loss, dom.key(d), d, seq.family.objective_key(seq.support()))
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
    try:
        x, value, raw, name = _problem(seq, dom, d).solve(stats, n, where)
    except NotConvexError as exc:
        return _stated(seq, dom, stats, n, where, exc)
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


def _stated(seq: Sequence, dom, stats: dict, n: int, where: str, exc: Exception):
    """The sequence's stated optimum as the comparator point (module doc), or a ComparatorError."""
    if seq.optimum is None or not hasattr(seq.family, "round_sum"):
        raise ComparatorError(
            f"the {seq.loss} comparator on {dom.spec()} at {where}: {exc}; sequence "
            f"{seq.spec()!r} states no optimum to measure against (Sequence.optimum)"
        ) from None
    d = len(next(iter(stats.values())))
    x = dom.project(np.full((1, d), float(seq.optimum)))[0]
    value = float(seq.family.round_sum(x, stats, np.asarray(float(n))))
    return x, value, "stated", "stated"


# --------------------------------------------------------------------------- public API
def _use_closed_form(seq: Sequence, dom, method: str) -> bool:
    check_choice("method", method, METHODS)
    has = seq.family.has_closed_form(dom)
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
    for name in sequence.stat_names():
        if name not in stats:
            raise ParameterError(
                f"stats is missing {name!r}; the {sequence.loss} comparator needs "
                f"{', '.join(sequence.stat_names())}"
            )
        arrs[name] = np.atleast_1d(np.asarray(stats[name], dtype=np.float64))
    shapes = {a.shape for a in arrs.values()}
    if len(shapes) != 1 or next(iter(shapes)) == () or len(next(iter(shapes))) != 1:
        raise ShapeError(f"stats must be 1-D arrays of one length d; got shapes {sorted(shapes)}")
    if not all(np.all(np.isfinite(a)) for a in arrs.values()):
        raise ParameterError("stats must be finite")
    sequence.family.check_stats(arrs)
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
    from octk.trajectory import Trajectory

    if not isinstance(traj, Trajectory):
        shown = repr(traj) if len(repr(traj)) <= 60 else type(traj).__name__
        raise ParameterError(
            f"regret needs a Trajectory (the result of octk.simulate); got {shown}"
        )
    seq, dom = traj.sequence, traj.domain
    closed = _use_closed_form(seq, dom, method)
    if at is not None:
        try:
            traj = traj.at(at)
        except ValueError as exc:
            raise ParameterError(f"at: {exc}") from None
    t = np.asarray(traj.t, dtype=np.int64)
    C, K, d = traj.n_configs, len(t), traj.d
    missing = [name for name in seq.stat_names() if name not in traj.stats]
    if missing:
        raise ParameterError(f"trajectory lacks the statistics {missing} of its {seq.loss} loss")
    stats = {name: np.asarray(traj.stats[name], dtype=np.float64) for name in seq.stat_names()}
    played = np.asarray(traj.loss, dtype=np.float64)
    bad = ~np.all([np.all(np.isfinite(v), axis=-1) for v in stats.values()], axis=0)
    if closed:
        n = np.broadcast_to(t.astype(np.float64), (C, K))
        with np.errstate(invalid="ignore"):
            x, best, status = _closed_form(seq, dom, stats, n)
        if bad.any():
            x[bad], best[bad], status[bad] = np.nan, np.nan, "nan"
        return Regret(t, played, best, x, status, "closed-form", _run_line(traj))

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
    return Regret(t, played, best, x, status, "+".join(sorted(solvers)) or "cvxpy", _run_line(traj))


def _run_line(traj) -> str:
    from octk.results.text import run_line

    return run_line(traj.rule, traj.sequence, traj.domain)


__all__ = ["METHODS", "STATUSES", "Comparator", "Regret", "comparator", "regret"]
