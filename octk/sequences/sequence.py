r"""The :class:`Sequence` record: a loss family f_t written as SymPy.

Every loss octk simulates is separable over coordinates and driven by one
per-coordinate *signal* s_{t,i}, an expression of t, i, the uniform draws
U0..U3, the played iterate x (adaptive adversaries) or a data table:

==========  ==============================  ============================  =========================
loss        f_t(x) per coordinate           gradient                      sufficient statistics
==========  ==============================  ============================  =========================
linear      s x                             s                             Σ s
quadratic   (x − s)²                        2(x − s)                      Σ s, Σ s²  (and t)
absolute    |x − s|                         sign(x − s)  (0 at x = s)     #{t: s_t = a} per value a
piecewise   s A_k(x) + B_k(x) on x ∈ I_k    its derivative, per piece     Σ s
==========  ==============================  ============================  =========================

The statistics are accumulated inside the simulation loop, so the comparator
min_{x∈F} Σ_{t≤T} f_t(x) costs the same for T = 10 and T = 10⁹. Each loss family
is an object of :mod:`octk.sequences.losses` (one file per loss), which owns these
expressions, the comparator's closed forms and the gradient bound; a Sequence
names its family in ``loss`` and reads it through :attr:`Sequence.family`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import sympy as sp

from octk.errors import ParameterError, check_choice
from octk.sequences.losses import LOSSES, Loss
from octk.sequences.losses import loss as loss_family
from octk.sequences.losses.absolute import MAX_SUPPORT
from octk.symbols import DATA, U, i, t, x


@dataclass(frozen=True, eq=False)
class Sequence:
    """A loss family over per-coordinate signals (see the module docstring).

    Attributes
    ----------
    name, params : the registry name and the parameters that built it.
    signal : s_{t,i} as a SymPy expression.
    loss : the loss family's name, one of :data:`~octk.sequences.losses.LOSSES`.
    data : a (P, d) float64 table read through the symbol ``DATA`` (row t−1,
        or (t−1) mod P when ``wrap``), or None.
    bound : sup |s_{t,i}| (G∞ of a linear loss). Derived from the data table or a
        finite support when not given; None where it is unknown.
    description : one line for ``octk list``.
    optimum : a point x* the sequence states (one value per coordinate, or a
        scalar for every coordinate), with ``optimum_note`` saying why: the
        minimiser of the objective the losses sample (Zhang et al.'s x* = −2), for
        a distance |x_T − x*| where the comparator is not that objective's
        minimiser. None: nothing stated.
    """

    name: str
    params: dict
    signal: sp.Expr
    loss: str = "linear"
    data: np.ndarray | None = None
    wrap: bool = False
    bound: float | None = None
    description: str = ""
    optimum: float | None = None
    optimum_note: str = ""
    seeded: bool = field(init=False)

    def __post_init__(self):
        check_choice("loss", self.loss, LOSSES)
        allowed = {t, i, x, DATA, *U}
        extra = self.signal.free_symbols - allowed
        if extra:
            names = ", ".join(sorted(map(str, extra)))
            raise ParameterError(
                f"sequence {self.name!r}: signal uses unknown symbols {names}; "
                "allowed: t, i, x, U0..U3"
            )
        if (DATA in self.signal.free_symbols) != (self.data is not None):
            raise ParameterError(
                f"sequence {self.name!r}: data table and DATA symbol must go together"
            )
        object.__setattr__(self, "seeded", any(u in self.signal.free_symbols for u in U))
        if self.bound is None:
            if self.data is not None:
                object.__setattr__(self, "bound", float(np.max(np.abs(self.data))))
            elif (values := self.support()) is not None:
                object.__setattr__(self, "bound", max(abs(v) for v in values))
        self.family.validate(self)

    # -- derived expressions ---------------------------------------------------
    @property
    def family(self) -> Loss:
        """The loss family object (:mod:`octk.sequences.losses`) named by ``loss``."""
        return loss_family(self.loss)

    @property
    def adaptive(self) -> bool:
        """Whether the adversary looks at the played iterate x_t."""
        return x in self.signal.free_symbols

    @property
    def dim(self) -> int | None:
        """The dimension the data fixes (None: any)."""
        if self.data is None or self.data.shape[1] == 1:
            return None
        return self.data.shape[1]

    def with_loss(self, loss: str) -> Sequence:
        """The same signal under another loss family (a stated optimum is dropped)."""
        check_choice("loss", loss, LOSSES)
        if loss == self.loss:
            return self
        return replace(self, loss=loss, optimum=None, optimum_note="")

    def loss_expr(self, s: sp.Expr | None = None) -> sp.Expr:
        """f_t(x) per coordinate."""
        return self.family.expr(x, self.signal if s is None else s)

    def gradient(self, s: sp.Expr | None = None) -> sp.Expr:
        """∇f_t(x) per coordinate (a subgradient where the loss has a kink)."""
        return self.family.gradient(x, self.signal if s is None else s)

    def statistics(self, s: sp.Expr | None = None) -> tuple[tuple[str, sp.Expr], ...]:
        """(name, expression) pairs whose sums over t make the comparator problem."""
        return self.family.statistics(self.signal if s is None else s, self.support())

    def stat_names(self) -> tuple[str, ...]:
        """The names of :meth:`statistics`."""
        return self.family.stat_names(self.support())

    def gradient_bound(self, domain, d: int) -> float | None:
        """G∞ ≥ sup_t sup_{x∈F} |∇f_t(x)_i| from the declared signal bound (None: unknown)."""
        return self.family.gradient_bound(self.bound, domain, d)

    def support(self) -> tuple[float, ...] | None:
        """The finitely many values the signal takes, or None."""
        if self.data is not None:
            vals = np.unique(self.data)
            return tuple(float(v) for v in vals) if len(vals) <= MAX_SUPPORT else None
        leaves = _leaves(self.signal)
        if leaves is None or len(leaves) > MAX_SUPPORT:
            return None
        return tuple(sorted(set(leaves)))

    def row(self, step: int) -> int:
        """The data row of step ``step`` (1-based), with wrap-around if periodic."""
        assert self.data is not None
        return (step - 1) % self.data.shape[0] if self.wrap else step - 1

    def check_steps(self, steps: int) -> None:
        """Raise if a non-wrapping data table is shorter than ``steps``."""
        if self.data is not None and not self.wrap and steps > self.data.shape[0]:
            raise ParameterError(
                f"steps={steps} exceeds the {self.data.shape[0]} rows of sequence "
                f"{self.name!r}'s data; use steps <= {self.data.shape[0]}"
            )

    def spec(self) -> str:
        """The ``NAME:k=v,...`` string that rebuilds this sequence."""
        if not self.params:
            return self.name
        return self.name + ":" + ",".join(f"{k}={_fmt(v)}" for k, v in self.params.items())

    def __repr__(self) -> str:
        return f"Sequence({self.spec()!r}, loss={self.loss!r})"


def _fmt(v) -> str:
    if isinstance(v, list | tuple):
        return "[" + ",".join(_fmt(a) for a in v) + "]"
    return f"{v:g}" if isinstance(v, float) else str(v)


def _leaves(expr: sp.Expr) -> list[float] | None:
    """Numeric leaf values of a Piecewise tree, or None if a leaf is not a number."""
    if isinstance(expr, sp.Piecewise):
        out = []
        for e, _c in expr.args:
            sub = _leaves(e)
            if sub is None:
                return None
            out += sub
        return out
    if expr.is_number:
        return [float(expr)]
    return None
