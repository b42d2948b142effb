r"""Text and JSON of bound results and searches: the one place they are rendered.

:func:`summary` is ``octk check``'s report, :func:`result_table` its table (R(T), each
term, the RHS, the tightness R/RHS and the trivial bound min(Σ_i w_i Σ_t|g_{t,i}|, T·G·D), with
``VIOLATED`` / ``vacuous`` marks), :func:`verdict` its last line, :func:`result_dict`
its ``--json``; :func:`search_table` and :func:`search_dict` those of ``--search``.

A "holds" on a bound that is vacuous at every checkpoint reads ``holds (vacuous)``:
its right-hand side was never below the most regret any algorithm could have had on
the run, so it could not have failed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, SupportsFloat

import numpy as np
import sympy as sp

from octk.bounds.hypotheses import lam_text
from octk.bounds.quantities import Constant
from octk.theorems import text

if TYPE_CHECKING:  # they render with this module
    from octk.bounds.evaluation import BoundResult
    from octk.bounds.search import Cell, SearchResult

TRIVIAL = "min(Σ_i w_i Σ_t |g_{t,i}|, T·G·D)"


def _g(v: SupportsFloat | str, digits: int = 6) -> str:
    """``v`` (a number, or a grid value given as a numeric string) to ``digits`` digits."""
    v = float(v)
    return f"{v:.{digits}g}" if math.isfinite(v) else str(v)


def symbol_text(sym: sp.Symbol) -> str:
    return text(sym)


# --------------------------------------------------------------------------- one result
def verdict(res: BoundResult, c: int = 0) -> str:
    """One line: the hypotheses' status and where the bound first breaks (or how far it
    holds, and whether that could have failed)."""
    bad = res.failing(c)
    head = (
        "hypotheses hold" if not bad else "hypotheses fail (" + "; ".join(k.name for k in bad) + ")"
    )
    fv = int(res.first_violation[c])
    if res.nonfinite[c]:
        body = "no verdict: the run stopped being finite (an iterate, loss, state or R is inf/nan)"
    elif fv > 0:
        at = "" if res.every_step else " (first violating checkpoint)"
        body = f"bound violated first at T = {fv:,}{at}"
    elif not np.all(np.isfinite(res.rhs[c])):
        body = "bound not evaluated (its right-hand side is undefined here)"
    elif res.vacuous_everywhere(c):
        body = (
            f"holds (vacuous) up to T = {res.steps:,}: its right-hand side is at or above "
            f"the trivial bound {TRIVIAL} at every checkpoint"
        )
    else:
        body = f"holds up to T = {res.steps:,}"
        n = int(np.sum(res.vacuous[c]))
        if n:
            body += f" (vacuous at {n} of {len(res.t)} checkpoints)"
    tail = ""
    proof = res.failing(c, "proof")
    if proof:
        tail = "; the proof's step fails: " + "; ".join(f"{k.name}, {k.detail}" for k in proof)
    return f"{head}; {body}{tail}"


def result_dict(res: BoundResult, c: int | None = None) -> dict[str, Any]:
    """Plain Python values of a :class:`~octk.bounds.BoundResult` (JSON after non-finite
    floats are mapped)."""
    b = res.bound
    configs = []
    for k in range(res.n_configs) if c is None else [c]:
        configs.append(
            {
                "params": {n: float(v[k]) for n, v in res.params.items()},
                "seed": int(res.seeds[k]),
                "verdict": verdict(res, k),
                "hypotheses_hold": res.hypotheses_hold(k),
                "checks": [
                    {"name": ch.name, "verdict": ch.verdict, "detail": ch.detail, "kind": ch.kind}
                    for ch in res.checks[k]
                ],
                "first_violation": int(res.first_violation[k]) or None,
                "violation_regret": float(res.violation_regret[k]),
                "violation_rhs": float(res.violation_rhs[k]),
                "vacuous": res.vacuous_everywhere(k),
                "vacuous_checkpoints": int(np.sum(res.vacuous[k])),
                "nonfinite": bool(res.nonfinite[k]),
                "max_tightness": float(np.nanmax(res.tightness[k], initial=-np.inf)),
                "lambda": None if np.isnan(res.lam[k]) else float(res.lam[k]),
                "lambda_reason": res.lam_reason[k],
                "gamma": {n: float(v[k]) for n, v in res.gamma.items()},
                "constants": {
                    n: (float(v[k]) if isinstance(v, np.ndarray) else v)
                    for n, v in res.constants.items()
                },
                "checkpoints": {
                    "t": res.t.tolist(),
                    "regret": res.regret[k].tolist(),
                    "rhs": res.rhs[k].tolist(),
                    "terms": {n: v[k].tolist() for n, v in res.terms.items()},
                    "tightness": res.tightness[k].tolist(),
                    "trivial": res.trivial[k].tolist(),
                    "vacuous": res.vacuous[k].tolist(),
                },
            }
        )
    return {
        "bound": b.name,
        "title": b.title,
        "source": b.source,
        "statement": b.statement,
        "latex": b.latex(),
        "verified": b.verified,
        "derived": b.derived,
        "note": b.note,
        "trivial_bound": TRIVIAL,
        "rule": res.rule.name,
        "rule_title": res.rule.title,
        "preset": res.rule.preset,
        "options": dict(res.rule.options),
        "sequence": res.sequence.spec(),
        "loss": res.sequence.loss,
        "domain": res.domain.spec(),
        "steps": res.steps,
        "every_step": res.every_step,
        "notes": list(res.notes),
        "configs": configs,
    }


def result_table(res: BoundResult, c: int = 0, rows: int | None = None) -> str:
    """R(T), each term, the RHS, R/RHS and the trivial bound at selected checkpoints (decades,
    the first violation, the last)."""
    t = res.t
    decades = 10 ** np.arange(0, int(math.log10(max(int(t[-1]), 1))) + 1)
    show = [int(np.argmin(np.abs(np.log(t) - np.log(p)))) for p in decades]
    fv = int(res.first_violation[c])
    if fv:
        k = int(np.searchsorted(t, fv))
        show += [k] if k < len(t) and t[k] == fv else []
    show.append(len(t) - 1)
    show = sorted(set(show))
    if rows is not None and len(show) > rows:
        show = show[-rows:]
    names = list(res.terms)
    head = f"  {'T':>12} {'R(T)':>12} " + " ".join(f"{n:>12}" for n in names)
    head += f" {'RHS':>12} {'R/RHS':>9} {'trivial':>12}"
    lines = [head]
    extra = bool(fv) and not np.any(t == fv)
    for k in show:
        if extra and t[k] > fv:
            lines.append(_violation_row(res, c, names))
            extra = False
        r, rhs = res.regret[c, k], res.rhs[c, k]
        ratio = res.tightness[c, k]
        from octk.bounds.evaluation import violates

        mark = "  VIOLATED" if violates(r, rhs) else ("  vacuous" if res.vacuous[c, k] else "")
        lines.append(
            f"  {t[k]:>12,} {_g(r):>12} "
            + " ".join(f"{_g(res.terms[n][c, k]):>12}" for n in names)
            + f" {_g(rhs):>12} {_g(ratio, 5):>9} {_g(res.trivial[c, k]):>12}{mark}"
        )
    if extra:
        lines.append(_violation_row(res, c, names))
    return "\n".join(lines)


def _violation_row(res: BoundResult, c: int, names: Sequence[str]) -> str:
    fv = int(res.first_violation[c])
    r, rhs = res.violation_regret[c], res.violation_rhs[c]
    return (
        f"  {fv:>12,} {_g(r):>12} "
        + " ".join(f"{'·':>12}" for _ in names)
        + f" {_g(rhs):>12} {_g(r / rhs, 5):>9} {'·':>12}  first violation"
    )


def _constants_line(k: Mapping[str, Constant], c: int) -> str:
    def v(name: str) -> str:
        x = k.get(name)
        if x is None:
            return "none"
        if isinstance(x, str):
            return x
        return _g(x[c] if isinstance(x, np.ndarray) else x)

    out = (
        f"G∞ = {v('G∞ (used)')} (declared {v('G∞ declared')}, observed {v('G∞ observed')}), "
        f"G = {v('G (used)')}, D = {v('D (used)')}, D∞ = {v('D∞ (used)')} "
        f"(domain {v('D∞ domain')}, observed max‖x_t − x*‖∞ {v('D∞ observed')}); "
        f"{k['constants']} constants"
    )
    if "γ" in k:
        out += f"; γ = {v('γ')}"
    return out


def summary(res: BoundResult, c: int = 0) -> str:
    """The readable report of ``octk check`` for configuration ``c``."""
    b = res.bound
    params = ", ".join(f"{n}={float(v[c]):g}" for n, v in res.params.items())
    lines = [f"{b.title}  [{b.source}]"]
    if not b.verified:
        lines.append(f"  UNVERIFIED: {b.note}")
    elif b.derived:
        lines.append(f"  DERIVED by octk: {b.note}")
    lines += [
        f"  {'bound':<11} {b.statement}",
        f"  {'rule':<11} {res.rule.title}  [{res.rule.source}]",
        f"  {'params':<11} {params}",
        f"  {'sequence':<11} {res.sequence.spec()} ({res.sequence.loss} loss)   "
        f"domain {res.domain.spec()}   T = {res.steps:,}",
        f"  {'constants':<11} " + _constants_line(res.constants, c),
    ]
    if not np.isnan(res.lam[c]) or res.lam_reason[c]:
        lam = "" if np.isnan(res.lam[c]) else lam_text(res.lam[c]) + ": "
        lines.append(f"  {'λ':<11} {lam}{res.lam_reason[c]}")
    lines.append("  hypotheses")
    lines += [f"    {ch}" for ch in res.checks[c] if ch.kind == "stated"]
    proof = [ch for ch in res.checks[c] if ch.kind == "proof"]
    if proof:
        lines.append("  proof steps (used by the proof, not stated)")
        lines += [f"    {ch}" for ch in proof]
    lines += [f"  note: {n}" for n in res.notes]
    lines.append(
        f"  trivial    R(T) ≤ {TRIVIAL} for every algorithm on these gradients (convexity; "
        "w_i the extent of F in coordinate i); a right-hand side at or above it is vacuous"
    )
    lines += ["", result_table(res, c), "", f"  verdict: {verdict(res, c)}"]
    return "\n".join(lines)


# --------------------------------------------------------------------------- a search
def search_outcome(res: SearchResult, cell: Cell) -> str:
    fv = cell["first_violation"]
    if cell["nonfinite"]:
        out = "no verdict: the run stopped being finite"
    elif fv:
        out = f"fails at T = {fv:,}"
    else:
        out = f"holds to T = {res.steps:,}" + (" (vacuous)" if cell.get("vacuous") else "")
    if not cell["hypotheses_hold"]:
        out += "  (hypotheses fail: " + "; ".join(cell["failing"]) + ")"
    return out


def search_table(res: SearchResult) -> str:
    head = "  " + " ".join(f"{n:>10}" for n in res.names) + f" {'max R/RHS':>10}   outcome"
    lines = [head]
    for cell in res.cells:
        vals = " ".join(f"{_g(cell['params'][n]):>10}" for n in res.names)
        lines.append(f"  {vals} {_g(cell['max_tightness'], 4):>10}   {search_outcome(res, cell)}")
    return "\n".join(lines)


def search_dict(res: SearchResult) -> dict[str, Any]:
    return {
        "bound": res.bound.name,
        "rule": res.rule.name,
        "sequence": res.sequence,
        "steps": res.steps,
        "trivial_bound": TRIVIAL,
        "grid": {n: list(v) for n, v in zip(res.names, res.values, strict=True)},
        "cells": [{**c, "first_violation": c["first_violation"] or None} for c in res.cells],
    }


__all__ = [
    "TRIVIAL",
    "result_dict",
    "result_table",
    "search_dict",
    "search_outcome",
    "search_table",
    "summary",
    "verdict",
]
