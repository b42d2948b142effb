r"""SymPy expressions over exact rationals and intervals, compiled once into closures.

:func:`compile_expr` translates an expression of a step program into nested Python
closures over the operations of :mod:`octk.backends.exact_numbers` (cached per
expression), which :func:`evaluate` runs on an environment of values. Conditions are
three-valued (:func:`truth`: True, False, or None where the enclosures do not decide);
a Piecewise whose condition is undecided gives the hull of the branches that may apply.
In ``strict`` mode (derivatives, the Krawczyk test) any undecided switch raises
:class:`~octk.backends.exact_numbers.NotDifferentiable`.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import sympy as sp

from octk.backends.exact_numbers import (
    NotDifferentiable,
    Undecided,
    absolute,
    add,
    bounds,
    hull,
    logarithm,
    maximum,
    minimum,
    mul,
    power,
    sign,
    signum,
)
from octk.errors import ParameterError

_RELATIONS: dict[str, Callable[[int], bool]] = {
    "<": lambda s: s < 0,
    "<=": lambda s: s <= 0,
    ">": lambda s: s > 0,
    ">=": lambda s: s >= 0,
    "==": lambda s: s == 0,
    "!=": lambda s: s != 0,
}
Code = Callable[[dict[Any, Any]], Any]
_COMPILED: dict[tuple[sp.Basic, bool], Code] = {}


def evaluate(expr: sp.Basic, env: dict[Any, Any], *, strict: bool = False) -> Any:
    """``expr`` over ``env`` (symbol → exact value or interval); True/False for a
    decided condition (:class:`Undecided` for an undecided one).

    Max, Min, Abs and sign of an enclosure that straddles their switch give the hull of
    the values they take (sign: [0, 1] on [0, b], [−1, 0] on [a, 0], [−1, 1] across 0);
    a Piecewise whose condition is undecided gives the hull of the branches that may
    apply. ``strict`` (for derivatives): a switch that is not decided raises
    :class:`NotDifferentiable`; Heaviside(u) and DiracDelta(u) (SymPy's derivatives of
    Max/Min/Abs/sign) are 1/0 and 0 where sign(u) is decided and ≠ 0.

    The expression is translated once (:func:`compile_expr`) into nested Python
    closures over these operations, then run on ``env``.
    """
    return compile_expr(expr, strict=strict)(env)


def truth(cond: sp.Basic, env: dict[Any, Any], *, strict: bool = False) -> bool | None:
    """A condition's truth on the enclosures: True, False, or None (not decided)."""
    return _truth_code(cond, strict)(env)


def compile_expr(expr: sp.Basic, *, strict: bool = False) -> Code:
    """``expr`` as a function of ``env`` (see :func:`evaluate`), cached per expression."""
    key = (expr, strict)
    code = _COMPILED.get(key)
    if code is None:
        if isinstance(expr, sp.logic.boolalg.Boolean) and not isinstance(expr, sp.Symbol):
            cond = _truth_code(expr, strict)

            def code(env: dict[Any, Any], cond: Code = cond, expr: sp.Basic = expr) -> Any:
                v = cond(env)
                if v is None:
                    raise Undecided(f"the condition {expr} is not decided")
                return v
        else:
            code = _compile(expr, strict)
        if len(_COMPILED) > 20000:
            _COMPILED.clear()
        _COMPILED[key] = code
    return code


def _fold(op: Callable[[Any, Any], Any], codes: list[Code]) -> Code:
    first, rest = codes[0], codes[1:]

    def code(env: dict[Any, Any]) -> Any:
        out = first(env)
        for c in rest:
            out = op(out, c(env))
        return out

    return code


def _compile(expr: sp.Basic, strict: bool) -> Code:
    if isinstance(expr, sp.Symbol):

        def symbol(env: dict[Any, Any], sym: sp.Symbol = expr) -> Any:
            try:
                return env[sym]
            except KeyError:
                raise ParameterError(f"the interval evaluator has no value for {sym}") from None

        return symbol
    if isinstance(expr, sp.Rational | sp.Float):
        const = (
            Fraction(int(expr.p), int(expr.q))
            if isinstance(expr, sp.Rational)
            else Fraction(float(expr))  # the double the fast backends use, exactly
        )
        return lambda env: const
    if isinstance(expr, sp.Piecewise):
        return _piecewise(expr, strict)
    args = [compile_expr(a, strict=strict) for a in expr.args]
    if isinstance(expr, sp.Add):
        return _fold(add, args)
    if isinstance(expr, sp.Mul):
        return _fold(mul, args)
    if isinstance(expr, sp.Pow):
        base = args[0]
        if expr.exp.is_Rational:
            n = Fraction(int(expr.exp.p), int(expr.exp.q))
            return lambda env: power(base(env), n)
        exponent = args[1]  # a hyperparameter (Padam's p, NAdam's ψ): exact at run time

        def hyper_power(env: dict[Any, Any]) -> Any:
            n = exponent(env)
            if not isinstance(n, Fraction):
                raise Undecided(f"the exponent of {expr} is an enclosure, not a number")
            return power(base(env), n)

        return hyper_power
    if isinstance(expr, sp.Max | sp.Min):
        return _fold(maximum if isinstance(expr, sp.Max) else minimum, args)
    if isinstance(expr, sp.Abs):
        arg = args[0]
        return lambda env: absolute(arg(env))
    if isinstance(expr, sp.log) and len(args) == 1:
        arg = args[0]
        return lambda env: logarithm(arg(env))
    if isinstance(expr, sp.sign | sp.Heaviside | sp.DiracDelta):
        return _switch(expr, args[0], strict)
    if isinstance(expr, sp.Mod):

        def mod(env: dict[Any, Any]) -> Any:
            a, b = args[0](env), args[1](env)
            if not (isinstance(a, Fraction) and isinstance(b, Fraction)):
                raise Undecided("Mod of an enclosure")
            return a - b * (a // b)

        return mod
    raise ParameterError(
        f"the interval evaluator does not take {type(expr).__name__} (in {expr}); it takes "
        "+, ×, rational powers, log, Piecewise, Max, Min, Abs, sign, Heaviside, Mod and comparisons"
    )


def _switch(expr: sp.Basic, arg: Code, strict: bool) -> Code:
    """sign, Heaviside, DiracDelta (see :func:`evaluate`)."""
    kind = type(expr)
    shown = expr.args[0]

    def code(env: dict[Any, Any]) -> Any:
        u = arg(env)
        s = sign(u)
        if kind is sp.sign:
            if s is None and strict:
                raise NotDifferentiable(f"the sign of {shown} is not decided")
            return signum(u)
        if s is None or s == 0:
            raise NotDifferentiable(f"{kind.__name__} at a switch of {shown}")
        return Fraction(0) if kind is sp.DiracDelta else Fraction(1 if s > 0 else 0)

    return code


def _piecewise(expr: sp.Piecewise, strict: bool) -> Code:
    """The branch whose condition holds; where conditions are undecided, the hull of every
    branch that may apply (``strict``: raise :class:`NotDifferentiable` instead)."""
    branches = [
        (compile_expr(value, strict=strict), _truth_code(cond, strict), cond)
        for value, cond in expr.args
    ]

    def code(env: dict[Any, Any]) -> Any:
        pending: list[Any] = []
        for value, cond, shown in branches:
            c = cond(env)
            if c is False:
                continue
            if c is None and strict:
                raise NotDifferentiable(f"the branch condition {shown} is not decided")
            pending.append(value(env))
            if c is True:
                return hull(pending)
        raise Undecided(f"no branch of {expr} certainly applies")

    return code


def _truth_code(cond: sp.Basic, strict: bool) -> Callable[[dict[Any, Any]], bool | None]:
    if cond is sp.true:
        return lambda env: True
    if cond is sp.false:
        return lambda env: False
    if isinstance(cond, sp.core.relational.Relational):
        lhs, rhs = compile_expr(cond.lhs, strict=strict), compile_expr(cond.rhs, strict=strict)
        rel = _RELATIONS[cond.rel_op]

        def relation(env: dict[Any, Any]) -> bool | None:
            diff = add(lhs(env), mul(Fraction(-1), rhs(env)))
            s = sign(diff)
            if s is not None:
                return rel(s)
            lo, hi = bounds(diff)  # lhs − rhs straddles 0: which verdicts can occur
            possible = {v for v, ok in ((-1, lo < 0), (0, lo <= 0 <= hi), (1, hi > 0)) if ok}
            verdicts = {rel(v) for v in possible}
            return verdicts.pop() if len(verdicts) == 1 else None

        return relation
    if isinstance(cond, sp.And | sp.Or | sp.Not):
        parts = [_truth_code(a, strict) for a in cond.args]
        if isinstance(cond, sp.Not):
            return lambda env: (lambda v: None if v is None else not v)(parts[0](env))
        if isinstance(cond, sp.And):

            def conj(env: dict[Any, Any]) -> bool | None:
                vals = [p(env) for p in parts]
                return False if False in vals else (True if None not in vals else None)

            return conj

        def disj(env: dict[Any, Any]) -> bool | None:
            vals = [p(env) for p in parts]
            return True if True in vals else (False if None not in vals else None)

        return disj
    raise ParameterError(f"the interval evaluator does not take the condition {cond}")


__all__ = ["Code", "compile_expr", "evaluate", "truth"]
