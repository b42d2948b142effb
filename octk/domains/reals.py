r"""R^d: no constraint, no projection.

Spec: ``reals`` (no arguments, no options). Both projections are the identity,
so the simulated projection is the analyses' one; every diameter is infinite,
and a linear comparator is unbounded unless Σ_t s_t = 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from octk.domains.base import CudaProjection, Domain, KernelProjection, optimal
from octk.errors import ParameterError


@dataclass(frozen=True, eq=False, repr=False)
class Reals(Domain):
    """R^d: no constraint."""

    kind = "reals"
    usage = "reals: R^d, no projection"
    examples = ("reals",)
    separable = True

    @classmethod
    def from_spec(cls, args: list[str], options: dict[str, str], spec: str) -> Domain:
        if args or options:
            raise ParameterError(f"domain 'reals' takes no arguments; got {spec!r}")
        return cls()

    def spec(self) -> str:
        return "reals"

    def project(self, y: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.asarray(y, dtype=np.float64)

    def contains(self, y: np.ndarray, tol: float = 0.0) -> bool:
        return bool(np.all(np.isfinite(y)))

    def diameter(self, d: int) -> tuple[float, float]:
        return float("inf"), float("inf")

    def coordinate_widths(self, d: int) -> np.ndarray:
        return np.full(d, np.inf)

    def coordinate_bound(self, d: int) -> float:
        return float("inf")

    def lane_bounds(self, d: int) -> tuple[np.ndarray, np.ndarray]:
        return np.full(d, -np.inf), np.full(d, np.inf)

    def kernel_projection(self) -> KernelProjection:
        return KernelProjection(cuda=CudaProjection(lane="    ln.x = xh;"))

    def analysis_projection(self, adaptive: bool) -> tuple[bool, str]:
        return True, "reals: no projection"

    def min_linear(self, S: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """0 at x* = 0 where S = 0; unbounded (−inf) otherwise."""
        zero = np.all(S == 0, axis=-1)
        x = np.where(zero[..., None], 0.0, np.nan) + np.zeros_like(S)
        value = np.where(zero, 0.0, -np.inf)
        status = optimal(zero.shape)
        status[~zero] = "unbounded"
        return x, value, status

    def cvxpy_constraints(self, x: Any, d: int) -> list:
        return []

    def key(self, d: int) -> tuple:
        return ("reals",)
