"""Tests of octk.regret: closed forms vs cvxpy vs brute force, Reddi's Theorem 1, edge cases.

Tolerances. CLARABEL stops at a relative duality gap and feasibility of 1e-8
(its defaults). octk.regret scales every parameter to O(1) before solving and
rescales the value, so the cvxpy value agrees with the closed form to ~1e-8 of
the problem's *scale*; we assert 1e-7 · scale (a 10x margin), with scale = the
sum of |terms| that make the objective (Σ|S_i|·max|x|, n·Σ(1+m_i²), Σ n_ij(1+|a_j|)).
Minimisers are compared only where they are unique: linear 1e-6 (a vertex;
observed ≤ 3e-8); quadratic 1e-4, since strong convexity only gives
‖x̂ − x*‖² ≤ f(x̂) − f* ≈ 1e-8 (observed ≤ 3e-6).
"""

from __future__ import annotations

import importlib
import math

import cvxpy as cp
import numpy as np
import pytest

from octk.domains import Ball, Box, domain
from octk.errors import ComparatorError, ComparatorWarning, ParameterError, UnknownNameError
from octk.regret import Comparator, Regret, comparator, regret
from octk.rules import rule as make_rule
from octk.sequences import sequence
from octk.simulate import simulate
from octk.trajectory import Trajectory

# the module (octk.regret is also the name of the function octk re-exports)
R = importlib.import_module("octk.regret")

LIN = sequence("reddi-thm1:C=3")
QUAD = sequence("uniform:low=-2,high=2", loss="quadratic")
ABS = sequence("reddi-thm1", loss="absolute")  # support (-1, 3)
ADAM = {"beta1": 0.0, "beta2": 0.1, "alpha": 0.1}


# --------------------------------------------------------------------------- helpers
def random_stats(seq, d, rng, n=200):
    """Consistent statistics of n random losses (from actual signal draws)."""
    if seq.loss == "linear":
        s = rng.normal(size=(n, d)) * rng.uniform(0.1, 10)
        return {"sum_s": s.sum(0)}, n
    if seq.loss == "quadratic":
        s = rng.normal(loc=rng.normal(size=d) * 2, size=(n, d))
        return {"sum_s": s.sum(0), "sum_ss": (s * s).sum(0)}, n
    a = np.asarray(seq.support())
    idx = rng.choice(len(a), size=(n, d), p=rng.dirichlet(np.ones(len(a))))
    return {f"count_{k}": (idx == k).sum(0).astype(float) for k in range(len(a))}, n


def objective(seq, stats, n, xs):
    """Σ_t f_t(x) from the statistics, at points xs (..., d)."""
    if seq.loss == "linear":
        return np.sum(stats["sum_s"] * xs, axis=-1)
    if seq.loss == "quadratic":
        return np.sum(n * xs**2 - 2 * stats["sum_s"] * xs + stats["sum_ss"], axis=-1)
    a = seq.support()
    return sum(np.sum(stats[f"count_{k}"] * np.abs(xs - a[k]), axis=-1) for k in range(len(a)))


def scale(seq, stats, n, dom, d):
    if seq.loss == "linear":
        r = dom.radius if isinstance(dom, Ball) else 1 + np.max(np.abs(dom.bounds(d)))
        return 1 + np.sum(np.abs(stats["sum_s"])) * r
    if seq.loss == "quadratic":
        return 1 + n * np.sum(1 + (stats["sum_s"] / n) ** 2)
    a = np.abs(np.asarray(seq.support()))
    return 1 + sum(np.sum(stats[f"count_{k}"]) * (1 + a[k]) for k in range(len(a)))


def fake_traj(seq, dom, t, stats, loss):
    """A hand-built Trajectory (C, K, d) with the given statistics and played loss."""
    C, K, d = next(iter(stats.values())).shape
    return Trajectory(
        rule=make_rule("adam"),
        sequence=seq,
        domain=domain(dom),
        backend="test",
        steps=int(t[-1]),
        t=np.asarray(t),
        x=np.zeros((C, K, d)),
        loss=np.asarray(loss, dtype=float),
        stats=stats,
        x0=np.zeros((C, d)),
        params={},
        seeds=np.zeros(C, dtype=np.uint64),
    )


# --------------------------------------------------------------------------- cvxpy vs closed form
def per_coordinate_box(d):
    """Different bounds for every coordinate (some excluding 0, some only negative)."""
    rng = np.random.default_rng(d)
    lo = rng.uniform(-3, 1, size=d)
    return Box(lo, lo + rng.uniform(0.2, 3, size=d))


def _case_id(v):
    return getattr(v, "loss", None) or getattr(v, "__name__", str(v))


CASES = [
    (LIN, "box:-1,2"),
    (LIN, per_coordinate_box),
    (LIN, "ball:1.5"),
    (QUAD, "box:-0.5,1"),
    (QUAD, per_coordinate_box),
    (QUAD, "ball:0.7"),
    (QUAD, "reals"),
    (ABS, "box:-0.5,0.5"),
    (ABS, per_coordinate_box),
    (ABS, "reals"),
    (sequence("reddi-thm2:C=5", loss="absolute"), "box:0,4"),  # support (-1, 5)
]


@pytest.mark.parametrize("d", [1, 3, 7])
@pytest.mark.parametrize(("seq", "dom"), CASES, ids=_case_id)
def test_cvxpy_matches_closed_form(seq, dom, d):
    dom = dom(d) if callable(dom) else domain(dom)
    rng = np.random.default_rng(1234 + d)
    for _ in range(4):
        stats, n = random_stats(seq, d, rng)
        cf = comparator(seq, dom, stats, n, method="closed-form")
        cv = comparator(seq, dom, stats, n, method="cvxpy")
        assert comparator(seq, dom, stats, n).solver == "closed-form"  # auto
        assert cf.solver == "closed-form" and cv.solver == "CLARABEL"
        assert cf.status == cv.status == "optimal"
        assert abs(cv.value - cf.value) <= 1e-7 * scale(seq, stats, n, dom, d)
        # the closed-form x* is feasible and attains its value
        assert dom.contains(cf.x, tol=1e-12)
        assert objective(seq, stats, n, cf.x) == pytest.approx(cf.value, rel=1e-12, abs=1e-9)
        if seq.loss != "absolute":  # unique minimiser (S ≠ 0 a.s. for linear)
            np.testing.assert_allclose(cv.x, cf.x, atol=1e-4 if seq.loss == "quadratic" else 1e-6)


def test_linear_reals_closed_form_and_cvxpy():
    for S in ([0.0, 0.0], [1.0, 0.0], [0.0, -1e-3]):
        stats = {"sum_s": np.array(S)}
        cf = comparator(LIN, "reals", stats, 5, method="closed-form")
        cv = comparator(LIN, "reals", stats, 5, method="cvxpy")
        expect = "optimal" if not any(S) else "unbounded"
        assert cf.status == cv.status == expect
        assert cf.value == cv.value == (0.0 if expect == "optimal" else -math.inf)
        if expect == "unbounded":
            assert np.all(np.isnan(cf.x)) and np.all(np.isnan(cv.x))


def test_linear_zero_coefficient_picks_clip_of_zero():
    c = comparator(LIN, Box(np.array([0.5, -2.0]), np.array([1.0, -1.0])), {"sum_s": [0.0, 0.0]}, 3)
    np.testing.assert_array_equal(c.x, [0.5, -1.0])
    assert c.value == 0.0
    b = comparator(LIN, "ball:2", {"sum_s": [0.0, 0.0]}, 3)
    np.testing.assert_array_equal(b.x, [0.0, 0.0])
    assert b.value == 0.0


def test_linear_ball_formula():
    S = np.array([3.0, -4.0])
    c = comparator(LIN, "ball:2", {"sum_s": S}, 10)
    np.testing.assert_allclose(c.x, -2 * S / 5)
    assert c.value == pytest.approx(-10.0)


def test_absolute_on_ball_uses_cvxpy_and_matches_grid():
    rng = np.random.default_rng(7)
    stats, n = random_stats(ABS, 2, rng)
    c = comparator(ABS, "ball:1", stats, n)
    assert c.solver == "CLARABEL" and c.status == "optimal"
    g = np.linspace(-1, 1, 801)
    pts = np.stack(np.meshgrid(g, g), -1).reshape(-1, 2)
    pts = pts[np.sum(pts**2, -1) <= 1]
    grid_min = objective(ABS, stats, n, pts).min()
    lip = sum(stats.values()).sum()  # |∂f/∂x_i| ≤ Σ_j n_ij
    assert c.value <= grid_min + 1e-7 * scale(ABS, stats, n, Ball(1), 2)
    assert c.value >= grid_min - lip * (g[1] - g[0])
    assert objective(ABS, stats, n, c.x) == pytest.approx(c.value, rel=1e-6)


# --------------------------------------------------------------------------- brute force
@pytest.mark.parametrize("seq", [LIN, QUAD, ABS], ids=lambda s: s.loss)
def test_closed_form_vs_dense_grid(seq):
    """min over a 200 001-point grid of [lo, hi] is within L·h/2 of the closed form."""
    rng = np.random.default_rng(99)
    lo, hi = -1.5, 2.0
    grid = np.linspace(lo, hi, 200_001)[:, None]
    h = grid[1, 0] - grid[0, 0]
    for _ in range(20):
        stats, n = random_stats(seq, 1, rng, n=int(rng.integers(1, 60)))
        if seq.loss == "quadratic" and rng.random() < 0.5:  # mean outside the box too
            stats = {"sum_s": stats["sum_s"] + 4 * n, "sum_ss": stats["sum_ss"]}
            stats["sum_ss"] = stats["sum_ss"] + 8 * (stats["sum_s"] - 4 * n) + 16 * n
        c = comparator(seq, f"box:{lo},{hi}", stats, n, method="closed-form")
        f = objective(seq, stats, n, grid)
        if seq.loss == "linear":
            lip = abs(stats["sum_s"][0])
        elif seq.loss == "quadratic":
            lip = 2 * n * max(abs(lo), abs(hi)) + 2 * abs(stats["sum_s"][0])
        else:
            lip = sum(v[0] for v in stats.values())
        assert c.value <= f.min() + 1e-9 * (1 + abs(f.min()))
        assert c.value >= f.min() - lip * h / 2 - 1e-9 * (1 + abs(f.min()))
        assert abs(c.x[0] - grid[np.argmin(f), 0]) <= h or seq.loss == "absolute"


# --------------------------------------------------------------------------- real trajectories
def test_reddi_theorem1_comparator():
    """Adam on RKK's Theorem 1 sequence, box [-1, 1]: S(T) > 0, x* = −1, min = −S(T)."""
    traj = simulate(
        "adam", "reddi-thm1:C=3", "box:-1,1", steps=300, params=ADAM, backend="reference"
    )
    r = regret(traj)
    assert isinstance(r, Regret) and r.solver == "closed-form"
    T = traj.t
    big = np.ceil(T / 3)  # steps with t mod 3 = 1 contribute 3, the others −1
    S = 3 * big - (T - big)
    np.testing.assert_array_equal(traj.stats["sum_s"][0, :, 0], S)
    assert np.all(S > 0)
    np.testing.assert_array_equal(r.x_star[0, :, 0], -1.0)
    np.testing.assert_array_equal(r.best[0], -S)
    np.testing.assert_array_equal(r.status, "optimal")
    np.testing.assert_allclose(r.regret, traj.loss + S)
    np.testing.assert_allclose(r.average, r.regret / T)
    rc = regret(traj, method="cvxpy")
    assert rc.solver == "CLARABEL"
    np.testing.assert_allclose(rc.best, r.best, rtol=1e-7)
    np.testing.assert_allclose(rc.x_star, r.x_star, atol=1e-6)


def test_unbounded_linear_on_reals_gives_infinite_regret():
    traj = simulate("adam", "reddi-thm1:C=3", "reals", steps=50, params=ADAM, backend="reference")
    for method in ("auto", "cvxpy"):
        r = regret(traj, method=method)
        np.testing.assert_array_equal(r.status, "unbounded")
        np.testing.assert_array_equal(r.best, -np.inf)
        np.testing.assert_array_equal(r.regret, np.inf)
        assert np.all(np.isnan(r.x_star))


def test_infinite_box_bound():
    half = Box(np.array([-np.inf]), np.array([1.0]))
    for method in ("closed-form", "cvxpy"):
        up = comparator(LIN, half, {"sum_s": [2.0]}, 4, method=method)  # wants x → −inf
        assert up.status == "unbounded" and up.value == -math.inf
        down = comparator(LIN, half, {"sum_s": [-2.0]}, 4, method=method)  # wants x = hi
        assert down.status == "optimal"
        assert down.x[0] == pytest.approx(1.0, abs=1e-7) and down.value == pytest.approx(-2.0)
        q = comparator(QUAD, half, {"sum_s": [-20.0], "sum_ss": [100.0]}, 4, method=method)
        assert q.x[0] == pytest.approx(-5.0, abs=1e-6) and q.value == pytest.approx(0.0, abs=1e-6)
    # mixed: one finite coordinate, one unbounded → the whole problem is unbounded
    mixed = Box(np.array([-1.0, -np.inf]), np.array([1.0, 1.0]))
    assert comparator(LIN, mixed, {"sum_s": [1.0, 1.0]}, 2).status == "unbounded"
    traj = simulate(
        "adam", "reddi-thm1:C=3", "box:-inf,1", steps=30, params=ADAM, backend="reference"
    )
    np.testing.assert_array_equal(regret(traj).regret, np.inf)


def test_comparator_cost_is_independent_of_T(monkeypatch):
    """The comparator reads per-coordinate sums (numbers that grow like T), never T-long data."""
    shapes = {}
    for steps in (30, 3000):
        traj = simulate(
            "adam", "reddi-thm1:C=3", "box:-1,1", steps=steps, params=ADAM, backend="reference"
        )
        shapes[steps] = traj.stats["sum_s"].shape
        assert traj.stats["sum_s"][0, -1, 0] == 3 * math.ceil(steps / 3) - (
            steps - math.ceil(steps / 3)
        )
    assert shapes[30][0] == shapes[3000][0] and shapes[30][2] == shapes[3000][2] == 1
    # T = 10^12 from the same one-number statistic, closed form and cvxpy alike
    T = 10**12
    S = 3 * math.ceil(T / 3) - (T - math.ceil(T / 3))
    for method in ("closed-form", "cvxpy"):
        c = comparator(LIN, "box:-1,1", {"sum_s": [float(S)]}, T, method=method)
        assert c.value == pytest.approx(-S, rel=1e-9)
    # cvxpy: one problem built per (loss, domain, d, support), re-solved for every checkpoint
    built = []
    orig = R._Problem.__init__

    def counting(self, *a, **k):
        built.append(a)
        orig(self, *a, **k)

    monkeypatch.setattr(R, "_PROBLEMS", {})
    monkeypatch.setattr(R._Problem, "__init__", counting)
    rng = np.random.default_rng(3)
    t = np.array([10, 20, 40, 80])
    stats = {f"count_{k}": rng.integers(0, 10, size=(3, 4, 2)).astype(float) for k in range(2)}
    traj = fake_traj(ABS, "ball:1", t, stats, np.zeros((3, 4)))
    regret(traj)
    regret(traj)
    assert len(built) == 1


# --------------------------------------------------------------------------- batches
def test_vectorised_batch_matches_single_solves():
    rng = np.random.default_rng(11)
    C, K, d = 2000, 150, 2
    t = np.arange(1, K + 1) * 7
    for seq, dom in [(LIN, "box:-1,2"), (LIN, "ball:1"), (QUAD, "ball:1"), (ABS, "box:-2,2")]:
        if seq.loss == "linear":
            stats = {"sum_s": rng.normal(size=(C, K, d)) * t[:, None]}
        elif seq.loss == "quadratic":
            S = rng.normal(size=(C, K, d)) * t[:, None]
            stats = {
                "sum_s": S,
                "sum_ss": S**2 / t[:, None] + rng.uniform(size=(C, K, d)) * t[:, None],
            }
        else:
            stats = {
                f"count_{k}": rng.integers(0, 7, size=(C, K, d)).astype(float) for k in range(2)
            }
        played = rng.normal(size=(C, K))
        r = regret(fake_traj(seq, dom, t, stats, played))
        assert r.best.shape == r.status.shape == (C, K) and r.x_star.shape == (C, K, d)
        np.testing.assert_array_equal(r.regret, played - r.best)
        for c, k in rng.integers(0, [C, K], size=(5, 2)):
            one = comparator(seq, dom, {n: v[c, k] for n, v in stats.items()}, int(t[k]))
            assert r.best[c, k] == pytest.approx(one.value, rel=1e-12, abs=1e-12)
            np.testing.assert_allclose(r.x_star[c, k], one.x, rtol=1e-12)


def test_regret_at_subset_and_absolute_on_ball_through_regret():
    rng = np.random.default_rng(5)
    t = np.array([3, 9, 27])
    stats = {f"count_{k}": rng.integers(0, 9, size=(2, 3, 2)).astype(float) for k in range(2)}
    traj = fake_traj(ABS, "ball:1", t, stats, np.full((2, 3), 50.0))
    r = regret(traj, at=[9, 27])
    assert r.solver == "CLARABEL"
    np.testing.assert_array_equal(r.t, [9, 27])
    assert r.best.shape == (2, 2)
    one = comparator(ABS, "ball:1", {n: v[1, 2] for n, v in stats.items()}, 27)
    assert r.best[1, 1] == pytest.approx(one.value, rel=1e-9)
    with pytest.raises(ParameterError, match="at"):
        regret(traj, at=[4])
    with pytest.raises(ParameterError, match="closed form"):
        regret(traj, method="closed-form")


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize("bad", ["exact", "CVXPY", "closed_form", ""])
def test_bad_method_names_the_parameter(bad):
    traj = fake_traj(
        LIN, "box:-1,1", np.array([1]), {"sum_s": np.ones((1, 1, 1))}, np.zeros((1, 1))
    )
    for call in (
        lambda: regret(traj, method=bad),
        lambda: comparator(LIN, "box:-1,1", {"sum_s": [1.0]}, 1, method=bad),
    ):
        with pytest.raises((ParameterError, UnknownNameError), match="method"):
            call()


def test_bad_stats_and_n():
    with pytest.raises(ParameterError, match="sum_ss"):
        comparator(QUAD, "reals", {"sum_s": [1.0]}, 3)
    with pytest.raises(ParameterError, match="n"):
        comparator(LIN, "reals", {"sum_s": [1.0]}, -1)
    with pytest.raises(ParameterError, match="finite"):
        comparator(LIN, "reals", {"sum_s": [np.nan]}, 1)
    with pytest.raises(ParameterError, match="non-negative"):
        comparator(ABS, "ball:1", {"count_0": [-1.0], "count_1": [2.0]}, 1)


@pytest.mark.parametrize(("seq", "dom"), [(LIN, "box:-1,1"), (QUAD, "reals"), (ABS, "ball:1")])
def test_non_finite_statistics_give_nan_not_a_crash(seq, dom):
    rng = np.random.default_rng(2)
    stats, n = random_stats(seq, 2, rng)
    full = {k: np.tile(v, (2, 2, 1)) for k, v in stats.items()}
    next(iter(full.values()))[1, 0, 0] = np.nan
    r = regret(fake_traj(seq, dom, np.array([n, n]), full, np.zeros((2, 2))))
    assert r.status[1, 0] == "nan" and np.isnan(r.best[1, 0]) and np.all(np.isnan(r.x_star[1, 0]))
    ok = comparator(seq, dom, stats, n)
    assert np.all(r.status[[0, 0, 1], [0, 1, 1]] == "optimal")
    np.testing.assert_allclose(r.best[[0, 0, 1], [0, 1, 1]], ok.value)


def test_solver_error_is_wrapped(monkeypatch):
    prob = R._problem(ABS, domain("ball:1"), 1)

    def boom(*a, **k):
        raise cp.error.SolverError("synthetic failure")

    monkeypatch.setattr(prob.problem, "solve", boom)
    with pytest.raises(ComparatorError, match="Try method='closed-form'"):
        comparator(ABS, "ball:1", {"count_0": [1.0], "count_1": [2.0]}, 3)


def test_failed_and_inaccurate_statuses(monkeypatch):
    stats = {"count_0": [1.0], "count_1": [2.0]}

    def fake(status):
        def solve(self, stats, n, where):
            return np.zeros(self.d), 1.0, status, "CLARABEL"

        return solve

    monkeypatch.setattr(R._Problem, "solve", fake("user_limit"))
    with pytest.raises(ComparatorError, match=r"user_limit.*n = 3"):
        comparator(ABS, "ball:1", stats, 3)
    traj = fake_traj(
        ABS,
        "ball:1",
        np.array([3]),
        {k: np.array(v)[None, None] for k, v in stats.items()},
        np.zeros((1, 1)),
    )
    with pytest.raises(ComparatorError, match=r"user_limit.*checkpoint t = 3"):
        regret(traj)
    monkeypatch.setattr(R._Problem, "solve", fake("optimal_inaccurate"))
    with pytest.warns(ComparatorWarning):
        c = comparator(ABS, "ball:1", stats, 3)
    assert isinstance(c, Comparator) and c.status == "optimal_inaccurate"
    with pytest.warns(ComparatorWarning, match="1 of 1"):
        r = regret(traj)
    assert r.status[0, 0] == "optimal_inaccurate"
