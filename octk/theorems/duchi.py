r"""Duchi, Hazan & Singer 2011, diagonal AdaGrad by composite mirror descent.

Their Theorem 5 / Corollary 6 (wording unverified, theory §5), with δ = 0 and η = α
(octk's AdaGrad steps α g_{t,i}/(ε + ‖g_{1:t,i}‖₂) with a constant schedule: η = α,
δ = ε):

* ``duchi-adagrad``: the data-dependent form, with the observed max_t ‖x* − x_t‖∞
  (x* the comparator at T);
* ``duchi-adagrad-dinf``: that distance bounded by D∞, (D∞²/(2η) + η) Σ_i‖g_{1:T,i}‖₂,
  which is √2 D∞ Σ_i‖g_{1:T,i}‖₂ at η = D∞/√2.
"""

from __future__ import annotations

from octk.rules.adaptive import alpha
from octk.theorems.quantities import Dinf, Sgnorm, Xinf
from octk.theorems.theorem import Algorithm, Hypothesis, Term, Theorem

SOURCE = "Duchi, Hazan & Singer 2011"
NOTE = "the wording of Duchi et al.'s statement is unverified; the form evaluated is theory §5's"
ADAGRAD = Algorithm(
    "AdaGrad (diagonal)", first_moment="none", second_moment="sum", eps=("outside", "none")
)


def hypotheses(last: Hypothesis) -> tuple[Hypothesis, ...]:
    return (
        Hypothesis("algorithm", ADAGRAD),
        Hypothesis("schedule", alpha),
        Hypothesis("eps", "δ = ε = 0 (the form with δ > 0 has another term)"),
        Hypothesis("accumulator"),
        Hypothesis("projection", True),
        last,
        Hypothesis("gamma", kind="proof"),
    )


STEP_TERM = Term("η Σ‖g‖ term", alpha * Sgnorm)
DATA = Theorem(
    "duchi-adagrad",
    "Duchi, Hazan & Singer: diagonal AdaGrad (composite mirror descent), data-dependent",
    SOURCE + ", Theorem 5 / Corollary 6 (wording unverified), δ = 0",
    (Term("max‖x*−x_t‖∞² term", Xinf**2 / (2 * alpha) * Sgnorm), STEP_TERM),
    hypotheses(Hypothesis("comparator")),
    verified=False,
    default=True,
    note=NOTE,
)
DINF = Theorem(
    "duchi-adagrad-dinf",
    "Duchi, Hazan & Singer: diagonal AdaGrad, D∞ form",
    SOURCE + ", Corollary 6 (wording unverified), δ = 0",
    (Term("D∞² term", Dinf**2 / (2 * alpha) * Sgnorm), STEP_TERM),
    hypotheses(Hypothesis("diameter", "D∞")),
    verified=False,
    note=NOTE,
)

THEOREMS = (DATA, DINF)
