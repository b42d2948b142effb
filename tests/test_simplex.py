"""The simplex domain Δ_R = {x ≥ 0, Σx = R}: spec, projections, geometry, comparator, backends.

The registry-walked tests (test_domains, test_losses, test_backends_agree) cover
it too, from ``Simplex.examples``; here are the simplex's own facts.
"""

from __future__ import annotations

import math

import cvxpy as cp
import numpy as np
import pytest
from conftest import assert_close

import octk
from octk.domains import domain
from octk.domains.base import guard_weights_np
from octk.errors import ParameterError
from octk.regret import comparator
from octk.sequences import sequence


def test_spec_and_errors():
    assert domain("simplex").spec() == "simplex:1"
    assert domain("simplex:2.5;projection=euclidean").spec() == "simplex:2.5;projection=euclidean"
    assert domain("simplex;projection=euclidean").total == 1.0
    for bad, match in [
        ("simplex:0", r"simplex R must be in \(0, inf\)"),
        ("simplex:-1", "simplex R"),
        ("simplex:1;2", "one total R"),
        ("simplex:1;projection=l1", "projection must be one of 'weighted', 'euclidean'"),
    ]:
        with pytest.raises(ParameterError, match=match):
            domain(bad)


def test_euclidean_projection_known_values_and_cvxpy():
    s = domain("simplex:1;projection=euclidean")
    y = np.array([[2.0, 0.0], [0.5, 0.5], [1.0, 1.0], [0.2, -5.0]])
    np.testing.assert_allclose(s.project(y), [[1, 0], [0.5, 0.5], [0.5, 0.5], [1, 0]])
    np.testing.assert_allclose(s.project(np.array([1.0, 1.0, 1.0])), [1 / 3] * 3, rtol=1e-15)
    rng = np.random.default_rng(4)
    for d in (2, 5, 9):
        for R in (0.3, 1.0, 4.0):
            y = rng.normal(size=d) * 3
            x = domain(f"simplex:{R}").project(y)
            v = cp.Variable(d)
            cons = [v >= 0, cp.sum(v) == R]
            cp.Problem(cp.Minimize(cp.sum_squares(v - y)), cons).solve(solver="CLARABEL")
            np.testing.assert_allclose(x, v.value, atol=1e-6)  # strongly convex: x* is unique
            assert np.sum(x) == pytest.approx(R, rel=1e-14) and np.all(x >= 0)


def test_weighted_projection_satisfies_kkt():
    """x_i = max(0, y_i − τ/w_i): w_i(y_i − x_i) = τ where x_i > 0, w_i y_i ≤ τ where x_i = 0."""
    rng = np.random.default_rng(9)
    for d in (2, 4, 10):
        for _ in range(20):
            R = rng.uniform(0.1, 5)
            y = rng.normal(size=d) * rng.uniform(0.1, 10)
            w = np.exp(rng.uniform(-5, 5, size=d))
            x = domain(f"simplex:{R}").project(y[None], w[None])[0]
            wn = guard_weights_np(w)
            assert np.sum(x) == pytest.approx(R, rel=1e-12) and np.all(x >= 0)
            pos = x > 0
            tau = wn[pos] * (y[pos] - x[pos])
            np.testing.assert_allclose(tau, tau[0], rtol=1e-9, atol=1e-12 * np.max(np.abs(wn * y)))
            assert np.all(wn[~pos] * y[~pos] <= tau[0] + 1e-12 * np.max(np.abs(wn * y)))


def test_geometry():
    s = domain("simplex:3")
    assert s.diameter(1) == (0.0, 0.0)
    assert s.diameter(4) == (3 * math.sqrt(2), 3.0)
    assert s.coordinate_bound(4) == 3.0
    vertices = 3 * np.eye(4)
    assert s.contains(vertices) and not s.contains(np.array([1.0, 1.0, 1.0, -0.1]))
    assert not s.contains(np.array([1.0, 1.0, 1.0, 0.5]))
    gaps = vertices[:, None] - vertices[None]
    assert np.max(np.linalg.norm(gaps, axis=-1)) == pytest.approx(s.diameter(4)[0], rel=1e-15)
    assert np.max(np.abs(gaps)) == s.diameter(4)[1]


def test_comparator_closed_forms():
    """Linear: the vertex R e_argmin(S); quadratic: Π_Δ(S/n), the projected mean signal."""
    lin = sequence("uniform")
    S = np.array([0.5, -2.0, 1.0, -2.0])
    c = comparator(lin, "simplex:2", {"sum_s": S}, 10)
    assert c.solver == "closed-form"
    np.testing.assert_array_equal(c.x, [0.0, 2.0, 0.0, 0.0])  # the first of the tied minima
    assert c.value == -4.0
    quad = sequence("uniform", loss="quadratic")
    S, SS, n = np.array([3.0, -1.0, 0.5]), np.array([9.0, 4.0, 1.0]), 4
    c = comparator(quad, "simplex:1", {"sum_s": S, "sum_ss": SS}, n)
    np.testing.assert_allclose(c.x, domain("simplex:1").project(S / n))
    cv = comparator(quad, "simplex:1", {"sum_s": S, "sum_ss": SS}, n, method="cvxpy")
    np.testing.assert_allclose(cv.x, c.x, atol=1e-4)
    assert cv.value == pytest.approx(c.value, rel=1e-7)
    absolute = sequence("reddi-thm1", loss="absolute")
    with pytest.raises(ParameterError, match="no closed form for the absolute loss on simplex"):
        comparator(
            absolute,
            "simplex:1",
            {"count_0": [1.0, 2.0], "count_1": [0.0, 1.0]},
            3,
            method="closed-form",
        )


@pytest.mark.parametrize("spec", ["simplex:1", "simplex:2;projection=euclidean"])
@pytest.mark.parametrize("name", ["adam", "amsgrad", "adagrad", "ogd"])
def test_numba_agrees_with_reference_and_stays_on_the_simplex(name, spec):
    dom = domain(spec)
    d = 4
    x0 = dom.project(np.full((1, d), 0.0))[0]
    kw = dict(steps=300, d=d, x0=x0, params={"alpha": 1.0}, seed=5, checkpoints="all")
    ref = octk.simulate(name, "sparse:p=0.4", spec, backend="reference", **kw)
    fast = octk.simulate(name, "sparse:p=0.4", spec, backend="numba", **kw)
    assert_close(fast.x, ref.x, what=f"{name} on {spec}")
    assert dom.contains(ref.x.reshape(-1, d), tol=1e-12)
    assert np.min(ref.x) == 0.0  # the projection was active: some coordinate hit the face


def test_ogd_weighted_equals_euclidean():
    """OGD's weights 1/η_t = √t/α are uniform, so Π_{F,√V} is the Euclidean projection."""
    kw = dict(steps=200, d=3, x0=1 / 3, params={"alpha": 0.3}, backend="reference", seed=2)
    a = octk.simulate("ogd", "uniform:low=-2,high=1", "simplex:1", **kw)
    b = octk.simulate("ogd", "uniform:low=-2,high=1", "simplex:1;projection=euclidean", **kw)
    np.testing.assert_allclose(a.x, b.x, rtol=1e-12, atol=1e-15)
