"""Named paper reproductions (``octk reproduce NAME``).

Each entry of :data:`REPRODUCTIONS` runs one paper's experiments and writes its
figures, a markdown table and a JSON record into an output folder:

* ``reddi2018`` -- Reddi, Kale & Kumar (2018): Theorem 1's counterexample
  (C = 3, 10) and the §5 synthetic experiments of their Figure 1
  (:mod:`octk.experiments.reddi2018`);
* ``reddi2018-phase`` (``octk reproduce reddi2018 --phase``) -- Adam and AMSGrad over
  (β2, C) on Theorem 1 and over (β1, β2) on Theorem 3
  (:mod:`octk.experiments.reddi2018_phase`);
* ``zhang2022`` -- Zhang et al. (2022): the (β1, β2) phase diagrams of their
  counterexample for n = 10 and n = 50 (:mod:`octk.experiments.zhang2022`).

Phase-diagram reproductions (:mod:`octk.experiments.phases`) take a ``grid`` (points
per axis) besides ``scale``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from octk.errors import unknown_name
from octk.experiments.reddi2018 import FILES as REDDI2018_FILES
from octk.experiments.reddi2018 import STEP_SIZES, run_reddi2018
from octk.experiments.reddi2018_phase import FILES as REDDI2018_PHASE_FILES
from octk.experiments.reddi2018_phase import STEP_SIZES as REDDI2018_PHASE_STEP_SIZES
from octk.experiments.reddi2018_phase import run_reddi2018_phase
from octk.experiments.zhang2022 import FILES as ZHANG2022_FILES
from octk.experiments.zhang2022 import STEP_SIZES as ZHANG2022_STEP_SIZES
from octk.experiments.zhang2022 import (
    STEP_SIZES_BIAS_CORRECTED as ZHANG2022_STEP_SIZES_BIAS_CORRECTED,
)
from octk.experiments.zhang2022 import run_zhang2022


@dataclass(frozen=True)
class Reproduction:
    """A named reproduction: ``run(out_dir, *, scale, backend, progress, seeds) -> dict``.

    ``step_sizes`` says which step sizes it uses (papers often leave them unstated);
    ``files`` are the names it writes into ``out_dir``; ``grid``: the default points per
    axis of a phase-diagram reproduction (its ``run`` takes ``grid=``), None otherwise;
    ``flags``: the boolean keywords its ``run`` takes, each with the step-size line of
    that variant (``bias_correction`` for zhang2022).
    """

    name: str
    summary: str
    run: Callable[..., dict]
    files: tuple[str, ...]
    step_sizes: str
    grid: int | None = None
    flags: Mapping[str, str] = field(default_factory=dict)


REPRODUCTIONS: dict[str, Reproduction] = {
    "reddi2018": Reproduction(
        "reddi2018",
        "Reddi, Kale & Kumar 2018: Theorem 1 (C = 3, 10) and the §5 Figure 1 experiments",
        run_reddi2018,
        REDDI2018_FILES,
        STEP_SIZES,
    ),
    "reddi2018-phase": Reproduction(
        "reddi2018-phase",
        "Reddi, Kale & Kumar 2018 as phase diagrams: Adam and AMSGrad over (β2, C), Thm 1, "
        "and (β1, β2), Thm 3",
        run_reddi2018_phase,
        REDDI2018_PHASE_FILES,
        REDDI2018_PHASE_STEP_SIZES,
        grid=16,
    ),
    "zhang2022": Reproduction(
        "zhang2022",
        "Zhang et al. 2022: (β1, β2) phase diagrams of Adam on their counterexample, n = 10, 50",
        run_zhang2022,
        ZHANG2022_FILES,
        ZHANG2022_STEP_SIZES,
        grid=24,
        flags={"bias_correction": ZHANG2022_STEP_SIZES_BIAS_CORRECTED},
    ),
}


def reproduction(name: str) -> Reproduction:
    """The reproduction called ``name`` (UnknownNameError with the closest match otherwise)."""
    if name not in REPRODUCTIONS:
        raise unknown_name("reproduction", name, REPRODUCTIONS)
    return REPRODUCTIONS[name]


__all__ = [
    "REPRODUCTIONS",
    "Reproduction",
    "reproduction",
    "run_reddi2018",
    "run_reddi2018_phase",
    "run_zhang2022",
]
