r"""The named quantities of a run that regret bounds are written over.

A published bound is a formula in a few quantities of the run (THEORY §1): the
horizon T, the dimension d, the diameters D ≥ ‖x − y‖₂ and D∞ ≥ ‖x − y‖∞ of F, the
gradient bounds G ≥ ‖g_t‖₂ and G∞ ≥ ‖g_t‖∞, and data-dependent sums such as
Σ_i ‖g_{1:T,i}‖₂ (with ‖g_{1:T,i}‖₂ = (Σ_{t≤T} g_{t,i}²)^{1/2}). Each is a
:class:`Quantity`: its SymPy symbol, how it prints (text and LaTeX), what it means,
and what it is for one coordinate (the proofs in ``proofs/`` reason per coordinate:
Σ_i ‖g_{1:T,i}‖₂ becomes ‖g_{1:T,i}‖₂ and d becomes 1).

The rule's hyperparameters (α, β1, β2, λ) are the rule's own symbols
(:mod:`octk.rules.adaptive`); :data:`HYPERPARAMETERS` gives their printed names.
:mod:`octk.bounds.quantities` measures every quantity here on a run.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from octk.rules.adaptive import alpha, beta1, beta2, eps, lam


@dataclass(frozen=True)
class Quantity:
    """A run quantity: ``symbol``, its ``text`` and ``latex`` forms, ``doc``, and its value
    for one coordinate (``per_coordinate``, an expression of per-coordinate symbols)."""

    symbol: sp.Symbol
    text: str
    latex: str
    doc: str
    per_coordinate: sp.Basic


def _q(
    name: str, text: str, latex: str, doc: str, per: sp.Basic | None = None, **assumptions: bool
) -> Quantity:
    sym = sp.Symbol(name, **(assumptions or {"positive": True}))
    return Quantity(sym, text, latex, doc, sym if per is None else per)


# per-coordinate symbols (one coordinate i), the names the proofs use
gnorm = sp.Symbol("gnorm", positive=True)  # ‖g_{1:T,i}‖₂
vhat_T = sp.Symbol("vhat_T", positive=True)  # v̂_{T,i}
S_mid = sp.Symbol("S_mid", positive=True)  # Σ_t β1,t v̂_{t,i}^{1/2}/α_t

T_ = _q("T", "T", "T", "the horizon", integer=True, positive=True)
d_ = _q("d", "d", "d", "the dimension", sp.Integer(1), integer=True, positive=True)
D_ = _q("D", "D", "D", "ℓ2 diameter of F, ‖x − y‖₂ ≤ D")
DINF = _q("D_inf", "D∞", r"D_\infty", "ℓ∞ diameter of F, ‖x − y‖∞ ≤ D∞")
GINF = _q("G_inf", "G∞", r"G_\infty", "gradient bound ‖g_t‖∞ ≤ G∞")
G_ = _q("G", "G", "G", "gradient bound ‖g_t‖₂ ≤ G")
SUM_GNORM = _q(
    "Sigma_gnorm",
    "Σ_i ‖g_{1:T,i}‖₂",
    r"\sum_i \|g_{1:T,i}\|_2",
    "Σ_i (Σ_{t≤T} g_{t,i}²)^{1/2}",
    gnorm,
    nonnegative=True,
)
SUM_SQRT_VHAT = _q(
    "Sigma_sqrt_vhat",
    "Σ_i v̂_{T,i}^½",
    r"\sum_i \hat v_{T,i}^{1/2}",
    "Σ_i √v̂_{T,i}, v̂ the second moment under the rule's square root, at T",
    sp.sqrt(vhat_T),
    nonnegative=True,
)
SUM_MID = _q(
    "Sigma_mid",
    "Σ_t Σ_i β1,t v̂_{t,i}^½/α_t",
    r"\sum_{t=1}^T \sum_i \frac{\beta_{1,t} \hat v_{t,i}^{1/2}}{\alpha_t}",
    "RKK Theorem 4's middle sum, β1,t and α_t read from the rule",
    S_mid,
    nonnegative=True,
)
MAX_DEV = _q(
    "X_inf",
    "max_t ‖x* − x_t‖∞",
    r"\max_{t \le T} \|x^* - x_t\|_\infty",
    "the largest ℓ∞ distance of a played x_t from the comparator x* at T",
    nonnegative=True,
)

QUANTITIES: tuple[Quantity, ...] = (
    T_, d_, D_, DINF, GINF, G_, SUM_GNORM, SUM_SQRT_VHAT, SUM_MID, MAX_DEV
)  # fmt: skip
T, d, D, Dinf, Ginf, G = (q.symbol for q in QUANTITIES[:6])
Sgnorm, Svhat, Smid, Xinf = (q.symbol for q in QUANTITIES[6:])

#: the hyperparameters bounds use: symbol -> (text, LaTeX)
HYPERPARAMETERS: dict[sp.Symbol, tuple[str, str]] = {
    alpha: ("α", r"\alpha"),
    beta1: ("β1", r"\beta_1"),
    beta2: ("β2", r"\beta_2"),
    lam: ("λ", r"\lambda"),
    eps: ("ε", r"\epsilon"),
}


def per_coordinate(expr: sp.Basic) -> sp.Basic:
    """``expr`` for one coordinate: every quantity replaced by its per-coordinate form."""
    return expr.xreplace({q.symbol: q.per_coordinate for q in QUANTITIES})


__all__ = [
    "HYPERPARAMETERS",
    "QUANTITIES",
    "D",
    "Dinf",
    "G",
    "Ginf",
    "Quantity",
    "S_mid",
    "Sgnorm",
    "Smid",
    "Svhat",
    "T",
    "Xinf",
    "d",
    "gnorm",
    "per_coordinate",
    "vhat_T",
]
