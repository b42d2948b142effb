r"""The numbers of the certificate backend: exact rationals and rigorous intervals.

A value is an exact rational (:class:`fractions.Fraction`) or an interval that contains
the true value: 160-bit ``mpmath.iv`` intervals (the ``exact`` arithmetic, the default),
or :class:`~octk.backends.dinterval.DInterval` doubles rounded outward by one ulp per
operation (the ``double`` arithmetic, :func:`arithmetic`). An operation on exact operands
stays exact where the result is rational (sums, products, quotients, integer powers, the
square root of a perfect square); anything else (√ of a non-square, a rational whose
denominator outgrows :data:`MAX_BITS`) becomes an interval. Max, Min, |·| and sign of an
interval that straddles their switch give the hull of the values they take.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from typing import Any

import mpmath
import sympy as sp

from octk.backends.dinterval import DInterval
from octk.errors import ParameterError

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
    return _rational_power(a, n)


def _rational_power(a: Any, n: Fraction) -> Any:
    """a^n for any rational n (Padam's v^p, NAdam's λ^ψ): exp(n log a) on a > 0, rounded
    outward; 0^n = 0 for n > 0, so an enclosure from 0 gives [0, hi^n]."""
    lo, hi = bounds(a)
    if lo < 0 or (lo == 0 and n < 0):
        raise Undecided(f"the power {n} of an enclosure reaching {'below ' if lo < 0 else ''}0")
    if hi == 0:
        return Fraction(0)
    with _workprec():
        r = iv.mpf(n.numerator) / iv.mpf(n.denominator)
        top = iv.exp(r * iv.log(iv.mpf([hi, hi])))
        w = iv.exp(r * iv.log(to_iv(a))) if lo > 0 else None
        low = w.a if w is not None else iv.mpf(0).a
        high = w.b if w is not None else top.b
        if _mode["double"]:
            return DInterval(
                math.nextafter(float(low), -math.inf), math.nextafter(float(high), math.inf)
            )
        return iv.mpf([low, high])


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


__all__ = [
    "ARITHMETICS",
    "MAX_BITS",
    "MAX_BITS_DOUBLE",
    "PREC",
    "NotDifferentiable",
    "Undecided",
    "absolute",
    "add",
    "arithmetic",
    "bounds",
    "compare",
    "div",
    "exact",
    "hull",
    "interval",
    "logarithm",
    "lower",
    "maximum",
    "minimum",
    "mul",
    "power",
    "sign",
    "signum",
    "sqrt",
    "to_iv",
    "upper",
]
