"""Named paper reproductions (``octk reproduce NAME``).

Each entry of :data:`REPRODUCTIONS` runs one paper's experiments and writes its
figures, a markdown table and a JSON record into an output folder:

* ``reddi2018`` -- Reddi, Kale & Kumar (2018): Theorem 1's counterexample
  (C = 3, 10) and the §5 synthetic experiments of their Figure 1
  (:mod:`octk.experiments.reddi2018`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from octk.errors import unknown_name
from octk.experiments.reddi2018 import FILES as REDDI2018_FILES
from octk.experiments.reddi2018 import STEP_SIZES, run_reddi2018


@dataclass(frozen=True)
class Reproduction:
    """A named reproduction: ``run(out_dir, *, scale, backend, progress, seeds) -> dict``.

    ``step_sizes`` says which step sizes it uses (papers often leave them unstated);
    ``files`` are the names it writes into ``out_dir``.
    """

    name: str
    summary: str
    run: Callable[..., dict]
    files: tuple[str, ...]
    step_sizes: str


REPRODUCTIONS: dict[str, Reproduction] = {
    "reddi2018": Reproduction(
        "reddi2018",
        "Reddi, Kale & Kumar 2018: Theorem 1 (C = 3, 10) and the §5 Figure 1 experiments",
        run_reddi2018,
        REDDI2018_FILES,
        STEP_SIZES,
    ),
}


def reproduction(name: str) -> Reproduction:
    """The reproduction called ``name`` (UnknownNameError with the closest match otherwise)."""
    if name not in REPRODUCTIONS:
        raise unknown_name("reproduction", name, REPRODUCTIONS)
    return REPRODUCTIONS[name]


__all__ = ["REPRODUCTIONS", "Reproduction", "reproduction", "run_reddi2018"]
