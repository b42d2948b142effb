"""Metamorphic tests: changes to a problem whose effect on the run is known exactly."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import assert_close

import octk
from octk.rules import rule
from octk.sequences import sequence

RNG = np.random.default_rng(42)
DATA = RNG.normal(size=(300, 4))
X0 = np.array([0.1, -0.2, 0.3, 0.0])


def run(r, data, x0=X0, dom="box:-1,1", **params):
    tr = octk.simulate(
        r,
        sequence("array", path=data),
        dom,
        steps=len(data),
        x0=x0,
        params=params,
        checkpoints="all",
        backend="numba",
    )
    return tr, octk.regret(tr)


@pytest.mark.parametrize("name", ["adam", "amsgrad", "adagrad", "adamax", "rmsprop", "adamnc"])
def test_permuting_coordinates_permutes_the_run(name):
    perm = np.array([2, 0, 3, 1])
    a, ra = run(rule(name), DATA, alpha=0.05)
    b, rb = run(rule(name), DATA[:, perm], x0=X0[perm], alpha=0.05)
    assert_close(b.x, a.x[:, :, perm], rtol=0.0)
    assert_close(rb.regret, ra.regret, rtol=1e-12)


@pytest.mark.parametrize("name", ["adagrad", "ogd"])
def test_zero_loss_rounds_change_nothing_for_memoryless_steps(name):
    """With a constant step, a round with g = 0 leaves x and AdaGrad's Σg² unchanged."""
    r = rule(name, schedule="constant")
    padded = np.zeros((2 * len(DATA), DATA.shape[1]))
    padded[::2] = DATA
    a, ra = run(r, DATA, alpha=0.05)
    b, rb = run(r, padded, alpha=0.05)
    assert_close(b.x[:, 1::2], a.x, rtol=0.0)
    assert_close(rb.regret[:, 1::2], ra.regret, rtol=1e-12)


@pytest.mark.parametrize("c", [1e-3, 7.0, 1e4])
def test_adam_without_eps_is_scale_invariant(c):
    """K&B §2.1: g → c·g leaves Δ_t unchanged (ε = 0); regret scales by c."""
    a, ra = run(rule("adam"), DATA, alpha=0.05, eps=0.0)
    b, rb = run(rule("adam"), c * DATA, alpha=0.05, eps=0.0)
    assert_close(b.x, a.x, rtol=1e-12)
    assert_close(rb.regret, c * ra.regret, rtol=1e-11)


def test_ogd_scaling_losses_and_step_together():
    """OGD: (c·g, α/c) gives the same iterates."""
    a, _ = run(rule("ogd"), DATA, alpha=0.2)
    b, _ = run(rule("ogd"), 8.0 * DATA, alpha=0.2 / 8.0)
    assert_close(b.x, a.x, rtol=1e-13)


def test_reddi_thm1_equals_its_periodic_and_array_forms():
    """The same losses written three ways give the same run."""
    p = {"alpha": 0.1, "beta1": 0.0, "beta2": 0.1}
    T = 600
    a = octk.simulate("adam", "reddi-thm1:C=3", steps=T, params=p, checkpoints="all")
    b = octk.simulate("adam", "periodic:values=[3,-1,-1]", steps=T, params=p, checkpoints="all")
    arr = np.where(np.arange(1, T + 1) % 3 == 1, 3.0, -1.0)
    c = octk.simulate("adam", sequence("array", path=arr), steps=T, params=p, checkpoints="all")
    assert_close(b.x, a.x, rtol=0.0)
    assert_close(c.x, a.x, rtol=0.0)
    assert_close(octk.regret(c).regret, octk.regret(a).regret, rtol=1e-12)


def test_same_seed_same_draws_on_any_batch_layout():
    """A stochastic run depends only on its own seed, not on its neighbours in the batch."""
    alone = octk.simulate("adam", "sparse:p=0.3", steps=500, d=3, seed=7, params={"alpha": 0.05})
    batch = octk.simulate(
        "adam", "sparse:p=0.3", steps=500, d=3, seed=[1, 7, 9], params={"alpha": 0.05}
    )
    assert_close(batch.config(1).x, alone.x, rtol=0.0)
