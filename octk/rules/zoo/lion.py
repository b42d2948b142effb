r"""Lion, evolved sign momentum (Chen, Liang, Huang, Real, Wang, Pham, Dong, Luong, Hsieh,
Lu & Le, *Symbolic Discovery of Optimization Algorithms*, NeurIPS 2023, Algorithm 2).

The paper's box (per coordinate; λ the decoupled weight decay)::

    c_t = β1 m_{t−1} + (1 − β1) g_t
    x_{t+1} = x_t − α (sign(c_t) + λ x_t)
    m_t = β2 m_{t−1} + (1 − β2) g_t

with m_0 = 0: the step reads the momentum *before* its update, and its size is α per
coordinate whatever |g_t| (sign(0) = 0). Defaults: β1 = 0.9, β2 = 0.99 (the paper's),
α = 10⁻⁴ and λ = 0 (the paper tunes α and λ per task, "α 3–10× smaller than AdamW's";
these are the defaults of its released program).

``optax`` preset (``optax.lion``): the same update, with optax's default weight decay
λ = 10⁻³ (``add_decayed_weights`` before the learning rate). torch ships no Lion.
"""

from __future__ import annotations

import sympy as sp

from octk.rules.catalog import Preset, RuleSpec
from octk.rules.rule import Rule
from octk.rules.zoo.base import Program, h
from octk.symbols import g, x

CITATION = (
    "Chen, Liang, Huang, Real, Wang, Pham, Dong, Luong, Hsieh, Lu & Le, Symbolic Discovery "
    "of Optimization Algorithms, NeurIPS 2023, Algorithm 2"
)


def build(
    *,
    name: str,
    title: str,
    source: str,
    defaults: dict[str, float],
    preset: str,
    options: dict[str, object] | None,
) -> Rule:
    """Lion's program (see the module docstring)."""
    alpha, beta1, beta2, wd = h("alpha"), h("beta1"), h("beta2"), h("wd")
    p = Program()
    m_prev = p.state_var("m", "momentum (EMA of g with β2)")
    c = p.let("c", beta1 * m_prev + (1 - beta1) * g)
    return p.rule(
        alpha * (sp.sign(c) + wd * x),
        name=name,
        title=title,
        source=source,
        defaults=defaults,
        preset=preset,
        options=options,
        after=(("m", beta2 * m_prev + (1 - beta2) * g),),
    )


SPEC = RuleSpec(
    name="lion",
    summary="Lion: step α (sign(β1 m_{t−1} + (1−β1) g_t) + λ x_t), m_t an EMA of g with β2",
    options={},
    presets={
        "paper": Preset(CITATION, defaults={"alpha": 1e-4, "beta1": 0.9, "beta2": 0.99, "wd": 0.0}),
        "optax": Preset(
            "optax.lion (mode='hard')",
            defaults={"alpha": 1e-3, "wd": 1e-3},
            note="x -= lr (sign(c) + λ x), λ = weight_decay = 1e-3; optax has no default "
            "learning rate, octk uses 1e-3",
        ),
    },
    builder=build,
    citation=CITATION,
    zoo=True,
)
