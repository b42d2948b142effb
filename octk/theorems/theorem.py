r"""A published regret bound written once: :class:`Theorem`.

A theorem's right-hand side is a sum of :class:`Term`\ s, SymPy expressions over the
run quantities of :mod:`octk.theorems.quantities` (T, d, D, D∞, G∞, Σ_i‖g_{1:T,i}‖₂,
…) and the rule's hyperparameters (α, β1, β2, λ). Everything else is derived from
those expressions:

* the text statement (:attr:`Theorem.statement`, printed by :func:`text`), the LaTeX
  (:meth:`Theorem.latex`) and the docstring (``Theorem.__doc__``);
* the numbers ``octk check`` prints: :meth:`Theorem.evaluate` lambdifies the terms;
* the per-coordinate terms the proofs check (:meth:`Theorem.per_coordinate`).

Its hypotheses are data (:class:`Hypothesis`), checked on a run by
:mod:`octk.bounds.hypotheses`; the algorithm it is about is an :class:`Algorithm`, a
structure of the rule's program compared with :func:`octk.rules.anatomy.anatomy`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike, NDArray
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from octk.theorems.quantities import HYPERPARAMETERS, QUANTITIES, S_mid, gnorm, vhat_T
from octk.theorems.quantities import per_coordinate as per_coordinate_of

#: γ, the name both K&B and RKK give a ratio of the decay rates (each theorem defines it)
gamma = sp.Symbol("gamma", positive=True)

#: printed names of the symbols bounds use (quantities, hyperparameters, definitions)
TEXT_NAMES: dict[sp.Symbol, str] = {q.symbol: q.text for q in QUANTITIES}
TEXT_NAMES.update({s: v[0] for s, v in HYPERPARAMETERS.items()})
TEXT_NAMES[gamma] = "γ"
LATEX_NAMES: dict[sp.Symbol, str] = {q.symbol: q.latex for q in QUANTITIES}
LATEX_NAMES.update({s: v[1] for s, v in HYPERPARAMETERS.items()})
LATEX_NAMES[gamma] = r"\gamma"
LATEX_NAMES.update(
    {gnorm: r"\|g_{1:T,i}\|_2", vhat_T: r"\hat v_{T,i}", S_mid: r"S_{\mathrm{mid},i}"}
)

_SUPERSCRIPT = {2: "²", 3: "³"}


#: quantities printed after the coefficient they multiply (``D²/(2·α) √T Σ_i …``)
_DATA = frozenset(q.symbol for q in QUANTITIES if q.text.startswith(("Σ", "T")))


class TextPrinter(StrPrinter):
    """SymPy's string printer with the bounds' notation: √(·), x², α, Σ_i ‖g_{1:T,i}‖₂;
    a product prints its coefficient first and the run's sums (and √T) after it."""

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        return TEXT_NAMES.get(expr, expr.name).replace("*", "\0")

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        b, e = expr.as_base_exp()
        if e == sp.S.Half:
            inner = self._print(b)
            return f"√{inner}" if b.is_Atom else f"√({inner})"
        if e in _SUPERSCRIPT:
            inner = self._print(b)
            bare = b.is_Atom and " " not in inner
            return (inner if bare else f"({inner})") + _SUPERSCRIPT[int(e)]
        if e.is_negative:
            return "1/" + self.parenthesize(sp.Pow(b, -e), PRECEDENCE["Mul"])
        base = self._print(b) if b.is_Atom else f"({self._print(b)})"
        exp = self._print(e) if e.is_Atom else f"({self._print(e)})"
        return f"{base}^{exp}"

    def _print_log(self, expr: sp.log) -> str:
        arg = expr.args[0]
        return f"log {self._print(arg)}" if arg.is_Atom else f"log({self._print(arg)})"

    def _print_Add(self, expr: sp.Add, order: str | None = None) -> str:
        # 1 − β1, 1 + log T, √T − 1/2: positive terms first, numbers first among them
        terms = sorted(expr.args, key=lambda a: (a.could_extract_minus_sign(), not a.is_number))
        out = self._print(terms[0])
        for a in terms[1:]:
            s = self._print(a)
            out += f" − {s[1:]}" if s.startswith("-") else f" + {s}"
        return out

    def _print_Mul(self, expr: sp.Mul) -> str:
        data = [f for f in expr.args if f.free_symbols & _DATA and not _is_divisor(f)]
        rest = sp.Mul(*(f for f in expr.args if f not in data))
        if not data or rest == 1:
            return super()._print_Mul(expr).replace("*", "·")
        head = self._print(rest) if len(sp.Mul.make_args(rest)) > 1 or rest.is_Atom else ""
        head = head or self._print(rest)
        tail = " ".join(self.parenthesize(f, PRECEDENCE["Mul"]) for f in sorted(data, key=str))
        return f"{head} {tail}"


def _is_divisor(f: sp.Basic) -> bool:
    return isinstance(f, sp.Pow) and f.exp.is_negative is True


def text(expr: sp.Basic) -> str:
    """``expr`` in the bounds' plain-text notation (``D²/(2·α·(1 − β1)) √T Σ_i v̂_{T,i}^½``)."""
    out = TextPrinter({"order": "none"}).doprint(expr)
    return out.replace(" - ", " − ").replace("\0", "*")


def latex(expr: sp.Basic) -> str:
    """``expr`` as LaTeX with the bounds' symbol names."""
    return sp.latex(expr, symbol_names=LATEX_NAMES)


@dataclass(frozen=True)
class Term:
    """One term of a right-hand side: ``expr`` (a SymPy expression), shown as ``name``.

    ``finite_if``: a condition of the theorem (e.g. γ < 1) outside which the term, and so
    the bound, is reported as +∞.
    """

    name: str
    expr: sp.Basic
    finite_if: sp.Basic = sp.true


@dataclass(frozen=True)
class Algorithm:
    """The algorithm a theorem is about, as a structure of the rule's program.

    Each field compares with the :class:`~octk.rules.anatomy.Anatomy` of a rule (None:
    any): ``first_moment`` (``ema``/``none``), ``m_bias_corrected``, ``second_moment``
    (see :data:`octk.rules.anatomy.SECOND_MOMENTS`), ``v_bias_corrected``, ``eps`` (where
    ε sits, ``outside``/``inside``/``none``).
    """

    title: str
    first_moment: str
    second_moment: str
    m_bias_corrected: bool | None = None
    v_bias_corrected: bool | None = None
    eps: tuple[str, ...] | None = None

    @property
    def family(self) -> tuple[str, str]:
        return self.first_moment, self.second_moment


@dataclass(frozen=True)
class Hypothesis:
    """A hypothesis of a theorem (``kind="stated"``) or a step its proof uses without stating
    it (``kind="proof"``). ``key`` names the check (:mod:`octk.bounds.hypotheses`); ``arg``
    is what it checks against (the :class:`Algorithm`, α_t's expression, a condition, a
    diameter's name)."""

    key: str
    arg: Any = None
    kind: str = "stated"


@dataclass(frozen=True, eq=False)
class Theorem:
    r"""A published regret bound: R(T) ≤ Σ terms, under ``hypotheses``, from ``source``.

    ``definitions`` name sub-expressions shown apart (γ = β1²/√β2); ``verified`` is False
    where the statement could not be checked against the primary text; ``derived`` marks
    octk's own bounds (derived by octk, not printed in a paper); ``note`` says why.
    """

    name: str
    title: str
    source: str
    terms_: tuple[Term, ...]
    hypotheses: tuple[Hypothesis, ...]
    definitions: dict[sp.Symbol, sp.Expr] = field(default_factory=dict)
    lhs: str = "R(T)"
    verified: bool = True
    derived: bool = False
    default: bool = False
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "__doc__", self.docstring())

    # -- the statement, derived -------------------------------------------
    @property
    def terms(self) -> tuple[str, ...]:
        """The terms' names, in order."""
        return tuple(k.name for k in self.terms_)

    @property
    def rhs(self) -> sp.Basic:
        """The right-hand side, definitions kept as symbols."""
        return sp.Add(*(k.expr for k in self.terms_), evaluate=False)

    def expanded(self, expr: sp.Basic) -> sp.Basic:
        """``expr`` with the definitions (γ, ...) substituted."""
        return expr.xreplace(self.definitions) if self.definitions else expr

    @property
    def algorithm(self) -> Algorithm | None:
        return next((h.arg for h in self.hypotheses if h.key == "algorithm"), None)

    @property
    def statement(self) -> str:
        """The statement in plain text, printed from the terms."""
        body = " + ".join(text(k.expr) for k in self.terms_)
        where = ", ".join(f"{text(s)} = {text(v)}" for s, v in self.definitions.items())
        return f"{self.lhs} ≤ {body}" + (f", {where}" if where else "")

    def latex(self, per_coordinate: bool = False) -> str:
        """The statement in LaTeX, printed from the terms (``per_coordinate``: for one
        coordinate, as :meth:`per_coordinate` gives it, e.g. for a proof's claim)."""
        one = per_coordinate_of if per_coordinate else (lambda e: e)
        body = " + ".join(latex(one(k.expr)) for k in self.terms_)
        where = ", ".join(f"{latex(s)} = {latex(v)}" for s, v in self.definitions.items())
        lhs = "R(T)" if self.lhs == "R(T)" else "R_T"
        tail = r"\ \text{(per coordinate)}" if per_coordinate else ""
        return rf"{lhs} \le {body}" + (rf",\quad {where}" if where else "") + tail

    def docstring(self) -> str:
        lines = [f"{self.title} [{self.source}].", "", ".. math::", "", "    " + self.latex(), ""]
        lines += [f"``{k.name}``: {text(k.expr)}" for k in self.terms_]
        if self.note:
            lines += ["", self.note]
        return "\n".join(lines)

    def per_coordinate(self) -> dict[str, sp.Basic]:
        """Each term for one coordinate (d = 1, Σ_i‖g_{1:T,i}‖₂ → ‖g_{1:T,i}‖₂, ...), the
        definitions substituted: what the proofs in ``proofs/`` check."""
        return {k.name: per_coordinate_of(self.expanded(k.expr)) for k in self.terms_}

    # -- evaluation, derived ----------------------------------------------
    @cached_property
    def symbols(self) -> tuple[sp.Symbol, ...]:
        """The symbols the evaluation needs (quantities and hyperparameters), sorted by name."""
        free: set[sp.Symbol] = set()
        for k in self.terms_:
            free |= self.expanded(k.expr).free_symbols
            free |= self.expanded(k.finite_if).free_symbols
        return tuple(sorted(free, key=lambda s: s.name))

    @cached_property
    def _functions(
        self,
    ) -> tuple[list[Callable[..., ArrayLike]], list[Callable[..., ArrayLike] | None]]:
        args = self.symbols
        terms = [sp.lambdify(args, self.expanded(k.expr), "numpy") for k in self.terms_]
        conds = [
            None if k.finite_if is sp.true else sp.lambdify(args, self.expanded(k.finite_if))
            for k in self.terms_
        ]
        return terms, conds

    @cached_property
    def definition_functions(
        self,
    ) -> dict[sp.Symbol, tuple[tuple[sp.Symbol, ...], Callable[..., ArrayLike]]]:
        """Each definition (γ) as a NumPy function of its sorted free symbols."""
        out = {}
        for sym, expr in self.definitions.items():
            args = tuple(sorted(expr.free_symbols, key=lambda s: s.name))
            out[sym] = (args, sp.lambdify(args, expr, "numpy"))
        return out

    def evaluate(
        self, values: Mapping[sp.Symbol, ArrayLike], shape: tuple[int, ...]
    ) -> dict[str, NDArray[np.float64]]:
        """Each term's value (arrays broadcast to ``shape``), from the lambdified terms.

        ``values`` maps each of :attr:`symbols` to a number or an array broadcastable to
        ``shape``; a term whose ``finite_if`` fails is +∞.
        """
        missing = [s for s in self.symbols if s not in values]
        if missing:
            raise KeyError(f"{self.name}: no value for {', '.join(map(str, missing))}")
        args = [values[s] for s in self.symbols]
        out = {}
        terms, conds = self._functions
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            for k, f, c in zip(self.terms_, terms, conds, strict=True):
                v = np.broadcast_to(np.asarray(f(*args), dtype=np.float64), shape)
                if c is not None:
                    v = np.where(np.broadcast_to(c(*args), shape), v, np.inf)
                out[k.name] = np.array(v, dtype=np.float64)
        return out

    def __repr__(self) -> str:
        return f"Theorem({self.name!r})"


__all__ = [
    "LATEX_NAMES",
    "TEXT_NAMES",
    "Algorithm",
    "Hypothesis",
    "Term",
    "Theorem",
    "gamma",
    "latex",
    "text",
]
