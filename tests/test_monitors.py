"""Monitors: each constructor against a NumPy recomputation, backends agree, bad input.

The recomputations read a ``checkpoints="all"`` trajectory: the played iterate is
x_1 = x0, x_{t+1} = ``traj.x[:, t-1]``; the gradients of a linear loss are the
signal, recomputed from the sequence's definition (and, for random sequences,
from the counter-based draws of :mod:`octk.random`).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from conftest import assert_close, fast_backends

from octk.bounds import bound_monitors
from octk.errors import ParameterError
from octk.monitors import (
    Monitor,
    count,
    first,
    gamma_monitors,
    last,
    running_max,
    running_min,
    running_sum,
)
from octk.random import uniform_np
from octk.rules import SPECS, rule
from octk.rules.anatomy import NotInProgram
from octk.simulate import simulate
from octk.symbols import g, x

T = 300


def played(traj):
    """(C, T, d) the iterate x_t played at t = 1..T."""
    return np.concatenate([traj.x0[:, None, :], traj.x[:, :-1, :]], axis=1)


def uniform_grads(seeds, steps, d, low=-1.0, high=1.0):
    """(C, T, d) the signal of sequence ``uniform`` (U0 of seed, t, i)."""
    out = np.empty((len(seeds), steps, d))
    for c, s in enumerate(seeds):
        for t in range(1, steps + 1):
            u = uniform_np(np.full(d, s, dtype=np.uint64), t, np.arange(d), 0)
            out[c, t - 1] = low + (high - low) * u
    return out


@pytest.fixture(scope="module")
def ogd_uniform():
    """OGD on uniform losses in d = 2, three seeds, reals (so x_{t+1} = x_t − α_t g_t)."""
    mons = [
        running_sum("sg2", g**2),
        running_max("gmax", sp.Abs(g)),
        running_min("xmin", x),
        running_max("xmax", "x"),
        last("step", "delta"),
        count("npos", "g > 0"),
        first("xbig", x > 0.2),
        # reads px before px's update (x_{t−1}), then px is updated to x_t
        Monitor("dx", "x - px"),
        last("px", "x"),
        running_sum("sum_dx", "dx"),  # listed after dx: sees dx's new value
    ]
    seeds = np.array([1, 2, 3])
    traj = simulate(
        rule("ogd"),
        "uniform",
        "reals",
        steps=T,
        d=2,
        seed=seeds,
        x0=0.1,
        params={"alpha": 0.2},
        checkpoints="all",
        monitors=mons,
    )
    return traj, uniform_grads(seeds, T, 2)


def test_running_sum_max_min(ogd_uniform):
    traj, gr = ogd_uniform
    m = traj.monitors
    assert_close(m["sg2"], np.cumsum(gr**2, axis=1), what="sum g²")
    assert_close(m["gmax"], np.maximum.accumulate(np.abs(gr), axis=1), rtol=0, what="max |g|")
    xs = played(traj)
    assert_close(m["xmin"], np.minimum.accumulate(xs, axis=1), rtol=0, what="min x")
    assert_close(m["xmax"], np.maximum.accumulate(xs, axis=1), rtol=0, what="max x")


def test_last_count_first(ogd_uniform):
    traj, gr = ogd_uniform
    m, xs = traj.monitors, played(traj)
    # x = x_t (played), delta = x_t − x̂_{t+1}; on R^d x_{t+1} = x̂_{t+1}
    assert_close(m["step"], xs - traj.x, what="delta")
    assert_close(m["npos"], np.cumsum(gr > 0, axis=1), rtol=0, what="count g > 0")
    big = xs > 0.2
    t = np.arange(1, T + 1)[None, :, None]
    firsts = np.where(big.any(axis=1), np.argmax(big, axis=1) + 1, 0)  # (C, d)
    expect = np.where(t >= firsts[:, None, :], firsts[:, None, :], 0)
    expect = np.where(firsts[:, None, :] == 0, 0, expect)
    assert (firsts > 1).any() and (firsts == 0).any()  # some coordinates never get there
    assert_close(m["xbig"], expect, rtol=0, what="first x > 0.2")


def test_monitors_read_each_other_in_order(ogd_uniform):
    traj, _ = ogd_uniform
    m, xs = traj.monitors, played(traj)
    prev = np.concatenate([np.zeros_like(xs[:, :1]), xs[:, :-1]], axis=1)
    assert_close(m["px"], xs, rtol=0, what="px = x_t")
    assert_close(m["dx"], xs - prev, what="dx = x_t − x_{t−1}")
    assert_close(m["sum_dx"], xs, what="Σ dx telescopes to x_t")


def adam_by_hand(gs, alpha, beta1, beta2, eps, x0=0.0, lo=-1.0, hi=1.0):
    """K&B Algorithm 1 with α_t = α/√t, clipped, 1-D: (played x, 1/η_t) per step."""
    x, m, v = x0, 0.0, 0.0
    xs, inv = [], []
    for t, gt in enumerate(gs, start=1):
        xs.append(x)
        m = beta1 * m + (1 - beta1) * gt
        v = beta2 * v + (1 - beta2) * gt * gt
        mh, vh = m / (1 - beta1**t), v / (1 - beta2**t)
        at = alpha / math.sqrt(t)
        inv.append((math.sqrt(vh) + eps) / at)
        x = min(hi, max(lo, x - at * mh / (math.sqrt(vh) + eps)))
    return np.array(xs), np.array(inv)


def test_gamma_monitors_match_a_hand_computation():
    r = rule("adam", schedule="sqrt")
    params = {"alpha": 0.1, "beta1": 0.0, "beta2": 0.1, "eps": 0.0}
    traj = simulate(
        r,
        "reddi-thm1:C=3",
        steps=T,
        params=params,
        checkpoints="all",
        monitors=gamma_monitors(r),
        backend="reference",
    )
    gs = np.array([3.0 if t % 3 == 1 else -1.0 for t in range(1, T + 1)])
    xs, inv = adam_by_hand(gs, **params)
    assert_close(played(traj)[0, :, 0], xs, what="x")
    gam = np.diff(inv)  # Γ_t, t = 2..T
    neg = gam < 0
    m = {k: v[0, :, 0] for k, v in traj.monitors.items()}
    assert_close(m["gamma_inv_eta"], inv, what="1/η_t")
    assert_close(m["gamma_neg"][1:], np.cumsum(neg), rtol=0, what="count Γ < 0")
    assert m["gamma_neg"][0] == 0 and m["gamma_first"][-1] == 2.0
    assert_close(m["gamma_min"][1:], np.minimum.accumulate(gam), what="min Γ")
    assert math.isinf(m["gamma_min"][0])
    # two of every three Γ's are negative in the steady state (theory §4)
    assert m["gamma_neg"][-1] == pytest.approx(2 * T / 3, abs=2)


def test_gamma_of_amsgrad_adagrad_ogd_never_negative():
    for name in ("amsgrad", "adagrad", "ogd"):
        r = rule(name)
        traj = simulate(
            r,
            "sparse:p=0.3",
            steps=T,
            d=3,
            seed=np.arange(4),
            params={"alpha": 0.1},
            monitors=gamma_monitors(r),
            backend="reference",
        )
        assert traj.monitors["gamma_neg"].max() == 0, name
        assert traj.monitors["gamma_first"].max() == 0, name


def test_effective_step_of_each_rule():
    sym = sp.Symbol
    alpha, eps, t = (
        sym("alpha", real=True, nonnegative=True),
        sym("eps", real=True, nonnegative=True),
        sym("t", integer=True, positive=True),
    )
    assert rule("ogd").effective_step() == alpha / sp.sqrt(t)
    assert rule("adagrad").effective_step() == alpha / (eps + sp.sqrt(sym("v", real=True)))
    adam = rule("adam", schedule="sqrt")
    assert adam.first_moment_symbol().name == "mhat"
    assert (
        sp.simplify(
            adam.inverse_effective_step()
            - sp.sqrt(t) * (sp.sqrt(sym("vhat", real=True)) + eps) / alpha
        )
        == 0
    )
    assert rule("amsgrad").first_moment_symbol().name == "m"
    for name, spec in SPECS.items():
        for preset in spec.presets:
            r = rule(name, preset)
            if name in ("lion", "adashift"):  # sign(c_t); η_t = 0 in the first n steps
                with pytest.raises(NotInProgram):
                    r.inverse_effective_step()
                continue
            assert r.effective_step() != 0, (name, preset)


# --------------------------------------------------------------------------- backends agree
def _monitor_cases():
    doms = ("box:-1,1", "reals", "ball:1.5")
    seqs = ("uniform:low=-2,high=2", "reddi-thm1:C=3", "sparse:p=0.3", "adaptive-sign")
    # every rule's paper form, and the three AMSGrads (max over v, over v̂, torch's)
    # (the zoo's steps agree in test_backends_agree; here two of its programs with Γ_t:
    # RAdam's branch in t and Yogi's sign)
    chosen = [(n, "paper") for n, s in SPECS.items() if not s.zoo]
    chosen += [("amsgrad", "torch"), ("amsgrad", "optax"), ("radam", "paper"), ("yogi", "optax")]
    return [(n, p, seqs[k % len(seqs)], doms[k % len(doms)]) for k, (n, p) in enumerate(chosen)]


@pytest.mark.parametrize(("name", "preset", "seq", "dom"), _monitor_cases())
def test_reference_and_numba_agree_on_monitors(name, preset, seq, dom):
    r = rule(name, preset)
    mons = [*bound_monitors(r), count("g_neg", g < 0), first("x_pos", x > 0.1)]
    params = {"alpha": 0.05}
    if "lam" in r.hyper_names:
        params["lam"] = 0.99
    kw = dict(steps=400, d=3, x0=0.3, seed=11, params=params, checkpoints="all", monitors=mons)
    ref = simulate(r, seq, dom, backend="reference", **kw)
    for backend in fast_backends(dom):  # numba and the CUDA kernel text run on the host
        fast = simulate(r, seq, dom, backend=backend, **kw)
        assert set(ref.monitors) == {m.name for m in mons} == set(fast.monitors)
        assert set(ref.stats) == set(fast.stats) and not set(ref.stats) & set(ref.monitors)
        for k in ref.monitors:
            assert_close(fast.monitors[k], ref.monitors[k], what=f"{backend} {name}/{preset} {k}")
        for k in ref.stats:
            assert_close(fast.stats[k], ref.stats[k], what=f"{backend} {name}/{preset} {k}")
        assert_close(fast.x, ref.x, what=f"{backend} x")


def test_config_and_at_slice_monitors(ogd_uniform):
    traj, _ = ogd_uniform
    one = traj.config(1)
    assert one.monitors["sg2"].shape == (1, T, 2)
    assert_close(one.monitors["sg2"], traj.monitors["sg2"][1:2], rtol=0)
    sub = traj.at([10, 100])
    assert sub.monitors["gmax"].shape == (3, 2, 2)
    assert_close(sub.monitors["gmax"], traj.monitors["gmax"][:, [9, 99]], rtol=0)


def test_no_monitors_leaves_stats_unchanged():
    a = simulate("adam", "reddi-thm1", steps=100, backend="reference")
    b = simulate(
        "adam", "reddi-thm1", steps=100, monitors=[running_sum("s2", "g**2")], backend="reference"
    )
    assert a.monitors == {} and set(b.monitors) == {"s2"}
    assert_close(a.stats["sum_s"], b.stats["sum_s"], rtol=0)
    assert_close(a.x, b.x, rtol=0)


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: running_sum("prev", "g"), "reserved"),
        (lambda: running_sum("t", "g"), "reserved"),
        (lambda: running_sum("pow_beta1", "g"), "reserved"),
        (lambda: running_sum("1x", "g"), "identifier"),
        (lambda: running_sum("ok", "g +"), "cannot parse"),
        (lambda: running_sum("ok", "__import__('os')"), "not allowed"),
        (lambda: count("ok", "g + 1"), "must be a condition"),
        (lambda: Monitor("ok", "g", init="a"), "init must be a number"),
        (lambda: Monitor("ok", "g", init=float("nan")), "NaN"),
        (lambda: running_sum("ok", [1, 2]), "SymPy expression or a string"),
    ],
)
def test_constructor_errors(make, match):
    with pytest.raises(ParameterError, match=match):
        make()


@pytest.mark.parametrize(
    ("mons", "match"),
    [
        ([running_sum("v", "g")], "'v' is already a symbol of the program"),
        ([running_sum("vhat", "g")], "'vhat' is already a symbol"),
        ([running_sum("sum_s", "g")], "'sum_s' is already"),
        ([running_sum("a", "g"), running_max("a", "g")], "already another monitor"),
        ([last("a", "vmax")], "uses vmax, which rule 'adam'"),
        ([last("a", "data_ti")], "uses data_ti"),
        ([last("a", "b")], "uses b"),
        (["not a monitor"], "must be octk.monitors.Monitor"),
        ("sum_g2", "must be a list"),
    ],
)
def test_lowering_errors_name_the_monitor(mons, match):
    with pytest.raises(ParameterError, match=match):
        simulate("adam", "reddi-thm1", steps=5, backend="reference", monitors=mons)
