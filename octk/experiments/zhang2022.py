r"""Zhang, Chen, Shi, Sun & Luo (NeurIPS 2022), "Adam Can Converge Without Any
Modification On Update Rules": the (β1, β2) phase diagrams of their counterexample.

The problem (``zhang2022:n=N``, :mod:`octk.sequences.catalog`): f = Σ_{i<n} fᵢ on R
with f₀(x) = (1+(n−1)a)·x and fᵢ(x) = −a·x for x ≥ −1, continued below −1 by the
quadratics (1+(n−1)a)/2·(x+2)² − 3(1+(n−1)a)/2 and −a/2·(x+2)² + 3a/2; x* = −2.
One component is drawn uniformly per step (counter-based draws, the same on every
backend). The method is Adam as in their algorithm: no bias correction, α_k = α/√k.

Two panels, n = 10 and n = 50, over (β1, β2): |x_T − x*| after T = 5·10⁴ steps
(the quantity of their figure), and the drift classification of
:func:`octk.sweep` at T and at 4T, with the curve β1 = √β2. Choices that are ours,
not read from the paper: a = 1 (f₀ = n·x, fᵢ = −x), α = 0.1, ε = 10⁻⁸, x₁ = −1,
seed 0, β1 ∈ [0, 0.99] evenly and β2 = 1 − 10^{−u} for u evenly in [0.3, 4]
(denser towards β2 = 1, where the boundary lies). Their algorithm is randomly shuffled
Adam (every component once per epoch, in a random order, η_k per epoch k, m and v
initialised from the first epoch); here one component is drawn uniformly per step
with α/√t per step. Full size: 24 × 24 per panel
(``--grid 24``, the default); CI: ``--grid 3 --scale 0.02``. ``--bias-correction``
runs Kingma & Ba's bias-corrected Adam instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from octk.experiments.phases import Panel, run_study

PAPER = (
    'Zhang, Chen, Shi, Sun & Luo, "Adam Can Converge Without Any Modification On Update '
    'Rules" (NeurIPS 2022): (β1, β2) phase diagrams'
)
STEPS = 50_000
GRID = 24
ALPHA = 0.1
X0 = -1.0
STEP_SIZES = (
    f"step sizes: Adam without bias correction, α_k = {ALPHA:g}/√k, ε = 1e-8, x₁ = {X0:g} "
    "(α and x₁ are our choices)"
)
#: the step-size line of the ``--bias-correction`` variant
STEP_SIZES_BIAS_CORRECTED = STEP_SIZES.replace("without", "with Kingma & Ba's")
SETUP = (
    f"{STEP_SIZES}. Sequence zhang2022:n=N,a=1 on R (one of n components drawn uniformly per "
    "step, seed 0); x* = −2 (stated by the sequence). Columns: |x_T − x*| at T, and the "
    "sweep's drift classification at T and 4T (the rule is stored in each store's "
    "classification attrs)."
)
FILES = ("zhang2022.png", "table.md", "results.json")


def beta1_axis(k: int) -> np.ndarray:
    return np.linspace(0.0, 0.99, k)


def beta2_axis(k: int) -> np.ndarray:
    """β2 = 1 − 10^{−u}, u evenly spaced in [0.3, 4] (β2 from 0.499 to 0.9999)."""
    return 1.0 - 10.0 ** -np.linspace(0.3, 4.0, k)


def panels(bias_correction: bool = False) -> tuple[Panel, ...]:
    """The n = 10 and n = 50 panels (with Kingma & Ba's bias correction if asked)."""
    options = {
        "schedule": "sqrt",
        "bias_correction_m": bias_correction,
        "bias_correction_v": bias_correction,
    }
    return tuple(
        Panel(
            key=f"n{n}",
            title=f"n = {n}",
            rule=("adam", options),
            sequence=f"zhang2022:n={n}",
            domain="reals",
            axes={"beta1": beta1_axis, "beta2": beta2_axis},
            params={"alpha": ALPHA},
            x0=X0,
            steps=STEPS,
            measure="distance",
            boundaries=("sqrt-beta2",),
            region="rkk",
        )
        for n in (10, 50)
    )


def run_zhang2022(
    out_dir,
    *,
    scale: float = 1.0,
    grid: int = GRID,
    backend: Any = "numba",
    progress: bool = True,
    seeds: int = 1,
    dtype: str = "float64",
    bias_correction: bool = False,
) -> dict:
    """Run both panels and write ``zhang2022.png``, ``table.md``, ``results.json`` and the
    sweeps' zarr stores into ``out_dir`` (see :func:`octk.experiments.phases.run_study`).

    ``seeds`` is accepted for the CLI's uniform call and unused: each cell is one run
    (seed 0), as a phase diagram of single runs.
    """
    res = run_study(
        "zhang2022",
        PAPER,
        SETUP if not bias_correction else SETUP.replace("without", "with Kingma & Ba's"),
        panels(bias_correction),
        out_dir,
        grid=grid,
        scale=scale,
        backend=backend,
        progress=progress,
        dtype=dtype,
    )
    res["step_sizes"] = STEP_SIZES_BIAS_CORRECTED if bias_correction else STEP_SIZES
    return res


__all__ = [
    "FILES",
    "GRID",
    "PAPER",
    "STEP_SIZES",
    "STEP_SIZES_BIAS_CORRECTED",
    "panels",
    "run_zhang2022",
]
