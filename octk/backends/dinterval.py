r"""Intervals of doubles with outward rounding: the fast arithmetic of long certificates.

An interval [a, b] of IEEE doubles. Every operation computes its end points in
round-to-nearest and moves each one ulp outward (:func:`math.nextafter`): IEEE 754
rounds +, −, ×, ÷ and √ correctly (the result is within half an ulp of the exact
one), so the exact result of the operation on any points of the operands lies in
the widened interval. A rational enters as the correctly rounded double
(``float(Fraction)`` divides integers, correctly rounded), widened the same way
unless it is that double exactly.

This is what :mod:`octk.backends.exact` switches to for runs longer than the exact
re-run's limit: each step costs a few microseconds per operation (the 160-bit
``mpmath.iv`` intervals cost tens), and the width grows like T·2^-52 times the
condition of the recursion, far below the margins a certificate states.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

_INF = math.inf


def _dn(v: float) -> float:
    return math.nextafter(v, -_INF)


def _up(v: float) -> float:
    return math.nextafter(v, _INF)


class DInterval:
    """The closed interval [a, b] of doubles (``a`` ≤ ``b``), outward rounded."""

    __slots__ = ("a", "b")

    def __init__(self, a: float, b: float) -> None:
        if not a <= b:  # also catches NaN
            raise ArithmeticError(f"an interval [{a}, {b}] that is empty or not a number")
        self.a, self.b = a, b

    @staticmethod
    def of(q: Fraction | int) -> DInterval:
        """The tightest double interval holding the rational ``q`` (cached: constants
        recur every step)."""
        return _of(q)

    def __repr__(self) -> str:
        return f"DInterval({self.a!r}, {self.b!r})"

    def __add__(self, other: DInterval) -> DInterval:
        return DInterval(_dn(self.a + other.a), _up(self.b + other.b))

    def __neg__(self) -> DInterval:
        return DInterval(-self.b, -self.a)

    def __sub__(self, other: DInterval) -> DInterval:
        return DInterval(_dn(self.a - other.b), _up(self.b - other.a))

    def __mul__(self, other: DInterval) -> DInterval:
        p = (self.a * other.a, self.a * other.b, self.b * other.a, self.b * other.b)
        return DInterval(_dn(min(p)), _up(max(p)))

    def __truediv__(self, other: DInterval) -> DInterval:
        if other.a <= 0 <= other.b:
            raise ZeroDivisionError("division by an interval that contains 0")
        q = (self.a / other.a, self.a / other.b, self.b / other.a, self.b / other.b)
        return DInterval(_dn(min(q)), _up(max(q)))

    def sqrt(self) -> DInterval:
        """√ of an interval with a ≥ 0."""
        if self.a < 0:
            raise ValueError("square root of an interval reaching below 0")
        return DInterval(max(0.0, _dn(math.sqrt(self.a))), _up(math.sqrt(self.b)))

    @property
    def width(self) -> float:
        return self.b - self.a


@lru_cache(maxsize=4096)
def _of(q: Fraction | int) -> DInterval:
    f = float(q)
    if Fraction(f) == q:
        return DInterval(f, f)
    return DInterval(_dn(f), _up(f))


__all__ = ["DInterval"]
