r"""AdamX, the new version of AMSGrad of Phuong & Phong (*On the Convergence Proof of
AMSGrad and a New Version*, IEEE Access 7, 2019; arXiv:1904.03590, Algorithm 2).

Phuong & Phong show that RKK's proof of AMSGrad's bound (RKK Theorem 4) uses
√v̂_{t+1}/α_{t+1} ≥ √v̂_t/α_t where it needs
√v̂_{t+1}/(α_{t+1}(1 − β1,t+1)) ≥ √v̂_t/(α_t(1 − β1,t)), which fails for a decreasing
β1,t. Their first fix keeps AMSGrad and changes the proof (AMSGrad with
β1,t = β1 λ^{t−1} is the ``amsgrad`` rule with ``beta1_schedule='decay'``); their second
fix, AdamX, changes the algorithm so that the needed inequality holds by
construction::

    β1,t = β1 λ^{t−1}
    m_t = β1,t m_{t−1} + (1 − β1,t) g_t
    v_t = β2 v_{t−1} + (1 − β2) g_t²
    v̂_t = max( (1 − β1,t)²/(1 − β1,t−1)² · v̂_{t−1}, v_t )
    x_{t+1} = x_t − α_t m_t/√v̂_t,       α_t = α/√t

with m_0 = v_0 = v̂_0 = 0. Defaults: α = 10⁻³, β1 = 0.9, β2 = 0.999, λ = 1 − 10⁻⁸.

Readings taken: the paper's text was not re-checked here (the box is transcribed
from the fix it states: v̂_t/(1 − β1,t)² non-decreasing); at t = 1 the factor involves
β1,0, which the box leaves undefined — v̂_0 = 0, so the factor is taken as 1 there.
The box has no ε; the step is 0 while v̂_t = 0. With ``beta1_schedule='constant'`` the
factor is 1 and AdamX is AMSGrad.
"""

from __future__ import annotations

import sympy as sp

from octk.rules.adaptive import beta1_t, step_size
from octk.rules.catalog import Preset, RuleSpec
from octk.rules.rule import Rule
from octk.rules.zoo.base import Program, h, positive_part
from octk.symbols import g, t

CITATION = (
    "Phuong & Phong, On the Convergence Proof of AMSGrad and a New Version, IEEE Access 7 "
    "(2019), arXiv:1904.03590, Algorithm 2 (AdamX)"
)


def build(
    *,
    name: str,
    title: str,
    source: str,
    defaults: dict[str, float],
    preset: str,
    options: dict[str, object] | None,
    beta1_schedule: str = "decay",
    schedule: str = "sqrt",
) -> Rule:
    """AdamX's program (see the module docstring)."""
    beta2 = h("beta2")
    b1 = beta1_t(beta1_schedule)
    p = Program()
    m_prev = p.state_var("m", "first moment (EMA of g with β1,t)")
    v_prev = p.state_var("v", "second moment (EMA of g²)")
    vmax_prev = p.state_var("vmax", "v̂_t, the scaled running max")
    m = p.let("m", b1 * m_prev + (1 - b1) * g)
    v = p.let("v", beta2 * v_prev + (1 - beta2) * g**2)
    ratio = ((1 - b1) / (1 - b1.xreplace({t: t - 1}))) ** 2
    if beta1_schedule == "decay":
        ratio = sp.Piecewise((ratio, sp.StrictGreaterThan(t, 1)), (1, True))
    else:
        ratio = sp.Integer(1)
    vmax = p.let("vmax", sp.Max(ratio * vmax_prev, v))
    return p.rule(
        positive_part(vmax, step_size(schedule) * m / sp.sqrt(vmax)),
        name=name,
        title=title,
        source=source,
        defaults=defaults,
        preset=preset,
        options=options,
        guard=sp.StrictGreaterThan(vmax, 0),
    )


SPEC = RuleSpec(
    name="adamx",
    summary="AdamX: AMSGrad whose max rescales v̂_{t−1} by ((1−β1,t)/(1−β1,t−1))², α/√t",
    options={"beta1_schedule": ("decay", "constant"), "schedule": ("sqrt", "constant")},
    presets={
        "paper": Preset(
            CITATION,
            defaults={"alpha": 1e-3, "beta1": 0.9, "beta2": 0.999, "lam": 1 - 1e-8},
        )
    },
    builder=build,
    citation=CITATION,
    zoo=True,
)
