r"""Any rule written back as a rule file: :func:`definition` and :func:`to_toml`.

The inverse of :func:`octk.rules.files.from_definition`: a
:class:`~octk.rules.rule.Rule` -- a registry rule, or one defined by a user -- as the
tables of a rule file (``rule``, ``hyperparameters``, ``state``, ``step``), each
expression printed in the grammar of :mod:`octk.expressions`, so that

.. math::

    \mathrm{from\_definition}(\mathrm{definition}(R)).\mathrm{program} = R.\mathrm{program}

as SymPy expressions (the tests check it for every registry rule and preset). A record
that must rebuild a rule it did not name by registry (a certificate of a user's rule)
can store ``definition(rule)`` and rebuild it without the user's file.

>>> from octk.rules import rule
>>> print(to_toml(rule("ogd")).split("[step]")[1].strip())
delta = "alpha*g/sqrt(t)"
x = "-delta + x"
"""

from __future__ import annotations

import json
import math
from typing import Any

import sympy as sp
from sympy.printing.str import StrPrinter

from octk.errors import ParameterError
from octk.rules.rule import Rule, guarded_step


class _Printer(StrPrinter):
    """SymPy's ``str`` in the names :mod:`octk.expressions` reads (``max``, ``abs``,
    ``mod``), floats at full precision."""

    def _print_Max(self, expr):
        return "max(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Min(self, expr):
        return "min(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Abs(self, expr):
        return f"abs({self._print(expr.args[0])})"

    def _print_Mod(self, expr):
        return f"mod({self._print(expr.args[0])}, {self._print(expr.args[1])})"

    def _print_Float(self, expr):
        return repr(float(expr))

    def _print_And(self, expr):
        return " and ".join(f"({self._print(a)})" for a in expr.args)

    def _print_Or(self, expr):
        return " or ".join(f"({self._print(a)})" for a in expr.args)

    def _print_BooleanTrue(self, expr):
        return "True"


def expression(expr: sp.Basic) -> str:
    """``expr`` as text that :func:`octk.expressions.parse_expression` reads back."""
    return _Printer().doprint(expr)


def _unguarded(rule: Rule, expr: sp.Basic) -> tuple[sp.Basic, bool]:
    """The step without the rule's guard, and whether the guard was there."""
    if rule.guard is sp.true:
        return expr, False
    if isinstance(expr, sp.Piecewise) and guarded_step(expr.args[0].expr, rule.guard) == expr:
        return expr.args[0].expr, True
    return expr, False


def definition(rule: Rule) -> dict[str, Any]:
    """``rule`` as the tables of a rule file (see the module doc)."""
    hypers: dict[str, Any] = {}
    for h in rule.hyperparameters:
        if h.lo is None or h.lo < 0:
            raise ParameterError(
                f"rule {rule.name!r}: hyperparameter {h.name!r} ranges below 0; a rule file's "
                "hyperparameters are non-negative"
            )
        entry: dict[str, Any] = {"default": h.default, "range": h.interval}
        if h.doc:
            entry["doc"] = h.doc
        if h.latex:
            entry["latex"] = h.latex
        hypers[h.name] = entry
    state = {s.name: {"init": expression(s.init), "doc": s.doc} for s in rule.state}
    step: dict[str, str] = {}
    guarded = False
    for target, expr in rule.program:
        if target.name == "delta":
            expr, guarded = _unguarded(rule, expr)
        step[target.name] = expression(expr)
    head: dict[str, Any] = {"name": rule.name, "title": rule.title, "source": rule.source}
    if rule.guard is not sp.true:
        if not guarded:
            raise ParameterError(
                f"rule {rule.name!r}: its guard {rule.guard} is not the guard of its step "
                "'delta'; a rule file cannot write it"
            )
        head["guard"] = expression(rule.guard)
    return {"rule": head, "hyperparameters": hypers, "state": state, "step": step}


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        if not math.isfinite(v):
            raise ParameterError(f"a rule file holds finite numbers; got {v}")
        return repr(float(v)) if isinstance(v, float) else str(v)
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_value(x)}" for k, x in v.items()) + " }"
    return json.dumps(str(v), ensure_ascii=False)


def to_toml(rule: Rule) -> str:
    """``rule`` as the text of a rule file (:func:`octk.rules.files.load_rule` reads it)."""
    tables = definition(rule)
    out: list[str] = []
    for table, entries in tables.items():
        out.append(f"[{table}]")
        out += [f"{k} = {_value(v)}" for k, v in entries.items()]
        out.append("")
    return "\n".join(out)


__all__ = ["definition", "expression", "to_toml"]
