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
_CMPOPS = {
    ast.Lt: sp.StrictLessThan,
    ast.LtE: sp.LessThan,
    ast.Gt: sp.StrictGreaterThan,
    ast.GtE: sp.GreaterThan,
    ast.Eq: sp.Eq,
    ast.NotEq: sp.Ne,
}


def parse_expression(text: str, *, name: str = "expression", extra: dict | None = None) -> sp.Expr:
    """A SymPy expression from ``text``, accepting only whitelisted syntax.

    ``extra`` maps further names (e.g. a sequence's parameters) to values.
    Raises :class:`ParameterError` naming ``name`` and the offending piece.
    """
    names = {**NAMES, **(extra or {})}
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        raise ParameterError(f"{name}: cannot parse {text!r} ({e.msg})") from None

    def bad(node, what):
        seg = ast.get_source_segment(text.strip(), node) or type(node).__name__
        allowed = ", ".join(sorted(FUNCTIONS))
        return ParameterError(
            f"{name}: {what} {seg!r} is not allowed; use numbers, t, i, x, U0..U3, "
            f"+ - * / ** %, comparisons, and: {allowed}"
        )

    def walk(node):
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
            return _BINOPS[type(node.op)](walk(node.left), walk(node.right))
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
        raise bad(node, "syntax")

    try:
        return walk(tree)
    except ParameterError:
        raise
    except (TypeError, ValueError) as e:
        raise ParameterError(f"{name}: invalid expression {text!r} ({e})") from None
