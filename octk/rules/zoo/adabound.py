r"""AdaBound and AMSBound (Luo, Xiong, Liu & Sun, *Adaptive Gradient Methods with Dynamic
Bound of Learning Rate*, ICLR 2019, Algorithms 2 and 3).

The paper's boxes (per coordinate)::

    m_t = β1 m_{t−1} + (1 − β1) g_t
    v_t = β2 v_{t−1} + (1 − β2) g_t²
    v̂_t = max(v̂_{t−1}, v_t)                         (AMSBound only; AdaBound: v̂_t = v_t)
    η̂_t = Clip(α/√v̂_t, η_l(t), η_u(t)),   η_t = η̂_t/√t
    x_{t+1} = x_t − η_t m_t

with the bound functions of the paper's experiments (§5),
η_l(t) = α* − α*/((1 − β2) t + 1) and η_u(t) = α* + α*/((1 − β2) t), α* = 0.1
(``final_lr``). Defaults: α = 10⁻³, β1 = 0.9, β2 = 0.999.

Readings taken: the boxes have a momentum schedule β1,t; its experiments (and the
authors' code) use a constant β1, as here. Where v̂_t = 0 (no non-zero gradient yet)
α/√v̂_t is +∞ and the clip gives η_u(t) (then m_t = 0 and the step is 0). The authors'
code drops the 1/√t (``schedule='constant'``) and bias-corrects; that is not the box.
No library ships AdaBound, so there are no ``torch``/``optax`` presets.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from octk.rules.adaptive import step_size
from octk.rules.catalog import Preset, RuleSpec
from octk.rules.rule import Rule
from octk.rules.zoo.base import Program, h, positive_part
from octk.symbols import g, t

CITATION = (
    "Luo, Xiong, Liu & Sun, Adaptive Gradient Methods with Dynamic Bound of Learning Rate, "
    "ICLR 2019, Algorithms 2 (AdaBound) and 3 (AMSBound), bounds of §5"
)


def bounds() -> tuple[sp.Expr, sp.Expr]:
    """(η_l(t), η_u(t)) of the paper's experiments: α* ∓ α*/((1 − β2) t (+ 1))."""
    final, beta2 = h("final_lr"), h("beta2")
    lower = final - final / ((1 - beta2) * t + 1)
    upper = final + final / ((1 - beta2) * t)
    return lower, upper


def _build(amsbound: bool) -> Callable[..., Rule]:
    def build(
        *,
        name: str,
        title: str,
        source: str,
        defaults: dict[str, float],
        preset: str,
        options: dict[str, object] | None,
        schedule: str = "sqrt",
    ) -> Rule:
        alpha, beta1, beta2 = h("alpha"), h("beta1"), h("beta2")
        p = Program()
        m_prev = p.state_var("m", "first moment (EMA of g)")
        v_prev = p.state_var("v", "second moment (EMA of g²)")
        m = p.let("m", beta1 * m_prev + (1 - beta1) * g)
        v = p.let("v", beta2 * v_prev + (1 - beta2) * g**2)
        if amsbound:
            vmax_prev = p.state_var("vmax", "running max of v (AMSBound)")
            v = p.let("vmax", sp.Max(vmax_prev, v))
        lower, upper = bounds()
        eta_hat = p.let(
            "etahat", positive_part(v, sp.Min(sp.Max(alpha / sp.sqrt(v), lower), upper), upper)
        )
        a_t = step_size(schedule).xreplace({alpha: sp.Integer(1)})  # 1/√t or 1
        return p.rule(
            eta_hat * a_t * m,
            name=name,
            title=title,
            source=source,
            defaults=defaults,
            preset=preset,
            options=options,
        )

    return build


_DEFAULTS = {"alpha": 1e-3, "beta1": 0.9, "beta2": 0.999, "final_lr": 0.1}

ADABOUND = RuleSpec(
    name="adabound",
    summary="AdaBound: step Clip(α/√v_t, η_l(t), η_u(t))/√t · m_t, bounds → α* = final_lr",
    options={"schedule": ("sqrt", "constant")},
    presets={"paper": Preset(CITATION + " (AdaBound)", defaults=dict(_DEFAULTS))},
    builder=_build(amsbound=False),
    citation=CITATION,
    zoo=True,
)

AMSBOUND = RuleSpec(
    name="amsbound",
    summary="AMSBound: AdaBound with v̂_t = max(v̂_{t−1}, v_t) under the clip",
    options={"schedule": ("sqrt", "constant")},
    presets={"paper": Preset(CITATION + " (AMSBound)", defaults=dict(_DEFAULTS))},
    builder=_build(amsbound=True),
    citation=CITATION,
    zoo=True,
)
