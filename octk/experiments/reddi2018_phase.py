r"""Reddi, Kale & Kumar (2018) as phase diagrams: where Adam fails, with AMSGrad beside it.

* Theorem 1 family (``reddi-thm1:C``, F = [−1, 1]): Adam with β1 = 0 and α_t = α/√t
  over (β2, C), the curve β2 = 1/(1 + C²) of the theorem drawn; AMSGrad (RKK
  Algorithm 2) on the same grid. Measure: |x_T − x*| (x* = −1 whenever Σ f_t > 0).
* Theorem 3 stochastic family (``reddi-thm3:C=20,delta=0.1``): Adam over (β1, β2) with
  the region β1 < √β2 of RKK's hypothesis shaded, AMSGrad beside it (mean over 1 seed:
  one run per cell).

Each panel also shows the drift classification at T and 4T. Choices: α = 0.1, x₁ = 0,
T = 10⁵ (full) — RKK's Theorem 1 experiment uses T = 3·10⁵. Full grid 16 × 16
(``--grid``); CI: ``--grid 3 --scale 0.005``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from octk.experiments.phases import Panel, run_study

PAPER = (
    'Reddi, Kale & Kumar, "On the Convergence of Adam and Beyond" (ICLR 2018): phase '
    "diagrams of Theorems 1 and 3"
)
STEPS = 100_000
GRID = 16
STEP_SIZES = "step sizes: α_t = 0.1/√t for Adam (bias-corrected, ε = 1e-8) and AMSGrad; x₁ = 0"
SETUP = (
    f"{STEP_SIZES}. F = [−1, 1]. Theorem 1: β1 = 0, axes β2 and C (log); Theorem 3: "
    "C = 20, δ = 0.1, axes β1 and β2; seed 0."
)
FILES = ("reddi2018_phase.png", "table.md", "results.json")


def _c_axis(k: int) -> np.ndarray:
    return np.geomspace(2.5, 40.0, k)


def _beta_axis(k: int) -> np.ndarray:
    return np.linspace(0.0, 0.99, k)


def _beta2_axis(k: int) -> np.ndarray:
    return np.linspace(0.01, 0.999, k)


METHODS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("Adam", "adam", {"schedule": "sqrt"}),
    ("AMSGrad", "amsgrad", {}),
)


def panels() -> tuple[Panel, ...]:
    out = []
    for label, name, options in METHODS:
        out.append(
            Panel(
                key=f"thm1-{name}",
                title=f"Thm 1, {label}",
                rule=(name, options),
                sequence="reddi-thm1",
                domain="box:-1,1",
                axes={"beta2": _beta2_axis, "C": _c_axis},
                params={"alpha": 0.1, "beta1": 0.0},
                x0=0.0,
                steps=STEPS,
                boundaries=("thm1-beta2",),
            )
        )
    for label, name, options in METHODS:
        out.append(
            Panel(
                key=f"thm3-{name}",
                title=f"Thm 3, {label}",
                rule=(name, options),
                sequence="reddi-thm3:C=20,delta=0.1",
                domain="box:-1,1",
                axes={"beta1": _beta_axis, "beta2": _beta2_axis},
                params={"alpha": 0.1},
                x0=0.0,
                steps=STEPS,
                boundaries=("rkk",),
                region="rkk",
            )
        )
    return tuple(out)


def run_reddi2018_phase(
    out_dir,
    *,
    scale: float = 1.0,
    grid: int = GRID,
    backend: Any = "numba",
    progress: bool = True,
    seeds: int = 1,
    dtype: str = "float64",
) -> dict:
    """Run the four panels; write ``reddi2018_phase.png``, ``table.md``, ``results.json``
    and the sweeps' stores (``seeds`` is unused: one run per cell)."""
    res = run_study(
        "reddi2018_phase",
        PAPER,
        SETUP,
        panels(),
        out_dir,
        grid=grid,
        scale=scale,
        backend=backend,
        progress=progress,
        dtype=dtype,
    )
    res["step_sizes"] = STEP_SIZES
    return res


__all__ = ["FILES", "GRID", "PAPER", "STEP_SIZES", "panels", "run_reddi2018_phase"]
