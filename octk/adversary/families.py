r"""Search spaces: named families of loss sequences, each a map θ ↦ gradient table.

Every family turns a parameter vector θ ∈ [−1, 1]^k (the box the optimiser
searches) into a table of linear-loss coefficients g_t (f_t(x) = ⟨g_t, x⟩) that
respects the gradient bound, and names the sequence spec that replays it:

* ``free``: T rows, one per step: g_t = G θ_t (‖g_t‖∞ ≤ G) or
  g_t = G θ_t / max(1, ‖θ_t‖₂) (‖g_t‖₂ ≤ G);
* ``periodic:p=P``: P rows repeated, g_t = row (t−1) mod P (same bounds);
* ``stochastic``: RKK Theorem 3's two-point form per coordinate,
  g_{t,i} = G a_i with probability p_i, else G b_i, with the draws U0(seed, t, i)
  that octk's ``expr`` sequences see (so ``expr:c=where(U0 < p, a, b)`` with
  the same seed replays it);
* ``adaptive``: an adversary that sees x_t, g_{t,i} = G if x_{t,i} ≥ b_i else −G
  (``adaptive-sign`` is b = 0), thresholds b_i ∈ F's coordinate range.

The first iterate is fixed, or ``free``: θ_x ∈ [−1, 1]^d ↦ x_1 = Π_F(r θ_x) with
r the domain's coordinate bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from octk.domains.base import Domain
from octk.errors import ParameterError, check_int, check_real
from octk.random import uniform_np
from octk.symbols import DATA, x

FAMILIES = ("free", "periodic", "stochastic", "adaptive")
NORMS = ("inf", "l2")


@dataclass(frozen=True)
class GradientBound:
    """‖g_t‖∞ ≤ G (``norm="inf"``, per coordinate) or ‖g_t‖₂ ≤ G (``norm="l2"``)."""

    value: float
    norm: str = "inf"

    @classmethod
    def parse(cls, spec: object) -> GradientBound:
        """``"3"`` (G∞ = 3) or ``"l2:1"`` (‖g‖₂ ≤ 1)."""
        text = str(spec).strip()
        norm, _, val = text.rpartition(":")
        norm = norm or "inf"
        if norm not in NORMS:
            raise ParameterError(
                f"bound must be G or l2:G (norms {', '.join(NORMS)}); got {spec!r}"
            )
        return cls(check_real("bound", val, lo=0, lo_open=True), norm)

    def spec(self) -> str:
        return f"{self.value:g}" if self.norm == "inf" else f"l2:{self.value:g}"

    def scale_rows(self, theta: np.ndarray) -> np.ndarray:
        """θ rows (..., d) in [−1, 1] ↦ gradients within the bound."""
        if self.norm == "inf":
            return self.value * theta
        n = np.sqrt(np.sum(theta * theta, axis=-1, keepdims=True))
        return self.value * theta / np.maximum(1.0, n)

    def per_coordinate(self, d: int) -> float:
        """The largest |g_i| a sign pattern may use on every coordinate at once."""
        return self.value if self.norm == "inf" else self.value / np.sqrt(d)


@dataclass(frozen=True)
class Family:
    """A named search space (see the module docstring)."""

    kind: str
    period: int | None = None

    @classmethod
    def parse(cls, spec: str) -> Family:
        """``free``, ``periodic:p=P``, ``stochastic`` or ``adaptive``."""
        name, _, rest = str(spec).partition(":")
        name = name.strip()
        if name not in FAMILIES:
            raise ParameterError(
                f"family must be one of free, periodic:p=P, stochastic, adaptive; got {spec!r}"
            )
        if name == "periodic":
            key, eq, val = rest.partition("=")
            if key.strip() != "p" or not eq:
                raise ParameterError(f"family periodic needs p=P (the period); got {spec!r}")
            return cls(name, check_int("p", val.strip(), lo=1))
        if rest:
            raise ParameterError(f"family {name} takes no parameters; got {spec!r}")
        return cls(name)

    def spec(self) -> str:
        return f"periodic:p={self.period}" if self.kind == "periodic" else self.kind

    # -- shapes ----------------------------------------------------------------------
    def rows(self, steps: int) -> int:
        """Rows of the table (a wrapped table repeats)."""
        if self.kind == "free" or self.kind == "stochastic":
            return steps
        if self.kind == "periodic":
            assert self.period is not None
            return self.period
        return 1

    @property
    def wrap(self) -> bool:
        return self.kind in ("periodic", "adaptive")

    def n_params(self, d: int) -> int:
        """Length of θ for the sequence (without the first iterate)."""
        if self.kind == "free":
            return -1  # depends on T: see size()
        if self.kind == "periodic":
            assert self.period is not None
            return self.period * d
        return 3 * d if self.kind == "stochastic" else d

    def size(self, d: int, steps: int) -> int:
        return steps * d if self.kind == "free" else self.n_params(d)

    def signal(self, bound: GradientBound, d: int) -> sp.Expr:
        """s_{t,i} over the table entry ``DATA`` (a coefficient, or a threshold)."""
        if self.kind == "adaptive":
            G = (
                sp.Rational(str(bound.per_coordinate(d)))
                if bound.norm == "inf"
                else sp.Float(bound.per_coordinate(d))
            )
            return sp.Piecewise((G, x >= DATA), (-G, True))
        return DATA

    def tables(
        self, theta: np.ndarray, d: int, steps: int, bound: GradientBound, radius: float, seed: int
    ) -> np.ndarray:
        """θ (C, size) ↦ tables (C, rows, d) of this family."""
        C = theta.shape[0]
        if self.kind in ("free", "periodic"):
            return bound.scale_rows(theta.reshape(C, self.rows(steps), d))
        if self.kind == "adaptive":
            return (radius * theta).reshape(C, 1, d)
        a, b, p = theta.reshape(C, 3, d).transpose(1, 0, 2)
        prob = (p + 1) / 2
        u = draws(seed, steps, d)  # (T, d)
        G = bound.per_coordinate(d)
        return np.where(u[None] < prob[:, None, :], G * a[:, None, :], G * b[:, None, :])

    def law(self, theta: np.ndarray, d: int, bound: GradientBound) -> str | None:
        """The replayable ``expr`` spec of a stochastic or adaptive candidate (d = 1), or None."""
        if d != 1 or self.kind not in ("stochastic", "adaptive"):
            return None
        G = bound.per_coordinate(d)
        if self.kind == "adaptive":
            return f"expr:c=where(x >= {float(theta[0])!r}, {G!r}, {-G!r})"
        a, b, p = (float(v) for v in theta.reshape(3))
        return f"expr:c=where(U0 < {(p + 1) / 2!r}, {G * a!r}, {G * b!r})"


def draws(seed: int, steps: int, d: int) -> np.ndarray:
    """U0(seed, t, i) for t = 1..T, i < d: the draws a seeded ``expr`` sequence sees."""
    t = np.arange(1, steps + 1, dtype=np.uint64)[:, None]
    i = np.arange(d, dtype=np.uint64)[None, :]
    return uniform_np(np.uint64(seed), t, i, 0)


def first_iterates(theta_x: np.ndarray, domain: Domain, d: int) -> np.ndarray:
    """θ_x (C, d) in [−1, 1] ↦ x_1 = Π_F(r θ_x) (Euclidean), r the coordinate bound."""
    r = domain.coordinate_bound(d)
    if not np.isfinite(r):
        raise ParameterError(
            f"--x0 free needs a bounded domain; {domain.spec()} is not (give --x0 V)"
        )
    return domain.project(r * theta_x)


__all__ = ["FAMILIES", "Family", "GradientBound", "draws", "first_iterates"]
