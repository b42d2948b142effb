r"""RAdam, rectified Adam (Liu, Jiang, He, Chen, Liu, Gao & Han, *On the Variance of the
Adaptive Learning Rate and Beyond*, ICLR 2020, Algorithm 2).

The paper's box (per coordinate)::

    ρ_∞ = 2/(1 − β2) − 1
    m_t = β1 m_{t−1} + (1 − β1) g_t,     v_t = β2 v_{t−1} + (1 − β2) g_t²
    m̂_t = m_t/(1 − β1^t)
    ρ_t = ρ_∞ − 2 t β2^t/(1 − β2^t)                      (length of the approximated SMA)
    if ρ_t > 4:  l_t = √((1 − β2^t)/v_t)
                 r_t = √((ρ_t − 4)(ρ_t − 2) ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2) ρ_t))
                 x_{t+1} = x_t − α r_t m̂_t l_t               (the rectified adaptive step)
    else:        x_{t+1} = x_t − α m̂_t                       (SGD with momentum)

The branch is a Piecewise in t (ρ_t depends on t and β2 only): with β2 = 0.999 the
first four steps are SGD with momentum, the rectified step from t = 5 on. Defaults:
α = 10⁻³, β1 = 0.9, β2 = 0.999. The box has no ε; its adaptive branch is 0 while
v_t = 0 (then m_t = 0 too).

``torch`` preset (``torch.optim.RAdam``): the threshold is ρ_t > 5 and ε sits on the
raw √v_t: x −= α r_t m̂_t √(1 − β2^t)/(√v_t + ε). ``optax`` preset (``optax.radam``):
threshold ρ_t ≥ 5 and x −= α r_t m̂_t/(√v̂_t + ε), v̂_t = v_t/(1 − β2^t) (eps_root = 0).
"""

from __future__ import annotations

import sympy as sp

from octk.rules.catalog import Preset, RuleSpec
from octk.rules.rule import Rule
from octk.rules.zoo.base import Program, h, positive_part
from octk.symbols import g, t

CITATION = (
    "Liu, Jiang, He, Chen, Liu, Gao & Han, On the Variance of the Adaptive Learning Rate "
    "and Beyond, ICLR 2020, Algorithm 2"
)

THRESHOLDS = ("gt4", "gt5", "ge5")
EPS_MODES = ("none", "outside", "outside_raw")


def rho_inf() -> sp.Expr:
    """ρ_∞ = 2/(1 − β2) − 1."""
    return 2 / (1 - h("beta2")) - 1


def rho(step: sp.Expr = t) -> sp.Expr:
    """ρ_t = ρ_∞ − 2 t β2^t/(1 − β2^t)."""
    beta2 = h("beta2")
    return rho_inf() - 2 * step * beta2**step / (1 - beta2**step)


def rectification(r: sp.Expr | None = None) -> sp.Expr:
    """r_t = √((ρ_t − 4)(ρ_t − 2) ρ_∞/((ρ_∞ − 4)(ρ_∞ − 2) ρ_t)) (ρ_t given, or :func:`rho`)."""
    r = rho() if r is None else r
    ri = rho_inf()
    return sp.sqrt((r - 4) * (r - 2) * ri / ((ri - 4) * (ri - 2) * r))


def _tractable(threshold: str, r: sp.Expr) -> sp.Basic:
    if threshold == "gt4":
        return sp.StrictGreaterThan(r, 4)
    if threshold == "gt5":
        return sp.StrictGreaterThan(r, 5)
    return sp.GreaterThan(r, 5)


def build(
    *,
    name: str,
    title: str,
    source: str,
    defaults: dict[str, float],
    preset: str,
    options: dict[str, object] | None,
    threshold: str = "gt4",
    eps_mode: str = "none",
) -> Rule:
    """RAdam's program; ``threshold`` is the test of ρ_t (``gt4``: ρ_t > 4, the paper's;
    ``gt5``: torch; ``ge5``: optax) and ``eps_mode`` where ε sits (see the module doc)."""
    alpha, beta1, beta2, eps = h("alpha"), h("beta1"), h("beta2"), h("eps")
    p = Program()
    m_prev = p.state_var("m", "first moment (EMA of g)")
    v_prev = p.state_var("v", "second moment (EMA of g²)")
    m = p.let("m", beta1 * m_prev + (1 - beta1) * g)
    mhat = p.let("mhat", m / (1 - beta1**t))
    v = p.let("v", beta2 * v_prev + (1 - beta2) * g**2)
    rho_t = p.let("rho", rho())
    r_t = rectification(rho_t)
    if eps_mode == "none":
        vhat = p.let("vhat", v / (1 - beta2**t))
        adaptive = positive_part(vhat, alpha * r_t * mhat / sp.sqrt(vhat))
    elif eps_mode == "outside":
        vhat = p.let("vhat", v / (1 - beta2**t))
        adaptive = alpha * r_t * mhat / (sp.sqrt(vhat) + eps)
    else:
        adaptive = alpha * r_t * mhat * sp.sqrt(1 - beta2**t) / (sp.sqrt(v) + eps)
    delta = sp.Piecewise((adaptive, _tractable(threshold, rho_t)), (alpha * mhat, True))
    return p.rule(
        delta,
        name=name,
        title=title,
        source=source,
        defaults=defaults,
        preset=preset,
        options=options,
    )


_DEFAULTS = {"alpha": 1e-3, "beta1": 0.9, "beta2": 0.999}

SPEC = RuleSpec(
    name="radam",
    summary="RAdam: rectified step α r_t m̂_t/√v̂_t where ρ_t > 4, else SGD-momentum α m̂_t",
    options={"threshold": THRESHOLDS, "eps_mode": EPS_MODES},
    presets={
        "paper": Preset(CITATION, defaults=dict(_DEFAULTS)),
        "torch": Preset(
            "torch.optim.RAdam (no weight decay)",
            options={"threshold": "gt5", "eps_mode": "outside_raw"},
            defaults={"eps": 1e-8},
            note="ρ_t > 5: x -= lr r_t m̂ √(1-β2^t)/(√v + ε); else x -= lr m̂",
        ),
        "optax": Preset(
            "optax.radam (eps_root=0, nesterov=False)",
            options={"threshold": "ge5", "eps_mode": "outside"},
            defaults={"eps": 1e-8},
            note="ρ_t ≥ 5: x -= lr r_t m̂/(√v̂ + ε); else x -= lr m̂; optax has no default "
            "learning rate, octk uses 1e-3",
        ),
    },
    builder=build,
    citation=CITATION,
    zoo=True,
)
