r"""Which published theorems apply to a rule, and their bounds checked where they do.

Every theorem of :mod:`octk.theorems` lists its hypotheses (:mod:`octk.bounds.hypotheses`).
Some are **structural** -- decided by the rule's program and hyperparameters alone: the
algorithm's moment structure and bias corrections (read by :mod:`octk.rules.anatomy`),
where ε sits and its value, the step size α_t, the β1,t schedule, the ranges of β1, β2,
the theorem's condition on them (γ = β1²/√β2 < 1, ...), the accumulator's start. The
others belong to an **instance** -- the domain's diameter, the gradient bound, the
projection, the comparator -- and the proof step Γ_t ⪰ 0 is the structural section's.

:func:`applicable` reads each theorem's structural verdicts from a short run of
:func:`octk.bounds.check` (the very checks ``octk check`` prints: nothing is decided
twice); :func:`bound_checks` then evaluates every theorem whose structural hypotheses hold
on the instance below, as ``octk check`` does (every T = 1..T, the first violation
exact), and says "no theorem applies" where none does.

Instance: RKK Theorem 1's sequence, C = 3, on F = [−1, 1], x_1 = 0, at the audited
hyperparameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from octk.bounds import BoundResult
from octk.bounds import check as check_bound
from octk.bounds.hypotheses import FAILS, HOLDS, Check
from octk.rules import Rule
from octk.theorems import THEOREMS, Theorem

#: hypotheses a rule's program and hyperparameters decide (the others need an instance)
STRUCTURAL = frozenset(
    {
        "algorithm",
        "eps",
        "schedule",
        "beta1_decay",
        "beta1_bounded",
        "beta1_below_one",
        "betas",
        "condition",
        "accumulator",
    }
)
#: the instance the bounds are checked on
INSTANCE = "reddi-thm1:C=3"
DOMAIN = "box:-1,1"
#: steps of the short run that reads the structural verdicts
PROBE_STEPS = 4


@dataclass(frozen=True)
class Applicability:
    """One theorem's structural hypotheses on the rule: ``holds`` when none fails
    (``n/a`` counts as not failing, as ``octk check`` counts it)."""

    theorem: Theorem
    checks: tuple[Check, ...]

    @property
    def holds(self) -> bool:
        return all(c.verdict != FAILS for c in self.checks)

    @property
    def failing(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.verdict == FAILS)

    def to_dict(self) -> dict:
        return {
            "theorem": self.theorem.name,
            "title": self.theorem.title,
            "structural_hypotheses_hold": self.holds,
            "hypotheses": [
                {"name": c.name, "verdict": c.verdict, "detail": c.detail} for c in self.checks
            ],
        }


def _structural(theorem: Theorem, res: BoundResult) -> tuple[Check, ...]:
    pairs = zip(theorem.hypotheses, res.checks[0], strict=True)
    return tuple(c for h, c in pairs if h.key in STRUCTURAL)


def applicable(rule: Rule, params: Mapping[str, float], backend: object) -> list[Applicability]:
    """Each theorem's structural hypotheses on ``rule`` at ``params``."""
    out = []
    for th in THEOREMS.values():
        res = check_bound(
            rule,
            INSTANCE,
            DOMAIN,
            bound=th,
            steps=PROBE_STEPS,
            params=dict(params),
            backend=backend,
            every_step=False,
            nonfinite="ignore",
        )
        out.append(Applicability(th, _structural(th, res)))
    return out


@dataclass(frozen=True)
class BoundCheck:
    """A theorem's bound evaluated on the instance (``result``: :class:`BoundResult`)."""

    theorem: Theorem
    result: BoundResult

    @property
    def verdict(self) -> str:
        return self.result.verdict(0)

    @property
    def violated(self) -> bool:
        return int(self.result.first_violation[0]) > 0

    def to_dict(self) -> dict:
        r = self.result
        return {
            "theorem": self.theorem.name,
            "title": self.theorem.title,
            "instance": f"{INSTANCE} on {DOMAIN}, x_1 = 0, T = {r.steps}",
            "verdict": self.verdict,
            "first_violation": int(r.first_violation[0]),
            "regret_T": float(r.regret[0, -1]),
            "rhs_T": float(r.rhs[0, -1]),
            "instance_hypotheses": [
                {"name": c.name, "verdict": c.verdict, "detail": c.detail, "kind": c.kind}
                for c in r.checks[0]
                if c.verdict != HOLDS
            ],
        }


def bound_checks(
    rule: Rule, params: Mapping[str, float], apply: list[Applicability], steps: int, backend: object
) -> list[BoundCheck]:
    """``octk check`` on the instance for every theorem whose structural hypotheses hold."""
    out = []
    for a in apply:
        if not a.holds:
            continue
        res = check_bound(
            rule,
            INSTANCE,
            DOMAIN,
            bound=a.theorem,
            steps=steps,
            params=dict(params),
            backend=backend,
            nonfinite="ignore",
        )
        out.append(BoundCheck(a.theorem, res))
    return out


__all__ = [
    "DOMAIN",
    "INSTANCE",
    "PROBE_STEPS",
    "STRUCTURAL",
    "Applicability",
    "BoundCheck",
    "applicable",
    "bound_checks",
]
