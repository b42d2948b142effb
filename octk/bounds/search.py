r"""The smallest T at which a bound fails, over a grid: :func:`search`.

A sweep (:mod:`octk.sweeps`) with the ``bound`` measure: rule hyperparameters on the
grid batch into one simulation per sequence cell; the sequence's parameters loop (one
simulation each). Each cell records its first violation
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
from octk.bounds.registry import get_bound
from octk.domains import Domain
from octk.errors import ParameterError, unknown_name
from octk.rules import Rule
from octk.rules import rule as make_rule
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

    A sweep (:func:`octk.sweep`) with the ``bound`` measure: its first violation (every
    T checked) and the bound's report per cell, read back into :class:`Cell` records.
    """
    from octk.sequences import SEQUENCES
    from octk.sweeps import sweep

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
    ds = sweep(
        rule, base, domain, steps=steps, grid=dict(zip(names, values, strict=True)),
        params=params, measures=("bound",), backend=backend, seed=int(np.asarray(seed)),
        x0=x0, d=d, bound=bound, lam=lam, constants=constants, progress=progress,
        dtype=dtype,
    )  # fmt: skip
    b = get_bound(ds["first_violation"].attrs["bound"])
    cells = []
    for idx in itertools.product(*(range(len(v)) for v in values)):
        at = {n: i for n, i in zip(names, idx, strict=True)}

        def get(var: str, at: dict[str, int] = at) -> Any:
            return ds[var].isel(at).item()

        failing = str(get("failing"))
        cells.append(
            Cell(
                params={n: values[k][i] for k, (n, i) in enumerate(at.items())},
                first_violation=int(get("first_violation")),
                hypotheses_hold=bool(get("hypotheses_hold")),
                failing=failing.split("\n") if failing else [],
                gamma_negative=float(get("gamma_negative")),
                regret=float(get("regret")),
                rhs=float(get("rhs")),
                max_tightness=float(get("max_tightness")),
                vacuous=bool(get("vacuous")),
                vacuous_checkpoints=int(get("vacuous_checkpoints")),
                nonfinite=bool(get("nonfinite")),
            )
        )
    seqk = [n for n in names if n not in rule.hyper_names]
    shown = base.spec() if not seqk else f"{base.name} ({', '.join(seqk)} on the grid)"
    return SearchResult(b, rule, shown, tuple(names), tuple(values), tuple(cells), steps)


__all__ = ["Cell", "SearchResult", "search"]
