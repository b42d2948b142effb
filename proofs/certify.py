r"""Exact certificates: the ways a claim is proved, and how a refutation is found.

Every function returns an :class:`~proofs.claim.Outcome`.

* :func:`identity` -- ``lhs = rhs`` by reducing ``lhs − rhs`` to 0.
* :func:`sum_identity` -- a closed form of Σ_{i=a..n} f(i), by telescoping:
  the closed form at n = a equals f(a), and F(n) − F(n−1) − f(n) reduces to 0.
* :func:`induction` -- a closed form U(n) of a recurrence u_n = R(u_{n−1}, n):
  the base case, and R(U(n−1), n) − U(n) = 0 with sums over indexed terms
  aligned by :func:`combine_sums`.
* :func:`positive_coefficients` -- ``expr ≥ 0`` (or > 0) for variables in given
  ranges: each bounded variable is written through a positive parameter
  (β ∈ (0, 1) as β = s/(1+s); C > c as C = c + s), and the numerator and
  denominator of the result are polynomials in positive variables with
  non-negative coefficients -- a certificate a reader can check by eye.
* :func:`sign_on_interval` -- the sign of a univariate rational function on an
  interval, decided exactly: real roots are counted by Sturm sequences
  (``Poly.count_roots``) and isolated with rational end points; a wrong sign
  yields a rational counterexample.
* :func:`limit` -- a limit taken by SymPy and compared exactly.

Counterexamples are searched on small grids of exact rationals
(:func:`search`); a candidate is kept only if the exact value confirms it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping

import sympy as sp
from sympy.core.function import AppliedUndef

from proofs.claim import Outcome, Step, proved, refuted, undecided

# ----------------------------------------------------------------------------- points

_UNIT = (sp.Rational(1, 10), sp.Rational(1, 2), sp.Rational(9, 10), sp.Rational(99, 100))
_POSITIVE = (sp.Rational(1, 3), sp.Integer(1), sp.Integer(2), sp.Integer(7))
_REAL = (sp.Integer(-2), sp.Rational(-1, 2), sp.Integer(0), sp.Rational(1, 3), sp.Integer(3))
_STEPS = (sp.Integer(1), sp.Integer(2), sp.Integer(3), sp.Integer(5), sp.Integer(10))


def sample_points(sym: sp.Symbol) -> tuple[sp.Basic, ...]:
    """Exact values to try for ``sym``, chosen from its name and SymPy assumptions.

    β1, β2, λ: points of (0, 1); integers: 1, 2, 3, 5, 10; positive or
    non-negative reals: 1/3, 1, 2, 7; other reals: −2, −1/2, 0, 1/3, 3.
    """
    name = sym.name
    if name.startswith(("beta", "lam", "gamma")):
        return _UNIT
    if sym.is_integer:
        return _STEPS if sym.is_positive else (sp.Integer(0), *_STEPS)
    if sym.is_positive or sym.is_nonnegative:
        return _POSITIVE
    return _REAL


def exact_nonzero(value: sp.Basic) -> bool | None:
    """True if the exact number ``value`` is certainly non-zero, False if zero, None if unknown.

    SymPy decides this for algebraic numbers by evaluation with error bounds
    (``is_zero``), after an exact simplification.
    """
    v = sp.nsimplify(value) if value.is_Float else value
    v = sp.simplify(v)
    if v.is_zero is True:
        return False
    if v.is_zero is False:
        return True
    return None


def search(
    predicate: Callable[[dict], bool | None],
    symbols: Iterable[sp.Symbol],
    space: Mapping[sp.Symbol, Iterable] | None = None,
    limit: int = 4000,
) -> dict | None:
    """The first assignment of exact values on the grid for which ``predicate`` is True.

    ``predicate`` receives ``{symbol: value}`` and must decide exactly (True,
    False or None for "cannot tell"). At most ``limit`` points are tried.
    """
    symbols = sorted(set(symbols), key=lambda s: s.name)
    space = dict(space or {})
    grids = [tuple(space.get(s, sample_points(s))) for s in symbols]
    for values in itertools.islice(itertools.product(*grids), limit):
        env = dict(zip(symbols, values, strict=True))
        try:
            if predicate(env) is True:
                return env
        except (ZeroDivisionError, ValueError, TypeError):
            continue
    return None


def _named(env: Mapping[sp.Symbol, sp.Basic]) -> dict[str, sp.Basic]:
    return {s.name: v for s, v in env.items()}


def reduce_to_zero(expr: sp.Basic) -> bool:
    """True if exact simplification reduces ``expr`` to 0 (False means *not shown*)."""
    if expr == 0:
        return True
    for f in (
        sp.expand,
        lambda e: sp.cancel(sp.together(e)),
        lambda e: sp.simplify(sp.powsimp(sp.expand(e), force=True)),
        sp.simplify,
    ):
        try:
            if f(expr) == 0:
                return True
        except (TypeError, ValueError, NotImplementedError):  # pragma: no cover
            continue
    return False


# ----------------------------------------------------------------------------- identities


def identity(
    lhs: sp.Basic,
    rhs: sp.Basic,
    *,
    what: str = "",
    space: Mapping[sp.Symbol, Iterable] | None = None,
    method: str = "identity",
) -> Outcome:
    """``lhs = rhs`` identically: proved if the difference reduces to 0, refuted with
    exact values where the difference is non-zero, else undecided."""
    diff = sp.sympify(lhs) - sp.sympify(rhs)
    steps = (Step(what or "identity", sp.Eq(lhs, rhs, evaluate=False)),)
    if reduce_to_zero(diff):
        return proved(method, what or "difference reduces to 0", steps)
    free = diff.free_symbols

    def differs(env):
        return exact_nonzero(diff.xreplace(env))

    env = search(differs, free, space)
    if env is not None:
        return refuted(
            "counterexample",
            f"{what or 'identity'} fails: lhs − rhs = {sp.simplify(diff.xreplace(env))}",
            _named(env),
            steps,
        )
    return undecided(method, f"{what or 'identity'}: difference not reduced to 0", steps)


def sum_identity(
    summand: Callable[[sp.Basic], sp.Basic],
    closed: Callable[[sp.Basic], sp.Basic],
    n: sp.Symbol,
    *,
    start: int = 1,
    what: str = "",
) -> Outcome:
    """Σ_{i=start..n} summand(i) = closed(n) for every integer n ≥ start, by telescoping.

    Base: closed(start) = summand(start). Step: closed(n) − closed(n−1) = summand(n).
    Together they are an induction on n.
    """
    base = identity(closed(sp.Integer(start)), summand(sp.Integer(start)), what="base case")
    step = identity(closed(n) - closed(n - 1), summand(n), what="telescoping step")
    i = sp.Dummy("i", integer=True)
    steps = (
        Step(
            what or "closed form of a sum",
            sp.Eq(sp.Sum(summand(i), (i, start, n)), closed(n), evaluate=False),
        ),
        Step(f"base case n = {start}", sp.Eq(closed(sp.Integer(start)), summand(start))),
        Step("telescoping: F(n) − F(n−1) = f(n)", sp.Eq(closed(n) - closed(n - 1), summand(n))),
    )
    if base.refuted or step.refuted:
        bad = base if base.refuted else step
        return refuted("closed-form sum", bad.detail, bad.counterexample or {}, steps)
    if base.proved and step.proved:
        return proved("closed-form sum", what or "telescoping induction", steps)
    return undecided("closed-form sum", "base case or step not reduced to 0", steps)


def _peel_top(s: sp.Sum, upper: sp.Basic) -> sp.Basic:
    """Σ_{i=a..b} f written as Σ_{i=a..upper} f + f(upper+1) + ... + f(b).

    b − upper must be a non-negative integer.
    """
    (f, (i, a, b)) = s.function, s.limits[0]
    k = sp.simplify(b - upper)
    if not (k.is_integer and k.is_nonnegative):
        raise ValueError(f"cannot peel {s} down to the upper limit {upper}")
    out = sp.Sum(f, (i, a, upper))
    for j in range(int(k)):
        out += f.xreplace({i: upper + 1 + j})
    return out


def combine_sums(expr: sp.Basic) -> sp.Basic:
    """Align every single-index Sum to a common upper limit and merge sums with equal limits.

    Sums whose upper limits differ by integer offsets (n, n − 1) are peeled down to
    the lowest one; sums with the same index range are merged into one whose
    summand is simplified. Used by :func:`induction`.
    """
    expr = sp.expand(expr)
    sums = [s for s in expr.atoms(sp.Sum) if len(s.limits) == 1]
    if not sums:
        return expr
    uppers = [s.limits[0][2] for s in sums]
    lowest = min(uppers, key=lambda b: sp.simplify(b - uppers[0]))
    expr = sp.expand(expr.xreplace({s: _peel_top(s, lowest) for s in sums}))
    groups: dict[tuple, sp.Basic] = {}
    rest = sp.Integer(0)
    for term in sp.Add.make_args(expr):
        factors = sp.Mul.make_args(term)
        ss = [f for f in factors if isinstance(f, sp.Sum)]
        if len(ss) != 1:
            rest += term
            continue
        s = ss[0]
        coef = sp.Mul(*[f for f in factors if f is not s])
        (f, (i, a, b)) = s.function, s.limits[0]
        j = sp.Symbol("_k", integer=True)
        key = (a, b)
        groups[key] = groups.get(key, 0) + coef * f.xreplace({i: j})
    out = rest
    j = sp.Symbol("_k", integer=True)
    for (a, b), f in groups.items():
        f = sp.simplify(sp.powsimp(sp.expand(f), force=True))
        if f != 0:
            out += sp.Sum(f, (j, a, b))
    return out


def induction(
    closed: Callable[[sp.Basic], sp.Basic],
    recurrence: Callable[[sp.Basic, sp.Basic], sp.Basic],
    n: sp.Symbol,
    *,
    initial: sp.Basic,
    start: int = 1,
    what: str = "",
) -> Outcome:
    """u_n = closed(n) for all n ≥ start.

    Here u_{start−1} = initial and u_n = recurrence(u_{n−1}, n).

    Base: recurrence(initial, start) = closed(start) (sums evaluated with ``doit``).
    Step: recurrence(closed(n−1), n) − closed(n) reduces to 0 after :func:`combine_sums`.
    """
    s0 = sp.Integer(start)
    base_diff = (recurrence(initial, s0) - closed(s0)).doit()
    step_diff = combine_sums(recurrence(closed(n - 1), n) - closed(n))
    steps = (
        Step(what or "claimed closed form", sp.Eq(sp.Symbol("u_n"), closed(n), evaluate=False)),
        Step(f"base case n = {start}", sp.Eq(recurrence(initial, s0), closed(s0), evaluate=False)),
        Step(
            "step: the recurrence applied to the closed form at n − 1",
            sp.Eq(recurrence(closed(n - 1), n), closed(n), evaluate=False),
        ),
    )
    base_ok = reduce_to_zero(base_diff)
    step_ok = reduce_to_zero(step_diff)
    if base_ok and step_ok:
        return proved("induction", what or "base case and step reduce to 0", steps)
    bad = base_diff if not base_ok else step_diff
    # the sequence's terms g_k (applications of an undefined function) get values from
    # a few exact patterns: all ones, k, and alternating signs
    pattern = sp.Symbol("_pattern", integer=True)
    patterns = {0: lambda j: sp.Integer(1), 1: lambda j: j, 2: lambda j: (-1) ** j * (j + 1)}

    def differs(env):
        e = bad.xreplace({s: v for s, v in env.items() if s is not pattern}).doit()
        fill = patterns[int(env[pattern])]
        e = e.xreplace({a: fill(a.args[0]) for a in e.atoms(AppliedUndef) if len(a.args) == 1})
        return exact_nonzero(e)

    free = {s for s in bad.free_symbols if s != n} | {n, pattern}
    space = {
        n: tuple(sp.Integer(start + j) for j in (1, 2, 3)),
        pattern: tuple(sp.Integer(j) for j in patterns),
    }
    env = search(differs, free, space, limit=2000)
    if env is not None:
        part = "base case" if not base_ok else "induction step"
        fill = patterns[int(env.pop(pattern))]
        named = _named(env)
        if not base_ok:  # the base case is at n = start, whatever n the grid tried
            named[n.name] = sp.Integer(start)
        named["g_k"] = str(fill(sp.Symbol("k", integer=True)))
        return refuted("induction", f"{part} fails", named, steps)
    return undecided("induction", "base case or step not reduced to 0", steps)


# ----------------------------------------------------------------------------- signs


def positive_coefficients(
    expr: sp.Basic,
    substitutions: Mapping[sp.Symbol, sp.Basic],
    *,
    strict: bool = False,
    what: str = "",
    space: Mapping[sp.Symbol, Iterable] | None = None,
) -> Outcome:
    """``expr ≥ 0`` (``> 0`` if strict) where each bounded variable is replaced by a
    positive parameter (``substitutions``, e.g. {β: s/(1+s)} with s > 0).

    Proved when, after the substitution, numerator and denominator are
    polynomials in the (positive) remaining variables with non-negative
    coefficients (then every monomial is ≥ 0, and a non-zero polynomial is > 0).
    Refuted when an exact grid point gives the wrong sign; else undecided.
    """
    e = sp.cancel(sp.together(sp.sympify(expr).xreplace(dict(substitutions))))
    num, den = sp.fraction(e)
    gens = sorted(e.free_symbols, key=lambda s: s.name)
    steps = [Step(what or "claim: expression ≥ 0", expr)]
    if not gens:
        ok = (e > 0) if strict else (e >= 0)
        if ok:
            return proved("sign", f"constant {e}", steps)
        return refuted("sign", f"constant {e}", {}, steps)
    non_positive = [s for s in gens if s.is_positive is not True]
    if not non_positive:
        pn, pd = sp.Poly(num, *gens), sp.Poly(den, *gens)
        if all(c >= 0 for c in pn.coeffs()) and all(c >= 0 for c in pd.coeffs()):
            if not pn.is_zero and not pd.is_zero:
                steps.append(
                    Step(
                        "after the substitution, numerator / denominator have only "
                        "non-negative coefficients in positive variables",
                        sp.Eq(sp.Symbol("expr"), num / den, evaluate=False),
                    )
                )
                return proved("sign (positive coefficients)", what or "certificate", steps)
            if pn.is_zero and not strict:
                return proved("sign (identically 0)", what, steps)

    def wrong(env):
        v = sp.sympify(expr).xreplace(env)
        v = sp.nsimplify(v) if v.is_Float else sp.simplify(v)
        if v.is_real is False or v.is_finite is False:
            return None
        return bool(v <= 0) if strict else bool(v < 0)

    env = search(wrong, sp.sympify(expr).free_symbols, space)
    if env is not None:
        value = sp.simplify(sp.sympify(expr).xreplace(env))
        return refuted("counterexample", f"{what or 'sign'}: value {value}", _named(env), steps)
    return undecided("sign", "no certificate found (some coefficient is negative)", steps)


def sign_on_interval(
    expr: sp.Basic,
    var: sp.Symbol,
    lo: sp.Basic,
    hi: sp.Basic,
    *,
    strict: bool = True,
    what: str = "",
) -> Outcome:
    """``expr(var) > 0`` (or ≥ 0) for every var in the open interval (lo, hi), decided exactly.

    ``expr`` must be a rational function of ``var`` alone with rational ``lo``/``hi``
    (``hi`` may be ``oo``). The real roots of numerator and denominator in the
    interval are isolated (Sturm sequences); the sign between consecutive roots is
    that at a rational point there. A point of wrong sign is the counterexample.
    """
    e = sp.cancel(sp.together(sp.sympify(expr)))
    if e.free_symbols - {var}:
        raise ValueError(f"sign_on_interval needs a function of {var} alone; got {e}")
    num, den = sp.fraction(e)
    steps = [Step(what or f"claim: sign on ({lo}, {hi})", e)]
    roots: list[sp.Basic] = []
    for p in (num, den):
        poly = sp.Poly(p, var)
        if poly.degree() <= 0:
            continue
        for (a, b), _mult in poly.intervals():
            a, b = sp.Rational(a), sp.Rational(b)
            if b > lo and (hi is sp.oo or a < hi):
                roots.append((a + b) / 2 if a != b else a)
    n_roots = sum(
        sp.Poly(p, var).count_roots(lo, hi if hi is not sp.oo else None)
        for p in (num, den)
        if sp.Poly(p, var).degree() > 0
    )
    cuts = sorted({r for r in roots if lo < r and (hi is sp.oo or r < hi)})
    edges = [lo, *cuts, hi if hi is not sp.oo else (cuts[-1] if cuts else lo) + 10]
    probes = []
    for a, b in itertools.pairwise(edges):
        probes.append((a + b) / 2)
    if hi is sp.oo:
        probes.append(edges[-1] * 2 + 1)
    for p in probes:
        v = e.xreplace({var: p})
        if (strict and not v > 0) or (not strict and not v >= 0):
            return refuted(
                "sign (Sturm)", f"{what or 'sign'}: value {v} at {var} = {p}", {var.name: p}, steps
            )
    steps.append(
        Step(
            f"{n_roots} real root(s) of numerator/denominator in [{lo}, {hi}] (Sturm); "
            f"sign checked at {len(probes)} rational point(s) between them"
        )
    )
    if n_roots == 0:
        return proved("sign (Sturm)", what or "no root in the interval", steps)
    # roots inside: the sign between them was checked; at a root of the numerator the
    # value is 0, which only a non-strict claim allows.
    pnum = sp.Poly(num, var)
    inside = [
        r
        for r in (sp.real_roots(pnum) if pnum.degree() > 0 else [])
        if r > lo and (hi is sp.oo or r < hi)
    ]
    if strict and inside:
        r = inside[0]
        return refuted(
            "sign (Sturm)",
            f"{what or 'sign'}: value 0 at the root {var} = {r}",
            {var.name: r},
            steps,
        )
    num_roots = len(inside)
    den_roots = n_roots - sp.Poly(num, var).count_roots(lo, None if hi is sp.oo else hi)
    if den_roots == 0 and not strict:
        return proved("sign (Sturm)", what or "≥ 0 between roots; 0 at the roots", steps)
    return undecided(
        "sign (Sturm)",
        f"{num_roots} root(s) of the numerator and {den_roots} pole(s) inside the interval",
        steps,
    )


def limit(
    expr: sp.Basic,
    var: sp.Symbol,
    point: sp.Basic,
    expected: sp.Basic,
    *,
    direction: str = "+-",
    what: str = "",
) -> Outcome:
    """lim_{var → point} expr = expected (``expected`` may be ±oo), computed by SymPy's
    Gruntz algorithm and compared exactly."""
    got = sp.limit(expr, var, point, dir=direction)
    steps = (
        Step(
            what or "limit",
            sp.Eq(sp.Limit(expr, var, point, dir=direction), got, evaluate=False),
        ),
    )
    if got.has(sp.Limit) or got is sp.nan:
        return undecided("limit", f"SymPy could not evaluate the limit ({got})", steps)
    if expected in (sp.oo, -sp.oo, sp.zoo) or got in (sp.oo, -sp.oo, sp.zoo):
        if got == expected:
            return proved("limit", f"limit is {got}", steps)
        return refuted("limit", f"limit is {got}, not {expected}", {}, steps)
    out = identity(got, expected, what=what or "limit", method="limit")
    return Outcome(out.verdict, "limit", out.detail, out.counterexample, steps)
