"""The :class:`Rule` record: an optimizer's update written once, as SymPy.

A rule is a straight-line *program* of assignments over per-coordinate symbols
(see :mod:`octk.symbols`), run once per step t = 1, 2, ...:

* a target that names a state variable (``m``, ``v``, ...) updates that state;
  later assignments in the same step see the new value;
* a target that names no state is a temporary of the step (``mhat``, ``delta``);
* the last assignment targets ``x`` and gives the unprojected next iterate
  x̂_{t+1}; the domain's projection is applied by the simulator.

Every backend, proof and bound reads this one program.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import sympy as sp

from octk.errors import check_real, unknown_name
from octk.symbols import g, t, x


@dataclass(frozen=True)
class Hyperparameter:
    """A scalar hyperparameter with its default and its allowed interval."""

    name: str
    default: float
    doc: str
    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False
    latex: str | None = None

    @property
    def symbol(self) -> sp.Symbol:
        return hyper_symbol(self.name)

    def check(self, value) -> float:
        """``value`` as a float, or a ParameterError naming this parameter and its range."""
        return check_real(
            self.name, value, lo=self.lo, hi=self.hi, lo_open=self.lo_open, hi_open=self.hi_open
        )

    @property
    def interval(self) -> str:
        left = ("(" if self.lo_open else "[") + ("-inf" if self.lo is None else f"{self.lo:g}")
        right = ("inf" if self.hi is None else f"{self.hi:g}") + (
            ")" if self.hi_open or self.hi is None else "]"
        )
        return f"{left}, {right}"


_LATEX_NAMES = {
    "alpha": r"\alpha",
    "beta1": r"\beta_1",
    "beta2": r"\beta_2",
    "eps": r"\epsilon",
    "lam": r"\lambda",
    "lr_decay": r"\eta_{\mathrm{decay}}",
    "v0": r"v_0",
}


# names sympy.pretty renders as Greek letters with subscripts (v0, the hyperparameter,
# shows as v_init: v₀ is the initial state)
_PRETTY_NAMES = {"eps": "epsilon", "lam": "lambda", "lr_decay": "eta_decay", "v0": "v_init"}


def _pretty_functions(expr: sp.Expr) -> sp.Expr:
    """Max/Min as plain functions ``max(...)``, which :func:`sympy.pretty` draws (it
    prints its own Max in plain text)."""
    return expr.replace(
        lambda e: isinstance(e, sp.Max | sp.Min),
        lambda e: sp.Function(type(e).__name__.lower())(*e.args),
    )


def rule_for_doctest() -> Rule:
    """``rule("adam")`` (for the examples in this module's docstrings)."""
    from octk.rules.catalog import rule

    return rule("adam")


def hyper_symbol(name: str) -> sp.Symbol:
    """The SymPy symbol of hyperparameter ``name`` (non-negative real)."""
    return sp.Symbol(name, real=True, nonnegative=True)


@dataclass(frozen=True)
class State:
    """A per-coordinate state variable and its initial value (an expression of hyperparameters)."""

    name: str
    init: sp.Expr
    doc: str

    @property
    def symbol(self) -> sp.Symbol:
        return sp.Symbol(self.name, real=True)


@dataclass(frozen=True)
class Rule:
    """An online optimizer's per-coordinate update, as a SymPy program.

    Attributes
    ----------
    name : registry name (``"adam"``).
    title : a human title with its variant (``"Adam (K&B Algorithm 1)"``).
    source : the paper or library whose equations these are.
    hyperparameters : scalar parameters, with defaults and allowed ranges.
    state : state variables with initial values.
    program : ordered (target symbol, expression) assignments; see the module doc.
    options : the builder options that produced this rule (bias correction, ...).
    guard : the condition under which the step is taken; where it fails (a zero
        denominator, e.g. AdaMax before the first non-zero gradient) the step is 0.
    """

    name: str
    title: str
    source: str
    hyperparameters: tuple[Hyperparameter, ...]
    state: tuple[State, ...]
    program: tuple[tuple[sp.Symbol, sp.Expr], ...]
    options: Mapping[str, object] = field(default_factory=dict)
    preset: str = "paper"
    guard: sp.Basic = sp.true

    # -- names and symbols -------------------------------------------------
    @property
    def hyper_names(self) -> tuple[str, ...]:
        return tuple(h.name for h in self.hyperparameters)

    @property
    def state_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.state)

    def hyperparameter(self, name: str) -> Hyperparameter:
        for h in self.hyperparameters:
            if h.name == name:
                return h
        raise unknown_name(f"hyperparameter of rule {self.name!r}", name, self.hyper_names)

    @property
    def defaults(self) -> dict[str, float]:
        return {h.name: h.default for h in self.hyperparameters}

    def with_defaults(self, **values) -> Rule:
        """A copy whose hyperparameter defaults are replaced (values are checked)."""
        hypers = []
        unknown = set(values) - set(self.hyper_names)
        if unknown:
            raise unknown_name(
                f"hyperparameter of rule {self.name!r}", sorted(unknown)[0], self.hyper_names
            )
        for h in self.hyperparameters:
            if h.name in values:
                h = replace(h, default=h.check(values[h.name]))
            hypers.append(h)
        return replace(self, hyperparameters=tuple(hypers))

    def resolve(self, params: Mapping[str, object] | None = None) -> dict[str, float]:
        """Defaults overridden by ``params``, each checked against its range."""
        params = dict(params or {})
        unknown = set(params) - set(self.hyper_names)
        if unknown:
            raise unknown_name(
                f"hyperparameter of rule {self.name!r}", sorted(unknown)[0], self.hyper_names
            )
        out = {}
        for h in self.hyperparameters:
            out[h.name] = h.check(params.get(h.name, h.default))
        return out

    # -- the math ------------------------------------------------------------
    @property
    def symbols(self) -> dict[str, sp.Symbol]:
        out = {"t": t, "g": g, "x": x}
        out.update({h.name: h.symbol for h in self.hyperparameters})
        out.update({s.name: s.symbol for s in self.state})
        return out

    def assignments(self, *, guarded: bool = True) -> dict[str, sp.Expr]:
        """Every target of the program (state, temporaries such as ``mhat``/``vhat``/``delta``,
        and ``x``) as an expression of the *previous* state, g, t and hyperparameters.

        The program's sequential assignments are substituted into one another;
        keys are the target names. With ``guarded=False`` the zero-denominator
        guard is dropped (the algebra of the papers, where the step is always taken).
        """
        env: dict[sp.Symbol, sp.Expr] = {}
        out: dict[str, sp.Expr] = {}
        for target, expr in self.program:
            if not guarded:  # before the substitution: the earlier values have none left
                expr = drop_guard(expr)
            value = expr.xreplace(env) if env else expr
            env[target] = value
            out[target.name] = value
        return out

    def transition(self, *, guarded: bool = True) -> dict[sp.Symbol, sp.Expr]:
        """New state and x̂_{t+1} as expressions of the *previous* state, g, t and hyperparameters.

        See :meth:`assignments`; this keeps only the state and ``x``.
        """
        symbols = {s.name: s.symbol for s in self.state} | {"x": x}
        return {
            symbols[name]: value
            for name, value in self.assignments(guarded=guarded).items()
            if name in symbols
        }

    def step_expression(self, *, guarded: bool = False) -> sp.Expr:
        """The step x_t - x̂_{t+1} in terms of the previous state (unguarded by default)."""
        return sp.simplify(x - self.transition(guarded=guarded)[x])

    # -- the effective step and Γ_t -----------------------------------------
    def first_moment_symbol(self) -> sp.Symbol:
        """The direction M_t the step scales (:func:`octk.rules.anatomy.first_moment_symbol`)."""
        from octk.rules.anatomy import first_moment_symbol

        return first_moment_symbol(self)

    def effective_step(self) -> sp.Expr:
        r"""The effective per-coordinate step η_t, δ_t = η_t M_t: a thin delegate to
        :func:`octk.rules.anatomy.effective_step`, where the program is read."""
        from octk.rules.anatomy import effective_step

        return effective_step(self)

    def inverse_effective_step(self) -> sp.Expr:
        """1/η_t (:func:`octk.rules.anatomy.inverse_effective_step`)."""
        from octk.rules.anatomy import inverse_effective_step

        return inverse_effective_step(self)

    def latex(self) -> str:
        """The program as a LaTeX ``aligned`` block, rendered from the SymPy expressions.

        State read before its update this step shows as s_{t-1}, after it as s_t.
        """
        names = {
            h.symbol: sp.Symbol(h.latex or _LATEX_NAMES.get(h.name, h.name))
            for h in self.hyperparameters
        }
        names[g], names[x] = sp.Symbol("g_t"), sp.Symbol("x_t")
        state = set(self.state_names)
        names.update({st.symbol: sp.Symbol(sp.latex(st.symbol) + "_{t-1}") for st in self.state})
        lines = []
        for target, expr in self.program:
            shown = drop_guard(expr).xreplace(names)
            lhs = sp.latex(target) if target != x else r"\hat{x}_{t+1}"
            if target.name in state:
                lhs = sp.latex(target) + "_t"
                names[target] = sp.Symbol(sp.latex(target) + "_t")
            lines.append(lhs + r" &= " + sp.latex(shown))
            if target.name not in state and target != x:
                names[target] = sp.Symbol(sp.latex(target))
        inits = ", ".join(
            f"{sp.latex(s.symbol)}_0 = {sp.latex(s.init.xreplace(names))}" for s in self.state
        )
        body = r" \\ ".join(lines)
        guard = ""
        if self.guard is not sp.true:
            guard = r" \\ &\text{(step 0 unless } " + sp.latex(self.guard.xreplace(names)) + ")"
        return (
            r"\begin{aligned} &\text{init: } "
            + (inits or r"\text{none}")
            + r" \\ "
            + body
            + guard
            + r" \\ x_{t+1} &= \Pi_F(\hat{x}_{t+1}) \end{aligned}"
        )

    def pretty(self) -> str:
        """The program as unicode math for a terminal (``help()``, ``print``), rendered by
        :func:`sympy.pretty` from the same expressions as :meth:`latex`.

        >>> print(rule_for_doctest().pretty().splitlines()[0])
        init: m₀ = 0, v₀ = 0
        """
        names = {
            h.symbol: sp.Symbol(_PRETTY_NAMES.get(h.name, h.name)) for h in self.hyperparameters
        }
        names[g], names[x] = sp.Symbol("g_t"), sp.Symbol("x_t")
        state = set(self.state_names)
        names.update({st.symbol: sp.Symbol(f"{st.name}_t-1") for st in self.state})
        inits = ", ".join(
            f"{sp.pretty(sp.Symbol(s.name + '_0'))} = {sp.pretty(s.init.xreplace(names))}"
            for s in self.state
        )
        blocks = [f"init: {inits or 'none'}"]
        for target, expr in self.program:
            lhs = sp.Symbol("xhat_t+1" if target == x else f"{target.name}_t")
            shown = _pretty_functions(drop_guard(expr).xreplace(names))
            blocks.append(sp.pretty(sp.Eq(lhs, shown, evaluate=False), use_unicode=True))
            if target.name in state or target != x:
                names[target] = lhs
        if self.guard is not sp.true:
            cond = sp.pretty(self.guard.xreplace(names), use_unicode=True)
            blocks.append("the step is 0 unless:" + ("\n" if "\n" in cond else " ") + cond)
        blocks.append("xₜ₊₁ = Π_F(x̂ₜ₊₁)")
        return "\n".join(blocks)

    def _repr_latex_(self) -> str:
        """The program rendered as math in a notebook (:meth:`latex`)."""
        return r"$\displaystyle " + self.latex() + "$"

    def describe(self) -> str:
        """A plain-text listing of the program (for ``octk list`` and error messages)."""
        lines = [f"{self.title}  [{self.source}]  preset={self.preset}"]
        for s in self.state:
            lines.append(f"  {s.name}_0 = {s.init}")
        for target, expr in self.program:
            lines.append(f"  {target} <- {drop_guard(expr)}")
        if self.guard is not sp.true:
            lines.append(f"  (step taken only where {self.guard}; else 0)")
        return "\n".join(lines)

    def __repr__(self) -> str:
        opts = "".join(f", {k}={v!r}" for k, v in self.options.items())
        return f"Rule({self.name!r}, preset={self.preset!r}{opts})"


def guarded_step(step: sp.Expr, condition: sp.Basic) -> sp.Expr:
    """``step`` where ``condition`` holds, else 0 (a Piecewise the backends vectorise)."""
    if condition is sp.true:
        return step
    return sp.Piecewise((step, condition), (sp.Integer(0), True))


def drop_guard(expr: sp.Expr) -> sp.Expr:
    """Replace every guard Piecewise((e, c), (0, True)) by e."""

    def is_guard(e):
        return (
            isinstance(e, sp.Piecewise)
            and len(e.args) == 2
            and e.args[1].cond is sp.true
            and e.args[1].expr == 0
            and isinstance(e.args[0].cond, sp.StrictGreaterThan)
            and e.args[0].cond.rhs == 0
        )

    return expr.replace(is_guard, lambda e: e.args[0].expr)
