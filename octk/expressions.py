"""Parse expressions a user types (``--sequence expr:c=...``) without evaluating code.

The text is parsed by Python's :mod:`ast` and walked node by node; only
numbers, the per-coordinate symbols, arithmetic, comparisons and a short list
of functions are accepted, so ``__import__('os')`` is an error, not a call.

>>> parse_expression("where(mod(t, 3) == 1, 3, -1)")
Piecewise((3, Eq(Mod(t, 3), 1)), (-1, True))
"""

from __future__ import annotations

import ast

import sympy as sp

from octk.errors import ParameterError
from octk.symbols import U, i, t, x

MAX_LENGTH = 10_000  # characters of an expression
MAX_DEPTH = 200  # nesting levels of an expression (Python's parser and SymPy recurse)
MAX_FLOAT = 1.7976931348623157e308

NAMES = {"t": t, "i": i, "x": x, "pi": sp.pi, "E": sp.E, **{f"U{k}": u for k, u in enumerate(U)}}


def _where(cond, a, b):
    return sp.Piecewise((a, cond), (b, True))


FUNCTIONS = {
    "where": _where,
    "mod": sp.Mod,
    "sqrt": sp.sqrt,
    "abs": sp.Abs,
    "sign": sp.sign,
    "min": sp.Min,
    "max": sp.Max,
    "exp": sp.exp,
    "log": sp.log,
    "floor": sp.floor,
    "sin": sp.sin,
    "cos": sp.cos,
}

_BINOPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
    ast.Mod: sp.Mod,
}
#: |exponent| beyond which a power of two numbers is not computed: 2**1100 is beyond
#: float64's range already, and 2**10**10 would take SymPy hours to write out
MAX_EXPONENT = 1100


def _check_power(name: str, text: str, node: ast.AST, base, exponent) -> None:
    """Refuse a power of numbers too large to compute before SymPy computes it (it would
    be rejected as beyond float64's range afterwards; 2**10**10 would take hours)."""
    if (
        isinstance(base, sp.Number)
        and isinstance(exponent, sp.Number)
        and abs(exponent) > MAX_EXPONENT
        and abs(base) not in (0, 1)
    ):
        seg = repr(ast.get_source_segment(text.strip(), node) or text.strip())
        raise ParameterError(
            f"{name}: {seg} is beyond float64's range (a power of numbers takes "
            f"|exponent| ≤ {MAX_EXPONENT})"
        )


_CMPOPS = {
    ast.Lt: sp.StrictLessThan,
    ast.LtE: sp.LessThan,
    ast.Gt: sp.StrictGreaterThan,
    ast.GtE: sp.GreaterThan,
    ast.Eq: sp.Eq,
    ast.NotEq: sp.Ne,
}


def parse_expression(
    text: str,
    *,
    name: str = "expression",
    extra: dict | None = None,
    names: dict | None = None,
    allowed: str = "numbers, t, i, x, U0..U3",
) -> sp.Expr:
    """A SymPy expression from ``text``, accepting only whitelisted syntax.

    ``extra`` maps further names (e.g. a sequence's parameters) to values; ``names``
    replaces the default names (:data:`NAMES`) altogether (a rule's symbols, see
    :mod:`octk.rules.define`), and ``allowed`` says which names those are in messages.
    ``Piecewise((a, cond), ..., (b, True))`` is SymPy's; ``where(cond, a, b)`` is its
    two-piece form. Raises :class:`ParameterError` naming ``name`` and the offending piece.

    >>> parse_expression("Piecewise((1, t > 2), (0, True))")
    Piecewise((1, t > 2), (0, True))
    """
    names = {**(NAMES if names is None else names), **(extra or {})}
    if len(text) > MAX_LENGTH:
        raise ParameterError(
            f"{name}: the expression has {len(text):,} characters; at most {MAX_LENGTH:,}"
        )
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        raise ParameterError(f"{name}: cannot parse {_short(text)} ({e.msg})") from None
    except (RecursionError, MemoryError):
        raise ParameterError(f"{name}: {_short(text)} nests too deeply to parse") from None
    depth = _depth(tree)
    if depth > MAX_DEPTH:
        raise ParameterError(
            f"{name}: {_short(text)} nests {depth} levels deep (a sum of n terms nests n "
            f"levels); at most {MAX_DEPTH}"
        )

    def bad(node, what):
        seg = ast.get_source_segment(text.strip(), node) or type(node).__name__
        functions = ", ".join(sorted([*FUNCTIONS, "Piecewise"]))
        return ParameterError(
            f"{name}: {what} {seg!r} is not allowed; use {allowed_names}, "
            f"+ - * / ** %, comparisons, and: {functions}"
        )

    allowed_names = allowed

    def walk(node):
        value = build(node)
        if isinstance(value, sp.Basic) and not isinstance(node, ast.Expression):
            _check_value(name, text, node, value)
        return value

    def build(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise bad(node, "constant")
            return (
                sp.nsimplify(node.value)
                if isinstance(node.value, float)
                else sp.Integer(node.value)
            )
        if isinstance(node, ast.Name):
            if node.id not in names:
                raise bad(node, "name")
            return sp.sympify(names[node.id])
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            v = walk(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            left, right = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Pow):
                _check_power(name, text, node, left, right)
            return _BINOPS[type(node.op)](left, right)
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _CMPOPS:
            return _CMPOPS[type(node.ops[0])](walk(node.left), walk(node.comparators[0]))
        if isinstance(node, ast.BoolOp):
            parts = [walk(v) for v in node.values]
            return sp.And(*parts) if isinstance(node.op, ast.And) else sp.Or(*parts)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in FUNCTIONS
            and not node.keywords
        ):
            return FUNCTIONS[node.func.id](*(walk(a) for a in node.args))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "Piecewise"
            and node.args
            and not node.keywords
        ):
            return sp.Piecewise(*(piece(a) for a in node.args))
        raise bad(node, "syntax")

    def piece(node):
        """One ``(expression, condition)`` pair of a Piecewise; the condition may be True."""
        if not isinstance(node, ast.Tuple) or len(node.elts) != 2:
            raise bad(node, "Piecewise piece (it must be a pair (expression, condition))")
        value, cond = node.elts
        if isinstance(cond, ast.Constant) and cond.value is True:
            return walk(value), sp.true
        return walk(value), walk(cond)

    try:
        return walk(tree)
    except ParameterError:
        raise
    except RecursionError:
        raise ParameterError(f"{name}: {_short(text)} nests too deeply to evaluate") from None
    except (TypeError, ValueError, ArithmeticError) as e:
        raise ParameterError(f"{name}: invalid expression {_short(text)} ({e})") from None


def _short(text: str) -> str:
    """``text`` quoted, cut to 60 characters."""
    text = text.strip()
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _depth(tree: ast.AST) -> int:
    """The nesting depth of ``tree``, computed without recursion."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _check_value(name: str, text: str, node: ast.AST, value: sp.Basic) -> None:
    """Reject a subexpression that is undefined, complex or beyond float64, naming it."""
    seg = repr(ast.get_source_segment(text.strip(), node) or text.strip())
    if isinstance(node, ast.Constant) and value.has(sp.oo, -sp.oo):
        raise ParameterError(f"{name}: {seg} is beyond float64's range (|v| ≤ 1.8e308)")
    if value.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        what = "divides by zero" if _divides_by_zero(node) else "is undefined or infinite"
        raise ParameterError(f"{name}: {seg} {what}; every value must be a finite real number")
    if value.has(sp.I):
        raise ParameterError(
            f"{name}: {seg} is not real (it is {value}); every value must be a real number"
        )
    for n in value.atoms(sp.Number):
        if abs(float(n)) > MAX_FLOAT if n.is_finite else True:
            raise ParameterError(
                f"{name}: {seg} gives a number beyond float64's range (|v| ≤ 1.8e308)"
            )


def _divides_by_zero(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div | ast.Mod | ast.FloorDiv)
        for n in ast.walk(node)
    ) or any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Pow) for n in ast.walk(node))
