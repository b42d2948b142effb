r"""The sweep's :class:`xarray.Dataset`: one dimension per axis (in the grid's order),
one data variable per measure, the sweep's metadata in the attributes.

Extra dimensions: ``coord`` (the coordinates i of x, where d > 1) and ``checkpoint``
(the steps t of ``rate_at``). ``classification`` is int8 with the CF attributes
``flag_values`` / ``flag_meanings`` and the rule used in ``rule``.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from octk.sweeps.axes import cell_rule
from octk.sweeps.measures import FLAGS, MEASURES, base_checkpoints, classification_rule
from octk.sweeps.plan import Plan

DONE = "done"  # the done-mask variable of a zarr store


@dataclass(frozen=True)
class Variable:
    """A data variable: its extra dimensions (after the axes), dtype, fill and attrs."""

    extra: tuple[str, ...]
    dtype: str
    fill: Any
    attrs: dict[str, Any]


def _bound_name(plan: Plan) -> str:
    from octk.bounds import default_bound, get_bound

    b = plan.options.get("bound")
    return (default_bound(plan.rule) if b is None else get_bound(b)).name


def variables(plan: Plan) -> dict[str, Variable]:
    """The data variables of ``plan``'s measures, in order."""
    out: dict[str, Variable] = {}
    m = plan.measures
    coord = ("coord",) if plan.d > 1 else ()
    if "x_final" in m:
        out["x_final"] = Variable(coord, "float64", np.nan, {"description": MEASURES["x_final"]})
    for name in ("distance", "rate"):
        if name in m:
            out[name] = Variable((), "float64", np.nan, {"description": MEASURES[name]})
    if "rate_at" in m:
        out["rate_at"] = Variable(
            ("checkpoint",), "float64", np.nan, {"description": MEASURES["rate_at"]}
        )
    if "first_violation" in m or "bound" in m:
        out["first_violation"] = Variable(
            (),
            "int64",
            -1,
            {
                "description": MEASURES["first_violation"],
                "bound": _bound_name(plan),
                "units": "steps",
            },
        )
    if "bound" in m:
        report = {
            "hypotheses_hold": ("bool", False, "every stated hypothesis of the bound holds"),
            "failing": ("object", "", "the failing stated hypotheses, one per line"),
            "gamma_negative": ("float64", np.nan, "how many Γ_{t,i} < 0"),
            "regret": ("float64", np.nan, "R(T)"),
            "rhs": ("float64", np.nan, "the bound's right-hand side at T"),
            "max_tightness": ("float64", np.nan, "max R/RHS over the checkpoints"),
            "vacuous": ("bool", False, "RHS ≥ the trivial bound at every checkpoint"),
            "vacuous_checkpoints": ("int64", -1, "checkpoints where the bound is vacuous"),
            "nonfinite": ("bool", False, "the run stopped being finite: no verdict"),
        }
        for name, (dtype, fill, text) in report.items():
            out[name] = Variable((), dtype, fill, {"description": text})
    if "drift" in m:
        out["drift"] = Variable((), "float64", np.nan, {"description": MEASURES["drift"]})
    if "classification" in m:
        out["classification"] = Variable(
            (),
            "int8",
            -1,
            {
                "description": MEASURES["classification"],
                "flag_values": list(range(len(FLAGS))),
                "flag_meanings": " ".join(FLAGS),
                "rule": classification_rule(plan.steps, float(plan.options.get("tol", 1e-3))),
            },
        )
    return out


def coords(plan: Plan) -> dict[str, Any]:
    """The coordinates: each axis's values with ``units`` and ``description``, and the
    extra dimensions."""
    import xarray as xr

    out: dict[str, Any] = {}
    for a in plan.axes:
        attrs = {"description": a.description, "kind": a.kind}
        if a.units:
            attrs["units"] = a.units
        out[a.name] = xr.Variable((a.name,), a.values, attrs)
    if plan.d > 1 and "x_final" in plan.measures:
        out["coord"] = xr.Variable(("coord",), np.arange(plan.d), {"description": "coordinate i"})
    if "rate_at" in plan.measures:
        ck = base_checkpoints(plan.steps, plan.options.get("checkpoints"))
        out["checkpoint"] = xr.Variable(
            ("checkpoint",), ck, {"description": "step t", "units": "steps"}
        )
    return out


def attrs(plan: Plan, command: str) -> dict[str, Any]:
    """The Dataset's attributes: rule, program (LaTeX), sequence, domain, steps, backend,
    octk version, command, created, the definition (JSON) that ``resume`` checks, and
    where rule options are axes, ``programs``: {"option=value,...": LaTeX} (JSON)."""
    from octk import __version__

    out = {
        "title": f"octk sweep: {plan.rule.name} on {plan.sequence.spec()}",
        "rule": plan.rule.name,
        "rule_options": json.dumps({k: str(v) for k, v in plan.rule.options.items()}),
        "preset": plan.rule.preset,
        "program": plan.rule.latex(),
        "sequence": plan.sequence.spec(),
        "loss": plan.sequence.loss,
        "domain": plan.domain,
        "steps": int(plan.steps),
        "backend": str(plan.definition()["backend"]),
        "params": json.dumps(plan.definition()["params"]),
        "measures": ",".join(plan.measures),
        "octk_version": __version__,
        "command": command,
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sweep_definition": json.dumps(plan.definition(), sort_keys=True, default=str),
    }
    options = [a for a in plan.axes if a.kind == "option"]
    if options:  # ``program`` is the first cell's; each option value builds its own
        programs = {}
        for values in itertools.product(*(a.values.tolist() for a in options)):
            chosen = dict(zip((a.name for a in options), values, strict=True))
            key = ",".join(f"{k}={v}" for k, v in chosen.items())
            programs[key] = cell_rule(plan.rule, chosen).latex()
        out["programs"] = json.dumps(programs)
    return out


def empty(plan: Plan) -> dict[str, np.ndarray]:
    """Every variable's array filled with its fill value."""
    out = {}
    ext = {"coord": plan.d, "checkpoint": 0}
    if "rate_at" in plan.measures:
        ext["checkpoint"] = len(base_checkpoints(plan.steps, plan.options.get("checkpoints")))
    for name, v in variables(plan).items():
        shape = plan.shape + tuple(ext[e] for e in v.extra)
        out[name] = np.full(shape, v.fill, dtype=v.dtype)
    return out


def dataset(plan: Plan, arrays: dict[str, np.ndarray], command: str) -> Any:
    """The :class:`xarray.Dataset` of ``arrays`` (name -> full array)."""
    import xarray as xr

    dims = tuple(a.name for a in plan.axes)
    data = {
        name: xr.Variable(dims + v.extra, arrays[name], v.attrs)
        for name, v in variables(plan).items()
    }
    return xr.Dataset(data, coords=coords(plan), attrs=attrs(plan, command))


def put(plan: Plan, arrays: dict[str, np.ndarray], k: int, block: dict[str, np.ndarray]) -> None:
    """Write block ``k``'s values (name -> (cells, ...)) into the full arrays."""
    sl = plan.block(k)
    shape = tuple(s.stop - s.start for s in sl)
    for name, values in block.items():
        arr = arrays[name]
        arr[sl] = np.asarray(values).reshape(shape + arr.shape[len(sl) :])


__all__ = ["DONE", "Variable", "attrs", "coords", "dataset", "empty", "put", "variables"]
