"""The short summaries ``repr()`` shows for octk's results: a few lines each.

A result's arrays can hold millions of numbers; its repr names what was run (rule,
sequence, domain, backend), its shape (configurations × checkpoints × coordinates)
and the final values, and leaves the arrays to their attributes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

_MAX_CONFIGS = 4  # configurations listed one per line before "..."


def _num(v: Any) -> str:
    v = float(v)
    return f"{v:.6g}" if math.isfinite(v) else str(v)


def _vec(v: Any) -> str:
    a = np.asarray(v, dtype=np.float64).ravel()
    body = ", ".join(_num(e) for e in a[:4])
    return "[" + body + (f", ... ({a.size} values)]" if a.size > 4 else "]")


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _params(params: dict[str, Any], c: int | None = None) -> str:
    parts = []
    for name, v in params.items():
        a = np.asarray(v, dtype=np.float64).ravel()
        if c is not None:
            parts.append(f"{name}={_num(a[c])}")
        elif a.size and np.all(a == a[0]):
            parts.append(f"{name}={_num(a[0])}")
        else:
            parts.append(f"{name}={_num(a.min())}..{_num(a.max())}")
    return ", ".join(parts) or "none"


def run_line(rule: Any, sequence: Any, domain: Any) -> str:
    """``Adam [paper] on reddi-thm1:C=3 (linear loss) over box:-1,1``."""
    title = getattr(rule, "title", None) or getattr(rule, "name", str(rule))
    if hasattr(sequence, "spec"):
        seq = f"{sequence.spec()} ({sequence.loss} loss)"
    else:
        seq = str(sequence)
    dom = domain.spec() if hasattr(domain, "spec") else str(domain)
    return f"{title} on {seq} over {dom}"


def _config_lines(n: int, line: Callable[[int], str]) -> list[str]:
    shown = range(min(n, _MAX_CONFIGS))
    out = [line(c) for c in shown]
    if n > _MAX_CONFIGS:
        out.append(f"  ... {n - _MAX_CONFIGS:,} more configurations")
    return out


def trajectory_text(traj: Any) -> str:
    """The repr of a :class:`~octk.trajectory.Trajectory`."""
    C, K, d = traj.x.shape
    lines = [
        f"Trajectory: {run_line(traj.rule, traj.sequence, traj.domain)}",
        f"  backend {traj.backend}, T = {traj.steps:,} steps; {_plural(C, 'configuration')} × "
        f"{_plural(K, 'checkpoint')} × d = {d}",
        f"  params {_params(traj.params)}",
    ]
    nonfinite = getattr(traj, "nonfinite", None)  # where a value first left float64
    if nonfinite is not None:
        lines.append(f"  NOT FINITE: {nonfinite}")
    scale = getattr(traj, "gradient_scale", 1.0)
    if scale != 1.0:
        lines.append(f"  run on the gradients {_num(scale)}·g (the rule is scale-invariant)")
    names = [*traj.stats, *(f"state {s}" for s in traj.state), *traj.monitors]
    lines.append(f"  arrays t, x, loss, x0, {', '.join(names)}" if names else "  arrays t, x, loss")

    def one(c: int) -> str:
        head = f"  config {c}: " if C > 1 else "  final: "
        return f"{head}x_{{T+1}} = {_vec(traj.x[c, -1])}, Σ f_t(x_t) = {_num(traj.loss[c, -1])}" + (
            f", seed {int(traj.seeds[c])}" if getattr(traj.sequence, "seeded", False) else ""
        )

    return "\n".join(lines + _config_lines(C, one))


def regret_text(reg: Any) -> str:
    """The repr of a :class:`~octk.regret.Regret`."""
    C, K = np.shape(reg.played)
    what = reg.run or "a run"
    T = int(reg.t[-1]) if len(reg.t) else 0
    lines = [
        f"Regret: {what}",
        f"  comparator {reg.solver}; {_plural(C, 'configuration')} × {_plural(K, 'checkpoint')}, "
        f"T = {T:,}",
    ]

    def one(c: int) -> str:
        head = f"  config {c}: " if C > 1 else "  at T: "
        status = str(reg.status[c, -1])
        return (
            f"{head}R_T = {_num(reg.regret[c, -1])}, R_T/T = {_num(reg.average[c, -1])}, "
            f"min Σ f_t = {_num(reg.best[c, -1])} ({status}), x* = {_vec(reg.x_star[c, -1])}"
        )

    return "\n".join(lines + (_config_lines(C, one) if K else []))


def bound_text(res: Any) -> str:
    """The repr of a :class:`~octk.bounds.BoundResult`: what was checked, and the verdict
    of each configuration (see :func:`octk.bounds.report.verdict`)."""
    C, K = np.shape(res.regret)
    lines = [
        f"BoundResult: {res.bound.name} ({res.bound.title})",
        f"  on {run_line(res.rule, res.sequence, res.domain)}",
        f"  T = {res.steps:,}; {_plural(C, 'configuration')} × {_plural(K, 'checkpoint')}; "
        f"violated in {int(np.sum(res.first_violation > 0))} of {C}",
    ]

    def one(c: int) -> str:
        head = f"  config {c} ({_params(res.params, c)}): " if C > 1 else "  "
        return (
            f"{head}R_T = {_num(res.regret[c, -1])}, RHS = {_num(res.rhs[c, -1])}; {res.verdict(c)}"
        )

    return "\n".join(lines + _config_lines(C, one))


def search_text(res: Any) -> str:
    """The repr of a :class:`~octk.bounds.SearchResult`."""
    failing = [c for c in res.cells if c["first_violation"] > 0]
    grid = " × ".join(f"{n} ({len(v)})" for n, v in zip(res.names, res.values, strict=True))
    lines = [
        f"SearchResult: {res.bound.name} on {getattr(res.rule, 'title', res.rule)} / "
        f"{res.sequence}",
        f"  grid {grid or 'one cell'}; T = {res.steps:,}; violated in {len(failing)} of "
        f"{len(res.cells)} cells",
    ]
    if failing:
        first = min(failing, key=lambda c: c["first_violation"])
        where = ", ".join(f"{k}={v}" for k, v in first["params"].items())
        lines.append(f"  earliest violation T = {first['first_violation']:,} at {where}")
    return "\n".join(lines)


__all__ = ["bound_text", "regret_text", "run_line", "search_text", "trajectory_text"]
