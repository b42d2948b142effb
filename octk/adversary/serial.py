r"""A rule's program as JSON, and back, without evaluating code.

A certificate carries the rule it was found against (:func:`rule_to_json`):
name, title, source, preset, options, hyperparameters (defaults and ranges), the
state with its initial values, the guard and the program, every expression as
SymPy's :func:`~sympy.srepr` text (``Add(Symbol('x', real=True), Integer(1))``).
:func:`rule_from_json` rebuilds the :class:`~octk.rules.Rule`, so ``octk certify``
re-checks a certificate for a user's or a zoo rule without any registry.

The srepr text is read by :func:`parse_srepr`, which never calls ``eval``: it parses
the text with :mod:`ast` and builds only the SymPy classes of :data:`CLASSES` from
literal arguments (numbers, strings, booleans and nested such calls), so a
certificate file cannot run code (``__import__('os')`` is a name outside the list,
and is refused).
"""

from __future__ import annotations

import ast
from typing import Any

import sympy as sp

from octk.errors import ParameterError
from octk.rules import Hyperparameter, Rule, State

#: the SymPy classes a serialised program may name (what the rules and the evaluators use)
CLASSES: dict[str, Any] = {
    name: getattr(sp, name)
    for name in (
        "Symbol",
        "Integer",
        "Rational",
        "Float",
        "Add",
        "Mul",
        "Pow",
        "Max",
        "Min",
        "Abs",
        "sign",
        "Piecewise",
        "StrictGreaterThan",
        "GreaterThan",
        "StrictLessThan",
        "LessThan",
        "Equality",
        "Unequality",
        "And",
        "Or",
        "Not",
        "Mod",
        "Heaviside",
        "floor",
        "ceiling",
        "Tuple",
    )
}
CLASSES["ExprCondPair"] = sp.functions.elementary.piecewise.ExprCondPair
#: bare names srepr writes for SymPy singletons
SINGLETONS: dict[str, Any] = {
    "true": sp.true,
    "false": sp.false,
    "oo": sp.oo,
    "nan": sp.nan,
    "pi": sp.pi,
    "E": sp.E,
}


def parse_srepr(text: str) -> Any:
    """The SymPy object of an srepr ``text``, built from :data:`CLASSES` only (no ``eval``)."""
    try:
        tree = ast.parse(str(text), mode="eval")
    except SyntaxError as e:
        raise ParameterError(
            f"certificate program: not an srepr expression: {text!r} ({e})"
        ) from None
    return _build(tree.body, text)


def _build(node: ast.AST, text: str) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float | str | bool):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = _build(node.operand, text)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return -value
    if isinstance(node, ast.Tuple):
        return tuple(_build(e, text) for e in node.elts)
    if isinstance(node, ast.Name) and node.id in SINGLETONS:
        return SINGLETONS[node.id]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        cls = CLASSES.get(node.func.id)
        if cls is not None:
            args = [_build(a, text) for a in node.args]
            kwargs = {}
            for kw in node.keywords:
                value = _build(kw.value, text)
                if kw.arg is None or not isinstance(value, bool | int | str):
                    break
                kwargs[kw.arg] = value
            else:
                if cls is sp.Pow and isinstance(args[1], sp.Integer) and abs(int(args[1])) > 64:
                    raise ParameterError(
                        f"certificate program: an integer power above 64 in {text[:200]!r}"
                    )
                return cls(*args, **kwargs)
    raise ParameterError(
        f"certificate program: {ast.unparse(node)!r} is not allowed in a serialised expression "
        f"(allowed: {', '.join(CLASSES)}; literals) in {text[:200]!r}"
    )


def _plain(value: Any) -> Any:
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


def rule_to_json(rule: Rule) -> dict[str, Any]:
    """The rule as JSON-ready data (expressions as srepr text)."""
    return {
        "name": rule.name,
        "title": rule.title,
        "source": rule.source,
        "preset": rule.preset,
        "options": {str(k): _plain(v) for k, v in rule.options.items()},
        "hyperparameters": [
            {
                "name": h.name,
                "default": float(h.default),
                "doc": h.doc,
                "lo": h.lo,
                "hi": h.hi,
                "lo_open": h.lo_open,
                "hi_open": h.hi_open,
                "latex": h.latex,
            }
            for h in rule.hyperparameters
        ],
        "state": [{"name": s.name, "init": sp.srepr(s.init), "doc": s.doc} for s in rule.state],
        "program": [[sp.srepr(target), sp.srepr(expr)] for target, expr in rule.program],
        "guard": sp.srepr(rule.guard),
    }


def rule_from_json(data: dict[str, Any]) -> Rule:
    """The :class:`~octk.rules.Rule` of :func:`rule_to_json`'s ``data``."""
    try:
        hypers = tuple(
            Hyperparameter(
                name=str(h["name"]),
                default=float(h["default"]),
                doc=str(h.get("doc", "")),
                lo=h.get("lo"),
                hi=h.get("hi"),
                lo_open=bool(h.get("lo_open", False)),
                hi_open=bool(h.get("hi_open", False)),
                latex=h.get("latex"),
            )
            for h in data["hyperparameters"]
        )
        state = tuple(
            State(str(s["name"]), parse_srepr(s["init"]), str(s.get("doc", "")))
            for s in data["state"]
        )
        program = []
        for target, expr in data["program"]:
            sym = parse_srepr(target)
            if not isinstance(sym, sp.Symbol):
                raise ParameterError(f"certificate program: target {target!r} is not a symbol")
            program.append((sym, parse_srepr(expr)))
        return Rule(
            name=str(data["name"]),
            title=str(data.get("title", data["name"])),
            source=str(data.get("source", "")),
            hyperparameters=hypers,
            state=state,
            program=tuple(program),
            options=dict(data.get("options", {})),
            preset=str(data.get("preset", "paper")),
            guard=parse_srepr(data.get("guard", "true")),
        )
    except (KeyError, TypeError, ValueError) as e:
        if isinstance(e, ParameterError):
            raise
        raise ParameterError(f"certificate program is malformed: {e!r}") from None


def certificate_rule(cert: dict[str, Any]) -> Rule:
    """The rule a certificate names: its ``program`` where it carries one (any rule, no
    registry needed), else the registry's ``rule``/``preset``/``options``."""
    if "program" in cert:
        return rule_from_json(cert["program"])
    from octk.rules import rule as make_rule

    return make_rule(cert["rule"], cert["preset"], **cert["options"])


__all__ = ["CLASSES", "certificate_rule", "parse_srepr", "rule_from_json", "rule_to_json"]
