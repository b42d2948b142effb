r"""Reading a rule's program for a proof: its updates, its temporaries, exact runs.

Every claim of :mod:`proofs` reads the SymPy program of an octk rule through
these helpers, never a transcription of the paper's formulas (the ones that read
the program itself are :mod:`octk.rules.anatomy`'s, re-exported here):

* :func:`update` -- the update of one state variable as a function
  (previous value, g_n, n) -> new value;
* :func:`assigned` -- a target (``mhat``, ``vhat``, ``delta``, ...) as an
  expression of the previous state, g, t and the hyperparameters;
* :func:`in_terms_of` -- a target as an expression of *earlier targets* (e.g.
  ``delta`` as a function of the value of ``vhat``), for limits taken through
  a continuous function;
* :func:`run_exact` -- the rule iterated on exact rational inputs, to confirm a
  counterexample without floating point.

A perturbed rule (:mod:`proofs.mutations`) is read the same way, so a proof
checks whatever the rule now computes.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping

import sympy as sp
from sympy.printing.pycode import SymPyPrinter

from octk.rules import anatomy  # the program is read in one place: octk.rules.anatomy
from octk.rules.rule import Rule
from octk.symbols import g, t
from proofs.claim import NotApplicable

__all__ = [
    "assigned",
    "exact",
    "first_exceeding",
    "grad",
    "in_terms_of",
    "initial",
    "iter_exact",
    "run_exact",
    "state_space",
    "state_symbol",
    "substitute",
    "update",
]

#: the gradient coordinate at step k, g_k (real), in unrolled sums
grad = sp.Function("g", real=True)


def _applies(read):
    """``read`` from :mod:`octk.rules.anatomy`, with a program that lacks what it reads
    turned into :class:`~proofs.claim.NotApplicable` (the claim does not apply)."""

    @functools.wraps(read)
    def reading(*args, **kwargs):
        try:
            return read(*args, **kwargs)
        except anatomy.NotInProgram as e:
            raise NotApplicable(str(e)) from None

    return reading


state_symbol = _applies(anatomy.state_symbol)
initial = _applies(anatomy.initial)
substitute = _applies(anatomy.substitute)
assigned = _applies(anatomy.assigned)
in_terms_of = _applies(anatomy.in_terms_of)
update = _applies(anatomy.update)


#: states that are non-negative in every run (second moments, their maxima, AdaMax's u)
NONNEGATIVE_STATES = ("v", "vmax", "u")


def state_space(rule: Rule) -> dict[sp.Symbol, tuple]:
    """Exact grid values for a counterexample search over a rule's previous state and
    decay rates: the initial state (0) first, second moments only ≥ 0, and β1 ≠ β2 at
    the first points (so that a swap of the two shows at once)."""
    from octk.rules.adaptive import beta1, beta2

    space: dict[sp.Symbol, tuple] = {}
    for st in rule.state:
        if st.name in NONNEGATIVE_STATES:
            space[st.symbol] = (sp.Integer(0), sp.Integer(1), sp.Integer(2))
        else:
            space[st.symbol] = (sp.Integer(0), sp.Integer(1), sp.Integer(-2))
    space[beta1] = (sp.Rational(1, 10), sp.Rational(1, 2), sp.Rational(9, 10))
    space[beta2] = (sp.Rational(1, 2), sp.Rational(999, 1000), sp.Rational(1, 10))
    return space


class _ExactPrinter(SymPyPrinter):
    """SymPy's Python printer, with rationals printed as ``sympy.Rational(p, q)`` (the stock
    printer writes ``9/10``, a float division)."""

    def _print_Rational(self, expr):
        return f"sympy.Rational({expr.p}, {expr.q})"

    def _print_Half(self, expr):
        return self._print_Rational(expr)

    def _print_Float(self, expr):  # pragma: no cover - rules hold no floats
        raise TypeError(f"a float {expr} in an exact run")


def exact(value) -> sp.Basic:
    """``value`` as an exact SymPy number: a float by its shortest decimal (0.999 → 999/1000),
    anything else (int, Fraction, SymPy number) as it is."""
    if isinstance(value, float) or (isinstance(value, sp.Basic) and value.is_Float):
        return sp.nsimplify(value, rational=True)
    return sp.sympify(value)


def iter_exact(
    rule: Rule,
    gradients: Iterable,
    params: Mapping[str, object],
    targets: Iterable[str] | None = None,
    extra: Mapping[str, sp.Basic] | None = None,
) -> Iterator[dict[str, sp.Basic]]:
    """Run ``rule`` exactly on ``gradients`` (rationals) with hyperparameters ``params``.

    Yields, for each step t = 1, 2, ..., the value of every target named in ``targets``
    (default: every target but ``x``), computed from the rule's own assignments in
    exact arithmetic (rationals and radicals). The state starts at the rule's initial
    values; the iterate ``x`` (only computed when asked for) starts at 0.

    ``extra`` adds expressions of the previous state, g, t and the hyperparameters
    (like the rule's targets) to evaluate at every step, e.g. the square of the
    step with ε = 0, which is rational where the step itself is a radical.
    """
    exprs = dict(rule.assignments(guarded=False))
    extra = dict(extra or {})
    exprs.update(extra)
    syms = rule.symbols
    hyper = {syms[k]: exact(v) for k, v in params.items()}
    exprs = {k: e.xreplace(hyper) for k, e in exprs.items()}
    names = tuple(k for k in exprs if k != "x") if targets is None else (*targets, *extra)
    needed = [k for k in exprs if k in names or k in rule.state_names]
    args = [s.symbol for s in rule.state] + [g, t, syms["x"]]
    # the same expressions as Python functions of SymPy numbers: exact arithmetic
    # (Rational, and sympy.sqrt for radicals) without walking the expression tree
    funcs = {
        k: sp.lambdify(args, exprs[k], modules=[{"sympy": sp}, "sympy"], printer=_ExactPrinter)
        for k in needed
    }
    state = [sp.sympify(s.init).xreplace(hyper) for s in rule.state]
    x_val = sp.Integer(0)
    for step, g_val in enumerate(gradients, start=1):
        values = (*state, exact(g_val), sp.Integer(step), x_val)
        row = {k: sp.sympify(f(*values)) for k, f in funcs.items()}
        state = [row[s.name] for s in rule.state]
        if "x" in row:
            x_val = row["x"]
        yield {k: row[k] for k in names}


def run_exact(
    rule: Rule,
    gradients: Iterable,
    params: Mapping[str, object],
    targets: Iterable[str] | None = None,
    extra: Mapping[str, sp.Basic] | None = None,
) -> list[dict[str, sp.Basic]]:
    """:func:`iter_exact` as a list, one row per step."""
    return list(iter_exact(rule, gradients, params, targets, extra))


def first_exceeding(
    rule: Rule,
    gradients: Iterable,
    params: Mapping[str, object],
    quantity: sp.Basic,
    bound: sp.Basic,
) -> tuple[int, sp.Basic] | None:
    """The first step t at which ``quantity`` (an expression of the previous state, g, t and
    the hyperparameters, e.g. the square of the rule's step) exceeds ``bound`` when the rule
    runs exactly on ``gradients``, with its value; None if it never does.

    Every value is compared exactly: ``quantity`` must evaluate to a rational number.
    """
    rows = iter_exact(rule, gradients, params, targets=(), extra={"_q": quantity})
    for step, row in enumerate(rows, start=1):
        val = row["_q"]
        if val.has(sp.zoo, sp.nan, sp.oo):
            raise NotApplicable(f"{quantity} divides by zero at t = {step} (the guard's case)")
        if not val.is_Rational:
            raise ValueError(f"{quantity} is not rational at t = {step}: {val}")
        if val > bound:
            return step, val
    return None
