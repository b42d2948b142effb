r"""octk's own bounds: derived by octk, not printed in a paper (each says so in every output).

* ``rkk-cor1-careful``: RKK Corollary 1 with Theorem 4's middle term summed carefully,
  d β1 D∞² G∞/(2α(1−β1)(1−λ)²) (theory §5, observation; ``proofs/amsgrad_bound.py``
  proves the sum from the rule's β1,t and α_t).
* ``rkk-cor2``: AdamNC (β2,t = 1 − 1/t, so v_t = (1/t) Σ_{s≤t} g_s²), α_t = α/√t,
  β1,t ≤ β1 < 1. RKK's Theorem 5 / Corollary 2 could not be checked against the paper
  (theory §5: unverified), so octk does **not** evaluate them; it evaluates this bound,
  derived along RKK's Theorem 4 proof with s_{t,i} = √v_{t,i}/α_t = ‖g_{1:t,i}‖₂/α
  nondecreasing (Γ_t ⪰ 0 holds exactly).

  Derivation: per coordinate, the clip gives s_t(x_{t+1}−x*)² ≤ s_t(x_t−x*)² −
  2m_t(x_t−x*) + m_t²/s_t; write g_t = (m_t − β1,t m_{t−1})/(1−β1,t), use Young's
  inequality on β1,t m_{t−1}(x*−x_t) with weight s_{t−1} ≤ s_t, split
  1/(1−β1,t) = 1 + β1,t/(1−β1,t) before telescoping Σ_t s_t[(x_t−x*)² − (x_{t+1}−x*)²]
  ≤ s_T D∞², and bound m_t² ≤ Σ_{j≤t} β1^{t−j} g_j² (Cauchy–Schwarz, weights summing
  to ≤ 1), so Σ_t m_t²/s_t ≤ (α/(1−β1)) Σ_j g_j²/‖g_{1:j}‖₂ ≤ 2α‖g_{1:T}‖₂/(1−β1).
  With β1 = 0 this is (D∞²/(2α) + α) Σ_i‖g_{1:T,i}‖₂, the D∞ form of Duchi et al.'s
  AdaGrad bound (AdamNC with β1 = 0 *is* AdaGrad, η = α).
"""

from __future__ import annotations

import sympy as sp

from octk.rules.adaptive import alpha, beta1
from octk.symbols import t
from octk.theorems import reddi_kale_kumar as rkk
from octk.theorems.quantities import Dinf, Sgnorm, Smid, Svhat, T, d
from octk.theorems.theorem import Algorithm, Hypothesis, Term, Theorem, text

OCTK = "octk, derived along " + rkk.SOURCE

CAREFUL_MIDDLE = Term("λ term", d / alpha * rkk.COR1_MIDDLE.expr)
RKK_COR_1_CAREFUL = Theorem(
    "rkk-cor1-careful",
    "RKK Corollary 1 with the middle term summed carefully",
    rkk.SOURCE + f", Corollary 1 (middle term {text(CAREFUL_MIDDLE.expr)}, octk's sum)",
    (rkk.FIRST, CAREFUL_MIDDLE, rkk.LAST),
    rkk.hypotheses(decay=True),
    rkk.GAMMA,
    lhs="R_T",
    derived=True,
    note="octk's sum of Theorem 4's middle term under β1,t = β1 λ^(t−1) "
    "(proved in proofs/amsgrad_bound.py, ams.corollary_middle)",
)

ADAMNC = Algorithm(
    "AdamNC (β2,t = 1 − 1/t, no max)",
    first_moment="ema",
    second_moment="mean",
    m_bias_corrected=False,
)
ADAMNC_BOUND = Theorem(
    "rkk-cor2",
    "AdamNC regret bound (octk's derivation; RKK Theorem 5 / Corollary 2 unverified)",
    OCTK + ", Theorem 4's proof; stands in for Theorem 5 / Corollary 2",
    (
        Term("√T Σv^½ term", Dinf**2 * sp.sqrt(T) / (2 * alpha) * Svhat),
        Term("β1,t v/α_t sum", Dinf**2 / (1 - beta1) * Smid),
        Term("Σ‖g‖ term", alpha * (1 + beta1) / (1 - beta1) ** 2 * Sgnorm),
    ),
    (
        Hypothesis("algorithm", ADAMNC),
        Hypothesis("eps"),
        Hypothesis("schedule", alpha / sp.sqrt(t)),
        Hypothesis("beta1_below_one"),
        Hypothesis("diameter", "D∞"),
        Hypothesis("projection", True),
        Hypothesis("gamma", kind="stated"),
    ),
    lhs="R_T",
    verified=False,
    derived=True,
    default=True,
    note="the exact statement of RKK's Theorem 5 / Corollary 2 could not be checked "
    "against the paper; this right-hand side is octk's own derivation for AdamNC "
    "(β2,t = 1 − 1/t), not the paper's words",
)

THEOREMS = (RKK_COR_1_CAREFUL, ADAMNC_BOUND)
