r"""K&B §3 (eqs 1–4): the unrolled moments and the bias correction that makes them unbiased.

Every claim reads the update of ``m`` and ``v`` and the temporaries ``mhat`` and
``vhat`` from the rule's program (:meth:`octk.rules.Rule.assignments`).
"""

from __future__ import annotations

import sympy as sp

from octk.rules import rule as make_rule
from octk.rules.adaptive import beta2
from octk.rules.rule import Rule
from octk.symbols import g, t
from proofs.certify import induction
from proofs.claim import Claim

n = sp.Symbol("n", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)
grad = sp.Function("g")  # grad(k) = g_k, the gradient coordinate at step k


def update(rule: Rule, name: str):
    """The rule's update of state ``name`` as a function (previous value, g_n, n) -> new value."""
    expr = rule.assignments(guarded=False)[name]
    sym = next(s.symbol for s in rule.state if s.name == name)
    return lambda prev, g_n, step: expr.xreplace({sym: prev, g: g_n, t: step})


def initial(rule: Rule, name: str) -> sp.Basic:
    return next(s.init for s in rule.state if s.name == name)


def _v_unrolled(rule: Rule):
    step = update(rule, "v")
    return induction(
        lambda N: (1 - beta2) * sp.Sum(beta2 ** (N - k) * grad(k) ** 2, (k, 1, N)),
        lambda prev, N: step(prev, grad(N), N),
        n,
        initial=initial(rule, "v"),
        what="v_n = (1−β2) Σ_{k≤n} β2^(n−k) g_k²",
    )


CLAIMS = (
    Claim(
        name="bias.v_unrolled",
        statement=r"v_t = (1-\beta_2)\sum_{i=1}^{t} \beta_2^{t-i} g_i^2",
        source="K&B §3, eq. (1)",
        assumptions=(r"v_0 = 0",),
        prove=_v_unrolled,
        rule=lambda: make_rule("adam"),
    ),
)
