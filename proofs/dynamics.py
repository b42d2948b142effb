r"""What a rule does over many steps, read from its program: weights Γ_t, invariants,
exact runs, periodic steady states.

* :func:`inverse_weight` -- 1/η_t (the rule's inverse effective step) as an
  expression of the state *after* step t and of t; K&B's √v̂_t/α_t and RKK's Γ_t
  (their eq. 2) are differences of it: Γ_t = W(s_t, t) − W(s_{t−1}, t−1)
  (:func:`gamma_expression`).
* :func:`gamma_monotone` -- Γ_t ≥ 0 for every gradient sequence, by a certificate:
  every variable W reads moves up from step t−1 to step t (a maximum is ≥ its
  argument; a sum of squares grows; t grows) and W is non-decreasing in each of them
  on their ranges (a partial derivative ≥ 0).
* :func:`search_runs`, :func:`gamma_search` -- exact runs of the rule from its
  initial state on short gradient sequences: a counterexample (exact gradients and
  hyperparameters) where a claim fails.
* :func:`nonnegative_states`, :func:`bounded_state` -- invariants by induction on t.
* :func:`linear_cycle`, :func:`steady_cycle`, :func:`period_drift` -- the steady state
  of a rule driven by a periodic gradient sequence (RKK's Theorem 1), solved exactly.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence

import sympy as sp

from octk.rules.adaptive import alpha, beta1, beta2, eps, lam, lr_decay, v0
from octk.rules.rule import Rule
from octk.symbols import g, t
from proofs.certify import positive_coefficients, reduce_to_zero
from proofs.claim import NotApplicable, Outcome, Step, all_of, proved, undecided
from proofs.decide import certified_sign, resolve_max
from proofs.reading import assigned, exact, in_terms_of, initial, run_exact, state_symbol

#: hyperparameters in (0, 1), written s/(1+s) with s > 0 for a certificate
UNIT = (beta1, beta2, lam)
#: hyperparameters ≥ 0 (and α > 0)
NONNEG = (eps, lr_decay, v0)


def _positive_domain(extra: Iterable[sp.Symbol] = ()) -> tuple[dict, dict]:
    """Substitutions that encode the hyperparameters' ranges with positive parameters:
    β = s/(1+s) for β ∈ (0, 1), ε etc. as positive symbols, α positive; and back."""
    fwd, names = {}, {}
    for b in UNIT:
        s = sp.Symbol(f"s_{b.name}", positive=True)
        fwd[b] = s / (1 + s)
        names[s] = b
    for h in (*NONNEG, alpha):
        p = sp.Symbol(f"p_{h.name}", positive=True)
        fwd[h] = p
    for e in extra:
        fwd[e] = sp.Symbol(f"p_{e.name}", positive=True)
    return fwd, names


def _nonnegative(expr: sp.Basic, domain: Mapping) -> bool:
    """``expr ≥ 0`` under the domain substitutions, by SymPy's assumptions or by
    non-negative coefficients (a certificate either way)."""
    e = sp.sympify(expr).xreplace(dict(domain))
    if e.is_nonnegative or sp.factor_terms(e).is_nonnegative:
        return True
    gens = e.free_symbols
    if gens and all(s.is_positive for s in gens) and e.is_rational_function(*gens):
        try:
            return positive_coefficients(e, {}).proved
        except (sp.PolynomialError, ValueError, TypeError):
            return False
    return False


def as_premise(outcome: Outcome) -> Outcome:
    """``outcome`` as the premise of a derivation: a refuted premise makes the derivation
    *undecided* (the conclusion may still hold), never refuted; the steps are kept."""
    if not outcome.refuted:
        return outcome
    return undecided(
        outcome.method,
        f"a premise is refuted ({outcome.detail}; counterexample {outcome.counterexample_text()})",
        outcome.steps,
    )


# ----------------------------------------------------------------------------- weights


def inverse_weight(rule: Rule) -> sp.Basic:
    r"""1/η_t as an expression of the state after step t, t and the hyperparameters.

    Temporaries (``vhat``) are written through the state they are computed from;
    a temporary that reads a state before the state's update this step (its old
    value) is refused (NotApplicable), and so is a weight that reads g itself.
    """
    inv = rule.inverse_effective_step()
    states = set(rule.state_names)
    order = {target.name: j for j, (target, _) in enumerate(rule.program)}
    repl = {}
    for sym in inv.free_symbols:
        if sym.name in order and sym.name not in states and sym.name != "x":
            value = in_terms_of(rule, sym.name, keep=states)
            for s in value.free_symbols:
                if s.name in states and order.get(s.name, -1) > order[sym.name]:
                    raise NotApplicable(f"{sym} reads the old value of {s}")
            repl[sym] = value
    W = inv.xreplace(repl)
    if g in W.free_symbols:
        raise NotApplicable(f"the inverse step {W} reads g_t itself")
    return W


def gamma_expression(rule: Rule, params: Mapping[str, object] | None = None) -> sp.Basic:
    """Γ_t = W(s_t, t) − W(s_{t−1}, t−1) in terms of the previous state, g and t."""
    W = inverse_weight(rule)
    new = {s.symbol: assigned(rule, s.name) for s in rule.state}
    out = W.xreplace(new) - W.xreplace({t: t - 1})
    return _with_params(rule, out, params)


def _with_params(rule: Rule, expr: sp.Basic, params: Mapping[str, object] | None) -> sp.Basic:
    if not params:
        return expr
    syms = rule.symbols
    return expr.xreplace({syms[k]: exact(v) for k, v in params.items()})


def nonnegative_states(rule: Rule) -> tuple[set[str], list[Step]]:
    """The states that are ≥ 0 in every run, by induction on t: the initial value is ≥ 0
    and the update is ≥ 0 whenever those states were (the largest such set)."""
    fwd, _ = _positive_domain()
    cand = {s.name for s in rule.state}
    while True:
        dom = dict(fwd)
        dom.update(
            {
                s.symbol: sp.Symbol(f"n_{s.name}", nonnegative=True)
                for s in rule.state
                if s.name in cand
            }
        )
        bad = set()
        for name in cand:
            if not (
                _nonnegative(initial(rule, name), dom) and _nonnegative(assigned(rule, name), dom)
            ):
                bad.add(name)
        if not bad:
            break
        cand -= bad
    steps = [
        Step(
            "invariants by induction on t (initial value ≥ 0; the update is ≥ 0 when they are): "
            + (", ".join(f"{n} ≥ 0" for n in sorted(cand)) or "none")
        )
    ]
    return cand, steps


def gamma_monotone(rule: Rule, params: Mapping[str, object] | None = None) -> Outcome:
    r"""Γ_t ≥ 0 for every gradient sequence and every t ≥ 2, by a monotonicity certificate.

    W(s, τ) = 1/η is read from the rule. Each variable it reads moves up from step
    t−1 to t (τ by 1; a state by its update: a maximum is ≥ its own argument, other
    increments certified ≥ 0), and ∂W/∂(variable) ≥ 0 on the variable's range (states
    that are ≥ 0 by invariant, τ ≥ 1, hyperparameters in their ranges). Then W moves
    up along the path that changes one variable at a time, so Γ_t ≥ 0.
    """
    W = _with_params(rule, inverse_weight(rule), params)
    nonneg, steps = nonnegative_states(rule)
    steps = [Step(r"W = 1/\eta_t, read from the rule", sp.Eq(sp.Symbol("W"), W)), *steps]
    fwd, _ = _positive_domain()
    syms = {s.symbol: s.name for s in rule.state}
    used = [s for s in W.free_symbols if s in syms]
    w = sp.Symbol("w_tau", positive=True)
    dom = dict(fwd)
    reasons = []
    for s in used:
        if syms[s] not in nonneg:
            reasons.append(f"{s} not known to be ≥ 0")
        dom[s] = sp.Symbol(f"n_{s.name}", positive=True)
    dom[t] = 1 + w  # τ ≥ 1 on the segment [t − 1, t], t ≥ 2
    for s in used:
        new = _with_params(rule, assigned(rule, syms[s]), params)
        if isinstance(new, sp.Max) and s in new.args:
            why = "a maximum is ≥ each of its arguments"
        elif _nonnegative(
            new - s, {**fwd, **{x: sp.Symbol(f"n_{x.name}", nonnegative=True) for x in syms}}
        ):
            why = "increment ≥ 0"
        else:
            reasons.append(f"{s} may decrease: {s}_t − {s}_(t−1) = {sp.simplify(new - s)}")
            return undecided("monotonicity", "; ".join(reasons), steps)
        steps.append(Step(f"{s} moves up ({why})", sp.GreaterThan(new, s, evaluate=False)))
        d = sp.diff(W, s)
        if not _nonnegative(d, dom):
            reasons.append(f"∂W/∂{s} = {d} not certified ≥ 0")
        else:
            steps.append(Step(f"W is non-decreasing in {s}", sp.GreaterThan(d, 0, evaluate=False)))
    if t in W.free_symbols:
        d = sp.diff(W, t)
        if not _nonnegative(d, dom):
            reasons.append(f"∂W/∂t = {d} not certified ≥ 0")
        else:
            steps.append(
                Step("W is non-decreasing in t (t real ≥ 1)", sp.GreaterThan(d, 0, evaluate=False))
            )
    if reasons:
        return undecided("monotonicity", "; ".join(reasons), steps)
    return proved("monotonicity", "every variable of W moves up and W is monotone in each", steps)


#: short gradient sequences tried from the initial state, simplest first
def rule_params(rule: Rule, params: Mapping[str, object]) -> dict:
    """The entries of ``params`` that name hyperparameters of the rule (a claim's values,
    for the rules that have them)."""
    return {k: v for k, v in params.items() if k in rule.hyper_names}


GRADIENT_PATTERNS = ((1, 0), (2, 1), (1, 1, 0), (0, 1, 0), (3, -1, -1, 3, -1, -1), (1, 2, 0, 0))


def default_grid(rule: Rule) -> list[dict[str, sp.Basic]]:
    """A small grid of exact hyperparameter values for the rule's counterexample searches."""
    values = {
        "alpha": (sp.Integer(1),),
        "beta1": (sp.Integer(0), sp.Rational(1, 2)),
        "beta2": (sp.Rational(1, 10), sp.Rational(1, 2), sp.Rational(9, 10)),
        "eps": (sp.Integer(0),),
        "lam": (sp.Rational(1, 2),),
        "lr_decay": (sp.Integer(0), sp.Integer(1)),
        "v0": (sp.Integer(0),),
    }
    names = rule.hyper_names
    grids = [values.get(n, (sp.Rational(1, 2),)) for n in names]
    return [dict(zip(names, vs, strict=True)) for vs in itertools.product(*grids)]


def search_runs(
    rule: Rule,
    found: Callable[[list[dict], dict, tuple], tuple[int, sp.Basic] | None],
    *,
    gradients: Iterable[Sequence] = GRADIENT_PATTERNS,
    grid: Iterable[Mapping] | None = None,
) -> dict | None:
    """The first exact run (hyperparameters × gradient sequence) where ``found(rows, params,
    gradients)`` returns (t, value); the counterexample as {name: exact value}."""
    grid = default_grid(rule) if grid is None else grid
    for params in grid:
        for gs in gradients:
            rows = run_exact(rule, gs, params)
            hit = found(rows, dict(params), tuple(gs))
            if hit is not None:
                step, value = hit
                out = {k: exact(v) for k, v in params.items()}
                out.update({f"g_{j}": exact(v) for j, v in enumerate(gs[:step], start=1)})
                out["t"] = sp.Integer(step)
                out["value"] = value
                return out
    return None


def weights_on_run(rule: Rule, rows: list[dict], params: Mapping) -> list[sp.Basic]:
    """W_t = 1/η_t along an exact run (rows of :func:`~proofs.reading.run_exact`)."""
    W = _with_params(rule, inverse_weight(rule), params)
    out = []
    for step, row in enumerate(rows, start=1):
        env = {s.symbol: row[s.name] for s in rule.state}
        env[t] = sp.Integer(step)
        try:
            out.append(W.xreplace(env))
        except ValueError:  # a clip Min/Max of 1/0 (AMSBound at v = 0): W undefined there
            out.append(sp.nan)
    return out


def first_negative_gamma(rule: Rule, rows: list[dict], params: Mapping):
    """(t, Γ_t) for the first t ≥ 2 with Γ_t < 0 (sign certified), or None."""
    Ws = weights_on_run(rule, rows, params)
    for step in range(2, len(Ws) + 1):
        if not (Ws[step - 1].is_finite and Ws[step - 2].is_finite):
            continue  # W_t undefined (a zero denominator): no Γ_t at this step
        gam = sp.radsimp(Ws[step - 1] - Ws[step - 2])
        sign, _ = certified_sign(gam)
        if sign == -1:
            return step, gam
    return None


def gamma_search(rule: Rule, grid: Iterable[Mapping] | None = None) -> dict | None:
    """A run of the rule (from its initial state) with some Γ_t < 0, or None."""
    return search_runs(rule, lambda rows, p, gs: first_negative_gamma(rule, rows, p), grid=grid)


# ----------------------------------------------------------------------------- invariants


def _split_max(expr: sp.Basic) -> list[sp.Basic]:
    """The smooth pieces of ``expr`` whose maximum it is (Max(a, Max(b, c)) → a, b, c)."""
    if isinstance(expr, sp.Max):
        return [p for a in expr.args for p in _split_max(a)]
    return [expr]


def bounded_state(
    rule: Rule,
    bounds: Mapping[str, Callable[[sp.Basic], sp.Basic]],
    G: sp.Symbol,
    params: Mapping[str, object] | None = None,
) -> Outcome:
    r"""s_t ≤ B_s(t) for every t ≥ 0 and every sequence with |g_t| ≤ G, for each state s
    named in ``bounds``, by induction on t.

    Base: s_0 ≤ B_s(0). Step: for every piece E of the update (the arguments of a
    maximum, which is ≤ B when each of them is), write each bounded state as
    B(t−1) − p (p ≥ 0) and g² as G² − q (q ≥ 0); then B(t) − E must have non-negative
    coefficients in p, q and the positive parameters of the hyperparameters (powers
    β^t are first split as β^t = β·β^(t−1) and β^(t−1) written u ∈ (0, 1]).
    """
    fwd, _ = _positive_domain()
    steps = []
    reasons = []
    slack = {name: sp.Symbol(f"p_{name}", positive=True) for name in bounds}
    q = sp.Symbol("q", positive=True)
    for name, B in bounds.items():
        b0 = _with_params(rule, initial(rule, name), params)
        ok0 = _nonnegative(B(sp.Integer(0)) - b0, fwd)
        steps.append(
            Step(f"base: {name}_0 ≤ B(0)", sp.LessThan(b0, B(sp.Integer(0)), evaluate=False))
        )
        if not ok0:
            reasons.append(f"base case of {name}")
        new = _with_params(rule, assigned(rule, name), params)
        for piece in _split_max(new):
            env = {state_symbol(rule, n): bounds[n](t - 1) - slack[n] for n in bounds}
            e = piece.xreplace(env)
            if any(s.symbol in e.free_symbols for s in rule.state):
                reasons.append(f"the update of {name} reads an unbounded state")
                continue
            e = e.subs(g**2, G**2 - q)
            if g in e.free_symbols:
                reasons.append(f"the update of {name} reads g, not only g²")
                continue
            gap = _powers_to_unit(sp.expand(B(t) - e))
            steps.append(
                Step(
                    f"step for {name}: B(t) − (update with {name}_(t−1) = B(t−1) − p, g² = G² − q)",
                    sp.Eq(sp.Symbol("gap"), gap, evaluate=False),
                )
            )
            if not _nonnegative(gap, fwd):
                reasons.append(f"step of {name}: gap {gap} not certified ≥ 0")
    if reasons:
        return undecided("induction (invariant)", "; ".join(reasons), steps)
    return proved("induction (invariant)", "base case and step certified", steps)


def _powers_to_unit(expr: sp.Basic) -> sp.Basic:
    """β^(t+c) → β^c·u_β (u_β = β^t ∈ (0, 1], written 1/(1 + w), w > 0) for β in UNIT."""
    e = sp.expand(sp.powsimp(sp.expand_power_exp(sp.expand(expr))))
    e = sp.expand_power_exp(e)
    for b in UNIT:
        w = sp.Symbol(f"w_{b.name}", positive=True)
        e = e.xreplace({b**t: 1 / (1 + w)})
        e = e.replace(
            lambda x, b=b: x.is_Pow and x.base == b and x.exp.has(t),
            lambda x, b=b, w=w: b ** (x.exp - t) / (1 + w) if (x.exp - t).is_number else x,
        )
    return sp.expand(e)


# ----------------------------------------------------------------------------- periodic runs


def linear_cycle(
    rule: Rule, name: str, gradients: Sequence[sp.Basic], params: Mapping[str, object]
) -> tuple[list[sp.Basic], sp.Basic, Outcome]:
    r"""The steady state of state ``name`` driven by the periodic gradients, and its closed
    form from the initial state.

    The update must be affine in the previous value, s_t = c·s_{t−1} + f(g_t), with c a
    constant of the hyperparameters (an EMA). Returns (u, c, outcome): u[j] is the
    value after the step with gradients[j] in the steady cycle (the linear fixed point
    of the p composed updates, solved exactly), and the outcome proves the closed
    form s_{pk} = u_last + c^(pk) (s_0 − u_last) by induction on k, with the
    intermediate phases s_{pk+j} = u[j−1] + c^(pk+j) (s_0 − u_last).
    """
    upd = _with_params(rule, assigned(rule, name), params)
    sym = state_symbol(rule, name)
    others = {s.symbol for s in rule.state} - {sym}
    if upd.free_symbols & others or t in upd.free_symbols:
        raise NotApplicable(f"the update of {name} reads other states or t: {upd}")
    c = sp.simplify(sp.diff(upd, sym))
    if sym in c.free_symbols or not reduce_to_zero(upd - c * sym - upd.xreplace({sym: 0})):
        raise NotApplicable(f"the update of {name} is not affine in its previous value: {upd}")
    p = len(gradients)
    us = sp.symbols(f"u0:{p}")
    eqs = [
        sp.Eq(us[j], upd.xreplace({sym: us[j - 1], g: gradients[j]}))  # us[-1]: cyclic
        for j in range(p)
    ]
    sol = sp.solve(eqs, us, dict=True)
    if len(sol) != 1:
        raise NotApplicable(f"no unique steady cycle for {name}: {sol}")
    u = [sp.factor(sp.cancel(sol[0][us[j]])) for j in range(p)]
    s0 = _with_params(rule, initial(rule, name), params)
    k = sp.Symbol("k", integer=True, positive=True)

    def closed(K):
        return u[-1] + c ** (p * K) * (s0 - u[-1])

    def period(prev, K):
        v = prev
        for j in range(p):
            v = upd.xreplace({sym: v, g: gradients[j]})
        return v

    what = f"{name}_(pk) = u_(p−1) + c^(pk) (s_0 − u_(p−1))"
    base = _same(period(s0, 1), closed(sp.Integer(1)), "base case k = 1")
    step = _same(period(closed(k - 1), k), closed(k), "step: one period maps k − 1 to k")
    ind = all_of(base, step).with_steps(
        Step(what, sp.Eq(sp.Symbol(f"{name}_{{pk}}"), closed(k), evaluate=False))
    )
    phases = []
    prev = closed(k - 1)
    for j in range(p - 1):
        nxt = upd.xreplace({sym: prev, g: gradients[j]})
        want = u[j] + c ** (p * (k - 1) + j + 1) * (s0 - u[-1])
        phases.append(_same(nxt, want, f"phase {j + 1}"))
        prev = want
    steps = [
        Step(
            f"steady cycle: {name} after each step of one period (linear fixed point)",
            sp.Eq(sp.Tuple(*us), sp.Tuple(*u), evaluate=False),
        )
    ]
    return u, c, all_of(ind, *phases).with_steps(*steps)


def _same(a: sp.Basic, b: sp.Basic, what: str) -> Outcome:
    """a = b, where a and b hold powers base^(i·k + j) of a symbolic period count k: each
    base^k is written as a fresh symbol Z (base^(i·k + j) = base^j Z^i), and the
    difference, then a rational function, reduced to 0 in the field of fractions."""
    d = a - b
    zs: dict[sp.Basic, sp.Symbol] = {}

    def split(p):
        e = sp.expand(p.exp)
        free = [s for s in e.free_symbols if s.is_integer]
        if len(free) != 1 or not sp.Poly(e, free[0]).is_linear:
            return p
        n = free[0]
        i_, j_ = sp.Poly(e, n).all_coeffs() if sp.Poly(e, n).degree() == 1 else (0, e)
        if not (sp.sympify(i_).is_Integer and sp.sympify(j_).is_Integer):
            return p
        z = zs.setdefault((p.base, n), sp.Symbol(f"Z{len(zs)}", positive=True))
        return p.base**j_ * z**i_

    e = d.replace(lambda x: x.is_Pow and x.exp.free_symbols, split)
    gens = sorted(e.free_symbols, key=lambda s: s.name)
    zero = False
    try:
        zero = sp.QQ.frac_field(*gens).from_sympy(e) == 0 if gens else sp.simplify(e) == 0
    except (sp.CoercionFailed, sp.PolynomialError, ValueError):
        zero = reduce_to_zero(d)
    if zero:
        return proved("identity", what, (Step(what, sp.Eq(a, b, evaluate=False)),))
    return undecided("identity", f"{what}: difference not reduced to 0")


def steady_cycle(
    rule: Rule,
    gradients: Sequence[sp.Basic],
    params: Mapping[str, object],
    var: sp.Symbol | None = None,
    lo=None,
    hi=None,
) -> tuple[list[dict[sp.Symbol, sp.Basic]], Outcome]:
    r"""The steady state of every state of the rule over one period of ``gradients``.

    * a state affine in its previous value (an EMA) -- :func:`linear_cycle`;
    * a running maximum s_t = Max(s_{t−1}, f_t) -- the maximum of f over the cycle
      (the limit of the running maximum: the EMA's values approach their cycle from
      below, see the claims), each comparison decided on (lo, hi) for the symbol
      ``var``;
    * any other state -- its update evaluated at the cycle.

    Returns (cycle, outcome): cycle[j] maps each state symbol to its value after the
    step with gradients[j].
    """
    from proofs.decide import decide_on_interval

    p = len(gradients)
    cycle: list[dict] = [{} for _ in range(p)]
    outs, steps = [], []
    below: list[sp.Basic] = []  # u_last − s_0 ≥ 0: the EMA approaches its cycle from below
    for st in rule.state:
        sym = st.symbol
        upd = _with_params(rule, assigned(rule, st.name), params)
        if isinstance(upd, sp.Max) and sym in upd.args:
            # the running maximum tends to the largest value of the cycle when every EMA
            # it reads approaches its cycle from below: s_t − u = c^t (s_0 − u_last) ≤ 0
            ok, _, _ = decide_on_interval(
                {f"b{j}": e for j, e in enumerate(below)},
                lambda sg: all(x >= 0 for x in sg.values()),
                var,
                lo,
                hi,
            )
            outs.append(
                proved("sign (Sturm)", "the EMAs approach their cycle from below")
                if ok
                else undecided("sign (Sturm)", "an EMA may approach its cycle from above")
            )
            fresh = [a for a in upd.args if a != sym]
            vals = []
            for j in range(p):
                env = _phase_env(rule, cycle, j, p, gradients[j], skip=sym)
                vals.extend(a.xreplace(env) for a in fresh)
            M, st_steps = resolve_max(sp.Max(*vals), var, lo, hi)
            steps += st_steps
            steps.append(Step(f"steady {st.name}: the largest value over the cycle", sp.Eq(sym, M)))
            for j in range(p):
                cycle[j][sym] = M
        elif sym in upd.free_symbols:
            u, c, out = linear_cycle(rule, st.name, gradients, params)
            outs.append(out)
            s0 = _with_params(rule, initial(rule, st.name), params)
            below.append(u[-1] - s0)
            steps.append(
                Step(
                    f"{st.name}_t − (its cycle value) = c^t ({st.name}_0 − u_last), c = {c}: "
                    "from below where u_last ≥ s_0",
                    sp.GreaterThan(u[-1] - s0, 0, evaluate=False),
                )
            )
            for j in range(p):
                cycle[j][sym] = u[j]
        else:
            for j in range(p):
                env = _phase_env(rule, cycle, j, p, gradients[j], skip=sym)
                cycle[j][sym] = sp.cancel(upd.xreplace(env))
    out = all_of(*outs) if outs else proved("steady state", "no linear state")
    return cycle, out.with_steps(*steps)


def _phase_env(rule: Rule, cycle, j: int, p: int, g_j, skip) -> dict:
    """Symbols of step j of the cycle: previous states (phase j−1), g, and the new values of
    states already solved (a state's update may read another state's new value through
    the program; assignments() substitutes those, so the previous values suffice)."""
    env = {g: g_j}
    for s in rule.state:
        if s.symbol != skip and s.symbol in cycle[(j - 1) % p]:
            env[s.symbol] = cycle[(j - 1) % p][s.symbol]
    return env


def vanish_powers(expr: sp.Basic) -> sp.Basic:
    """``expr`` with every power β^(…t…) of a decay rate in (0, 1) replaced by 0: its
    limit as t → ∞ (the bias corrections 1 − β^t → 1)."""
    return sp.sympify(expr).replace(
        lambda x: (
            x.is_Pow and x.exp.has(t) and (x.base in UNIT or (x.base.is_number and 0 <= x.base < 1))
        ),
        lambda x: sp.Integer(0),
    )


def period_drift(
    rule: Rule,
    gradients: Sequence[sp.Basic],
    params: Mapping[str, object],
    cycle: list[dict],
    var: sp.Symbol | None = None,
    lo=None,
    hi=None,
) -> tuple[sp.Basic, list[Step]]:
    r"""The steady drift of x over one period, in units of α/√t:
    lim √t·(x_{t+p} − x_t)/α = Σ_j lim √t·(x̂_j − x_j)/α, each move x̂_j − x_j read from the
    rule's update of ``x`` (not assumed to be x − δ) at the cycle's previous state, the
    limit t → ∞ taken on the rule's own expression (1 − β^t → 1, then t → ∞: a schedule
    α/√(t + c) gives the same drift as α/√t). A move that does not settle to α/√t times
    a function of the state is :class:`~proofs.claim.NotApplicable`."""
    from proofs.claim import NotApplicable

    x = rule.symbols["x"]
    # the limit t → ∞ of the bias corrections is taken on the rule's own symbols
    # (β^t → 0 for β ∈ [0, 1)), before the hyperparameters get their values
    move = _with_params(rule, vanish_powers(assigned(rule, "x") - x), params)
    if x in move.free_symbols:
        raise NotApplicable(f"the rule's move x̂ − x = {move} depends on x")
    p = len(gradients)
    parts, steps = [], []
    for j in range(p):
        env = _phase_env(rule, cycle, j, p, gradients[j], skip=None)
        d = move.xreplace(env) * sp.sqrt(t) / alpha
        d, st = resolve_max(d, var, lo, hi)
        steps += st
        if t in d.free_symbols:
            try:
                d = sp.limit(d, t, sp.oo)
            except NotImplementedError as e:  # SymPy finds no limit: (−1)^t, say
                raise NotApplicable(f"the move {d} has no limit as t → ∞ ({e})") from e
        if t in d.free_symbols or d.has(sp.oo, -sp.oo, sp.zoo, sp.nan, sp.AccumBounds):
            raise NotApplicable(f"the move is not α/√t times a function of the state: {d}")
        parts.append(d)
        steps.append(
            Step(
                f"step {j + 1} of the period (g = {gradients[j]}), the rule's update of x: "
                r"$\lim \sqrt{t}\,(x_{t+1} - x_t)/\alpha$",
                sp.Eq(sp.Symbol(f"d_{j + 1}"), d, evaluate=False),
            )
        )
    return sp.Add(*parts), steps


# ----------------------------------------------------------------------------- dimensions


def rule_scaling(rule: Rule, b: sp.Symbol) -> dict[sp.Symbol, sp.Basic]:
    r"""How the rule's state scales when every gradient is multiplied by b > 0.

    For each state (in program order) the exponent e ∈ {0, 1, 2} with
    update(b^e s, b g, the other states scaled) = b^e · update (a maximum of scaled
    arguments is the scaled maximum). Returns {g: b·g, state: b^e·state, ...}; a
    NotApplicable if some state is not homogeneous.
    """
    from proofs.decide import pull_max_factors

    scale: dict[sp.Symbol, sp.Basic] = {g: b * g}
    for st in rule.state:
        upd = assigned(rule, st.name)
        for e in (0, 1, 2):
            trial = {**scale, st.symbol: b**e * st.symbol}
            for other in rule.state:
                trial.setdefault(other.symbol, other.symbol)
            lhs = pull_max_factors(upd.xreplace(trial))
            if reduce_to_zero(sp.expand(lhs - b**e * upd)):
                scale[st.symbol] = b**e * st.symbol
                break
        else:
            raise NotApplicable(f"the update of {st.name} is not homogeneous in g")
    return scale


def step_size_scaling(
    rule: Rule, a: sp.Symbol, b: sp.Symbol, params: Mapping[str, object] | None = None
) -> tuple[sp.Basic, list[Step]]:
    r"""The factor α must be multiplied by when x is scaled by a and g by b, so that the
    rule's update x̂ − x = δ scales like x: α → a·b^(−k) α where δ(scaled state, b·g) =
    b^k δ with α fixed. Returns (a·b^(−k), steps)."""
    from proofs.decide import scaling_exponents

    scale = rule_scaling(rule, b)
    delta = _with_params(rule, assigned(rule, "delta"), params)
    (k,) = scaling_exponents(delta, scale, (b,))
    factor = a * b ** (-k)
    steps = [
        Step(
            "g → b·g scales the state as",
            sp.Eq(sp.Tuple(*scale.keys()), sp.Tuple(*scale.values()), evaluate=False),
        ),
        Step(
            f"the rule's step δ_t (α fixed) scales as b^{k}; x̂ − x = δ must scale as a, so",
            sp.Eq(sp.Symbol(r"\alpha'"), factor * alpha, evaluate=False),
        ),
    ]
    return factor, steps


__all__ = [
    "GRADIENT_PATTERNS",
    "as_premise",
    "bounded_state",
    "default_grid",
    "first_negative_gamma",
    "gamma_expression",
    "gamma_monotone",
    "gamma_search",
    "inverse_weight",
    "linear_cycle",
    "nonnegative_states",
    "period_drift",
    "rule_scaling",
    "search_runs",
    "steady_cycle",
    "step_size_scaling",
    "vanish_powers",
    "weights_on_run",
]
