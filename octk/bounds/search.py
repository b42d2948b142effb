r"""The smallest T at which a bound fails, over a grid: :func:`search`.

Rule hyperparameters on the grid batch into one simulation per sequence cell; the
sequence's parameters loop (one simulation each). Each cell records its first violation
(exact: every T checked), its hypotheses, its largest tightness R/RHS and whether the
bound was vacuous at every checkpoint (``holds (vacuous)``: it could not have failed).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

import numpy as np
from numpy.typing import ArrayLike

from octk.bounds import report
from octk.bounds.scan import check, resolve_ties
from octk.domains import Domain
from octk.errors import ParameterError, unknown_name
from octk.rules import Rule
from octk.rules import resolve as make_rule
from octk.sequences import Sequence
from octk.sequences import sequence as make_sequence
from octk.theorems import Theorem


class Cell(TypedDict):
    """One cell of a search (see :class:`SearchResult`)."""

    params: dict[str, float | str]
    first_violation: int
    hypotheses_hold: bool
    failing: list[str]
    gamma_negative: float
    regret: float
    rhs: float
    max_tightness: float
    vacuous: bool
    vacuous_checkpoints: int
    nonfinite: bool


@dataclass(frozen=True, eq=False)
class SearchResult:
    """The smallest T at which a bound fails, per cell of a grid.

    names, values : the grid's parameters and their values (in order);
    cells : one dict per cell: ``params`` (the grid values), ``first_violation``
    (0: holds up to ``steps``), ``hypotheses_hold``, ``failing`` (names of failing
    stated hypotheses), ``gamma_negative``, ``regret`` and ``rhs`` at T,
    ``max_tightness`` (max R/RHS over the checkpoints), ``vacuous`` (RHS ≥ the trivial
    bound at every checkpoint), ``vacuous_checkpoints`` (how many) and ``nonfinite``
    (the run stopped being finite: no verdict).
    """

    bound: Theorem
    rule: Rule
    sequence: str
    names: tuple[str, ...]
    values: tuple[tuple[float | str, ...], ...]
    cells: tuple[Cell, ...]
    steps: int

    def __repr__(self) -> str:
        from octk.results.text import search_text

        return search_text(self)

    def cell(self, **where: object) -> Cell:
        for c in self.cells:
            if all(c["params"][k] == v for k, v in where.items()):
                return c
        raise KeyError(where)

    def outcome(self, c: Cell) -> str:
        return report.search_outcome(self, c)

    def table(self) -> str:
        return report.search_table(self)

    def to_dict(self) -> dict[str, Any]:
        return report.search_dict(self)


def search(
    rule: Rule | str,
    sequence: Sequence | str,
    domain: Domain | str = "box:-1,1",
    *,
    grid: Mapping[str, float | str | Iterable[float | str]],
    bound: Theorem | str | None = None,
    steps: int,
    params: Mapping[str, object] | None = None,
    x0: ArrayLike = 0.0,
    seed: ArrayLike = 0,
    d: int | None = None,
    backend: object = "numba",
    lam: float | None = None,
    constants: str = "declared",
    progress: bool = False,
    dtype: str = "float64",
) -> SearchResult:
    """For each cell of ``grid``, the smallest T ≤ ``steps`` at which ``bound`` fails.

    ``grid`` maps names to lists of values: rule hyperparameters (batched into one
    simulation per sequence cell) and the sequence's parameters (one simulation
    each). ``params`` fixes the others; a string value is an expression of the
    sequence's parameters (``beta2="1/(1+C**2)"``).
    """
    from octk.sequences import SEQUENCES

    rule = make_rule(rule) if isinstance(rule, str) else rule
    base = make_sequence(sequence) if isinstance(sequence, str) else sequence
    if not grid:
        raise ParameterError("grid must name at least one parameter with its values")
    seq_params = tuple(SEQUENCES[base.name].params) if base.name in SEQUENCES else ()
    names: list[str] = []
    values: list[tuple[float | str, ...]] = []
    for n, v in grid.items():
        vals = [v] if isinstance(v, int | float | str) else list(v)
        if not vals:
            raise ParameterError(f"grid {n}: give at least one value")
        if n not in rule.hyper_names and n not in seq_params:
            raise unknown_name(
                f"grid parameter (hyperparameter of {rule.name!r} or parameter of sequence "
                f"{base.name!r})",
                n,
                (*rule.hyper_names, *seq_params),
            )
        names.append(n)
        values.append(tuple(vals))
    hyper = [k for k, n in enumerate(names) if n in rule.hyper_names]
    seqk = [k for k, n in enumerate(names) if n not in rule.hyper_names]
    h_cells = list(itertools.product(*(values[k] for k in hyper)))
    s_cells = list(itertools.product(*(values[k] for k in seqk)))
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(s_cells), desc="search", unit="run", leave=False)
    cells: dict[tuple[float | str, ...], Cell] = {}
    b = None
    for sv in s_cells:
        over = {names[k]: v for k, v in zip(seqk, sv, strict=True)}
        seq = make_sequence(base.name, loss=base.loss, **{**base.params, **over}) if over else base
        p = resolve_ties(params, seq)
        for k in hyper:
            p[names[k]] = np.asarray([float(hc[hyper.index(k)]) for hc in h_cells])
        res = check(
            rule, seq, domain, bound=bound, steps=steps, params=p, x0=x0, seed=seed, d=d,
            backend=backend, lam=lam, constants=constants, dtype=dtype,
        )  # fmt: skip
        b = res.bound
        tight = res.tightness
        for c, hc in enumerate(h_cells):
            key_vals = {names[k]: hc[hyper.index(k)] for k in hyper}
            key_vals.update(over)
            cells[tuple(key_vals[n] for n in names)] = {
                "params": {n: key_vals[n] for n in names},
                "first_violation": int(res.first_violation[c]),
                "hypotheses_hold": res.hypotheses_hold(c),
                "failing": [k.name for k in res.failing(c)],
                "gamma_negative": float(res.gamma["count"][c]),
                "regret": float(res.regret[c, -1]),
                "rhs": float(res.rhs[c, -1]),
                "max_tightness": (
                    np.nan if res.nonfinite[c] else float(np.nanmax(tight[c], initial=-np.inf))
                ),
                "vacuous": res.vacuous_everywhere(c),
                "vacuous_checkpoints": int(np.sum(res.vacuous[c])),
                "nonfinite": bool(res.nonfinite[c]),
            }
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    assert b is not None  # at least one sequence cell ran
    ordered = tuple(cells[key] for key in itertools.product(*values))
    shown = (
        base.spec()
        if not seqk
        else f"{base.name} ({', '.join(names[k] for k in seqk)} on the grid)"
    )
    return SearchResult(b, rule, shown, tuple(names), tuple(values), ordered, steps)


__all__ = ["Cell", "SearchResult", "search"]
