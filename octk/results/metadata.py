"""What a run was, as plain values a file can hold, and the objects rebuilt from them.

A saved run records its rule (registry name, preset, options, hyperparameter
defaults, and the program as text), its sequence (name, parameters, loss, the
signal as text, and the data table where there is one), its domain (spec and the
per-coordinate bounds), the number of steps, the backend and the octk version.
Loading rebuilds the rule and the sequence from the registries (no code stored in a
file is ever evaluated) and checks them against the recorded program and signal: a
difference (a rule built by hand, a spec rounded in its text) warns with
:class:`MetadataWarning`.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import warnings
from dataclasses import replace
from typing import Any

import numpy as np
import sympy as sp

from octk.errors import ParameterError

FORMAT = "octk-run/1"


class MetadataWarning(UserWarning):
    """A loaded run's rule, sequence or domain differs from the one recorded in its file."""


def _plain(v: Any) -> Any:
    """JSON-ready values (numpy scalars and tuples made plain)."""
    if isinstance(v, dict):
        return {str(k): _plain(a) for k, a in v.items()}
    if isinstance(v, list | tuple):
        return [_plain(a) for a in v]
    if isinstance(v, np.generic):
        return v.item()
    return v


def rule_metadata(rule: Any) -> dict[str, Any]:
    """The rule's record in a saved file: for a rule outside the registry (a user's
    rule), its whole definition (:func:`octk.rules.serialize.definition`) too, from
    which :func:`rebuild_rule` rebuilds it."""
    from octk.errors import ParameterError
    from octk.rules.serialize import definition

    out = {
        "name": rule.name,
        "title": rule.title,
        "source": rule.source,
        "preset": rule.preset,
        "options": _plain(dict(rule.options)),
        "defaults": _plain(rule.defaults),
        "program": rule.describe(),
    }
    if not _registered(rule):
        try:
            out["definition"] = _plain(definition(rule))
        except ParameterError:  # a rule no rule file can write: saved without it
            pass
    return out


def _registered(rule: Any) -> bool:
    """Whether ``rule`` is the registry's own rule of its name, preset and options (a
    user's rule may share a registry name: it is not)."""
    from octk.errors import OctkError
    from octk.rules import SPECS
    from octk.rules import rule as make_rule

    if rule.name not in SPECS:
        return False
    try:
        own = make_rule(rule.name, rule.preset, **rule.options)
    except (OctkError, TypeError):
        return False
    inits = [(s.name, s.init) for s in own.state] == [(s.name, s.init) for s in rule.state]
    return bool(own.program == rule.program and inits and own.hyper_names == rule.hyper_names)


def sequence_metadata(seq: Any) -> dict[str, Any]:
    return {
        "name": seq.name,
        "spec": seq.spec(),
        "params": _plain(seq.params),
        "loss": seq.loss,
        "signal": sp.srepr(seq.signal),
        "has_data": seq.data is not None,
    }


def run_metadata(traj: Any) -> dict[str, str | int]:
    """The attributes a saved run carries (strings and integers; JSON inside strings)."""
    from octk import __version__

    return {
        "octk_format": FORMAT,
        "octk_version": __version__,
        "rule": json.dumps(rule_metadata(traj.rule)),
        "sequence": json.dumps(sequence_metadata(traj.sequence)),
        "domain": traj.domain.spec(),
        "steps": int(traj.steps),
        "backend": str(traj.backend),
        "run": _run_line(traj),
        "extras": extras_metadata(traj),
    }


def _run_line(traj: Any) -> str:
    from octk.results.text import run_line

    return run_line(traj.rule, traj.sequence, traj.domain)


# --------------------------------------------------------------------------- other fields
#: the Trajectory fields stored as arrays or rebuilt above; any other field (a record of
#: the run such as where a value first turned non-finite) travels in the ``extras``
#: attribute as JSON: plain values as they are, an octk dataclass as its fields
ARRAY_FIELDS = frozenset(
    "rule sequence domain backend steps t x loss stats x0 params seeds state monitors".split()
)
_TYPE = "__dataclass__"


def encode_extra(name: str, value: Any) -> Any:
    """``value`` of the Trajectory field ``name`` as JSON-ready data.

    >>> from octk.bounds.hypotheses import Check
    >>> encode_extra("check", Check("D", "holds", "D = 2"))["__dataclass__"]
    'octk.bounds.hypotheses.Check'
    """
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        data = {
            f.name: encode_extra(name, getattr(value, f.name)) for f in dataclasses.fields(value)
        }
        return {_TYPE: f"{cls.__module__}.{cls.__qualname__}", **data}
    raise ParameterError(
        f"cannot save the Trajectory field {name!r} of type {type(value).__name__}"
    )


def decode_extra(value: Any) -> Any:
    """The inverse of :func:`encode_extra`; only octk's own dataclasses are rebuilt.

    >>> from octk.bounds.hypotheses import Check
    >>> decode_extra(encode_extra("check", Check("D", "holds", "D = 2")))
    Check(name='D', verdict='holds', detail='D = 2', kind='stated')
    """
    if not isinstance(value, dict) or _TYPE not in value:
        return value
    path = str(value[_TYPE])
    module, _, qualname = path.rpartition(".")
    if not module.startswith("octk."):
        raise ParameterError(f"the file names the type {path!r}, which is not octk's")
    cls: Any = getattr(importlib.import_module(module), qualname, None)
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise ParameterError(f"the file names the type {path!r}, which octk does not have")
    return cls(**{k: decode_extra(v) for k, v in value.items() if k != _TYPE})


def extras_metadata(traj: Any) -> str:
    """The Trajectory's fields other than :data:`ARRAY_FIELDS`, as one JSON string."""
    return json.dumps(
        {
            f.name: encode_extra(f.name, getattr(traj, f.name))
            for f in dataclasses.fields(traj)
            if f.name not in ARRAY_FIELDS
        }
    )


def extras_from_metadata(text: str, known: set[str]) -> dict[str, Any]:
    """The fields recorded by :func:`extras_metadata` that a Trajectory (fields ``known``)
    takes; others warn with :class:`MetadataWarning`."""
    values = {k: decode_extra(v) for k, v in json.loads(text).items()}
    unknown = sorted(set(values) - known)
    if unknown:
        warnings.warn(
            f"the file records Trajectory fields this octk does not have: {unknown}",
            MetadataWarning,
            stacklevel=3,
        )
    return {k: v for k, v in values.items() if k in known}


# --------------------------------------------------------------------------- rebuilding
def rebuild_rule(meta: dict[str, Any]) -> Any:
    from octk.rules import SPECS
    from octk.rules import rule as make_rule

    name = meta["name"]
    if "definition" in meta:
        from octk.rules.files import from_definition

        return from_definition(meta["definition"]).with_defaults(**meta["defaults"])
    if name not in SPECS:
        raise ParameterError(
            f"the file's rule {name!r} is not a registered rule, so it cannot be rebuilt; "
            "read its arrays with xarray.open_dataset(path)"
        )
    r = make_rule(name, meta["preset"], **meta["options"])
    r = r.with_defaults(**meta["defaults"])
    if r.describe() != meta["program"]:
        warnings.warn(
            f"the registered rule {name!r} (preset {meta['preset']!r}) now has another "
            f"program than the file records:\n{meta['program']}",
            MetadataWarning,
            stacklevel=3,
        )
    return r


def rebuild_sequence(meta: dict[str, Any], data: np.ndarray | None) -> Any:
    from octk.sequences import SEQUENCES
    from octk.sequences import sequence as make_sequence

    name, params = meta["name"], dict(meta["params"])
    if name not in SEQUENCES:
        raise ParameterError(
            f"the file's sequence {name!r} is not a registered sequence, so it cannot be "
            "rebuilt; read its arrays with xarray.open_dataset(path)"
        )
    if name == "array":
        if data is None:
            raise ParameterError("the file's 'array' sequence has no data table")
        seq = make_sequence("array", loss=meta["loss"], path=data)
        seq = replace(seq, params=params)
    else:
        seq = make_sequence(name, loss=meta["loss"], **params)
    if sp.srepr(seq.signal) != meta["signal"]:
        warnings.warn(
            f"the registered sequence {meta['spec']!r} now has another signal than the file "
            "records",
            MetadataWarning,
            stacklevel=3,
        )
    return seq


def rebuild_domain(spec: str, lo: np.ndarray, hi: np.ndarray) -> Any:
    from octk.domains import domain as make_domain

    dom = make_domain(spec)
    d = lo.shape[0]
    rlo, rhi = dom.lane_bounds(d)
    if not (np.array_equal(rlo, lo) and np.array_equal(rhi, hi)):
        warnings.warn(
            f"the domain spec {spec!r} rebuilds bounds {rlo.tolist()[:3]}, "
            f"{rhi.tolist()[:3]}; the file records {lo.tolist()[:3]}, {hi.tolist()[:3]} "
            "(the spec's text rounds them)",
            MetadataWarning,
            stacklevel=3,
        )
    return dom


__all__ = [
    "ARRAY_FIELDS",
    "FORMAT",
    "MetadataWarning",
    "decode_extra",
    "encode_extra",
    "extras_from_metadata",
    "extras_metadata",
    "rebuild_domain",
    "rebuild_rule",
    "rebuild_sequence",
    "rule_metadata",
    "run_metadata",
    "sequence_metadata",
]
