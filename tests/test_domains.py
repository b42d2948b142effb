"""Domains own their behaviour: spec parsing, projections (Euclidean and RKK's weighted
Π_{F,√V}), the kernel routines, the comparator pieces and the analysis hypothesis.

Walked from the registry where the property is general (every domain's examples);
the weighted projections are checked for optimality against their KKT conditions
and against cvxpy on random instances.
"""

from __future__ import annotations

import cvxpy as cp
import numpy as np
import pytest

import octk
from octk.backends.program import W, for_domain, lower
from octk.domains import DOMAINS, Domain, domain
from octk.domains.base import guard_weights, guard_weights_np
from octk.errors import ParameterError, UnknownNameError
from octk.rules import rule
from octk.sequences import sequence

EXAMPLES = [spec for cls in Domain.REGISTRY.values() for spec in cls.examples]


def _rows(d, rng, n=30, scale=2.0):
    return rng.normal(size=(n, d)) * scale


def _group(dom: Domain, y: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """Run the domain's kernel projection (the plain-Python source the kernel pastes) row by row."""
    proj = dom.kernel_projection()
    lo, hi = dom.lane_bounds(y.shape[-1])
    out = y.copy()
    if proj.lane:
        for r in range(out.shape[0]):
            for j in range(out.shape[1]):
                env = {"xn": out[r, j], "lo": lo, "hi": hi, "j": j}
                exec(proj.lane, {}, env)
                out[r, j] = env["xn"]
    if proj.group is not None:
        name, functions = proj.group
        ns = {f.__name__: f for f in functions}
        for r in range(out.shape[0]):
            ww = np.ones(y.shape[-1]) if w is None else w[r].copy()
            ns[name](out[r], lo, hi, ww)
    return out


# --------------------------------------------------------------------------- registry, specs
def test_registry_lists_every_domain_with_usage_and_examples():
    assert set(DOMAINS) == set(Domain.REGISTRY) >= {"box", "reals", "ball"}
    for kind, cls in Domain.REGISTRY.items():
        assert cls.usage.startswith(kind) and cls.examples
        for spec in cls.examples:
            dom = domain(spec)
            assert isinstance(dom, cls) and domain(dom.spec()).spec() == dom.spec()
            assert getattr(octk.domains, cls.__name__) is cls


@pytest.mark.parametrize(
    ("spec", "expect"),
    [
        ("ball:2", "ball:2"),
        ("ball:2;projection=weighted", "ball:2"),
        ("ball:2;projection=euclidean", "ball:2;projection=euclidean"),
        ("ball;projection=euclidean", "ball:1;projection=euclidean"),
        ("box:0,1;-2,2;projection=euclidean", "box:0,1;-2,2;projection=euclidean"),
        ("box:-inf,1", "box:-inf,1"),
    ],
)
def test_spec_round_trip(spec, expect):
    assert domain(spec).spec() == expect


@pytest.mark.parametrize(
    ("spec", "err", "match"),
    [
        ("ball:1;projection=mahalanobis", ParameterError, "projection must be one of"),
        ("ball:1;radius=2", UnknownNameError, "unknown option of domain 'ball' 'radius'"),
        ("ball:1;2", ParameterError, "one radius"),
        ("reals;projection=euclidean", ParameterError, "domain 'reals' takes no options"),
    ],
)
def test_bad_options_name_the_parameter(spec, err, match):
    with pytest.raises(err, match=match):
        domain(spec)


# --------------------------------------------------------------------------- geometry
@pytest.mark.parametrize("spec", EXAMPLES)
@pytest.mark.parametrize("d", [1, 2, 5])
def test_projection_is_feasible_idempotent_and_matches_the_kernel_routine(spec, d):
    dom = domain(spec)
    rng = np.random.default_rng(d)
    y = _rows(d, rng)
    w = rng.uniform(0.05, 5.0, size=y.shape)
    for weights in (None, w):
        p = dom.project(y, weights)
        assert dom.contains(p, tol=1e-12)
        np.testing.assert_allclose(dom.project(p, weights), p, rtol=1e-12, atol=1e-12)
        inside = np.array([dom.contains(row) for row in y])
        np.testing.assert_array_equal(p[inside], y[inside])  # points of F stay put
        kernel = _group(dom, y, weights if dom.reads_weights else None)
        expect = p if dom.reads_weights or weights is None else dom.project(y)
        np.testing.assert_allclose(kernel, expect, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("spec", EXAMPLES)
def test_uniform_weights_give_the_euclidean_projection(spec):
    dom = domain(spec)
    y = _rows(4, np.random.default_rng(5))
    for scale in (1.0, 7.5):
        np.testing.assert_allclose(
            dom.project(y, np.full(y.shape, scale)), dom.project(y), rtol=1e-13, atol=1e-15
        )


@pytest.mark.parametrize("spec", EXAMPLES)
def test_weighted_projection_is_the_weighted_argmin(spec):
    """project(y, w) = argmin_{x∈F} Σ w_i (x_i − y_i)², against cvxpy with the domain's own
    constraints, weights over five decades (on a box: the clip is this argmin, as stated).

    The minimisers are not compared: with weights e^−6 the solver's x is loose in the
    light coordinates; its objective value is tight."""
    dom = domain(spec)
    rng = np.random.default_rng(17)
    for d in (2, 3, 8):
        for _ in range(6):
            y = rng.normal(size=d) * rng.uniform(1, 20)
            w = np.exp(rng.uniform(-6, 6, size=d))
            x = dom.project(y[None], w[None])[0]
            v = cp.Variable(d)
            objective = cp.sum(cp.multiply(w, cp.square(v - y)))
            cp.Problem(cp.Minimize(objective), dom.cvxpy_constraints(v, d)).solve(solver="CLARABEL")
            fx, fv = float(np.sum(w * (x - y) ** 2)), float(np.sum(w * (v.value - y) ** 2))
            # feasible and no worse than the solver's optimum: optimal to the solver's accuracy
            assert dom.contains(x, tol=1e-12) and fx <= fv * (1 + 1e-7) + 1e-9


def test_weighted_ball_satisfies_kkt():
    """Ball: w_i (x_i − y_i) + μ x_i = 0 with one μ > 0 for every i, and ‖x‖ = R."""
    rng = np.random.default_rng(23)
    R = 1.3
    dom = domain(f"ball:{R}")
    for d in (2, 3, 8):
        for _ in range(10):
            y = rng.normal(size=d) * rng.uniform(2, 20)
            w = np.exp(rng.uniform(-6, 6, size=d))
            x = dom.project(y[None], w[None])[0]
            assert np.linalg.norm(x) == pytest.approx(R, rel=1e-13)
            mu = guard_weights_np(w) * (y - x) / x
            assert np.all(mu > 0)
            np.testing.assert_allclose(mu, np.median(mu), rtol=1e-9)


def test_weight_guard_rule():
    w = np.array([[0.0, 2.0, np.inf, 4.0, np.nan], [0.0, 0.0, -1.0, np.inf, np.nan]])
    expect = np.array([[1.0, 0.5, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0, 1.0]])
    np.testing.assert_array_equal(guard_weights_np(w), expect)
    for r in range(2):
        row = w[r].copy()
        guard_weights(row)
        np.testing.assert_array_equal(row, expect[r])


def test_box_and_reals_ignore_weights_and_say_why():
    rng = np.random.default_rng(2)
    y, w = _rows(3, rng), rng.uniform(0.1, 10, size=(30, 3))
    for spec in ("box:-1,0.5", "box:-1,0.5;projection=euclidean", "reals"):
        dom = domain(spec)
        np.testing.assert_array_equal(dom.project(y, w), dom.project(y))
        assert not dom.reads_weights
    assert "clip" in domain("box:-1,1").analysis_projection(True)[1]


def test_analysis_projection_hypothesis():
    assert domain("ball:1").analysis_projection(True)[0]
    assert domain("ball:1").analysis_projection(False)[0]
    ok, why = domain("ball:1;projection=euclidean").analysis_projection(True)
    assert not ok and "projection=weighted" in why
    assert domain("ball:1;projection=euclidean").analysis_projection(False)[0]
    for spec in EXAMPLES:
        ok, why = domain(spec).analysis_projection(True)
        assert isinstance(ok, bool) and why.startswith(spec.split(":")[0].split(";")[0])


# --------------------------------------------------------------------------- weights in the program
def test_weights_are_read_from_the_program():
    r = rule("amsgrad")
    prog = lower(r, sequence("uniform"), weights=True)
    assert prog.weighted and prog.assignments[-1] == (W, r.inverse_effective_step())
    plain = lower(r, sequence("uniform"))
    assert not plain.weighted and for_domain(plain, domain("box:-1,1")) is plain
    assert for_domain(plain, domain("ball:1;projection=euclidean")) is plain
    assert for_domain(plain, domain("ball:1")).weighted
    from octk.backends import get_backend

    for name in ("reference", "numba"):  # lanes laid out without weights: refused, not re-lowered
        with pytest.raises(ParameterError, match="without the projection weights"):
            get_backend(name).compile(plain, domain("ball:1"))


def test_ogd_weighted_equals_euclidean_and_adam_does_not():
    """OGD's weights 1/η_t = √t/α are uniform: Π_{F,√V} is the Euclidean projection."""
    kw = dict(steps=300, d=3, x0=0.0, params={"alpha": 0.3}, backend="reference", seed=4)
    seq = "uniform:low=-2,high=1"
    a = octk.simulate("ogd", seq, "ball:0.5", **kw)
    b = octk.simulate("ogd", seq, "ball:0.5;projection=euclidean", **kw)
    np.testing.assert_allclose(a.x, b.x, rtol=1e-12, atol=1e-14)
    a = octk.simulate("adam", "sparse:p=0.3", "ball:0.5", **kw)
    b = octk.simulate("adam", "sparse:p=0.3", "ball:0.5;projection=euclidean", **kw)
    assert np.max(np.abs(a.x - b.x)) > 1e-3
    assert domain("ball:0.5").contains(a.x[0], tol=1e-12)


# --------------------------------------------------------------------------- comparator pieces
@pytest.mark.parametrize("spec", EXAMPLES)
def test_min_linear_matches_cvxpy_and_attains_its_value(spec):
    dom = domain(spec)
    rng = np.random.default_rng(8)
    for d in (1, 3):
        S = rng.normal(size=(6, d))
        x, value, status = dom.min_linear(S)
        for k in range(S.shape[0]):
            v = cp.Variable(d)
            prob = cp.Problem(cp.Minimize(S[k] @ v), dom.cvxpy_constraints(v, d))
            prob.solve(solver="CLARABEL")
            if status[k] == "unbounded":
                assert prob.status == "unbounded" and value[k] == -np.inf
                continue
            assert status[k] == "optimal" and dom.contains(x[k], tol=1e-12)
            assert S[k] @ x[k] == pytest.approx(value[k], rel=1e-12, abs=1e-12)
            assert value[k] == pytest.approx(prob.value, rel=1e-7, abs=1e-7)


@pytest.mark.parametrize("spec", EXAMPLES)
def test_diameters_and_coordinate_bound_against_samples(spec):
    """D, D∞ and sup ‖x‖∞ bound (and nearly reach) those of projected random points."""
    dom = domain(spec)
    d = 3
    D, Dinf = dom.diameter(d)
    r = dom.coordinate_bound(d)
    widths = dom.coordinate_widths(d)
    assert widths.shape == (d,) and np.max(widths) == Dinf
    pts = dom.project(_rows(d, np.random.default_rng(1), n=2000, scale=50.0))
    diff = pts[:, None, :] - pts[None, :, :]
    assert np.max(np.linalg.norm(diff, axis=-1)) <= D * (1 + 1e-12)
    assert np.max(np.abs(diff)) <= Dinf * (1 + 1e-12)
    assert np.all(np.max(np.abs(diff), axis=(0, 1)) <= widths * (1 + 1e-12))
    assert np.max(np.abs(pts)) <= r * (1 + 1e-12)
    if np.isfinite(D):
        assert np.max(np.abs(pts)) >= 0.9 * r and np.max(np.abs(diff)) >= 0.9 * Dinf
        assert np.all(np.max(np.abs(diff), axis=(0, 1)) >= 0.9 * widths)


def test_weights_follow_the_program_not_the_name():
    """A renamed copy of AMSGrad's program projects exactly as AMSGrad does."""
    from dataclasses import replace

    kw = dict(steps=200, d=3, x0=0.0, params={"alpha": 0.5}, backend="reference", seed=3)
    mine = replace(rule("amsgrad"), name="my-method")
    a = octk.simulate("amsgrad", "sparse:p=0.3", "ball:0.4", **kw)
    b = octk.simulate(mine, "sparse:p=0.3", "ball:0.4", **kw)
    np.testing.assert_array_equal(a.x, b.x)
    assert lower(mine, sequence("uniform"), weights=True).assignments[-1][1] == (
        rule("amsgrad").inverse_effective_step()
    )


@pytest.mark.parametrize("spec", EXAMPLES)
def test_projection_is_scale_free_in_the_weights_and_permutation_equivariant(spec):
    """Π_{F,√V} is unchanged by a per-configuration factor c·w (RKK's α_t), and permuting
    the coordinates of y and w permutes the projection (F is symmetric in them)."""
    dom = domain(spec)
    if dom.dim() is not None:
        return
    rng = np.random.default_rng(12)
    y = _rows(5, rng)
    w = np.exp(rng.uniform(-4, 4, size=y.shape))
    c = np.exp(rng.uniform(-8, 8, size=(y.shape[0], 1)))
    p = dom.project(y, w)
    np.testing.assert_allclose(dom.project(y, c * w), p, rtol=1e-12, atol=1e-13)
    perm = rng.permutation(5)
    np.testing.assert_allclose(dom.project(y[:, perm], w[:, perm]), p[:, perm], atol=1e-13)
