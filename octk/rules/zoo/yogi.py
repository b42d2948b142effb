r"""Yogi (Zaheer, Reddi, Sachan, Kale & Kumar, *Adaptive Methods for Nonconvex
Optimization*, NeurIPS 2018, Algorithm 2).

The paper's box (per coordinate; the paper writes η_t for the step size, here α)::

    m_t = β1 m_{t−1} + (1 − β1) g_t
    v_t = v_{t−1} − (1 − β2) sign(v_{t−1} − g_t²) g_t²                    (Yogi's update)
    x_{t+1} = x_t − α m_t / (√v_t + ε)

with m_0 = v_0 = 0 (the hyperparameter ``acc0``, 0 in the paper) and no bias
correction. Defaults (the paper's §4 recommendation): α = 10⁻², β1 = 0.9,
β2 = 0.999, ε = 10⁻³. Where Adam's v_t moves towards g_t² by (1 − β2)(g_t² − v_{t−1}),
Yogi's moves by (1 − β2) g_t² in the same direction, so v_t grows at most additively.

``optax`` preset (``optax.yogi``, ``scale_by_yogi``): both accumulators start at
``initial_accumulator_value`` = 10⁻⁶ (the hyperparameter ``acc0``), both moments are
bias-corrected, m̂_t = m_t/(1 − β1^t), v̂_t = v_t/(1 − β2^t), and the step is
α m̂_t/(√v̂_t + ε) (eps_root = 0).
"""

from __future__ import annotations

import sympy as sp

from octk.rules.catalog import Preset, RuleSpec
from octk.rules.rule import Rule
from octk.rules.zoo.base import Program, h, positive_part
from octk.symbols import g, t

CITATION = (
    "Zaheer, Reddi, Sachan, Kale & Kumar, Adaptive Methods for Nonconvex Optimization, "
    "NeurIPS 2018, Algorithm 2"
)


def build(
    *,
    name: str,
    title: str,
    source: str,
    defaults: dict[str, float],
    preset: str,
    options: dict[str, object] | None,
    bias_correction: bool = False,
) -> Rule:
    """Yogi's program (see the module docstring); ``bias_correction`` divides m_t and v_t
    by 1 − β1^t and 1 − β2^t (optax)."""
    alpha, beta1, beta2, eps, acc0 = (h(n) for n in ("alpha", "beta1", "beta2", "eps", "acc0"))
    p = Program()
    m_prev = p.state_var("m", "first moment (EMA of g)", acc0)
    v_prev = p.state_var("v", "Yogi's second moment", acc0)
    m = p.let("m", beta1 * m_prev + (1 - beta1) * g)
    v = p.let("v", v_prev - (1 - beta2) * sp.sign(v_prev - g**2) * g**2)
    if bias_correction:
        m = p.let("mhat", m / (1 - beta1**t))
        v = p.let("vhat", v / (1 - beta2**t))
    den = sp.sqrt(v) + eps
    guard = sp.StrictGreaterThan(den, 0)
    return p.rule(
        positive_part(den, alpha * m / den),
        name=name,
        title=title,
        source=source,
        defaults=defaults,
        preset=preset,
        options=options,
        guard=guard,
    )


SPEC = RuleSpec(
    name="yogi",
    summary="Yogi: v_t = v_{t−1} − (1−β2) sign(v_{t−1} − g_t²) g_t², step α m_t/(√v_t + ε)",
    options={"bias_correction": (False, True)},
    presets={
        "paper": Preset(
            CITATION,
            defaults={"alpha": 1e-2, "beta1": 0.9, "beta2": 0.999, "eps": 1e-3, "acc0": 0.0},
        ),
        "optax": Preset(
            "optax.yogi (scale_by_yogi, eps_root=0)",
            options={"bias_correction": True},
            defaults={"alpha": 1e-3, "acc0": 1e-6},
            note="m_0 = v_0 = 1e-6; x -= lr m̂/(√v̂ + ε); optax has no default learning rate, "
            "octk uses 1e-3",
        ),
    },
    builder=build,
    citation=CITATION,
    zoo=True,
)
