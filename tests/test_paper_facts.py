"""The numbers the papers (and theory §7) claim, asserted on octk's runs.

Tolerances: the §7 values are independent float64 simulations quoted to 3–4
significant figures, so each assertion allows half a unit in the last quoted
digit plus a margin for rounding (stated per test). Directions of convergence
are asserted exactly (Adam's iterate *is* the boundary +1 after the clip).
"""

from __future__ import annotations

import numpy as np
import pytest

from octk.regret import regret
from octk.rules import rule
from octk.simulate import simulate

ADAM_SQRT = rule("adam", schedule="sqrt")  # K&B Algorithm 1 with α_t = α/√t
AMSGRAD = rule("amsgrad")  # RKK Algorithm 2 (α/√t, no bias correction, no ε)


def thm1(r, C, alpha, x0, checkpoints, **kw):
    params = {"alpha": alpha}
    if "beta2" in r.hyper_names:
        params.update(beta1=0.0, beta2=1.0 / (1.0 + C * C))
    tr = simulate(
        r,
        f"reddi-thm1:C={C}",
        "box:-1,1",
        steps=max(checkpoints),
        x0=x0,
        params=params,
        checkpoints=checkpoints,
        **kw,
    )
    return tr, regret(tr)


def test_theorem1_adam_goes_to_the_wrong_end_c3():
    tr, reg = thm1(ADAM_SQRT, 3, 0.1, 0.0, [1000, 6000, 300_000])
    assert np.all(tr.x[0, 1:, 0] == 1.0)  # x = +1 from t ≈ 10³ on
    assert tr.x[0, 0, 0] > 0.99
    avg = reg.average[0]
    assert avg[1] == pytest.approx(0.655, abs=1e-3)  # theory §7: 0.655 at 6·10³
    assert avg[2] == pytest.approx(0.6666, abs=2e-4)  # 0.6666 at 3·10⁵
    assert avg[2] < 2 / 3 and avg[2] > avg[1]  # increasing towards (2C−4)/3 = 2/3
    assert np.all(reg.x_star[0, :, 0] == -1.0)  # the best point is x* = −1


def test_theorem1_amsgrad_and_ogd_go_to_the_right_end_c3():
    tr, reg = thm1(AMSGRAD, 3, 0.1, 0.0, [6000, 300_000])
    assert tr.x[0, 0, 0] == pytest.approx(-0.9991, abs=2e-4)
    assert reg.average[0, 0] == pytest.approx(0.032, abs=1e-3)
    assert reg.average[0, 1] == pytest.approx(0.0008, abs=1e-4)
    tr, _ = thm1(rule("ogd"), 3, 0.1, 0.0, [6000])
    assert tr.x[0, 0, 0] == pytest.approx(-0.9974, abs=2e-4)


def test_theorem1_c10_average_regret_tends_to_2c_minus_4_over_3():
    tr, reg = thm1(ADAM_SQRT, 10, 0.5, 1.0, [300_000])
    assert tr.x[0, 0, 0] == 1.0
    assert reg.average[0, 0] == pytest.approx(5.334, abs=1e-3)
    assert abs(reg.average[0, 0] - (2 * 10 - 4) / 3) < 2e-3


def test_theorem1_steady_state_cycle_of_v_c3():
    """v cycles through (8.207, 1.721, 1.072) after the C step and the two −1 steps."""
    got = []
    for steps in (30_001, 30_002, 30_003):
        tr, _ = thm1(ADAM_SQRT, 3, 0.1, 0.0, [steps])
        got.append(tr.state["v"][0, 0])
    exact = np.array([8.2072, 1.7207, 1.0721])  # fixed point of the 3-step map, β2 = 0.1
    np.testing.assert_allclose(got, exact, atol=1e-4)


@pytest.mark.parametrize(
    ("r", "C", "drift"), [(ADAM_SQRT, 3, 0.681), (AMSGRAD, 3, -0.349), (AMSGRAD, 10, -0.804)]
)
def test_theorem1_three_step_drift_sign_and_size(r, C, drift):
    """x_{t+3} − x_t ≈ drift · α/√(3t) at a large t, unconstrained (theory §7)."""
    t0, alpha = 300_001, 0.1
    params = {"alpha": alpha}
    params.update(beta1=0.0, beta2=1.0 / (1.0 + C * C))
    tr = simulate(
        r, f"reddi-thm1:C={C}", "reals", steps=t0 + 2, checkpoints=[t0 - 1, t0 + 2], params=params
    )
    step = tr.x[0, 1, 0] - tr.x[0, 0, 0]  # after steps t0, t0+1, t0+2 (t0 ≡ 1 mod 3)
    assert np.sign(step) == np.sign(drift)
    assert step / (alpha / np.sqrt(3 * (t0 // 3))) == pytest.approx(drift, rel=5e-3)


def synthetic(r, spec, alpha, checkpoints, seed=0, schedule_const=False):
    params = {"alpha": alpha, "beta1": 0.9, "beta2": 0.99}
    tr = simulate(
        r,
        spec,
        "box:-1,1",
        steps=max(checkpoints),
        params=params,
        checkpoints=checkpoints,
        seed=seed,
    )
    return tr, regret(tr)


def test_section5_online_sqrt_step():
    tr, reg = synthetic(ADAM_SQRT, "reddi-synthetic", 1.0, [10**6, 6 * 10**6])
    assert np.all(tr.x[0, :, 0] == 1.0)
    assert reg.average[0, 0] == pytest.approx(0.258, abs=1e-3)
    assert reg.average[0, 1] == pytest.approx(0.2225, abs=1e-3)
    assert reg.average[0, 1] > 20 / 101  # decreasing to 20/101 from above
    tr, reg = synthetic(AMSGRAD, "reddi-synthetic", 1.0, [10**6, 6 * 10**6])
    assert tr.x[0, 0, 0] == pytest.approx(-0.995, abs=1e-3)
    assert reg.average[0, 0] == pytest.approx(0.069, abs=1e-3)
    assert reg.average[0, 1] == pytest.approx(0.027, abs=1e-3)


def test_section5_online_constant_step():
    adam = rule("adam")  # constant α
    ams = rule("amsgrad", schedule="constant")
    _, reg_adam = synthetic(adam, "reddi-synthetic", 0.001, [6 * 10**6])
    _, reg_ams = synthetic(ams, "reddi-synthetic", 0.001, [6 * 10**6])
    assert reg_adam.average[0, 0] == pytest.approx(0.2276, abs=5e-4)
    assert reg_ams.average[0, 0] == pytest.approx(0.0435, abs=5e-4)


def test_section5_stochastic_adam_goes_up_amsgrad_down():
    """16 seeds; R_T/T ≈ 0.4 in expectation (theory §7: ±0.08 at 6·10⁶ between runs)."""
    seeds = np.arange(16)
    T = 2 * 10**6
    tr, reg = synthetic(ADAM_SQRT, "reddi-synthetic-stochastic", 1.0, [T], seed=seeds)
    assert np.all(tr.x[:, -1, 0] > 0.9)
    assert 0.3 < reg.average[:, -1].mean() < 0.5
    tr, reg = synthetic(AMSGRAD, "reddi-synthetic-stochastic", 1.0, [T], seed=seeds)
    assert tr.x[:, -1, 0].mean() < -0.8  # towards x* = −1 (−0.90 ± 0.08 over seeds here)
    assert np.all(tr.x[:, -1, 0] < -0.5)
    assert reg.average[:, -1].mean() < 0.1
