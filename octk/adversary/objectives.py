r"""What the adversary maximises, from a batched run (:class:`~octk.adversary.batch.BatchRun`).

With S_T = Σ_{t≤T} g_t and R_T = Σ_{t≤T} ⟨g_t, x_t⟩ − min_{x∈F} ⟨S_T, x⟩:

* ``regret``   R_T;
* ``rate``     (R_T − R_{T0}) / (T − T0), the regret per step over the last part of
  the run (T0 = ⌊T/2⌋ rounded down to a whole period): for a periodic pattern it
  tends to the long-run rate lim R_T/T, since the comparator is positively
  homogeneous in S and S_T grows linearly;
* ``distance`` ‖x_{T+1} − x*_T‖₂, x*_T the best point in hindsight;
* ``violation:BOUND`` the violation margin max_t (R_t − B_t) of a named bound
  (:mod:`octk.adversary.violation`).

A diverged candidate (a non-finite value) scores −∞.
"""

from __future__ import annotations

import numpy as np

from octk.adversary.batch import BatchRun
from octk.domains.base import Domain
from octk.errors import ParameterError

OBJECTIVES = ("regret", "rate", "distance")


def parse(spec: str) -> str:
    """An objective name, or ``violation:BOUND`` with BOUND a bound of :mod:`octk.bounds`."""
    name = str(spec).strip()
    if name.startswith("violation:"):
        from octk.adversary.violation import theorem_of

        return "violation:" + theorem_of(name).name  # raises naming the bounds
    if name not in OBJECTIVES:
        raise ParameterError(
            f"objective must be one of {', '.join(OBJECTIVES)} or violation:BOUND; got {spec!r}"
        )
    return name


def window(steps: int, period: int | None) -> int:
    """T0 of the ``rate`` objective: ⌊T/2⌋, rounded down to a multiple of the period."""
    T0 = steps // 2
    if period:
        T0 -= T0 % period
    return max(T0, 1) if T0 < steps else steps - 1


def regret_at(run: BatchRun, domain: Domain, k: int) -> np.ndarray:
    """R at checkpoint index k, per candidate."""
    _, best, _ = domain.min_linear(run.S[:, k, :])
    return run.loss[:, k] - best


def values(name: str, run: BatchRun, domain: Domain, steps: int, T0: int) -> np.ndarray:
    """The objective of every candidate of ``run`` (checkpoints T0 and T)."""
    if name == "regret":
        out = regret_at(run, domain, -1)
    elif name == "rate":
        k0 = int(np.searchsorted(run.t, T0))
        out = (regret_at(run, domain, -1) - regret_at(run, domain, k0)) / (steps - T0)
    else:
        xs, _, _ = domain.min_linear(run.S[:, -1, :])
        out = np.sqrt(np.sum((run.x[:, -1, :] - xs) ** 2, axis=-1))
    return np.where(np.isfinite(out), out, -np.inf)


__all__ = ["OBJECTIVES", "parse", "regret_at", "values", "window"]
