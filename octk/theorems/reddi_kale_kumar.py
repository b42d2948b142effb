r"""Reddi, Kale & Kumar 2018, "On the Convergence of Adam and Beyond" (arXiv 1904.09237).

Theorem 4 (AMSGrad, theory §5): α_t = α/√t, β1,t ≤ β1, γ = β1/√β2 < 1 (RKK's γ, not
K&B's), bounded D∞ and G∞. Variants:

* ``rkk-thm4``: the final version (1/α in the first term);
* ``rkk-thm4-submitted``: as submitted, without that 1/α (dimensionally inconsistent);
* ``rkk-cor1``: Corollary 1 (β1,t = β1 λ^(t−1)), its middle term as printed,
  β1 D∞² G∞/(2(1−β1)(1−λ)²). octk's careful sum of that term is
  :data:`octk.theorems.derived.RKK_COR_1_CAREFUL`.

Theorem 5 / Corollary 2 (AdamNC) could not be checked against the paper; octk's own
bound for AdamNC is in :mod:`octk.theorems.derived`.
"""

from __future__ import annotations

import sympy as sp

from octk.rules.adaptive import alpha, beta1, beta2, lam
from octk.symbols import t
from octk.theorems.quantities import Dinf, Ginf, Sgnorm, Smid, Svhat, T
from octk.theorems.theorem import Algorithm, Hypothesis, Term, Theorem, gamma

SOURCE = "Reddi, Kale & Kumar 2018 (arXiv 1904.09237)"
GAMMA = {gamma: beta1 / sp.sqrt(beta2)}
AMSGRAD = Algorithm(
    "AMSGrad, RKK Algorithm 2",
    first_moment="ema",
    second_moment="max(ema)",
    m_bias_corrected=False,
    v_bias_corrected=False,
)


def hypotheses(decay: bool) -> tuple[Hypothesis, ...]:
    """Theorem 4's (``decay=False``: β1,t ≤ β1) or Corollary 1's (β1,t = β1 λ^(t−1))."""
    return (
        Hypothesis("algorithm", AMSGRAD),
        Hypothesis("eps"),
        Hypothesis("schedule", alpha / sp.sqrt(t)),
        Hypothesis("beta1_decay") if decay else Hypothesis("beta1_bounded"),
        Hypothesis("betas"),
        Hypothesis("condition", gamma < 1),
        Hypothesis("diameter", "D∞"),
        Hypothesis("gradients", "G∞"),
        Hypothesis("projection", True),
        Hypothesis("gamma", kind="proof"),
    )


def _TWICE(e: sp.Basic) -> sp.Basic:
    return sp.Mul(2, e, evaluate=False)


FIRST = Term("√T Σv̂^½ term", Dinf**2 * sp.sqrt(T) / (alpha * (1 - beta1)) * Svhat)
MIDDLE = Term("β1,t v̂/α_t sum", Dinf**2 / _TWICE(1 - beta1) * Smid)
LAST = Term(
    "√(1+log T) term",
    alpha * sp.sqrt(1 + sp.log(T)) / ((1 - beta1) ** 2 * (1 - gamma) * sp.sqrt(1 - beta2)) * Sgnorm,
    gamma < 1,
)
#: Corollary 1's middle term as printed
COR1_MIDDLE = Term("λ term", beta1 * Dinf**2 * Ginf / (_TWICE(1 - beta1) * (1 - lam) ** 2))

THM_4 = Theorem(
    "rkk-thm4",
    "RKK Theorem 4 (AMSGrad regret bound, final version)",
    SOURCE + ", Theorem 4 (final version, with 1/α)",
    (FIRST, MIDDLE, LAST),
    hypotheses(decay=False),
    GAMMA,
    lhs="R_T",
    default=True,
)
THM_4_SUBMITTED = Theorem(
    "rkk-thm4-submitted",
    "RKK Theorem 4 as submitted (no 1/α in the first term)",
    SOURCE + ", Theorem 4 (submitted version)",
    (Term(FIRST.name, FIRST.expr * alpha), MIDDLE, LAST),
    hypotheses(decay=False),
    GAMMA,
    lhs="R_T",
    note="the submission omits the 1/α of the first term, which is dimensionally "
    "inconsistent (theory §5); the final version has it",
)
COR_1 = Theorem(
    "rkk-cor1",
    "RKK Corollary 1 (AMSGrad, β1,t = β1 λ^(t−1)), as printed",
    SOURCE + ", Corollary 1 (middle term as printed)",
    (FIRST, COR1_MIDDLE, LAST),
    hypotheses(decay=True),
    GAMMA,
    lhs="R_T",
    note="the printed middle term lacks the factor d/α that summing Theorem 4's middle "
    "term gives (theory §5, observation); rkk-cor1-careful has it",
)

THEOREMS = (THM_4, THM_4_SUBMITTED, COR_1)
