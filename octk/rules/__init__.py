"""Optimizers as SymPy programs: the one definition every backend and proof reads.

>>> from octk.rules import rule
>>> adam = rule("adam")
>>> [str(s) for s, _ in adam.program]
['m', 'mhat', 'v', 'vhat', 'delta', 'x']
"""

from octk.rules.adaptive import adaptive, beta1_t, step_size
from octk.rules.catalog import (
    PRESETS,
    SPECS,
    Preset,
    RuleSpec,
    adagrad,
    adam,
    adamax,
    adamnc,
    amsgrad,
    citation,
    ogd,
    presets_of,
    rmsprop,
    rule,
    rule_names,
    zoo_names,
)
from octk.rules.rule import Hyperparameter, Rule, State, drop_guard

__all__ = [
    "PRESETS",
    "SPECS",
    "Hyperparameter",
    "Preset",
    "Rule",
    "RuleSpec",
    "State",
    "adagrad",
    "adam",
    "adamax",
    "adamnc",
    "adaptive",
    "amsgrad",
    "beta1_t",
    "citation",
    "drop_guard",
    "ogd",
    "presets_of",
    "rmsprop",
    "rule",
    "rule_names",
    "step_size",
    "zoo_names",
]
