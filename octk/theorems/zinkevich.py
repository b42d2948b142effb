r"""Zinkevich 2003, "Online Convex Programming and Generalized Infinitesimal Gradient Ascent".

Theorem 1 with η_t = α/√t (α = 1: D²√T/2 + (√T − 1/2) G², the paper's form). D: the
ℓ2 diameter of F; G ≥ ‖g_t‖₂ (declared: √d G∞; observed: (Σ_i max_t g_{t,i}²)^{1/2}).
"""

from __future__ import annotations

import sympy as sp

from octk.rules.adaptive import alpha
from octk.symbols import t
from octk.theorems.quantities import D, G, T
from octk.theorems.theorem import Algorithm, Hypothesis, Term, Theorem

OGD = Algorithm("online gradient descent", first_moment="none", second_moment="none")

THM_1 = Theorem(
    "zinkevich-ogd",
    "Zinkevich Theorem 1 (online gradient descent, η_t = α/√t)",
    "Zinkevich 2003, Theorem 1 (η_t = α/√t)",
    (
        Term("D²√T/(2α) term", D**2 * sp.sqrt(T) / (2 * alpha)),
        Term("α(√T−½)G² term", alpha * (sp.sqrt(T) - sp.Rational(1, 2)) * G**2),
    ),
    (
        Hypothesis("algorithm", OGD),
        Hypothesis("schedule", alpha / sp.sqrt(t)),
        Hypothesis("diameter", "D"),
        Hypothesis("gradients", "G"),
        Hypothesis("projection", False),
        Hypothesis("gamma", kind="proof"),
    ),
    default=True,
)

THEOREMS = (THM_1,)
