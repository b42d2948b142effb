r"""Search for the worst loss sequence against a rule, and certify what was found.

>>> from octk.adversary import adversary
>>> res = adversary("ogd", domain="box:-1,1", steps=4, family="periodic:p=2", bound=1,
...                      x0=0, objective="regret", budget=400, seed=0,
...                      params={"alpha": 0.5}, options={"schedule": "constant"})
>>> res.certificate["status"], res.value >= float(res.certificate["lower_bound_float"]) - 1e-9
('certified', True)

:func:`adversary` builds the search (:mod:`~octk.adversary.families`,
:mod:`~octk.adversary.objectives`), runs it in batches (:mod:`~octk.adversary.batch`,
:mod:`~octk.adversary.search`), writes the best sequence as a spec ``octk run
--sequence`` replays, compares it with the known construction for the same settings
(:mod:`~octk.adversary.known`) and certifies it (:mod:`~octk.adversary.certificate`).
"""

from __future__ import annotations

from octk.adversary.result import AdversaryResult, adversary

__all__ = ["AdversaryResult", "adversary"]
