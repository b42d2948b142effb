r"""Exact and interval evaluation of a :class:`~octk.backends.program.StepProgram`.

The certificate backend: it walks the very SymPy assignments the fast backends
print, over numbers that are either exact rationals (:class:`fractions.Fraction`)
or rigorous intervals (``mpmath.iv``, outward rounded). An operation on exact
operands stays exact where the result is rational (sums, products, quotients,
integer powers, the square root of a perfect square); anything else (√ of a
non-square, a rational whose denominator outgrows :data:`MAX_BITS`) becomes an
interval that contains the true value. So a run of OGD with a constant rational
step on a box with rational data is reproduced exactly, and Adam's √v̂_t is
enclosed.

A branch (``Piecewise``, a guarded step, ``Max``) is taken only where its
condition is decided for every point of the enclosure; otherwise
:class:`Undecided` is raised, and no claim is made. The projection is the
domain's, written here for the domains whose projection has a closed form: the
clip onto a box, nothing on R^d, and the Euclidean rescaling onto a ball
(Π_{F,√V} with weights that are equal across coordinates is that same rescaling;
a rule whose 1/η_t differs between coordinates is refused on a ball).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from fractions import Fraction
from typing import Any

import mpmath
import sympy as sp

from octk.backends.dinterval import DInterval
from octk.backends.program import F, S, StepProgram, W, stat_symbol
from octk.errors import ParameterError
from octk.symbols import DATA, g, i, t, x

PREC = 160  # working precision of the mpmath intervals (bits)
MAX_BITS = 4096  # exact rationals whose denominator outgrows this become intervals
MAX_BITS_DOUBLE = 64  # the same, in the "double" arithmetic
iv = mpmath.iv
ARITHMETICS = ("exact", "double")
_mode = {"double": False}


@contextmanager
def arithmetic(kind: str) -> Iterator[None]:
    """Evaluate in ``kind`` arithmetic within the block: ``exact`` (rationals, else
    160-bit ``mpmath.iv`` intervals; the default) or ``double`` (rationals while their
    denominators stay below 2^64, else :class:`~octk.backends.dinterval.DInterval`
    intervals of doubles, outward rounded by one ulp per operation)."""
    if kind not in ARITHMETICS:
        raise ParameterError(f"arithmetic must be one of {', '.join(ARITHMETICS)}; got {kind!r}")
    old = _mode["double"]
    _mode["double"] = kind == "double"
    try:
        yield
    finally:
        _mode["double"] = old


@contextmanager
def _workprec() -> Iterator[None]:
    old = iv.prec
    iv.prec = PREC
    try:
        yield
    finally:
        iv.prec = old


class Undecided(ArithmeticError):
    """A branch or comparison that the enclosures cannot decide."""


class NotDifferentiable(Undecided):
    """A derivative's switch (Heaviside, DiracDelta, sign, a Piecewise condition) that is
    not decided on the enclosure: the map is not known to be differentiable there."""


# --------------------------------------------------------------------------- numbers
def exact(value: Any) -> Fraction:
    """An exact rational from a decimal string ``"0.1"``, ``"p/q"``, an int or a float.

    A float is read as the decimal it prints as (``0.1`` → 1/10), the value a
    user typed; the double itself is not used.
    """
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ParameterError(f"exact values must be finite; got {value!r}")
        return Fraction(repr(value))
    if isinstance(value, sp.Rational):
        return Fraction(int(value.p), int(value.q))
    return Fraction(str(value).strip())


def to_iv(a: Any) -> Any:
    """An exact rational or an interval as an interval (outward rounded)."""
    if isinstance(a, bool | int):
        a = Fraction(int(a))
    if isinstance(a, Fraction):
        if _mode["double"]:
            return DInterval.of(a)
        with _workprec():
            return iv.mpf(a.numerator) / iv.mpf(a.denominator)
    return a


def _hull(lo: Any, hi: Any) -> Any:
    """The interval [lo, hi] of the active arithmetic (end points already rigorous)."""
    if _mode["double"]:
        return DInterval(float(lo), float(hi))
    return iv.mpf([lo, hi])


def interval(lo: Fraction, hi: Fraction) -> Any:
    """The interval [lo, hi] (rational ends, rounded outward)."""
    if _mode["double"]:
        return DInterval(DInterval.of(lo).a, DInterval.of(hi).b)
    with _workprec():
        return iv.mpf([to_iv(lo).a, to_iv(hi).b])


def _shrink(a: Fraction) -> Any:
    limit = MAX_BITS_DOUBLE if _mode["double"] else MAX_BITS
    if a.denominator.bit_length() > limit:
        return to_iv(a)
    return a


def bounds(a: Any) -> tuple[Any, Any]:
    """(lower, upper) end points (mpmath reals, or doubles for a DInterval)."""
    if isinstance(a, Fraction):
        v = to_iv(a)
        return v.a, v.b
    return a.a, a.b


def lower(a: Any) -> Fraction:
    """A rational ≤ every point of ``a`` (exactly ``a`` for an exact value)."""
    if isinstance(a, Fraction):
        return a
    if isinstance(a, DInterval):
        return _float_fraction(a.a)
    return _mpf_fraction(a._mpi_[0])


def upper(a: Any) -> Fraction:
    """A rational ≥ every point of ``a``."""
    if isinstance(a, Fraction):
        return a
    if isinstance(a, DInterval):
        return _float_fraction(a.b)
    return _mpf_fraction(a._mpi_[1])


def _float_fraction(v: float) -> Fraction:
    if not math.isfinite(v):
        raise Undecided("an enclosure is unbounded or not a number")
    return Fraction(v)


def _mpf_fraction(v: tuple[Any, ...]) -> Fraction:
    """An mpmath raw float (sign, mantissa, exponent, bits) as an exact rational."""
    sign_bit, man, exp, _bc = v
    if man == 0:
        if v != mpmath.libmp.fzero:
            raise Undecided("an enclosure is unbounded or not a number")
        return Fraction(0)
    out = Fraction(int(man)) * (Fraction(2) ** int(exp))
    return -out if sign_bit else out


def add(a: Any, b: Any) -> Any:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return _shrink(a + b)
    if _mode["double"]:
        return to_iv(a) + to_iv(b)
    with _workprec():
        return to_iv(a) + to_iv(b)


def mul(a: Any, b: Any) -> Any:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return _shrink(a * b)
    if _mode["double"]:
        return to_iv(a) * to_iv(b)
    with _workprec():
        return to_iv(a) * to_iv(b)


def div(a: Any, b: Any) -> Any:
    if (isinstance(b, Fraction) and b == 0) or (not isinstance(b, Fraction) and sign(b) is None):
        raise Undecided("division by an enclosure that contains 0")
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return _shrink(a / b)
    if _mode["double"]:
        return to_iv(a) / to_iv(b)
    with _workprec():
        return to_iv(a) / to_iv(b)


def sqrt(a: Any) -> Any:
    if isinstance(a, Fraction):
        if a < 0:
            raise Undecided("square root of a negative number")
        p, q = math.isqrt(a.numerator), math.isqrt(a.denominator)
        if p * p == a.numerator and q * q == a.denominator:
            return Fraction(p, q)
    lo, _ = bounds(a)
    if lo < 0:
        raise Undecided("square root of an enclosure reaching below 0")
    if _mode["double"]:
        return to_iv(a).sqrt()
    with _workprec():
        return iv.sqrt(to_iv(a))


def power(a: Any, n: Fraction) -> Any:
    if n.denominator == 1:
        k = int(n)
        out: Any = Fraction(1)
        base = a if k >= 0 else div(Fraction(1), a)
        for _ in range(abs(k)):
            out = mul(out, base)
        return out
    if n.denominator == 2:
        return power(sqrt(a), Fraction(n.numerator))
    raise ParameterError(f"the interval evaluator takes integer and half-integer powers; got {n}")


def logarithm(a: Any) -> Any:
    """log a (natural) of a positive enclosure, rounded outward."""
    if isinstance(a, Fraction) and a == 1:
        return Fraction(0)
    lo, _ = bounds(a)
    if lo <= 0:
        raise Undecided("log of an enclosure reaching 0 or below")
    with _workprec():
        if _mode["double"]:
            v = to_iv(a)
            w = iv.log(iv.mpf([v.a, v.b]))
            return DInterval(
                math.nextafter(float(w.a), -math.inf), math.nextafter(float(w.b), math.inf)
            )
        return iv.log(to_iv(a))


def sign(a: Any) -> int | None:
    """−1, 0 or 1 where decided on the whole enclosure, else None."""
    if isinstance(a, Fraction):
        return (a > 0) - (a < 0)
    if a.a > 0:
        return 1
    if a.b < 0:
        return -1
    if a.a == 0 and a.b == 0:
        return 0
    return None


def signum(a: Any) -> Any:
    """sign(a) as a number: exact where decided, else the hull of the signs the enclosure
    takes: [0, 1] for [0, b], [−1, 0] for [a, 0], [−1, 1] across 0 (sign(0) = 0)."""
    s = sign(a)
    if s is not None:
        return Fraction(s)
    lo, hi = bounds(a)
    return _hull(-1 if lo < 0 else 0, 1 if hi > 0 else 0)


def compare(a: Any, b: Any) -> int:
    """sign(a − b), raising :class:`Undecided` where the enclosures overlap."""
    s = sign(add(a, mul(Fraction(-1), b)))
    if s is None:
        raise Undecided("a comparison the enclosures cannot decide")
    return s


def maximum(a: Any, b: Any) -> Any:
    """max(a, b): the larger operand where decided, else the interval [max lo, max hi]."""
    s = sign(add(a, mul(Fraction(-1), b)))
    if s is not None:
        return a if s >= 0 else b
    (al, ah), (bl, bh) = bounds(a), bounds(b)
    return _hull(max(al, bl), max(ah, bh))


def minimum(a: Any, b: Any) -> Any:
    """min(a, b): the smaller operand where decided, else the interval [min lo, min hi]."""
    s = sign(add(a, mul(Fraction(-1), b)))
    if s is not None:
        return a if s <= 0 else b
    (al, ah), (bl, bh) = bounds(a), bounds(b)
    return _hull(min(al, bl), min(ah, bh))


def absolute(a: Any) -> Any:
    """|a|; an enclosure around 0 gives [0, max(|lo|, |hi|)]."""
    s = sign(a)
    if s is not None:
        return a if s >= 0 else mul(Fraction(-1), a)
    lo, hi = bounds(a)
    return _hull(0, max(-lo, hi))


def hull(values: list[Any]) -> Any:
    """The smallest enclosure of all ``values`` (one value: itself)."""
    if all(v == values[0] for v in values if isinstance(v, Fraction)) and all(
        isinstance(v, Fraction) for v in values
    ):
        return values[0]
    ends = [bounds(v) for v in values]
    return _hull(min(lo for lo, _ in ends), max(hi for _, hi in ends))


# --------------------------------------------------------------------------- expressions
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
        if not expr.exp.is_Rational:
            raise ParameterError(f"the interval evaluator takes rational powers; got {expr}")
        n = Fraction(int(expr.exp.p), int(expr.exp.q))
        base = args[0]
        return lambda env: power(base(env), n)
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


# --------------------------------------------------------------------------- projection
def project(domain: Any, y: list[Any], weights_uniform: bool) -> list[Any]:
    """Π_F(y) on a box, R^d or a ball (see the module docstring)."""
    kind = getattr(domain, "kind", "")
    if kind == "reals":
        return y
    if kind == "box":
        lo, hi = domain.bounds(len(y))
        out = []
        for k, v in enumerate(y):
            if math.isfinite(lo[k]):
                v = maximum(v, exact(float(lo[k])))
            if math.isfinite(hi[k]):
                v = minimum(v, exact(float(hi[k])))
            out.append(v)
        return out
    if kind == "ball":
        if domain.reads_weights and not weights_uniform:
            raise ParameterError(
                "certificates on a ball take the Euclidean projection, or Π_{F,√V} with the "
                "same weight 1/η_t on every coordinate; use projection=euclidean"
            )
        R = exact(float(domain.radius))
        n2 = Fraction(0)
        for v in y:
            n2 = add(n2, mul(v, v))
        if compare(n2, R * R) <= 0:
            return y
        scale = div(R, sqrt(n2))
        return [mul(v, scale) for v in y]
    if kind == "simplex":
        if domain.reads_weights and not weights_uniform:
            raise ParameterError(
                "certificates on a simplex take the Euclidean projection, or Π_{F,√V} with "
                "the same weight 1/η_t on every coordinate; use projection=euclidean"
            )
        return project_simplex(y, exact(float(domain.total)))
    raise ParameterError(
        f"certificates take the domains box, reals, ball and simplex; got {domain.spec()}"
    )


def project_simplex(y: list[Any], R: Fraction) -> list[Any]:
    r"""The Euclidean projection onto Δ_R = {x ≥ 0, Σ x = R}, sort-based (Held, Wolfe &
    Crowder 1974; Duchi et al. 2008): with y sorted decreasingly, τ_k = (Σ_{j≤k} y_(j) − R)/k,
    ρ the largest k with y_(k) > τ_k, x_i = max(y_i − τ_ρ, 0). Exact on rationals (sums,
    one division, comparisons); on enclosures every comparison must be decided
    (:class:`Undecided` otherwise)."""
    import functools

    def decreasing(a: int, b: int) -> int:
        return compare(y[b], y[a])

    order = sorted(range(len(y)), key=functools.cmp_to_key(decreasing))

    cum: Any = Fraction(0)
    tau: Any = None
    for k, j in enumerate(order, start=1):
        cum = add(cum, y[j])
        tau_k = div(add(cum, -R), Fraction(k))
        if compare(y[j], tau_k) > 0:
            tau = tau_k
    assert tau is not None  # k = 1 always qualifies: y_(1) > y_(1) − R
    return [maximum(add(v, mul(Fraction(-1), tau)), Fraction(0)) for v in y]


def min_linear(domain: Any, S: list[Any]) -> Any:
    """min_{x∈F} ⟨S, x⟩, exactly (box, R^d) or enclosed (ball: −R‖S‖)."""
    kind = getattr(domain, "kind", "")
    if kind == "ball":
        n2 = Fraction(0)
        for v in S:
            n2 = add(n2, mul(v, v))
        return mul(Fraction(-1), mul(exact(float(domain.radius)), sqrt(n2)))
    if kind == "simplex":
        out = S[0]
        for v in S[1:]:
            out = minimum(out, v)
        return mul(exact(float(domain.total)), out)
    if kind in ("box", "reals"):
        lo, hi = domain.bounds(len(S)) if kind == "box" else ([-math.inf] * len(S),) * 2
        hi = hi if kind == "box" else [math.inf] * len(S)
        out = Fraction(0)
        for k, s in enumerate(S):
            sg = sign(s)
            if sg is None:
                raise Undecided("the sign of a coordinate of Σ s is not decided")
            if sg == 0:
                continue
            end = lo[k] if sg > 0 else hi[k]
            if not math.isfinite(end):
                raise Undecided("the comparator is unbounded (−∞)")
            out = add(out, mul(s, exact(float(end))))
        return out
    raise ParameterError(f"certificates take the domains box, reals and ball; got {domain.spec()}")


# --------------------------------------------------------------------------- the run
def run(
    prog: StepProgram,
    domain: Any,
    *,
    x0: list[Any],
    params: dict[str, Any],
    data: Any,
    steps: int,
    wrap: bool,
    checkpoints: Iterable[int] = (),
) -> dict[str, Any]:
    """Run ``prog`` for ``steps`` steps from ``x0`` over exact ``data`` rows.

    ``x0`` (d exact values), ``params`` (name → exact value), ``data`` (rows of d
    exact values; row (t−1) mod rows where ``wrap``). Returns a dict with ``loss``
    (Σ_t Σ_i f_t(x_t), enclosed), ``S`` (Σ_t s_t per coordinate), ``x`` (x_{T+1})
    and, for each step in ``checkpoints``, the same after that step under
    ``at[step]``, and ``monitors`` (name → per-coordinate values after the last step) of
    the program's monitors. Raises :class:`Undecided` where a branch is not decided.
    """
    if prog.sequence.loss != "linear":
        raise ParameterError("certificates take linear losses (f_t(x) = ⟨s_t, x⟩)")
    d = len(x0)
    hyper = {h.symbol: exact(params[h.name]) for h in prog.rule.hyperparameters}
    state = []
    for _sym, init in prog.state:
        state.append([evaluate(sp.sympify(init), hyper)] * d)
    w_expr = dict(prog.assignments).get(W)
    uniform = w_expr is None or not (w_expr.free_symbols - {t, *hyper})
    xs = [exact(v) for v in x0]
    loss = Fraction(0)
    sums = [Fraction(0)] * d
    at = {}
    wanted = set(checkpoints)
    code = [(tg if tg != x else _XHAT, compile_expr(e)) for tg, e in prog.assignments]
    post = [(tg, compile_expr(e)) for tg, e in prog.post]
    # the monitors (accumulators after the sequence's own statistics), in order
    first = prog.n_sequence_stats
    mons = [(stat_symbol(n), compile_expr(e)) for n, e in prog.stats[first:]]
    for v in prog.stat_init[first:]:
        if not math.isfinite(v):
            raise ParameterError("certificates take monitors with a finite initial value")
    acc = [[Fraction(v)] * d for v in prog.stat_init[first:]]
    for step in range(1, steps + 1):
        row = data[(step - 1) % len(data)] if wrap else data[step - 1]
        xhat = []
        for k in range(d):
            env = dict(hyper)
            env[t] = Fraction(step)
            env[i] = Fraction(k)
            env[x] = xs[k]
            env[DATA] = row[k] if len(row) > 1 else row[0]
            for q, (sym, _) in enumerate(prog.state):
                env[sym] = state[q][k]
            for target, c in code:
                env[target] = c(env)
            loss = add(loss, env[F])
            sums[k] = add(sums[k], env[S])
            for q, (sym, _c) in enumerate(mons):
                env[sym] = acc[q][k]
            for q, (sym, c) in enumerate(mons):
                env[sym] = acc[q][k] = c(env)
            for target, c in post:
                env[target] = c(env)
            for q, (sym, _) in enumerate(prog.state):
                state[q][k] = env[sym]
            xhat.append(env[_XHAT])
            del env[g]
        xs = project(domain, xhat, uniform)
        if step in wanted:
            at[step] = {"loss": loss, "S": list(sums), "x": list(xs)}
    monitors = {sym.name: acc[q] for q, (sym, _) in enumerate(mons)}
    return {"loss": loss, "S": sums, "x": xs, "at": at, "monitors": monitors}


_XHAT = sp.Symbol("<xhat>", real=True)


__all__ = [
    "PREC",
    "Undecided",
    "evaluate",
    "exact",
    "interval",
    "lower",
    "min_linear",
    "project",
    "run",
    "upper",
]
