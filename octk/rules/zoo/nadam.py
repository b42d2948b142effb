r"""NAdam, Adam with Nesterov momentum (Dozat, *Incorporating Nesterov Momentum into
Adam*, ICLR 2016 workshop, Algorithm 2).

The box, with the momentum schedule μ_t = β1 (1 − ½·0.96^{ψ t}) (ψ = 0.004, the
schedule of Sutskever et al. the paper uses) and μ's running product
π_t = Π_{i≤t} μ_i (a state, π_0 = 1: the product has no closed form; 0.96^{ψ t} is a
running power too, a state ``decay`` multiplied by 0.96^ψ each step)::

    m_t = β1 m_{t−1} + (1 − β1) g_t
    n_t = β2 n_{t−1} + (1 − β2) g_t²,          n̂_t = n_t/(1 − β2^t)
    m̄_t = (1 − μ_t) g_t/(1 − π_t) + μ_{t+1} m_t/(1 − π_t μ_{t+1})
    x_{t+1} = x_t − α m̄_t/(√n̂_t + ε)

(the paper's n_t is v_t here, and its m̄_t the temporary ``mhat``, as torch and optax
call it: the step is η_t·m̄_t with η_t = α/(√n̂_t + ε), the direction the readers of
:mod:`octk.rules.anatomy` find by that name). Defaults: α = 0.002, β1 = 0.9, β2 = 0.999, ε = 10⁻⁸,
ψ = 0.004.

Reading taken: the paper's text was not re-checked here; the box is transcribed as
the reference implementations state it (Keras' Nadam, which cites the paper, and
``torch.optim.NAdam``, whose equations are these): the EMA m_t keeps the constant β1
while the schedule μ_t enters the Nesterov combination and its bias correction. The
``torch`` preset is therefore the same program (torch's defaults are these).

``optax`` preset (``optax.nadam``, Adam with ``nesterov=True``): a constant μ_t = β1
(``momentum='constant'``, so π_t = β1^t, no product state):
m̄_t = (1 − β1) g_t/(1 − β1^t) + β1 m_t/(1 − β1^{t+1}), step α m̄_t/(√n̂_t + ε).
"""

from __future__ import annotations

import sympy as sp

from octk.rules.catalog import Preset, RuleSpec
from octk.rules.rule import Rule
from octk.rules.zoo.base import Program, h, positive_part
from octk.symbols import g, t

CITATION = "Dozat, Incorporating Nesterov Momentum into Adam, ICLR 2016 workshop, Algorithm 2"


def build(
    *,
    name: str,
    title: str,
    source: str,
    defaults: dict[str, float],
    preset: str,
    options: dict[str, object] | None,
    momentum: str = "schedule",
) -> Rule:
    """NAdam's program; ``momentum='constant'`` is optax's μ_t = β1."""
    alpha, beta1, beta2, eps = h("alpha"), h("beta1"), h("beta2"), h("eps")
    p = Program()
    m_prev = p.state_var("m", "first moment (EMA of g)")
    v_prev = p.state_var("v", "second moment (EMA of g²)")
    if momentum == "schedule":
        decay_prev = p.state_var("decay", "0.96^(ψ (t−1)), the schedule's running power", 1)
        prod_prev = p.state_var("mu_prod", "running product π_t of the schedule μ_i", 1)
        factor = sp.Rational(24, 25) ** h("psi")
        decay = p.let("decay", decay_prev * factor)  # 0.96^(ψ t)
        mu_t = beta1 * (1 - decay / 2)
        mu_next = beta1 * (1 - decay * factor / 2)
        prod = p.let("mu_prod", prod_prev * mu_t)
        prod_next = prod * mu_next
    else:
        mu_t = mu_next = beta1
        prod, prod_next = beta1**t, beta1 ** (t + 1)
    m = p.let("m", beta1 * m_prev + (1 - beta1) * g)
    v = p.let("v", beta2 * v_prev + (1 - beta2) * g**2)
    mhat = p.let("mhat", (1 - mu_t) * g / (1 - prod) + mu_next * m / (1 - prod_next))
    vhat = p.let("vhat", v / (1 - beta2**t))
    den = sp.sqrt(vhat) + eps
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


_DEFAULTS = {"alpha": 2e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "psi": 0.004}

SPEC = RuleSpec(
    name="nadam",
    summary="NAdam: Nesterov momentum in Adam, step α m̄_t/(√n̂_t + ε) with μ_t's schedule",
    options={"momentum": ("schedule", "constant")},
    presets={
        "paper": Preset(CITATION, defaults=dict(_DEFAULTS)),
        "torch": Preset(
            "torch.optim.NAdam (no weight decay, decoupled_weight_decay=False)",
            options={"momentum": "schedule"},
            note="the paper's equations (momentum_decay = ψ = 4e-3); ε outside √n̂",
        ),
        "optax": Preset(
            "optax.nadam (optax.adam with nesterov=True, eps_root=0)",
            options={"momentum": "constant"},
            defaults={"alpha": 1e-3},
            note="μ_t = β1: x -= lr (β1 m/(1-β1^{t+1}) + (1-β1) g/(1-β1^t))/(√v̂ + ε); optax "
            "has no default learning rate, octk uses 1e-3",
        ),
    },
    builder=build,
    citation=CITATION,
    zoo=True,
)
