r"""The measures of a sweep's cells, chosen by name (:data:`MEASURES`), and the
classification rule.

For a run of T steps with iterates x_t and the comparator's minimiser x*_T of
Σ_{t≤T} f_t over the domain (:func:`octk.regret.regret`) -- or, where the sequence
states its optimum (``Sequence.optimum``, e.g. Zhang et al.'s x* = −2, whose
finite-T round-sum can be unbounded below), that point:

* ``x_final`` : x_{T+1};
* ``distance`` : ‖x_{T+1} − x*_T‖₂;
* ``rate`` : R(T)/T, and ``rate_at`` : R(t)/t at the checkpoints t (dimension
  ``checkpoint``);
* ``first_violation`` : the first T with R(T) > RHS(T) of a published bound (every T
  checked, :func:`octk.bounds.scan.scan`; 0: none up to ``steps``); ``bound`` adds the
  rest of the bound's report per cell (hypotheses, R and RHS at T, tightness, vacuity);
* ``drift`` : the slope of log‖x_t − x*_T‖ against log t between T/2 and T, from the
  mean distances m over the windows of steps before each (:func:`drift`): about −p for
  a distance decaying like t^{−p}, 0 for a run that stays (away from x* or at it),
  positive for one that moves away;
* ``classification`` : converges / diverges / cycles / undecided (:func:`classify`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from octk.trajectory import Trajectory, log_checkpoints

MEASURES: dict[str, str] = {
    "x_final": "the iterate after the last step, x_{T+1}",
    "distance": "|x_{T+1} − x*_T| (Euclidean), x*_T the comparator's minimiser at T",
    "rate": "average regret R(T)/T",
    "rate_at": "average regret R(t)/t at the checkpoints",
    "first_violation": "first T with R(T) > RHS(T) of the bound (0: none up to steps)",
    "bound": "the bound's report per cell: first violation, hypotheses, R and RHS at T, "
    "tightness, vacuity",
    "drift": "log-log slope of the mean |x_t − x*_T| between the windows at T/2 and T",
    "classification": "converges / diverges / cycles / undecided (rule in the attrs)",
}
FLAGS = ("converges", "diverges", "cycles", "undecided")
WINDOW = 256  # steps of each classification window
TOL = 1e-3  # |x − x*| at or below this counts as at x*
SHRINK = 0.75  # mean distance at T at most this times that at T/2: converging
HOLD = 0.95  # at least this times: not approaching x*


def classification_rule(steps: int, tol: float) -> str:
    """The classification rule in words (the ``rule`` attribute of ``classification``)."""
    w = window(steps)
    return (
        f"m(t) = mean of |x_s − x*_T| and A(t) = the largest range of a coordinate of x_s, "
        f"over the {w} steps s ≤ t. In order: non-finite run → diverges; m(T) ≤ {tol:g} and "
        f"m(T) ≤ m(T/2) + {tol:g} → converges; m(T) ≤ {SHRINK:g}·m(T/2) → converges "
        f"(|x − x*| fell by a quarter between T/2 and T); A(T) > {tol:g}, "
        f"A(T) ≥ {HOLD:g}·A(T/2) and x turns ≥ 2 times in the last {w} steps → cycles (an "
        f"oscillation that does not shrink); m(T) ≥ {HOLD:g}·m(T/2) → diverges (not "
        f"approaching x*); else undecided. T-dependence checked: m and A at "
        f"T/2 = {steps // 2:,} against T = {steps:,}."
    )


def window(steps: int) -> int:
    """Steps in each classification window: min(256, T/2), at least 1."""
    return max(1, min(WINDOW, steps // 2))


def needs_windows(measures: tuple[str, ...]) -> bool:
    return bool({"classification", "drift"} & set(measures))


def base_checkpoints(steps: int, checkpoints: Any = None) -> NDArray[np.int64]:
    """The log-spaced checkpoints (or those given): ``rate_at``, ``drift`` and the bound's
    report are read there."""
    if checkpoints is None:
        return log_checkpoints(steps)
    ck = np.unique(np.asarray(checkpoints, dtype=np.int64))
    return np.unique(np.concatenate([ck[(ck >= 1) & (ck <= steps)], [steps]]))


def window_steps(steps: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The two classification windows: the ``window`` steps up to T/2 and up to T."""
    w = window(steps)
    half = max(1, steps // 2)
    a = np.arange(max(1, half - w + 1), half + 1, dtype=np.int64)
    b = np.arange(max(1, steps - w + 1), steps + 1, dtype=np.int64)
    return a, b


def run_checkpoints(
    steps: int, measures: tuple[str, ...], checkpoints: Any = None
) -> NDArray[np.int64]:
    """Every checkpoint the run must keep for ``measures``."""
    ck: list[NDArray[np.int64]] = [
        base_checkpoints(steps, checkpoints),
        np.array([max(1, steps // 2)], dtype=np.int64),
    ]
    if needs_windows(measures):
        ck.extend(window_steps(steps))
    return np.unique(np.concatenate(ck).astype(np.int64))


def _index(t: NDArray[np.int64], steps: NDArray[np.int64]) -> NDArray[np.intp]:
    return np.searchsorted(t, steps)


def _mean_distance(traj: Trajectory, steps: NDArray[np.int64], xs: NDArray) -> NDArray:
    e = traj.x[:, _index(traj.t, steps), :] - xs[:, None, :]
    return np.asarray(np.mean(np.linalg.norm(e, axis=2), axis=1))


def _range(x: NDArray) -> NDArray:
    """(C,) the largest range max − min over time of a coordinate; x : (C, K, d)."""
    return np.asarray(np.max(np.max(x, axis=1) - np.min(x, axis=1), axis=1))


def _turns(x: NDArray) -> NDArray:
    """(C,) the most turns (sign changes of x_{t+1} − x_t) of a coordinate; x : (C, K, d)."""
    s = np.sign(np.diff(x, axis=1))
    changes = np.zeros(s.shape[0::2])
    prev = s[:, 0, :]
    for k in range(1, s.shape[1]):
        cur = s[:, k, :]
        changes += (cur != 0) & (prev != 0) & (cur != prev)
        prev = np.where(cur != 0, cur, prev)
    return np.asarray(np.max(changes, axis=1))


def classify(traj: Trajectory, xs: NDArray, tol: float = TOL) -> NDArray[np.int8]:
    """(C,) the codes of :data:`FLAGS` by :func:`classification_rule`; xs : (C, d) x*_T."""
    T = traj.steps
    a, b = window_steps(T)
    with np.errstate(all="ignore"):
        m_half = _mean_distance(traj, a, xs)
        m_end = _mean_distance(traj, b, xs)
        tail = traj.x[:, _index(traj.t, b), :]
        a_half, a_end = _range(traj.x[:, _index(traj.t, a), :]), _range(tail)
        turns = _turns(tail) if tail.shape[1] > 1 else np.zeros(len(tail))
        finite = np.all(np.isfinite(traj.x), axis=(1, 2)) & np.all(np.isfinite(traj.loss), axis=1)
        code = np.full(traj.n_configs, 3, dtype=np.int8)
        rules = [
            (~finite, 1),
            ((m_end <= tol) & (m_end <= m_half + tol), 0),
            (m_end <= SHRINK * m_half, 0),
            ((a_end > tol) & (a_end >= HOLD * a_half) & (turns >= 2), 2),
            (m_end >= HOLD * m_half, 1),
        ]
    decided = np.zeros(traj.n_configs, dtype=bool)
    for mask, c in rules:
        new = mask & ~decided
        code[new] = c
        decided |= new
    return code


def drift(traj: Trajectory, xs: NDArray) -> NDArray[np.float64]:
    """(C,) the log-log slope of the mean distance between the windows at T/2 and T,
    log(m(T)/m(T/2)) / log(t̄_T/t̄_{T/2}) (t̄ : a window's mean step): about −p where
    |x − x*| decays like t^{−p}, 0 where it stays (at x* included: m = 0 at both), +p
    where it grows like t^p."""
    a, b = window_steps(traj.steps)
    with np.errstate(all="ignore"):
        m_half, m_end = _mean_distance(traj, a, xs), _mean_distance(traj, b, xs)
        slope = np.log(m_end / m_half) / np.log(b.mean() / a.mean())
    return np.where((m_half == 0) & (m_end == 0), 0.0, slope)


def compute(
    traj: Trajectory,
    measures: tuple[str, ...],
    base: NDArray[np.int64],
    *,
    tol: float = TOL,
    bound: Any = None,
) -> dict[str, NDArray]:
    """{variable: (C, ...) values} of ``measures`` on ``traj``; ``bound`` : the
    :class:`~octk.bounds.BoundResult` (on ``base``) where a bound measure is asked."""
    from octk.regret import regret

    out: dict[str, NDArray] = {}
    T = traj.steps
    need_star = {"distance", "drift", "classification", "rate"} & set(measures)
    xs = np.full((traj.n_configs, traj.d), np.nan)
    if need_star:
        with np.errstate(all="ignore"):
            r = regret(traj, at=[T])
        xs = r.x_star[:, -1, :]
        if "rate" in measures:
            out["rate"] = r.regret[:, -1] / T
    stated = getattr(traj.sequence, "optimum", None)
    if stated is not None:  # the point the sequence states (Zhang et al.'s x* = −2)
        xs = np.full((traj.n_configs, traj.d), float(stated))
    if "x_final" in measures:
        out["x_final"] = traj.x_final if traj.d > 1 else traj.x_final[:, 0]
    if "distance" in measures:
        out["distance"] = np.linalg.norm(traj.x_final - xs, axis=1)
    if "rate_at" in measures:
        with np.errstate(all="ignore"):
            ra = regret(traj, at=base)
        out["rate_at"] = ra.regret / base[None, :]
    if "drift" in measures:
        out["drift"] = drift(traj, xs)
    if "classification" in measures:
        out["classification"] = classify(traj, xs, tol)
    if bound is not None:
        out["first_violation"] = np.asarray(bound.first_violation, dtype=np.int64)
        if "bound" in measures:
            out.update(bound_report(bound))
    return out


def bound_report(res: Any) -> dict[str, NDArray]:
    """The per-cell report of a bound (the columns of ``octk check --search``)."""
    C = res.n_configs
    tight = res.tightness
    with np.errstate(all="ignore"):
        max_tight = np.array(
            [
                np.nan if res.nonfinite[c] else float(np.nanmax(tight[c], initial=-np.inf))
                for c in range(C)
            ]
        )
    return {
        "hypotheses_hold": np.array([res.hypotheses_hold(c) for c in range(C)], dtype=bool),
        "failing": np.array(
            ["\n".join(k.name for k in res.failing(c)) for c in range(C)], dtype=object
        ),
        "gamma_negative": np.asarray(res.gamma["count"], dtype=np.float64),
        "regret": np.asarray(res.regret[:, -1], dtype=np.float64),
        "rhs": np.asarray(res.rhs[:, -1], dtype=np.float64),
        "max_tightness": max_tight,
        "vacuous": np.array([res.vacuous_everywhere(c) for c in range(C)], dtype=bool),
        "vacuous_checkpoints": np.sum(res.vacuous, axis=1).astype(np.int64),
        "nonfinite": np.asarray(res.nonfinite, dtype=bool),
    }


__all__ = [
    "FLAGS",
    "MEASURES",
    "base_checkpoints",
    "bound_report",
    "classification_rule",
    "classify",
    "compute",
    "drift",
    "run_checkpoints",
    "window",
    "window_steps",
]
