r"""AdaShift (Zhou, Zhang, Lu, Wang, Zhang & Yu, *AdaShift: Decorrelation and Convergence
of Adaptive Learning Rate Methods*, ICLR 2019, Algorithm 3 with φ the identity).

AdaShift decorrelates v_t from g_t by a temporal shift: v_t sees the gradient of n
steps ago. The paper's box (per coordinate, n = ``keep_num``)::

    m_t = Σ_{i=0}^{n−1} β1^i g_{t−i} / Σ_{i=0}^{n−1} β1^i          (for t > n)
    v_t = β2 v_{t−1} + (1 − β2) φ(g_{t−n}²)
    x_{t+1} = x_t − α_t m_t/√v_t

with v_n = 0, and no step during the first n steps (the window fills:
x_{t+1} = x_t for t ≤ n). Defaults: n = 10, β1 = 0.9, β2 = 0.999, α = 10⁻³ (those of
the authors' released code; the box leaves α_t open).

How the delay line is expressed: octk's rules are straight-line programs over
per-coordinate state, so the window is n state variables ``s1..sn`` (s_k holds
g_{t−k} when step t begins, all 0 at the start) shifted at the end of each step
(s_n ← s_{n−1}, ..., s_1 ← g_t). n is an option with the values 1..10 (each value its
own program); larger windows are not offered.

Readings taken: φ is the paper's *spatial* operation (max over a block of coordinates
in its experiments); octk's rules act per coordinate, so φ is the identity (blocks
of one coordinate, which the paper also covers). The box has no ε and no bias
correction; the step is 0 while v_t = 0. ``bias_correction=True`` divides v_t by
1 − β2^{t−n} as the authors' code does (not the box).
"""

from __future__ import annotations

import sympy as sp

from octk.rules.adaptive import step_size
from octk.rules.catalog import Preset, RuleSpec
from octk.rules.rule import Rule
from octk.rules.zoo.base import Program, h
from octk.symbols import g, t

CITATION = (
    "Zhou, Zhang, Lu, Wang, Zhang & Yu, AdaShift: Decorrelation and Convergence of Adaptive "
    "Learning Rate Methods, ICLR 2019, Algorithm 3 (φ = identity)"
)

WINDOWS = (10, 1, 2, 3, 4, 5, 6, 7, 8, 9)


def build(
    *,
    name: str,
    title: str,
    source: str,
    defaults: dict[str, float],
    preset: str,
    options: dict[str, object] | None,
    n: int = 10,
    schedule: str = "constant",
    bias_correction: bool = False,
) -> Rule:
    """AdaShift's program with a window of ``n`` gradients (see the module docstring)."""
    beta1, beta2 = h("beta1"), h("beta2")
    p = Program()
    slots = [
        p.state_var(f"s{k}", f"the gradient of {k} step(s) ago, g_(t−{k})") for k in range(1, n + 1)
    ]
    v_prev = p.state_var("v", "second moment of the shifted gradients")
    # Horner form: g + β1 (s1 + β1 (s2 + ...)) over 1 + β1 (1 + β1 (1 + ...)), so that the
    # kernels see no power β1^k with k > 4
    num, den = sp.Integer(0), sp.Integer(0)
    for s in reversed(slots[: n - 1]):
        num, den = beta1 * (s + num), beta1 * (1 + den)
    w = p.let("w", 1 + den)  # Σ_{i<n} β1^i (a temporary: small expressions build fast)
    m = p.let("m", (g + num) / w)
    filled = sp.StrictGreaterThan(t, n)
    v = p.let(
        "v", sp.Piecewise((beta2 * v_prev + (1 - beta2) * slots[-1] ** 2, filled), (v_prev, True))
    )
    if bias_correction:
        v = p.let("vhat", sp.Piecewise((v / (1 - beta2 ** (t - n)), filled), (v, True)))
    step = step_size(schedule) * m / sp.sqrt(v)
    delta = sp.Piecewise((step, sp.And(filled, sp.StrictGreaterThan(v, 0))), (0, True))
    shift = (*((f"s{k}", slots[k - 2]) for k in range(n, 1, -1)), ("s1", g))
    return p.rule(
        delta,
        name=name,
        title=title,
        source=source,
        defaults=defaults,
        preset=preset,
        options=options,
        after=shift,
    )


SPEC = RuleSpec(
    name="adashift",
    summary="AdaShift: v_t from the gradient n steps back, step α_t m_t/√v_t, m_t the window's EMA",
    options={
        "n": WINDOWS,
        "schedule": ("constant", "sqrt"),
        "bias_correction": (False, True),
    },
    presets={
        "paper": Preset(CITATION, defaults={"alpha": 1e-3, "beta1": 0.9, "beta2": 0.999}),
    },
    builder=build,
    citation=CITATION,
    zoo=True,
)
