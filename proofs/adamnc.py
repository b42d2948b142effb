r"""RKK §5 (AdamNC): the second moment with β2,t = 1 − 1/t is the running mean of g².

RKK's AdamNC is Adam without the bias correction and with a schedule of the second
moment's decay, v_t = β2,t v_{t−1} + (1 − β2,t) g_t²; their Corollary 2 takes
β2,t = 1 − 1/t, for which v_t = (1/t) Σ_{i≤t} g_i² (from v_0 = 0). The claim reads
octk's ``adamnc`` program (:mod:`proofs.reading`): β2,t is the weight of the previous v
in the rule's update, the weight of g² must be 1 − β2,t, and the running mean follows by
induction on the rule's own recurrence -- so a program that drifts from RKK's
(g²/(t+1) for g²/t) is refuted, with exact values.
"""

from __future__ import annotations

import sympy as sp

from octk.rules.rule import Rule
from octk.symbols import g, t
from proofs.certify import identity, induction
from proofs.claim import Basis, Claim, NotApplicable, Outcome, Scope, Step, all_of, paper_rule
from proofs.reading import assigned, grad, initial, state_symbol, update

n = sp.Symbol("n", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)


def running_mean(N: sp.Basic) -> sp.Basic:
    r"""(1/N) Σ_{k≤N} g_k², the running mean of the squared gradients."""
    return sp.Sum(grad(k) ** 2, (k, 1, N)) / N


def beta2_schedule(rule: Rule) -> Outcome:
    r"""The rule's update of v is β2,t v + (1 − β2,t) g² with β2,t = 1 − 1/t, and v_n is the
    running mean (1/n) Σ_{k≤n} g_k² from the rule's v_0 (induction on its recurrence)."""
    v = state_symbol(rule, "v")
    upd = assigned(rule, "v")
    b2t = sp.diff(upd, v)
    if v in b2t.free_symbols:
        raise NotApplicable(f"the update of v, {upd}, is not affine in the previous v")
    fresh = sp.expand(upd - b2t * v)
    steps = (
        Step(
            "read from the rule: v_t = β2,t v_{t−1} + (the rest)",
            sp.Eq(
                sp.Tuple(sp.Symbol(r"\beta_{2,t}"), sp.Symbol("rest")),
                sp.Tuple(b2t, fresh),
                evaluate=False,
            ),
        ),
    )
    space = {t: (1, 2, 3, 7), g: (1, -2, sp.Rational(1, 3))}
    schedule = identity(b2t, 1 - 1 / t, what="β2,t = 1 − 1/t", space=space)
    convex = identity(fresh, (1 - b2t) * g**2, what="the rest is (1 − β2,t) g²", space=space)
    step = update(rule, "v")
    mean = induction(
        running_mean,
        lambda prev, N: step(prev, grad(N), N),
        n,
        initial=initial(rule, "v"),
        what="v_n = (1/n) Σ_{k≤n} g_k²",
    )
    return all_of(schedule, convex, mean).with_steps(*steps)


_KEEP_V = "the update of v is unchanged"

CLAIMS = (
    Claim(
        name="adamnc.beta2_schedule",
        statement=(
            r"v_t = \beta_{2,t} v_{t-1} + (1-\beta_{2,t}) g_t^2,\ \beta_{2,t} = 1 - \frac1t"
            r"\implies v_t = \frac1t\sum_{i=1}^{t} g_i^2"
        ),
        source="RKK §5 (AdamNC), Corollary 2",
        assumptions=(r"v_0 = 0", r"t \ge 1"),
        prove=beta2_schedule,
        rule=paper_rule("adamnc"),
        scope=Scope.GENERAL,
        basis=Basis.PAPER,
        note=(
            "β2,t and the weight of g² are read from octk's adamnc program; the running "
            "mean by induction on the rule's own recurrence."
        ),
        detects=("g^2/(t+1)", "forget-v"),
        survives={
            "x+delta": _KEEP_V,
            "drop-sqrt": _KEEP_V,
            "alpha/sqrt(t+1)": _KEEP_V,
            "oscillating-step": _KEEP_V,
            "step*2": _KEEP_V,
        },
    ),
)
