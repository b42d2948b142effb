r"""Kingma & Ba 2015, "Adam: A Method for Stochastic Optimization" (arXiv 1412.6980v9).

Theorem 4.1 (theory §4): bounded gradients (G, G∞) and iterates (D, D∞), β1, β2 ∈
[0, 1), γ = β1²/√β2 < 1, α_t = α/√t, β1,t = β1 λ^(t−1), λ ∈ (0, 1). Three variants:

* ``kb-thm4.1``: the statement, whose second term is Lemma 10.4's constant *as proved*
  (2G∞/((1−γ)²√(1−β2)) ‖g_{1:T,i}‖₂);
* ``kb-thm4.1-lemma-stated``: Lemma 10.4 *as stated* (2/((1−γ)√(1−β2)) ‖g_{1:T,i}‖₂);
* ``kb-cor4.2``: Corollary 4.2, Σ_i‖g_{1:T,i}‖₂ ≤ d G∞ √T, so R(T)/T = O(1/√T).

The third term is Σ_i over d coordinates of a constant: d D∞² G∞ √(1−β2)/(2α(1−β1)(1−λ)²).
The statements below are printed from the terms (:mod:`octk.theorems.theorem`).
"""

from __future__ import annotations

import sympy as sp

from octk.rules.adaptive import alpha, beta1, beta2, lam
from octk.symbols import t
from octk.theorems.quantities import D, Dinf, Ginf, Sgnorm, Svhat, T, d
from octk.theorems.theorem import Algorithm, Hypothesis, Term, Theorem, gamma

SOURCE = "Kingma & Ba 2015 (arXiv 1412.6980v9)"
GAMMA = {gamma: beta1**2 / sp.sqrt(beta2)}
ADAM = Algorithm(
    "Adam, K&B Algorithm 1",
    first_moment="ema",
    second_moment="ema",
    m_bias_corrected=True,
    v_bias_corrected=True,
)
HYPOTHESES = (
    Hypothesis("algorithm", ADAM),
    Hypothesis("eps"),
    Hypothesis("schedule", alpha / sp.sqrt(t)),
    Hypothesis("beta1_decay"),
    Hypothesis("betas"),
    Hypothesis("condition", gamma < 1),
    Hypothesis("diameter", "D"),
    Hypothesis("diameter", "D∞"),
    Hypothesis("gradients", "G∞"),
    Hypothesis("projection", True),
    Hypothesis("gamma", kind="proof"),
)

FIRST = Term("D²√(Tv̂) term", D**2 / (2 * alpha * (1 - beta1)) * sp.sqrt(T) * Svhat)
LAMBDA = Term(
    "λ term", d * Dinf**2 * Ginf * sp.sqrt(1 - beta2) / (2 * alpha * (1 - beta1) * (1 - lam) ** 2)
)
#: Lemma 10.4's constant as proved, times α(1+β1)/(2(1−β1)): the theorem's second factor
PROVED = alpha * (1 + beta1) * Ginf / ((1 - beta1) * sp.sqrt(1 - beta2) * (1 - gamma) ** 2)
#: the same with Lemma 10.4 as stated, 2/((1−γ)√(1−β2))
STATED = alpha * (1 + beta1) / ((1 - beta1) * sp.sqrt(1 - beta2) * (1 - gamma))

THM_4_1 = Theorem(
    "kb-thm4.1",
    "K&B Theorem 4.1 (Adam regret bound)",
    SOURCE + ", Theorem 4.1; Lemma 10.4's constant as proved (the theorem's)",
    (FIRST, Term("Σ‖g‖ term", PROVED * Sgnorm, gamma < 1), LAMBDA),
    HYPOTHESES,
    GAMMA,
    default=True,
)
THM_4_1_LEMMA_STATED = Theorem(
    "kb-thm4.1-lemma-stated",
    "K&B Theorem 4.1 with Lemma 10.4 as stated",
    SOURCE + ", Theorem 4.1 with Lemma 10.4's stated constant 2/(1−γ)",
    (FIRST, Term("Σ‖g‖ term", STATED * Sgnorm, gamma < 1), LAMBDA),
    HYPOTHESES,
    GAMMA,
    note="Lemma 10.4 is stated as 2/(1−γ)·‖g_{1:T,i}‖₂/√(1−β2) but proved as "
    "2G∞/(1−γ)²·‖g_{1:T,i}‖₂/√(1−β2) (theory §4); this variant uses the stated one",
)
COR_4_2 = Theorem(
    "kb-cor4.2",
    "K&B Corollary 4.2 (Theorem 4.1 with its gradient sum bounded by d G∞ √T)",
    SOURCE + ", Corollary 4.2",
    (FIRST, Term("Σ‖g‖ term", PROVED * d * Ginf * sp.sqrt(T), gamma < 1), LAMBDA),
    HYPOTHESES,
    GAMMA,
)

THEOREMS = (THM_4_1, THM_4_1_LEMMA_STATED, COR_4_2)
