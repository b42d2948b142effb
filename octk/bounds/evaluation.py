r"""A theorem evaluated on a run: :func:`evaluate` and its :class:`BoundResult`.

The right-hand side is the theorem's lambdified terms
(:meth:`octk.theorems.Theorem.evaluate`) at the run's quantities
(:func:`octk.bounds.quantities.measure`); the hypotheses are checked by
:mod:`octk.bounds.hypotheses`. Every result also carries, per checkpoint, its
*tightness* R(T)/RHS(T) and whether the bound is *vacuous* there: RHS(T) at or above
the trivial bound min(Σ_i w_i Σ_t|g_{t,i}|, T·G·D) that no algorithm exceeds
(:func:`octk.bounds.quantities.trivial_bound`), so that it could not have failed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike, NDArray

from octk.bounds import report
from octk.bounds.hypotheses import FAILS, Check, check_all, choose_lambda
from octk.bounds.quantities import Constant, RunQuantities, measure
from octk.bounds.registry import default_bound, get_bound
from octk.domains import Domain
from octk.domains import domain as make_domain
from octk.errors import check_choice, check_real
from octk.rules import Rule
from octk.rules.adaptive import alpha, beta1, beta2, lam
from octk.sequences import Sequence
from octk.theorems import Theorem
from octk.trajectory import Trajectory

if TYPE_CHECKING:
    from octk.regret import Regret

CONSTANTS = ("declared", "observed")
#: a violation is R(T) > RHS(T) by more than this relative margin, so rounding never
#: makes one (Zinkevich's bound is attained with equality at T = 1 when α = D/G)
RTOL = 1e-9
#: the value a hyperparameter a bound needs takes where the rule has none
_MISSING = {alpha: np.nan, beta1: 0.0, beta2: np.nan}


def violates(regret: ArrayLike, rhs: ArrayLike) -> NDArray[np.bool_]:
    """R > RHS beyond rounding: R − RHS > RTOL·max(|R|, |RHS|) (False where RHS is nan)."""
    regret, rhs = np.asarray(regret, dtype=np.float64), np.asarray(rhs, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return regret - rhs > RTOL * np.maximum(np.abs(regret), np.abs(rhs))


def first_violations(
    t: NDArray[np.int64], regret: NDArray[np.float64], rhs: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """(first T with a violation (0: none), R and RHS there (nan if none)), per row."""
    bad = violates(regret, rhs)
    C = bad.shape[0]
    first = np.zeros(C, dtype=np.int64)
    vr, vh = np.full(C, np.nan), np.full(C, np.nan)
    for c in range(C):
        ks = np.flatnonzero(bad[c])
        if ks.size:
            k = int(ks[0])
            first[c], vr[c], vh[c] = int(t[k]), regret[c, k], rhs[c, k]
    return first, vr, vh


@dataclass(frozen=True, eq=False)
class BoundResult:
    """A bound evaluated on a batch of runs (C configurations, K checkpoints).

    t : (K,) checkpoints; regret : (C, K) R(T); terms : name -> (C, K);
    rhs : (C, K) their sum; constants : name -> value (floats, or (C,) arrays);
    lam, lam_reason : (C,) the λ used and why (NaN / "" where the bound has no λ);
    checks : per configuration, the tuple of :class:`Check`; gamma : ``count``,
    ``first``, ``min`` (C,) of Γ_{t,i} = 1/η_{t,i} − 1/η_{t−1,i} over all t ≥ 2 and
    coordinates (``first`` = 0: never negative); first_violation : (C,) the first
    T with R(T) > RHS(T) (0: none up to ``steps``): checked at every step where
    ``every_step`` (:func:`check`'s default), else at the checkpoints; violation_regret,
    violation_rhs : (C,) R and RHS there (nan if none); trivial : (C, K) the trivial
    bound min(Σ_i w_i Σ_t|g_{t,i}|, T·G·D); vacuous : (C, K) RHS ≥ trivial (the bound
    cannot fail there); nonfinite : (C,) the run stopped being finite (an iterate, the
    played loss, a state or R(T) is inf or nan): no verdict for that configuration.
    """

    bound: Theorem
    rule: Rule
    sequence: Sequence
    domain: Domain
    steps: int
    params: dict[str, NDArray[np.float64]]
    seeds: NDArray[np.integer]
    t: NDArray[np.int64]
    regret: NDArray[np.float64]
    terms: dict[str, NDArray[np.float64]]
    rhs: NDArray[np.float64]
    constants: dict[str, Constant]
    lam: NDArray[np.float64]
    lam_reason: tuple[str, ...]
    checks: tuple[tuple[Check, ...], ...]
    gamma: dict[str, NDArray[np.float64]]
    first_violation: NDArray[np.int64]
    violation_regret: NDArray[np.float64]
    violation_rhs: NDArray[np.float64]
    trivial: NDArray[np.float64]
    vacuous: NDArray[np.bool_]
    nonfinite: NDArray[np.bool_]
    every_step: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def n_configs(self) -> int:
        return self.regret.shape[0]

    def __repr__(self) -> str:
        from octk.results.text import bound_text

        return bound_text(self)

    @property
    def tightness(self) -> NDArray[np.float64]:
        """(C, K) R(T)/RHS(T) (nan where the RHS is 0 or not finite)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(np.isfinite(self.rhs) & (self.rhs != 0), self.regret / self.rhs, np.nan)

    def vacuous_everywhere(self, c: int = 0) -> bool:
        """Whether the bound is vacuous at every checkpoint of configuration ``c`` (it could
        not have failed: its "holds" is no evidence)."""
        return bool(np.all(self.vacuous[c]))

    def hypotheses_hold(self, c: int = 0) -> bool:
        """Whether every stated hypothesis holds for configuration ``c``."""
        return all(k.verdict != FAILS for k in self.checks[c] if k.kind == "stated")

    def failing(self, c: int = 0, kind: str | None = "stated") -> list[Check]:
        return [k for k in self.checks[c] if k.verdict == FAILS and (kind in (None, k.kind))]

    def verdict(self, c: int = 0) -> str:
        """One line: the hypotheses, where the bound first breaks or how far it holds."""
        return report.verdict(self, c)

    def to_dict(self, c: int | None = None) -> dict:
        """Plain Python values (JSON-ready after non-finite floats are mapped)."""
        return report.result_dict(self, c)

    def table(self, c: int = 0, rows: int | None = None) -> str:
        """R(T), each term, the RHS, R/RHS and the trivial bound at selected checkpoints."""
        return report.result_table(self, c, rows)

    def summary(self, c: int = 0) -> str:
        """The readable report of ``octk check`` for configuration ``c``."""
        return report.summary(self, c)


def nonfinite_configs(traj: Trajectory, regret: NDArray[np.float64]) -> NDArray[np.bool_]:
    """(C,) whether configuration c's run stopped being finite: an iterate, the played
    loss, a state of the rule (after the last step) or R(T) is inf or nan. Monitors are
    left out (running extrema start at ±inf on purpose)."""
    ok = np.isfinite(traj.x).all(axis=(1, 2)) & np.isfinite(traj.loss).all(axis=1)
    for value in traj.state.values():
        ok &= np.isfinite(np.asarray(value, dtype=np.float64)).reshape(len(ok), -1).all(axis=1)
    ok &= np.isfinite(regret).all(axis=1)
    return ~ok


def terms_at(
    theorem: Theorem, run: RunQuantities, lams: NDArray[np.float64]
) -> dict[str, NDArray[np.float64]]:
    """The theorem's terms at the run's quantities, λ per configuration."""
    values = dict(run.values)
    for sym, default in _MISSING.items():
        values[sym] = run.params.get(sym.name, np.full((run.C, 1), default))
    values[lam] = lams[:, None]
    return theorem.evaluate(values, (run.C, run.K))


def defined_values(theorem: Theorem, run: RunQuantities) -> dict[sp.Symbol, NDArray[np.float64]]:
    """Each definition (γ) per configuration, (C,)."""
    out = {}
    for sym, (args, f) in theorem.definition_functions.items():
        vals = [run.params.get(s.name, np.full((run.C, 1), _MISSING.get(s, np.nan))) for s in args]
        with np.errstate(divide="ignore", invalid="ignore"):
            out[sym] = np.broadcast_to(np.asarray(f(*vals), dtype=np.float64), (run.C, 1))[:, 0]
    return out


def evaluate(
    traj: Trajectory,
    bound: Theorem | str | None = None,
    *,
    reg: Regret | None = None,
    lam: float | None = None,
    constants: str = "declared",
    method: str = "auto",
    hypotheses: bool = True,
) -> BoundResult:
    """Evaluate ``bound`` on a trajectory run with :func:`bound_monitors`.

    ``reg`` is its :class:`~octk.regret.Regret` (computed when not given);
    ``lam``: the λ at which to evaluate bounds that hold for every λ (β1 = 0);
    ``constants``: ``"declared"`` or ``"observed"`` (see :mod:`octk.bounds.quantities`).
    The first violation is at checkpoint resolution; :func:`check` refines it.
    ``hypotheses=False`` skips the hypotheses (the every-step scan needs only numbers).
    """
    from octk.regret import regret as compute_regret

    b = default_bound(traj.rule) if bound is None else get_bound(bound)
    check_choice("constants", constants, CONSTANTS)
    if lam is not None:
        lam = check_real("lam", lam, lo=0, hi=1, hi_open=True)
    if reg is None:
        reg = compute_regret(traj, method=method)
    run = measure(traj, reg, constants)
    lams, reasons, lam_checks = choose_lambda(b, traj.rule, run.params, run.C, lam)
    terms = terms_at(b, run, lams)
    rhs = functools.reduce(np.add, terms.values())
    R = np.asarray(reg.regret, dtype=np.float64)
    first, vr, vh = first_violations(reg.t, R, rhs)
    defined = defined_values(b, run)
    consts = dict(run.constants)
    for s, v in defined.items():
        consts[report.symbol_text(s)] = v
    checks = check_all(b, traj, run, defined, lam_checks) if hypotheses else ((),) * run.C
    with np.errstate(invalid="ignore"):
        vacuous = rhs >= run.trivial
    return BoundResult(
        bound=b,
        rule=traj.rule,
        sequence=traj.sequence,
        domain=make_domain(traj.domain),
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
        checks=checks,
        gamma=run.gamma,
        first_violation=first,
        violation_regret=vr,
        violation_rhs=vh,
        trivial=run.trivial,
        vacuous=vacuous,
        nonfinite=nonfinite_configs(traj, R),
        notes=(b.note,) if b.note else (),
    )


__all__ = [
    "CONSTANTS",
    "RTOL",
    "BoundResult",
    "evaluate",
    "first_violations",
    "nonfinite_configs",
    "violates",
]
