"""The Numba layouts (``config``, ``groups``) and the lane-invariance analysis.

Every run here is checked twice: against the reference backend to 1e-12 (the
agreement grid's tolerance) and, bit for bit, against the general ``lanes`` layout.
Each test also asserts which layout ran and what it shared (``kernel.plan``), so a
shared path that silently fell back to the general one fails, and so does a shared
path taken where a lane-varying symbol enters the update.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import sympy as sp
from conftest import assert_close

from octk.backends.numba_backend import NumbaBackend
from octk.backends.numba_chunked import BLOCK
from octk.backends.numba_layouts import CHUNK, MIN_GROUP, plan_for
from octk.backends.program import lower
from octk.backends.sharing import analyse, time_blocks
from octk.domains import domain
from octk.errors import ParameterError
from octk.rules import SPECS, rule
from octk.sequences import sequence
from octk.simulate import prepare, simulate
from octk.symbols import U, i, t, x

T = 120
C = 2 * MIN_GROUP


class Recording(NumbaBackend):
    """A Numba backend that keeps the kernels it compiled (to read ``kernel.plan``)."""

    def __init__(self, layout="auto"):
        super().__init__(parallel=False, layout=layout)
        self.kernels = []

    def compile(self, prog, dom):
        k = super().compile(prog, dom)
        self.kernels.append(k)
        return k


def _alpha(n):
    return np.linspace(0.01, 0.3, n)


def _run(
    r,
    seq,
    dom="box:-1,1",
    *,
    d=1,
    params=None,
    seed=3,
    x0=0.2,
    steps=T,
    bitwise=True,
    layout="auto",
):
    """(plan, trajectory) of the auto layout, checked against the reference and (where
    ``bitwise``) bit for bit against the ``lanes`` layout."""
    kw = dict(steps=steps, x0=x0, params=params, seed=seed, d=d, checkpoints="all")
    ref = simulate(r, seq, dom, backend="reference", **kw)
    auto = Recording(layout)
    fast = simulate(r, seq, dom, backend=auto, **kw)
    gen = fast
    if bitwise:
        lanes = Recording("lanes")
        gen = simulate(r, seq, dom, backend=lanes, **kw)
        assert lanes.kernels[-1].plan.layout == "lanes"
    what = f"{r!r} on {seq!r}"
    for name, a, b, g in [
        ("x", fast.x, ref.x, gen.x),
        ("loss", fast.loss, ref.loss, gen.loss),
        *[(n, fast.stats[n], ref.stats[n], gen.stats[n]) for n in ref.stats],
        *[(n, fast.state[n], ref.state[n], gen.state[n]) for n in ref.state],
    ]:
        assert_close(a, b, what=f"{what} {name}")
        assert np.array_equal(a, g), f"{what} {name}: not bitwise the general layout's"
    return auto.kernels[-1].plan, fast


def _plan(r, seq, dom="box:-1,1", *, layout="auto", **kw):
    """The plan a run would get (nothing compiled)."""
    prog, lanes, meta = prepare(r, seq, dom, steps=3, **kw)
    return NumbaBackend(layout=layout).plan(prog, meta["domain"], lanes)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_linear_loss_shares_the_state_of_every_rule(name):
    """On RKK's sequence (g = c_t, free of x) every rule's state is computed once per
    chunk when only α varies: nothing per optimizer."""
    r = rule(name)
    params = {"alpha": _alpha(C)}
    plan, tr = _run(r, "reddi-thm1:C=3", params=params, bitwise=name == "adam")
    state = [s.name for s in r.state]
    if not state:  # online gradient descent: no recurrence to share
        assert plan.layout == "lanes"
        return
    assert plan.layout == "groups" and plan.groups == 1
    assert set(state) <= set(plan.shared), (plan.shared, state)
    assert "alpha" not in plan.uniform
    assert np.ptp(tr.x[:, -1, 0]) > 0, "the configurations should differ"


def test_adaptive_sequence_and_quadratic_loss_are_not_shared():
    """x enters the gradient: m and v vary per lane (only the running powers could be
    shared), so ``auto`` keeps the general layout; forced, the groups layout shares the
    powers alone."""
    r = rule("adam", schedule="sqrt")
    for seq in ("adaptive-sign", sequence("reddi-thm1:C=3", loss="quadratic")):
        plan = _plan(r, seq, params={"alpha": _alpha(C)})
        assert plan.layout == "lanes" and "no state recurrence" in plan.reason
        bitwise = seq == "adaptive-sign"
        plan, _ = _run(r, seq, params={"alpha": _alpha(C)}, layout="groups", bitwise=bitwise)
        assert plan.layout == "groups"
        assert not {"g", "m", "v", "mhat", "vhat"} & set(plan.shared), plan.shared
        assert {"pow_beta1", "pow_beta2"} <= set(plan.shared)


def test_a_hyperparameter_the_state_reads_groups_or_stops_sharing():
    r = rule("adam", schedule="sqrt")
    # β2 with two values, interleaved: configurations grouped by β2, lanes permuted
    beta2 = np.tile([0.1, 0.999], C)
    plan, _ = _run(r, "reddi-thm1:C=3", params={"alpha": _alpha(2 * C), "beta2": beta2})
    assert plan.layout == "groups" and plan.key == ("beta2",) and plan.groups == 2
    assert plan.permuted and {"m", "v", "vhat"} <= set(plan.shared)
    kw = dict(steps=T, params={"alpha": _alpha(2 * C), "beta2": beta2}, checkpoints="all")
    whole = simulate(r, "reddi-thm1:C=3", backend=Recording(), **kw)
    parts = simulate(r, "reddi-thm1:C=3", backend=Recording(), segment=37, **kw)
    for f in ("x", "loss"):  # permuted per call, checkpoint rows of each segment only
        assert np.array_equal(getattr(whole, f), getattr(parts, f))
    # β1 distinct in every configuration: no group is large enough, so β1 varies per
    # lane and m (which reads it) is not shared; v (β2 shared) still is
    plan, _ = _run(r, "reddi-thm1:C=3", params={"alpha": 0.1, "beta1": _alpha(C) + 0.5})
    assert plan.layout == "groups" and plan.key == ()
    assert "m" not in plan.shared and "beta1" not in plan.uniform
    assert {"v", "vhat", "s"} <= set(plan.shared)


def test_draws_are_shared_only_between_lanes_with_the_same_seed():
    r = rule("adam", schedule="sqrt")
    plan, _ = _run(r, "uniform:low=-2,high=2", params={"alpha": _alpha(C)}, seed=5)
    assert {"s", "m", "v"} <= set(plan.shared)  # one seed, d = 1: the same draw everywhere
    seeds = np.arange(C)
    plan = _plan(r, "uniform:low=-2,high=2", params={"alpha": _alpha(C)}, seed=seeds)
    assert plan.layout == "lanes"  # a draw per seed: m, v per lane
    kw = dict(params={"alpha": _alpha(C)}, seed=seeds, layout="groups", bitwise=False)
    plan, _ = _run(r, "uniform:low=-2,high=2", **kw)
    assert not {"s", "m", "v"} & set(plan.shared)
    assert "seed" not in plan.uniform


def test_groups_with_several_coordinates_and_data():
    """d > 1 (the lanes permuted so that a chunk's are consecutive), a signal of i."""
    r = rule("amsgrad")
    seq = sequence("expr:c=where(mod(t,4)==1, 2, -1) + where(i == 1, 0.5, 0)")
    plan, _ = _run(r, seq, d=3, params={"alpha": _alpha(C)})
    assert plan.layout == "groups" and plan.permuted
    assert {"m", "v"} <= set(plan.shared)


def test_config_layout_for_large_d():
    """d ≥ CHUNK: configuration-aligned chunks, hyperparameters and running powers once
    per chunk, coordinates computed; a draw per coordinate keeps m, v per lane."""
    d = CHUNK + 44
    r = rule("adam")
    plan, _ = _run(r, "uniform", d=d, params={"alpha": [0.05, 0.1]}, steps=40, x0=0.1)
    assert plan.layout == "config" and plan.uniform >= {"alpha", "beta1", "seed"}
    assert {"pow_beta1", "pow_beta2"} <= set(plan.shared)
    assert not {"m", "v"} & set(plan.shared)
    # a sequence free of the coordinate: the whole state update once per chunk
    plan, _ = _run(r, "reddi-thm1:C=3", d=d, params={"alpha": [0.05, 0.1]}, steps=40, bitwise=False)
    assert plan.layout == "config" and {"m", "v"} <= set(plan.shared)


@pytest.mark.parametrize("d", [1, 3])
def test_time_blocked_shared_state(d):
    """One configuration whose m, v are free of x: the shared recurrences run a block of
    steps ahead (time-vectorised bias corrections and step), the projection chain after;
    several blocks, checkpoints at every step, with a segment boundary inside a block."""
    r = rule("adam", schedule="sqrt")
    params = {"alpha": 0.1, "beta1": 0.5, "beta2": 0.1}
    steps = 2 * BLOCK + 37
    plan, _ = _run(r, "reddi-thm1:C=3", d=d, params=params, steps=steps)
    assert plan.layout == "groups" and plan.blocked and not plan.permuted
    assert {"m", "v", "mhat", "vhat", "delta", "sum_s"} <= set(plan.shared)
    blocks = time_blocks(prog := lower(r, sequence("reddi-thm1:C=3")), analyse(prog, {*U, i}))
    assert [n for n in ("mhat", "vhat", "delta") if n in {str(s) for s in blocks.from_pure}]
    kw = dict(steps=steps, params=params, d=d, checkpoints="all")
    whole = simulate(r, "reddi-thm1:C=3", backend=Recording(), **kw)
    parts = simulate(r, "reddi-thm1:C=3", backend=Recording(), segment=100, **kw)
    assert np.array_equal(whole.x, parts.x) and np.array_equal(whole.loss, parts.loss)


@pytest.mark.parametrize("d", [3, CHUNK + 44])
def test_a_data_table_per_coordinate(d, tmp_path):
    """A signal read from a table: one column per coordinate, shared by the lanes of a
    groups chunk (one coordinate), read per lane in a config chunk."""
    data = np.random.default_rng(3).choice([-1.5, 0.0, 2.0], size=(60, d))
    np.save(tmp_path / "c.npy", data)
    seq = sequence(f"array:path={tmp_path / 'c.npy'}")
    plan, _ = _run(rule("adam"), seq, d=d, params={"alpha": _alpha(C)}, steps=60)
    assert plan.layout == ("groups" if d < CHUNK else "config")
    assert ({"m", "v"} <= set(plan.shared)) == (d < CHUNK)


def test_general_layout_where_the_others_do_not_apply():
    r = rule("adam")
    plan = _plan(r, "adaptive-sign", params={"alpha": 0.1})  # one configuration, g of x
    assert plan.layout == "lanes" and "no state recurrence" in plan.reason
    plan = _plan(r, "reddi-thm1:C=3", "ball:1", d=2, params={"alpha": _alpha(C)})
    assert plan.layout == "lanes" and "whole configurations" in plan.reason


def test_analysis_fixed_point_and_order():
    """A state read by a lane-varying item before a shared update would be read new:
    the analysis demotes that update; a lane-varying initial value stops sharing."""
    prog = lower(rule("adam"), sequence("reddi-thm1:C=3"))
    hyper = {h.name: h.symbol for h in prog.rule.hyperparameters}
    sh = analyse(prog, {hyper["alpha"], *U, i})
    assert sh.any and dict(zip([s.name for s, _ in prog.state], sh.state, strict=True)) == {
        "m": True,
        "v": True,
        "pow_beta1": True,
        "pow_beta2": True,
    }
    sh = analyse(prog, {hyper["beta1"]})  # β1 per lane: m and its power are per lane
    flags = dict(zip([s.name for s, _ in prog.state], sh.state, strict=True))
    assert flags == {"m": False, "v": True, "pow_beta1": False, "pow_beta2": True}


def test_analysis_demotes_what_a_lane_reads_or_writes_first():
    """An update a lane-varying item reads before it (the old value) or a temporary a
    lane writes before a shared reassignment cannot be computed ahead of the lanes."""
    prog = lower(rule("adam"), sequence("reddi-thm1:C=3"))
    names = [s.name for s, _ in prog.assignments]
    m = next(s for s, _ in prog.state if s.name == "m")
    y, w = sp.symbols("y w", real=True)
    k = names.index("m")
    early = (*prog.assignments[:k], (w, m * x), *prog.assignments[k:])  # reads m_{t-1}
    sh = analyse(replace(prog, assignments=early), {*U, i})
    assert dict(zip([s.name for s, _ in prog.state], sh.state, strict=True))["m"] is False
    temp = (*prog.assignments[:-1], (y, 2 * x), (y, t + 1), (w, y + 1), prog.assignments[-1])
    sh = analyse(replace(prog, assignments=temp), {*U, i})
    assert sh.assignments[-4:] == (False, False, False, False)
    assert sh.state == (True, True, True, True)


def test_layout_option_is_checked():
    with pytest.raises(ParameterError, match="layout must be one of"):
        NumbaBackend(layout="rows")
    prog, lanes, _ = prepare(rule("adam"), "reddi-thm1:C=3", "ball:1", steps=3, d=2)
    with pytest.raises(ParameterError, match="cannot run here"):
        plan_for(prog, domain("ball:1"), lanes, "groups")
