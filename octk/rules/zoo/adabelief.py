r"""AdaBelief (Zhuang, Tang, Ding, Tatikonda, Dvornek, Papademetris & Duncan,
*AdaBelief Optimizer: Adapting Stepsizes by the Belief in Observed Gradients*,
NeurIPS 2020, Algorithm 2).

The paper's box (per coordinate)::

    m_t = β1 m_{t−1} + (1 − β1) g_t
    s_t = β2 s_{t−1} + (1 − β2) (g_t − m_t)² + ε
    m̂_t = m_t/(1 − β1^t),   ŝ_t = s_t/(1 − β2^t)
    x_{t+1} = x_t − α m̂_t / (√ŝ_t + ε)

with m_0 = s_0 = 0: the step divides by the "belief" in g_t, the EMA of its squared
deviation from the prediction m_t (the state ``belief``; ``s`` names the signal of a
sequence in octk's lowered programs). Defaults: α = 10⁻³, β1 = 0.9, β2 = 0.999 and
ε = 10⁻¹⁶ (the authors' released default, which the paper's experiments use).

Reading taken: versions of the box write the bias correction as (s_t + ε)/(1 − β2^t),
adding ε a second time; the authors' code and optax add ε to s_t once, stored with it,
as here. The paper's projection Π_{F,√ŝ_t} is octk's domain projection.

``optax`` preset (``optax.adabelief``): the same equations, with the ε added to s_t a
separate hyperparameter ``eps_root`` (option ``s_eps='eps_root'``; both 10⁻¹⁶ by
default): s_t = β2 s_{t−1} + (1 − β2)(g_t − m_t)² + eps_root and the step
α m̂_t/(√ŝ_t + ε).
"""

from __future__ import annotations

import sympy as sp

from octk.rules.catalog import Preset, RuleSpec
from octk.rules.rule import Rule
from octk.rules.zoo.base import Program, h, positive_part
from octk.symbols import g, t

CITATION = (
    "Zhuang, Tang, Ding, Tatikonda, Dvornek, Papademetris & Duncan, AdaBelief Optimizer: "
    "Adapting Stepsizes by the Belief in Observed Gradients, NeurIPS 2020, Algorithm 2"
)


def build(
    *,
    name: str,
    title: str,
    source: str,
    defaults: dict[str, float],
    preset: str,
    options: dict[str, object] | None,
    s_eps: str = "eps",
) -> Rule:
    """AdaBelief's program; ``s_eps='eps_root'`` adds ``eps_root`` to s_t instead of ε."""
    alpha, beta1, beta2, eps = h("alpha"), h("beta1"), h("beta2"), h("eps")
    added = eps if s_eps == "eps" else h("eps_root")
    p = Program()
    m_prev = p.state_var("m", "first moment (EMA of g)")
    s_prev = p.state_var("belief", "s_t, the EMA of (g_t − m_t)² (+ε)")
    m = p.let("m", beta1 * m_prev + (1 - beta1) * g)
    s = p.let("belief", beta2 * s_prev + (1 - beta2) * (g - m) ** 2 + added)
    mhat = p.let("mhat", m / (1 - beta1**t))
    shat = p.let("shat", s / (1 - beta2**t))
    den = sp.sqrt(shat) + eps
    return p.rule(
        positive_part(den, alpha * mhat / den),
        name=name,
        title=title,
        source=source,
        defaults=defaults,
        preset=preset,
        options=options,
        guard=sp.StrictGreaterThan(den, 0),
    )


SPEC = RuleSpec(
    name="adabelief",
    summary="AdaBelief: s_t an EMA of (g_t − m_t)² (+ε), step α m̂_t/(√ŝ_t + ε)",
    options={"s_eps": ("eps", "eps_root")},
    presets={
        "paper": Preset(
            CITATION,
            defaults={"alpha": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-16, "eps_root": 1e-16},
        ),
        "optax": Preset(
            "optax.adabelief (nesterov=False, no weight decay)",
            options={"s_eps": "eps_root"},
            defaults={"eps": 1e-16, "eps_root": 1e-16},
            note="s += eps_root after the EMA; x -= lr m̂/(√ŝ + ε); optax has no default "
            "learning rate, octk uses 1e-3",
        ),
    },
    builder=build,
    citation=CITATION,
    zoo=True,
)
