r"""Published regret bounds, evaluated on a run, with their hypotheses checked.

Each bound is a :class:`Bound`: its right-hand side as a function of a run (its
:class:`~octk.trajectory.Trajectory`, rule, hyperparameters, domain and
sequence), term by term, at every checkpoint T; the constants it used; and a
verdict on each hypothesis. :func:`check` runs a simulation with the
:mod:`monitors <octk.monitors>` the bounds need, measures the regret
(:func:`octk.regret.regret`) and evaluates a bound; :func:`search` scans a grid.

Notation (THEORY.md §1): d coordinates; ‖g_{1:T,i}‖₂ = (Σ_{t≤T} g_{t,i}²)^{1/2};
G∞ ≥ ‖g_t‖∞, G ≥ ‖g_t‖₂; D∞, D the ℓ∞ and ℓ2 diameters of F.

=======================  ====================================================================
name                     right-hand side (the paper's equation; see each ``_rhs_*`` below)
=======================  ====================================================================
``kb-thm4.1``            K&B Theorem 4.1 (Adam), Lemma 10.4's constant as proved (the theorem's)
``kb-thm4.1-lemma-stated``  the same with Lemma 10.4's constant as stated, 2/(1−γ)
``kb-cor4.2``            K&B Corollary 4.2: Theorem 4.1 with Σ_i‖g_{1:T,i}‖₂ ≤ d G∞ √T
``rkk-thm4``             RKK Theorem 4 (AMSGrad), final version (1/α in the first term)
``rkk-thm4-submitted``   the same as submitted (no 1/α: dimensionally inconsistent)
``rkk-cor1``             RKK Corollary 1 (β1,t = β1 λ^(t−1)), middle term as printed
``rkk-cor1-careful``     the same with the middle term summed carefully (d and 1/α)
``rkk-cor2``             AdamNC: RKK's Theorem 5 / Corollary 2 are *unverified*; octk
                         evaluates its own derivation (see :func:`_rhs_adamnc`)
``duchi-adagrad``        Duchi, Hazan & Singer (diagonal AdaGrad), data-dependent form
``duchi-adagrad-dinf``   the same with max_t‖x* − x_t‖∞ ≤ D∞ (√2 D∞ Σ‖g‖ at α = D∞/√2)
``zinkevich-ogd``        Zinkevich Theorem 1, η_t = α/√t
=======================  ====================================================================

Verdicts: a *stated* hypothesis is one the theorem assumes; a *proof step* is a
fact the proof uses without stating it (Γ_t ⪰ 0, RKK's eq. 2). Each is
``holds``, ``fails`` or ``n/a``, with the values that decide it. "Hypotheses hold"
means every stated one holds.

Constants: G∞ is the sequence's declared gradient bound (``Sequence.bound``
for linear losses; derived for quadratic and absolute ones) with
``constants="declared"`` (the default), else the observed max_{t≤T} |g_{t,i}|
(``constants="observed"``, the tightest constant that makes the hypothesis true
on the run); both are always reported. D and D∞ are the domain's diameters
(:meth:`octk.domains.Box.diameter`), or with ``constants="observed"`` the
observed max_{t≤T} ‖x_t − x*_T‖ (∞-norm exact; the ℓ2 one is the upper estimate
(Σ_i max_t (x_{t,i} − x*_i)²)^{1/2}, exact for d = 1). The observed G is
(Σ_i max_t g_{t,i}²)^{1/2} ≥ max_t ‖g_t‖₂, likewise exact for d = 1.

λ (K&B Theorem 4.1, RKK Corollary 1): with β1,t = β1 λ^(t−1) the rule's λ is the
theorem's. With β1 = 0, β1,t = 0 for every λ ∈ (0, 1), so the theorem holds for
every λ and its tightest form is the infimum, λ → 0⁺ (THEORY §4, observation):
that is the default, and ``lam=`` evaluates it at another λ (K&B's "typical"
1 − 1e−8 makes the constant term ~10¹⁶ times larger). The λ used and why are
reported per configuration.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from octk.domains import Ball, Box, Reals
from octk.domains import domain as make_domain
from octk.errors import ParameterError, check_choice, check_int, check_real, unknown_name
from octk.monitors import Monitor, gamma_monitors, last, running_max, running_min, running_sum
from octk.rules import Rule
from octk.rules import rule as make_rule
from octk.rules.adaptive import beta2 as BETA2
from octk.rules.adaptive import eps as EPS
from octk.rules.adaptive import step_size
from octk.sequences import Sequence
from octk.sequences import sequence as make_sequence
from octk.symbols import g, t, x

HOLDS, FAILS, NA = "holds", "fails", "n/a"
CONSTANTS = ("declared", "observed")
KB_LAMBDA_TYPICAL = 1 - 1e-8
#: a violation is R(T) > RHS(T) by more than this relative margin, so rounding never
#: makes one (Zinkevich's bound is attained with equality at T = 1 when α = D/G)
RTOL = 1e-9


def violates(regret, rhs) -> np.ndarray:
    """R > RHS beyond rounding: R − RHS > RTOL·max(|R|, |RHS|) (False where RHS is nan)."""
    regret, rhs = np.asarray(regret, dtype=np.float64), np.asarray(rhs, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return regret - rhs > RTOL * np.maximum(np.abs(regret), np.abs(rhs))


# --------------------------------------------------------------------------- records
@dataclass(frozen=True)
class Check:
    """One hypothesis (``kind="stated"``) or proof step (``kind="proof"``) and its verdict."""

    name: str
    verdict: str  # holds | fails | n/a
    detail: str
    kind: str = "stated"

    def __str__(self) -> str:
        return f"{self.verdict:<6} {self.name}: {self.detail}"


@dataclass(frozen=True)
class Bound:
    """A published regret bound: its statement, hypotheses and right-hand side.

    ``evaluate(ctx)`` returns (terms, checks, extra constants); ``rules`` are the
    rules it is the default bound of; ``verified`` is False where the paper's
    statement could not be checked against the primary text (THEORY.md).
    """

    name: str
    title: str
    source: str
    statement: str
    terms: tuple[str, ...]
    evaluate: Callable
    rules: tuple[str, ...] = ()
    verified: bool = True
    note: str = ""


@dataclass(frozen=True, eq=False)
class BoundResult:
    """A bound evaluated on a batch of runs (C configurations, K checkpoints).

    t : (K,) checkpoints; regret : (C, K) R(T); terms : name -> (C, K);
    rhs : (C, K) their sum; constants : name -> value (floats, or (C,) arrays);
    lam, lam_reason : (C,) the λ used and why (None where the bound has no λ);
    checks : per configuration, the tuple of :class:`Check`; gamma : ``count``,
    ``first``, ``min`` (C,) of Γ_{t,i} = 1/η_{t,i} − 1/η_{t−1,i} over all t ≥ 2 and
    coordinates (``first`` = 0: never negative); first_violation : (C,) the first
    T with R(T) > RHS(T) (0: none up to ``steps``): checked at every step where
    ``every_step`` (:func:`check`'s default), else at the checkpoints; violation_regret,
    violation_rhs : (C,) R and RHS there (nan if none).
    """

    bound: Bound
    rule: Rule
    sequence: Sequence
    domain: object
    steps: int
    params: dict[str, np.ndarray]
    seeds: np.ndarray
    t: np.ndarray
    regret: np.ndarray
    terms: dict[str, np.ndarray]
    rhs: np.ndarray
    constants: dict[str, object]
    lam: np.ndarray
    lam_reason: tuple[str, ...]
    checks: tuple[tuple[Check, ...], ...]
    gamma: dict[str, np.ndarray]
    first_violation: np.ndarray
    violation_regret: np.ndarray
    violation_rhs: np.ndarray
    every_step: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def n_configs(self) -> int:
        return self.regret.shape[0]

    def hypotheses_hold(self, c: int = 0) -> bool:
        """Whether every stated hypothesis holds for configuration ``c``."""
        return all(k.verdict != FAILS for k in self.checks[c] if k.kind == "stated")

    def failing(self, c: int = 0, kind: str | None = "stated") -> list[Check]:
        return [k for k in self.checks[c] if k.verdict == FAILS and (kind in (None, k.kind))]

    def verdict(self, c: int = 0) -> str:
        """One line: the hypotheses' status and where the bound first breaks (or how far
        it holds)."""
        bad = self.failing(c)
        head = (
            "hypotheses hold"
            if not bad
            else "hypotheses fail (" + "; ".join(k.name for k in bad) + ")"
        )
        fv = int(self.first_violation[c])
        if fv > 0:
            at = "" if self.every_step else " (first violating checkpoint)"
            body = f"bound violated first at T = {fv:,}{at}"
        elif not np.all(np.isfinite(self.rhs[c])):
            body = "bound not evaluated (its right-hand side is undefined here)"
        else:
            body = f"holds up to T = {self.steps:,}"
        tail = ""
        proof = self.failing(c, "proof")
        if proof:
            tail = "; the proof's step fails: " + "; ".join(f"{k.name}, {k.detail}" for k in proof)
        return f"{head}; {body}{tail}"

    def to_dict(self, c: int | None = None) -> dict:
        """Plain Python values (JSON-ready after non-finite floats are mapped)."""
        cs = range(self.n_configs) if c is None else [c]
        configs = []
        for k in cs:
            configs.append(
                {
                    "params": {n: float(v[k]) for n, v in self.params.items()},
                    "seed": int(self.seeds[k]),
                    "verdict": self.verdict(k),
                    "hypotheses_hold": self.hypotheses_hold(k),
                    "checks": [
                        {
                            "name": ch.name,
                            "verdict": ch.verdict,
                            "detail": ch.detail,
                            "kind": ch.kind,
                        }
                        for ch in self.checks[k]
                    ],
                    "first_violation": int(self.first_violation[k]) or None,
                    "violation_regret": float(self.violation_regret[k]),
                    "violation_rhs": float(self.violation_rhs[k]),
                    "lambda": None if np.isnan(self.lam[k]) else float(self.lam[k]),
                    "lambda_reason": self.lam_reason[k],
                    "gamma": {n: float(v[k]) for n, v in self.gamma.items()},
                    "constants": {
                        n: (float(v[k]) if isinstance(v, np.ndarray) else v)
                        for n, v in self.constants.items()
                    },
                    "checkpoints": {
                        "t": self.t.tolist(),
                        "regret": self.regret[k].tolist(),
                        "rhs": self.rhs[k].tolist(),
                        "terms": {n: v[k].tolist() for n, v in self.terms.items()},
                    },
                }
            )
        return {
            "bound": self.bound.name,
            "title": self.bound.title,
            "source": self.bound.source,
            "statement": self.bound.statement,
            "verified": self.bound.verified,
            "note": self.bound.note,
            "rule": self.rule.name,
            "rule_title": self.rule.title,
            "preset": self.rule.preset,
            "options": dict(self.rule.options),
            "sequence": self.sequence.spec(),
            "loss": self.sequence.loss,
            "domain": self.domain.spec(),
            "steps": self.steps,
            "every_step": self.every_step,
            "notes": list(self.notes),
            "configs": configs,
        }

    def table(self, c: int = 0, rows: int | None = None) -> str:
        """R(T), each term and the right-hand side at selected checkpoints (decades,
        the first violation, the last)."""
        t = self.t
        decades = 10 ** np.arange(0, int(math.log10(max(int(t[-1]), 1))) + 1)
        show = [int(np.argmin(np.abs(np.log(t) - np.log(p)))) for p in decades]
        fv = int(self.first_violation[c])
        if fv:
            k = int(np.searchsorted(t, fv))
            show += [k] if k < len(t) and t[k] == fv else []
        show.append(len(t) - 1)
        show = sorted(set(show))
        if rows is not None and len(show) > rows:
            show = show[-rows:]
        names = list(self.terms)
        head = f"  {'T':>12} {'R(T)':>12} " + " ".join(f"{n:>12}" for n in names)
        head += f" {'RHS':>12} {'R/RHS':>9}"
        lines = [head]
        extra = bool(fv) and not np.any(t == fv)
        for k in show:
            if extra and t[k] > fv:
                lines.append(self._violation_row(c, names))
                extra = False
            r, rhs = self.regret[c, k], self.rhs[c, k]
            ratio = r / rhs if rhs and np.isfinite(rhs) else float("nan")
            mark = "  VIOLATED" if violates(r, rhs) else ""
            lines.append(
                f"  {t[k]:>12,} {_g(r):>12} "
                + " ".join(f"{_g(self.terms[n][c, k]):>12}" for n in names)
                + f" {_g(rhs):>12} {_g(ratio, 5):>9}{mark}"
            )
        if extra:
            lines.append(self._violation_row(c, names))
        return "\n".join(lines)

    def _violation_row(self, c: int, names) -> str:
        fv = int(self.first_violation[c])
        r, rhs = self.violation_regret[c], self.violation_rhs[c]
        return (
            f"  {fv:>12,} {_g(r):>12} "
            + " ".join(f"{'·':>12}" for _ in names)
            + f" {_g(rhs):>12} {_g(r / rhs, 5):>9}  first violation"
        )

    def summary(self, c: int = 0) -> str:
        """The readable report of ``octk check`` for configuration ``c``."""
        b = self.bound
        params = ", ".join(f"{n}={float(v[c]):g}" for n, v in self.params.items())
        lines = [f"{b.title}  [{b.source}]"]
        if not b.verified:
            lines.append(f"  UNVERIFIED: {b.note}")
        lines += [
            f"  {'bound':<11} {b.statement}",
            f"  {'rule':<11} {self.rule.title}  [{self.rule.source}]",
            f"  {'params':<11} {params}",
            f"  {'sequence':<11} {self.sequence.spec()} ({self.sequence.loss} loss)   "
            f"domain {self.domain.spec()}   T = {self.steps:,}",
            f"  {'constants':<11} " + _constants_line(self.constants, c),
        ]
        if not np.isnan(self.lam[c]) or self.lam_reason[c]:
            lam = "" if np.isnan(self.lam[c]) else _lam_text(self.lam[c]) + ": "
            lines.append(f"  {'λ':<11} {lam}{self.lam_reason[c]}")
        lines.append("  hypotheses")
        for ch in self.checks[c]:
            if ch.kind == "stated":
                lines.append(f"    {ch}")
        proof = [ch for ch in self.checks[c] if ch.kind == "proof"]
        if proof:
            lines.append("  proof steps (used by the proof, not stated)")
            lines += [f"    {ch}" for ch in proof]
        for n in self.notes:
            lines.append(f"  note: {n}")
        lines.append("")
        lines.append(self.table(c))
        lines.append("")
        lines.append(f"  verdict: {self.verdict(c)}")
        return "\n".join(lines)


def _g(v, digits: int = 6) -> str:
    v = float(v)
    return f"{v:.{digits}g}" if math.isfinite(v) else str(v)


def _lam_text(lam: float) -> str:
    return "λ → 0⁺" if lam == 0 else f"λ = {lam:.10g}"


def _constants_line(k: dict, c: int) -> str:
    def v(name):
        x = k.get(name)
        if x is None:
            return "none"
        return _g(x[c] if isinstance(x, np.ndarray) else x)

    out = (
        f"G∞ = {v('G∞ (used)')} (declared {v('G∞ declared')}, observed {v('G∞ observed')}), "
        f"G = {v('G (used)')}, D = {v('D (used)')}, D∞ = {v('D∞ (used)')} "
        f"(domain {v('D∞ domain')}, observed max‖x_t − x*‖∞ {v('D∞ observed')}); "
        f"{k['constants']} constants"
    )
    if "γ" in k:
        out += f"; γ = {v('γ')}"
    return out


# --------------------------------------------------------------------------- the run's quantities
def _schedule(rule: Rule) -> str:
    sched = rule.options.get("schedule")
    if sched is not None:
        return str(sched)
    try:
        free = rule.effective_step().free_symbols
    except ParameterError:
        return "constant"
    if any(s.name == "lr_decay" for s in free):
        return "inverse"
    return "sqrt" if t in free else "constant"


def alpha_t(rule: Rule) -> sp.Expr:
    """The step size α_t of ``rule``'s schedule (α, α/√t or α/(1 + (t−1) lr_decay))."""
    return step_size(_schedule(rule))


def beta1_t(rule: Rule) -> sp.Expr | None:
    """β1,t read off the rule's first-moment assignment m_t = β1,t m_{t−1} + (1 − β1,t) g_t."""
    for target, expr in rule.program:
        if target.name == "m":
            return sp.expand(expr).coeff(target)
    return None


def second_moment(rule: Rule) -> sp.Expr | None:
    """v̂_t as the rule's denominator uses it (√v̂_t), ε removed; None without one.

    Adam: ``vhat`` (bias-corrected); AMSGrad (paper): ``vmax``; AdaGrad: ``v`` = Σ g²;
    K&B's ε-hat order: v_t/(1 − β2^t). Rules whose denominator has no square root
    (AdaMax, OGD) have none.
    """
    if rule.options.get("eps_mode") == "hat":
        return sp.Symbol("v", real=True) / (1 - BETA2**t)
    try:
        eta = rule.effective_step()
    except ParameterError:
        return None
    program_syms = {s for s, _ in rule.program} | {st.symbol for st in rule.state}
    for p in sorted(eta.atoms(sp.Pow), key=str):
        if p.exp in (sp.S.Half, -sp.S.Half) and p.base.free_symbols & program_syms:
            return p.base.subs(EPS, 0)
    return None


def bound_monitors(rule: Rule) -> tuple[Monitor, ...]:
    """The monitors every bound of this module reads (one set, so one kernel per run).

    ``sum_g2`` Σ_t g_{t,i}², ``max_abs_g`` max_t |g_{t,i}|, ``x_min``/``x_max`` the range
    of the played x_{t,i}; where the rule has a second moment, ``vhat_T`` (v̂_{t,i} at
    the checkpoint) and, with a first moment, ``mid_sum`` Σ_t β1,t v̂_{t,i}^{1/2}/α_t
    (RKK Theorem 4's middle sum); and the Γ monitors
    (:func:`octk.monitors.gamma_monitors`).
    """
    mons = [
        running_sum("sum_g2", g**2, "Σ_t g_{t,i}²"),
        running_max("max_abs_g", sp.Abs(g), "max_t |g_{t,i}|"),
        running_min("x_min", x, "min_t x_{t,i} (played)"),
        running_max("x_max", x, "max_t x_{t,i} (played)"),
    ]
    v = second_moment(rule)
    if v is not None:
        mons.append(last("vhat_T", v, "v̂_{t,i} at the step"))
        b1 = beta1_t(rule)
        if b1 is not None:
            mons.append(
                running_sum("mid_sum", b1 * sp.sqrt(v) / alpha_t(rule), "Σ_t β1,t v̂^{1/2}/α_t")
            )
    try:
        mons += list(gamma_monitors(rule))
    except ParameterError:
        pass
    return tuple(mons)


def declared_gradient_bound(sequence: Sequence, domain, d: int) -> float | None:
    """G∞ ≥ sup |∇f_t(x)_i| over x ∈ F from the sequence's declared bound (None: unknown).

    Linear: ``Sequence.bound`` (sup |s|). Quadratic: 2(sup_F |x_i| + sup |s|) on a
    bounded F. Absolute: 1.
    """
    if sequence.loss == "absolute":
        return 1.0
    b = sequence.bound
    if b is None:
        return None
    if sequence.loss == "linear":
        return float(b)
    if isinstance(domain, Box):
        lo, hi = domain.bounds(d)
        r = float(np.max(np.maximum(np.abs(lo), np.abs(hi))))
        return 2 * (r + float(b)) if math.isfinite(r) else None
    if isinstance(domain, Ball):
        return 2 * (float(domain.radius) + float(b))
    return None


@dataclass
class _Ctx:
    """What a bound's evaluate() reads: the run, its regret and derived quantities."""

    rule: Rule
    sequence: Sequence
    domain: object
    traj: object
    reg: object
    constants_mode: str
    lam_option: float | None
    C: int = 0
    K: int = 0
    d: int = 1
    t: np.ndarray = None
    p: dict = None  # hyperparameter -> (C, 1)
    S: np.ndarray = None  # (C, K) Σ_i ‖g_{1:T,i}‖₂
    sqrt_v_sum: np.ndarray | None = None  # (C, K) Σ_i √v̂_{T,i}
    mid: np.ndarray | None = None  # (C, K) Σ_i Σ_t β1,t √v̂_{t,i}/α_t
    Ginf: np.ndarray = None  # (C, K) used
    G: np.ndarray = None
    D: np.ndarray = None
    Dinf: np.ndarray = None
    Dinf_data: np.ndarray = None  # (C, K) max_t ‖x* − x_t‖∞
    constants: dict = None
    gamma: dict = None

    def par(self, name: str, default: float = 0.0) -> np.ndarray:
        return self.p.get(name, np.full((self.C, 1), default))

    def unknown(self) -> np.ndarray:
        """A (C, K) term whose monitor the run lacks: NaN."""
        return np.full((self.C, self.K), np.nan)

    def no_lambda(self) -> tuple[np.ndarray, list[str]]:
        """λ and its reasons for a bound without λ: NaN and "" per configuration."""
        return np.full(self.C, np.nan), [""] * self.C


def _context(traj, reg, constants: str, lam) -> _Ctx:
    rule, seq, dom = traj.rule, traj.sequence, traj.domain
    need = ("sum_g2", "max_abs_g", "x_min", "x_max")
    missing = [n for n in need if n not in traj.monitors]
    if missing:
        raise ParameterError(
            f"the trajectory lacks the monitors {missing}; run simulate(..., "
            "monitors=octk.bounds.bound_monitors(rule)) or use octk.bounds.check"
        )
    ctx = _Ctx(rule, seq, dom, traj, reg, constants, lam)
    ctx.C, ctx.K, ctx.d = traj.n_configs, len(traj.t), traj.d
    ctx.t = np.asarray(traj.t, dtype=np.float64)
    ctx.p = {n: np.asarray(v, dtype=np.float64)[:, None] for n, v in traj.params.items()}
    mon = traj.monitors
    ctx.S = np.sqrt(mon["sum_g2"]).sum(axis=2)
    if "vhat_T" in mon:
        ctx.sqrt_v_sum = np.sqrt(np.maximum(mon["vhat_T"], 0.0)).sum(axis=2)
    if "mid_sum" in mon:
        ctx.mid = mon["mid_sum"].sum(axis=2)
    gmax = mon["max_abs_g"]  # (C, K, d)
    ginf_obs = gmax.max(axis=2)
    g_obs = np.sqrt((gmax * gmax).sum(axis=2))
    ginf_decl = declared_gradient_bound(seq, dom, ctx.d)
    D, Dinf = dom.diameter(ctx.d)
    xs = reg.x_star  # (C, K, d)
    with np.errstate(invalid="ignore"):
        dev = np.maximum(np.abs(xs - mon["x_min"]), np.abs(mon["x_max"] - xs))
    dinf_obs = dev.max(axis=2)
    d_obs = np.sqrt((dev * dev).sum(axis=2))
    shape = (ctx.C, ctx.K)
    if constants == "declared":
        ctx.Ginf = np.full(shape, ginf_decl) if ginf_decl is not None else ginf_obs
        ctx.G = np.full(shape, math.sqrt(ctx.d) * ginf_decl) if ginf_decl is not None else g_obs
        ctx.D, ctx.Dinf = np.full(shape, D), np.full(shape, Dinf)
    else:
        ctx.Ginf, ctx.G, ctx.D, ctx.Dinf = ginf_obs, g_obs, d_obs, dinf_obs
    ctx.Dinf_data = dinf_obs
    ctx.constants = {
        "G∞ (used)": ctx.Ginf[:, -1],
        "G∞ declared": ginf_decl,
        "G∞ observed": ginf_obs[:, -1],
        "G (used)": ctx.G[:, -1],
        "G observed": g_obs[:, -1],
        "D (used)": ctx.D[:, -1],
        "D∞ (used)": ctx.Dinf[:, -1],
        "D domain": D,
        "D∞ domain": Dinf,
        "D∞ observed": dinf_obs[:, -1],
        "constants": constants,
    }
    if "gamma_neg" in mon:
        first = mon["gamma_first"][:, -1, :]
        first = np.where(first > 0, first, np.inf).min(axis=1)
        ctx.gamma = {
            "count": mon["gamma_neg"][:, -1, :].sum(axis=1),
            "first": np.where(np.isfinite(first), first, 0.0),
            "min": mon["gamma_min"][:, -1, :].min(axis=1),
        }
    else:
        nan = np.full(ctx.C, np.nan)
        ctx.gamma = {"count": nan, "first": nan, "min": nan}
    return ctx


# --------------------------------------------------------------------------- hypothesis helpers
def _per_config(ctx: _Ctx, fn) -> list[Check]:
    return [fn(c) for c in range(ctx.C)]


def _v(ctx: _Ctx, name: str, c: int) -> float | None:
    return float(ctx.p[name][c, 0]) if name in ctx.p else None


def _check_algorithm(ctx: _Ctx, wanted: str, ok: bool, why: str) -> Check:
    r = ctx.rule
    return Check(
        f"algorithm: {wanted}",
        HOLDS if ok else FAILS,
        f"rule {r.name} [{r.preset}] ({', '.join(f'{k}={v}' for k, v in r.options.items())})"
        + ("" if ok else f": {why}"),
    )


def _check_eps(ctx: _Ctx, c: int, what: str = "ε = 0 (the analysis has no ε)") -> Check:
    e = _v(ctx, "eps", c)
    mode = ctx.rule.options.get("eps_mode")
    if e is None or mode == "none":
        return Check(what, HOLDS, "the rule has no ε")
    return Check(what, HOLDS if e == 0 else FAILS, f"ε = {e:g}")


def _check_schedule(ctx: _Ctx, wanted: str) -> Check:
    have = _schedule(ctx.rule)
    text = {"sqrt": "α_t = α/√t", "constant": "α_t = α (constant)", "inverse": "α/(1+(t−1)·d)"}
    return Check(
        f"step size {text[wanted]}",
        HOLDS if have == wanted else FAILS,
        f"schedule = {have}",
    )


def _check_diameter(ctx: _Ctx, c: int, which: str) -> Check:
    val = float(ctx.Dinf[c, -1] if which == "D∞" else ctx.D[c, -1])
    return Check(
        f"bounded diameter {which}",
        HOLDS if math.isfinite(val) else FAILS,
        f"{which} = {_g(val)} "
        + (
            f"(the domain {ctx.domain.spec()})"
            if ctx.constants_mode == "declared"
            else "(observed on the run, max_t ‖x_t − x*‖)"
        ),
    )


def _check_gradients(ctx: _Ctx, c: int, which: str = "G∞") -> Check:
    decl = ctx.constants["G∞ declared"]
    obs = float(ctx.constants["G∞ observed"][c])
    if decl is None:
        ok = math.isfinite(obs)
        return Check(
            f"bounded gradients {which}",
            HOLDS if ok else FAILS,
            f"the sequence declares no bound; observed max |g| = {_g(obs)} on this run",
        )
    ok = obs <= decl * (1 + 1e-12)
    return Check(
        f"bounded gradients {which}",
        HOLDS if ok else FAILS,
        f"declared G∞ = {_g(decl)}, observed max |g| = {_g(obs)}",
    )


def _check_projection(ctx: _Ctx, adaptive: bool) -> Check:
    dom = ctx.domain
    if isinstance(dom, Box | Reals) or not adaptive:
        what = "the clip onto a box is Π_{F,√V}" if isinstance(dom, Box) else "no projection"
        if not adaptive:
            what = "Euclidean projection"
        return Check("projection as in the analysis", HOLDS, f"{dom.spec()}: {what}")
    return Check(
        "projection as in the analysis",
        FAILS,
        f"{dom.spec()}: octk projects onto the ball in the Euclidean norm, the analysis "
        "needs the weighted projection Π_{F,√V}",
    )


def _check_gamma(ctx: _Ctx, c: int, kind: str = "proof") -> Check:
    n, first, mn = ctx.gamma["count"][c], ctx.gamma["first"][c], ctx.gamma["min"][c]
    name = "Γ_t ⪰ 0"
    what = "Γ_{t,i} = 1/η_{t,i} − 1/η_{t−1,i} (RKK eq. 2)"
    if np.isnan(n):
        return Check(name, NA, f"{what}: the rule's effective step η_t is not defined", kind)
    if n == 0:
        return Check(name, HOLDS, f"{what}: none negative over t ≥ 2 (min Γ = {_g(mn)})", kind)
    return Check(
        name,
        FAILS,
        f"{what}: {int(n):,} negative, the first at t = {int(first):,} (min Γ = {_g(mn)})",
        kind,
    )


def _check_betas(ctx: _Ctx, c: int) -> Check:
    b1, b2 = _v(ctx, "beta1", c), _v(ctx, "beta2", c)
    vals = ", ".join(f"{n} = {v:g}" for n, v in (("β1", b1), ("β2", b2)) if v is not None)
    ok = all(v is None or 0 <= v < 1 for v in (b1, b2))
    return Check("β1, β2 ∈ [0, 1)", HOLDS if ok else FAILS, vals or "no β")


def _gamma_kb(b1, b2):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b2 > 0, b1 * b1 / np.sqrt(b2), np.where(b1 == 0, 0.0, np.inf))


def _gamma_rkk(b1, b2):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b2 > 0, b1 / np.sqrt(b2), np.where(b1 == 0, 0.0, np.inf))


def _lambda(ctx: _Ctx, *, needs_decay: bool) -> tuple[np.ndarray, list[str], list[Check]]:
    """(λ per config, reason per config, the β1,t-schedule check per config)."""
    b1 = ctx.par("beta1")[:, 0]
    sched = ctx.rule.options.get("beta1_schedule", "constant")
    rule_lam = ctx.par("lam", np.nan)[:, 0]
    lams, reasons, checks = np.full(ctx.C, np.nan), [], []
    name = "β1,t = β1 λ^(t−1), λ ∈ (0, 1)"
    for c in range(ctx.C):
        if b1[c] == 0:
            lam = 0.0 if ctx.lam_option is None else ctx.lam_option
            why = (
                "β1 = 0, so β1,t = 0 = β1 λ^(t−1) for every λ ∈ (0, 1) and the theorem holds "
                "for all of them; "
                + (
                    "the tightest is the infimum λ → 0⁺ (the default)"
                    if ctx.lam_option is None
                    else "evaluated at the λ asked for"
                )
            )
            checks.append(Check(name, HOLDS, "β1 = 0: β1,t = 0 for every λ"))
        elif sched == "decay":
            lam = float(rule_lam[c])
            why = "the rule's schedule β1,t = β1 λ^(t−1) fixes λ"
            checks.append(Check(name, HOLDS, f"β1 = {b1[c]:g}, λ = {lam:.10g}"))
        else:
            lam = KB_LAMBDA_TYPICAL if ctx.lam_option is None else ctx.lam_option
            why = (
                f"β1,t = β1 = {b1[c]:g} is not β1 λ^(t−1) for any λ ∈ (0, 1); the right-hand "
                f"side is shown at {_lam_text(lam)} for reference only"
            )
            verdict = FAILS if needs_decay else HOLDS
            checks.append(Check(name, verdict, f"beta1_schedule = constant with β1 = {b1[c]:g}"))
        lams[c] = lam
        reasons.append(why)
    return lams, reasons, checks


# --------------------------------------------------------------------------- the bounds
def _rhs_kb(ctx: _Ctx, lemma: str, corollary: bool = False):
    r"""K&B Theorem 4.1 (Kingma & Ba 2015, arXiv 1412.6980v9):

    .. math::

        R(T) \le \frac{D^2}{2\alpha(1-\beta_1)} \sum_i \sqrt{T \hat v_{T,i}}
          + \frac{\alpha(1+\beta_1) G_\infty}{(1-\beta_1)\sqrt{1-\beta_2}(1-\gamma)^2}
            \sum_i \|g_{1:T,i}\|_2
          + \sum_i \frac{D_\infty^2 G_\infty \sqrt{1-\beta_2}}{2\alpha(1-\beta_1)(1-\lambda)^2},
        \qquad \gamma = \beta_1^2/\sqrt{\beta_2}.

    ``lemma="proved"``: the second term as printed in the theorem (Lemma 10.4's
    proof ends at 2G∞/((1−γ)²√(1−β2)) ‖g_{1:T,i}‖₂). ``lemma="stated"``: Lemma 10.4
    as stated, 2/((1−γ)√(1−β2)) ‖g_{1:T,i}‖₂, which makes the second term
    α(1+β1)/((1−β1)√(1−β2)(1−γ)) Σ_i‖g_{1:T,i}‖₂. Corollary 4.2 replaces
    Σ_i‖g_{1:T,i}‖₂ by its bound d G∞ √T.
    """
    a, b1, b2 = ctx.par("alpha", np.nan), ctx.par("beta1"), ctx.par("beta2", np.nan)
    gam = _gamma_kb(b1, b2)
    lam, reasons, lam_checks = _lambda(ctx, needs_decay=True)
    T = ctx.t[None, :]
    D, Dinf, Ginf = ctx.D, ctx.Dinf, ctx.Ginf
    if ctx.sqrt_v_sum is None:
        term1 = ctx.unknown()
    else:
        term1 = D * D / (2 * a * (1 - b1)) * np.sqrt(T) * ctx.sqrt_v_sum
    S = ctx.d * Ginf * np.sqrt(T) if corollary else ctx.S
    with np.errstate(divide="ignore", invalid="ignore"):
        if lemma == "proved":
            term2 = a * (1 + b1) * Ginf / ((1 - b1) * np.sqrt(1 - b2) * (1 - gam) ** 2) * S
        else:
            term2 = a * (1 + b1) / ((1 - b1) * np.sqrt(1 - b2) * (1 - gam)) * S
        term2 = np.where(gam < 1, term2, np.inf)
        term3 = (
            ctx.d
            * Dinf
            * Dinf
            * Ginf
            * np.sqrt(1 - b2)
            / (2 * a * (1 - b1) * (1 - lam[:, None]) ** 2)
        )
    r = ctx.rule
    is_adam = (
        r.name == "adam"
        and r.options.get("bias_correction_m", True)
        and r.options.get("bias_correction_v", True)
    )
    why = "K&B Theorem 4.1 is about Algorithm 1 (bias-corrected EMA moments, no max)"
    checks = []
    for c in range(ctx.C):
        g_c = float(gam[c, 0])
        checks.append(
            (
                _check_algorithm(ctx, "Adam, K&B Algorithm 1", is_adam, why),
                _check_eps(ctx, c),
                _check_schedule(ctx, "sqrt"),
                lam_checks[c],
                _check_betas(ctx, c),
                Check(
                    "γ = β1²/√β2 < 1",
                    HOLDS if g_c < 1 else FAILS,
                    f"γ = {_g(g_c)}",
                ),
                _check_diameter(ctx, c, "D"),
                _check_diameter(ctx, c, "D∞"),
                _check_gradients(ctx, c),
                _check_projection(ctx, True),
                _check_gamma(ctx, c),
            )
        )
    terms = {"D²√(Tv̂) term": term1, "Σ‖g‖ term": term2, "λ term": term3}
    return terms, checks, {"γ": gam[:, 0]}, lam, reasons


def _rhs_rkk(ctx: _Ctx, variant: str):
    r"""RKK Theorem 4 (Reddi, Kale & Kumar 2018, final version) for AMSGrad:

    .. math::

        R_T \le \frac{D_\infty^2 \sqrt T}{\alpha(1-\beta_1)} \sum_i \hat v_{T,i}^{1/2}
          + \frac{D_\infty^2}{2(1-\beta_1)} \sum_{t=1}^T \sum_i
              \frac{\beta_{1t} \hat v_{t,i}^{1/2}}{\alpha_t}
          + \frac{\alpha\sqrt{1+\log T}}{(1-\beta_1)^2(1-\gamma)\sqrt{1-\beta_2}}
              \sum_i \|g_{1:T,i}\|_2,
        \qquad \gamma = \beta_1/\sqrt{\beta_2}.

    ``variant="submitted"``: the first term without 1/α, as in the submission
    (dimensionally inconsistent). ``variant="cor1"``: Corollary 1 (β1,t = β1 λ^(t−1))
    with the middle term as printed, β1 D∞² G∞/(2(1−β1)(1−λ)²);
    ``variant="cor1-careful"``: the careful sum d β1 D∞² G∞/(2α(1−β1)(1−λ)²)
    (THEORY §5, observation).
    """
    a, b1, b2 = ctx.par("alpha", np.nan), ctx.par("beta1"), ctx.par("beta2", np.nan)
    gam = _gamma_rkk(b1, b2)
    T = ctx.t[None, :]
    Dinf, Ginf = ctx.Dinf, ctx.Ginf
    if ctx.sqrt_v_sum is None:
        term1 = ctx.unknown()
    else:
        scale = 1.0 if variant == "submitted" else 1.0 / a
        term1 = Dinf * Dinf * np.sqrt(T) * scale / (1 - b1) * ctx.sqrt_v_sum
    lam, reasons = ctx.no_lambda()
    lam_checks = None
    if variant.startswith("cor1"):
        lam, reasons, lam_checks = _lambda(ctx, needs_decay=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            lam_term = b1 * Dinf * Dinf * Ginf / (2 * (1 - b1) * (1 - lam[:, None]) ** 2)
            if variant == "cor1-careful":
                lam_term = ctx.d * lam_term / a
        term2 = np.where(b1 == 0, 0.0, lam_term)
    elif ctx.mid is None:
        term2 = ctx.unknown()
    else:
        term2 = Dinf * Dinf / (2 * (1 - b1)) * ctx.mid
    with np.errstate(divide="ignore", invalid="ignore"):
        term3 = a * np.sqrt(1 + np.log(T)) / ((1 - b1) ** 2 * (1 - gam) * np.sqrt(1 - b2)) * ctx.S
        term3 = np.where(gam < 1, term3, np.inf)
    r = ctx.rule
    is_ams = (
        r.name == "amsgrad"
        and r.options.get("max_over") == "v"
        and not r.options.get("bias_correction_m")
        and not r.options.get("bias_correction_v")
    )
    why = "RKK Theorem 4 is about Algorithm 2 (max over v, no bias correction)"
    checks = []
    for c in range(ctx.C):
        g_c = float(gam[c, 0])
        b1c = float(b1[c, 0])
        sched = (
            lam_checks[c]
            if lam_checks is not None
            else Check("β1,t ≤ β1", HOLDS, f"β1 = {b1c:g}, β1,t ∈ {{β1, β1 λ^(t−1)}}")
        )
        checks.append(
            (
                _check_algorithm(ctx, "AMSGrad, RKK Algorithm 2", is_ams, why),
                _check_eps(ctx, c),
                _check_schedule(ctx, "sqrt"),
                sched,
                _check_betas(ctx, c),
                Check("γ = β1/√β2 < 1", HOLDS if g_c < 1 else FAILS, f"γ = {_g(g_c)}"),
                _check_diameter(ctx, c, "D∞"),
                _check_gradients(ctx, c),
                _check_projection(ctx, True),
                _check_gamma(ctx, c),
            )
        )
    mid = "λ term" if variant.startswith("cor1") else "β1,t v̂/α_t sum"
    terms = {"√T Σv̂^½ term": term1, mid: term2, "√(1+log T) term": term3}
    return terms, checks, {"γ": gam[:, 0]}, lam, reasons


def _rhs_adamnc(ctx: _Ctx):
    r"""AdamNC (β2,t = 1 − 1/t, so v_t = (1/t) Σ_{s≤t} g_s²), α_t = α/√t, β1,t ≤ β1 < 1.

    RKK's Theorem 5 / Corollary 2 could not be checked against the paper (THEORY
    §5: unverified), so octk does **not** evaluate them. It evaluates instead this
    bound, derived by octk (observation) along RKK's Theorem 4 proof, with
    s_{t,i} = √v_{t,i}/α_t = ‖g_{1:t,i}‖₂/α nondecreasing (Γ_t ⪰ 0 holds exactly):

    .. math::

        R_T \le \frac{D_\infty^2 \sqrt T}{2\alpha} \sum_i v_{T,i}^{1/2}
          + \frac{D_\infty^2}{1-\beta_1} \sum_{t=1}^T \sum_i
              \frac{\beta_{1t} v_{t,i}^{1/2}}{\alpha_t}
          + \frac{\alpha(1+\beta_1)}{(1-\beta_1)^2} \sum_i \|g_{1:T,i}\|_2 .

    Derivation: per coordinate, the clip gives s_t(x_{t+1}−x*)² ≤ s_t(x_t−x*)² −
    2m_t(x_t−x*) + m_t²/s_t; write g_t = (m_t − β1,t m_{t−1})/(1−β1,t), use Young's
    inequality on β1,t m_{t−1}(x*−x_t) with weight s_{t−1} ≤ s_t, split
    1/(1−β1,t) = 1 + β1,t/(1−β1,t) before telescoping Σ_t s_t[(x_t−x*)² − (x_{t+1}−x*)²]
    ≤ s_T D∞², and bound m_t² ≤ Σ_{j≤t} β1^{t−j} g_j² (Cauchy–Schwarz, weights
    summing to ≤ 1), so Σ_t m_t²/s_t ≤ (α/(1−β1)) Σ_j g_j²/‖g_{1:j}‖₂ ≤
    2α‖g_{1:T}‖₂/(1−β1). With β1 = 0 this is (D∞²/(2α) + α) Σ_i‖g_{1:T,i}‖₂, the
    D∞ form of Duchi et al.'s AdaGrad bound (AdamNC with β1 = 0 *is* AdaGrad, η = α).
    """
    a, b1 = ctx.par("alpha", np.nan), ctx.par("beta1")
    T = ctx.t[None, :]
    Dinf = ctx.Dinf
    if ctx.sqrt_v_sum is None:
        term1 = ctx.unknown()
    else:
        term1 = Dinf * Dinf * np.sqrt(T) / (2 * a) * ctx.sqrt_v_sum
    if ctx.mid is None:
        term2 = np.zeros((ctx.C, ctx.K)) if "beta1" not in ctx.p else np.nan * T
    else:
        term2 = Dinf * Dinf / (1 - b1) * ctx.mid
    term3 = a * (1 + b1) / (1 - b1) ** 2 * ctx.S
    r = ctx.rule
    is_nc = r.name == "adamnc" and not r.options.get("bias_correction_m")
    why = "the derivation is for AdamNC's v_t (β2,t = 1 − 1/t), m without bias correction"
    checks = []
    for c in range(ctx.C):
        checks.append(
            (
                _check_algorithm(ctx, "AdamNC (β2,t = 1 − 1/t, no max)", is_nc, why),
                _check_eps(ctx, c),
                _check_schedule(ctx, "sqrt"),
                Check("β1,t ≤ β1 < 1", HOLDS, f"β1 = {float(b1[c, 0]):g}"),
                _check_diameter(ctx, c, "D∞"),
                _check_projection(ctx, True),
                _check_gamma(ctx, c, kind="stated"),
            )
        )
    terms = {"√T Σv^½ term": term1, "β1,t v/α_t sum": term2, "Σ‖g‖ term": term3}
    return terms, checks, {}, *ctx.no_lambda()


def _rhs_duchi(ctx: _Ctx, form: str):
    r"""Duchi, Hazan & Singer (2011), diagonal AdaGrad by composite mirror descent
    (their Theorem 5 / Corollary 6; wording unverified, THEORY §5), with δ = 0:

    .. math::

        R(T) \le \frac{1}{2\eta} \max_{t\le T} \|x^* - x_t\|_\infty^2 \sum_i \|g_{1:T,i}\|_2
            + \eta \sum_i \|g_{1:T,i}\|_2 .

    octk's AdaGrad (paper preset) steps α g_{t,i}/(ε + ‖g_{1:t,i}‖₂) with a constant
    schedule: η = α, δ = ε. ``form="data"`` uses the observed max_t ‖x* − x_t‖∞
    (x* the comparator at T); ``form="dinf"`` bounds it by D∞, giving
    (D∞²/(2α) + α) Σ_i‖g_{1:T,i}‖₂, which is √2 D∞ Σ_i‖g_{1:T,i}‖₂ at α = D∞/√2.
    """
    a = ctx.par("alpha", np.nan)
    if form == "data":
        dist = ctx.Dinf_data
    else:
        dist = ctx.Dinf
    term1 = dist * dist / (2 * a) * ctx.S
    term2 = a * ctx.S
    r = ctx.rule
    is_ada = r.name == "adagrad" and r.options.get("eps_mode", "outside") == "outside"
    why = "the bound is for AdaGrad's step η g/(δ + ‖g_{1:t}‖₂)"
    checks = []
    for c in range(ctx.C):
        v0 = _v(ctx, "v0", c) or 0.0
        chk = [
            _check_algorithm(ctx, "AdaGrad (diagonal)", is_ada, why),
            _check_schedule(ctx, "constant"),
            _check_eps(ctx, c, "δ = ε = 0 (the form with δ > 0 has another term)"),
            Check("accumulator starts at 0", HOLDS if v0 == 0 else FAILS, f"v0 = {v0:g}"),
            _check_projection(ctx, True),
        ]
        if form == "dinf":
            chk.append(_check_diameter(ctx, c, "D∞"))
        else:
            fin = bool(np.isfinite(ctx.Dinf_data[c, -1]))
            chk.append(
                Check(
                    "x* exists (finite comparator)",
                    HOLDS if fin else FAILS,
                    f"max_t ‖x* − x_t‖∞ = {_g(ctx.Dinf_data[c, -1])} at T",
                )
            )
        chk.append(_check_gamma(ctx, c))
        checks.append(tuple(chk))
    name = "max‖x*−x_t‖∞² term" if form == "data" else "D∞² term"
    terms = {name: term1, "η Σ‖g‖ term": term2}
    return terms, checks, {}, *ctx.no_lambda()


def _rhs_zinkevich(ctx: _Ctx):
    r"""Zinkevich (2003), Theorem 1, with η_t = α/√t:

    .. math::

        R(T) \le \frac{D^2 \sqrt T}{2\alpha} + \alpha\left(\sqrt T - \tfrac12\right) G^2

    (α = 1: D²√T/2 + (√T − 1/2) G², the paper's form). D: the ℓ2 diameter of F;
    G ≥ ‖g_t‖₂ (declared: √d G∞; observed: (Σ_i max_t g_{t,i}²)^{1/2}).
    """
    a = ctx.par("alpha", np.nan)
    T = ctx.t[None, :]
    term1 = ctx.D**2 * np.sqrt(T) / (2 * a)
    term2 = a * (np.sqrt(T) - 0.5) * ctx.G**2
    r = ctx.rule
    is_ogd = r.name == "ogd"
    checks = []
    for c in range(ctx.C):
        checks.append(
            (
                _check_algorithm(
                    ctx, "online gradient descent", is_ogd, "no moments, step η_t g_t"
                ),
                _check_schedule(ctx, "sqrt"),
                _check_diameter(ctx, c, "D"),
                _check_gradients(ctx, c, "G"),
                _check_projection(ctx, False),
                _check_gamma(ctx, c),
            )
        )
    terms = {"D²√T/(2α) term": term1, "α(√T−½)G² term": term2}
    return terms, checks, {}, *ctx.no_lambda()


BOUNDS: dict[str, Bound] = {}


def _register(*fields, **named) -> Bound:
    """Make the :class:`Bound` of these fields and add it to ``BOUNDS``."""
    b = Bound(*fields, **named)
    BOUNDS[b.name] = b
    return b


_KB = "Kingma & Ba 2015 (arXiv 1412.6980v9)"
_KB_TERMS = ("D²√(Tv̂) term", "Σ‖g‖ term", "λ term")
# the pieces of K&B Theorem 4.1's statement its variants share
_KB_FIRST = "R(T) ≤ D²/(2α(1−β1)) Σ_i √(T v̂_{T,i})"
_KB_SECOND = "α(1+β1)G∞/((1−β1)√(1−β2)(1−γ)²)"
_KB_LAMBDA = "Σ_i D∞² G∞ √(1−β2)/(2α(1−β1)(1−λ)²)"
_register(
    "kb-thm4.1",
    "K&B Theorem 4.1 (Adam regret bound)",
    _KB + ", Theorem 4.1; Lemma 10.4's constant as proved (the theorem's)",
    f"{_KB_FIRST} + {_KB_SECOND} Σ_i ‖g_{{1:T,i}}‖₂ + {_KB_LAMBDA}, γ = β1²/√β2",
    _KB_TERMS,
    lambda ctx: _rhs_kb(ctx, "proved"),
    rules=("adam",),
)
_register(
    "kb-thm4.1-lemma-stated",
    "K&B Theorem 4.1 with Lemma 10.4 as stated",
    _KB + ", Theorem 4.1 with Lemma 10.4's stated constant 2/(1−γ)",
    f"{_KB_FIRST} + α(1+β1)/((1−β1)√(1−β2)(1−γ)) Σ_i ‖g_{{1:T,i}}‖₂ + {_KB_LAMBDA}, γ = β1²/√β2",
    _KB_TERMS,
    lambda ctx: _rhs_kb(ctx, "stated"),
    note="Lemma 10.4 is stated as 2/(1−γ)·‖g_{1:T,i}‖₂/√(1−β2) but proved as "
    "2G∞/(1−γ)²·‖g_{1:T,i}‖₂/√(1−β2) (THEORY §4); this variant uses the stated one",
)
_register(
    "kb-cor4.2",
    "K&B Corollary 4.2 (Theorem 4.1 with Σ_i‖g_{1:T,i}‖₂ ≤ d G∞ √T)",
    _KB + ", Corollary 4.2",
    f"{_KB_FIRST} + {_KB_SECOND} d G∞ √T + {_KB_LAMBDA}, so R(T)/T = O(1/√T)",
    _KB_TERMS,
    lambda ctx: _rhs_kb(ctx, "proved", corollary=True),
)

_RKK = "Reddi, Kale & Kumar 2018 (arXiv 1904.09237)"
_RKK_TERMS = ("√T Σv̂^½ term", "β1,t v̂/α_t sum", "√(1+log T) term")
_RKK_COR1_TERMS = ("√T Σv̂^½ term", "λ term", "√(1+log T) term")
# the pieces of RKK Theorem 4's statement its variants share
_RKK_FIRST = "D∞²√T/(α(1−β1)) Σ_i v̂_{T,i}^½"
_RKK_MIDDLE = "D∞²/(2(1−β1)) Σ_t Σ_i β1,t v̂_{t,i}^½/α_t"
_RKK_LAST = "α√(1+log T)/((1−β1)²(1−γ)√(1−β2)) Σ_i ‖g_{1:T,i}‖₂"
_register(
    "rkk-thm4",
    "RKK Theorem 4 (AMSGrad regret bound, final version)",
    _RKK + ", Theorem 4 (final version, with 1/α)",
    f"R_T ≤ {_RKK_FIRST} + {_RKK_MIDDLE} + {_RKK_LAST}, γ = β1/√β2",
    _RKK_TERMS,
    lambda ctx: _rhs_rkk(ctx, "final"),
    rules=("amsgrad",),
)
_register(
    "rkk-thm4-submitted",
    "RKK Theorem 4 as submitted (no 1/α in the first term)",
    _RKK + ", Theorem 4 (submitted version)",
    f"R_T ≤ D∞²√T/(1−β1) Σ_i v̂_{{T,i}}^½ + {_RKK_MIDDLE} + {_RKK_LAST}, γ = β1/√β2",
    _RKK_TERMS,
    lambda ctx: _rhs_rkk(ctx, "submitted"),
    note="the submission omits the 1/α of the first term, which is dimensionally "
    "inconsistent (THEORY §5); the final version has it",
)
_register(
    "rkk-cor1",
    "RKK Corollary 1 (AMSGrad, β1,t = β1 λ^(t−1)), as printed",
    _RKK + ", Corollary 1 (middle term as printed)",
    f"R_T ≤ {_RKK_FIRST} + β1 D∞² G∞/(2(1−β1)(1−λ)²) + {_RKK_LAST}",
    _RKK_COR1_TERMS,
    lambda ctx: _rhs_rkk(ctx, "cor1"),
    note="the printed middle term lacks the factor d/α that summing Theorem 4's middle "
    "term gives (THEORY §5, observation); rkk-cor1-careful has it",
)
_register(
    "rkk-cor1-careful",
    "RKK Corollary 1 with the middle term summed carefully",
    _RKK + ", Corollary 1 (middle term d β1 D∞² G∞/(2α(1−β1)(1−λ)²), octk's sum)",
    f"R_T ≤ {_RKK_FIRST} + d β1 D∞² G∞/(2α(1−β1)(1−λ)²) + {_RKK_LAST}",
    _RKK_COR1_TERMS,
    lambda ctx: _rhs_rkk(ctx, "cor1-careful"),
)
_register(
    "rkk-cor2",
    "AdamNC regret bound (octk's derivation; RKK Theorem 5 / Corollary 2 unverified)",
    "octk, derived along " + _RKK + ", Theorem 4's proof; stands in for Theorem 5 / Corollary 2",
    "R_T ≤ D∞²√T/(2α) Σ_i v_{T,i}^½ + D∞²/(1−β1) Σ_t Σ_i β1,t v_{t,i}^½/α_t "
    "+ α(1+β1)/(1−β1)² Σ_i ‖g_{1:T,i}‖₂ (octk's, see octk.bounds._rhs_adamnc)",
    ("√T Σv^½ term", "β1,t v/α_t sum", "Σ‖g‖ term"),
    _rhs_adamnc,
    rules=("adamnc",),
    verified=False,
    note="the exact statement of RKK's Theorem 5 / Corollary 2 could not be checked "
    "against the paper; this right-hand side is octk's own derivation for AdamNC "
    "(β2,t = 1 − 1/t), not the paper's words",
)

_DUCHI_NOTE = (
    "THEORY.md marks the wording of Duchi et al.'s statement unverified; the form "
    "evaluated is THEORY §5's"
)
_register(
    "duchi-adagrad",
    "Duchi, Hazan & Singer: diagonal AdaGrad (composite mirror descent), data-dependent",
    "Duchi, Hazan & Singer 2011, Theorem 5 / Corollary 6 (wording unverified), δ = 0",
    "R(T) ≤ (1/(2η)) max_t ‖x* − x_t‖∞² Σ_i ‖g_{1:T,i}‖₂ + η Σ_i ‖g_{1:T,i}‖₂, η = α",
    ("max‖x*−x_t‖∞² term", "η Σ‖g‖ term"),
    lambda ctx: _rhs_duchi(ctx, "data"),
    rules=("adagrad",),
    verified=False,
    note=_DUCHI_NOTE,
)
_register(
    "duchi-adagrad-dinf",
    "Duchi, Hazan & Singer: diagonal AdaGrad, D∞ form",
    "Duchi, Hazan & Singer 2011, Corollary 6 (wording unverified), δ = 0",
    "R(T) ≤ (D∞²/(2η) + η) Σ_i ‖g_{1:T,i}‖₂, η = α; = √2 D∞ Σ_i ‖g_{1:T,i}‖₂ at η = D∞/√2",
    ("D∞² term", "η Σ‖g‖ term"),
    lambda ctx: _rhs_duchi(ctx, "dinf"),
    verified=False,
    note=_DUCHI_NOTE,
)
_register(
    "zinkevich-ogd",
    "Zinkevich Theorem 1 (online gradient descent, η_t = α/√t)",
    "Zinkevich 2003, Theorem 1 (η_t = α/√t)",
    "R(T) ≤ D²√T/(2α) + α(√T − 1/2) G²",
    ("D²√T/(2α) term", "α(√T−½)G² term"),
    _rhs_zinkevich,
    rules=("ogd",),
)

DEFAULT_BOUND = {r: b.name for b in BOUNDS.values() for r in b.rules}


def bound_names() -> tuple[str, ...]:
    return tuple(BOUNDS)


def get_bound(name) -> Bound:
    """The :class:`Bound` called ``name`` (UnknownNameError with a suggestion otherwise)."""
    if isinstance(name, Bound):
        return name
    if name not in BOUNDS:
        raise unknown_name("bound", str(name), BOUNDS)
    return BOUNDS[name]


def default_bound(rule: Rule) -> Bound:
    """The bound belonging to ``rule`` (Adam: K&B 4.1, AMSGrad: RKK 4, ...)."""
    if rule.name not in DEFAULT_BOUND:
        raise ParameterError(
            f"no bound belongs to rule {rule.name!r}; choose one with bound=... "
            f"({', '.join(BOUNDS)}); its hypotheses will say what does not apply"
        )
    return BOUNDS[DEFAULT_BOUND[rule.name]]


# --------------------------------------------------------------------------- evaluation
def evaluate(
    traj,
    bound=None,
    *,
    reg=None,
    lam: float | None = None,
    constants: str = "declared",
    method: str = "auto",
) -> BoundResult:
    """Evaluate ``bound`` on a trajectory run with :func:`bound_monitors`.

    ``reg`` is its :class:`~octk.regret.Regret` (computed when not given);
    ``lam``: the λ at which to evaluate bounds that hold for every λ (β1 = 0);
    ``constants``: ``"declared"`` or ``"observed"`` (see the module docstring).
    The first violation is at checkpoint resolution; :func:`check` refines it.
    """
    from octk.regret import regret as compute_regret

    b = default_bound(traj.rule) if bound is None else get_bound(bound)
    check_choice("constants", constants, CONSTANTS)
    if lam is not None:
        lam = check_real("lam", lam, lo=0, hi=1, hi_open=True)
    if reg is None:
        reg = compute_regret(traj, method=method)
    ctx = _context(traj, reg, constants, lam)
    terms, checks, extra, lams, reasons = b.evaluate(ctx)
    terms = {
        n: np.broadcast_to(np.asarray(v, dtype=np.float64), (ctx.C, ctx.K)).copy()
        for n, v in terms.items()
    }
    rhs = sum(terms.values())
    R = np.asarray(reg.regret, dtype=np.float64)
    bad = violates(R, rhs)
    first = np.zeros(ctx.C, dtype=np.int64)
    vr, vh = np.full(ctx.C, np.nan), np.full(ctx.C, np.nan)
    for c in range(ctx.C):
        ks = np.flatnonzero(bad[c])
        if ks.size:
            k = int(ks[0])
            first[c], vr[c], vh[c] = int(reg.t[k]), R[c, k], rhs[c, k]
    consts = dict(ctx.constants)
    consts.update(extra)
    notes = []
    if b.note:
        notes.append(b.note)
    return BoundResult(
        bound=b,
        rule=traj.rule,
        sequence=traj.sequence,
        domain=traj.domain,
        steps=int(traj.steps),
        params={n: np.asarray(v) for n, v in traj.params.items()},
        seeds=np.asarray(traj.seeds),
        t=np.asarray(reg.t),
        regret=R,
        terms=terms,
        rhs=rhs,
        constants=consts,
        lam=np.asarray(lams, dtype=np.float64),
        lam_reason=tuple(reasons),
        checks=tuple(tuple(c) for c in checks),
        gamma=ctx.gamma,
        first_violation=first,
        violation_regret=vr,
        violation_rhs=vh,
        notes=tuple(notes),
    )


def check(
    rule,
    sequence,
    domain="box:-1,1",
    *,
    bound=None,
    steps: int,
    params: Mapping | None = None,
    x0=0.0,
    seed=0,
    d: int | None = None,
    checkpoints=None,
    backend: str = "numba",
    lam: float | None = None,
    constants: str = "declared",
    every_step: bool = True,
    progress: bool = False,
) -> BoundResult:
    """Run ``rule`` on ``sequence`` and evaluate a published regret bound on the run.

    Parameters are those of :func:`octk.simulate` (params and seed may be batched:
    every configuration is checked; a string value of a hyperparameter is an
    expression of the sequence's parameters, see :func:`resolve_ties`), plus
    ``bound`` (a name from :data:`BOUNDS`; default: the rule's own, e.g.
    ``kb-thm4.1`` for Adam), ``lam`` and ``constants`` (see :func:`evaluate`).

    ``every_step`` (default): the bound is evaluated at **every** T = 1..steps, so
    ``first_violation`` is the exact first T with R(T) > RHS(T) (R − RHS may change
    sign several times: Adam's iterate oscillates). The run goes in windows of
    steps whose statistics are evaluated and dropped; only the ``checkpoints``
    (default: log-spaced) are kept for the table. ``every_step=False``: checkpoints
    only (faster, and ``first_violation`` is the first violating checkpoint).

    >>> from octk.rules import rule
    >>> res = check(rule("adam", schedule="sqrt"), "reddi-thm1:C=3", steps=100_000,
    ...             params={"alpha": 0.1, "beta1": 0.0, "beta2": "1/(1+C**2)", "eps": 0.0})
    >>> res.bound.name, res.hypotheses_hold(), int(res.first_violation[0])
    ('kb-thm4.1', True, 1377)
    """
    from octk.simulate import simulate

    rule = make_rule(rule) if isinstance(rule, str) else rule
    sequence = make_sequence(sequence) if isinstance(sequence, str) else sequence
    dom = make_domain(domain)
    b = default_bound(rule) if bound is None else get_bound(bound)
    check_choice("constants", constants, CONSTANTS)
    check_choice("every_step", every_step, (True, False))
    steps = check_int("steps", steps, lo=1)
    if lam is not None:
        lam = check_real("lam", lam, lo=0, hi=1, hi_open=True)
    params = resolve_ties(params, sequence)
    mons = bound_monitors(rule)
    kw = dict(x0=x0, params=params, seed=seed, d=d, monitors=mons)
    if not every_step:
        traj = simulate(
            rule,
            sequence,
            dom,
            steps=steps,
            checkpoints=checkpoints,
            backend=backend,
            progress=progress,
            **kw,
        )
        return evaluate(traj, b, lam=lam, constants=constants)
    traj, first, vr, vh = _scan(
        rule, sequence, dom, b, steps, checkpoints, backend, lam, constants, progress, kw
    )
    res = evaluate(traj, b, lam=lam, constants=constants)
    from dataclasses import replace

    return replace(
        res, first_violation=first, violation_regret=vr, violation_rhs=vh, every_step=True
    )


SCAN_BUDGET = 2**24  # floats of per-step output held at once while scanning (128 MiB)


def _scan(rule, sequence, dom, b, steps, checkpoints, backend, lam, constants, progress, kw):
    """Run in windows with every step a checkpoint; evaluate each window; keep ``checkpoints``.

    Returns (trajectory at the kept checkpoints, first violation, R and RHS there).
    """
    from octk.backends import get_backend
    from octk.simulate import _trajectory, prepare

    be = get_backend(backend)
    prog, lanes, meta = prepare(rule, sequence, dom, steps=steps, checkpoints=checkpoints, **kw)
    keep = lanes.ck_t.copy()
    kernel = be.compile(prog, meta["domain"])
    C, L, Q = meta["n_cfg"], lanes.n_lanes, len(prog.stats)
    window = int(max(1, min(2**16, SCAN_BUDGET // (L * (Q + 2)))))
    first = np.zeros(C, dtype=np.int64)
    vr, vh = np.full(C, np.nan), np.full(C, np.nan)
    pieces = []
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=steps, unit="step", unit_scale=True, desc=f"check {b.name}", leave=False)
    t0 = 1
    while t0 <= steps:
        scanning = not np.all(first > 0)
        if scanning:
            t1 = min(steps, t0 + window - 1)
            ck = np.arange(t0, t1 + 1, dtype=np.int64)
        else:  # every configuration has failed: the kept checkpoints only, to the end
            t1 = steps
            ck = keep[keep >= t0]
        K = len(ck)
        lanes.ck_t = ck
        lanes.ck_x = np.zeros((K, L))
        lanes.ck_loss = np.zeros((K, L))
        lanes.ck_stats = np.zeros((Q, K, L))
        kernel(lanes, t0, t1, 0)
        part = _trajectory(be.name, prog, lanes, meta)
        if scanning:
            with np.errstate(all="ignore"):
                r = evaluate(part, b, lam=lam, constants=constants)
            new = (first == 0) & (r.first_violation > 0)
            first[new] = r.first_violation[new]
            vr[new], vh[new] = r.violation_regret[new], r.violation_rhs[new]
        kept = ck[np.isin(ck, keep)]
        if kept.size:
            pieces.append(part.at(kept))
        if bar is not None:
            bar.update(t1 - t0 + 1)
        t0 = t1 + 1
    if bar is not None:
        bar.close()
    return _concat(pieces), first, vr, vh


def _concat(pieces):
    """One trajectory from pieces that follow each other in time."""
    from dataclasses import replace

    last = pieces[-1]

    def cat(name):
        return {
            n: np.concatenate([getattr(p, name)[n] for p in pieces], axis=1)
            for n in getattr(last, name)
        }

    return replace(
        last,
        t=np.concatenate([p.t for p in pieces]),
        x=np.concatenate([p.x for p in pieces], axis=1),
        loss=np.concatenate([p.loss for p in pieces], axis=1),
        stats=cat("stats"),
        monitors=cat("monitors"),
    )


def resolve_ties(params: Mapping | None, sequence: Sequence) -> dict:
    """``params`` with string values evaluated as expressions of the sequence's parameters.

    ``{"beta2": "1/(1+C**2)"}`` on ``reddi-thm1:C=3`` gives β2 = 0.1 (RKK Theorem 1's
    choice). Parsed safely (:func:`octk.expressions.parse_expression`).
    """
    from octk.expressions import parse_expression

    out = {}
    names = {n: sp.Symbol(n, real=True) for n in sequence.params}
    values = {names[n]: v for n, v in sequence.params.items() if isinstance(v, int | float)}
    for k, v in dict(params or {}).items():
        if isinstance(v, str):
            try:
                out[k] = float(v)
                continue
            except ValueError:
                pass
            e = parse_expression(v, name=f"parameter {k}", extra=names).xreplace(values)
            if not e.is_number or not e.is_real:
                raise ParameterError(
                    f"parameter {k}={v!r} must be a number or an expression of the sequence's "
                    f"parameters ({', '.join(names) or 'none'}); left with {e}"
                )
            out[k] = float(e)
        else:
            out[k] = v
    return out


# --------------------------------------------------------------------------- search
@dataclass(frozen=True, eq=False)
class SearchResult:
    """The smallest T at which a bound fails, per cell of a grid.

    names, values : the grid's parameters and their values (in order);
    cells : one dict per cell: ``params`` (the grid values), ``first_violation``
    (0: holds up to ``steps``), ``hypotheses_hold``, ``failing`` (names of
    failing stated hypotheses), ``gamma_negative``, ``regret`` and ``rhs`` at T.
    """

    bound: Bound
    rule: Rule
    sequence: str
    names: tuple[str, ...]
    values: tuple[tuple, ...]
    cells: tuple[dict, ...]
    steps: int

    def cell(self, **where) -> dict:
        for c in self.cells:
            if all(c["params"][k] == v for k, v in where.items()):
                return c
        raise KeyError(where)

    def outcome(self, c: dict) -> str:
        fv = c["first_violation"]
        out = f"fails at T = {fv:,}" if fv else f"holds to T = {self.steps:,}"
        if not c["hypotheses_hold"]:
            out += "  (hypotheses fail: " + "; ".join(c["failing"]) + ")"
        return out

    def table(self) -> str:
        head = "  " + " ".join(f"{n:>10}" for n in self.names) + "   outcome"
        lines = [head]
        for c in self.cells:
            vals = " ".join(f"{_g(c['params'][n]):>10}" for n in self.names)
            lines.append(f"  {vals}   {self.outcome(c)}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            "bound": self.bound.name,
            "rule": self.rule.name,
            "sequence": self.sequence,
            "steps": self.steps,
            "grid": {n: list(v) for n, v in zip(self.names, self.values, strict=True)},
            "cells": [{**c, "first_violation": c["first_violation"] or None} for c in self.cells],
        }


def search(
    rule,
    sequence,
    domain="box:-1,1",
    *,
    grid: Mapping[str, object],
    bound=None,
    steps: int,
    params: Mapping | None = None,
    x0=0.0,
    seed=0,
    d: int | None = None,
    backend: str = "numba",
    lam: float | None = None,
    constants: str = "declared",
    progress: bool = False,
) -> SearchResult:
    """For each cell of ``grid``, the smallest T ≤ ``steps`` at which ``bound`` fails.

    ``grid`` maps names to lists of values: rule hyperparameters (batched into one
    simulation per sequence cell) and the sequence's parameters (one simulation
    each). ``params`` fixes the others; a string value is an expression of the
    sequence's parameters (``beta2="1/(1+C**2)"``).
    """
    from octk.sequences import SEQUENCES

    rule = make_rule(rule) if isinstance(rule, str) else rule
    base = make_sequence(sequence) if isinstance(sequence, str) else sequence
    if not grid:
        raise ParameterError("grid must name at least one parameter with its values")
    seq_params = tuple(SEQUENCES[base.name].params) if base.name in SEQUENCES else ()
    names, values = [], []
    for n, v in grid.items():
        vals = [v] if isinstance(v, int | float | str) else list(v)
        if not vals:
            raise ParameterError(f"grid {n}: give at least one value")
        if n not in rule.hyper_names and n not in seq_params:
            raise unknown_name(
                f"grid parameter (hyperparameter of {rule.name!r} or parameter of sequence "
                f"{base.name!r})",
                n,
                (*rule.hyper_names, *seq_params),
            )
        names.append(n)
        values.append(tuple(vals))
    hyper = [k for k, n in enumerate(names) if n in rule.hyper_names]
    seqk = [k for k, n in enumerate(names) if n not in rule.hyper_names]
    import itertools

    h_cells = list(itertools.product(*(values[k] for k in hyper)))
    s_cells = list(itertools.product(*(values[k] for k in seqk)))
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(s_cells), desc="search", unit="run", leave=False)
    cells: dict[tuple, dict] = {}
    b = None
    for sv in s_cells:
        over = {names[k]: v for k, v in zip(seqk, sv, strict=True)}
        seq = make_sequence(base.name, loss=base.loss, **{**base.params, **over}) if over else base
        p = resolve_ties(params, seq)
        for k in hyper:
            p[names[k]] = np.asarray([float(hc[hyper.index(k)]) for hc in h_cells])
        res = check(
            rule,
            seq,
            domain,
            bound=bound,
            steps=steps,
            params=p,
            x0=x0,
            seed=seed,
            d=d,
            backend=backend,
            lam=lam,
            constants=constants,
        )
        b = res.bound
        for c, hc in enumerate(h_cells):
            key_vals = {names[k]: hc[hyper.index(k)] for k in hyper}
            key_vals.update(over)
            cells[tuple(key_vals[n] for n in names)] = {
                "params": {n: key_vals[n] for n in names},
                "first_violation": int(res.first_violation[c]),
                "hypotheses_hold": res.hypotheses_hold(c),
                "failing": [k.name for k in res.failing(c)],
                "gamma_negative": float(res.gamma["count"][c]),
                "regret": float(res.regret[c, -1]),
                "rhs": float(res.rhs[c, -1]),
            }
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    ordered = tuple(cells[key] for key in itertools.product(*values))
    shown = (
        base.spec()
        if not seqk
        else f"{base.name} ({', '.join(names[k] for k in seqk)} on the grid)"
    )
    return SearchResult(b, rule, shown, tuple(names), tuple(values), ordered, steps)


__all__ = [
    "BOUNDS",
    "CONSTANTS",
    "DEFAULT_BOUND",
    "Bound",
    "BoundResult",
    "Check",
    "SearchResult",
    "alpha_t",
    "beta1_t",
    "bound_monitors",
    "bound_names",
    "check",
    "declared_gradient_bound",
    "default_bound",
    "evaluate",
    "get_bound",
    "resolve_ties",
    "search",
    "second_moment",
    "violates",
]
