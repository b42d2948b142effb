"""Piecewise losses (octk.sequences.losses.piecewise) and Zhang et al.'s sequence.

The form a piecewise loss must have is checked with a clear error; its gradient is
the derivative of its expression; its comparator is the global minimum of the
round-sum (compared with a dense grid), unbounded exactly where the round-sum is.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from octk import simulate
from octk.domains import domain
from octk.errors import ComparatorError, ParameterError
from octk.regret import comparator, regret
from octk.rules import rule
from octk.sequences import sequence
from octk.sequences.losses import loss
from octk.sequences.losses.piecewise import analyse
from octk.symbols import U

X, S = sp.Symbol("x", real=True), sp.Symbol("s", real=True)
TAIL = loss("linear-quadratic-tail")


@pytest.mark.parametrize(
    ("phi", "match"),
    [
        (S * X, "must be a sympy Piecewise"),
        (sp.Piecewise((S * X, X >= S), (0, True)), "must not depend on s"),
        (sp.Piecewise((S**2 * X, X >= 0), (0, True)), "affine in the signal"),
        (sp.Piecewise((S * X**3, X >= 0), (0, True)), "degree ≤ 2"),
        (sp.Piecewise((S * X + 1, X >= 0), (S * X, True)), "jumps at x = 0"),
        (sp.Piecewise((S * X, X >= 0)), "undefined"),
        (sp.Piecewise((S * X, sp.Ne(X, 0)), (0, True)), "intervals"),
    ],
)
def test_the_form_is_checked(phi, match):
    with pytest.raises(ParameterError, match=match):
        analyse(phi)


def test_expression_is_zhang_et_al_f0_and_fi():
    """ℓ(x, 1+(n−1)a) and ℓ(x, −a) are the issue's f₀ and fᵢ on both sides of −1."""
    n, a = sp.Integer(10), sp.Rational(3, 10)
    c = 1 + (n - 1) * a
    f0, fi = TAIL.expr(X, c), TAIL.expr(X, -a)
    for xv in (-4, sp.Rational(-3, 2), -1, 0, 2):
        above = xv >= -1
        assert f0.subs(X, xv) == (c * xv if above else c / 2 * (xv + 2) ** 2 - 3 * c / 2)
        assert fi.subs(X, xv) == (-a * xv if above else -a / 2 * (xv + 2) ** 2 + 3 * a / 2)
    assert sp.simplify(TAIL.gradient(X, S) - sp.diff(TAIL.expr(X, S), X)) == 0
    assert not TAIL.convex


@pytest.mark.parametrize("spec", ["box:-3,1", "box:-1.5,4", "box:-10,-2.5", "reals"])
def test_closed_form_is_the_global_minimum(spec):
    dom = domain(spec)
    rng = np.random.default_rng(5)
    grid = np.linspace(-12, 12, 240001)
    f = sp.lambdify((X, S), TAIL.expr(X, S), "numpy")
    for _ in range(6):
        Svals = rng.normal(0, 5, size=3)
        n = 7
        cf = comparator(sequence("zhang2022"), dom, {"sum_s": Svals}, n)
        lo, hi = dom.lane_bounds(1)
        pts = grid[(grid >= lo[0]) & (grid <= hi[0])]
        if spec == "reals" and np.any(Svals < 0):  # S·h with S < 0 → −∞ as x → ∞
            assert cf.status == "unbounded" and cf.value == -np.inf
            assert np.all(np.isnan(cf.x) == (Svals < 0))
            continue
        brute = sum(np.min(f(pts, sv)) for sv in Svals)
        assert cf.status == "optimal" and dom.contains(cf.x, tol=0)
        direct = sum(f(xi, sv) for xi, sv in zip(cf.x, Svals, strict=True))
        assert cf.value == pytest.approx(direct, abs=1e-12)
        assert brute - 1e-6 <= cf.value <= brute + 1e-12


@pytest.mark.parametrize("spec", ["ball:1", "ball:3", "simplex:2", "box:-3,1"])
def test_cvxpy_where_convex_else_the_stated_optimum(spec):
    """S ≥ 0: cvxpy's DCP form (pos and pos² per breakpoint) matches a dense search of F
    (d = 2); some S < 0: the round-sum is concave there, so the sequence's x* = −2
    (projected onto F) is the comparator point, status "stated"."""
    seq, dom = sequence("zhang2022"), domain(spec)
    f = sp.lambdify((X, S), TAIL.expr(X, S), "numpy")
    g = np.linspace(-3.2, 3.2, 321)
    P = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)
    P = dom.project(P)  # every point of F is the projection of itself
    for Svals in ([5.0, 2.0], [0.5, 3.0]):
        cv = comparator(seq, dom, {"sum_s": np.array(Svals)}, 7, method="cvxpy")
        brute = np.min(f(P[:, 0], Svals[0]) + f(P[:, 1], Svals[1]))
        assert cv.status == "optimal" and cv.solver != "stated"
        assert brute - 0.1 <= cv.value <= brute + 1e-6
    st = comparator(seq, dom, {"sum_s": np.array([5.0, -1.0])}, 7, method="cvxpy")
    x = dom.project(np.full((1, 2), -2.0))[0]
    assert st.status == "stated" and np.allclose(st.x, x)
    assert st.value == pytest.approx(f(x[0], 5.0) + f(x[1], -1.0), abs=1e-12)
    with pytest.raises(ComparatorError, match="states no optimum"):
        comparator(
            sequence("expr:c=U0-0.5", loss="linear-quadratic-tail"),
            dom,
            {"sum_s": np.array([5.0, -1.0])},
            7,
            method="cvxpy",
        )


def test_gradient_bound():
    seq = sequence("zhang2022:n=10")  # sup |s| = 10; |h'| ≤ 1 on [−3, 1], 2 at −4
    assert seq.gradient_bound(domain("box:-3,1"), 1) == 10.0
    assert seq.gradient_bound(domain("box:-4,1"), 1) == 20.0
    assert seq.gradient_bound(domain("reals"), 1) is None


def test_zhang2022_sequence():
    seq = sequence("zhang2022:n=50,a=0.5")
    assert seq.loss == "linear-quadratic-tail" and seq.optimum == -2.0
    assert seq.support() == (-0.5, 25.5) and seq.signal.free_symbols == {U[0]}
    assert sequence("zhang2022", loss="linear").optimum is None  # not that loss's optimum
    with pytest.raises(ParameterError, match="n must be"):
        sequence("zhang2022:n=1")


def test_zhang2022_run_draws_component_zero_one_time_in_n_and_regret_is_exact():
    """Σ s_t counts the draws: S = n₀(1+(n−1)a) − (T−n₀)a, n₀ ≈ T/n; the comparator of a
    round-sum with S > 0 is x* = −2 exactly (value −3S/2)."""
    r = rule("adam", schedule="sqrt", bias_correction_m=False, bias_correction_v=False)
    T, n = 4000, 10
    traj = simulate(r, f"zhang2022:n={n}", "reals", steps=T, x0=-1.0, seed=np.arange(4))
    S = traj.stats["sum_s"][:, -1, 0]
    n0 = (S + T) / (n + 1)  # a = 1: S = n n₀ − (T − n₀)
    assert np.allclose(n0, np.round(n0)) and np.all(np.abs(n0 / T - 1 / n) < 0.02)
    reg = regret(traj)
    assert np.all(reg.status[:, -1] == "optimal") and np.all(reg.x_star[:, -1, 0] == -2.0)
    assert np.allclose(reg.best[:, -1], -1.5 * S)


def test_cli_run_uses_the_sequence_s_own_loss():
    """``--loss`` defaults to the sequence's own family; naming one switches it."""
    import json

    from click.testing import CliRunner

    from octk.cli import main

    args = [
        "run",
        "--rule",
        "ogd",
        "--sequence",
        "zhang2022:n=10",
        "--domain",
        "reals",
        "--steps",
        "50",
        "--backend",
        "reference",
        "--json",
    ]
    own = json.loads(CliRunner().invoke(main, args).stdout)
    lin = json.loads(CliRunner().invoke(main, [*args, "--loss", "linear"]).stdout)
    assert own["loss"] == "linear-quadratic-tail" and lin["loss"] == "linear"
