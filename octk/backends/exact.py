r"""Exact and interval evaluation of a :class:`~octk.backends.program.StepProgram`.

The certificate backend: it runs the very SymPy assignments the fast backends print
(compiled once, :mod:`octk.backends.exact_expr`), over numbers that are exact rationals
or rigorous intervals (:mod:`octk.backends.exact_numbers`, re-exported here). So a run
of OGD with a constant rational step on a box with rational data is reproduced exactly,
and Adam's √v̂_t is enclosed. A condition the enclosures do not decide gives the hull of
the branches that may apply; a comparison that must be decided (a projection's, a
division by an enclosure of 0) raises :class:`Undecided`, and no claim is made.

The projection is the domain's, written here for the domains whose projection has a
closed form: the clip onto a box, nothing on R^d, the Euclidean rescaling onto a ball
and the sort-based projection onto a simplex (Π_{F,√V} with weights that are equal
across coordinates is the Euclidean projection; a rule whose 1/η_t differs between
coordinates is refused on a ball or a simplex).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

import sympy as sp

from octk.backends.exact_expr import Code, compile_expr, evaluate, truth
from octk.backends.exact_numbers import (
    ARITHMETICS,
    MAX_BITS,
    MAX_BITS_DOUBLE,
    PREC,
    NotDifferentiable,
    Undecided,
    absolute,
    add,
    arithmetic,
    bounds,
    compare,
    div,
    exact,
    hull,
    interval,
    logarithm,
    lower,
    maximum,
    minimum,
    mul,
    power,
    sign,
    signum,
    sqrt,
    to_iv,
    upper,
)
from octk.backends.program import F, S, StepProgram, W, stat_symbol
from octk.errors import ParameterError
from octk.symbols import DATA, g, i, t, x


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
    "ARITHMETICS",
    "MAX_BITS",
    "MAX_BITS_DOUBLE",
    "PREC",
    "Code",
    "NotDifferentiable",
    "Undecided",
    "absolute",
    "add",
    "arithmetic",
    "bounds",
    "compare",
    "compile_expr",
    "div",
    "evaluate",
    "exact",
    "hull",
    "interval",
    "logarithm",
    "lower",
    "maximum",
    "min_linear",
    "minimum",
    "mul",
    "power",
    "project",
    "project_simplex",
    "run",
    "sign",
    "signum",
    "sqrt",
    "to_iv",
    "truth",
    "upper",
]
