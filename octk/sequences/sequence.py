r"""The :class:`Sequence` record: a loss family f_t written as SymPy.

Every loss octk simulates is separable over coordinates and driven by one
per-coordinate *signal* s_{t,i}, an expression of t, i, the uniform draws
U0..U3, the played iterate x (adaptive adversaries) or a data table:

============  ====================  ==========================  ========================
loss          f_t(x) per coordinate  gradient                    sufficient statistics
============  ====================  ==========================  ========================
linear        s x                    s                           Σ s
quadratic     (x − s)²               2(x − s)                    Σ s, Σ s²  (and t)
absolute      |x − s|                sign(x − s)  (0 at x = s)   #{t: s_t = a} per value a
============  ====================  ==========================  ========================

The statistics are accumulated inside the simulation loop, so the comparator
min_{x∈F} Σ_{t≤T} f_t(x) costs the same for T = 10 and T = 10⁹.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import sympy as sp

from octk.errors import ParameterError, check_choice
from octk.symbols import DATA, U, i, t, x

LOSSES = ("linear", "quadratic", "absolute")
MAX_SUPPORT = 64


@dataclass(frozen=True, eq=False)
class Sequence:
    """A loss family over per-coordinate signals (see the module docstring).

    Attributes
    ----------
    name, params : the registry name and the parameters that built it.
    signal : s_{t,i} as a SymPy expression.
    loss : ``linear``, ``quadratic`` or ``absolute``.
    data : a (P, d) float64 table read through the symbol ``DATA`` (row t−1,
        or (t−1) mod P when ``wrap``), or None.
    bound : sup |s_{t,i}| (G∞ of a linear loss). Derived from the data table or a
        finite support when not given; None where it is unknown.
    description : one line for ``octk list``.
    """

    name: str
    params: dict
    signal: sp.Expr
    loss: str = "linear"
    data: np.ndarray | None = None
    wrap: bool = False
    bound: float | None = None
    description: str = ""
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
        if self.loss == "absolute" and self.support() is None:
            raise ParameterError(
                f"loss='absolute' needs a signal z_t with finitely many values (at most "
                f"{MAX_SUPPORT}) so that the comparator is T-independent; sequence "
                f"{self.name!r} has a continuous or unbounded set of values"
            )

    # -- derived expressions ---------------------------------------------------
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
        """The same signal under another loss family."""
        check_choice("loss", loss, LOSSES)
        return replace(self, loss=loss)

    def loss_expr(self, s: sp.Expr | None = None) -> sp.Expr:
        """f_t(x) per coordinate."""
        s = self.signal if s is None else s
        if self.loss == "linear":
            return s * x
        if self.loss == "quadratic":
            return (x - s) ** 2
        return sp.Abs(x - s)

    def gradient(self, s: sp.Expr | None = None) -> sp.Expr:
        """∇f_t(x) per coordinate (a subgradient, 0 at the kink, for ``absolute``)."""
        s = self.signal if s is None else s
        if self.loss == "linear":
            return s
        if self.loss == "quadratic":
            return 2 * (x - s)
        return sp.Piecewise((1, x > s), (-1, x < s), (0, True))

    def statistics(self, s: sp.Expr | None = None) -> tuple[tuple[str, sp.Expr], ...]:
        """(name, expression) pairs whose sums over t make the comparator problem."""
        s = self.signal if s is None else s
        if self.loss == "linear":
            return (("sum_s", s),)
        if self.loss == "quadratic":
            return (("sum_s", s), ("sum_ss", s * s))
        return tuple(
            (f"count_{k}", sp.Piecewise((1, sp.Eq(s, a)), (0, True)))
            for k, a in enumerate(self.support())
        )

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
