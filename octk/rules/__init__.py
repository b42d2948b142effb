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
    ogd,
    presets_of,
    rmsprop,
    rule,
    rule_names,
)
from octk.rules.define import define
from octk.rules.files import load_python, load_rule, resolve
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
    "define",
    "drop_guard",
    "load_python",
    "load_rule",
    "ogd",
    "presets_of",
    "resolve",
    "rmsprop",
    "rule",
    "rule_names",
    "step_size",
]
