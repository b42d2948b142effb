"""SymPy code printers for octk's generated kernels.

One printer per target, differing only where the targets differ (SymPy's own
``printing/numpy.py`` is the model). Both are *strict*: an expression they
cannot print exactly raises, instead of silently calling a slow or inexact
function.

* powers with small integer exponents become products (x*x, never pow);
  √ and 1/√ become ``sqrt``; an exponent of hyperparameters (Padam's v̂^p) becomes the
  target's ``pow``; other exponents are refused;
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

    def _lit(self, v: float) -> str:
        """A floating-point literal of the target's real type."""
        return _flit(v)

    def _select(self, cond: str, a: str, b: str) -> str:
        """``a`` where ``cond`` holds, else ``b`` (a branch-free select after compilation)."""
        return self._select_format.format(cond=cond, a=a, b=b)

    def _print_Symbol(self, expr):
        if expr in self._names:
            return self._names[expr]
        raise KernelPrintError(f"symbol {expr} has no kernel variable")

    def _print_Float(self, expr):
        return self._lit(float(expr))

    def _print_Rational(self, expr):
        return self._lit(expr.p / expr.q)

    def _print_Integer(self, expr):
        return str(int(expr))

    def _print_Half(self, expr):
        return self._lit(0.5)

    def _print_Pow(self, expr, rational=False):
        b, e = expr.base, expr.exp
        pb = self.parenthesize(b, sp.printing.precedence.PRECEDENCE["Atom"])
        if e == sp.S.Half:
            return f"{self._sqrt}({self._real(b)})"
        one = self._lit(1.0)
        if e == -sp.S.Half:
            return f"({one}/{self._sqrt}({self._real(b)}))"
        if e.is_Integer:
            n = int(e)
            if n == 0:
                return one
            if 1 <= abs(n) <= 4:
                prod = "*".join([pb] * abs(n))
                return f"({prod})" if n > 0 else f"({one}/({prod}))"
        if e.free_symbols and not any(s.is_integer for s in e.free_symbols):
            # an exponent of hyperparameters (Padam's v̂^p): the target's pow, within an
            # ulp or two of the reference's (a number never gets here: 1/3 is refused)
            return self._pow(b, e)
        raise KernelPrintError(
            f"cannot print the power {expr} exactly in a kernel: kernels take integer "
            "exponents −4..4 and ±1/2, a power of hyperparameters (b^p) and b^(t+k) as a "
            "running product; the reference backend (--backend reference) evaluates any power"
        )

    def _pow(self, b, e):
        """b^e for an exponent e of hyperparameters."""
        pb = self.parenthesize(b, sp.printing.precedence.PRECEDENCE["Atom"])
        pe = self.parenthesize(e, sp.printing.precedence.PRECEDENCE["Atom"])
        return f"({pb} ** {pe})"

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
        one, zero = self._lit(1.0), self._lit(0.0)
        return self._select(f"{a} > 0", one, self._select(f"{a} < 0", "-" + one, zero))

    def _value(self, e):
        """A branch value, as a float literal when it is an integer (one type per select)."""
        return self._lit(int(e)) if e.is_Integer else self._print(e)

    def _print_Piecewise(self, expr):
        if expr.args[-1].cond is not sp.true:
            raise KernelPrintError(f"Piecewise without an otherwise branch: {expr}")
        out = self._value(expr.args[-1].expr)
        for e, c in reversed(expr.args[:-1]):
            out = self._select(self._print(c), self._value(e), out)
        return out


class NumbaPrinter(_Common, PythonCodePrinter):
    """Python source for an ``@njit`` body (``math.sqrt``, Python conditionals), in
    ``real`` = ``"float64"`` (default) or ``"float32"``.

    Numba types arithmetic as NumPy does: float32 with a float64 literal or an int64
    (``t``) is float64. So in ``float32`` every literal is ``np.float32(...)`` and every
    integer symbol or integer-valued Mod in a real context is cast to ``np.float32``,
    and the arithmetic stays in single precision (``math.sqrt`` of a float32 is a
    float32); comparisons of two integers and the arguments of an integer Mod stay in
    int64 (``t % 3 == 0`` stays exact).
    """

    _sqrt = "math.sqrt"

    def __init__(self, names: dict[sp.Symbol, str], real: str = "float64"):
        if real not in ("float64", "float32"):
            raise KernelPrintError(f"real must be 'float64' or 'float32'; got {real!r}")
        super().__init__(names, {"strict": True, "fully_qualified_modules": True})
        self._single = real == "float32"

    _integer_context = False

    def _lit(self, v: float) -> str:
        text = _flit(v)
        return f"np.float32({text})" if self._single else text

    def _in_integers(self, fn, *args):
        outer, self._integer_context = self._integer_context, True
        try:
            return fn(*args)
        finally:
            self._integer_context = outer

    def _as_real(self, text: str) -> str:
        """An int64 value in a real context, as the kernel's real type."""
        return f"np.float32({text})" if self._single and not self._integer_context else text

    def _print_Symbol(self, expr):
        name = super()._print_Symbol(expr)
        return self._as_real(name) if expr.is_integer else name

    def _print_Integer(self, expr):
        if self._single and not self._integer_context:
            return self._lit(int(expr))
        return str(int(expr))

    def _print_Relational(self, expr):
        if self._single and _c_integer(expr.lhs) and _c_integer(expr.rhs):
            return self._in_integers(super()._print_Relational, expr)
        return super()._print_Relational(expr)

    def _print_Mod(self, expr):
        if not self._single:
            return super()._print_Mod(expr)
        n, m = expr.args
        if _c_integer(n) and m.is_Integer and m > 0:
            a, b = (self._in_integers(self._print, x) for x in expr.args)
            return self._as_real(f"(({a}) % ({b}))")
        return super()._print_Mod(expr)

    def _print_BooleanTrue(self, expr):
        return "True"

    def _print_BooleanFalse(self, expr):
        return "False"


def _c_integer(expr) -> bool:
    """Whether ``expr`` is built of integer symbols, integers, +, × and integer Mod only,
    so that C computes it in integers (floor(t/4) is integer-valued but a double in C)."""
    if expr.is_Integer or (expr.is_Symbol and expr.is_integer):
        return True
    if isinstance(expr, sp.Add | sp.Mul):
        return all(_c_integer(a) for a in expr.args)
    if isinstance(expr, sp.Mod):
        return _c_integer(expr.args[0]) and expr.args[1].is_Integer and expr.args[1] > 0
    return False


class CudaPrinter(_Common, C99CodePrinter):
    """CUDA C++ for a generated kernel, in ``real`` = ``double`` (default) or ``float``.

    In ``float``, every literal carries the ``f`` suffix and integers are cast to
    ``float``, so the arithmetic stays in single precision (C++ overloads pick
    ``sqrt(float)``, ``fmax(float, float)``); nothing is silently promoted to double.
    """

    _abs, _max, _min = "fabs", "fmax", "fmin"
    _select_format = "(({cond}) ? ({a}) : ({b}))"

    def __init__(self, names: dict[sp.Symbol, str], real: str = "double"):
        if real not in ("double", "float"):
            raise KernelPrintError(f"real must be 'double' or 'float'; got {real!r}")
        super().__init__(names, {"strict": True})
        self._real_type = real

    def _lit(self, v: float) -> str:
        text = _flit(v)
        if self._real_type == "float" and text[-1].isdigit():
            return text + "f"
        return text

    # C's integer arithmetic differs from Python's (1/t truncates, a % b takes the sign of
    # a), and C++'s math overloads are ambiguous for long long (fabs(t), fmax(t, 3)). So
    # integers are reals everywhere (t prints as (double)(t), 3 as 3.0), except in an
    # integer context: the arguments of an integer Mod, which keeps Python's sign, and
    # comparisons of two integers (t == 1 stays exact in float32 too).
    _integer_context = False

    def _real(self, expr) -> str:
        text = self._print(expr)
        if isinstance(expr, sp.Mod) and _c_integer(expr):  # the one integer-typed print
            return f"({self._real_type})({text})"
        return text

    def _in_integers(self, fn, *args):
        outer, self._integer_context = self._integer_context, True
        try:
            return fn(*args)
        finally:
            self._integer_context = outer

    def _print_Symbol(self, expr):
        name = super()._print_Symbol(expr)
        if expr.is_integer and not self._integer_context:
            return f"(({self._real_type})({name}))"
        return name

    def _print_Integer(self, expr):
        return str(int(expr)) if self._integer_context else self._lit(int(expr))

    def _print_Relational(self, expr):
        if _c_integer(expr.lhs) and _c_integer(expr.rhs):
            return self._in_integers(super()._print_Relational, expr)
        return super()._print_Relational(expr)

    def _print_Abs(self, expr):
        return f"{self._abs}({self._real(expr.args[0])})"

    def _pow(self, b, e):
        return f"pow({self._real(b)}, {self._real(e)})"

    def _fold(self, fn: str, args) -> str:
        a, *rest = (self._real(x) for x in args)
        for r in rest:
            a = f"{fn}({a}, {r})"
        return a

    def _print_Mod(self, expr):
        n, m = expr.args
        if _c_integer(n) and m.is_Integer and m > 0:
            a, b = (self._in_integers(self._print, x) for x in expr.args)
            return f"((({a}) % ({b}) + ({b})) % ({b}))"
        # otherwise in reals (exact for integer values: floor(t/4) % 3): Python's a % b
        # (the sign of b) from C's fmod (the sign of a)
        a, b = (self._print(x) for x in expr.args)
        r = self._real_type
        return f"octk_pymod(({r})({a}), ({r})({b}))"
