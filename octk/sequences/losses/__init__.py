"""Loss families: one module per loss, each a :class:`~octk.sequences.losses.base.Loss`.

Importing this package imports every module in it; a :class:`Loss` subclass
with a ``name`` registers (an instance of) itself. :data:`LOSSES` lists the
names (linear first: the default), :func:`loss` returns the family by name.
"""

from __future__ import annotations

import importlib
import pkgutil

from octk.errors import check_choice
from octk.sequences.losses.base import CvxpyObjective, Loss

for _mod in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_mod}")

#: the loss names: ``linear`` (the default) first, then by module name
LOSSES: tuple[str, ...] = tuple(sorted(Loss.REGISTRY, key=lambda n: (n != "linear", n)))


def loss(name: str) -> Loss:
    """The loss family called ``name`` (ParameterError listing :data:`LOSSES` otherwise)."""
    check_choice("loss", name, LOSSES)
    return Loss.REGISTRY[name]


__all__ = ["LOSSES", "CvxpyObjective", "Loss", "loss"]
