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
from octk.rules.define import define
from octk.rules.files import load_python, load_rule, resolve
from octk.rules.rule import Hyperparameter, Rule, State, drop_guard
from octk.rules.zoo.adabelief import adabelief
from octk.rules.zoo.adabound import adabound, amsbound
from octk.rules.zoo.adamx import adamx
from octk.rules.zoo.adashift import adashift
from octk.rules.zoo.lion import lion
from octk.rules.zoo.nadam import nadam
from octk.rules.zoo.padam import padam
from octk.rules.zoo.radam import radam
from octk.rules.zoo.yogi import yogi

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
