r"""The axes of a sweep: what each grid name is, its values, units and description.

A grid name is one of

* a **hyperparameter** of the rule (``alpha``, ``beta1``, ...): a *lane* axis, its
  cells run side by side in one simulation;
* a **rule option** (``schedule``, ``eps_mode``, ...): a *program* axis, each value
  builds another step program;
* a **parameter of the sequence** (``C`` of ``reddi-thm1:C=3``): a program axis (the
  signal is printed into the kernel);
* ``seed`` (the random draws) or ``x0`` (x_1, the same in every coordinate): lane axes.

Values are a list, or on the command line ``NAME=v1,v2,...``, ``NAME=lin:a,b,n``
(n evenly spaced values a..b) or ``NAME=log:a,b,n`` (n log-spaced values, a, b > 0).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from octk.errors import ParameterError, check_int, check_real, unknown_name
from octk.rules import Rule
from octk.sequences import Sequence

KINDS = ("hyper", "option", "sequence", "seed", "x0")
LANE_KINDS = ("hyper", "seed", "x0")  # cells of one program, batched into one simulation
SPACINGS = ("lin", "log")


@dataclass(frozen=True, eq=False)
class Axis:
    """One dimension of a sweep.

    name : the grid name; values : its values (float64, int64 for ``seed``, str for a
    rule option given as text); kind : one of :data:`KINDS`; units, description : the
    coordinate's attributes in the Dataset.
    """

    name: str
    values: np.ndarray
    kind: str
    units: str
    description: str

    @property
    def lane(self) -> bool:
        """True where the axis's cells share one simulation (a lane axis)."""
        return self.kind in LANE_KINDS

    def __len__(self) -> int:
        return len(self.values)


def parse_values(name: str, text: str) -> list[Any]:
    """The values of ``--grid NAME=TEXT``: ``v1,v2,...``, ``lin:a,b,n`` or ``log:a,b,n``.

    >>> parse_values("alpha", "log:0.01,1,3")
    [0.01, 0.1, 1.0]
    >>> parse_values("C", "lin:3,5,3")
    [3.0, 4.0, 5.0]
    >>> parse_values("schedule", "const,sqrt")
    ['const', 'sqrt']
    """
    text = text.strip()
    head, colon, rest = text.partition(":")
    if colon and head.strip() in SPACINGS:
        parts = [p.strip() for p in rest.split(",")]
        if len(parts) != 3:
            raise ParameterError(
                f"grid {name}: {head}:a,b,n takes three numbers (start, stop, count); got {text!r}"
            )
        a = check_real(f"grid {name} start", parts[0])
        b = check_real(f"grid {name} stop", parts[1])
        n = check_int(f"grid {name} count", parts[2], lo=1)
        if head.strip() == "lin":
            vals = np.linspace(a, b, n)
        else:
            if a <= 0 or b <= 0:
                raise ParameterError(
                    f"grid {name}: log:a,b,n needs a > 0 and b > 0; got a={a:g}, b={b:g}"
                )
            vals = np.geomspace(a, b, n)
        return [float(v) for v in vals]
    if colon:
        raise ParameterError(
            f"grid {name}: a spacing must be one of {', '.join(SPACINGS)} (as in "
            f"{name}=log:0.01,1,5); got {head!r}"
        )
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    if not parts:
        raise ParameterError(f"grid {name}: give at least one value; got {text!r}")
    out: list[Any] = []
    for p in parts:
        try:
            out.append(check_real(f"grid {name}", p))
        except ParameterError:
            out.append(p)  # a rule option's value (e.g. schedule=sqrt); checked by kind
    return out


def parse_grid(items: Iterable[str]) -> dict[str, list[Any]]:
    """``--grid NAME=...`` items (repeatable) as {name: values}, in the order given."""
    out: dict[str, list[Any]] = {}
    for item in items:
        name, eq, values = item.partition("=")
        name = name.strip()
        if not eq or not name:
            raise ParameterError(
                "--grid must be NAME=V1,V2,..., NAME=lin:a,b,n or NAME=log:a,b,n "
                f"(e.g. alpha=log:0.01,1,5); got {item!r}"
            )
        if name in out:
            raise ParameterError(f"--grid {name} given twice")
        out[name] = parse_values(name, values)
    return out


def _option_values(rule: Rule, name: str, vals: list[Any], allowed: tuple) -> np.ndarray:
    shown = [str(v) for v in allowed]
    out = []
    for v in vals:
        match = [a for a in allowed if str(a).lower() == str(v).lower() or a == v]
        if not match:
            raise ParameterError(
                f"grid {name}: rule {rule.name!r} takes {name} in {', '.join(shown)}; got {v!r}"
            )
        out.append(str(match[0]))
    return np.asarray(out, dtype=str)


def make_axes(grid: Mapping[str, Any], rule: Rule, sequence: Sequence) -> tuple[Axis, ...]:
    """The axes of ``grid`` for ``rule`` on ``sequence``, each value checked.

    Hyperparameter values are checked against their interval; a value of a sequence
    parameter when each program's sequence is built
    (:func:`octk.sweeps.plan.check_programs`).
    """
    from octk.rules import SPECS
    from octk.sequences import SEQUENCES

    if not isinstance(grid, Mapping) or not grid:
        raise ParameterError("grid must map at least one name to its values, e.g. {'alpha': [0.1]}")
    options = dict(SPECS[rule.name].options) if rule.name in SPECS else {}
    seq_params = dict(SEQUENCES[sequence.name].params) if sequence.name in SEQUENCES else {}
    known = (*rule.hyper_names, *options, *seq_params, "seed", "x0")
    axes = []
    for name, raw in grid.items():
        vals = [raw] if isinstance(raw, int | float | str) else list(np.asarray(raw).ravel())
        if isinstance(raw, list | tuple):
            vals = list(raw)
        if not vals:
            raise ParameterError(f"grid {name}: give at least one value")
        if len({str(v) for v in vals}) != len(vals):
            raise ParameterError(f"grid {name}: a value is repeated in {vals}")
        if name in rule.hyper_names:
            h = rule.hyperparameter(name)
            arr = np.asarray([h.check(v) for v in vals], dtype=np.float64)
            axes.append(Axis(name, arr, "hyper", "1", f"hyperparameter {name}: {h.doc}"))
        elif name in options:
            arr = _option_values(rule, name, vals, tuple(options[name]))
            axes.append(Axis(name, arr, "option", "", f"option {name} of rule {rule.name}"))
        elif name in seq_params:
            arr = np.asarray([check_real(f"grid {name}", v) for v in vals], dtype=np.float64)
            desc = f"parameter {name} of sequence {sequence.name}"
            axes.append(Axis(name, arr, "sequence", "1", desc))
        elif name == "seed":
            arr = np.asarray([check_int("grid seed", v, lo=0) for v in vals], dtype=np.int64)
            axes.append(Axis(name, arr, "seed", "", "seed of the random draws"))
        elif name == "x0":
            arr = np.asarray([check_real("grid x0", v) for v in vals], dtype=np.float64)
            axes.append(Axis(name, arr, "x0", "1", "first iterate x_1 (every coordinate)"))
        else:
            raise unknown_name(
                f"grid axis (hyperparameter or option of rule {rule.name!r}, parameter of "
                f"sequence {sequence.name!r}, seed or x0)",
                name,
                known,
            )
    return tuple(axes)


def cell_sequence(base: Sequence, over: Mapping[str, float]) -> Sequence:
    """``base`` rebuilt with the sequence parameters ``over`` (an integer-valued float
    where the registry's default is an integer)."""
    from octk.sequences import SEQUENCES
    from octk.sequences import sequence as make_sequence

    if not over:
        return base
    spec = SEQUENCES[base.name].params
    fixed: dict[str, Any] = {}
    for k, v in over.items():
        default = spec[k][0]
        fixed[k] = int(v) if isinstance(default, int) and float(v).is_integer() else float(v)
    return make_sequence(base.name, loss=base.loss, **{**base.params, **fixed})


def cell_rule(base: Rule, options: Mapping[str, str]) -> Rule:
    """``base`` rebuilt from the registry with the rule options ``options``."""
    from octk.rules import SPECS
    from octk.rules import rule as make_rule

    if not options:
        return base
    allowed = SPECS[base.name].options
    values = {k: next(a for a in allowed[k] if str(a) == v) for k, v in options.items()}
    return make_rule(base.name, base.preset, **{**dict(base.options), **values})


__all__ = [
    "KINDS",
    "LANE_KINDS",
    "Axis",
    "cell_rule",
    "cell_sequence",
    "make_axes",
    "parse_grid",
    "parse_values",
]
