r"""The search: CMA-ES (``cma``) or SciPy's differential evolution, in batches.

The objective J(θ) of a candidate θ ∈ [−1, 1]^k (a family's parameters, and the
first iterate where it is free) is maximised by a library optimiser whose whole
population is evaluated as one batched simulation
(:func:`~octk.adversary.batch.run_batch`): ``method="cma"`` (default), Hansen's
CMA-ES (``cma.CMAEvolutionStrategy``, box-constrained, ask/tell); ``method="de"``,
:func:`scipy.optimize.differential_evolution` in its vectorised mode. The budget (simulated
candidates) is split over ``restarts`` independent runs with seeds seed, seed+1, …;
the best candidate of all is kept, and the trace records the best value found
against the number of candidates evaluated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import differential_evolution

from octk.adversary import objectives, violation
from octk.adversary.batch import Batcher, BatchRun
from octk.adversary.families import Family, GradientBound, first_iterates
from octk.domains.base import Domain
from octk.errors import ParameterError, check_choice
from octk.rules import Rule
from octk.theorems import Theorem


@dataclass
class Problem:
    """Everything a candidate's evaluation needs."""

    rule: Rule
    params: dict
    domain: Domain
    d: int
    steps: int
    family: Family
    bound: GradientBound
    objective: str
    x0: np.ndarray | None  # None: chosen by the adversary
    seed: int = 0
    backend: str = "numba"
    T0: int = field(init=False)
    batcher: Batcher = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.T0 = objectives.window(self.steps, self.family.period)
        self.theorem: Theorem | None = None
        checkpoints = sorted({self.T0, self.steps})
        mons: tuple[Any, ...] = ()
        if self.objective.startswith(violation.PREFIX):
            self.theorem = violation.theorem_of(self.objective)
            checkpoints = violation.checkpoints(self.steps)
            mons = violation.monitors(self.rule)
        self.batcher = Batcher(
            self.rule,
            self.params,
            self.domain,
            self.family.signal(self.bound, self.d),
            rows=self.family.rows(self.steps),
            d=self.d,
            wrap=self.family.wrap,
            steps=self.steps,
            checkpoints=checkpoints,
            bound=self.bound.value,
            backend=self.backend,
            monitors=mons,
        )

    @property
    def size(self) -> int:
        k = self.family.size(self.d, self.steps)
        return k + (self.d if self.x0 is None else 0)

    def decode(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """θ (C, size) ↦ (tables (C, rows, d), x0 (C, d))."""
        k = self.family.size(self.d, self.steps)
        radius = self.domain.coordinate_bound(self.d)
        tables = self.family.tables(theta[:, :k], self.d, self.steps, self.bound, radius, self.seed)
        if self.x0 is None:
            x0 = first_iterates(theta[:, k:], self.domain, self.d)
        else:
            x0 = np.broadcast_to(self.x0, (theta.shape[0], self.d)).copy()
        return tables, x0

    def evaluate(self, theta: np.ndarray) -> np.ndarray:
        """The objective of every row of θ, in one batched simulation."""
        theta = np.atleast_2d(theta)
        tables, x0 = self.decode(theta)
        run = self.batcher.run(tables, x0)
        if self.theorem is not None:
            out = self.margins(run).max(axis=1)
            return np.where(np.isfinite(out), out, -np.inf)
        return objectives.values(self.objective, run, self.domain, self.steps, self.T0)

    def margins(self, run: BatchRun) -> np.ndarray:
        """R_t − B_t per candidate and checkpoint (C, K) of the ``violation`` objective."""
        assert self.theorem is not None
        K = len(run.t)
        R = np.stack([objectives.regret_at(run, self.domain, k) for k in range(K)], axis=1)
        ginf = self.bound.value  # |g_i| ≤ ‖g‖₂ ≤ G for the ℓ2 bound too
        g2 = self.bound.value if self.bound.norm == "l2" else np.sqrt(self.d) * self.bound.value
        B = violation.values_float(
            self.theorem,
            self.rule,
            self.params,
            t=np.asarray(run.t),
            d=self.d,
            diameters=self.domain.diameter(self.d),
            ginf=ginf,
            g2=g2,
            mon=run.monitors,
        )
        return R - B


@dataclass
class _Best:
    evals: int = 0
    value: float = -np.inf
    theta: np.ndarray | None = None


@dataclass
class Found:
    theta: np.ndarray
    value: float
    trace: list[tuple[int, float]]  # (candidates evaluated, best value so far)
    evaluations: int


METHODS = ("cma", "de")


def search(
    problem: Problem,
    *,
    budget: int,
    seed: int = 0,
    restarts: int = 2,
    popsize: int | None = None,
    method: str = "cma",
) -> Found:
    """Maximise the problem's objective with ``budget`` candidate evaluations in all."""
    check_choice("method", method, METHODS)
    n = problem.size
    if n < 1:
        raise ParameterError("the search space is empty")
    if budget < 2 * n:
        raise ParameterError(f"budget must be at least {2 * n} (two candidates per parameter)")
    pop = popsize or int(min(max(15, 4000 // n), 64))
    per_run = budget // max(1, restarts)
    best = _Best()
    trace: list[tuple[int, float]] = []

    def negative(thetas: np.ndarray) -> np.ndarray:
        th = np.clip(np.asarray(thetas).T, -1.0, 1.0)  # (S, n)
        vals = problem.evaluate(th)
        best.evals += th.shape[0]
        k = int(np.argmax(vals))
        if vals[k] > best.value:
            best.value = float(vals[k])
            best.theta = th[k].copy()
        trace.append((best.evals, best.value))
        return -np.where(np.isfinite(vals), vals, -1e300)

    if method == "cma":
        _cma(negative, n, per_run, budget, lambda: best.evals, seed, popsize)
    for r in range(max(1, restarts) if method == "de" else 0):
        pop_total = pop * n
        gens = max(1, per_run // pop_total - 1)
        differential_evolution(
            negative,
            [(-1.0, 1.0)] * n,
            popsize=pop,
            maxiter=gens,
            tol=0.0,
            seed=seed + r,
            vectorized=True,
            updating="deferred",
            polish=False,
            init="sobol" if pop_total & (pop_total - 1) == 0 else "latinhypercube",
        )
    if best.theta is None:
        raise ParameterError("every candidate diverged (no finite objective)")
    return Found(best.theta, best.value, trace, best.evals)


def _cma(
    negative: Callable[[np.ndarray], np.ndarray],
    n: int,
    per_run: int,
    budget: int,
    used: Callable[[], int],
    seed: int,
    popsize: int | None,
) -> None:
    """CMA-ES runs from random starts (σ0 = 0.5), each with at most ``per_run``
    evaluations, restarted (new start, new seed) until ``budget`` is spent.

    The box [−1, 1]^n is kept by evaluating the clipped point (``negative`` clips),
    which costs nothing per sample, unlike ``cma``'s own boundary handlers.
    """
    import cma

    rng = np.random.default_rng(seed)
    lam = popsize or int(min(256, max(32, per_run // 200)))
    r = 0
    while budget - used() >= lam:
        r += 1
        es = cma.CMAEvolutionStrategy(
            rng.uniform(-0.5, 0.5, n),
            0.5,
            {
                "popsize": lam,
                "seed": seed * 1000 + r,
                "maxfevals": min(per_run, budget - used()),
                "verbose": -9,
                "tolfun": 0.0,
                "tolflatfitness": 10**9,
                "tolx": 1e-13,
            },
        )
        while not es.stop():
            xs = es.ask()
            es.tell(xs, negative(np.asarray(xs).T).tolist())


__all__ = ["METHODS", "Found", "Problem", "search"]
