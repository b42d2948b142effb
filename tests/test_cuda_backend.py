"""The CUDA kernel text without a GPU: compiled by NVRTC and nvcc, draws, float32, errors.

``test_backends_agree`` runs the text on the host (``cuda-host``) over the whole
grid. Here every kernel of that grid (both precisions) is compiled by NVRTC to
PTX where the ``cuda-bindings``/``nvidia-cuda-nvrtc`` wheels are installed, and a
kernel of every rule, domain and precision by nvcc where the toolkit is on PATH;
the host build's draws are checked bit for bit against :mod:`octk.random`; the
float32 kernels are checked to compute in single precision; and every way the
``cupy`` backend can be unavailable ends in one octk error.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
from test_backends_agree import (
    SEQ_FOR_RULES,
    _has_effective_step,
    _make_sequence,
    _option_cases,
    _sequence_cases,
    _zoo_cases,
)

from octk.backends import BACKENDS, backend_choices, get_backend, resolve_backend
from octk.backends.cuda_compile import nvcc_ptx, nvrtc_error, nvrtc_ptx, ptxas_report
from octk.backends.cuda_host import uniform_host
from octk.backends.cuda_projections import supported_kinds, supports
from octk.backends.cuda_source import kernel_names, kernel_source
from octk.backends.cupy_backend import device_error
from octk.backends.program import lower
from octk.bounds import bound_monitors
from octk.domains import Box, Domain, KernelProjection, domain
from octk.errors import BackendUnavailableError, ParameterError
from octk.monitors import count, first
from octk.random import uniform_int
from octk.rules import SPECS, rule
from octk.sequences import sequence
from octk.simulate import simulate

# every layout: per lane (box, R^d), norm (Euclidean ball), group (weighted ball, simplex)
DOMAINS = (
    "box:-1,1",
    "reals",
    "ball:1.5;projection=euclidean",
    "ball:1.5",
    "simplex:1",
    "simplex:2;projection=euclidean",
)
DTYPES = ("float64", "float32")


def _rotated_domains(k: int) -> tuple[str, ...]:
    """Half of DOMAINS, shifting with k: the step text does not depend on the domain and
    the projection not on the rule, so consecutive cases between them reach every pair
    of layout and precision at half the compile time."""
    return tuple(DOMAINS[(k + j) % len(DOMAINS)] for j in range(0, len(DOMAINS), 2))


def _preset_kernels():
    """Every rule × preset, with the bounds' monitors, on half the domains (rotating: each
    domain with every other preset), in both precisions."""
    k = 0
    for name, spec in SPECS.items():
        for preset in spec.presets:
            r = rule(name, preset)
            mons = (*bound_monitors(r), count("n_neg_g", "g < 0"), first("t_pos", "x > 0"))
            prog = lower(r, sequence(SEQ_FOR_RULES[0]), mons)
            k += 1
            # a rule without η_t (Lion) has no weighted projection; the zoo's step text is
            # checked on one domain (the projections are the core rules' to check)
            doms = [
                dm
                for dm in _rotated_domains(k)
                if _has_effective_step(r) or not domain(dm).reads_weights
            ]
            for dom in doms[:1] if spec.zoo else doms:
                for dt in DTYPES:
                    yield f"{name}/{preset} {dom} {dt}", kernel_source(prog, domain(dom), dtype=dt)


def _grid_kernels(tmp_path):
    """The option and sequence × loss cases of the agreement grid, in both precisions."""
    for name, options, k in _option_cases():
        prog = lower(rule(name, **options), sequence(SEQ_FOR_RULES[k % len(SEQ_FOR_RULES)]))
        for dt in DTYPES:
            src = kernel_source(prog, domain(DOMAINS[k % len(DOMAINS)]), dtype=dt)
            yield f"{name} {options} {dt}", src
    for case in _zoo_cases():  # the zoo's compact grid
        name, preset, options, seq, dom = case.values
        prog = lower(rule(name, preset, **options), sequence(seq))
        for dt in DTYPES:
            yield f"{name}/{preset} {options} {dt}", kernel_source(prog, domain(dom), dtype=dt)
    for sname, loss, rname, dom in _sequence_cases():
        try:
            seq = _make_sequence(sname, loss, tmp_path)
        except ParameterError:
            continue
        assert supports(domain(dom)), dom  # every registered domain runs on the CUDA backends
        for dt in DTYPES:
            yield (
                f"{sname}/{loss} {dt}",
                kernel_source(lower(rule(rname), seq), domain(dom), dtype=dt),
            )


def _nvrtc_all(kernels):
    failures = []
    for what, src in kernels:
        try:
            ptx = nvrtc_ptx(src)
        except RuntimeError as e:
            failures.append(f"{what}: {e}")
            continue
        for fn in re.findall(r'extern "C" __global__ void (\w+)', src):
            assert f".entry {fn}(" in ptx, f"{what}: kernel {fn} missing from the PTX"
    assert not failures, "\n".join(failures[:3])


needs_nvrtc = pytest.mark.skipif(nvrtc_error() is not None, reason=str(nvrtc_error()))


@needs_nvrtc
def test_every_rule_preset_and_precision_compiles_with_nvrtc_on_rotating_domains():
    _nvrtc_all(_preset_kernels())


@needs_nvrtc
def test_every_kernel_of_the_agreement_grid_compiles_with_nvrtc(tmp_path):
    _nvrtc_all(_grid_kernels(tmp_path))


@needs_nvrtc
def test_kernels_of_each_layout_are_in_the_ptx():
    prog = lower(rule("adam"), sequence("uniform"))
    for dom in DOMAINS:
        ptx = nvrtc_ptx(kernel_source(prog, domain(dom)))
        for fn in kernel_names(domain(dom)):
            assert f".entry {fn}(" in ptx
    ball = nvrtc_ptx(kernel_source(prog, domain("ball:1;projection=euclidean")))
    assert "shfl.sync.bfly" in ball and "shfl.sync.down" in ball and "atom.global.add" in ball
    assert "fma.rn" not in ball  # --fmad=false: a·b + c rounds twice, as on the host
    for dom in ("ball:1", "simplex:1"):  # the group layout: no shuffles, no atomics
        ptx = nvrtc_ptx(kernel_source(prog, domain(dom)))
        assert "fma.rn" not in ptx and "shfl" not in ptx and "atom" not in ptx


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc (CUDA toolkit) not installed")
def test_a_kernel_of_every_rule_and_precision_compiles_with_nvcc_on_rotating_domains():
    sources = [
        kernel_source(lower(rule(name), sequence(SEQUENCES_FOR_NVCC[k % 3])), domain(dom), dtype=dt)
        for k, name in enumerate(SPECS)
        for dom in _rotated_domains(k)
        if _has_effective_step(rule(name)) or not domain(dom).reads_weights
        for dt in DTYPES
    ]
    nvcc_ptx(sources)


SEQUENCES_FOR_NVCC = ("reddi-thm1", "uniform", "adaptive-sign")


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc (CUDA toolkit) not installed")
def test_every_layout_keeps_the_lane_in_registers():
    """ptxas: no stack frame and no spills in any kernel (the lane struct, Adam's state,
    hyperparameters and accumulators live in registers across the time loop)."""
    r = rule("adam", schedule="sqrt")
    prog = lower(r, sequence("uniform"), bound_monitors(r))
    for dom, dt in (
        ("box:-1,1", "float64"),
        ("reals", "float32"),
        ("ball:1;projection=euclidean", "float64"),
        ("ball:1", "float64"),
        ("simplex:1;projection=euclidean", "float32"),
    ):
        report = ptxas_report(kernel_source(prog, domain(dom), dtype=dt))
        assert set(report) == set(kernel_names(domain(dom)))
        for fn, r in report.items():
            assert r["stack"] == 0 and r["spill"] == 0 and 0 < r["registers"] <= 255, (fn, r)


def test_draws_are_bit_identical_to_octk_random():
    rng = np.random.default_rng(0)
    cases = [(0, 1, 0, 0), (2**64 - 1, 2**40, 10**6, 3), (123, 7, 2, 1)]
    cases += [
        (int(rng.integers(0, 2**63)), int(rng.integers(1, 2**31)), int(rng.integers(0, 99)), k)
        for k in range(4)
        for _ in range(25)
    ]
    for seed, t, i, k in cases:
        assert uniform_host(seed, t, i, k) == uniform_int(seed, t, i, k), (seed, t, i, k)


def test_float32_kernels_compute_in_single_precision():
    """No double literal, cast or draw left unconverted in the float32 step."""
    for name in SPECS:
        prog = lower(rule(name), sequence("uniform"))
        src = kernel_source(prog, domain("ball:1;projection=euclidean"), dtype="float32")
        step = src[src.index("real octk_step(") : src.index("void octk_project(")]
        assert "double" not in step, name
        literals = re.findall(r"(?<![\w.])\d+\.\d*(?:e[-+]?\d+)?f?", step)
        assert literals and all(lit.endswith("f") for lit in literals), (name, literals)


def test_float32_error_against_the_float64_reference():
    """Adam on RKK's Theorem 1 (α = 0.1/√t, β2 = 0.1 as the paper), 1000 steps: float32
    stays within 1e-5 of float64 on the iterates and 1e-4 relative on the loss, and
    differs from it (so the float32 kernel ran)."""
    kw = dict(steps=1000, params={"alpha": 0.1, "beta1": 0.0, "beta2": 0.1}, d=1)
    rr = rule("adam", schedule="sqrt")
    ref = simulate(rr, "reddi-thm1:C=3", backend="reference", **kw)
    f32 = simulate(rr, "reddi-thm1:C=3", backend="cuda-host", dtype="float32", **kw)
    assert f32.dtype == "float32" and ref.dtype == "float64"
    err_x = np.max(np.abs(f32.x - ref.x))
    err_loss = np.max(np.abs(f32.loss - ref.loss) / np.maximum(1.0, np.abs(ref.loss)))
    assert 0 < err_x < 1e-5
    assert err_loss < 1e-4


def test_dtype_errors_name_the_backends():
    class Float64Only:  # a backend object that lists no dtypes computes in float64
        name = "mine"

        def compile(self, prog, domain):
            raise AssertionError("not reached: the dtype is checked first")

    with pytest.raises(
        ParameterError,
        match="dtype='float32' runs on backends reference, numba, cupy, cuda-host; backend "
        "'mine' computes in float64 only",
    ):
        simulate("adam", "uniform", steps=5, backend=Float64Only(), dtype="float32")
    with pytest.raises(ParameterError, match="dtype must be one of 'float64', 'float32'"):
        simulate("adam", "uniform", steps=5, backend="cuda-host", dtype="int8")


def test_every_domain_runs_and_one_without_cuda_is_refused_by_name():
    """Walked from the domain registry: every domain (and both projections of the ball
    and the simplex) has a CUDA projection and runs on cuda-host (its agreement with the
    reference is test_backends_agree's); a domain whose record lacks one is refused in
    one ParameterError naming it and the kinds that run."""
    specs = [spec for cls in Domain.REGISTRY.values() for spec in cls.examples]
    assert all(supports(domain(s)) for s in specs)
    assert set(supported_kinds()) == set(Domain.REGISTRY)
    for spec in specs:
        x0 = domain(spec).project(np.full((1, 2), 0.3))[0]
        traj = simulate("adam", "uniform", spec, backend="cuda-host", steps=3, d=2, x0=x0)
        assert traj.backend == "cuda-host" and np.all(np.isfinite(traj.x)), spec

    class NoCuda(Box):  # no `kind`: not registered
        def kernel_projection(self):
            return KernelProjection(lane="xn = min(max(xn, lo[j]), hi[j])")

    prog = lower(rule("adam"), sequence("uniform"))
    with pytest.raises(ParameterError, match=r"'box:-1,1' has no CUDA projection.*they run: "):
        kernel_source(prog, NoCuda(-1.0, 1.0))
    with pytest.raises(ParameterError, match="has no CUDA projection"):
        simulate("adam", "uniform", NoCuda(-1.0, 1.0), backend="cuda-host", steps=3)
    assert simulate("adam", "uniform", NoCuda(-1.0, 1.0), steps=3).backend == "numba"


def test_auto_picks_numba_without_a_gpu_and_says_which_ran():
    assert "auto" in backend_choices() and set(backend_choices()) == set(BACKENDS)
    if device_error() is None:
        pytest.skip("a GPU is visible here")
    assert resolve_backend("auto", work=10**15) == "numba"
    assert resolve_backend("auto", work=10**15, dtype="float32") == "numba"
    assert simulate("adam", "uniform", steps=5).backend == "numba"


@pytest.mark.skipif(device_error() is None, reason="CuPy sees a GPU here")
def test_cupy_without_cupy_or_device_is_one_octk_error():
    with pytest.raises(BackendUnavailableError, match=r"octk\[gpu\]|no CUDA device"):
        get_backend("cupy")
    with pytest.raises(BackendUnavailableError):
        simulate("adam", "uniform", steps=5, backend="cupy")
    out = subprocess.run(
        [sys.executable, "-m", "octk", "run", "--rule", "adam", "--sequence", "uniform",
         "--steps", "10", "--backend", "cupy"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert out.returncode != 0
    assert "Traceback" not in out.stderr
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("octk: error:"), out.stderr
    assert "octk[gpu]" in lines[0] or "no CUDA device" in lines[0]


@pytest.mark.parametrize("dom", DOMAINS)
def test_the_source_names_what_it_runs(dom):
    src = kernel_source(lower(rule("amsgrad"), sequence("sparse")), domain(dom))
    assert f"domain: {domain(dom).spec()}" in src and "real: double" in src
    for fn in kernel_names(domain(dom)):
        assert f'extern "C" __global__ void {fn}(' in src
    assert 'extern "C" void octk_host_run(' in src


@pytest.mark.parametrize(
    "signal", ["mod(3*x + t/2, 2) - 1", "mod(t, 1.5) - 0.7 + mod(-x, 0.5)", "mod(t - 5, 3) - 1"]
)
def test_modulus_keeps_pythons_sign_in_c(signal):
    """C's % and fmod take the dividend's sign, Python's the divisor's: the kernels print
    integer moduli as ((a % b) + b) % b and real ones through octk_pymod."""
    seq = f"expr:c={signal}"
    kw = dict(steps=200, d=2, x0=0.3, params={"alpha": 0.05}, checkpoints="all")
    ref = simulate("adam", seq, "box:-1,1", backend="reference", **kw)
    host = simulate("adam", seq, "box:-1,1", backend="cuda-host", **kw)
    assert np.ptp(ref.x) > 0.01
    assert np.max(np.abs(host.x - ref.x)) <= 1e-12
    if nvrtc_error() is None:
        nvrtc_ptx(kernel_source(lower(rule("adam"), sequence(seq)), domain("box:-1,1")))


def test_integer_arguments_of_math_functions_are_cast():
    """fabs(t), fmax(t, ...) on a long long would be ambiguous overloads in C++."""
    seq = "expr:c=max(t, 3)/t - abs(i - 1) + min(i, 0.5) + floor(t/4) % 3 + sign(i) * cos(t)"
    kw = dict(steps=60, d=3, x0=0.2, params={"alpha": 0.05}, checkpoints="all")
    ref = simulate("adam", seq, "box:-1,1", backend="reference", **kw)
    host = simulate("adam", seq, "box:-1,1", backend="cuda-host", **kw)
    assert np.max(np.abs(host.x - ref.x)) <= 1e-12
    if nvrtc_error() is None:
        nvrtc_ptx(kernel_source(lower(rule("adam"), sequence(seq)), domain("box:-1,1")))
