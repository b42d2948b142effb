r"""Published regret bounds evaluated on a run, with their hypotheses checked.

The bounds are the theorems of :mod:`octk.theorems`, each written once as SymPy terms;
this package evaluates them on runs:

* :mod:`~octk.bounds.quantities` -- the run quantities (Σ_i‖g_{1:T,i}‖₂, v̂_T, D, G∞, ...)
  from a trajectory's monitors (:func:`bound_monitors`), and the trivial bound;
* :mod:`~octk.bounds.hypotheses` -- each hypothesis's verdict, the algorithm read from
  the rule's program (:mod:`octk.rules.anatomy`);
* :mod:`~octk.bounds.evaluation` -- :func:`evaluate`: the lambdified terms at the run's
  quantities, the first violation, tightness R/RHS and vacuity per checkpoint;
* :mod:`~octk.bounds.scan` -- :func:`check`: run and evaluate at every T (exact first
  violation);
* :mod:`~octk.bounds.search` -- :func:`search` over a grid;
* :mod:`~octk.bounds.report` -- every text and JSON rendering.

Names (THEORY.md): ``kb-thm4.1``, ``kb-thm4.1-lemma-stated``, ``kb-cor4.2`` (K&B);
``rkk-thm4``, ``rkk-thm4-submitted``, ``rkk-cor1`` (RKK); ``rkk-cor1-careful`` and
``rkk-cor2`` (octk's derived bounds); ``duchi-adagrad``, ``duchi-adagrad-dinf``;
``zinkevich-ogd``.
"""

from __future__ import annotations

from octk.bounds.evaluation import CONSTANTS, RTOL, BoundResult, evaluate, violates
from octk.bounds.hypotheses import KB_LAMBDA_TYPICAL, Check, projection_check
from octk.bounds.quantities import (
    bound_monitors,
    coordinate_widths,
    declared_gradient_bound,
    trivial_bound,
)
from octk.bounds.registry import (
    BOUNDS,
    Bound,
    bound_names,
    default_bound,
    get_bound,
)
from octk.bounds.scan import SCAN_BUDGET, check, resolve_ties
from octk.bounds.search import SearchResult, search
from octk.rules.anatomy import alpha_t, beta1_t, second_moment


def __getattr__(name: str) -> dict[str, str]:
    """``DEFAULT_BOUND`` (:mod:`octk.bounds.registry`), computed on first use."""
    if name == "DEFAULT_BOUND":
        from octk.bounds import registry

        return registry.DEFAULT_BOUND
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BOUNDS",
    "CONSTANTS",
    "DEFAULT_BOUND",
    "KB_LAMBDA_TYPICAL",
    "RTOL",
    "SCAN_BUDGET",
    "Bound",
    "BoundResult",
    "Check",
    "SearchResult",
    "alpha_t",
    "beta1_t",
    "bound_monitors",
    "bound_names",
    "check",
    "coordinate_widths",
    "declared_gradient_bound",
    "default_bound",
    "evaluate",
    "get_bound",
    "projection_check",
    "resolve_ties",
    "search",
    "second_moment",
    "trivial_bound",
    "violates",
]
