"""SymPy code printers for octk's generated kernels.

One printer per target, differing only where the targets differ (SymPy's own
``printing/numpy.py`` is the model). Both are *strict*: an expression they
cannot print exactly raises, instead of silently calling a slow or inexact
function.

* powers with small integer exponents become products (x*x, never pow);
  √ and 1/√ become ``sqrt``; other exponents are refused;
* Floats are printed with ``repr`` of their double (round-trip exact);
  Rationals as the double of p/q;
* Piecewise becomes nested conditional expressions, which LLVM and NVCC
  turn into selects, so loops stay vectorisable.
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.c import C99CodePrinter
from sympy.printing.pycode import PythonCodePrinter

from octk.errors import ParameterError


class KernelPrintError(ParameterError):
    """An expression that a kernel printer cannot express exactly."""


def _flit(v: float) -> str:
    r = repr(float(v))
    return r if ("." in r or "e" in r or "inf" in r or "nan" in r) else r + ".0"


class _Common:
    """Printing rules shared by the Python/Numba and C/CUDA printers.

    A target differs only in its names (``_sqrt``, ``_abs``, ``_max``, ``_min``)
    and in how it spells a select (``_select_format``).
    """

    _sqrt = "sqrt"
    _abs = "abs"
    _max = "max"
    _min = "min"
    _select_format = "({a} if {cond} else {b})"

    def __init__(self, names: dict[sp.Symbol, str], settings: dict):
        super().__init__(settings)
        self._names = names

    def _select(self, cond: str, a: str, b: str) -> str:
        """``a`` where ``cond`` holds, else ``b`` (a branch-free select after compilation)."""
        return self._select_format.format(cond=cond, a=a, b=b)

    def _print_Symbol(self, expr):
        if expr in self._names:
            return self._names[expr]
        raise KernelPrintError(f"symbol {expr} has no kernel variable")

    def _print_Float(self, expr):
        return _flit(float(expr))

    def _print_Rational(self, expr):
        return _flit(expr.p / expr.q)

    def _print_Integer(self, expr):
        return str(int(expr))

    def _print_Half(self, expr):
        return "0.5"

    def _print_Pow(self, expr, rational=False):
        b, e = expr.base, expr.exp
        pb = self.parenthesize(b, sp.printing.precedence.PRECEDENCE["Atom"])
        if e == sp.S.Half:
            return f"{self._sqrt}({self._real(b)})"
        if e == -sp.S.Half:
            return f"(1.0/{self._sqrt}({self._real(b)}))"
        if e.is_Integer:
            n = int(e)
            if n == 0:
                return "1.0"
            if 1 <= abs(n) <= 4:
                prod = "*".join([pb] * abs(n))
                return f"({prod})" if n > 0 else f"(1.0/({prod}))"
        raise KernelPrintError(
            f"cannot print the power {expr} exactly in a kernel: kernels take integer "
            "exponents −4..4 and ±1/2, and b^(t+k) as a running product; the reference "
            "backend (--backend reference) evaluates any power"
        )

    def _real(self, expr) -> str:
        """``expr`` as a floating-point argument (C needs a cast for integers: sqrt(t))."""
        return self._print(expr)

    def _print_Abs(self, expr):
        return f"{self._abs}({self._print(expr.args[0])})"

    def _fold(self, fn: str, args) -> str:
        a, *rest = (self._print(x) for x in args)
        for r in rest:
            a = f"{fn}({a}, {r})"
        return a

    def _print_Max(self, expr):
        return self._fold(self._max, expr.args)

    def _print_Min(self, expr):
        return self._fold(self._min, expr.args)

    def _print_Mod(self, expr):
        a, b = (self._print(x) for x in expr.args)
        return f"(({a}) % ({b}))"

    def _print_sign(self, expr):
        a = self._print(expr.args[0])
        return self._select(f"{a} > 0", "1.0", self._select(f"{a} < 0", "-1.0", "0.0"))

    def _value(self, e):
        """A branch value, as a float literal when it is an integer (one type per select)."""
        return _flit(int(e)) if e.is_Integer else self._print(e)

    def _print_Piecewise(self, expr):
        if expr.args[-1].cond is not sp.true:
            raise KernelPrintError(f"Piecewise without an otherwise branch: {expr}")
        out = self._value(expr.args[-1].expr)
        for e, c in reversed(expr.args[:-1]):
            out = self._select(self._print(c), self._value(e), out)
        return out


class NumbaPrinter(_Common, PythonCodePrinter):
    """Python source for an ``@njit`` body (``math.sqrt``, Python conditionals)."""

    _sqrt = "math.sqrt"

    def __init__(self, names: dict[sp.Symbol, str]):
        super().__init__(names, {"strict": True, "fully_qualified_modules": True})

    def _print_BooleanTrue(self, expr):
        return "True"

    def _print_BooleanFalse(self, expr):
        return "False"


class CudaPrinter(_Common, C99CodePrinter):
    """CUDA C (double precision) for a generated ``RawKernel`` body."""

    _abs, _max, _min = "fabs", "fmax", "fmin"
    _select_format = "(({cond}) ? ({a}) : ({b}))"

    def __init__(self, names: dict[sp.Symbol, str]):
        super().__init__(names, {"strict": True})

    def _real(self, expr) -> str:
        return f"(double)({self._print(expr)})" if expr.is_integer else self._print(expr)
