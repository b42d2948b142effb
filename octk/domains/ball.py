r"""The Euclidean ball ‖x‖₂ ≤ R (centre 0).

Spec: ``ball:R`` (default R = 1), with the option ``projection=weighted``
(the default) or ``projection=euclidean``, e.g. ``ball:2;projection=euclidean``.

* Euclidean: Π_F(y) = y · min(1, R/‖y‖₂).
* Weighted (RKK 2018, Algorithms 1–2): Π_{F,√V}(y) = argmin_{‖x‖≤R} Σ_i w_i (x_i − y_i)²
  with w = √V the weights 1/η_t of the rule (see :mod:`octk.domains.base`).
  If ‖y‖ ≤ R it is y. Otherwise the KKT conditions 2 w_i (x_i − y_i) + 2μ x_i = 0,
  μ > 0, ‖x‖ = R give

  .. math::  x_i(μ) = \frac{w_i y_i}{w_i + μ}, \qquad ‖x(μ)‖₂ = R,

  ‖x(μ)‖ decreasing in μ ≥ 0 from ‖y‖ > R, and ‖x(μ)‖ ≤ ‖w∘y‖/μ brackets the root
  in (0, ‖w∘y‖/R]. This is the trust-region secular equation: φ(μ) = 1/‖x(μ)‖ − 1/R
  is increasing and concave (Moré & Sorensen 1983), so Newton's method on φ from
  μ = 0 climbs monotonically to the root,

  .. math::  μ ← μ + \frac{‖x‖ − R}{R}\,\frac{‖x‖²}{Σ_i x_i²/(w_i + μ)};

  each step is safeguarded by bisection of the bracket, and the loop stops at an
  exact root (‖x‖ = R) or once a step is within 4 ulp of μ (full precision; 5–8
  steps typically, at most 200). NumPy and the kernel run the same iteration;
  uniform weights give the Euclidean projection.

Diameters D = D∞ = 2R (each coordinate spans [−R, R]); sup ‖x‖∞ = R.
Comparator: a linear loss S·x is minimised at x* = −R S/‖S‖ (value −R‖S‖);
the general comparator adds ‖x‖₂ ≤ R to cvxpy.
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

MAX_ITER = 200
EPS = float(np.finfo(np.float64).eps)  # 2.220446049250313e-16, a literal in the kernel routine


@dataclass(frozen=True, eq=False, repr=False)
class Ball(ProjectionChoice, Domain):
    """‖x‖₂ ≤ radius; ``projection`` ``weighted`` (Π_{F,√V}, default) or ``euclidean``."""

    radius: float = 1.0
    projection: str = "weighted"

    kind = "ball"
    usage = "ball:R[;projection=weighted|euclidean]: the Euclidean ball of radius R centred at 0"
    examples = ("ball:1.5", "ball:0.8;projection=euclidean")

    def __post_init__(self) -> None:
        object.__setattr__(self, "radius", check_real("radius", self.radius, lo=0, lo_open=True))
        projection_option({"projection": self.projection})

    @classmethod
    def from_spec(cls, args: list[str], options: dict[str, str], spec: str) -> Domain:
        if len(args) > 1:
            raise ParameterError(f"domain ball takes one radius R; got {spec!r}")
        radius = check_real("radius", args[0] if args else "1", lo=0, lo_open=True)
        return cls(radius, projection_option(options))

    def spec(self) -> str:
        return f"ball:{self.radius:g}" + self.projection_suffix()

    # -- geometry ----------------------------------------------------------------
    def project(self, y: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        y = np.asarray(y, dtype=np.float64)
        n = np.sqrt(np.sum(y * y, axis=-1, keepdims=True))
        if weights is None:
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(n > self.radius, y * (self.radius / n), y)
        rows = y.reshape(-1, y.shape[-1])
        w = guard_weights_np(np.broadcast_to(weights, y.shape).reshape(rows.shape))
        out = rows.copy()
        for r in np.flatnonzero(n.reshape(-1) > self.radius):
            out[r] = _weighted_rescale_np(rows[r], w[r], self.radius)
        return out.reshape(y.shape)

    def contains(self, y: np.ndarray, tol: float = 0.0) -> bool:
        norm = np.sqrt(np.sum(np.asarray(y) ** 2, axis=-1))
        return bool(np.all(norm <= self.radius * (1 + tol) + tol))

    def diameter(self, d: int) -> tuple[float, float]:
        return 2 * self.radius, 2 * self.radius

    def coordinate_widths(self, d: int) -> np.ndarray:
        return np.full(d, 2.0 * self.radius)

    def coordinate_bound(self, d: int) -> float:
        return float(self.radius)

    # -- kernels -----------------------------------------------------------------
    def lane_bounds(self, d: int) -> tuple[np.ndarray, np.ndarray]:
        return np.full(d, -np.inf), np.full(d, float(self.radius))

    def kernel_projection(self) -> KernelProjection:
        if self.projection == "weighted":
            return KernelProjection(
                group=("ball_weighted", (guard_weights, ball_secular, ball_weighted)),
                cuda=CudaProjection(group=("octk_ball_weighted", BALL_WEIGHTED_CUDA)),
            )
        return KernelProjection(
            group=("ball_euclidean", (ball_euclidean,)), cuda=BALL_EUCLIDEAN_CUDA
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
            f"{self.spec()}: octk projects onto the ball in the Euclidean norm, the analysis "
            "needs the weighted projection Π_{F,√V} (use projection=weighted)"
        )

    # -- comparator ----------------------------------------------------------------
    def min_linear(self, S: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """x* = −R S/‖S‖, value −R‖S‖ (x* = 0 where S = 0)."""
        norm = np.sqrt(np.sum(S * S, axis=-1))
        safe = np.where(norm > 0, norm, 1.0)
        x = -self.radius * S / safe[..., None]
        return x, -self.radius * norm, optimal(norm.shape)

    def cvxpy_constraints(self, x: Any, d: int) -> list:
        import cvxpy as cp

        return [cp.norm(x, 2) <= self.radius]

    def key(self, d: int) -> tuple:
        return ("ball", float(self.radius))


def _weighted_rescale_np(y: np.ndarray, w: np.ndarray, R: float) -> np.ndarray:
    """x(μ) = w∘y/(w + μ) with ‖x(μ)‖ = R, for ‖y‖ > R (NumPy; see the module docstring)."""
    a, b = 0.0, float(np.sqrt(np.sum((w * y) ** 2))) / R
    mu = 0.0
    for _ in range(MAX_ITER):
        x = w * y / (w + mu)
        nx = float(np.sqrt(np.sum(x * x)))
        if nx == R:
            break
        if nx > R:
            a = mu
        else:
            b = mu
        slope = float(np.sum(x * x / (w + mu)))
        new = mu + (nx - R) / R * (nx * nx) / slope if slope > 0 else 0.5 * (a + b)
        if not a < new < b:
            new = 0.5 * (a + b)
        if new == mu:
            break
        done = abs(new - mu) <= 4 * EPS * new
        mu = new
        if done:
            break
    return w * y / (w + mu)


# --------------------------------------------------------------------------- kernel routines
# Plain Python over arrays: the Numba kernel pastes their source under @njit
# (see KernelProjection); they run on one configuration's views, in place.
def ball_euclidean(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, w: np.ndarray) -> None:
    nrm = 0.0
    for j in range(x.shape[0]):
        nrm += x[j] * x[j]
    nrm = math.sqrt(nrm)
    if nrm > hi[0]:
        r = hi[0] / nrm
        for j in range(x.shape[0]):
            x[j] = x[j] * r


def ball_secular(x: np.ndarray, w: np.ndarray, R: float) -> float:
    a = 0.0
    b = 0.0
    for j in range(x.shape[0]):
        b += (w[j] * x[j]) * (w[j] * x[j])
    b = math.sqrt(b) / R
    mu = 0.0
    for _ in range(200):
        nx = 0.0
        slope = 0.0
        for j in range(x.shape[0]):
            xj = w[j] * x[j] / (w[j] + mu)
            nx += xj * xj
            slope += xj * xj / (w[j] + mu)
        nx = math.sqrt(nx)
        if nx == R:
            break
        if nx > R:
            a = mu
        else:
            b = mu
        if slope > 0:
            new = mu + (nx - R) / R * (nx * nx) / slope
        else:
            new = 0.5 * (a + b)
        if not (a < new and new < b):
            new = 0.5 * (a + b)
        if new == mu:
            break
        done = abs(new - mu) <= 4 * 2.220446049250313e-16 * new
        mu = new
        if done:
            break
    return mu


def ball_weighted(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, w: np.ndarray) -> None:
    R = hi[0]
    nrm = 0.0
    for j in range(x.shape[0]):
        nrm += x[j] * x[j]
    if math.sqrt(nrm) > R:
        guard_weights(w)
        mu = ball_secular(x, w, R)
        for j in range(x.shape[0]):
            x[j] = w[j] * x[j] / (w[j] + mu)


# --------------------------------------------------------------------------- CUDA twins
# The same projections in C++ for the CUDA kernels (see octk.domains.base.CudaProjection).
# Euclidean: a per-lane rescaling by the configuration's norm, which the kernels reduce
# (a warp group for d <= 32, a block reduction beyond).
BALL_EUCLIDEAN_CUDA = CudaProjection(
    lane="    real n = sqrt(nrm2);\n    ln.x = (n > ln.hi) ? xh * (ln.hi / n) : xh;",
    needs_norm=True,
)

# Weighted: ball_secular and ball_weighted line for line (the same sums in the same
# order, the same safeguard and stopping rule), run by one thread per configuration.
# The 4-ulp test uses the machine epsilon of `real` (float32: 2^-23).
BALL_WEIGHTED_CUDA = (
    GUARD_WEIGHTS_CUDA
    + """

__host__ __device__ inline real octk_ball_secular(const real* x, const real* w, long long n,
                                                  real R) {
    const real eps = sizeof(real) == 4 ? (real)1.1920928955078125e-07
                                       : (real)2.220446049250313e-16;
    real a = 0, b = 0;
    for (long long j = 0; j < n; ++j) b += (w[j] * x[j]) * (w[j] * x[j]);
    b = sqrt(b) / R;
    real mu = 0;
    for (int it = 0; it < 200; ++it) {
        real nx = 0, slope = 0;
        for (long long j = 0; j < n; ++j) {
            real xj = w[j] * x[j] / (w[j] + mu);
            nx += xj * xj;
            slope += xj * xj / (w[j] + mu);
        }
        nx = sqrt(nx);
        if (nx == R) break;
        if (nx > R) a = mu; else b = mu;
        real step = slope > 0 ? mu + (nx - R) / R * (nx * nx) / slope : (real)0.5 * (a + b);
        if (!(a < step && step < b)) step = (real)0.5 * (a + b);
        if (step == mu) break;
        bool done = fabs(step - mu) <= 4 * eps * step;
        mu = step;
        if (done) break;
    }
    return mu;
}

__host__ __device__ inline void octk_ball_weighted(real* x, const real* lo, const real* hi,
                                                   real* w, long long n) {
    (void)lo;
    const real R = hi[0];
    real nrm = 0;
    for (long long j = 0; j < n; ++j) nrm += x[j] * x[j];
    if (sqrt(nrm) > R) {
        octk_guard_weights(w, n);
        real mu = octk_ball_secular(x, w, n, R);
        for (long long j = 0; j < n; ++j) x[j] = w[j] * x[j] / (w[j] + mu);
    }
}"""
)
