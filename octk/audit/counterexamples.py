r"""The published counterexamples, run on any rule: where does it converge to the wrong point?

Every problem here is linear on F = [−1, 1] per coordinate, f_t(x) = c_t x, so the
best point in hindsight and the regret of each coordinate have closed forms
(:mod:`octk.regret`'s linear case, per coordinate):

    S_T = Σ_{t≤T} c_t,    x* = −sign(S_T),    R_T = Σ_{t≤T} c_t x_t + |S_T|.

The families (RKK = Reddi, Kale & Kumar 2018):

* ``rkk-thm1`` -- Theorem 1: c_t = C if t mod 3 = 1 else −1 (C > 2, so x* = −1), with
  β1 = 0, ε = 0, α_t = α/√t (α = 0.1, as ``octk reproduce reddi2018`` runs C = 3), over
  a (β2, C) grid. Theorem 1 takes β2 = 1/(1 + C²); the grid holds those values and
  larger ones. **One** :func:`octk.simulate` call: the configurations are the β2
  values, the coordinates the C values (the signal reads C_i from a 3-row table, row
  (t − 1) mod 3). The run also counts the steps with Γ_t < 0
  (:func:`octk.monitors.gamma_monitors`) where the rule's Γ_t is defined.
* ``rkk-thm3`` -- Theorem 3's stochastic family (``reddi-thm3``: c_t = C w.p.
  (1 + δ)/(C + 1), else −1; E c_t = δ > 0, so x* = −1), β1 = 0, ε = 0, over the same β2
  values × seeds: one call.
* ``rkk-sec5-online`` / ``rkk-sec5-stochastic`` -- the §5 experiments as
  :data:`octk.experiments.reddi2018.EXPERIMENTS` states them (β1 = 0.9, β2 = 0.99,
  α_t = 1/√t), at the audit's T; the stochastic one over seeds: one call each.
* ``zhang`` -- Zhang et al.'s function (``zhang2022`` on the reals, x* = −2, its loss
  through :func:`octk.regret.regret`'s comparator) as ``octk reproduce zhang2022`` runs
  it, over seeds; skipped, with the reason, where no such sequence is registered.

The counterexample's hyperparameters reach the rule by name (:mod:`octk.audit.settings`).

Classification of a cell (:func:`classify`), stated in every report. One T never shows a
limit, so the late iterates are compared with earlier ones: x̄_late is the time average
of the played iterate over the steps (T/2, T], x̄_mid over (T/4, T/2] (exact averages of
every step, from a running sum Σ x_t; means over seeds too for a stochastic family), and

* **wrong point** -- |x̄_late − x*| ≥ 1 (the far half of F), R_T/T > 0, the iterate has
  settled (max − min over the late checkpoints ≤ 0.5: an iterate swinging across F within
  a period, as OGD's on the §5 sequence, is at no point) and is not approaching x*:
  |x̄_late − x*| ≥ |x̄_mid − x*| − 0.01; for a stochastic family the gap must hold by two
  standard errors over the seeds, |x̄_late − x*| − 2 s/√n ≥ 1;
* **converges** -- |x̄_late − x*| ≤ 0.1;
* **undecided at T** -- otherwise (e.g. far from x* but moving towards it: AMSGrad on
  Theorem 3's family needs T ≫ 10⁶); **non-finite** where the run stopped being finite.

A family *fails* when some cell is at the wrong point; it *converges* when every cell does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from octk.audit.settings import Applied, allowed, apply
from octk.errors import ParameterError
from octk.monitors import Monitor, gamma_monitors, running_sum
from octk.regret import regret
from octk.rules import Rule
from octk.sequences import Sequence
from octk.simulate import simulate
from octk.symbols import DATA
from octk.trajectory import Trajectory, log_checkpoints

#: the C values of Theorem 1's grid (C > 2)
THM1_C = (3.0, 5.0, 10.0)
#: β2 values beside Theorem 1's own 1/(1 + C²)
EXTRA_BETA2 = (0.5, 0.9, 0.999)
#: α of Theorem 1's and Theorem 3's runs (α_t = α/√t), as ``octk reproduce reddi2018``'s C = 3
ALPHA = 0.1
#: |x_T − x*| at most this: the cell converges
NEAR = 0.1
#: seeds of a stochastic family (one batch)
SEEDS = 4

#: how much closer to x* the late iterates may be and still count as not approaching it
APPROACH = 0.01
#: the largest swing (max − min) of the late iterates of a cell that has settled
SETTLED = 0.5

CLASSIFICATION = (
    "x* = −sign(Σ c_t) (the best point of F = [−1, 1] in hindsight; −1 for the stochastic "
    "families, whose E c_t > 0); x̄_late, x̄_mid = time average of the iterate over the "
    "steps (T/2, T], (T/4, T/2]; a cell is at the **wrong point** if |x̄_late − x*| ≥ 1, "
    f"R_T/T > 0, the late iterates settled (max − min ≤ {SETTLED:g}) and "
    f"|x̄_late − x*| ≥ |x̄_mid − x*| − {APPROACH:g} (not approaching x*; "
    "over seeds the first gap by two standard errors), "
    f"**converges** if |x̄_late − x*| ≤ {NEAR:g}, else **undecided at T**; a stochastic "
    "family's iterates and R_T/T are means over its seeds"
)


def beta2_grid(cs: tuple[float, ...] = THM1_C) -> tuple[float, ...]:
    """Theorem 1's β2 = 1/(1 + C²) for each C, and :data:`EXTRA_BETA2`, ascending."""
    return tuple(sorted({1.0 / (1.0 + c * c) for c in cs} | set(EXTRA_BETA2)))


def classify(
    x_late: float,
    x_mid: float,
    x_star: float,
    avg_regret: float,
    stderr: float = 0.0,
    spread: float = 0.0,
) -> str:
    """The outcome of one cell from its late and middle mean iterates, x*, R_T/T, the
    standard error of x̄_late over seeds (0 for one run) and the late iterates' swing
    max − min (see the module docstring)."""
    if not (np.isfinite(x_late) and np.isfinite(x_mid) and np.isfinite(avg_regret)):
        return "non-finite"
    gap = abs(x_late - x_star)
    far = gap - 2 * stderr >= 1 and spread <= SETTLED
    if far and avg_regret > 0 and gap >= abs(x_mid - x_star) - APPROACH:
        return "wrong point"
    if gap <= NEAR:
        return "converges"
    return "undecided at T"


def checkpoints(steps: int) -> np.ndarray:
    """Log-spaced checkpoints (:func:`octk.trajectory.log_checkpoints`) with ⌊T/4⌋, ⌊T/2⌋
    and T among them: the ends of the windows of :func:`window_means`."""
    ends = [max(1, steps // 4), max(1, steps // 2), steps]
    return np.unique(np.concatenate([log_checkpoints(steps), ends]))


def window_means(
    t: np.ndarray, x: np.ndarray, x_sum: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x̄_late, x̄_mid, swing) per configuration and coordinate: the time averages of the
    played iterate over the steps (T/2, T] and (T/4, T/2], from its running sum ``x_sum``
    (C, K, d) at the checkpoints ``t`` (which hold ⌊T/4⌋, ⌊T/2⌋, T: :func:`checkpoints`),
    and max − min of the iterate ``x`` (C, K, d) over the checkpoints in (T/2, T]."""
    T = int(t[-1])
    k = {n: int(np.searchsorted(t, n)) for n in (max(1, T // 4), max(1, T // 2))}
    q, h = k[max(1, T // 4)], k[max(1, T // 2)]
    late = (x_sum[:, -1, :] - x_sum[:, h, :]) / max(T - int(t[h]), 1)
    mid = (x_sum[:, h, :] - x_sum[:, q, :]) / max(int(t[h]) - int(t[q]), 1)
    if T - int(t[h]) == 0:  # T ≤ 1: no window
        late = x[:, -1, :]
    if int(t[h]) == int(t[q]):
        mid = late
    xl = x[:, t > t[h], :] if np.any(t > t[h]) else x[:, -1:, :]
    return late, mid, xl.max(axis=1) - xl.min(axis=1)


@dataclass(frozen=True)
class Family:
    """One counterexample family's outcome on the rule.

    ``verdict``: ``fails`` (some cell at the wrong point), ``converges`` (every cell),
    ``undecided``, or ``skipped`` (``reason`` says why); ``cells``: one dict per cell
    (its grid values, x_T, x*, R_T/T, outcome); ``curves``: t and R_t/t per cell for a
    figure.
    """

    key: str
    title: str
    steps: int
    verdict: str
    settings: Applied | None
    cells: tuple[dict, ...] = ()
    reason: str = ""
    curves: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "family": self.key,
            "title": self.title,
            "T": self.steps,
            "verdict": self.verdict,
            "reason": self.reason or None,
            "settings": None if self.settings is None else self.settings.to_dict(),
            "cells": list(self.cells),
        }


def _monitors(rule: Rule | None = None) -> list[Monitor]:
    """The played loss and Σ c_t per coordinate; with ``rule``, also the signs of its
    weights Γ_t (:func:`octk.monitors.gamma_monitors`) where its effective step is defined."""
    out = [running_sum("played", "f"), running_sum("signal_sum", "s"), running_sum("x_sum", "x")]
    if rule is not None:
        try:
            out += list(gamma_monitors(rule))
        except ParameterError:  # δ_t is not η_t·M_t: Γ_t is not defined
            pass
    return out


@dataclass(frozen=True)
class _Coordinates:
    """Per configuration and coordinate: x_T, x̄_late, x̄_mid, x*, R_T/T (C, d) and R_t/t at
    the checkpoints (C, K, d)."""

    x_T: np.ndarray
    late: np.ndarray
    mid: np.ndarray
    swing: np.ndarray
    star: np.ndarray
    avg_T: np.ndarray
    avg: np.ndarray


def _per_coordinate(traj: Trajectory) -> _Coordinates:
    """The linear closed forms per coordinate (see the module docstring); a sequence of
    another loss family (d = 1) goes through :func:`octk.regret.regret`'s comparator."""
    late, mid, swing = window_means(traj.t, traj.x, traj.monitors["x_sum"])
    if traj.sequence.loss != "linear":
        reg = regret(traj)
        avg = reg.average[:, :, None]
        star = reg.x_star[:, -1, :]
    else:
        played = traj.monitors["played"]  # (C, K, d)
        total = traj.monitors["signal_sum"]
        avg = (played + np.abs(total)) / traj.t[None, :, None]
        star = -np.sign(total[:, -1, :])
    return _Coordinates(traj.x[:, -1, :], late, mid, swing, star, avg[:, -1, :], avg)


def _verdict(outcomes: list[str]) -> str:
    if "wrong point" in outcomes:
        return "fails"
    if outcomes and all(o == "converges" for o in outcomes):
        return "converges"
    return "undecided"


def _run(
    rule: Rule,
    sequence: Sequence | str,
    settings: Applied,
    *,
    steps: int,
    x0: float,
    seed: int | np.ndarray,
    backend: object,
    gamma: bool = False,
    domain: str = "box:-1,1",
) -> Trajectory:
    return simulate(
        rule,
        sequence,
        domain,
        steps=steps,
        checkpoints=checkpoints(steps),
        x0=x0,
        params=settings.params,
        seed=seed,
        backend=backend,
        monitors=_monitors(rule if gamma else None),
        nonfinite="ignore",
    )


def theorem1(rule: Rule, audited: Mapping[str, float], steps: int, backend: object) -> Family:
    """RKK Theorem 1 over the (β2, C) grid, in one simulation (see the module docstring)."""
    fixed = {"beta1": 0.0, "beta2": np.asarray(beta2_grid()), "eps": 0.0, "alpha": ALPHA}
    settings = apply(rule, audited, fixed, schedule="sqrt")
    b2 = np.atleast_1d(np.asarray(settings.params.get("beta2", np.nan), dtype=np.float64))
    has_b2 = "beta2" in settings.params
    table = np.full((3, len(THM1_C)), -1.0)
    table[0] = THM1_C
    seq = Sequence(
        "rkk-thm1-grid",
        {"C": list(THM1_C)},
        DATA,
        data=table,
        wrap=True,
        description="RKK Theorem 1, C_i per coordinate: C_i if t mod 3 = 1 else −1",
    )
    traj = _run(rule, seq, settings, steps=steps, x0=0.0, seed=0, backend=backend, gamma=True)
    neg = traj.monitors.get("gamma_neg")
    first = traj.monitors.get("gamma_first")
    q = _per_coordinate(traj)
    cells, outcomes = [], []
    curves = {"t": traj.t.tolist()}
    for c in range(traj.n_configs):
        for i, C in enumerate(THM1_C):
            late, mid, star, avg_T, swing = (
                float(a[c, i]) for a in (q.late, q.mid, q.star, q.avg_T, q.swing)
            )
            out = classify(late, mid, star, avg_T, spread=swing)
            outcomes.append(out)
            beta2 = float(b2[c]) if has_b2 else None
            cells.append(
                {
                    "beta2": beta2,
                    "C": C,
                    "x_T": float(q.x_T[c, i]),
                    "x_late": late,
                    "x_mid": mid,
                    "x_star": star,
                    "avg_regret": avg_T,
                    "outcome": out,
                    "gamma_negative": None if neg is None else int(neg[c, -1, i]),
                    "gamma_first": None if first is None else int(first[c, -1, i]),
                }
            )
    return Family(
        "rkk-thm1",
        "RKK Theorem 1, (β2, C) grid",
        steps,
        _verdict(outcomes),
        settings,
        tuple(cells),
        curves=curves,
    )


def _seeded(
    key: str,
    title: str,
    rule: Rule,
    sequence: str,
    fixed: dict[str, float],
    audited: Mapping[str, float],
    steps: int,
    backend: object,
    *,
    x0: float,
    stochastic: bool,
    beta2_values: tuple[float, ...] | None = None,
    domain: str = "box:-1,1",
    optimum: float = -1.0,
) -> Family:
    """A family on one registered sequence: β2 values (if given and the rule has β2) ×
    seeds (stochastic) as the configurations of one simulation; ``optimum`` is x* of a
    stochastic family (the minimiser of the expected loss)."""
    b2: tuple[float | None, ...] = (None,)
    if beta2_values and "beta2" in rule.hyper_names:
        b2 = tuple(float(v) for v in allowed(rule, "beta2", beta2_values)) or (None,)
    seeds = SEEDS if stochastic else 1
    per_cfg: dict[str, object] = dict(fixed)
    if b2 != (None,):
        per_cfg["beta2"] = np.repeat(np.asarray(b2, dtype=np.float64), seeds)
    settings = apply(rule, audited, per_cfg, schedule="sqrt")
    seed = np.tile(np.arange(seeds), len(b2)) if stochastic else 0
    if stochastic and b2 == (None,):
        seed = np.arange(seeds)
    traj = _run(
        rule, sequence, settings, steps=steps, x0=x0, seed=seed, backend=backend, domain=domain
    )
    q = _per_coordinate(traj)
    cells, outcomes = [], []
    curves: dict = {"t": traj.t.tolist()}
    for k, beta2 in enumerate(b2):
        rows = slice(k * seeds, (k + 1) * seeds)
        late, mid, x_T, am = (float(np.mean(a[rows, 0])) for a in (q.late, q.mid, q.x_T, q.avg_T))
        star = optimum if stochastic else float(q.star[rows, 0][0])
        se = float(np.std(q.late[rows, 0], ddof=1) / np.sqrt(seeds)) if seeds > 1 else 0.0
        swing = float(np.mean(q.swing[rows, 0]))
        out = classify(late, mid, star, am, se, swing)
        outcomes.append(out)
        cell = {
            "beta2": beta2,
            "x_T": x_T,
            "x_late": late,
            "x_mid": mid,
            "x_star": star,
            "avg_regret": am,
            "outcome": out,
        }
        if stochastic:
            cell["seeds"] = seeds
            cell["x_T_sd"] = float(np.std(q.x_T[rows, 0], ddof=1)) if seeds > 1 else 0.0
        cells.append(cell)
        label = "rule" if beta2 is None else f"β2 = {beta2:g}"
        curves[label] = np.mean(q.avg[rows, :, 0], axis=0).tolist()
    return Family(key, title, steps, _verdict(outcomes), settings, tuple(cells), curves=curves)


def theorem3(rule: Rule, audited: Mapping[str, float], steps: int, backend: object) -> Family:
    """RKK Theorem 3's stochastic family (``reddi-thm3`` at its defaults C = 20, δ = 0.1;
    x* = −1 since E c_t = δ > 0), β1 = 0, ε = 0, α = 0.1, over the β2 grid × seeds."""
    fixed = {"beta1": 0.0, "eps": 0.0, "alpha": ALPHA}
    return _seeded(
        "rkk-thm3",
        "RKK Theorem 3 (stochastic), C = 20, δ = 0.1",
        rule,
        "reddi-thm3",
        fixed,
        audited,
        steps,
        backend,
        x0=0.0,
        stochastic=True,
        beta2_values=beta2_grid(),
    )


def section5(rule: Rule, audited: Mapping[str, float], steps: int, backend: object) -> list[Family]:
    """RKK §5, online and stochastic, with the hyperparameters of
    :data:`~octk.experiments.reddi2018.EXPERIMENTS` (T capped at the audit's T)."""
    from octk.experiments.reddi2018 import EXPERIMENTS

    out = []
    for exp in EXPERIMENTS:
        if exp.key.startswith("thm1"):
            continue  # Theorem 1 is the grid above
        key = "rkk-sec5-" + exp.key
        fam = _seeded(
            key,
            f"RKK {exp.title} [{exp.step_size}]",
            rule,
            exp.sequence,
            dict(exp.params),
            audited,
            min(steps, exp.steps),
            backend,
            x0=exp.x0,
            stochastic=exp.stochastic,
        )
        out.append(fam)
    return out


def zhang(rule: Rule, audited: Mapping[str, float], steps: int, backend: object) -> Family:
    """Zhang et al.'s function (``zhang2022``: one of n components drawn per step, on the
    reals, x* = −2 the finite sum's minimiser) as :mod:`octk.experiments.zhang2022` runs
    it (α = 0.1, x_1 = −1, T capped at its 5·10⁴), over seeds; skipped (with the reason)
    where no such sequence is registered."""
    from octk.sequences import sequence, sequence_names

    names = [n for n in sequence_names() if n.startswith("zhang")]
    if not names:
        return Family(
            "zhang",
            "Zhang et al.'s function",
            0,
            "skipped",
            None,
            reason="no Zhang et al. sequence is registered in this octk (octk list --sequences)",
        )
    from octk.experiments import zhang2022 as exp

    optimum = getattr(sequence(names[0]), "optimum", None)
    return _seeded(
        "zhang",
        f"Zhang et al. ({names[0]}, reals, x_1 = {exp.X0:g})",
        rule,
        names[0],
        {"alpha": exp.ALPHA},
        audited,
        min(steps, exp.STEPS),
        backend,
        x0=exp.X0,
        stochastic=True,
        domain="reals",
        optimum=-2.0 if optimum is None else float(optimum),
    )


def run_all(rule: Rule, audited: Mapping[str, float], steps: int, backend: object) -> list[Family]:
    """Every family, in the report's order."""
    return [
        theorem1(rule, audited, steps, backend),
        theorem3(rule, audited, steps, backend),
        *section5(rule, audited, steps, backend),
        zhang(rule, audited, steps, backend),
    ]


def overall(families: list[Family]) -> str:
    """``fails`` if a family fails, ``converges`` if every family that ran converges, else
    ``undecided``."""
    ran = [f for f in families if f.verdict != "skipped"]
    if any(f.verdict == "fails" for f in ran):
        return "fails"
    if ran and all(f.verdict == "converges" for f in ran):
        return "converges"
    return "undecided"


__all__ = [
    "ALPHA",
    "APPROACH",
    "CLASSIFICATION",
    "EXTRA_BETA2",
    "NEAR",
    "SEEDS",
    "SETTLED",
    "THM1_C",
    "Family",
    "beta2_grid",
    "checkpoints",
    "classify",
    "overall",
    "run_all",
    "section5",
    "theorem1",
    "theorem3",
    "window_means",
    "zhang",
]
