r"""What every rule of the zoo is built from: a small program writer and the table of
hyperparameters (with their ranges) that the papers add to Adam's.

A zoo module writes its paper's algorithm box as a sequence of assignments with
:class:`Program` (state variables with initial values, temporaries, the step δ_t) and
calls :meth:`Program.rule`, which appends x̂_{t+1} = x_t − δ_t and keeps only the
hyperparameters the program uses, in the order of :data:`HYPERPARAMETERS`.
"""

from __future__ import annotations

import sympy as sp

from octk.rules.adaptive import _hyper as _core_hyper
from octk.rules.rule import Hyperparameter, Rule, State, hyper_symbol
from octk.symbols import x

# name -> (doc, lo, hi, lo_open, hi_open, LaTeX); the core names (alpha, beta1, beta2,
# eps, lam) keep the doc and range of octk.rules.adaptive
_ZOO_HYPERS: dict[str, tuple[str, float | None, float | None, bool, bool, str]] = {
    "final_lr": (
        "α*, the step size that AdaBound's lower and upper bounds both tend to",
        0.0,
        None,
        True,
        False,
        r"\alpha^{*}",
    ),
    "p": (
        "Padam's partially adaptive exponent p: the step is α_t m_t/v̂_t^p",
        0.0,
        0.5,
        True,
        False,
        "p",
    ),
    "psi": (
        "NAdam's momentum decay ψ in μ_t = β1 (1 − ½·0.96^{ψ t})",
        0.0,
        None,
        False,
        False,
        r"\psi",
    ),
    "wd": (
        "decoupled weight decay λ (Lion: x −= α (sign(c_t) + λ x_t))",
        0.0,
        None,
        False,
        False,
        r"\lambda",
    ),
    "eps_root": (
        "ε added to AdaBelief's s_t each step (optax's eps_root)",
        0.0,
        None,
        False,
        False,
        r"\epsilon_{\mathrm{root}}",
    ),
    "acc0": (
        "initial value of both accumulators m_0 = v_0 (optax's initial_accumulator_value)",
        0.0,
        None,
        False,
        False,
        r"a_0",
    ),
}

#: the order in which a zoo rule lists its hyperparameters
ORDER = ("alpha", "beta1", "beta2", "eps", "lam", "final_lr", "p", "psi", "wd", "eps_root", "acc0")


def hyperparameter(name: str, default: float) -> Hyperparameter:
    """The :class:`Hyperparameter` ``name`` with ``default`` (its range from the table)."""
    if name not in _ZOO_HYPERS:
        return _core_hyper(name, default)
    doc, lo, hi, lo_open, hi_open, latex = _ZOO_HYPERS[name]
    return Hyperparameter(
        name, default, doc, lo=lo, hi=hi, lo_open=lo_open, hi_open=hi_open, latex=latex
    )


def h(name: str) -> sp.Symbol:
    """The symbol of hyperparameter ``name`` (one of :data:`ORDER`)."""
    if name not in ORDER:  # pragma: no cover - a zoo module's typo
        raise KeyError(f"no zoo hyperparameter {name!r}; known: {ORDER}")
    return hyper_symbol(name)


class Program:
    """A rule's program, written assignment by assignment (see :mod:`octk.rules.rule`)."""

    def __init__(self) -> None:
        self.state: list[State] = []
        self.program: list[tuple[sp.Symbol, sp.Expr]] = []

    def state_var(self, name: str, doc: str, init: sp.Expr | float = 0) -> sp.Symbol:
        """Declare state ``name`` with its initial value; returns its symbol (read before
        its update it is the previous value s_{t−1})."""
        self.state.append(State(name, sp.sympify(init), doc))
        return sp.Symbol(name, real=True)

    def let(self, name: str, expr: sp.Expr) -> sp.Symbol:
        """Assign ``expr`` to ``name`` (a state's update or a temporary of the step)."""
        sym = sp.Symbol(name, real=True)
        self.program.append((sym, sp.sympify(expr)))
        return sym

    def rule(
        self,
        delta: sp.Expr,
        *,
        name: str,
        title: str,
        source: str,
        defaults: dict[str, float],
        preset: str,
        options: dict | None,
        guard: sp.Basic = sp.true,
        after: tuple[tuple[str, sp.Expr], ...] = (),
    ) -> Rule:
        """The :class:`Rule`: δ_t is assigned to ``delta``, then the ``after`` updates (state
        that the step reads before it changes, e.g. Lion's momentum), then x̂_{t+1} = x_t − δ_t."""
        d = self.let("delta", delta)
        for target, expr in after:
            self.let(target, expr)
        self.program.append((x, x - d))
        used = set()
        for _, expr in self.program:
            used |= {s.name for s in expr.free_symbols}
        for st in self.state:
            used |= {s.name for s in st.init.free_symbols}
        names = [n for n in ORDER if n in used]
        missing = [n for n in names if n not in defaults]
        if missing:  # pragma: no cover - a zoo module's bug, caught by the registry test
            raise KeyError(f"rule {name!r}: no default for {missing}")
        return Rule(
            name=name,
            title=title,
            source=source,
            hyperparameters=tuple(hyperparameter(n, defaults[n]) for n in names),
            state=tuple(self.state),
            program=tuple(self.program),
            options=dict(options or {}),
            preset=preset,
            guard=guard,
        )


def positive_part(expr: sp.Expr, value: sp.Expr, otherwise: sp.Expr | int = 0) -> sp.Expr:
    """``value`` where ``expr`` > 0, else ``otherwise``: the zero-denominator guard of a
    paper's step whose denominator is √v_t or v_t^p (the step is 0 before the first
    non-zero gradient, where the papers' algebra divides 0 by 0)."""
    return sp.Piecewise((value, sp.StrictGreaterThan(expr, 0)), (otherwise, True))


__all__ = ["ORDER", "Program", "h", "hyperparameter", "positive_part"]
