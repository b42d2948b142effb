r"""Exact decisions for one variable, radicals and closed-form numbers.

These extend :mod:`proofs.certify` (which re-exports only :func:`sign_on_interval`
from here; import from this module):

* :func:`decide_on_interval` -- a Boolean condition on the signs of finitely many
  rational functions of one variable, decided for *every* point of an interval.
  The real line is cut at the real roots of every numerator and denominator,
  isolated in disjoint rational intervals by Sturm sequences; the condition is
  checked at one rational point of each open cell and at each root (where the sign
  of a function that does not vanish there is its sign on the isolating interval).
  This is a complete, exact decision (a one-dimensional cylindrical decomposition).
* :func:`sign_on_interval` -- ``expr > 0`` (or ≥ 0) on an interval, on top of it.
* :func:`radicals_positive` -- Σ c_i(x)·√r_i(x) > 0 on an interval, for up to three
  radicals with rational c_i, r_i: reduced by exact squaring (A > B ⟺ A² > B² for
  A, B ≥ 0) to a condition on the signs of rational functions, then decided.
* :func:`certified_sign` -- the sign of a closed-form real number (rationals,
  radicals, logarithms): exactly where it is rational or a sum of at most three
  radicals, else by outward-rounded interval arithmetic (``mpmath.iv``): an
  enclosure that excludes 0 is a proof of the sign.
* :func:`nonnegative_by_derivative` -- f ≥ 0 on [lo, hi) from f(lo) ≥ 0 and f' ≥ 0
  (f' a rational function, decided exactly).
* :func:`resolve_max` -- Max(a, b, ...) replaced by the argument that dominates the
  others on the whole interval (decided exactly).
* :func:`pull_max_factors`, :func:`scaling_exponents` -- homogeneity: the exponents
  (p, q) with expr(scaled) = a^p b^q · expr.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Iterable, Mapping

import sympy as sp

from proofs.claim import Outcome, Step, proved, refuted, undecided

# ----------------------------------------------------------------------------- intervals


def interval(expr: sp.Basic, dps: int = 40):
    """An ``mpmath.iv`` interval that contains the real number ``expr`` (outward rounding).

    Supports rationals, +, ×, integer and rational powers (of positive bases), sqrt,
    log, exp, Abs and π. Raises TypeError for anything else.
    """
    from mpmath import iv

    iv.dps = dps

    def ev(e):
        if e.is_Integer:
            return iv.mpf(int(e))
        if e.is_Rational:
            return iv.mpf(int(e.p)) / iv.mpf(int(e.q))
        if e is sp.pi:
            return iv.pi
        if e is sp.E:
            return iv.e
        if e.is_Add:
            out = iv.mpf(0)
            for a in e.args:
                out = out + ev(a)
            return out
        if e.is_Mul:
            out = iv.mpf(1)
            for a in e.args:
                out = out * ev(a)
            return out
        if e.is_Pow:
            base, ex = e.args
            if ex.is_Integer:
                b = ev(base)
                n = int(ex)
                out = iv.mpf(1)
                for _ in range(abs(n)):
                    out = out * b
                return out if n >= 0 else 1 / out
            if ex.is_Rational:
                b = ev(base)
                r = iv.sqrt(b) if ex.q == 2 else iv.exp(iv.log(b) / int(ex.q))
                out = iv.mpf(1)
                for _ in range(abs(int(ex.p))):
                    out = out * r
                return out if ex.p >= 0 else 1 / out
            return iv.exp(ev(ex) * iv.log(ev(base)))
        if isinstance(e, sp.log) and len(e.args) == 1:
            return iv.log(ev(e.args[0]))
        if isinstance(e, sp.exp):
            return iv.exp(ev(e.args[0]))
        if isinstance(e, sp.Abs):
            v = ev(e.args[0])
            if v.a >= 0:
                return v
            if v.b <= 0:
                return -v
            return iv.mpf([0, max(-v.a, v.b)])
        raise TypeError(f"no interval evaluation for {e!r}")

    return ev(sp.sympify(expr))


def certified_sign(value: sp.Basic) -> tuple[int | None, str]:
    """(sign, how) of a closed-form real number: −1, 0 or 1, or None where not decided.

    Rational numbers and sums of at most three radicals of rationals are decided
    exactly (by squaring); anything else by interval arithmetic at 40, 100 and 300
    digits -- an outward-rounded enclosure that excludes 0 proves the sign.
    """
    v = sp.sympify(value)
    if v.is_Rational:
        return (0 if v == 0 else (1 if v > 0 else -1)), "rational"
    if v.free_symbols:
        raise ValueError(f"certified_sign needs a number; got {v}")
    try:
        groups, _ = radical_terms(v, None)
    except ValueError:
        groups = None
    if groups is not None and len(groups) <= 3:
        pos = radicals_positive(v, None, 0, 1)
        if pos.proved:
            return 1, "exact (squaring)"
        neg = radicals_positive(-v, None, 0, 1)
        if neg.proved:
            return -1, "exact (squaring)"
    for dps in (40, 100, 300):
        try:
            iv_ = interval(v, dps)
        except (TypeError, ValueError, ZeroDivisionError):
            return None, "no interval evaluation"
        if iv_.a > 0:
            return 1, f"interval arithmetic ({dps} digits)"
        if iv_.b < 0:
            return -1, f"interval arithmetic ({dps} digits)"
    if sp.simplify(v) == 0:
        return 0, "simplifies to 0"
    return None, "enclosure contains 0"


# ----------------------------------------------------------------------------- one variable


def _poly(expr: sp.Basic, var: sp.Symbol) -> sp.Poly:
    return sp.Poly(expr, var, domain=sp.QQ)


def _isolate(P: sp.Poly, a, b) -> tuple[sp.Rational, sp.Rational]:
    """A closed interval [a', b'] ⊆ [a, b] holding exactly one root of ``P``, the one root
    of the open interval (a, b) (or a = b, a root), with end points that are no roots.

    SymPy's isolating intervals may share an end point that is itself a root (the
    root of the neighbouring interval); bisection moves such end points inwards.
    """
    if a == b:
        return a, b
    while P.eval(a) == 0 or P.eval(b) == 0:
        mid = (a + b) / 2
        if P.eval(mid) == 0:
            return mid, mid
        left = P.count_roots(a, mid) - (1 if P.eval(a) == 0 else 0)
        if left >= 1:
            b = mid
        else:
            a = mid
    return a, b


def _halve(P: sp.Poly, a, b) -> tuple[sp.Rational, sp.Rational]:
    """The half of [a, b] that holds its one root of ``P`` (the root itself, [m, m], if it
    is the midpoint m)."""
    mid = (a + b) / 2
    if P.eval(mid) == 0:
        return mid, mid
    return (mid, b) if P.count_roots(mid, b) == 1 else (a, mid)


def _roots_in(P: sp.Poly, lo, hi) -> list[tuple[sp.Rational, sp.Rational]]:
    """Disjoint rational isolating intervals [a, b] of the real roots of the square-free
    ``P`` in the open interval (lo, hi), each strictly inside it, in increasing order."""
    if P.degree() <= 0:
        return []
    out = []
    for (a, b), _mult in P.intervals():
        a, b = _isolate(P, sp.Rational(a), sp.Rational(b))
        if lo is not -sp.oo:
            if b < lo or (a == b == lo):
                continue
            if a <= lo:
                if P.eval(lo) == 0:  # the one root of [a, b] is lo itself
                    continue
                if P.count_roots(lo, b) == 0:
                    continue
                a = lo
                while a <= lo:  # bisect until the interval starts above lo
                    a, b = _halve(P, a, b)
        if hi is not sp.oo:
            if a > hi or (a == b == hi):
                continue
            if b >= hi:
                if P.eval(hi) == 0:
                    continue
                if P.count_roots(a, hi) == 0:
                    continue
                b = hi
                while b >= hi:  # bisect until the interval ends below hi
                    a, b = _halve(P, a, b)
        out.append((a, b))
    return sorted(out)


def _sign_of(v: sp.Basic) -> int:
    return 0 if v == 0 else (1 if v > 0 else -1)


def decide_on_interval(
    functions: Mapping[str, sp.Basic],
    condition: Callable[[Mapping[str, int]], bool],
    var: sp.Symbol | None,
    lo,
    hi,
) -> tuple[bool | None, sp.Basic | None, int]:
    """Whether ``condition(signs)`` holds at every point of the open interval (lo, hi).

    ``functions`` are rational functions of ``var`` (name -> expression); ``signs``
    maps each name to −1, 0 or 1 at a point. Returns (answer, witness, cells):
    answer True (holds everywhere), False (``witness`` is a point where it fails: a
    rational, or an exact algebraic number ``CRootOf``), or None (a function has a
    pole inside the interval where the condition would have to be read).
    ``var=None`` means the functions are constants.
    """

    def free(f):
        return f.free_symbols if isinstance(f, sp.Basic) else {var}

    if var is None or not any(var in free(f) for f in functions.values()):
        funcs = {k: sp.cancel(sp.together(sp.sympify(f))) for k, f in functions.items()}
        signs = {k: _sign_of(f) for k, f in funcs.items()}
        ok = condition(signs)
        return bool(ok), (None if ok else sp.Integer(0)), 1
    # exact arithmetic in the field Q(var): fast, and numerator/denominator coprime
    K = sp.QQ.frac_field(var)
    parts = {}
    for k, f in functions.items():
        el = K.from_sympy(f) if isinstance(f, sp.Basic) else K.convert(f)
        parts[k] = (_poly(el.numer.as_expr(), var), _poly(el.denom.as_expr(), var))
    P = _poly(1, var)
    for num, den in parts.values():
        for p in (num, den):
            if p.degree() > 0:
                P = P * p
    P = P.sqf_part() if P.degree() > 0 else P
    roots = _roots_in(P, lo, hi)

    def at_point(c) -> dict[str, int] | None:
        out = {}
        for k, (num, den) in parts.items():
            d = den.eval(c)
            if d == 0:
                return None
            out[k] = _sign_of(num.eval(c) / d)
        return out

    # sample points of the open cells
    edges_lo = [lo] + [b for _, b in roots]
    edges_hi = [a for a, _ in roots] + [hi]
    samples = []
    for left, right in zip(edges_lo, edges_hi, strict=True):
        if left is -sp.oo and right is sp.oo:
            samples.append(sp.Integer(0))
        elif left is -sp.oo:
            samples.append(right - 1)
        elif right is sp.oo:
            samples.append(left + 1)
        elif left < right:
            samples.append((left + right) / 2)
        else:  # touching isolating intervals: the common end point is no root
            samples.append(left)
    for c in samples:
        s = at_point(c)
        if s is None:  # pragma: no cover - a sample is never a root
            return None, None, len(samples) + len(roots)
        if not condition(s):
            return False, c, len(samples) + len(roots)
    # the roots themselves
    expr_P = P.as_expr()
    for a, b in roots:
        signs = {}
        for k, (num, den) in parts.items():
            if den.degree() > 0 and den.count_roots(a, b) > 0:
                return None, None, len(samples) + len(roots)
            if num.degree() > 0 and num.count_roots(a, b) > 0:
                signs[k] = 0
            else:
                signs[k] = _sign_of(num.eval(a) / den.eval(a))
        if not condition(signs):
            if a == b:
                return False, a, len(samples) + len(roots)
            index = P.count_roots(None, a)
            return False, sp.CRootOf(expr_P, index), len(samples) + len(roots)
    return True, None, len(samples) + len(roots)


def sign_on_interval(
    expr: sp.Basic,
    var: sp.Symbol,
    lo: sp.Basic,
    hi: sp.Basic,
    *,
    strict: bool = True,
    what: str = "",
) -> Outcome:
    """``expr(var) > 0`` (≥ 0 if not strict) for every var in the open interval (lo, hi),
    decided exactly by :func:`decide_on_interval`.

    ``expr`` must be a rational function of ``var`` alone with rational ``lo``/``hi``
    (either may be infinite). The real roots of numerator and denominator in the
    interval are isolated (Sturm sequences); the sign between consecutive roots is
    that at a rational point there. A point of wrong sign is the counterexample.
    """
    e = sp.cancel(sp.together(sp.sympify(expr)))
    if e.free_symbols - {var}:
        raise ValueError(f"sign_on_interval needs a function of {var} alone; got {e}")
    steps = [Step(what or f"claim: sign on ({lo}, {hi})", e)]

    def cond(s):
        return s["f"] > 0 if strict else s["f"] >= 0

    ok, witness, cells = decide_on_interval({"f": e}, cond, var, lo, hi)
    steps.append(
        Step(
            f"real roots of numerator and denominator isolated in ({lo}, {hi}) by Sturm "
            f"sequences; the sign read in each of {cells} cell(s) and root(s)"
        )
    )
    if ok:
        return proved("sign (Sturm)", what or "sign certified on every cell", steps)
    if ok is False:
        value = sp.simplify(e.xreplace({var: witness}))
        return refuted(
            "sign (Sturm)", f"{what or 'sign'}: value {value} at {var} = {witness}",
            {var.name: witness}, steps,
        )  # fmt: skip
    return undecided("sign (Sturm)", "a pole inside the interval", steps)


# ----------------------------------------------------------------------------- radicals


def _is_rational_in(expr: sp.Basic, var: sp.Symbol | None) -> bool:
    """True if ``expr`` is a rational function of ``var`` with rational coefficients
    (a rational number where var is None)."""
    if var is None:
        return bool(expr.is_Rational)
    if expr.free_symbols - {var}:
        return False
    try:
        num, den = sp.fraction(sp.cancel(sp.together(expr)))
        _poly(num, var), _poly(den, var)
    except (sp.PolynomialError, sp.CoercionFailed, sp.GeneratorsNeeded):
        return False
    return True


def radical_terms(
    expr: sp.Basic, var: sp.Symbol | None
) -> tuple[dict[sp.Basic, sp.Basic], set[sp.Basic]]:
    """``expr`` as ({r: c}, F) with expr = Σ c·√r, c and r rational functions of ``var``
    (r = 1 for the rational part), each radicand a square-free polynomial.

    Half-integer powers b^(p/2) are read as b^((p−1)/2)·√b, a product of square roots as
    the root of the product, and √(n/d) as √(n·d)/d; square factors f² of a radicand
    leave it as f. These steps are valid where the radicands and the factors in F (the
    denominators and the square factors taken out) are positive: the callers check
    that. ValueError for anything that is not such a sum.
    """
    out: dict[sp.Basic, sp.Basic] = {}
    factors: set[sp.Basic] = set()
    for term in sp.Add.make_args(sp.expand(sp.sympify(expr), deep=False)):
        coef, rad = sp.Integer(1), sp.Integer(1)
        for f in sp.Mul.make_args(term):
            if f.is_Pow and f.exp.is_Rational and f.exp.q == 2:
                rad *= f.base
                coef *= f.base ** ((f.exp.p - 1) // 2)
            else:
                coef *= f
        coef, rad = sp.cancel(coef), sp.cancel(rad)
        for piece in (coef, rad):
            if not _is_rational_in(piece, var):
                raise ValueError(f"not a sum of radicals of rational functions: {term}")
        num, den = sp.fraction(rad)
        if den != 1:
            factors.add(den)
            coef, rad = coef / den, sp.expand(num * den)
        if var is None:
            root = sp.sqrt(rad)  # a·√b with b a square-free integer
            a, b = root.as_coeff_Mul() if not root.is_Rational else (root, sp.Integer(1))
            coef, rad = coef * a, (b**2 if b != 1 else sp.Integer(1))
        else:
            lc, parts = sp.Poly(rad, var, domain=sp.QQ).sqf_list()
            root = sp.sqrt(lc)
            a, b = root.as_coeff_Mul() if not root.is_Rational else (root, sp.Integer(1))
            coef *= a
            rad = b**2 if b != 1 else sp.Integer(1)
            for f, e in parts:
                fe = f.as_expr()
                if e >= 2:
                    factors.add(fe)
                    coef *= fe ** (e // 2)
                if e % 2:
                    rad *= fe
            rad = sp.expand(rad)
        out[rad] = sp.cancel(out.get(rad, 0) + coef)
    return {r: c for r, c in out.items() if c != 0}, factors


def radicals_positive(expr: sp.Basic, var: sp.Symbol | None, lo, hi, *, what: str = "") -> Outcome:
    r"""Σ_i c_i(x) √r_i(x) > 0 for every x in (lo, hi), decided exactly (up to 3 radicals).

    Each radicand must be > 0 and each coefficient of constant sign on the interval
    (both decided). With P the positive terms and N the magnitudes of the negative
    ones, P > N ⟺ P² > N² (both ≥ 0); squaring leaves at most one radical √X, and
    Q + √X > 0 ⟺ Q ≥ 0 ∨ X − Q² > 0 (resp. Q − √X > 0 ⟺ Q > 0 ∧ Q² − X > 0), a
    condition on the signs of rational functions, decided by :func:`decide_on_interval`.
    """
    groups, factors = radical_terms(expr, var)
    steps = [Step(what or "claim: a sum of radicals is positive", sp.StrictGreaterThan(expr, 0))]
    conds: dict[str, sp.Basic] = {}
    for j, (r, c) in enumerate(groups.items()):
        conds[f"r{j}"], conds[f"c{j}"] = r, c
    for j, f in enumerate(factors):
        conds[f"f{j}"] = f

    def fixed(s):
        return all(s[f"r{j}"] > 0 and s[f"c{j}"] != 0 for j in range(len(groups))) and all(
            s[f"f{j}"] > 0 for j in range(len(factors))
        )

    ok, witness, _ = decide_on_interval(conds, fixed, var, lo, hi)
    if not ok:
        return undecided("sign (radicals)", "a radicand or coefficient changes sign", steps)
    probe = _probe(lo, hi) if var is not None else None
    pos, neg = [], []
    for r, c in groups.items():
        c_at = c if var is None else c.xreplace({var: probe})
        (pos if c_at > 0 else neg).append((c if c_at > 0 else -c, r))
    steps.append(
        Step(
            f"{len(pos)} positive and {len(neg)} negative term(s); each radicand > 0 and "
            "each coefficient of one sign on the interval (decided)"
        )
    )
    if not neg:
        return proved("sign (radicals)", what or "every term is positive", steps)
    if not pos:
        return refuted(
            "sign (radicals)", "every term is negative",
            {var.name: probe} if var is not None else {}, steps,
        )  # fmt: skip
    if var is not None:  # rational arithmetic in the field Q(var)
        K = sp.QQ.frac_field(var)
        pos = [(K.from_sympy(c), K.from_sympy(r)) for c, r in pos]
        neg = [(K.from_sympy(c), K.from_sympy(r)) for c, r in neg]
        show = K.to_sympy
    else:
        show = sp.sympify
    if len(pos) == 1 and len(neg) == 1:
        (p, rp), (n, rn) = pos[0], neg[0]
        funcs = {"d": p**2 * rp - n**2 * rn}
        cond = lambda s: s["d"] > 0  # noqa: E731
        shown = sp.StrictGreaterThan(show(funcs["d"]), 0, evaluate=False)
    elif len(pos) == 2 and len(neg) == 1:
        (p1, r1), (p2, r2), (n, rn) = *pos, neg[0]
        Q = p1**2 * r1 + p2**2 * r2 - n**2 * rn
        X = 4 * p1**2 * p2**2 * r1 * r2
        funcs = {"Q": Q, "D": X - Q**2}
        cond = lambda s: s["Q"] >= 0 or s["D"] > 0  # noqa: E731
        shown = sp.Or(
            sp.GreaterThan(show(Q), 0, evaluate=False),
            sp.StrictGreaterThan(show(X - Q**2), 0, evaluate=False),
            evaluate=False,
        )
    elif len(pos) == 1 and len(neg) == 2:
        (p, rp), (n1, r1), (n2, r2) = pos[0], *neg
        Q = p**2 * rp - n1**2 * r1 - n2**2 * r2
        X = 4 * n1**2 * n2**2 * r1 * r2
        funcs = {"Q": Q, "D": Q**2 - X}
        cond = lambda s: s["Q"] > 0 and s["D"] > 0  # noqa: E731
        shown = sp.And(
            sp.StrictGreaterThan(show(Q), 0, evaluate=False),
            sp.StrictGreaterThan(show(Q**2 - X), 0, evaluate=False),
            evaluate=False,
        )
    else:
        return undecided("sign (radicals)", f"{len(groups)} radicals: not supported", steps)
    steps.append(Step("squared (both sides ≥ 0): equivalent to", shown))
    ok, witness, cells = decide_on_interval(funcs, cond, var, lo, hi)
    steps.append(Step(f"decided exactly on {cells} cell(s) and root(s) (Sturm)"))
    if ok:
        return proved("sign (radicals, squaring + Sturm)", what or "positive", steps)
    if ok is False:
        return refuted(
            "sign (radicals, squaring + Sturm)", f"{what or 'sign'} fails",
            {var.name: witness} if var is not None else {}, steps,
        )  # fmt: skip
    return undecided("sign (radicals)", "a pole inside the interval", steps)


def _probe(lo, hi):
    if lo is -sp.oo and hi is sp.oo:
        return sp.Integer(0)
    if lo is -sp.oo:
        return hi - 1
    if hi is sp.oo:
        return lo + 1
    return (lo + hi) / 2


# ----------------------------------------------------------------------------- monotonicity


def nonnegative_by_derivative(
    expr: sp.Basic, var: sp.Symbol, lo, hi, *, strict: bool = False, what: str = ""
) -> Outcome:
    """``expr ≥ 0`` on [lo, hi) (> 0 on (lo, hi) if strict): expr(lo) ≥ 0 exactly, and the
    derivative, a rational function, is ≥ 0 (> 0 if strict) on (lo, hi) by
    :func:`sign_on_interval`; so expr is non-decreasing and never below expr(lo)."""
    e = sp.sympify(expr)
    d = sp.cancel(sp.together(sp.diff(e, var)))
    at_lo = sp.simplify(e.xreplace({var: lo}))
    s0, how = certified_sign(at_lo)
    steps = [
        Step(what or "claim", sp.GreaterThan(e, 0)),
        Step(f"value at {var} = {lo} ({how})", sp.Eq(sp.Symbol("f(lo)"), at_lo, evaluate=False)),
        Step("derivative (a rational function)", sp.Eq(sp.Symbol("f'"), d, evaluate=False)),
    ]
    if s0 is None or s0 < 0:
        if s0 is not None:
            return refuted("sign (derivative)", f"value {at_lo} at {lo}", {var.name: lo}, steps)
        return undecided("sign (derivative)", "sign at the end point not decided", steps)
    if d.free_symbols - {var} or not d.is_rational_function(var):
        return undecided("sign (derivative)", f"derivative {d} is not rational", steps)
    sd = sign_on_interval(d, var, lo, hi, strict=strict, what="derivative ≥ 0")
    steps += list(sd.steps)
    if sd.proved:
        return proved("sign (derivative)", what or "f(lo) ≥ 0 and f' ≥ 0", steps)
    return undecided("sign (derivative)", f"derivative: {sd.detail}", steps)


def resolve_max(expr: sp.Basic, var: sp.Symbol | None, lo, hi) -> tuple[sp.Basic, list[Step]]:
    """``expr`` with every Max replaced by the argument that is ≥ every other argument on
    the whole interval (each comparison decided exactly); ValueError if none is."""
    steps = []

    def pick(m: sp.Max):
        args = m.args
        for cand in args:
            diffs = {f"d{j}": cand - o for j, o in enumerate(args) if o is not cand}
            if var is None:
                if all(sp.sympify(d).is_Rational and d >= 0 for d in diffs.values()):
                    return cand
                continue
            ok, _, _ = decide_on_interval(
                diffs, lambda s: all(v >= 0 for v in s.values()), var, lo, hi
            )
            if ok:
                steps.append(Step("the maximum is attained by", sp.Eq(m, cand, evaluate=False)))
                return cand
        raise ValueError(f"no argument of {m} dominates on ({lo}, {hi})")

    out = sp.sympify(expr)
    while out.has(sp.Max):
        inner = [m for m in out.atoms(sp.Max) if not any(a.has(sp.Max) for a in m.args)]
        out = out.xreplace({m: pick(m) for m in inner})
    return out, steps


# ----------------------------------------------------------------------------- scaling


def pull_max_factors(expr: sp.Basic) -> sp.Basic:
    """Max(c·a, c·b, ...) → c·Max(a, b, ...) (and the same for Min) for every factor c
    known to be positive that is common to all arguments (after ``factor_terms``)."""

    def pull(m):
        args = [sp.factor_terms(a) for a in m.args]
        common = set(sp.Mul.make_args(args[0]))
        for a in args[1:]:
            common &= set(sp.Mul.make_args(a))
        c = sp.Mul(*[f for f in common if f.is_positive])
        if c == 1:
            return m
        return c * m.func(*[sp.cancel(a / c) for a in args])

    return sp.sympify(expr).replace(lambda e: isinstance(e, (sp.Max, sp.Min)), pull)


def scaling_exponents(
    expr: sp.Basic, scale: Mapping[sp.Basic, sp.Basic], gens: Iterable[sp.Symbol]
) -> tuple[sp.Rational, ...]:
    """The exponents (p1, p2, ...) with expr(scaled) = Π gen^p · expr, where ``scale`` maps
    each scaled symbol to its scaled value (e.g. {D: a·D, G: b·G}) and ``gens`` are the
    positive scale symbols (a, b); rational exponents (√b) are allowed. ValueError if
    the ratio is not such a monomial."""
    gens = tuple(gens)
    e = sp.sympify(expr)
    ratio = pull_max_factors(e.xreplace(dict(scale))) / e
    ratio = sp.powsimp(sp.powdenest(sp.cancel(ratio), force=True), force=True)
    if ratio.free_symbols - set(gens):  # a harder case: full simplification
        ratio = sp.powsimp(sp.simplify(sp.powdenest(ratio, force=True)), force=True)
    if ratio.free_symbols - set(gens):
        raise ValueError(f"{expr} is not homogeneous in {gens}: ratio {ratio}")
    coeff, monomial = sp.powsimp(ratio, force=True).as_coeff_Mul()
    powers = monomial.as_powers_dict()
    if coeff != 1 or set(powers) - set(gens) - {sp.Integer(1)}:
        raise ValueError(f"{expr} is not homogeneous in {gens}: ratio {ratio}")
    exps = [sp.Rational(powers.get(gen, 0)) for gen in gens]
    return tuple(int(e_) if e_.is_Integer else e_ for e_ in exps)


def search_points(
    predicate: Callable[[dict], bool | None],
    grids: Mapping[Hashable, Iterable],
    limit: int | None = None,
) -> dict | None:
    """The first point of the product grid (key -> values) where ``predicate`` is True, at
    most ``limit`` points tried; a point where ``predicate`` raises ZeroDivisionError,
    ValueError or TypeError is skipped."""
    keys = list(grids)
    points = itertools.product(*(tuple(grids[k]) for k in keys))
    for values in itertools.islice(points, limit):
        env = dict(zip(keys, values, strict=True))
        try:
            if predicate(env) is True:
                return env
        except (ZeroDivisionError, ValueError, TypeError):
            continue
    return None
