r"""The (scaled) probability simplex Δ_R = {x ∈ R^d : x ≥ 0, Σ_i x_i = R}.

Spec: ``simplex`` (R = 1) or ``simplex:R``, with the option
``projection=weighted`` (the default) or ``projection=euclidean``, e.g.
``simplex:2;projection=euclidean``.

**Projections.** Both solve min_{x∈Δ_R} Σ_i w_i (x_i − y_i)² (Euclidean: w = 1;
weighted: RKK's Π_{F,√V} with w = √V the weights 1/η_t of the rule, see
:mod:`octk.domains.base`). The KKT conditions 2 w_i (x_i − y_i) + 2τ − λ_i = 0,
λ_i ≥ 0, λ_i x_i = 0 give

.. math::  x_i = \max(0,\; y_i − τ / w_i), \qquad Σ_i x_i = R,

with Σ_i max(0, y_i − τ/w_i) decreasing in τ. Coordinate i is positive iff
τ < b_i = w_i y_i, so with the breakpoints sorted, b_(1) ≥ b_(2) ≥ …, the active
set is a prefix: for the top k,

.. math::  τ_k = \frac{Σ_{j≤k} y_{(j)} − R}{Σ_{j≤k} 1/w_{(j)}},

and τ = τ_ρ with ρ the largest k such that b_(k) > τ_k (k = 1 always qualifies,
as R > 0). With w = 1 this is the sort-based projection of Held, Wolfe &
Crowder (1974) and Duchi, Shalev-Shwartz, Singer & Chandra (2008, Fig. 1):
O(d log d). NumPy (rows = configurations) and the kernel run the same sums in
the same (stable) order.

**Geometry.** For d ≥ 2 the diameters are D = R√2 and D∞ = R (two vertices
R e_i, R e_j); for d = 1 Δ_R is the point R (D = D∞ = 0). sup ‖x‖∞ = R.

**Comparator.** A linear loss S·x is minimised at a vertex: x* = R e_k with
k = argmin_i S_i (the first on ties), value R·min_i S_i. The quadratic loss's
x* = Π_{Δ_R}(S/n), the Euclidean projection of the mean signal (read by the loss
through :meth:`Simplex.project`). cvxpy: x ≥ 0, Σ x = R.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from octk.domains.base import (
    GUARD_WEIGHTS_CUDA,
    CudaProjection,
    Domain,
    KernelProjection,
    ProjectionChoice,
    guard_weights,
    guard_weights_np,
    optimal,
    projection_option,
)
from octk.errors import ParameterError, check_real


@dataclass(frozen=True, eq=False, repr=False)
class Simplex(ProjectionChoice, Domain):
    """x ≥ 0, Σ x = total; ``projection`` ``weighted`` (Π_{F,√V}, default) or ``euclidean``."""

    total: float = 1.0
    projection: str = "weighted"

    kind = "simplex"
    usage = "simplex[:R][;projection=weighted|euclidean]: x >= 0 with sum(x) = R (default 1)"
    examples = ("simplex:1", "simplex:2;projection=euclidean")

    def __post_init__(self) -> None:
        object.__setattr__(self, "total", check_real("simplex R", self.total, lo=0, lo_open=True))
        projection_option({"projection": self.projection})

    @classmethod
    def from_spec(cls, args: list[str], options: dict[str, str], spec: str) -> Domain:
        if len(args) > 1:
            raise ParameterError(f"domain simplex takes one total R (sum of x); got {spec!r}")
        total = check_real("simplex R", args[0] if args else "1", lo=0, lo_open=True)
        return cls(total, projection_option(options))

    def spec(self) -> str:
        return f"simplex:{self.total:g}" + self.projection_suffix()

    # -- geometry ----------------------------------------------------------------
    def project(self, y: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        y = np.asarray(y, dtype=np.float64)
        w = (
            np.ones(y.shape)
            if weights is None
            else guard_weights_np(np.broadcast_to(weights, y.shape))
        )
        b = w * y
        order = np.argsort(-b, axis=-1, kind="stable")
        ys = np.take_along_axis(y, order, axis=-1)
        ws = np.take_along_axis(w, order, axis=-1)
        tau_k = (np.cumsum(ys, axis=-1) - self.total) / np.cumsum(1.0 / ws, axis=-1)
        valid = ws * ys > tau_k  # the top k are all positive at τ_k
        rho = np.max(np.where(valid, np.arange(y.shape[-1]), 0), axis=-1, keepdims=True)
        tau = np.take_along_axis(tau_k, rho, axis=-1)
        return np.maximum(0.0, y - tau / w)

    def contains(self, y: np.ndarray, tol: float = 0.0) -> bool:
        y = np.asarray(y, dtype=np.float64)
        scale = max(1.0, self.total)
        sums = np.sum(y, axis=-1)
        return bool(
            np.all(y >= -tol * scale)
            and np.all(np.abs(sums - self.total) <= tol * scale * y.shape[-1])
        )

    def diameter(self, d: int) -> tuple[float, float]:
        """(R√2, R) for d ≥ 2; (0, 0) for d = 1 (a single point)."""
        if d == 1:
            return 0.0, 0.0
        return self.total * math.sqrt(2.0), float(self.total)

    def coordinate_widths(self, d: int) -> np.ndarray:
        """R along each coordinate (x_i ∈ [0, R]) for d ≥ 2; 0 for d = 1."""
        return np.full(d, 0.0 if d == 1 else float(self.total))

    def coordinate_bound(self, d: int) -> float:
        return float(self.total)

    # -- kernels -----------------------------------------------------------------
    def lane_bounds(self, d: int) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(d), np.full(d, float(self.total))

    def kernel_projection(self) -> KernelProjection:
        if self.projection == "weighted":
            return KernelProjection(
                group=("simplex_weighted", (guard_weights, simplex_sorted, simplex_weighted)),
                cuda=CudaProjection(group=("octk_simplex_weighted", SIMPLEX_CUDA)),
            )
        return KernelProjection(
            group=("simplex_euclidean", (simplex_sorted, simplex_euclidean)),
            cuda=CudaProjection(group=("octk_simplex_euclidean", SIMPLEX_CUDA)),
        )

    def analysis_projection(self, adaptive: bool) -> tuple[bool, str]:
        if self.projection == "weighted":
            return True, (
                f"{self.spec()}: Π_{{F,√V}} with weights 1/η_t (uniform for a scalar step: "
                "then the Euclidean projection)"
            )
        if not adaptive:
            return True, f"{self.spec()}: Euclidean projection"
        return False, (
            f"{self.spec()}: octk projects onto the simplex in the Euclidean norm, the "
            "analysis needs the weighted projection Π_{F,√V} (use projection=weighted)"
        )

    # -- comparator ----------------------------------------------------------------
    def min_linear(self, S: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """x* = R e_k, k = argmin_i S_i (first on ties); value R·min_i S_i."""
        k = np.argmin(S, axis=-1)
        x = np.zeros(S.shape)
        np.put_along_axis(x, k[..., None], self.total, axis=-1)
        value = self.total * np.min(S, axis=-1)
        return x, value, optimal(value.shape)

    def cvxpy_constraints(self, x: Any, d: int) -> list:
        import cvxpy as cp

        return [x >= 0, cp.sum(x) == self.total]

    def key(self, d: int) -> tuple:
        return ("simplex", float(self.total))


# --------------------------------------------------------------------------- kernel routines
# Plain Python over arrays: the Numba kernel pastes their source under @njit
# (see KernelProjection); they run on one configuration's views, in place.
def simplex_sorted(x: np.ndarray, w: np.ndarray, R: float) -> None:
    n = x.shape[0]
    b = np.empty(n)
    for j in range(n):
        b[j] = -(w[j] * x[j])
    order = np.argsort(b, kind="mergesort")
    cy = 0.0
    ciw = 0.0
    tau = 0.0
    for k in range(n):
        j = order[k]
        cy += x[j]
        ciw += 1.0 / w[j]
        tk = (cy - R) / ciw
        if w[j] * x[j] > tk:
            tau = tk
    for j in range(n):
        x[j] = max(0.0, x[j] - tau / w[j])


def simplex_weighted(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, w: np.ndarray) -> None:
    guard_weights(w)
    simplex_sorted(x, w, hi[0])


def simplex_euclidean(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, w: np.ndarray) -> None:
    for j in range(x.shape[0]):
        w[j] = 1.0
    simplex_sorted(x, w, hi[0])


# --------------------------------------------------------------------------- CUDA twin
# simplex_sorted and its two entries in C++ for the CUDA kernels (one thread per
# configuration, see octk.domains.base.CudaProjection). A GPU thread has no allocator for
# the argsort's index array, so the breakpoints are visited in the same order -- b_j = w_j y_j
# descending, ties by index, NaN last (NumPy's stable sort of −b) -- by selection: each
# pass takes the smallest key (−b_j, j) after the previous one, O(d²) per projection and
# no scratch memory (suited to the many-configurations, small-d layout). The running sums
# Σ y_(j), Σ 1/w_(j) and the test b_(k) > τ_k are those of simplex_sorted, in that order.
SIMPLEX_CUDA = (
    GUARD_WEIGHTS_CUDA
    + """

/* key (v, j) precedes (u, k): v < u with NaN last, ties by index */
__host__ __device__ inline bool octk_key_before(real v, long long j, real u, long long k) {
    bool vn = v != v, un = u != u;
    if (vn || un) return !vn ? true : (un && j < k);
    return v < u || (v == u && j < k);
}

__host__ __device__ inline void octk_simplex_sorted(real* x, const real* w, long long n, real R) {
    real cy = 0, ciw = 0, tau = 0, prev = 0;
    long long jp = -1;
    for (long long k = 0; k < n; ++k) {
        long long jb = -1;
        real best = 0;
        for (long long j = 0; j < n; ++j) {
            real v = -(w[j] * x[j]);
            if (jp >= 0 && !octk_key_before(prev, jp, v, j)) continue;
            if (jb < 0 || octk_key_before(v, j, best, jb)) {
                jb = j;
                best = v;
            }
        }
        jp = jb;
        prev = best;
        cy += x[jb];
        ciw += (real)1 / w[jb];
        real tk = (cy - R) / ciw;
        if (w[jb] * x[jb] > tk) tau = tk;
    }
    for (long long j = 0; j < n; ++j) {
        real v = x[j] - tau / w[j];
        x[j] = v > 0 ? v : (real)0;
    }
}

__host__ __device__ inline void octk_simplex_weighted(real* x, const real* lo, const real* hi,
                                                      real* w, long long n) {
    (void)lo;
    octk_guard_weights(w, n);
    octk_simplex_sorted(x, w, n, hi[0]);
}

__host__ __device__ inline void octk_simplex_euclidean(real* x, const real* lo, const real* hi,
                                                       real* w, long long n) {
    (void)lo;
    for (long long j = 0; j < n; ++j) w[j] = 1;
    octk_simplex_sorted(x, w, n, hi[0]);
}"""
)
