"""octk: a theory and verification toolkit for online convex optimization.

Optimizers are SymPy programs (:mod:`octk.rules`), adversaries are SymPy
signals (:mod:`octk.sequences`); backends generated from them simulate runs
(:func:`simulate`), and regret is measured against the best point in
hindsight (:func:`regret`). :func:`sweep` runs a grid of settings into one labelled
Dataset (:mod:`octk.sweeps`).

>>> import octk
>>> traj = octk.simulate("adam", "reddi-thm1:C=3", "box:-1,1", steps=3000,
...                      params={"alpha": 0.1, "beta1": 0.0, "beta2": 0.1},
...                      backend="reference")
>>> float(traj.x_final[0, 0])
1.0
"""

from octk.domains import Ball, Box, Reals, domain
from octk.errors import (
    BackendUnavailableError,
    ComparatorError,
    ComparatorWarning,
    OctkError,
    OptionalDependencyError,
    ParameterError,
    ShapeError,
    UnknownNameError,
)
from octk.regret import Comparator, Regret, comparator, regret
from octk.results import load, load_regret
from octk.rules import Rule, rule, rule_names
from octk.sequences import Sequence, sequence, sequence_names
from octk.simulate import simulate
from octk.sweeps import sweep
from octk.trajectory import Trajectory, log_checkpoints

__version__ = "0.1.0"

__all__ = [
    "BackendUnavailableError",
    "Ball",
    "Box",
    "Comparator",
    "ComparatorError",
    "ComparatorWarning",
    "OctkError",
    "OptionalDependencyError",
    "ParameterError",
    "Reals",
    "Regret",
    "Rule",
    "Sequence",
    "ShapeError",
    "Trajectory",
    "UnknownNameError",
    "comparator",
    "domain",
    "load",
    "load_regret",
    "log_checkpoints",
    "regret",
    "rule",
    "rule_names",
    "sequence",
    "sequence_names",
    "simulate",
    "sweep",
]
