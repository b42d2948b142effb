r"""A rule's anatomy, read from its SymPy program: the one place that reads a program.

A :class:`~octk.rules.rule.Rule` is a straight-line program. The analyses of the
papers speak of its pieces: the first moment m_t = β1,t m_{t−1} + (1 − β1,t) g_t, the
second moment v̂_t under the square root, the step size α_t, the effective step η_t
with δ_t = η_t M_t (RKK §2: x̂_{t+1} = x_t − α_t m_t/√V_t). This module finds those
pieces **in the program**, never in the option names or the rule's name, so a rule a
user writes by hand with Adam's program has Adam's anatomy.

Reading (ε = 0 where the analyses have no ε)::

    δ_t = η_t · M_t,        M_t = m_t (a state that is an EMA of g) or g_t
    η_t = c_t · h_t,        c_t a function of t and the hyperparameters only
    h_t = v̂_raw^(−1/2),     v̂_raw an expression of the state
    c_t = α_t · b_m(t) · b_v(t)^(1/2)

where b_m = 1/(1 − β1^t) is the first moment's bias correction (β1 the EMA's weight at
t = 1) and b_v = 1 − β2^t, folded into v̂_t = v̂_raw/b_v (K&B's efficient order puts
√(1 − β2^t) in the step size; it is v̂'s correction). α_t is what is left.

:func:`anatomy` returns an :class:`Anatomy`; the proof helpers (:func:`state_symbol`,
:func:`assigned`, :func:`in_terms_of`, :func:`update`) and the effective step
(:func:`effective_step`, which :meth:`Rule.effective_step` delegates to) live here too.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace

import sympy as sp

from octk.errors import ParameterError
from octk.rules.rule import Rule, drop_guard
from octk.symbols import g, t

#: the kinds of second moment :func:`anatomy` recognises (``"other"``: none of these)
SECOND_MOMENTS = ("none", "ema", "mean", "sum", "max(ema)", "max(ema, corrected)", "other")


# --------------------------------------------------------------------------- program access
class NotInProgram(LookupError):
    """The rule's program has no such state, target or symbol (the message names it)."""


class NotOfTheForm(NotInProgram, ParameterError):
    """The rule's step is not of the form a reader needs (δ_t = η_t·M_t, linear in the
    first moment: Lion's sign step is not): a :class:`NotInProgram` for the claims, which
    then do not apply, and a :class:`~octk.errors.ParameterError` for the commands that
    need η_t (the weighted projection, the Γ_t monitors)."""


def state_symbol(rule: Rule, name: str) -> sp.Symbol:
    """The symbol of state ``name`` of ``rule`` (:class:`NotInProgram` if it has none)."""
    for s in rule.state:
        if s.name == name:
            return s.symbol
    raise NotInProgram(f"rule {rule.name!r} has no state {name!r} (state: {rule.state_names})")


def initial(rule: Rule, name: str) -> sp.Basic:
    """The initial value of state ``name``."""
    state_symbol(rule, name)
    return next(s.init for s in rule.state if s.name == name)


def substitute(rule: Rule, expr: sp.Basic, values: Mapping[str, object]) -> sp.Basic:
    """``expr`` with the rule's symbols named in ``values`` replaced."""
    if not values:
        return expr
    syms = rule.symbols
    unknown = set(values) - set(syms)
    if unknown:
        raise NotInProgram(f"rule {rule.name!r} has no symbol {sorted(unknown)[0]!r}")
    return expr.xreplace({syms[k]: sp.sympify(v) for k, v in values.items()})


_UNGUARDED: dict[tuple[int, str], tuple[Rule, sp.Expr]] = {}


def _unguarded(rule: Rule, name: str) -> sp.Expr | None:
    """Target ``name`` of ``rule.assignments(guarded=False)`` (None: never assigned),
    substituting only the program up to its last assignment, and cached per rule object:
    the readers ask for the early state updates many times, and the late targets (δ_t,
    x̂_{t+1}) of a long program such as AdaShift's are slow to build."""
    key = (id(rule), name)
    hit = _UNGUARDED.get(key)
    if hit is not None and hit[0] is rule:
        return hit[1]
    names = [target.name for target, _ in rule.program]
    if name not in names:
        return None
    last = len(names) - 1 - names[::-1].index(name)
    env: dict[sp.Symbol, sp.Expr] = {}
    for target, expr in rule.program[: last + 1]:  # as Rule.assignments(guarded=False)
        unguarded = drop_guard(expr)
        env[target] = unguarded.xreplace(env) if env else unguarded
    out = env[rule.program[last][0]]
    if len(_UNGUARDED) > 4096:
        _UNGUARDED.clear()
    _UNGUARDED[key] = (rule, out)
    return out


def assigned(rule: Rule, name: str, **values: object) -> sp.Basic:
    """Target ``name`` as an expression of the previous state, g, t and hyperparameters.

    The zero-denominator guard is dropped (the papers' algebra). ``values`` substitutes
    symbols by name (hyperparameters, state, ``g``, ``t``), e.g. ``eps=0``.
    """
    out = _unguarded(rule, name)
    if out is None:
        targets = tuple(dict.fromkeys(target.name for target, _ in rule.program))
        raise NotInProgram(f"rule {rule.name!r} assigns no {name!r} (targets: {targets})")
    return substitute(rule, out, values)


def in_terms_of(rule: Rule, name: str, keep: Iterable[str]) -> sp.Basic:
    """Target ``name`` as an expression in which the targets named in ``keep`` stay symbols.

    E.g. ``in_terms_of(adam, "delta", ["vhat"])`` is α·m̂/(√v̂ + ε) with m̂ expanded
    into the previous state and g, and v̂ left as the symbol ``vhat`` (its *new* value).
    """
    keep = set(keep)
    env: dict[sp.Symbol, sp.Basic] = {}
    for target, expr in rule.program:
        value = drop_guard(expr.xreplace(env) if env else expr)
        if target.name == name:
            return value
        if target.name not in keep:
            env[target] = value
    raise NotInProgram(f"rule {rule.name!r} assigns no {name!r}")


def update(rule: Rule, name: str) -> Callable[[sp.Basic, sp.Basic, sp.Basic], sp.Basic]:
    """The rule's update of state ``name`` as a function (previous value, g_n, n) -> new value."""
    expr = assigned(rule, name)
    sym = state_symbol(rule, name)
    return lambda prev, g_n, step: expr.xreplace({sym: prev, g: g_n, t: step})


def _zero(expr: sp.Basic) -> bool:
    """Whether ``expr`` is identically 0 (False: not shown). A Piecewise is folded and
    each branch checked (simplifying a Piecewise whole is slow: RAdam's ρ_t branch)."""
    if expr == 0:
        return True
    if _nonzero_somewhere(expr):
        return False
    outer = [
        p
        for p in expr.atoms(sp.Piecewise)
        if not any(
            p in q.args[k].expr.atoms(sp.Piecewise)
            for q in expr.atoms(sp.Piecewise)
            if q != p
            for k in range(len(q.args))
        )
    ]
    conds = {tuple(c for _, c in p.args) for p in outer}
    if len(conds) == 1:  # the same branches everywhere (δ_t and ∂δ_t/∂M_t): branch by branch
        n = len(next(iter(conds)))
        return all(_zero(expr.xreplace({p: p.args[k].expr for p in outer})) for k in range(n))
    return sp.simplify(expr) == 0


def _nonzero_somewhere(expr: sp.Basic) -> bool:
    """Whether ``expr`` is non-zero at a rational point (t a positive integer, the rest
    positive rationals), evaluated to 60 digits: a proof that it is not identically 0,
    found before :func:`sympy.simplify` is tried (which takes seconds on AdaShift's
    window of ten gradients)."""
    rng = random.Random(7)
    for _ in range(2):
        point = {
            s: sp.Integer(rng.randint(12, 40))
            if s.is_integer
            else sp.Rational(rng.randint(1, 97), rng.randint(98, 199))
            for s in expr.free_symbols
        }
        value = sp.N(expr.xreplace(point), 60)
        if value.is_number and value.is_finite and abs(value) > 1e-30:
            return True
    return False


def _ema_weight(rule: Rule, name: str, signal: sp.Basic) -> sp.Basic | None:
    """c if state ``name`` is updated as c·s_{t−1} + (1 − c)·signal (c free of g and s)."""
    s = state_symbol(rule, name)
    raw = assigned(rule, name)
    if any(f.has(s, g) for f in raw.atoms(sp.Max, sp.Min, sp.sign, sp.Abs, sp.Piecewise)):
        return None  # a max, clip, sign or branch of the state or g: no moving average
    u = sp.expand(raw)
    c = u.coeff(s)
    if c == 0 or c.has(g) or c.has(s) or not _zero(u - c * s - (1 - c) * signal):
        return None  # (c = 0: a copy of the signal, no moving average: AdaShift's s1 = g)
    return sp.simplify(c)


def first_moment_state(rule: Rule) -> sp.Symbol | None:
    """The state that is an exponential moving average of g (m_t), None if none is."""
    for st in rule.state:
        if _ema_weight(rule, st.name, g) is not None:
            return st.symbol
    return None


# --------------------------------------------------------------------------- the effective step
def first_moment_symbol(rule: Rule) -> sp.Symbol:
    """The direction the step scales: ``mhat`` if the program has it, else ``m``, else ``g``.

    The step is δ_t = η_t · M_t with M_t this symbol (see :func:`effective_step`). A
    program that names neither is read by its structure: the temporary equal to
    m_t/(1 − β1^t) for the state m_t that is an EMA of g, else that state, else g.
    """
    targets = {s.name: s for s, _ in rule.program}
    for name in ("mhat", "m"):
        if name in targets:
            return targets[name]
    m = first_moment_state(rule)
    if m is None:
        return g
    b1 = _ema_weight(rule, m.name, g)
    assert b1 is not None
    corrected = m / (1 - b1.xreplace({t: 1}) ** t)
    states = rule.state_names
    for target, _ in rule.program:
        if target.name not in states and target.name not in ("delta", "x"):
            if _zero(in_terms_of(rule, target.name, states) - corrected):
                return target
    return m


def _delta(rule: Rule) -> sp.Expr:
    for target, expr in rule.program:
        if target.name == "delta":
            return drop_guard(expr)
    raise NotOfTheForm(
        f"rule {rule.name!r} has no 'delta' assignment: its effective step is not defined"
    )


def effective_step(rule: Rule) -> sp.Expr:
    r"""The effective per-coordinate step η_t, with δ_t = η_t M_t (guard dropped).

    M_t is :func:`first_moment_symbol`; η_t = ∂δ_t/∂M_t, an expression of the symbols
    of step t (state after the step, temporaries such as ``vhat``, hyperparameters, t).
    Adam: α_t/(√v̂_t + ε); AMSGrad: α_t/√v̂_t; AdaGrad: α/(ε + √Σg²); OGD: α_t. K&B's
    Γ_t = √v̂_t/α_t − √v̂_{t−1}/α_{t−1} (ε = 0) and RKK's Γ_t (their eq. 2) are
    1/η_t − 1/η_{t−1}.

    Raises :class:`NotOfTheForm` (a NotInProgram and a ParameterError) if δ_t is not
    linear in M_t.
    """
    delta, M = _delta(rule), first_moment_symbol(rule)
    eta = sp.diff(delta, M)
    if M in eta.free_symbols or not _zero(delta - eta * M):
        raise NotOfTheForm(
            f"rule {rule.name!r}: its step {delta} is not of the form η_t·{M}, so Γ_t "
            "is not defined for it"
        )
    return eta


def inverse_effective_step(rule: Rule) -> sp.Expr:
    """1/η_t (see :func:`effective_step`), written without a division by the denominator.

    Finite where the guarded step is 0 (e.g. √v̂_t = 0 gives 1/η_t = 0). Raises
    :class:`NotOfTheForm` where η_t is 0 on a branch of the program (AdaShift's first n
    steps): 1/η_t, and Γ_t with it, is not defined there.
    """
    inv = sp.powsimp(sp.expand_power_base(1 / effective_step(rule), force=False))
    if inv.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        raise NotOfTheForm(
            f"rule {rule.name!r}: its effective step η_t is 0 on a branch of its program "
            f"(1/η_t = {inv}), so 1/η_t and Γ_t are not defined for it"
        )
    return inv


# --------------------------------------------------------------------------- the anatomy
@dataclass(frozen=True)
class Anatomy:
    r"""What :func:`anatomy` reads from a rule's program (see the module docstring).

    Attributes
    ----------
    beta1_t : β1,t, the weight of m_{t−1} in the first moment's EMA (None: no first moment).
    m_bias_corrected : the step uses m̂_t = m_t/(1 − β1^t).
    second_moment : one of :data:`SECOND_MOMENTS`: the state under the step's square root
        is an EMA of g² with a weight constant in t (``ema``), the running mean
        (β2,t = 1 − 1/t, ``mean``), the running sum (``sum``), a running max of an EMA
        (``max(ema)``; of its bias-corrected value: ``max(ema, corrected)``), none, or other.
    beta2_t : the weight of v_{t−1} in the second moment's EMA (None where it is not one).
    v_bias_corrected : v̂_t = v_t/(1 − β2^t) (the correction after any running max).
    vhat : v̂_t as the step's denominator uses it, ε removed, over the state after the
        step, t and the hyperparameters (None: the step has no square root of a state).
    alpha_t : the step size α_t (None where the step is not η_t·M_t).
    eps : where ε sits: ``none`` (the step has none), ``outside`` (√v̂ + ε), ``inside``
        (√(v̂ + ε)) or ``other``.
    v_init : the initial value of the second moment's state (None: no such state).
    beta1_ratio : β1,t+1/β1,t where it is free of t (1: a constant β1,t; λ: the geometric
        schedule β1,t = β1 λ^(t−1)); None without a first moment or for another schedule.
    """

    beta1_t: sp.Expr | None
    m_bias_corrected: bool
    second_moment: str
    beta2_t: sp.Expr | None
    v_bias_corrected: bool
    vhat: sp.Expr | None
    alpha_t: sp.Expr | None
    eps: str
    v_init: sp.Expr | None
    beta1_ratio: sp.Expr | None = None

    @property
    def first_moment(self) -> str:
        """``ema`` (m_t an EMA of g) or ``none``."""
        return "none" if self.beta1_t is None else "ema"

    @property
    def family(self) -> tuple[str, str]:
        """(first moment, second moment): the moment structure that names an algorithm."""
        return self.first_moment, self.second_moment


_CACHE: dict[int, tuple[Rule, Anatomy]] = {}


def anatomy(rule: Rule) -> Anatomy:
    """The :class:`Anatomy` of ``rule``'s program (cached per rule object)."""
    hit = _CACHE.get(id(rule))
    if hit is not None and hit[0] is rule:
        return hit[1]
    out = _read(rule)
    if out.beta1_t is not None:
        ratio = sp.simplify(out.beta1_t.xreplace({t: t + 1}) / out.beta1_t)
        out = replace(out, beta1_ratio=None if ratio.has(t) else ratio)
    if len(_CACHE) > 256:
        _CACHE.clear()
    _CACHE[id(rule)] = (rule, out)
    return out


def _eps_symbol(rule: Rule) -> sp.Symbol | None:
    return rule.symbols.get("eps")


def _read(rule: Rule) -> Anatomy:
    states = {st.symbol for st in rule.state}
    m_sym = first_moment_state(rule)
    beta1_t = _ema_weight(rule, m_sym.name, g) if m_sym is not None else None
    beta1 = beta1_t.xreplace({t: 1}) if beta1_t is not None else None
    eps = _eps_symbol(rule)
    try:
        delta = in_terms_of(rule, "delta", [st.name for st in rule.state])
    except NotInProgram:
        return Anatomy(beta1_t, False, "other", None, False, None, None, "other", None)
    delta0 = delta.xreplace({eps: 0}) if eps is not None else delta
    M = m_sym if m_sym is not None else g
    eta0 = sp.diff(delta0, M)
    if eta0.has(M) or not _zero(delta0 - eta0 * M):
        return Anatomy(beta1_t, False, "other", None, False, None, None, "other", None)
    c, h = eta0.as_independent(*states, as_Add=False)
    alpha_t, m_bias, v_bias_factor = sp.Integer(1), False, sp.Integer(1)
    for f in sp.Mul.make_args(c):
        base, expo = f.as_base_exp()
        b, sign = _correction(base)
        if b is not None and beta1 is not None and b == beta1 and expo == -1 and not m_bias:
            m_bias, alpha_t = True, alpha_t * sign
        elif b is not None and expo == sp.S.Half and sign == 1:
            v_bias_factor *= base
        else:
            alpha_t *= f
    raw = None
    if h != 1:
        hb, he = h.as_base_exp()
        if he == -sp.S.Half and hb.free_symbols & states:
            raw = hb
    if raw is None and h != 1:  # a denominator that is not a square root (AdaMax's u_t)
        # a branch or a clip in η_t (RAdam, AdaBound): no α_t splits off
        plain = not h.has(sp.Piecewise, sp.Min, sp.Max)
        a_t = alpha_t if plain else None
        return Anatomy(beta1_t, m_bias, "other", None, False, None, a_t, _eps_place(rule), None)
    vhat = None if raw is None else raw / v_bias_factor
    kind, beta2_t, v_bias, v_init = _second_moment(rule, vhat, states)
    return Anatomy(
        beta1_t=beta1_t,
        m_bias_corrected=m_bias,
        second_moment=kind,
        beta2_t=beta2_t,
        v_bias_corrected=v_bias,
        vhat=vhat,
        alpha_t=sp.simplify(alpha_t) * (v_bias_factor if raw is None else 1),
        eps=_eps_place(rule, raw),
        v_init=v_init,
    )


def _correction(expr: sp.Basic) -> tuple[sp.Basic | None, int]:
    """(b, 1) if ``expr`` is 1 − b^t with b free of t (a bias correction), (b, −1) if it is
    b^t − 1, else (None, 1)."""
    for sign in (1, -1):
        b = _correction_base(sign * expr)
        if b is not None:
            return b, sign
    return None, 1


def _correction_base(expr: sp.Basic) -> sp.Basic | None:
    """b if ``expr`` is 1 − b^t with b free of t (a bias correction), else None."""
    b = sp.Wild("b", exclude=[t])
    m = sp.expand(expr).match(1 - b**t)
    if m is None or m[b].has(t) or m[b].is_number:
        return None
    return m[b]


def _second_moment(
    rule: Rule, vhat: sp.Expr | None, states: AbstractSet[sp.Symbol]
) -> tuple[str, sp.Expr | None, bool, sp.Basic | None]:
    """(kind, β2,t, bias-corrected, initial value) of the state under the square root."""
    if vhat is None:
        return "none", None, False, None
    k, core = vhat.as_independent(*states, as_Add=False)
    corrected = False
    if k != 1:
        b = _correction_base(1 / k)
        if b is None:
            return "other", None, False, None
        corrected = True
    if not isinstance(core, sp.Symbol) or core not in states:
        return "other", None, corrected, None
    kind, beta2_t, base = _state_kind(rule, core.name)
    if kind == "max" and base is not None:
        inner_k, inner = base.as_independent(*states, as_Add=False)
        ik, ib, _ = _state_kind(rule, inner.name) if inner in states else ("other", None, None)
        if ik != "ema":
            return "other", None, corrected, None
        inner_corrected = inner_k != 1 and _correction_base(1 / inner_k) is not None
        kind = "max(ema, corrected)" if inner_corrected else "max(ema)"
        beta2_t = ib
        return kind, beta2_t, corrected or inner_corrected, initial(rule, core.name)
    if corrected and (beta2_t is None or _correction_base(1 / k) != beta2_t):
        return "other", beta2_t, corrected, initial(rule, core.name)
    return kind, beta2_t, corrected, initial(rule, core.name)


def _state_kind(rule: Rule, name: str) -> tuple[str, sp.Expr | None, sp.Expr | None]:
    """(kind, weight, max argument) of state ``name``'s update: an EMA of g² with a
    t-free weight (``ema``), the running mean (``mean``), the running sum (``sum``), a
    running max max(s_{t−1}, X_t) of another state's new value X (``max``), else ``other``."""
    s = state_symbol(rule, name)
    expr = in_terms_of(rule, name, rule.state_names)
    if isinstance(expr, sp.Max) and len(expr.args) == 2 and s in expr.args:
        other = next(a for a in expr.args if a != s)
        return "max", None, other
    c = _ema_weight(rule, name, g**2)
    if c is not None:
        if c.has(t):
            return ("mean" if _zero(c - (1 - 1 / t)) else "other"), c, None
        return "ema", c, None
    u = sp.expand(assigned(rule, name))
    if _zero(u - s - g**2):
        return "sum", None, None
    return "other", None, None


def _eps_place(rule: Rule, raw: sp.Expr | None = None) -> str:
    """Where ε sits in the step relative to √(raw): ``outside``, ``inside``, ``none``, ``other``."""
    eps = _eps_symbol(rule)
    try:
        eta = effective_step(rule)
    except ParameterError:
        return "other"
    expanded = eta
    for target, expr in reversed(rule.program):  # temporaries (mhat, vhat) into the state
        if target.name not in rule.state_names and target.name not in ("delta", "x"):
            expanded = expanded.xreplace({target: drop_guard(expr)})
    if eps is None or not expanded.has(eps):
        return "none"
    if raw is None:
        return "other"
    eta0 = expanded.xreplace({eps: 0})
    c = eta0 * sp.sqrt(raw)
    if _zero(expanded - c / (sp.sqrt(raw) + eps)):
        return "outside"
    if _zero(expanded - c / sp.sqrt(raw + eps)):
        return "inside"
    return "other"


# --------------------------------------------------------------------------- short readings
def beta1_t(rule: Rule) -> sp.Expr | None:
    """β1,t read off the first moment m_t = β1,t m_{t−1} + (1 − β1,t) g_t (None: no such state)."""
    return anatomy(rule).beta1_t


def alpha_t(rule: Rule) -> sp.Expr | None:
    """The step size α_t of ``rule``'s step δ_t = α_t m̂_t/√v̂_t (ε = 0); None if undefined."""
    return anatomy(rule).alpha_t


def second_moment(rule: Rule) -> sp.Expr | None:
    """v̂_t as the rule's denominator uses it (√v̂_t), ε removed; None without one.

    Adam: v_t/(1 − β2^t); AMSGrad (paper): ``vmax``; AdaGrad: ``v`` = Σ g²; K&B's
    efficient order: v_t/(1 − β2^t) too. Rules whose denominator has no square root
    (AdaMax, OGD) have none.
    """
    return anatomy(rule).vhat


def same(a: sp.Basic | None, b: sp.Basic | None) -> bool:
    """Whether two expressions read from programs are equal (None only equals None)."""
    if a is None or b is None:
        return a is b
    return _zero(sp.sympify(a) - sp.sympify(b))


__all__ = [
    "SECOND_MOMENTS",
    "Anatomy",
    "NotInProgram",
    "NotOfTheForm",
    "alpha_t",
    "anatomy",
    "assigned",
    "beta1_t",
    "effective_step",
    "first_moment_state",
    "first_moment_symbol",
    "in_terms_of",
    "initial",
    "inverse_effective_step",
    "same",
    "second_moment",
    "state_symbol",
    "substitute",
    "update",
]
