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

from collections.abc import Callable, Iterable, Mapping

import sympy as sp
from sympy.core.function import AppliedUndef

from proofs.claim import NotApplicable, Outcome, Step, all_of, proved, refuted, undecided
from proofs.decide import (
    search_points,
    sign_on_interval,  # noqa: F401 -- re-exported: the decision lives in proofs.decide
)

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
    (``is_zero``, then ``evalf`` to 50 digits: a value clearly away from 0 is non-zero);
    a value that evaluates to 0 is confirmed by an exact simplification when the
    expression is small, else the answer is None (a search then moves on).
    """
    v = sp.nsimplify(value) if value.is_Float else value
    if v.is_Rational:
        return v != 0
    if v.is_number and not v.has(sp.Sum, sp.Limit, sp.Integral):
        z = v.is_zero  # numeric expressions: decided by evaluation with error bounds
        if z is True:
            return False
        size = abs(sp.N(v, 50))
        if size > sp.Float("1e-30", 50):
            return True  # clearly away from 0
        if sp.count_ops(v) > 80:
            return None  # numerically 0, too large to simplify quickly
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
    return search_points(predicate, {s: space.get(s, sample_points(s)) for s in symbols}, limit)


def _named(env: Mapping[sp.Symbol, sp.Basic]) -> dict[str, sp.Basic]:
    return {s.name: v for s, v in env.items()}


def probe_point(symbols: Iterable[sp.Symbol]) -> dict[sp.Symbol, sp.Basic]:
    """A generic exact point that respects each symbol's assumptions (for a probe)."""
    env = {}
    for j, sym in enumerate(sorted(symbols, key=lambda s: s.name)):
        if sym.name.startswith(("beta", "lam", "gamma")):
            env[sym] = sp.Rational(5 + j % 3, 11)
        elif sym.is_integer:
            env[sym] = sp.Integer(3 + j % 2)
        elif sym.is_positive or sym.is_nonnegative:
            env[sym] = sp.Rational(7 + 2 * j, 5)
        else:
            env[sym] = sp.Rational(-(3 + 2 * j), 7)
    return env


def clearly_nonzero(expr: sp.Basic) -> bool:
    """True if ``expr`` evaluates, at one generic exact point (:func:`probe_point`; the terms
    g(k) of a sequence set to (k + 2)/3), to a number clearly away from 0.

    A fast way to skip a costly simplification that cannot succeed. It never proves
    anything: a False answer means "not known".
    """
    try:
        e = sp.sympify(expr)
        e = e.xreplace(probe_point(e.free_symbols))
        e = e.xreplace({a: (a.args[0] + 2) / 3 for a in e.atoms(AppliedUndef) if len(a.args) == 1})
        e = e.doit()
        if e.free_symbols or e.atoms(AppliedUndef):
            return False
        v = sp.N(e, 30)
        return bool(v.is_finite) and bool(abs(v) > sp.Float("1e-15", 30))
    except (TypeError, ValueError, ZeroDivisionError, NotImplementedError, AttributeError):
        return False


def reduce_to_zero(expr: sp.Basic) -> bool:
    """True if exact simplification reduces ``expr`` to 0 (False means *not shown*)."""
    if expr == 0:
        return True
    if sp.expand(expr) == 0:
        return True
    if clearly_nonzero(expr):
        return False
    for f in (
        sp.expand,
        lambda e: sp.cancel(sp.together(e)),
        lambda e: sp.simplify(sp.powsimp(sp.expand(e))),
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
    positive: Iterable[sp.Basic] = (),
) -> Outcome:
    """``lhs = rhs`` identically: proved if the difference reduces to 0, refuted with
    exact values where the difference is non-zero, else undecided.

    ``positive`` lists sub-expressions known to be positive under the claim's
    assumptions (e.g. 1 − β2^t, or a new second moment v_t); for the reduction each
    is replaced by a fresh positive symbol, so that √(a/b) = √a/√b may be used. This
    is sound: a difference that vanishes for every positive value of the new symbol
    vanishes at the value it stands for. The counterexample search uses the original
    difference.
    """
    diff = sp.sympify(lhs) - sp.sympify(rhs)
    steps = (Step(what or "identity", sp.Eq(lhs, rhs, evaluate=False)),)
    positive = tuple(positive)
    if (positive and reduce_to_zero(with_positive(diff, positive))) or reduce_to_zero(diff):
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


def with_positive(expr: sp.Basic, positive: Iterable[sp.Basic]) -> sp.Basic:
    """``expr`` with each sub-expression in ``positive`` replaced by a fresh positive symbol."""
    mapping = {}
    for j, p in enumerate(positive):
        mapping[sp.sympify(p)] = sp.Dummy(f"p{j}", positive=True)
    return sp.sympify(expr).xreplace(mapping)


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

    A summand that depends on n itself (an unrolled moment: β^(n−i) g_i) is first
    reversed, i → n + start − i, which leaves the sum unchanged; if it still depends
    on n the telescoping does not apply and the answer is undecided.
    """
    i = sp.Dummy("i", integer=True)
    reversal = ()
    if sp.sympify(summand(i)).has(n):
        original = summand

        def summand(j):
            return original(n + start - j)

        shown = sp.Eq(
            sp.Sum(original(i), (i, start, n)), sp.Sum(summand(i), (i, start, n)), evaluate=False
        )
        reversal = (Step("reverse the order of summation, i → n + start − i", shown),)
        if sp.sympify(summand(i)).has(n):
            return undecided(
                "closed-form sum", "the summand depends on n in either order", reversal
            )
    base = identity(closed(sp.Integer(start)), summand(sp.Integer(start)), what="base case")
    step = identity(closed(n) - closed(n - 1), summand(n), what="telescoping step")
    steps = (
        *reversal,
        Step(
            what or "closed form of a sum",
            sp.Eq(sp.Sum(summand(i), (i, start, n)), closed(n), evaluate=False),
        ),
        Step(
            f"base case n = {start}",
            sp.Eq(closed(sp.Integer(start)), summand(start), evaluate=False),
        ),
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
        f = sp.simplify(sp.powsimp(sp.expand(f)))
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
    merely_nonnegative = [s for s in non_positive if s.is_nonnegative is True]
    if (
        len(merely_nonnegative) == len(non_positive)
        and num.is_polynomial(*gens)
        and den.is_polynomial(*gens)
    ):
        pn, pd = sp.Poly(num, *gens), sp.Poly(den, *gens)
        if all(c <= 0 for c in pn.coeffs()) and all(c <= 0 for c in pd.coeffs()):
            pn, pd, num, den = -pn, -pd, -num, -den  # the same fraction, signs flipped
        # with variables that may be 0, a constant term must keep the denominator
        # (and, for a strict claim, the numerator) away from 0
        zero_ok = not merely_nonnegative or (
            pd.coeff_monomial(1) > 0 and (not strict or pn.coeff_monomial(1) > 0)
        )
        if zero_ok and all(c >= 0 for c in pn.coeffs()) and all(c >= 0 for c in pd.coeffs()):
            if not pn.is_zero and not pd.is_zero:
                steps.append(
                    Step(
                        "after the substitution, numerator / denominator have only "
                        "non-negative coefficients in non-negative variables",
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
    if not out.proved:  # show the comparison that failed, so the counterexample can be checked
        shown = sp.Eq(got, expected, evaluate=False)
        steps = (*steps, Step("the limit against the claimed value", shown))
    return Outcome(out.verdict, "limit", out.detail, out.counterexample, steps)


# ----------------------------------------------------------------------------- expectations


def expectation(
    expr: sp.Basic,
    moments: Mapping[sp.Basic, sp.Basic],
    random: Iterable[sp.Basic] = (),
) -> sp.Basic:
    """E[expr] for ``expr`` affine in the random quantities, each replaced by its mean.

    ``moments`` maps random quantities (``g**2``, ``g(k)**2``, the previous state
    ``v``) to their expectations; ``random`` names the symbols or undefined functions
    that are random (a ``g`` or ``g(k)`` left over after the replacement means the
    expression is not affine in the given moments). The summand of every ``Sum`` is
    treated the same way (the expectation of a finite sum is the sum of expectations).

    Raises ValueError when ``expr`` is not affine in the moments: then linearity of
    the expectation does not apply and the caller must not conclude anything.
    """
    random = tuple(random)

    def is_random(e: sp.Basic) -> bool:
        for r in random:
            if isinstance(r, sp.Symbol) and r in e.free_symbols:
                return True
            if isinstance(r, sp.FunctionClass) and any(a.func == r for a in e.atoms(AppliedUndef)):
                return True
        return False

    def affine(e: sp.Basic) -> sp.Basic:
        dummies = {}
        for j, key in enumerate(moments):
            d = sp.Dummy(f"E{j}")
            dummies[d] = moments[key]
            e = e.xreplace({sp.sympify(key): d})
        if is_random(e):
            raise NotApplicable(f"not affine in the moments the claim is about: {e}")
        if dummies:
            _check_degree(e, tuple(dummies))
        return e.xreplace(dummies)

    expr = sp.sympify(expr)
    sums = list(expr.atoms(sp.Sum))
    if not sums:
        return affine(expr)
    placeholders = {
        sp.Dummy(f"S{j}"): sp.Sum(affine(s.function), *s.limits) for j, s in enumerate(sums)
    }
    outer = expr.xreplace(dict(zip(sums, placeholders, strict=True)))
    _check_degree(outer, tuple(placeholders))
    return affine(outer).xreplace(placeholders)


def _check_degree(e: sp.Basic, gens: tuple) -> None:
    try:
        poly = sp.Poly(sp.expand(e), *gens)
    except sp.PolynomialError as err:
        raise NotApplicable(f"not affine in the moments the claim is about: {e}") from err
    if poly.total_degree() > 1:
        raise NotApplicable(f"not affine in the moments the claim is about: {e}")


def as_single_sum(expr: sp.Basic) -> tuple[Callable[[sp.Basic], sp.Basic], sp.Basic, sp.Basic]:
    """``expr = c · Σ_{k=a..b} f(k)`` as (summand i -> c·f(i), a, b); ValueError otherwise."""
    expr = sp.sympify(expr)
    sums = list(expr.atoms(sp.Sum))
    if len(sums) != 1 or len(sums[0].limits) != 1:
        raise ValueError(f"not a single sum: {expr}")
    s = sums[0]
    d = sp.Dummy("S")
    coef = sp.cancel(expr.xreplace({s: d}) / d)
    if d in coef.free_symbols:
        raise ValueError(f"not a multiple of one sum: {expr}")
    f, (k, a, b) = s.function, s.limits[0]
    return (lambda i: coef * f.xreplace({k: i})), a, b


# ----------------------------------------------------------------------------- sums of terms


def nonnegative_terms(
    term: sp.Basic,
    substitutions: Mapping[sp.Symbol, sp.Basic] | None = None,
    *,
    strict: bool = False,
    what: str = "",
) -> Outcome:
    """Every term of a sum is ≥ 0 (> 0 if strict), so the sum is: a certificate.

    ``term`` may have symbolic exponents and indices. Each bounded variable is written
    through a positive parameter (``substitutions``, e.g. {β: s/(1+s)}); the term is
    then certified by SymPy's assumptions (products and powers of positive bases,
    squares of reals, absolute values) or, for a polynomial, by
    :func:`positive_coefficients`. Never refuted: a negative term does not make a sum
    negative, so the answer is proved or undecided.
    """
    e = sp.sympify(term).xreplace(dict(substitutions or {}))
    steps = [Step(what or "each term is non-negative", sp.sympify(term))]
    e2 = sp.powsimp(sp.factor_terms(e))
    ok = (e2.is_positive if strict else e2.is_nonnegative) or (
        e.is_positive if strict else e.is_nonnegative
    )
    if ok:
        return proved("sum of non-negative terms", what or "each term ≥ 0", steps)
    if all(s.is_positive for s in e.free_symbols) and e.is_polynomial(*e.free_symbols):
        out = positive_coefficients(e, {}, strict=strict, what=what)
        if out.proved:
            return proved("sum of non-negative terms", what or "each term ≥ 0", steps)
    return undecided("sum of non-negative terms", f"sign of the term {term} not certified", steps)


def power_at_least(
    big: sp.Basic,
    small: sp.Basic,
    n: sp.Symbol,
    substitutions: Mapping[sp.Symbol, sp.Basic] | None = None,
    *,
    what: str = "",
) -> Outcome:
    """big^n ≥ small^n for every integer n ≥ 1, given big ≥ small > 0.

    Certificate: with r = big/small ≥ 1, r^n − 1 = Σ_{k=1..n} (r − 1) r^(k−1) (a
    telescoping sum, :func:`sum_identity`), a sum of non-negative terms; multiply by
    small^n > 0. The hypotheses big − small ≥ 0 and small > 0 are certified with
    :func:`positive_coefficients` / SymPy's assumptions after ``substitutions``.
    """
    subs = dict(substitutions or {})
    r = sp.Symbol("r", positive=True)
    k = sp.Symbol("k", integer=True, positive=True)
    tele = sum_identity(lambda i: (r - 1) * r ** (i - 1), lambda N: r**N - 1, n, what="r^n − 1")
    gap = positive_coefficients(big - small, subs, what="big − small ≥ 0")
    small_pos = sp.sympify(small).xreplace(subs).is_positive
    steps = [
        Step(what or "monotone power", sp.StrictGreaterThan(big**n, small**n) | sp.Eq(big, small)),
        Step(
            "r = big/small ≥ 1, and r^n − 1 = Σ_{k≤n} (r−1) r^(k−1), each term ≥ 0",
            sp.Eq(r**n - 1, sp.Sum((r - 1) * r ** (k - 1), (k, 1, n)), evaluate=False),
        ),
    ]
    if tele.proved and gap.proved and small_pos:
        return proved("sign (monotone power)", what or "big^n ≥ small^n", steps)
    if gap.refuted:
        return refuted(
            "sign (monotone power)", f"big < small: {gap.detail}", gap.counterexample or {}, steps
        )
    return undecided("sign (monotone power)", "hypotheses not certified", steps)


# ----------------------------------------------------------------------------- maxima


def max_induction(
    term: Callable[[sp.Basic, sp.Basic], sp.Basic],
    recurrence: Callable[[sp.Basic, sp.Basic], sp.Basic],
    n: sp.Symbol,
    *,
    initial: sp.Basic,
    sequence: sp.FunctionClass,
    start: int = 1,
    what: str = "",
    space: Mapping[sp.Symbol, Iterable] | None = None,
) -> Outcome:
    """u_n = max_{start ≤ i ≤ n} term(i, n) for every n ≥ start, by induction.

    Here u_{start−1} = initial and u_n = recurrence(u_{n−1}, n); ``sequence`` is the
    undefined function of the data (g_k). The certificate:

    * every term is ≥ 0 (SymPy's assumptions) and initial = 0, the maximum of no
      terms;
    * the recurrence is max(c·u_{n−1}, a) with c ≥ 0 free of u_{n−1};
    * c·term(i, n−1) = term(i, n) for every i < n (so c·max_{i<n} = max_{i<n} of the
      shifted terms, since c ≥ 0), and a = term(n, n) (the new term).

    Without that shape, the claim is checked at n = start, start+1, start+2 on exact
    grid values; a mismatch is the counterexample (else undecided).
    """
    i = sp.Symbol("i", integer=True, positive=True)
    prev = sp.Dummy("u_prev", nonnegative=True)
    steps = [
        Step(
            what or "claimed closed form",
            sp.Eq(sp.Symbol("u_n"), sp.Max(term(i, n), evaluate=False), evaluate=False),
        ),
        Step("recurrence", sp.Eq(sp.Symbol("u_n"), recurrence(sp.Symbol("u_{n-1}"), n))),
    ]
    reasons = []
    rec = recurrence(prev, n)
    args = rec.args if isinstance(rec, sp.Max) else (rec,)
    with_prev = [a for a in args if prev in a.free_symbols]
    fresh = [a for a in args if prev not in a.free_symbols]
    lag = sp.Symbol("j", integer=True, nonnegative=True)  # n − i ≥ 0 for the terms of the max
    nonneg = term(i, i + lag).is_nonnegative
    if not nonneg:
        reasons.append("terms not known to be ≥ 0")
    if sp.sympify(initial) != 0:
        reasons.append(f"initial value {initial} is not 0")
    if len(with_prev) != 1 or len(fresh) != 1:
        reasons.append("recurrence is not max(c·u_{n−1}, a)")
    else:
        c = sp.cancel(with_prev[0] / prev)
        if prev in c.free_symbols or not c.is_nonnegative:
            reasons.append("recurrence is not max(c·u_{n−1}, a) with c ≥ 0")
        else:
            shift = reduce_to_zero(sp.powsimp(c * term(i, n - 1) - term(i, n), force=False))
            new = reduce_to_zero(fresh[0] - term(n, n))
            steps.append(
                Step(
                    "old terms: c · term(i, n−1) = term(i, n) for i < n",
                    sp.Eq(c * term(i, n - 1), term(i, n), evaluate=False),
                )
            )
            steps.append(Step("new term: a = term(n, n)", sp.Eq(fresh[0], term(n, n))))
            if not shift:
                reasons.append("the old terms do not shift to term(i, n)")
            if not new:
                reasons.append("the new term is not term(n, n)")
    base = recurrence(sp.sympify(initial), sp.Integer(start))
    if not reduce_to_zero(base - term(sp.Integer(start), sp.Integer(start))):
        reasons.append("base case")
    steps.append(
        Step(
            f"base case n = {start}",
            sp.Eq(base, term(sp.Integer(start), sp.Integer(start)), evaluate=False),
        )
    )
    if not reasons:
        return proved("induction (max)", what or "base case, shift and new term", steps)

    # a concrete check: iterate the recurrence at small n on exact values
    data = {j: sp.Symbol(f"g_{j}", real=True) for j in range(start, start + 3)}

    def at(N: int) -> tuple[sp.Basic, sp.Basic]:
        u = sp.sympify(initial)
        for j in range(start, N + 1):
            u = recurrence(u, sp.Integer(j))
        closed = sp.Max(*[term(sp.Integer(j), sp.Integer(N)) for j in range(start, N + 1)])
        fill = {sequence(sp.Integer(j)): data[j] for j in data}
        return u.xreplace(fill), closed.xreplace(fill)

    for N in range(start, start + 3):
        u, closed = at(N)
        diff = u - closed
        env = search(
            lambda e, diff=diff: exact_nonzero(diff.xreplace(e)),
            diff.free_symbols,
            {
                **{data[j]: (sp.Integer(2), sp.Integer(0), sp.Integer(-1)) for j in data},
                **dict(space or {}),
            },
        )
        if env is not None:
            named = _named(env)
            named[n.name] = sp.Integer(N)
            return refuted(
                "induction (max)",
                f"u_{N} = {sp.simplify(u.xreplace(env))} but the maximum is "
                f"{sp.simplify(closed.xreplace(env))}",
                named,
                steps,
            )
    return undecided("induction (max)", "; ".join(reasons), steps)


def nondecreasing(
    f: Callable[[sp.Basic], sp.Basic],
    increment: sp.Basic,
    increment_sign: Outcome,
    n: sp.Symbol,
    *,
    start: int = 1,
    what: str = "",
) -> Outcome:
    """f(n) ≥ f(start) for every integer n ≥ start.

    ``increment`` is an expression of n equal to f(n+1) − f(n) (checked by
    :func:`identity`), and ``increment_sign`` an outcome proving increment ≥ 0 for every
    n ≥ start. Then f(n) − f(start) = Σ_{j=start..n−1} (f(j+1) − f(j)) (telescoping)
    is a sum of non-negative terms.
    """
    inc = identity(f(n + 1) - f(n), increment, what="f(n+1) − f(n)")
    steps = (
        Step(
            what or "f(n) ≥ f(start): a sum of non-negative increments",
            sp.Eq(f(n + 1) - f(n), increment, evaluate=False),
        ),
    )
    out = all_of(inc, increment_sign)
    if out.proved:
        return proved("sign (non-negative increments)", what or "f(n) ≥ f(start)", steps)
    return Outcome(out.verdict, out.method, out.detail, out.counterexample, steps + out.steps)
