r"""The box lo ≤ x ≤ hi (an interval in 1-D).

Spec: ``box:LO,HI`` (one interval for every coordinate), or per coordinate
``box:LO1,HI1;LO2,HI2;...``; bounds may be ``-inf`` / ``inf``. The option
``projection=weighted|euclidean`` is accepted and changes nothing: on a box
RKK's weighted projection Π_{F,√V}(y) = argmin_{x∈F} Σ_i w_i (x_i − y_i)² is a
sum of one-dimensional problems, each solved by the clip whatever w_i > 0, so
both are the clip x_i = min(max(y_i, lo_i), hi_i).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from octk.domains.base import (
    PROJECTIONS,
    CudaProjection,
    Domain,
    KernelProjection,
    optimal,
    option_suffix,
    projection_option,
)
from octk.errors import ParameterError, ShapeError, check_real


@dataclass(frozen=True, eq=False, repr=False)
class Box(Domain):
    """lo ≤ x ≤ hi, coordinatewise (scalars broadcast over coordinates)."""

    lo: np.ndarray
    hi: np.ndarray
    projection: str = "weighted"

    kind = "box"
    usage = "box:LO,HI (one interval for every coordinate) or box:LO1,HI1;LO2,HI2;..."
    examples = ("box:-1,1",)
    options: ClassVar[dict[str, tuple[str, ...]]] = {"projection": PROJECTIONS}
    separable = True

    def __post_init__(self) -> None:
        lo = np.atleast_1d(np.asarray(self.lo, dtype=np.float64))
        hi = np.atleast_1d(np.asarray(self.hi, dtype=np.float64))
        if lo.ndim != 1 or hi.ndim != 1:
            raise ShapeError(
                f"box bounds must be scalars or 1-D; got shapes {lo.shape}, {hi.shape}"
            )
        if np.any(np.isnan(lo)) or np.any(np.isnan(hi)):
            raise ParameterError("box bounds must not be NaN")
        if np.any(np.isposinf(lo)) or np.any(np.isneginf(hi)):
            raise ParameterError("box bounds must have lo < inf and hi > -inf")
        if lo.shape != hi.shape and 1 not in (lo.size, hi.size):
            raise ShapeError(
                f"box lo and hi must have the same length; got {lo.size} and {hi.size}"
            )
        lo, hi = np.broadcast_arrays(lo, hi)
        if np.any(lo > hi):
            k = int(np.argmax(lo > hi))
            raise ParameterError(f"box is empty: lo[{k}] = {lo[k]:g} > hi[{k}] = {hi[k]:g}")
        object.__setattr__(self, "lo", lo.copy())
        object.__setattr__(self, "hi", hi.copy())
        projection_option({"projection": self.projection})

    @classmethod
    def from_spec(cls, args: list[str], options: dict[str, str], spec: str) -> Domain:
        lo, hi = [], []
        for p in args or ["-1,1"]:
            parts = p.split(",")
            if len(parts) != 2:
                raise ParameterError(f"domain box needs LO,HI pairs; got {p!r} in {spec!r}")
            a, b = parts[0].strip(), parts[1].strip()
            lo.append(-np.inf if a == "-inf" else check_real("box lo", a))
            hi.append(np.inf if b == "inf" else check_real("box hi", b))
        return cls(np.array(lo), np.array(hi), projection_option(options))

    def spec(self) -> str:
        if self.lo.size == 1:
            body = f"box:{self.lo[0]:g},{self.hi[0]:g}"
        else:
            body = "box:" + ";".join(f"{a:g},{b:g}" for a, b in zip(self.lo, self.hi, strict=True))
        return body + option_suffix(self.projection)

    def dim(self) -> int | None:
        return self.lo.size if self.lo.size > 1 else None

    def bounds(self, d: int) -> tuple[np.ndarray, np.ndarray]:
        """(lo, hi) broadcast to dimension d."""
        if self.lo.size not in (1, d):
            raise ShapeError(f"box has {self.lo.size} coordinates but the problem has d = {d}")
        return np.broadcast_to(self.lo, (d,)).copy(), np.broadcast_to(self.hi, (d,)).copy()

    # -- geometry ----------------------------------------------------------------
    def project(self, y: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """The clip (both projections; see the module docstring)."""
        y = np.asarray(y, dtype=np.float64)
        lo, hi = self.bounds(y.shape[-1])
        return np.minimum(np.maximum(y, lo), hi)

    def contains(self, y: np.ndarray, tol: float = 0.0) -> bool:
        y = np.asarray(y, dtype=np.float64)
        lo, hi = self.bounds(y.shape[-1])
        return bool(np.all(y >= lo - tol) and np.all(y <= hi + tol))

    def diameter(self, d: int) -> tuple[float, float]:
        """(D, D∞) = (‖hi − lo‖₂, max_i (hi_i − lo_i))."""
        lo, hi = self.bounds(d)
        w = hi - lo
        return float(np.sqrt(np.sum(w * w))), float(np.max(w))

    def coordinate_widths(self, d: int) -> np.ndarray:
        lo, hi = self.bounds(d)
        return hi - lo

    def coordinate_bound(self, d: int) -> float:
        lo, hi = self.bounds(d)
        return float(np.max(np.maximum(np.abs(lo), np.abs(hi))))

    # -- kernels -----------------------------------------------------------------
    def lane_bounds(self, d: int) -> tuple[np.ndarray, np.ndarray]:
        return self.bounds(d)

    def kernel_projection(self) -> KernelProjection:
        # CUDA: the clip with selects, so that a NaN propagates as in NumPy (fmax drops it)
        cuda = CudaProjection(
            lane="    real y = (xh < ln.lo) ? ln.lo : xh;\n    ln.x = (y > ln.hi) ? ln.hi : y;"
        )
        return KernelProjection(lane="xn = min(max(xn, lo[j]), hi[j])", cuda=cuda)

    def analysis_projection(self, adaptive: bool) -> tuple[bool, str]:
        if adaptive:
            return True, f"{self.spec()}: the clip onto a box is Π_{{F,√V}}"
        return True, f"{self.spec()}: the clip onto a box is the Euclidean projection"

    # -- comparator ----------------------------------------------------------------
    def min_linear(self, S: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        r"""x*_i = lo_i if S_i > 0, hi_i if S_i < 0, clip(0, lo_i, hi_i) if S_i = 0.

        An infinite bound in the needed direction makes the problem unbounded.
        """
        lo, hi = self.bounds(S.shape[-1])
        x = np.where(S > 0, lo, np.where(S < 0, hi, np.clip(0.0, lo, hi)))
        unbounded = np.any(~np.isfinite(x), axis=-1)
        with np.errstate(invalid="ignore"):
            value = np.sum(np.where(S != 0, S * x, 0.0), axis=-1)
        value = np.where(unbounded, -np.inf, value)
        x = np.where(unbounded[..., None], np.nan, x)
        status = optimal(unbounded.shape)
        status[unbounded] = "unbounded"
        return x, value, status

    def cvxpy_constraints(self, x: Any, d: int) -> list:
        lo, hi = self.bounds(d)
        fl, fh = np.flatnonzero(np.isfinite(lo)), np.flatnonzero(np.isfinite(hi))
        cons = []
        if fl.size:
            cons.append(x[fl] >= lo[fl])
        if fh.size:
            cons.append(x[fh] <= hi[fh])
        return cons

    def key(self, d: int) -> tuple:
        lo, hi = self.bounds(d)
        return ("box", tuple(lo.tolist()), tuple(hi.tolist()))
