"""Optimizers as SymPy programs: the one definition every backend and proof reads.

>>> from octk.rules import rule
>>> adam = rule("adam")
>>> [str(s) for s, _ in adam.program]
['m', 'mhat', 'v', 'vhat', 'delta', 'x']
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

from octk.rules.adaptive import adaptive, beta1_t, step_size
from octk.rules.catalog import (
    BUILDERS,
    PRESETS,
    SPECS,
    Preset,
    RuleSpec,
    citation,
    presets_of,
    rule,
    rule_names,
    zoo_names,
)
from octk.rules.define import define
from octk.rules.files import load_python, load_rule, resolve
from octk.rules.rule import Hyperparameter, Rule, State, drop_guard

if TYPE_CHECKING:
    from octk.rules.catalog import (
        adabelief,
        adabound,
        adagrad,
        adam,
        adamax,
        adamnc,
        adamx,
        adashift,
        amsbound,
        amsgrad,
        lion,
        nadam,
        ogd,
        padam,
        radam,
        rmsprop,
        yogi,
    )


def __getattr__(name: str) -> Callable[..., Rule]:
    """The builders ``adam``, ``amsgrad``, ... are made on first use (see
    :data:`octk.rules.catalog.BUILDERS`)."""
    if name in BUILDERS:
        from octk.rules import catalog

        return getattr(catalog, name)  # type: ignore[no-any-return]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(BUILDERS))


__all__ = [
    "PRESETS",
    "SPECS",
    "Hyperparameter",
    "Preset",
    "Rule",
    "RuleSpec",
    "State",
    "adabelief",
    "adabound",
    "adagrad",
    "adam",
    "adamax",
    "adamnc",
    "adamx",
    "adaptive",
    "adashift",
    "amsbound",
    "amsgrad",
    "beta1_t",
    "citation",
    "define",
    "drop_guard",
    "lion",
    "load_python",
    "load_rule",
    "nadam",
    "ogd",
    "padam",
    "presets_of",
    "radam",
    "resolve",
    "rmsprop",
    "rule",
    "rule_names",
    "step_size",
    "yogi",
    "zoo_names",
]
