r"""Published regret bounds, each written once as SymPy terms (:class:`Theorem`).

One module per paper: :mod:`~octk.theorems.kingma_ba` (K&B 2015),
:mod:`~octk.theorems.reddi_kale_kumar` (RKK 2018), :mod:`~octk.theorems.duchi`
(Duchi, Hazan & Singer 2011), :mod:`~octk.theorems.zinkevich` (Zinkevich 2003), and
:mod:`~octk.theorems.derived` for octk's own derived bounds (marked so). A theorem's
statement, LaTeX and docstring are printed from its terms; :mod:`octk.bounds`
evaluates the lambdified terms on a run; ``proofs/`` checks the same terms.

>>> THEOREMS["zinkevich-ogd"].statement
'R(T) ≤ D²/(2·α) √T + α·G² (√T − 1/2)'
"""

from __future__ import annotations

from octk.theorems import derived, duchi, kingma_ba, reddi_kale_kumar, zinkevich
from octk.theorems.theorem import Algorithm, Hypothesis, Term, Theorem, latex, text

#: every theorem by name, in the order listed
THEOREMS: dict[str, Theorem] = {
    th.name: th
    for module in (kingma_ba, reddi_kale_kumar, derived, duchi, zinkevich)
    for th in module.THEOREMS
}
#: listing order: K&B, RKK (with octk's careful corollary beside the printed one), ...
ORDER = (
    "kb-thm4.1",
    "kb-thm4.1-lemma-stated",
    "kb-cor4.2",
    "rkk-thm4",
    "rkk-thm4-submitted",
    "rkk-cor1",
    "rkk-cor1-careful",
    "rkk-cor2",
    "duchi-adagrad",
    "duchi-adagrad-dinf",
    "zinkevich-ogd",
)
THEOREMS = {n: THEOREMS[n] for n in ORDER} | THEOREMS

__all__ = ["THEOREMS", "Algorithm", "Hypothesis", "Term", "Theorem", "latex", "text"]
