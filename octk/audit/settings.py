r"""What a counterexample fixes, mapped onto a rule's own hyperparameters by name.

A published counterexample states the hyperparameters it runs with: RKK's Theorem 1
takes β1 = 0, β2 = 1/(1 + C²), ε = 0 and α_t = α/√t; their §5 experiments take
β1 = 0.9, β2 = 0.99. An audited rule receives each such value **only where it has a
hyperparameter of that name** (``beta1``, ``beta2``, ``alpha``, ``eps``, ...); every
other hyperparameter keeps the audited value (the rule's default, its preset's, or
``--param``). A rule without β2 (OGD, AdaGrad, a user's sign method) runs at its own
values, and the report says which settings were applied and which were not.

The step-size schedule is part of a rule's program, not a hyperparameter: the
rule's α_t is read from its program (:func:`octk.rules.anatomy.alpha_t`) and compared
with the schedule the counterexample states; a rule with another α_t runs as it is,
and the note says so. No rule is rebuilt and no name decides anything here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import sympy as sp

from octk.errors import ParameterError
from octk.rules import Rule
from octk.rules.anatomy import alpha_t, same
from octk.symbols import t
from octk.theorems import text


@dataclass(frozen=True)
class Applied:
    """The hyperparameters a counterexample runs a rule with, and what was (not) applied.

    ``params``: name -> value or one value per configuration (``octk.simulate``'s
    ``params``); ``applied``: the counterexample's settings the rule has, as text;
    ``absent``: those it lacks (its own values run instead); ``refused``: values outside
    the rule's range, not applied (an array keeps the values in range); ``schedule``: a sentence on
    the step size (the rule's α_t against the counterexample's).
    """

    params: dict[str, object]
    applied: tuple[str, ...]
    absent: tuple[str, ...]
    schedule: str
    refused: tuple[str, ...] = ()

    def note(self) -> str:
        """One sentence: what was applied, what the rule lacks, the step size."""
        parts = []
        if self.applied:
            parts.append("applied " + ", ".join(self.applied))
        if self.absent:
            parts.append(
                "the rule has no " + ", ".join(self.absent) + " (its own values run instead)"
            )
        if self.refused:
            parts.append("not applied, outside the rule's range: " + ", ".join(self.refused))
        parts.append(self.schedule)
        return "; ".join(parts)

    def to_dict(self) -> dict:
        return {
            "applied": list(self.applied),
            "absent": list(self.absent),
            "refused": list(self.refused),
            "schedule": self.schedule,
        }


def _shown(value: object) -> str:
    arr = np.atleast_1d(np.asarray(value, dtype=np.float64))
    if arr.size == 1:
        return f"{float(arr[0]):g}"
    return "{" + ", ".join(f"{v:g}" for v in np.unique(arr)) + "}"


def schedule_note(rule: Rule, wanted: str | None) -> str:
    r"""The rule's α_t against the schedule a counterexample states (``"sqrt"``: α/√t,
    ``"constant"``: α; None: the counterexample fixes none)."""
    have = alpha_t(rule)
    shown = "not of the form α_t·M_t/√v̂_t" if have is None else text(have)
    if wanted is None:
        return f"step size: the rule's α_t = {shown}"
    a = rule.symbols.get("alpha", sp.Symbol("alpha", positive=True))
    want = a / sp.sqrt(t) if wanted == "sqrt" else a
    if same(have, want):
        return f"step size α_t = {text(want)} as the counterexample states"
    return (
        f"the counterexample states α_t = {text(want)}; the rule's α_t = {shown} "
        "(read from its program) runs as it is"
    )


def apply(
    rule: Rule,
    audited: Mapping[str, float],
    fixed: Mapping[str, object],
    schedule: str | None = None,
) -> Applied:
    """The audited hyperparameters with the counterexample's ``fixed`` values laid over
    them where ``rule`` has a hyperparameter of that name (values may be per-configuration
    arrays)."""
    names = set(rule.hyper_names)
    params: dict[str, object] = {k: v for k, v in audited.items() if k in names}
    applied, absent, refused = [], [], []
    for name, value in fixed.items():
        if name not in names:
            absent.append(name)
            continue
        h = rule.hyperparameter(name)
        ok = allowed(rule, name, value)
        if ok.size == 0:
            refused.append(f"{name} = {_shown(value)} (range {h.interval})")
            continue
        params[name] = ok if isinstance(value, np.ndarray) else float(ok[0])
        applied.append(f"{name} = {_shown(ok)}")
        if ok.size < np.size(np.asarray(value)):
            refused.append(f"some {name} values (range {h.interval})")
    note = schedule_note(rule, schedule)
    return Applied(params, tuple(applied), tuple(absent), note, tuple(refused))


def allowed(rule: Rule, name: str, values: object) -> np.ndarray:
    """The entries of ``values`` (a number or an array) in hyperparameter ``name``'s range."""
    h = rule.hyperparameter(name)
    out = []
    for v in np.atleast_1d(np.asarray(values, dtype=np.float64)):
        try:
            out.append(h.check(float(v)))
        except ParameterError:
            continue
    return np.asarray(out, dtype=np.float64)


__all__ = ["Applied", "allowed", "apply", "schedule_note"]
