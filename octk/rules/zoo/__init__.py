"""The zoo of published Adam fixes, each a registry rule transcribed from its paper.

One module per paper; each builds a :class:`~octk.rules.catalog.RuleSpec` with its own
builder (a :class:`~octk.rules.rule.Rule` program written with
:class:`~octk.rules.zoo.base.Program`), a ``paper`` preset with the paper's defaults,
and ``torch``/``optax`` presets where those libraries ship the method. The module
docstrings give each algorithm box with the paper's numbering and say which reading
was taken where a box is ambiguous. :func:`octk.rules.zoo_names` lists them.

>>> from octk.rules import rule, zoo_names
>>> zoo_names()[:3]
('yogi', 'adabound', 'amsbound')
>>> [s.name for s, _ in rule("lion").program]
['c', 'delta', 'm', 'x']
"""

from octk.rules.zoo import adabelief, adabound, adamx, adashift, lion, nadam, padam, radam, yogi

#: the zoo's specs, in the order of the issue's list
ZOO_SPECS = (
    yogi.SPEC,
    adabound.ADABOUND,
    adabound.AMSBOUND,
    padam.SPEC,
    adabelief.SPEC,
    radam.SPEC,
    nadam.SPEC,
    adashift.SPEC,
    lion.SPEC,
    adamx.SPEC,
)

__all__ = ["ZOO_SPECS"]
