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
from contextlib import contextmanager
from fractions import Fraction

import mpmath
import sympy as sp

from octk.backends.program import F, S, StepProgram, W
from octk.errors import ParameterError
from octk.symbols import DATA, g, i, t, x

PREC = 160  # working precision of the intervals (bits)
MAX_BITS = 4096  # exact rationals whose denominator outgrows this become intervals
iv = mpmath.iv


@contextmanager
def _workprec():
    old = iv.prec
    iv.prec = PREC
    try:
        yield
    finally:
        iv.prec = old


class Undecided(ArithmeticError):
    """A branch or comparison that the enclosures cannot decide."""


# --------------------------------------------------------------------------- numbers
def exact(value) -> Fraction:
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


def to_iv(a):
    """An exact rational or an interval as an interval (outward rounded)."""
    if isinstance(a, Fraction):
        with _workprec():
            return iv.mpf(a.numerator) / iv.mpf(a.denominator)
    if isinstance(a, bool | int):
        return iv.mpf(int(a))
    return a


def interval(lo: Fraction, hi: Fraction):
    """The interval [lo, hi] (rational ends, rounded outward)."""
    with _workprec():
        return iv.mpf([to_iv(lo).a, to_iv(hi).b])


def _shrink(a):
    if isinstance(a, Fraction) and a.denominator.bit_length() > MAX_BITS:
        return to_iv(a)
    return a


def bounds(a) -> tuple[mpmath.mpf, mpmath.mpf]:
    """(lower, upper) endpoints as mpmath reals."""
    if isinstance(a, Fraction):
        v = to_iv(a)
        return v.a, v.b
    return a.a, a.b


def lower(a) -> Fraction:
    """A rational ≤ every point of ``a`` (exactly ``a`` for an exact value)."""
    if isinstance(a, Fraction):
        return a
    return _mpf_fraction(a._mpi_[0])


def upper(a) -> Fraction:
    """A rational ≥ every point of ``a``."""
    if isinstance(a, Fraction):
        return a
    return _mpf_fraction(a._mpi_[1])


def _mpf_fraction(v: tuple) -> Fraction:
    """An mpmath raw float (sign, mantissa, exponent, bits) as an exact rational."""
    sign_bit, man, exp, _bc = v
    if man == 0:
        if v != mpmath.libmp.fzero:
            raise Undecided("an enclosure is unbounded or not a number")
        return Fraction(0)
    out = Fraction(int(man)) * (Fraction(2) ** int(exp))
    return -out if sign_bit else out


def add(a, b):
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return _shrink(a + b)
    with _workprec():
        return to_iv(a) + to_iv(b)


def mul(a, b):
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return _shrink(a * b)
    with _workprec():
        return to_iv(a) * to_iv(b)


def div(a, b):
    if (isinstance(b, Fraction) and b == 0) or (not isinstance(b, Fraction) and sign(b) is None):
        raise Undecided("division by an enclosure that contains 0")
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return _shrink(a / b)
    with _workprec():
        return to_iv(a) / to_iv(b)


def sqrt(a):
    if isinstance(a, Fraction):
        if a < 0:
            raise Undecided("square root of a negative number")
        p, q = math.isqrt(a.numerator), math.isqrt(a.denominator)
        if p * p == a.numerator and q * q == a.denominator:
            return Fraction(p, q)
    lo, _ = bounds(a)
    if lo < 0:
        raise Undecided("square root of an enclosure reaching below 0")
    with _workprec():
        return iv.sqrt(to_iv(a))


def power(a, n: Fraction):
    if n.denominator == 1:
        k = int(n)
        out = Fraction(1)
        base = a if k >= 0 else div(Fraction(1), a)
        for _ in range(abs(k)):
            out = mul(out, base)
        return out
    if n.denominator == 2:
        return power(sqrt(a), Fraction(n.numerator))
    raise ParameterError(f"the interval evaluator takes integer and half-integer powers; got {n}")


def sign(a) -> int | None:
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


def compare(a, b) -> int:
    """sign(a − b), raising :class:`Undecided` where the enclosures overlap."""
    s = sign(add(a, mul(Fraction(-1), b)))
    if s is None:
        raise Undecided("a comparison the enclosures cannot decide")
    return s


def maximum(a, b):
    """max(a, b): the larger operand where decided, else the interval [max lo, max hi]."""
    s = sign(add(a, mul(Fraction(-1), b)))
    if s is not None:
        return a if s >= 0 else b
    (al, ah), (bl, bh) = bounds(a), bounds(b)
    return iv.mpf([max(al, bl), max(ah, bh)])


def minimum(a, b):
    """min(a, b): the smaller operand where decided, else the interval [min lo, min hi]."""
    s = sign(add(a, mul(Fraction(-1), b)))
    if s is not None:
        return a if s <= 0 else b
    (al, ah), (bl, bh) = bounds(a), bounds(b)
    return iv.mpf([min(al, bl), min(ah, bh)])


def absolute(a):
    """|a|; an enclosure around 0 gives [0, max(|lo|, |hi|)]."""
    s = sign(a)
    if s is not None:
        return a if s >= 0 else mul(Fraction(-1), a)
    lo, hi = bounds(a)
    return iv.mpf([0, max(-lo, hi)])


# --------------------------------------------------------------------------- expressions
def evaluate(expr: sp.Basic, env: dict):
    """``expr`` over ``env`` (symbol → exact value or interval); booleans for conditions."""
    if isinstance(expr, sp.Symbol):
        try:
            return env[expr]
        except KeyError:
            raise ParameterError(f"the interval evaluator has no value for {expr}") from None
    if expr is sp.true:
        return True
    if expr is sp.false:
        return False
    if isinstance(expr, sp.Rational):
        return Fraction(int(expr.p), int(expr.q))
    if isinstance(expr, sp.Float):
        return Fraction(float(expr))  # the double the fast backends use, exactly
    if isinstance(expr, sp.Add):
        out = Fraction(0)
        for a in expr.args:
            out = add(out, evaluate(a, env))
        return out
    if isinstance(expr, sp.Mul):
        out = Fraction(1)
        for a in expr.args:
            out = mul(out, evaluate(a, env))
        return out
    if isinstance(expr, sp.Pow):
        if not expr.exp.is_Rational:
            raise ParameterError(f"the interval evaluator takes rational powers; got {expr}")
        return power(evaluate(expr.base, env), Fraction(int(expr.exp.p), int(expr.exp.q)))
    if isinstance(expr, sp.Piecewise):
        for value, cond in expr.args:
            if evaluate(cond, env):
                return evaluate(value, env)
        raise Undecided(f"no branch of {expr} applies")
    if isinstance(expr, sp.Max | sp.Min):
        pick = maximum if isinstance(expr, sp.Max) else minimum
        vals = [evaluate(a, env) for a in expr.args]
        out = vals[0]
        for v in vals[1:]:
            out = pick(out, v)
        return out
    if isinstance(expr, sp.Abs):
        return absolute(evaluate(expr.args[0], env))
    if isinstance(expr, sp.sign):
        s = sign(evaluate(expr.args[0], env))
        if s is None:
            raise Undecided(f"the sign of {expr.args[0]} is not decided")
        return Fraction(s)
    if isinstance(expr, sp.Mod):
        a, b = (evaluate(u, env) for u in expr.args)
        if not (isinstance(a, Fraction) and isinstance(b, Fraction)):
            raise Undecided("Mod of an enclosure")
        return a - b * (a // b)
    if isinstance(expr, sp.core.relational.Relational):
        s = compare(evaluate(expr.lhs, env), evaluate(expr.rhs, env))
        op = expr.rel_op
        return {"<": s < 0, "<=": s <= 0, ">": s > 0, ">=": s >= 0, "==": s == 0, "!=": s != 0}[op]
    if isinstance(expr, sp.And):
        return all(evaluate(a, env) for a in expr.args)
    if isinstance(expr, sp.Or):
        return any(evaluate(a, env) for a in expr.args)
    if isinstance(expr, sp.Not):
        return not evaluate(expr.args[0], env)
    raise ParameterError(
        f"the interval evaluator does not take {type(expr).__name__} (in {expr}); it takes "
        "+, ×, rational powers, Piecewise, Max, Min, Abs, sign, Mod and comparisons"
    )


# --------------------------------------------------------------------------- projection
def project(domain, y: list, weights_uniform: bool) -> list:
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
    raise ParameterError(f"certificates take the domains box, reals and ball; got {domain.spec()}")


def min_linear(domain, S: list):
    """min_{x∈F} ⟨S, x⟩, exactly (box, R^d) or enclosed (ball: −R‖S‖)."""
    kind = getattr(domain, "kind", "")
    if kind == "ball":
        n2 = Fraction(0)
        for v in S:
            n2 = add(n2, mul(v, v))
        return mul(Fraction(-1), mul(exact(float(domain.radius)), sqrt(n2)))
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
    domain,
    *,
    x0: list,
    params: dict,
    data,
    steps: int,
    wrap: bool,
    checkpoints=(),
) -> dict:
    """Run ``prog`` for ``steps`` steps from ``x0`` over exact ``data`` rows.

    ``x0`` (d exact values), ``params`` (name → exact value), ``data`` (rows of d
    exact values; row (t−1) mod rows where ``wrap``). Returns a dict with ``loss``
    (Σ_t Σ_i f_t(x_t), enclosed), ``S`` (Σ_t s_t per coordinate), ``x`` (x_{T+1})
    and, for each step in ``checkpoints``, the same after that step under
    ``at[step]``. Raises :class:`Undecided` where a branch is not decided.
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
            for target, e in prog.assignments:
                env[target if target != x else _XHAT] = evaluate(e, env)
            loss = add(loss, env[F])
            sums[k] = add(sums[k], env[S])
            for target, e in prog.post:
                env[target] = evaluate(e, env)
            for q, (sym, _) in enumerate(prog.state):
                state[q][k] = env[sym]
            xhat.append(env[_XHAT])
            del env[g]
        xs = project(domain, xhat, uniform)
        if step in wanted:
            at[step] = {"loss": loss, "S": list(sums), "x": list(xs)}
    return {"loss": loss, "S": sums, "x": xs, "at": at}


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
