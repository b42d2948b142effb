"""The fast backends agree with the reference backend to 1e-12 (float64).

The fast backends are ``numba`` and ``cuda-host``: the generated CUDA kernel text
(the source the ``cupy`` backend runs on a GPU) compiled for the CPU, so that the
GPU kernels are checked on the whole grid without a GPU.

The grid is walked from the registries, so a new rule, option value, preset,
sequence or loss is covered the day it is added:

* every rule under every preset;
* every option value of every rule (options rotated so each value appears);
* every sequence under every loss it supports, over every domain's examples
  (``Domain.examples``: box, reals, ball with both projections, ...);
* batches (several configurations with their own α, seed and x_1) and d > 1.

Every checkpoint is compared: iterates, played loss and sufficient statistics.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import assert_close, fast_backends

from octk.backends.numba_backend import NumbaBackend
from octk.domains import Domain, domain
from octk.errors import ParameterError
from octk.rules import SPECS, rule
from octk.sequences import LOSSES, SEQUENCES, sequence
from octk.simulate import prepare, run_program, simulate

T = 400
DOMAINS = tuple(spec for cls in Domain.REGISTRY.values() for spec in cls.examples)
SEQ_FOR_RULES = ("uniform:low=-2,high=2", "reddi-thm1:C=3", "sparse:p=0.3", "adaptive-sign")

FAST = fast_backends()  # no C++ compiler: numba alone, and test_cuda_host_is_available skips


def test_cuda_host_is_available():
    if "cuda-host" not in FAST:
        pytest.skip("no C++ compiler: the CUDA kernel text is not run on the host here")
    assert FAST == ("numba", "cuda-host")


def _params(r):
    """Step sizes large enough that the iterates move and hit the boundary."""
    p = {"alpha": 0.05}
    if "lr_decay" in r.hyper_names:
        p["lr_decay"] = 0.01
    if "lam" in r.hyper_names:
        p["lam"] = 0.99
    return p


def _compare(r, seq, dom, *, d=3, x0=0.3, params=None, seed=11, steps=T):
    params = params if params is not None else _params(r)
    if np.ndim(x0) == 0:  # the same start in every domain: x0 in every coordinate, projected
        x0 = domain(dom).project(np.full((1, d), float(x0)))[0]
    kw = dict(steps=steps, x0=x0, params=params, seed=seed, d=d, checkpoints="all")
    ref = simulate(r, seq, dom, backend="reference", **kw)
    for backend in fast_backends(dom):
        fast = simulate(r, seq, dom, backend=backend, **kw)
        assert fast.backend == backend
        what = f"{backend}: {r!r} on {seq!r} over {dom}"
        assert_close(fast.x, ref.x, what=what + " x")
        assert_close(fast.loss, ref.loss, what=what + " loss")
        for name in ref.stats:
            assert_close(fast.stats[name], ref.stats[name], what=f"{what} {name}")
        for name in ref.state:
            assert_close(fast.state[name], ref.state[name], what=f"{what} state {name}")
    return ref


def _preset_cases():
    return [(n, p) for n, s in SPECS.items() for p in s.presets]


@pytest.mark.parametrize(("name", "preset"), _preset_cases())
def test_every_preset(name, preset):
    ref = _compare(rule(name, preset), sequence(SEQ_FOR_RULES[0]), "box:-1,1")
    assert np.ptp(ref.x) > 0.01, "the iterates should move in this test"


def _option_cases():
    cases = []
    for name, spec in SPECS.items():
        opts = list(spec.options.items())
        width = max(len(v) for _, v in opts)
        seen = set()
        for k in range(width):
            chosen = {o: vals[(k + j) % len(vals)] for j, (o, vals) in enumerate(opts)}
            try:
                rule(name, **chosen)
            except ParameterError:
                # an invalid combination: keep the rotation's other values by trying singly
                for o, vals in opts:
                    v = vals[(k + opts.index((o, vals))) % len(vals)]
                    if (o, v) not in seen:
                        try:
                            rule(name, **{o: v})
                        except ParameterError:
                            continue
                        cases.append((name, {o: v}, k))
                        seen.add((o, v))
                continue
            seen |= set(chosen.items())
            cases.append((name, chosen, k))
        for o, vals in opts:  # any value the rotation never reached
            for v in vals:
                if (o, v) not in seen:
                    cases.append((name, {o: v}, len(cases)))
                    seen.add((o, v))
    return cases


@pytest.mark.slow  # every option value: a kernel per case
@pytest.mark.parametrize(
    ("name", "options", "k"),
    _option_cases(),
    ids=lambda v: str(v) if not isinstance(v, dict) else ",".join(f"{a}={b}" for a, b in v.items()),
)
def test_every_option_value(name, options, k):
    r = rule(name, **options)
    _compare(r, sequence(SEQ_FOR_RULES[k % len(SEQ_FOR_RULES)]), DOMAINS[k % len(DOMAINS)])


def _sequence_cases(tmp_dir=None):
    cases = []
    names = list(SPECS)
    k = 0
    for si, sname in enumerate(SEQUENCES):
        for li, loss in enumerate(LOSSES):
            # the domain shifts with the sequence too, so each loss meets every domain
            dom = DOMAINS[(si + li) % len(DOMAINS)]
            cases.append((sname, loss, names[k % len(names)], dom))
            k += 1
    return cases


def _make_sequence(sname, loss, tmp_path):
    if sname == "array":
        data = np.random.default_rng(3).choice([-1.5, 0.0, 2.0], size=(T, 3))
        path = tmp_path / "c.npy"
        np.save(path, data)
        return sequence(f"array:path={path}", loss=loss)
    if sname == "expr":
        return sequence("expr:c=where(mod(t,4)==1, 2, -1) + where(i == 1, 0.5, 0)", loss=loss)
    return sequence(sname, loss=loss)


@pytest.mark.slow  # the registry grid: a kernel per case
@pytest.mark.parametrize(("sname", "loss", "rname", "dom"), _sequence_cases())
def test_every_sequence_and_loss(sname, loss, rname, dom, tmp_path):
    try:
        seq = _make_sequence(sname, loss, tmp_path)
    except ParameterError as e:
        assert loss == "absolute" and "finitely many values" in str(e)
        return
    _compare(rule(rname), seq, dom)


def test_batch_of_configurations_matches_each_alone():
    r = rule("adam", schedule="sqrt")
    alphas = np.array([0.01, 0.1, 0.5, 1.0])
    x0 = np.array([[0.0, 0.5], [-0.5, 0.2], [0.9, -0.9], [0.0, 0.0]])
    seeds = np.array([1, 2, 3, 4])
    seq = sequence("reddi-synthetic-stochastic")
    batch = _compare(r, seq, "box:-1,1", d=2, x0=x0, params={"alpha": alphas}, seed=seeds)
    for c in range(4):
        alone = simulate(
            r,
            seq,
            "box:-1,1",
            steps=T,
            x0=x0[c],
            params={"alpha": alphas[c]},
            seed=int(seeds[c]),
            checkpoints="all",
            backend="reference",
        )
        assert_close(batch.config(c).x, alone.x, what=f"config {c}")
        assert_close(batch.config(c).loss, alone.loss, what=f"config {c}")


def test_parallel_kernel_matches_serial_across_many_chunks():
    """600 configurations span three chunks of 256 lanes, run on all cores."""
    r = rule("amsgrad", preset="torch")
    seq = sequence("sparse:p=0.2")
    n = 600
    outs = []
    for parallel in (False, True):
        prog, lanes, meta = prepare(
            r,
            seq,
            "ball:1",
            steps=200,
            x0=0.0,
            d=1,
            params={"alpha": np.linspace(0.01, 0.3, n)},
            seed=np.arange(n),
        )
        run_program(NumbaBackend(parallel=parallel), prog, lanes, meta)
        outs.append(lanes.ck_x.copy())
    assert_close(outs[0], outs[1], rtol=0.0, what="parallel vs serial")


@pytest.mark.parametrize("dom", ["box:-1,1", "ball:1", "ball:1;projection=euclidean", "simplex:1"])
def test_segments_resume_exactly(dom):
    """Running T steps in segments of 37 gives the same result as one call."""
    r, seq = rule("adamax"), sequence("uniform")
    for backend in fast_backends(dom):
        x0 = domain(dom).project(np.zeros((1, 2)))[0]
        kw = dict(steps=500, d=2, x0=x0, backend=backend, params={"alpha": 0.05})
        one = simulate(r, seq, dom, **kw)
        seg = simulate(r, seq, dom, segment=37, **kw)
        assert_close(seg.x, one.x, rtol=0.0, what=backend)
        assert_close(seg.stats["sum_s"], one.stats["sum_s"], rtol=0.0, what=backend)


def test_ball_beyond_a_warp_and_many_configurations():
    """d = 40 > 32 (the GPU's block-reduction layout) and 70 configurations of d = 3
    (groups of 4 threads of a warp), each with its own α and seed."""
    r, seq = rule("adam", schedule="sqrt"), sequence("uniform:low=-2,high=2")
    ball = "ball:0.8;projection=euclidean"
    _compare(r, seq, ball, d=40, x0=0.0, steps=150)
    n = 70
    _compare(
        r, seq, ball, d=3, x0=0.0, steps=150,
        params={"alpha": np.linspace(0.01, 0.5, n)}, seed=np.arange(n),
    )  # fmt: skip


@pytest.mark.parametrize("dom", ["ball:0.8", "simplex:1", "simplex:2;projection=euclidean"])
def test_group_projections_beyond_a_warp_with_ties_and_many_configurations(dom):
    """The CUDA group layout (RKK's weighted ball, the simplex: one thread per
    configuration runs the domain's routine): d = 40, and 70 configurations of d = 3
    with their own α and seed; and a deterministic sequence equal within two halves of
    the coordinates from an equal start, so the simplex's breakpoints tie at every step
    (the stable order of the sort decides the running sums)."""
    r, seq = rule("adam", schedule="sqrt"), sequence("uniform:low=-2,high=2")
    _compare(r, seq, dom, d=40, x0=0.0, steps=150)
    n = 70
    _compare(
        r, seq, dom, d=3, x0=0.0, steps=150,
        params={"alpha": np.linspace(0.01, 0.5, n)}, seed=np.arange(n),
    )  # fmt: skip
    tied = sequence("expr:c=where(mod(t, 3) == 1, 2, -1) * where(i < 2, 1, -1)")
    ref = _compare(rule("adagrad"), tied, dom, d=4, x0=0.0, steps=150)
    assert np.all(ref.x[..., 0] == ref.x[..., 1]) and np.all(ref.x[..., 2] == ref.x[..., 3])
    assert np.ptp(ref.x) > 0.01


def test_piecewise_loss_zhang2022():
    """Zhang et al.'s counterexample (a Piecewise loss, one component drawn per step):
    Adam with α/√t without bias correction on R (as in their algorithm), and with it
    on a box that clips."""
    seq = sequence("zhang2022:n=10")
    r = rule("adam", schedule="sqrt", bias_correction_m=False, bias_correction_v=False)
    params = {"alpha": np.array([0.1, 0.5]), "beta1": 0.5, "beta2": np.array([0.3, 0.99])}
    ref = _compare(r, seq, "reals", d=1, x0=np.array([[0.0], [-3.0]]), params=params, seed=[1, 2])
    assert np.min(ref.x) < -1 < np.max(ref.x), "both pieces of the loss are visited"
    biased = rule("adam", schedule="sqrt")
    _compare(biased, seq, "box:-2.5,1", d=2, x0=-1.2, params={"alpha": 0.5}, steps=200)
