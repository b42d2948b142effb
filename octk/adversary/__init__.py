r"""Search for the worst loss sequence against a rule, and certify what was found.

``octk.adversary`` is both this package and the function :func:`adversary`: the
package's module object is an instance of a :class:`types.ModuleType` subclass
with ``__call__`` (set at import, ``sys.modules[__name__].__class__``; Python
allows reassigning a module's class to a ModuleType subclass), so
``octk.adversary(...)`` calls :func:`~octk.adversary.result.adversary` while
``import octk.adversary.certificate`` and every other submodule import work as
for any package.

>>> import octk
>>> res = octk.adversary("ogd", domain="box:-1,1", steps=4, family="periodic:p=2", bound=1,
...                      x0=0, objective="regret", budget=400, seed=0,
...                      params={"alpha": 0.5}, options={"schedule": "constant"})
>>> res.certificate["status"], res.value >= float(res.certificate["lower_bound_float"]) - 1e-9
('certified', True)

:func:`adversary` builds the search (:mod:`~octk.adversary.families`,
:mod:`~octk.adversary.objectives`), runs it in batches (:mod:`~octk.adversary.batch`,
:mod:`~octk.adversary.search`), writes the best sequence as a spec ``octk run
--sequence`` replays, compares it with the known construction for the same settings
(:mod:`~octk.adversary.known`) and certifies it (:mod:`~octk.adversary.certificate`).
The rule may be a registry name or any :class:`~octk.rules.Rule` object (a user's
rule, a zoo rule): the certificate carries the rule's program
(:mod:`~octk.adversary.serial`), so ``octk certify`` re-checks it without the registry.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from octk.adversary.result import AdversaryResult, adversary


class _CallableModule(types.ModuleType):
    """The package's module class: calling the module calls :func:`adversary`."""

    def __call__(self, *args: Any, **kwargs: Any) -> AdversaryResult:
        return adversary(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule

__all__ = ["AdversaryResult", "adversary"]
