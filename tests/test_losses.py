"""Loss families own their behaviour: expressions, statistics, comparator, gradient bound.

Walked from the loss and domain registries: every loss × every domain example
solves its comparator in closed form (where the loss has one there) and with
cvxpy, from statistics computed by the loss's own statistic expressions on
actual signal draws, and both agree with the objective evaluated directly.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from octk.bounds import declared_gradient_bound
from octk.domains import Domain, domain
from octk.errors import ComparatorError, ParameterError
from octk.regret import comparator
from octk.sequences import LOSSES, sequence
from octk.sequences.losses import Loss, loss
from octk.sequences.losses.piecewise import PiecewiseLoss
from octk.symbols import x

EXAMPLES = [spec for cls in Domain.REGISTRY.values() for spec in cls.examples]
SIGNAL = "expr:c=where(U0 < 0.3, 2, where(U0 < 0.6, -1, 0.5))"  # support (-1, 0.5, 2)


def test_registry_and_lookup():
    assert LOSSES[0] == "linear" and set(LOSSES) == set(Loss.REGISTRY)
    assert {"linear", "quadratic", "absolute"} <= set(LOSSES)
    with pytest.raises(ParameterError, match="loss must be one of"):
        loss("hinge")
    for name in LOSSES:
        assert loss(name).name == name and sequence(SIGNAL, loss=name).family is loss(name)


@pytest.mark.parametrize("name", LOSSES)
def test_gradient_is_a_subgradient_of_the_loss(name):
    """ℓ(y) ≥ ℓ(x) + g(x)(y − x) on a grid (convexity with the loss's own gradient);
    a family that declares itself non-convex is checked at s ≥ 0 only."""
    s = sp.Symbol("s", real=True)
    fam = loss(name)
    signals = (-1.0, 0.5, 2.0) if fam.convex else (0.5, 2.0)
    f = sp.lambdify((x, s), fam.expr(x, s), "numpy")
    gfun = sp.lambdify((x, s), fam.gradient(x, s), "numpy")
    pts = np.linspace(-3, 3, 61)
    for sv in signals:
        X, Y = np.meshgrid(pts, pts)
        g = np.broadcast_to(gfun(X, sv), X.shape)
        assert np.all(f(Y, sv) >= f(X, sv) + g * (Y - X) - 1e-12)


def _draw_stats(seq, d, rng, n=120):
    """The statistics of n actual draws of the signal, by the loss's own expressions."""
    support = np.asarray(seq.support())
    draws = rng.choice(support, size=(n, d), p=rng.dirichlet(np.ones(len(support))))
    s = sp.Symbol("s", real=True)
    stats = {}
    for name, expr in seq.family.statistics(s, seq.support()):
        f = sp.lambdify(s, expr, "numpy")
        stats[name] = np.sum(np.broadcast_to(f(draws), draws.shape), axis=0).astype(float)
    total = sp.lambdify((x, s), seq.family.expr(x, s), "numpy")

    def objective(point):
        return float(np.sum(total(point[None, :], draws)))

    return stats, n, objective


@pytest.mark.parametrize("spec", EXAMPLES)
@pytest.mark.parametrize("name", LOSSES)
def test_comparator_closed_form_and_cvxpy_agree_on_every_domain(name, spec):
    seq = sequence(SIGNAL, loss=name)
    dom = domain(spec)
    rng = np.random.default_rng(3)
    for d in (1, 3):
        for _ in range(3):
            stats, n, objective = _draw_stats(seq, d, rng)
            if isinstance(seq.family, PiecewiseLoss) and np.any(stats["sum_s"] < 0):
                # S·h with S < 0 is concave: no DCP form, and this sequence states no x*
                with pytest.raises(ComparatorError, match="states no optimum"):
                    comparator(seq, dom, stats, n, method="cvxpy")
                continue
            cv = comparator(seq, dom, stats, n, method="cvxpy")
            scale = 1 + sum(float(np.sum(np.abs(v))) for v in stats.values()) * 10
            if cv.status == "unbounded":
                assert seq.family.has_closed_form(dom)
                assert comparator(seq, dom, stats, n).status == "unbounded"
                continue
            assert cv.status == "optimal"
            assert objective(cv.x) == pytest.approx(cv.value, abs=1e-6 * scale)
            if not seq.family.has_closed_form(dom):
                assert comparator(seq, dom, stats, n).solver == "CLARABEL"
                continue
            cf = comparator(seq, dom, stats, n, method="closed-form")
            assert cf.status == "optimal" and dom.contains(cf.x, tol=1e-12)
            assert objective(cf.x) == pytest.approx(cf.value, rel=1e-12, abs=1e-9)
            assert cf.value <= cv.value + 1e-7 * scale
            assert cf.value >= cv.value - 1e-7 * scale


@pytest.mark.parametrize(
    ("name", "seq_spec", "spec", "expect"),
    [
        ("linear", "reddi-thm1:C=4", "reals", 4.0),
        ("linear", "uniform:low=-3,high=1", "ball:2", 3.0),
        ("linear", "expr:c=sin(t)", "box:-1,1", None),  # sup |s| unknown
        ("quadratic", "reddi-thm1:C=4", "box:-3,0.5", 2 * (3 + 4)),
        ("quadratic", "reddi-thm1:C=4", "box:0,1;-2,5;4,4.5", 2 * (5 + 4)),
        ("quadratic", "uniform:low=-3,high=1", "ball:2", 2 * (2 + 3)),
        ("quadratic", "uniform:low=-3,high=1", "ball:2;projection=euclidean", 2 * (2 + 3)),
        ("quadratic", "reddi-thm1:C=4", "reals", None),  # unbounded F
        ("quadratic", "reddi-thm1:C=4", "box:-inf,1", None),
        ("absolute", "reddi-thm1:C=4", "reals", 1.0),
        ("absolute", "reddi-thm1:C=4", "ball:2", 1.0),
    ],
)
def test_gradient_bound(name, seq_spec, spec, expect):
    """G∞ ≥ sup |∂f_t/∂x_i| over F: linear sup|s|, quadratic 2(sup_F ‖x‖∞ + sup|s|), absolute 1."""
    seq, dom = sequence(seq_spec, loss=name), domain(spec)
    d = dom.dim() or 3
    assert seq.gradient_bound(dom, d) == expect
    assert declared_gradient_bound(seq, dom, d) == expect  # octk.bounds, until it reads this
