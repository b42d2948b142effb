"""The ``cupy`` backend on a GPU agrees with the reference (marked ``gpu``; skipped without one).

A reduced form of ``test_backends_agree``'s grid: every rule's paper preset on
every domain (box and R^d: one thread per lane; a Euclidean ball with d = 3: warp
groups; d = 40: the block reduction; RKK's weighted ball and the simplex: the group
kernels, a thread per configuration), a batch of configurations, resumed segments, the
draws bit for bit, and float32 against the host build of the same kernel.
``benchmarks/gpu_check.py`` runs this file on a GPU machine.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import assert_close

from octk.backends import AUTO_GPU_WORK, resolve_backend
from octk.backends.cupy_backend import device_error
from octk.domains import domain
from octk.random import uniform_np
from octk.rules import SPECS, rule
from octk.simulate import simulate

_why = device_error()
pytestmark = [pytest.mark.gpu, pytest.mark.skipif(_why is not None, reason=str(_why))]

# every layout: per lane, norm (Euclidean ball), group (RKK's weighted ball, the simplex)
DOMAINS = (
    "box:-1,1",
    "reals",
    "ball:1.5;projection=euclidean",
    "ball:1.5",
    "simplex:1",
    "simplex:2;projection=euclidean",
)
SEQS = ("uniform:low=-2,high=2", "reddi-thm1:C=3", "sparse:p=0.3", "adaptive-sign")


def _params(r):
    p = {"alpha": 0.05}
    if "lr_decay" in r.hyper_names:
        p["lr_decay"] = 0.01
    if "lam" in r.hyper_names:
        p["lam"] = 0.99
    return p


def _agree(r, seq, dom, *, d=3, x0=0.3, params=None, seed=11, steps=300, dtype="float64"):
    if np.ndim(x0) == 0:  # x0 in every coordinate, projected onto the domain
        x0 = domain(dom).project(np.full((1, d), float(x0)))[0]
    kw = dict(steps=steps, x0=x0, params=params or _params(r), seed=seed, d=d)
    ref = simulate(r, seq, dom, backend="reference", checkpoints="all", **kw)
    gpu = simulate(r, seq, dom, backend="cupy", checkpoints="all", **kw)
    assert gpu.backend == "cupy"
    what = f"cupy: {r!r} on {seq} over {dom}"
    assert_close(gpu.x, ref.x, what=what + " x")
    assert_close(gpu.loss, ref.loss, what=what + " loss")
    for name in ref.stats:
        assert_close(gpu.stats[name], ref.stats[name], what=f"{what} {name}")
    for name in ref.state:
        assert_close(gpu.state[name], ref.state[name], what=f"{what} state {name}")


@pytest.mark.parametrize("name", list(SPECS))
@pytest.mark.parametrize("dom", DOMAINS)
def test_every_rule_on_every_domain(name, dom):
    k = list(SPECS).index(name)
    _agree(rule(name, "paper"), SEQS[k % len(SEQS)], dom)


@pytest.mark.parametrize("dom", ["ball:0.8;projection=euclidean", "ball:0.8", "simplex:1"])
def test_beyond_a_warp_and_a_batch(dom):
    r = rule("adam", schedule="sqrt")
    _agree(r, "uniform:low=-2,high=2", dom, d=40, x0=0.0, steps=150)
    n = 70
    _agree(
        r, "uniform:low=-2,high=2", dom, d=3, x0=0.0, steps=150,
        params={"alpha": np.linspace(0.01, 0.5, n)}, seed=np.arange(n),
    )  # fmt: skip


@pytest.mark.parametrize(
    "dom", ["box:-1,1", "ball:1;projection=euclidean", "ball:5;projection=euclidean"]
)
def test_segments_resume_exactly(dom):
    d = 40 if dom.startswith("ball:5") else 2
    kw = dict(steps=500, d=d, backend="cupy", params={"alpha": 0.05})
    one = simulate("adamax", "uniform", dom, **kw)
    seg = simulate("adamax", "uniform", dom, segment=37, **kw)
    assert_close(seg.x, one.x, rtol=0.0 if d <= 32 else 1e-14)


def test_draws_are_bit_identical_on_the_device():
    """s_t = U0 (uniform on [0, 1)): after one step Σ s = U0(seed, 1, i), bit for bit."""
    seeds = np.array([0, 1, 2**40 + 3, 2**63 - 1], dtype=np.uint64)
    traj = simulate(
        "ogd", "uniform:low=0,high=1", "reals", steps=1, d=5, seed=seeds, backend="cupy"
    )
    want = uniform_np(seeds[:, None], 1, np.arange(5)[None, :], 0)
    assert np.array_equal(traj.stats["sum_s"][:, 0, :], want)


def test_float32_matches_the_host_build():
    kw = dict(steps=1000, params={"alpha": 0.1, "beta1": 0.0, "beta2": 0.1}, dtype="float32")
    r = rule("adam", schedule="sqrt")
    host = simulate(r, "reddi-thm1:C=3", backend="cuda-host", **kw)
    gpu = simulate(r, "reddi-thm1:C=3", backend="cupy", **kw)
    assert gpu.dtype == "float32"
    assert_close(gpu.x, host.x, rtol=1e-6, what="float32 x")


def test_auto_takes_the_gpu_for_large_runs():
    assert resolve_backend("auto", work=AUTO_GPU_WORK) == "cupy"
    assert resolve_backend("auto", work=1) == "numba"
