r"""The :class:`Loss` base: what a loss family f_t(x) = Σ_i ℓ(x_i, s_{t,i}) owns.

A loss is one file in this package: a subclass of :class:`Loss` with a
``name`` registers itself, and the package imports every module in it. A loss
owns its per-coordinate expression ℓ(x, s) and (sub)gradient as SymPy, the
sufficient statistics whose sums over t make the comparator problem
min_{x∈F} Σ_{t≤T} f_t(x) independent of T, the comparator's closed forms (with
the domain's pieces: ``min_linear``, ``project``, ``separable``), its cvxpy
objective, and the gradient bound G∞ it implies from a bound on the signal.
Domains are read through their methods only, never by type.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import sympy as sp

if TYPE_CHECKING:
    from octk.domains.base import Domain

#: the finitely many values of a signal (``Sequence.support()``), or None
Support = tuple[float, ...] | None
#: a vectorised comparator solution: (x*, value, status)
Solution = tuple[np.ndarray, np.ndarray, np.ndarray]


class CvxpyObjective(ABC):
    """A loss's parametrised (DPP) cvxpy objective over a variable x ∈ R^d.

    ``expr`` is built once; :meth:`assign` sets the parameters from one set of
    statistics (scaled to O(1)), :meth:`value` turns the solver's optimum at x
    back into min Σ_t f_t.
    """

    expr: object

    @abstractmethod
    def assign(self, stats: dict, n: int) -> None:
        """Set the parameters from the statistics of n losses."""

    @abstractmethod
    def value(self, x: np.ndarray, solver_value: float) -> float:
        """Σ_{t≤n} f_t at the solver's x (undoing the scaling of :meth:`assign`)."""


class Loss(ABC):
    """A separable loss family driven by a per-coordinate signal s (see the module doc)."""

    REGISTRY: ClassVar[dict[str, Loss]] = {}
    name: ClassVar[str]
    summary: ClassVar[str]
    #: whether every ℓ(·, s) is convex (a piecewise family with s < 0 pieces is not)
    convex: ClassVar[bool] = True

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if "name" in cls.__dict__:
            Loss.REGISTRY[cls.name] = cls()

    # -- the loss as SymPy ---------------------------------------------------------
    @abstractmethod
    def expr(self, x: sp.Symbol, s: sp.Expr) -> sp.Expr:
        """ℓ(x, s): f_t(x) per coordinate."""

    @abstractmethod
    def gradient(self, x: sp.Symbol, s: sp.Expr) -> sp.Expr:
        """∂ℓ/∂x (a subgradient where ℓ has a kink)."""

    @abstractmethod
    def statistics(self, s: sp.Expr, support: Support) -> tuple[tuple[str, sp.Expr], ...]:
        """(name, per-step term) pairs whose sums over t make the comparator problem."""

    def stat_names(self, support: Support) -> tuple[str, ...]:
        """The statistics' names (``support``: the signal's finitely many values, or None)."""
        return tuple(n for n, _ in self.statistics(sp.Symbol("s", real=True), support))

    def validate(self, sequence: Any) -> None:
        """Raise ParameterError if ``sequence``'s signal cannot drive this loss (default: any)."""
        return None

    def check_stats(self, stats: dict) -> None:
        """Raise ParameterError on statistics this loss cannot produce (negative counts)."""
        return None

    # -- the comparator --------------------------------------------------------------
    @abstractmethod
    def has_closed_form(self, domain: Domain) -> bool:
        """Whether :meth:`closed_form` solves the comparator over ``domain``."""

    @abstractmethod
    def closed_form(self, domain: Domain, stats: dict, n: np.ndarray, support: Support) -> Solution:
        """min_{x∈F} Σ_t f_t(x), vectorised: stats name -> (..., d), n (...) → (x, value, status).

        ``support``: the signal's values (``Sequence.support()``), or None.
        """

    @abstractmethod
    def cvxpy_objective(self, x: Any, d: int, support: Support) -> CvxpyObjective:
        """The parametrised cvxpy objective (see :class:`CvxpyObjective`)."""

    def objective_key(self, support: Support) -> object:
        """What of the signal :meth:`cvxpy_objective` depends on, for the problem cache."""
        return None

    # -- hypotheses ------------------------------------------------------------------
    @abstractmethod
    def gradient_bound(self, signal_bound: float | None, domain: Domain, d: int) -> float | None:
        """G∞ ≥ sup_t sup_{x∈F} |∂ℓ/∂x_i| from sup |s| (None: unknown)."""

    def __repr__(self) -> str:
        return f"loss({self.name!r})"
