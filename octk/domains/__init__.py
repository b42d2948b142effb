"""Feasible sets F: one module per domain, each a :class:`~octk.domains.base.Domain`.

Importing this package imports every module in it; a module's :class:`Domain`
subclass with a ``kind`` registers itself. So a new domain is one new file
here (plus its tests): the spec parser :func:`domain`, the list :data:`DOMAINS`
that ``octk list domains`` and the CLI read, the backends, the comparator and
the registry-walked tests all find it. Each registered class is also exported
under its class name (``from octk.domains import Box``).
"""

from __future__ import annotations

import importlib
import pkgutil

from octk.domains.ball import Ball
from octk.domains.base import PROJECTIONS, CudaProjection, Domain, KernelProjection, domain
from octk.domains.box import Box
from octk.domains.reals import Reals

for _mod in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_mod}")

for _cls in Domain.REGISTRY.values():
    globals()[_cls.__name__] = _cls

#: kind -> usage line, by module name (`octk list domains` and the CLI help read it)
DOMAINS = {kind: cls.usage for kind, cls in Domain.REGISTRY.items()}

__all__ = [
    "DOMAINS",
    "PROJECTIONS",
    "Ball",
    "Box",
    "CudaProjection",
    "Domain",
    "KernelProjection",
    "Reals",
    "domain",
    *sorted({c.__name__ for c in Domain.REGISTRY.values()} - {"Ball", "Box", "Reals"}),
]
