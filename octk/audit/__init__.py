r"""Audit any rule: the published counterexamples, its structure, the bounds, its worst case.

``octk.audit(rule)`` (this package is callable: it is :func:`audit`) returns an
:class:`AuditReport` of four sections, each of which works for any rule -- a registry
rule or one a user built with :func:`octk.rules.adaptive` or by hand -- and says why
where a part does not apply:

1. **counterexamples** (:mod:`~octk.audit.counterexamples`): RKK Theorem 1 over a
   (β2, C) grid and Theorem 3's stochastic family, the §5 experiments, Zhang et al.'s
   function where registered: where does the rule converge to the wrong point
   (x̄ vs x*, R_T/T), by a stated classification; a failing Theorem 1 cell carries an
   exact certificate (:mod:`~octk.audit.worst`).
2. **structure** (:mod:`~octk.audit.structure`, :mod:`~octk.audit.theorems`): Γ_t ⪰ 0
   proved / refuted / undecided, scale invariance, the step's bound, and which
   published theorems' structural hypotheses hold, each claim scoped as ``octk verify``
   scopes it.
3. **bounds**: ``octk check`` for every theorem whose structural hypotheses hold
   ("no theorem applies" otherwise).
4. **worst case**: the adversary's worst periodic pattern under a stated budget,
   certified (``octk certify FILE`` re-checks the file).

>>> import octk
>>> callable(octk.audit)
True

:func:`zoo_table` runs the audit over every zoo rule (``octk audit --zoo``).
"""

from __future__ import annotations

import sys
import types
from typing import Any

from octk.audit.core import BOUND_STEPS, BUDGET, STEPS, audit
from octk.audit.report import AuditReport, Section
from octk.audit.zoo import ZooTable, zoo_table


class _CallableModule(types.ModuleType):
    """This package, callable as :func:`audit` (``octk.audit(rule, ...)``)."""

    def __call__(self, *args: Any, **kwargs: Any) -> AuditReport:
        return audit(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule

__all__ = [
    "BOUND_STEPS",
    "BUDGET",
    "STEPS",
    "AuditReport",
    "Section",
    "ZooTable",
    "audit",
    "zoo_table",
]
