r"""The CUDA C++ source of a :class:`~octk.backends.program.StepProgram`.

Nothing here is written per optimizer: :func:`kernel_source` prints the program
with :class:`~octk.backends.printers.CudaPrinter` into one translation unit that
compiles three ways, from the very same text:

* NVRTC or nvcc (``__CUDACC__`` defined): the ``__global__`` kernels that the
  ``cupy`` backend launches;
* a host C++ compiler (``g++ -x c++``): the ``__host__`` qualifiers are defined
  away and ``octk_host_run``, a shim that plays the grid on the CPU, is compiled
  instead; the ``cuda-host`` backend loads it with ctypes (and the tests compare
  it with the reference backend).

The pieces shared by all three (``__host__ __device__``)::

    struct octk_lane              one lane's registers: x, bounds, loss, seed,
                                  hyperparameters p_*, state s_*, accumulators acc*
    octk_uniform(seed, t, i, k)   the counter-based draw of octk.random, bit for bit
    octk_load / octk_store        lane j of the arrays <-> registers
    octk_step(ln, t, DATA)        s, g, f, the rule's assignments, accumulators,
                                  running powers, loss += f; returns x̂_{t+1}
    octk_project(ln, x̂, ‖x̂‖²)     Π_F per lane, or the domain's group routine
                                  (the domain's file; see cuda_projections.py)
    octk_checkpoint(ln, k, j)     x, loss and accumulators into checkpoint row k

The kernels (layouts)::

    octk_lanes        one thread per lane, the time loop t0..t1 inside, state in
                      registers, arrays touched at the ends and at checkpoints
                      (box, R^d: lanes are independent; for any d, and t0 = t1 is
                      the coalesced one-step-per-launch large-d step)
    octk_lanes_group  the same for a ball with d ≤ 32: each configuration owns a
                      group of W = 2^⌈log2 d⌉ threads of one warp, and ‖x̂‖² is a
                      butterfly reduction with __shfl_xor_sync inside the group
    octk_ball_step    a ball with d > 32, one step per launch: the step, then a
    octk_ball_finish  block reduction (warp shuffles + shared memory, one atomicAdd
                      per block) of ‖x̂‖² per configuration; then the rescaling
    octk_group_step   a projection that needs the whole configuration (RKK's weighted
    octk_group_project  ball, the simplex: the domain's ``group`` routine), one step per
                      launch pair, any d: one thread per lane runs the step and writes
                      x̂ and the weight 1/η_t to memory, then one thread per configuration
                      runs the domain's routine on its d coordinates -- the Numba
                      routine's algorithm and summation order, so the backends agree to
                      rounding -- and writes the checkpoint row. A serial routine per
                      configuration (a secular-equation Newton, a sort) keeps that
                      order; the many-configurations workload supplies the parallelism

Array layout (L = C·d lanes, configuration-major, as :class:`octk.simulate.Lanes`): lane
j = c·d + i is coordinate i of configuration c. Per lane: X[j], LO[j], HI[j], LOSS[j],
STATE[k·L + j], STATS[q·L + j], CK_X[k·L + j], CK_STATS[(q·nck + k)·L + j]. Per
configuration, read once by every lane of it (a broadcast, not a stream): PAR[k·C + c]
and SEED[c]; the coordinate i = j − c·d is computed, not read. DATA[row·cols + col].
Floating-point arrays are of type ``real`` (double, or float with ``real="float"``);
seeds are uint64, checkpoint steps int64.
"""

from __future__ import annotations

import sympy as sp

from octk.backends.cuda_projections import project_function, projection
from octk.backends.printers import CudaPrinter
from octk.backends.program import StepProgram, W, for_domain
from octk.random import M1, M2, PHI, PSI
from octk.symbols import DATA, U, i, t, x

PARAMS = (
    "real* X, const real* PAR, const unsigned long long* SEED, "
    "const real* LO, const real* HI, real* STATE, real* LOSS, real* STATS, "
    "const long long* CK_T, long long nck, real* CK_X, real* CK_LOSS, real* CK_STATS, "
    "const real* DATA, long long L, long long d"
)
ARGS = "X, PAR, SEED, LO, HI, STATE, LOSS, STATS, CK_T, nck, CK_X, CK_LOSS, CK_STATS, DATA, L, d"
REALS = {"float64": "double", "float32": "float"}
BLOCK = 256  # threads per block of every kernel (a multiple of the warp size)

_PRELUDE = f"""#if !defined(__CUDACC__)
#include <math.h>
#include <stdlib.h>
#define __host__
#define __device__
#define __forceinline__ inline
#endif

__host__ __device__ __forceinline__ unsigned long long octk_mix(unsigned long long z) {{
    z = (z ^ (z >> 30)) * {M1:#x}ULL;
    z = (z ^ (z >> 27)) * {M2:#x}ULL;
    return z ^ (z >> 31);
}}

/* U_k(seed, t, i) = (h >> 11) 2^-53, h = mix(mix(mix(seed ^ (k+1)φ) + t) + (i+1)ψ) */
__host__ __device__ __forceinline__ double octk_uniform(unsigned long long seed, long long t,
                                                        long long i, int k) {{
    unsigned long long h = octk_mix(seed ^ ((unsigned long long)(k + 1) * {PHI:#x}ULL));
    h = octk_mix(h + (unsigned long long)t);
    h = octk_mix(h + ((unsigned long long)i + 1ULL) * {PSI:#x}ULL);
    return (double)(h >> 11) * 1.1102230246251565e-16;
}}

/* Python's a % b for reals: the sign of b (C's fmod takes the sign of a) */
template <typename R>
__host__ __device__ __forceinline__ R octk_pymod(R a, R b) {{
    R r = fmod(a, b);
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r == 0 ? copysign((R)0, b) : r;
}}"""


def _names(prog: StepProgram) -> dict[sp.Symbol, str]:
    names: dict[sp.Symbol, str] = {t: "t", x: "xj", i: "cj", DATA: "dat"}
    names.update({sp.Symbol(h, real=True, nonnegative=True): f"ln.p_{h}" for h in prog.hyper})
    names.update({s: f"ln.s_{s.name}" for s, _ in prog.state})
    names.update({u: f"u{k}" for k, u in enumerate(U)})
    for target, _ in prog.assignments:
        names.setdefault(target, f"a_{target.name}")
    for q, sym in enumerate(prog.stat_symbols):
        names[sym] = f"ln.acc{q}"
    return names


def _struct(prog: StepProgram) -> str:
    fields = ["real x, lo, hi, loss;", "long long cj;", "unsigned long long seed;"]
    fields += [f"real p_{h};" for h in prog.hyper]
    fields += [f"real s_{s.name};" for s, _ in prog.state]
    fields += [f"real acc{q};" for q in range(len(prog.stats))]
    if prog.weighted:
        fields.append("real w;  /* the projection weight 1/η_t (Π_{F,√V}) */")
    return "struct octk_lane {\n" + "\n".join("    " + f for f in fields) + "\n};"


def _load_store(prog: StepProgram) -> str:
    rows = [("x", "X[j]"), ("loss", "LOSS[j]")]
    rows += [(f"s_{s.name}", f"STATE[{k}LL * L + j]") for k, (s, _) in enumerate(prog.state)]
    rows += [(f"acc{q}", f"STATS[{q}LL * L + j]") for q in range(len(prog.stats))]
    fixed = [("lo", "LO[j]"), ("hi", "HI[j]"), ("cj", "j - c * d"), ("seed", "SEED[c]")]
    fixed += [(f"p_{h}", f"PAR[{k}LL * (L / d) + c]") for k, h in enumerate(prog.hyper)]
    ck = [("x", "CK_X[k * L + j]"), ("loss", "CK_LOSS[k * L + j]")]
    ck += [(f"acc{q}", f"CK_STATS[({q}LL * nck + k) * L + j]") for q in range(len(prog.stats))]
    head = "__host__ __device__ __forceinline__ void"
    load = "\n".join(f"    ln.{f} = {a};" for f, a in fixed + rows)
    store = "\n".join(f"    {a} = ln.{f};" for f, a in rows)
    ckpt = "\n".join(f"    {a} = ln.{f};" for f, a in ck)
    return (
        f"{head} octk_load(octk_lane& ln, long long j, {PARAMS}) {{\n"
        f"    const long long c = j / d;  /* the lane's configuration */\n{load}\n}}\n\n"
        f"{head} octk_store(const octk_lane& ln, long long j, {PARAMS}) {{\n{store}\n}}\n\n"
        f"{head} octk_checkpoint(const octk_lane& ln, long long k, long long j, {PARAMS}) {{\n"
        f"{ckpt}\n}}"
    )


def _step(prog: StepProgram, real: str) -> str:
    names = _names(prog)
    pr = CudaPrinter(names, real)
    state = {s for s, _ in prog.state}
    L = [
        "__host__ __device__ __forceinline__ real octk_step(octk_lane& ln, long long t, "
        "const real* DATA) {",
        "    const real xj = ln.x;",
        "    const long long cj = ln.cj;",
        "    (void)xj; (void)cj; (void)DATA;",
    ]
    for k in prog.streams:
        L.append(f"    const real u{k} = (real)octk_uniform(ln.seed, t, cj, {k});")
    if prog.uses_data:
        seq = prog.sequence
        assert seq.data is not None  # uses_data: the signal reads the table
        rows, cols = seq.data.shape
        row = f"(t - 1) % {rows}" if seq.wrap else "t - 1"
        col = "cj" if cols > 1 else "0"
        L.append(f"    const real dat = DATA[({row}) * {cols}LL + {col}];")
    declared: set[sp.Symbol] = set()
    for target, e in prog.assignments:
        code = pr.doprint(e)
        if target == x:
            L.append(f"    const real xn = {code};")
        elif target in state or target in declared:
            L.append(f"    {names[target]} = {code};")
        else:
            declared.add(target)
            L.append(f"    real {names[target]} = {code};")
    for q, (_, e) in enumerate(prog.stats):
        L.append(f"    ln.acc{q} = {pr.doprint(e)};")
    for target, e in prog.post:
        L.append(f"    {names[target]} = {pr.doprint(e)};")
    if prog.weighted:
        L.append(f"    ln.w = {names[W]};")
    L += ["    ln.loss += a_f;", "    return xn;", "}"]
    return "\n".join(L)


_RUN_LANE = f"""/* one lane from step t0 to t1 (a domain without a norm: lanes are independent) */
__host__ __device__ __forceinline__ void octk_run_lane(long long j, long long t0, long long t1,
                                                      long long k0, {PARAMS}) {{
    octk_lane ln;
    octk_load(ln, j, {ARGS});
    long long k = k0;
    for (long long t = t0; t <= t1; ++t) {{
        real xh = octk_step(ln, t, DATA);
        octk_project(ln, xh, (real)0);
        if (k < nck && CK_T[k] == t) {{
            octk_checkpoint(ln, k, j, {ARGS});
            ++k;
        }}
    }}
    octk_store(ln, j, {ARGS});
}}"""

_DEVICE_ELEMENTWISE = f"""#if defined(__CUDACC__)
extern "C" __global__ void octk_lanes(long long t0, long long t1, long long k0, {PARAMS}) {{
    long long j = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (j < L) octk_run_lane(j, t0, t1, k0, {ARGS});
}}
#endif"""

_DEVICE_NORM = f"""#if defined(__CUDACC__)
/* d <= 32: configuration c owns threads [c W, c W + W) of one warp, W = 2^ceil(log2 d) */
extern "C" __global__ void octk_lanes_group(long long t0, long long t1, long long k0, {PARAMS}) {{
    int W = 1;
    while (W < d) W <<= 1;
    long long gid = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    long long c = gid % W;
    long long j = (gid / W) * d + c;
    bool active = c < d && j < L;  /* every thread stays in the loop: the shuffles need it */
    octk_lane ln;
    if (active) octk_load(ln, j, {ARGS});
    long long k = k0;
    for (long long t = t0; t <= t1; ++t) {{
        real xh = active ? octk_step(ln, t, DATA) : (real)0;
        real nrm2 = xh * xh;
        for (int off = W / 2; off > 0; off >>= 1)
            nrm2 += __shfl_xor_sync(0xffffffffu, nrm2, off, W);
        if (active) octk_project(ln, xh, nrm2);
        if (k < nck && CK_T[k] == t) {{
            if (active) octk_checkpoint(ln, k, j, {ARGS});
            ++k;
        }}
    }}
    if (active) octk_store(ln, j, {ARGS});
}}

/* d > 32, one step: blocks never straddle configurations (ceil(d / blockDim) per one) */
extern "C" __global__ void octk_ball_step(long long t, {PARAMS}, real* NRM2) {{
    __shared__ real part[32];
    long long per = (d + blockDim.x - 1) / blockDim.x;
    long long cfg = blockIdx.x / per;
    long long c = (long long)(blockIdx.x % per) * blockDim.x + threadIdx.x;
    long long j = cfg * d + c;
    real v = 0;
    if (c < d) {{
        octk_lane ln;
        octk_load(ln, j, {ARGS});
        real xh = octk_step(ln, t, DATA);
        ln.x = xh;  /* projected by octk_ball_finish */
        octk_store(ln, j, {ARGS});
        v = xh * xh;
    }}
    for (int off = 16; off > 0; off >>= 1) v += __shfl_down_sync(0xffffffffu, v, off);
    if ((threadIdx.x & 31) == 0) part[threadIdx.x >> 5] = v;
    __syncthreads();
    if (threadIdx.x < 32) {{
        v = threadIdx.x < (blockDim.x >> 5) ? part[threadIdx.x] : (real)0;
        for (int off = 16; off > 0; off >>= 1) v += __shfl_down_sync(0xffffffffu, v, off);
        if (threadIdx.x == 0) atomicAdd(&NRM2[cfg], v);
    }}
}}

/* the rescaling, and checkpoint row k (k < 0: none) */
extern "C" __global__ void octk_ball_finish(long long k, {PARAMS}, const real* NRM2) {{
    long long j = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= L) return;
    octk_lane ln;
    octk_load(ln, j, {ARGS});
    octk_project(ln, ln.x, NRM2[j / d]);
    X[j] = ln.x;
    if (k >= 0) octk_checkpoint(ln, k, j, {ARGS});
}}
#endif"""

_HOST_ELEMENTWISE = f"""#if !defined(__CUDACC__)
/* the host shim: plays the grid of octk_lanes, one lane after another */
extern "C" void octk_host_run(long long t0, long long t1, long long k0, {PARAMS}) {{
    for (long long j = 0; j < L; ++j) octk_run_lane(j, t0, t1, k0, {ARGS});
}}
#endif"""

_HOST_NORM = f"""#if !defined(__CUDACC__)
/* the host shim: plays the grid of octk_lanes_group, one configuration after another */
extern "C" void octk_host_run(long long t0, long long t1, long long k0, {PARAMS}) {{
    octk_lane* ln = (octk_lane*)malloc(d * sizeof(octk_lane));
    real* xh = (real*)malloc(d * sizeof(real));
    for (long long a = 0; a < L; a += d) {{
        for (long long c = 0; c < d; ++c) octk_load(ln[c], a + c, {ARGS});
        long long k = k0;
        for (long long t = t0; t <= t1; ++t) {{
            real nrm2 = 0;
            for (long long c = 0; c < d; ++c) {{
                xh[c] = octk_step(ln[c], t, DATA);
                nrm2 += xh[c] * xh[c];
            }}
            for (long long c = 0; c < d; ++c) octk_project(ln[c], xh[c], nrm2);
            if (k < nck && CK_T[k] == t) {{
                for (long long c = 0; c < d; ++c) octk_checkpoint(ln[c], k, a + c, {ARGS});
                ++k;
            }}
        }}
        for (long long c = 0; c < d; ++c) octk_store(ln[c], a + c, {ARGS});
    }}
    free(xh);
    free(ln);
}}
#endif"""


def _group(prog: StepProgram, name: str) -> str:
    """The group layout: per step, the lanes' steps, then the domain's routine ``name``
    on each configuration (with its checkpoint row)."""
    w = "ln.w" if prog.weighted else "(real)1"
    return f"""/* group projections: x̂_{{t+1}} and the weights go through memory (X, WGT) */
__host__ __device__ __forceinline__ void octk_group_lane(long long j, long long t, {PARAMS},
                                                        real* WGT) {{
    octk_lane ln;
    octk_load(ln, j, {ARGS});
    ln.x = octk_step(ln, t, DATA);  /* x̂_{{t+1}}, projected by octk_group_config */
    WGT[j] = {w};
    octk_store(ln, j, {ARGS});
}}

/* configuration c: Π_F of its d lanes in place, then checkpoint row k (k < 0: none) */
__host__ __device__ __forceinline__ void octk_group_config(long long c, long long k, {PARAMS},
                                                          real* WGT) {{
    const long long a = c * d;
    {name}(X + a, LO + a, HI + a, WGT + a, d);
    if (k < 0) return;
    for (long long j = a; j < a + d; ++j) {{
        octk_lane ln;
        octk_load(ln, j, {ARGS});
        octk_checkpoint(ln, k, j, {ARGS});
    }}
}}

#if defined(__CUDACC__)
/* one step of every lane: one thread per lane */
extern "C" __global__ void octk_group_step(long long t, {PARAMS}, real* WGT) {{
    long long j = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (j < L) octk_group_lane(j, t, {ARGS}, WGT);
}}

/* the projection of every configuration: one thread per configuration */
extern "C" __global__ void octk_group_project(long long k, {PARAMS}, real* WGT) {{
    long long c = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (c < L / d) octk_group_config(c, k, {ARGS}, WGT);
}}
#else
/* the host shim: plays both grids step by step */
extern "C" void octk_host_run(long long t0, long long t1, long long k0, {PARAMS}) {{
    real* WGT = (real*)malloc(L * sizeof(real));
    long long k = k0;
    for (long long t = t0; t <= t1; ++t) {{
        for (long long j = 0; j < L; ++j) octk_group_lane(j, t, {ARGS}, WGT);
        long long row = (k < nck && CK_T[k] == t) ? k++ : -1;
        for (long long c = 0; c < L / d; ++c) octk_group_config(c, row, {ARGS}, WGT);
    }}
    free(WGT);
}}
#endif"""


_HOST_UNIFORM = """#if !defined(__CUDACC__)
extern "C" double octk_host_uniform(unsigned long long seed, long long t, long long i, int k) {
    return octk_uniform(seed, t, i, k);
}
#endif"""


def kernel_source(prog: StepProgram, domain, *, dtype: str = "float64") -> str:
    """The CUDA C++ text of ``prog`` on ``domain`` in ``dtype`` (see the module doc)."""
    real = REALS[dtype]
    prog = for_domain(prog, domain)  # with the weights 1/η_t where the domain reads them
    proj = projection(domain)
    parts = [
        "/* generated by octk from a StepProgram: do not edit */",
        f"/* rule: {prog.rule!r} */",
        f"/* sequence: {prog.sequence!r} */",
        f"/* domain: {domain.spec()}   real: {real} */",
        _PRELUDE,
        f"typedef {real} real;",
        _struct(prog),
        _load_store(prog),
        _step(prog, real),
        project_function(domain),
    ]
    if proj.group is not None:
        parts.append(_group(prog, proj.group[0]))
    elif proj.needs_norm:
        parts += [_DEVICE_NORM, _HOST_NORM]
    else:
        parts += [_RUN_LANE, _DEVICE_ELEMENTWISE, _HOST_ELEMENTWISE]
    parts.append(_HOST_UNIFORM)
    return "\n\n".join(parts) + "\n"


def kernel_names(domain) -> tuple[str, ...]:
    """The ``__global__`` kernels that :func:`kernel_source` defines for ``domain``."""
    layout = projection(domain).layout
    if layout == "group":
        return ("octk_group_step", "octk_group_project")
    if layout == "norm":
        return ("octk_lanes_group", "octk_ball_step", "octk_ball_finish")
    return ("octk_lanes",)


__all__ = ["ARGS", "BLOCK", "PARAMS", "REALS", "kernel_names", "kernel_source"]
