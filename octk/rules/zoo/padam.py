r"""Padam, the partially adaptive momentum method (Chen & Gu, *Closing the
Generalization Gap of Adaptive Gradient Methods in Training Deep Neural Networks*,
arXiv:1806.06763, 2018; IJCAI 2020 — Algorithm 1).

The paper's box (per coordinate)::

    m_t = β1 m_{t−1} + (1 − β1) g_t
    v_t = β2 v_{t−1} + (1 − β2) g_t²
    v̂_t = max(v̂_{t−1}, v_t)
    x_{t+1} = x_t − α_t m_t / v̂_t^p

with m_0 = v_0 = v̂_0 = 0 and the partially adaptive exponent p ∈ (0, 1/2]: p = 1/2 is
AMSGrad (without bias correction), p → 0 SGD with momentum. Defaults (the paper's
experiments): p = 1/8, α = 0.1, β1 = 0.9, β2 = 0.999.

Readings taken: the box leaves the step sizes α_t to the analysis; the analysis (a
nonconvex rate) and the experiments use a constant α, as here (``schedule='sqrt'``
gives α/√t). The box has no ε; the step is 0 while v̂_t = 0 (before the first non-zero
gradient). No library ships Padam, so there are no ``torch``/``optax`` presets.
"""

from __future__ import annotations

import sympy as sp

from octk.rules.adaptive import step_size
from octk.rules.catalog import Preset, RuleSpec
from octk.rules.rule import Rule
from octk.rules.zoo.base import Program, h, positive_part
from octk.symbols import g

CITATION = (
    "Chen & Gu, Closing the Generalization Gap of Adaptive Gradient Methods in Training "
    "Deep Neural Networks, arXiv:1806.06763 (2018), Algorithm 1"
)


def build(
    *,
    name: str,
    title: str,
    source: str,
    defaults: dict[str, float],
    preset: str,
    options: dict[str, object] | None,
    schedule: str = "constant",
) -> Rule:
    """Padam's program (see the module docstring)."""
    beta1, beta2, power = h("beta1"), h("beta2"), h("p")
    p = Program()
    m_prev = p.state_var("m", "first moment (EMA of g)")
    v_prev = p.state_var("v", "second moment (EMA of g²)")
    vmax_prev = p.state_var("vmax", "running max of v")
    m = p.let("m", beta1 * m_prev + (1 - beta1) * g)
    v = p.let("v", beta2 * v_prev + (1 - beta2) * g**2)
    vmax = p.let("vmax", sp.Max(vmax_prev, v))
    return p.rule(
        positive_part(vmax, step_size(schedule) * m / vmax**power),
        name=name,
        title=title,
        source=source,
        defaults=defaults,
        preset=preset,
        options=options,
        guard=sp.StrictGreaterThan(vmax, 0),
    )


SPEC = RuleSpec(
    name="padam",
    summary="Padam: AMSGrad's max with a partial power, step α_t m_t/v̂_t^p, p ∈ (0, 1/2]",
    options={"schedule": ("constant", "sqrt")},
    presets={
        "paper": Preset(CITATION, defaults={"alpha": 0.1, "beta1": 0.9, "beta2": 0.999, "p": 0.125})
    },
    builder=build,
    citation=CITATION,
    zoo=True,
)
