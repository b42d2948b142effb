r"""The published constructions an adversary's result is compared with.

* RKK (Reddi, Kale & Kumar 2018) Theorem 1: on F = [−w, w] (1-D), the sequence
  f_t = C x for t ≡ 1 (mod 3), −x otherwise, with C = G∞: an Adam-type method
  that stays at x = w loses C − 2 per period while x* = −w gains it, so the
  average regret tends to 2w(C − 2)/3 (2/3 at C = 3, w = 1).
* Zinkevich (2003) with a constant step η on a set of diameter D and
  ‖g_t‖₂ ≤ M: R_T ≤ D²/(2η) + η M² T / 2, which equals M D √T at η = D/(M√T)
  and is attained in dimension T + 1 (the exact worst case PEPit computes).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from octk.adversary.search import Problem


def known(problem: Problem) -> dict[str, Any] | None:
    """The known construction's value for the problem's settings, or None."""
    dom: Any = problem.domain
    b = problem.bound
    if (
        problem.objective == "rate"
        and dom.kind == "box"
        and problem.d == 1
        and b.norm == "inf"
        and b.value > 2 * 1.0
    ):
        lo, hi = dom.bounds(1)
        w = (float(hi[0]) - float(lo[0])) / 2
        C = b.value
        return {
            "name": "RKK 2018 Theorem 1 (C x, −x, −x with C = G∞)",
            "value": 2 * w * (C - 2) / 3,
            "sequence": f"reddi-thm1:C={C:g}",
        }
    if (
        problem.objective == "regret"
        and problem.rule.name == "ogd"
        and problem.rule.options.get("schedule") == "constant"
        and b.norm == "l2"
    ):
        D, _ = dom.diameter(problem.d)
        eta = float(problem.params.get("alpha", 0.0))
        if eta > 0 and math.isfinite(D):
            T = problem.steps
            return {
                "name": "Zinkevich 2003 bound D²/(2η) + ηM²T/2 (tight in dimension T+1)",
                "value": D * D / (2 * eta) + eta * b.value**2 * T / 2,
                "sequence": None,
            }
    return None


__all__ = ["known"]
