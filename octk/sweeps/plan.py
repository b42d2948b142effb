r"""What a sweep runs: its definition (:class:`Plan`), its blocks and each block's inputs.

The grid's cells form an array with one dimension per axis. A **block** is a
rectangle of at most ``block`` cells: the lane axes (hyperparameters, seed, x0) first,
then the program axes (rule options, sequence parameters) with the room left. The cells
of a block with one program are the lanes of **one** :func:`octk.simulate` call
(:func:`program_inputs`). Blocks are the unit of persistence (one zarr chunk each) and
of the Dask tasks.

A hyperparameter given as a string is an expression of the sequence's parameters and
of the numeric axes (``beta2="1/(1+C**2)"``, ``beta1="0.9*sqrt(beta2)"``), evaluated
per cell (:func:`tie_values`; parsed by :func:`octk.expressions.parse_expression`).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from octk.errors import ParameterError
from octk.rules import Rule
from octk.sequences import Sequence
from octk.sweeps.axes import Axis, cell_rule, cell_sequence

DEFAULT_BLOCK = 4096  # cells per block at most (lanes of one simulation)


@dataclass(frozen=True, eq=False)
class Plan:
    """Everything that fixes a sweep's numbers (picklable: it travels to Dask workers).

    ``chunks`` : cells per block along each axis (1 on program axes).
    """

    rule: Rule
    sequence: Sequence
    domain: str
    steps: int
    axes: tuple[Axis, ...]
    params: dict[str, Any]
    measures: tuple[str, ...]
    backend: str
    seed: int
    x0: float | tuple[float, ...]
    d: int
    chunks: tuple[int, ...]
    options: dict[str, Any] = field(default_factory=dict)  # bound, lam, constants, dtype, ...

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(a) for a in self.axes)

    @property
    def n_cells(self) -> int:
        return int(np.prod(self.shape))

    @property
    def block_grid(self) -> tuple[int, ...]:
        """Blocks along each axis."""
        return tuple(-(-n // c) for n, c in zip(self.shape, self.chunks, strict=True))

    @property
    def n_blocks(self) -> int:
        return int(np.prod(self.block_grid))

    def block(self, k: int) -> tuple[slice, ...]:
        """The k-th block (C order over :attr:`block_grid`) as one slice per axis."""
        idx = np.unravel_index(k, self.block_grid)
        return tuple(
            slice(int(i) * c, min(n, (int(i) + 1) * c))
            for i, c, n in zip(idx, self.chunks, self.shape, strict=True)
        )

    def definition(self) -> dict[str, Any]:
        """The sweep as plain JSON-ready values: two sweeps with equal definitions give
        equal numbers; a zarr store records it, and ``resume`` compares it."""
        return json.loads(self._definition)

    @functools.cached_property
    def _definition(self) -> str:
        from octk.results.metadata import rule_metadata

        def plain(v: Any) -> Any:
            if isinstance(v, np.ndarray):
                return v.tolist()
            if isinstance(v, np.generic):
                return v.item()
            if isinstance(v, dict):
                return {k: plain(a) for k, a in v.items()}
            if isinstance(v, list | tuple):
                return [plain(a) for a in v]
            return v

        out = {
            "rule": rule_metadata(self.rule),
            "sequence": self.sequence.spec(),
            "loss": self.sequence.loss,
            "domain": self.domain,
            "steps": self.steps,
            "axes": {a.name: plain(a.values) for a in self.axes},
            "params": plain(self.params),
            "measures": list(self.measures),
            "backend": self.backend,
            "seed": self.seed,
            "x0": plain(self.x0),
            "d": self.d,
            "block": list(self.chunks),
            "options": plain({k: v for k, v in self.options.items() if k != "backend_object"}),
        }
        return json.dumps(out, sort_keys=True, default=str)

    def key(self) -> str:
        """A short hash of :meth:`definition` (the Dask task keys and the store's id)."""
        text = self._definition
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def block_chunks(axes: tuple[Axis, ...], block: int) -> tuple[int, ...]:
    """Cells per block along each axis: the lane axes filled from the last backward
    until ``block`` cells, then the program axes with the room left (a block of several
    programs runs one simulation per program, and is stored and scheduled as one)."""
    chunks = [1] * len(axes)
    room = block
    for lane in (True, False):
        for k in reversed(range(len(axes))):
            if axes[k].lane == lane:
                chunks[k] = max(1, min(len(axes[k]), room))
                room = max(1, room // chunks[k])
    return tuple(chunks)


def tie_values(
    params: Mapping[str, Any], sequence: Sequence, env: Mapping[str, np.ndarray], n: int
) -> dict[str, Any]:
    """``params`` with each string value evaluated per cell: an expression of the
    sequence's parameters and of the numeric axes (``env``: name -> (n,) values)."""
    from octk.expressions import parse_expression

    symbols = {k: sp.Symbol(k, real=True) for k in (*sequence.params, *env)}
    fixed = {
        symbols[k]: v
        for k, v in sequence.params.items()
        if isinstance(v, int | float) and k not in env
    }
    out: dict[str, Any] = {}
    for name, value in params.items():
        if not isinstance(value, str):
            out[name] = value
            continue
        try:
            out[name] = float(value)
            continue
        except ValueError:
            pass
        e = parse_expression(value, name=f"parameter {name}", extra=symbols).xreplace(fixed)
        free = sorted(e.free_symbols, key=str)
        unknown = [str(s) for s in free if str(s) not in env]
        if unknown:
            raise ParameterError(
                f"parameter {name}={value!r} must be an expression of the sequence's "
                f"parameters and the grid's axes ({', '.join(symbols) or 'none'}); "
                f"{', '.join(unknown)} is neither"
            )
        f = sp.lambdify(free, e, modules="numpy")
        with np.errstate(all="ignore"):
            vals = np.broadcast_to(
                np.asarray(f(*(env[str(s)] for s in free)), dtype=np.complex128), (n,)
            )
        if np.any(np.abs(vals.imag) > 0) or not np.all(np.isfinite(vals.real)):
            raise ParameterError(
                f"parameter {name}={value!r} is not a finite real number on every cell of the grid"
            )
        out[name] = vals.real.astype(np.float64).copy()
    return out


@dataclass(frozen=True, eq=False)
class ProgramInputs:
    """The arguments of one simulation: the cells of a block with one program.

    ``where`` : the cells, as slices of the block's region (one index on each program
    axis, the block's whole range on each lane axis); ``shape`` : their shape.
    """

    where: tuple[slice, ...]
    rule: Rule
    sequence: Sequence
    params: dict[str, Any]
    seed: Any
    x0: Any
    shape: tuple[int, ...]


def program_inputs(plan: Plan, k: int) -> list[ProgramInputs]:
    """Block ``k`` as one simulation per program (its cells in C order within each)."""
    sl = plan.block(k)
    program = [not a.lane for a in plan.axes]
    ranges = [range(s.stop - s.start) if p else [None] for s, p in zip(sl, program, strict=True)]
    out = []
    for idx in itertools.product(*ranges):
        where = tuple(
            slice(None) if i is None else slice(i, i + 1)
            for i in idx  # relative to the block
        )
        cells = tuple(
            s if i is None else slice(s.start + i, s.start + i + 1)
            for s, i in zip(sl, idx, strict=True)
        )
        out.append(_inputs(plan, cells, where))
    return out


def check_programs(plan: Plan) -> None:
    """Every program's rule and sequence built once (a bad value of a rule option or a
    sequence parameter is an error before any work, naming it)."""
    prog = [a for a in plan.axes if not a.lane]
    for values in itertools.product(*(a.values.tolist() for a in prog)):
        chosen = dict(zip((a.name for a in prog), values, strict=True))
        cell_rule(plan.rule, {a.name: str(chosen[a.name]) for a in prog if a.kind == "option"})
        over = {a.name: float(chosen[a.name]) for a in prog if a.kind == "sequence"}
        try:
            cell_sequence(plan.sequence, over)
        except ParameterError as e:
            shown = ", ".join(f"{k}={v:g}" for k, v in over.items())
            raise ParameterError(f"grid {shown}: {e}") from None


def check_ties(plan: Plan) -> None:
    """Every expression of ``params`` evaluated on every cell of the grid, each value
    checked against its hyperparameter's interval (before any work is done)."""
    if not any(isinstance(v, str) for v in plan.params.values()):
        return
    full = _inputs(plan, tuple(slice(0, n) for n in plan.shape), ())
    for name, value in plan.params.items():
        if isinstance(value, str):
            h = plan.rule.hyperparameter(name)
            for v in np.unique(np.atleast_1d(full.params[name])):
                try:
                    h.check(float(v))
                except ParameterError as e:
                    raise ParameterError(f"parameter {name}={value!r} on the grid: {e}") from None


def _inputs(plan: Plan, sl: tuple[slice, ...], where: tuple[slice, ...]) -> ProgramInputs:
    shape = tuple(s.stop - s.start for s in sl)
    options: dict[str, str] = {}
    over: dict[str, float] = {}
    for a, s in zip(plan.axes, sl, strict=True):
        if a.kind == "option":
            options[a.name] = str(a.values[s.start])
        elif a.kind == "sequence":
            over[a.name] = float(a.values[s.start])
    rule = cell_rule(plan.rule, options)
    seq = cell_sequence(plan.sequence, over)
    n = int(np.prod(shape))
    grids = np.meshgrid(*(a.values[s] for a, s in zip(plan.axes, sl, strict=True)), indexing="ij")
    env = {
        a.name: g.ravel()
        for a, g in zip(plan.axes, grids, strict=True)
        if a.kind in ("hyper", "sequence", "x0", "seed")
    }
    params = tie_values(plan.params, seq, {k: v.astype(np.float64) for k, v in env.items()}, n)
    for a in plan.axes:
        if a.kind == "hyper":
            params[a.name] = env[a.name].astype(np.float64)
    seed: Any = env["seed"].astype(np.int64) if "seed" in env else plan.seed
    x0: Any = plan.x0
    if "x0" in env:
        x0 = np.repeat(env["x0"].astype(np.float64)[:, None], plan.d, axis=1)
    elif n > 1 and np.ndim(x0) == 1 and np.size(x0) > 1:
        x0 = np.broadcast_to(np.asarray(x0, dtype=np.float64), (n, plan.d)).copy()
    return ProgramInputs(where, rule, seq, params, seed, x0, shape)


def program_count(plan: Plan) -> int:
    """The distinct programs of the sweep (one per value of the program axes)."""
    sizes = [len(a) for a in plan.axes if not a.lane]
    return int(np.prod(sizes)) if sizes else 1


def cells(plan: Plan) -> itertools.product[tuple[Any, ...]]:
    """Every cell's axis values, in C order."""
    return itertools.product(*(a.values.tolist() for a in plan.axes))


__all__ = [
    "DEFAULT_BLOCK",
    "Plan",
    "ProgramInputs",
    "block_chunks",
    "cells",
    "check_programs",
    "check_ties",
    "program_count",
    "program_inputs",
    "tie_values",
]
