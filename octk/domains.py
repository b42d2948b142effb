r"""Feasible sets F and their projections Π_F.

* :class:`Box` -- per-coordinate bounds lo ≤ x ≤ hi (an interval in 1-D);
  Π_F is the clip. RKK's weighted projection Π_{F,√V}(y) =
  argmin_{x∈F} ‖V^{1/4}(x − y)‖ with diagonal V is the same clip on a box.
* :class:`Reals` -- R^d, no projection.
* :class:`Ball` -- the Euclidean ball ‖x‖₂ ≤ R (centre 0); Π_F(y) = y·min(1, R/‖y‖₂).
  (A weighted projection onto a ball is not a rescaling; octk's simulators use
  the Euclidean one, which is what the papers' experiments use.)

``domain("box:-1,1")``, ``domain("reals")`` and ``domain("ball:2")`` parse the
command line's forms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from octk.errors import ParameterError, ShapeError, check_real, unknown_name


@dataclass(frozen=True, eq=False)
class Box:
    """lo ≤ x ≤ hi, coordinatewise (scalars broadcast over coordinates)."""

    lo: np.ndarray
    hi: np.ndarray
    kind = "box"

    def __post_init__(self):
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

    def bounds(self, d: int) -> tuple[np.ndarray, np.ndarray]:
        """(lo, hi) broadcast to dimension d."""
        if self.lo.size not in (1, d):
            raise ShapeError(f"box has {self.lo.size} coordinates but the problem has d = {d}")
        return np.broadcast_to(self.lo, (d,)).copy(), np.broadcast_to(self.hi, (d,)).copy()

    def project(self, y: np.ndarray) -> np.ndarray:
        lo, hi = self.bounds(y.shape[-1])
        return np.minimum(np.maximum(y, lo), hi)

    def contains(self, y: np.ndarray, tol: float = 0.0) -> bool:
        lo, hi = self.bounds(y.shape[-1])
        return bool(np.all(y >= lo - tol) and np.all(y <= hi + tol))

    def diameter(self, d: int) -> tuple[float, float]:
        """(D, D∞): the ℓ2 and ℓ∞ diameters."""
        lo, hi = self.bounds(d)
        w = hi - lo
        return float(np.sqrt(np.sum(w * w))), float(np.max(w))

    def spec(self) -> str:
        if self.lo.size == 1:
            return f"box:{self.lo[0]:g},{self.hi[0]:g}"
        return "box:" + ";".join(f"{a:g},{b:g}" for a, b in zip(self.lo, self.hi, strict=True))


@dataclass(frozen=True, eq=False)
class Reals:
    """R^d: no constraint."""

    kind = "reals"

    def project(self, y: np.ndarray) -> np.ndarray:
        return y

    def contains(self, y, tol: float = 0.0) -> bool:
        return bool(np.all(np.isfinite(y)))

    def diameter(self, d: int) -> tuple[float, float]:
        return float("inf"), float("inf")

    def spec(self) -> str:
        return "reals"


@dataclass(frozen=True, eq=False)
class Ball:
    """‖x‖₂ ≤ radius."""

    radius: float = 1.0
    kind = "ball"

    def __post_init__(self):
        object.__setattr__(self, "radius", check_real("radius", self.radius, lo=0, lo_open=True))

    def project(self, y: np.ndarray) -> np.ndarray:
        n = np.sqrt(np.sum(y * y, axis=-1, keepdims=True))
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(n > self.radius, y * (self.radius / n), y)

    def contains(self, y, tol: float = 0.0) -> bool:
        return bool(np.all(np.sqrt(np.sum(y * y, axis=-1)) <= self.radius * (1 + tol) + tol))

    def diameter(self, d: int) -> tuple[float, float]:
        return 2 * self.radius, 2 * self.radius

    def spec(self) -> str:
        return f"ball:{self.radius:g}"


Domain = Box | Reals | Ball
DOMAINS = {
    "box": "box:LO,HI (one interval for every coordinate) or box:LO1,HI1;LO2,HI2;...",
    "reals": "reals: R^d, no projection",
    "ball": "ball:R: the Euclidean ball of radius R centred at 0",
}


def domain(spec) -> Domain:
    """A domain from a spec string (``box:-1,1``, ``reals``, ``ball:2``) or a domain object."""
    if isinstance(spec, Box | Reals | Ball):
        return spec
    if not isinstance(spec, str):
        raise ParameterError(f"domain must be a string like 'box:-1,1'; got {spec!r}")
    kind, _, rest = spec.partition(":")
    kind = kind.strip()
    if kind == "reals":
        if rest:
            raise ParameterError(f"domain 'reals' takes no arguments; got {spec!r}")
        return Reals()
    if kind == "ball":
        return Ball(float(check_real("radius", rest or "1", lo=0, lo_open=True)))
    if kind == "box":
        pairs = [p for p in rest.split(";") if p.strip()] or ["-1,1"]
        lo, hi = [], []
        for p in pairs:
            parts = p.split(",")
            if len(parts) != 2:
                raise ParameterError(f"domain box needs LO,HI pairs; got {p!r} in {spec!r}")
            lo.append(
                check_real("box lo", parts[0]) if parts[0].strip() not in ("-inf",) else -np.inf
            )
            hi.append(
                check_real("box hi", parts[1]) if parts[1].strip() not in ("inf",) else np.inf
            )
        return Box(np.array(lo), np.array(hi))
    raise unknown_name("domain", kind, DOMAINS)
