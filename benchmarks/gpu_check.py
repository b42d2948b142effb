"""The device check: octk's ``cupy`` backend on a GPU, in one command (about 5 minutes).

    python benchmarks/gpu_check.py --out DIR          # on a GPU machine
    python benchmarks/gpu_check.py --dry-run          # anywhere: the plan, no GPU touched

Sections (``--sections``, all by default), each timed apart and recorded even when
another fails:

``tests``      the ``gpu``-marked tests (tests/test_cupy_gpu.py): the reduced
               reference-vs-cupy agreement grid (every rule on every domain, the three
               kernel layouts, batches, segments, draws bit for bit, float32);
``sweep``      RKK Theorem 1 (Adam, β1 = 0, β2 = 0.1, α_t = α/√t, ε = 1e-8, box [-1, 1],
               c_t = 3, −1, −1, ...), float64, C = 2^20 step sizes α ∈ [0.01, 0.5] × T = 10^4
               steps: config-steps/s of the cupy kernel (one launch, on device arrays),
               octk's numba backend on this machine's CPU, and jax vmap(lax.scan) on the
               same GPU if jax imports; max |Δx| of each against the cupy run;
``large_d``    one Adam step (β = 0.9, 0.999) at d = 10^8, float32 and float64: the kernel's
               bytes moved per second against the device's measured copy bandwidth (a
               cupy device-to-device copy), and the time against torch.optim.Adam
               (fused=True) on the same device if torch imports;
``reproduce``  ``octk reproduce reddi2018`` (at ``--reproduce-scale``) with backend cupy
               against backend numba.

Writes ``gpu_check.json`` (every number, the device, the versions and the command)
and ``gpu_check.md`` (the tables) into ``--out``. Nothing asserts on time.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")
# jax would otherwise take 75 % of the GPU's memory at import, starving cupy and torch
os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")

from octk.rules import rule  # noqa: E402
from octk.simulate import prepare, simulate  # noqa: E402

SECTIONS = ("tests", "sweep", "large_d", "reproduce")
SEQ, BOX = "reddi-thm1:C=3", "box:-1,1"
BETA1, BETA2, EPS = 0.0, 0.1, 1e-8
HD_SEQ, HD_PARAMS = "uniform:low=-1,high=1", {"alpha": 0.001, "beta1": 0.9, "beta2": 0.999}


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default="gpu-check-results", help="folder for the JSON and table")
    p.add_argument("--sections", default=",".join(SECTIONS), help="comma-separated subset")
    p.add_argument("--configs", type=int, default=2**20, help="sweep: configurations")
    p.add_argument("--steps", type=int, default=10**4, help="sweep: steps")
    p.add_argument("--numba-steps", type=int, default=10**3, help="sweep: steps of numba run")
    p.add_argument("--dim", type=int, default=10**8, help="large_d: coordinates")
    p.add_argument("--repeat", type=int, default=5, help="timed repeats (best is kept)")
    p.add_argument("--reproduce-scale", type=float, default=0.1, help="reproduce: T scale")
    p.add_argument("--dry-run", action="store_true", help="print the plan and exit")
    a = p.parse_args(argv)
    a.sections = tuple(s.strip() for s in a.sections.split(",") if s.strip())
    unknown = set(a.sections) - set(SECTIONS)
    if unknown:
        p.error(f"unknown sections {sorted(unknown)}; known: {', '.join(SECTIONS)}")
    for name in ("configs", "steps", "numba_steps", "dim", "repeat"):
        if getattr(a, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be >= 1")
    return a


def optional(name):
    try:
        return __import__(name)
    except ImportError:
        return None


def environment() -> dict:
    env = {"python": platform.python_version(), "machine": platform.machine()}
    for name in ("numpy", "sympy", "numba", "cupy", "torch", "jax", "cvxpy"):
        mod = optional(name)
        env[name] = getattr(mod, "__version__", None) if mod is not None else None
    from octk.backends.cupy_backend import device_error

    env["device_error"] = device_error()
    if env["device_error"] is None:
        import cupy

        props = cupy.cuda.runtime.getDeviceProperties(0)
        env["device"] = (
            props["name"].decode() if isinstance(props["name"], bytes) else props["name"]
        )
        env["sm_count"] = props["multiProcessorCount"]
        env["driver"] = cupy.cuda.runtime.driverGetVersion()
        env["runtime"] = cupy.cuda.runtime.runtimeGetVersion()
    return env


# ------------------------------------------------------------------------------ timing
def gpu_seconds(fn, repeat: int) -> float:
    """Best of ``repeat`` timings of ``fn()`` on the device (CUDA events), after a warm-up."""
    import cupy

    fn()
    cupy.cuda.Device().synchronize()
    best = math.inf
    for _ in range(repeat):
        start, stop = cupy.cuda.Event(), cupy.cuda.Event()
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        best = min(best, cupy.cuda.get_elapsed_time(start, stop) / 1e3)
    return best


# ------------------------------------------------------------------------------ sections
def section_tests(a) -> dict:
    cmd = [sys.executable, "-m", "pytest", "-q", "-m", "gpu", "-p", "no:cacheprovider"]
    cmd.append(str(ROOT / "tests" / "test_cupy_gpu.py"))
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    tail = (out.stdout + out.stderr).strip().splitlines()
    return {"command": " ".join(cmd[1:]), "returncode": out.returncode, "summary": tail[-1:]}


def sweep_lanes(configs: int, steps: int):
    """RKK Theorem 1 Adam over ``configs`` step sizes, one checkpoint at T."""
    alpha = np.linspace(0.01, 0.5, configs)
    params = {"alpha": alpha, "beta1": BETA1, "beta2": BETA2, "eps": EPS}
    r = rule("adam", schedule="sqrt")
    return prepare(r, SEQ, BOX, steps=steps, params=params, checkpoints=[steps])


def jax_sweep(alpha: np.ndarray, steps: int):
    """The same Adam in jax: vmap over α of a lax.scan over t (x64); returns (fn, args)."""
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    def one(al):
        def body(c, _):
            x, m, v, p1, p2, t = c
            g = jnp.where(t % 3 == 1, 3.0, -1.0)
            m = BETA1 * m + g * (1 - BETA1)
            v = BETA2 * v + g * g * (1 - BETA2)
            p1, p2 = p1 * BETA1, p2 * BETA2
            mhat, vhat = m / (1 - p1), v / (1 - p2)
            x = jnp.clip(x - al * mhat / (jnp.sqrt(t * 1.0) * (EPS + jnp.sqrt(vhat))), -1, 1)
            return (x, m, v, p1, p2, t + 1), None

        z = al * 0.0
        c0 = (z, z, z, z + 1.0, z + 1.0, jnp.asarray(1, dtype=jnp.int64))
        return jax.lax.scan(body, c0, None, length=steps)[0][0]

    fn = jax.jit(jax.vmap(one))
    arg = jnp.asarray(alpha)
    return fn, arg


def section_sweep(a) -> dict:
    from octk.backends import get_backend
    from octk.backends.cupy_backend import DeviceLanes

    C, T = a.configs, a.steps
    res = {"configs": C, "steps": T}
    prog, lanes, meta = sweep_lanes(C, T)
    kern = get_backend("cupy").compile(prog, meta["domain"])
    t0 = time.perf_counter()
    kern(lanes, 1, 2, 0)  # compile (NVRTC, or CuPy's disk cache) and a first launch
    res["cupy_first_call_s"] = time.perf_counter() - t0
    prog, lanes, meta = sweep_lanes(C, T)
    dev = DeviceLanes.upload(lanes, "float64", 0, 1)
    kern.launch(dev, 1, T, ck_t=lanes.ck_t)  # from x_1: the iterates compared below
    x_gpu = dev.arrays["X"].get()
    # timed: the same T steps again on device-resident lanes (the same work per step;
    # the state just carries on), the upload outside the timing
    sec = gpu_seconds(lambda: kern.launch(dev, 1, T, ck_t=lanes.ck_t), a.repeat)
    res["cupy_s"] = sec
    res["cupy_config_steps_per_s"] = C * T / sec
    x_ref = simulate(
        rule("adam", schedule="sqrt"), SEQ, BOX, steps=T, backend="numba", checkpoints=[T],
        params={"alpha": lanes.par[0][:: max(1, C // 64)], "beta1": BETA1, "beta2": BETA2},
    ).x[:, -1, 0]  # fmt: skip
    res["cupy_vs_numba_max_abs_dx"] = float(np.max(np.abs(x_gpu[:: max(1, C // 64)] - x_ref)))

    # numba on this machine's CPU (all cores), fewer steps: a rate per config-step
    Tn = min(a.numba_steps, T)
    prog_n, lanes_n, meta_n = sweep_lanes(C, Tn)
    kn = get_backend("numba").compile(prog_n, meta_n["domain"])
    kn(lanes_n, 1, 1, 0)  # compile
    prog_n, lanes_n, meta_n = sweep_lanes(C, Tn)
    t0 = time.perf_counter()
    kn(lanes_n, 1, Tn, 0)
    secn = time.perf_counter() - t0
    res.update(numba_steps=Tn, numba_s=secn, numba_config_steps_per_s=C * Tn / secn)
    res["numba_threads"] = int(optional("numba").get_num_threads())

    if optional("jax") is not None:
        fn, arg = jax_sweep(lanes.par[0], T)
        t0 = time.perf_counter()
        fn(arg).block_until_ready()
        res["jax_compile_and_first_s"] = time.perf_counter() - t0
        best = math.inf
        for _ in range(a.repeat):
            t0 = time.perf_counter()
            x_jax = np.asarray(fn(arg).block_until_ready())
            best = min(best, time.perf_counter() - t0)
        res.update(jax_s=best, jax_config_steps_per_s=C * T / best)
        res["jax_devices"] = [str(d) for d in optional("jax").devices()]
        res["jax_max_abs_dx"] = float(np.max(np.abs(x_jax - x_gpu)))
        res["cupy_over_jax"] = best / sec
    else:
        res["jax"] = "not importable: skipped"
    res["cupy_over_numba"] = res["cupy_config_steps_per_s"] / res["numba_config_steps_per_s"]
    return res


def large_d_lanes(d: int, dtype: str):
    """Device lanes for one configuration of d coordinates, built on the device."""
    import cupy

    from octk.backends.cuda_host import lane_arrays
    from octk.backends.cupy_backend import DeviceLanes

    r = rule("adam", schedule="sqrt")
    never = 10**9  # no checkpoint row is written in the timed steps
    prog, one, meta = prepare(
        r, HD_SEQ, "reals", steps=never, params=HD_PARAMS, checkpoints=[never]
    )
    small = lane_arrays(one, dtype)
    arrays = {}
    for name, v in small.items():
        if name in ("CK_T", "DATA"):
            arrays[name] = cupy.asarray(v)
        elif name.startswith("CK_"):
            arrays[name] = cupy.zeros((*v.shape[:-1], 1), dtype=v.dtype)
        elif name in ("PAR", "SEED"):  # per configuration: one
            arrays[name] = cupy.asarray(v)
        else:
            arrays[name] = cupy.ascontiguousarray(
                cupy.broadcast_to(cupy.asarray(v)[..., :1], (*v.shape[:-1], d))
            )
    return prog, meta, DeviceLanes(arrays, d, d)


def copy_bandwidth(n: int, repeat: int) -> float:
    """GB/s of a device-to-device copy of n float64 (bytes read + written)."""
    import cupy

    src = cupy.ones(n, dtype=np.float64)
    dst = cupy.empty_like(src)
    sec = gpu_seconds(lambda: cupy.copyto(dst, src), repeat)
    return 2 * src.nbytes / sec / 1e9


def section_large_d(a) -> dict:
    import cupy

    from octk.backends import get_backend

    d = a.dim
    res = {"dim": d}
    res["copy_GBps"] = copy_bandwidth(min(1 << 28, 4 * d), a.repeat)
    torch = optional("torch")
    for dtype in ("float32", "float64"):
        prog, meta, dev = large_d_lanes(d, dtype)
        kern = get_backend("cupy").compile(prog, meta["domain"], dtype=dtype)

        def one_step(kern=kern, dev=dev, step=[0]):  # noqa: B006 - the step counter
            step[0] += 1
            kern.launch(dev, step[0], step[0], ck_t=[10**9])

        sec = gpu_seconds(one_step, a.repeat)
        arr = dev.arrays
        reads = sum(arr[k].nbytes for k in ("X", "STATE", "LOSS", "STATS"))  # + PAR, SEED: one
        writes = sum(arr[k].nbytes for k in ("X", "STATE", "LOSS", "STATS"))
        item = np.dtype(dtype).itemsize
        r = {
            "step_s": sec,
            "bytes_moved": reads + writes,
            "GBps": (reads + writes) / sec / 1e9,
            "fraction_of_copy": (reads + writes) / sec / 1e9 / res["copy_GBps"],
            "adam_bytes": 7 * item * d,  # x, m, v read and written, g read: torch's traffic
            "adam_equivalent_GBps": 7 * item * d / sec / 1e9,
        }
        del dev, arr, one_step
        cupy.get_default_memory_pool().free_all_blocks()
        if torch is not None and torch.cuda.is_available():
            tdt = getattr(torch, dtype)
            p = torch.zeros(d, device="cuda", dtype=tdt, requires_grad=True)
            p.grad = torch.rand(d, device="cuda", dtype=tdt) * 2 - 1
            opt = torch.optim.Adam([p], lr=1e-3, betas=(0.9, 0.999), fused=True)
            opt.step()
            torch.cuda.synchronize()
            best = math.inf
            for _ in range(a.repeat):
                s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                s.record()
                opt.step()
                e.record()
                e.synchronize()
                best = min(best, s.elapsed_time(e) / 1e3)
            r.update(torch_fused_s=best, torch_GBps=7 * item * d / best / 1e9)
            r["octk_over_torch"] = best / sec  # > 1: octk faster
            del p, opt
            torch.cuda.empty_cache()
        else:
            r["torch"] = "not importable or no CUDA: skipped"
        res[dtype] = r
    return res


def section_reproduce(a) -> dict:
    from octk.experiments import reproduction

    rep = reproduction("reddi2018")
    res = {"scale": a.reproduce_scale}
    for backend in ("cupy", "numba"):
        with tempfile.TemporaryDirectory() as tmp:
            rep.run(tmp, scale=a.reproduce_scale, backend=backend, progress=False, seeds=8)
            t0 = time.perf_counter()  # second run: kernels compiled and cached
            out = rep.run(tmp, scale=a.reproduce_scale, backend=backend, progress=False, seeds=8)
            res[f"{backend}_s"] = time.perf_counter() - t0
            res[f"{backend}_rows"] = [
                {k: row[k] for k in ("experiment", "method", "T") if k in row}
                | {"x_T": row.get("x_T")}
                for row in out["rows"]
            ]
    res["cupy_over_numba_time"] = res["cupy_s"] / res["numba_s"]
    return res


RUNNERS = {
    "tests": section_tests,
    "sweep": section_sweep,
    "large_d": section_large_d,
    "reproduce": section_reproduce,
}


# ------------------------------------------------------------------------------ report
def table(results: dict) -> str:
    """The markdown tables of ``results`` (whatever sections ran)."""
    env = results["environment"]
    lines = [
        "# octk device check",
        "",
        f"device: {env.get('device', env.get('device_error'))}; python {env['python']}, "
        f"numpy {env['numpy']}, numba {env['numba']}, cupy {env['cupy']}, "
        f"torch {env['torch']}, jax {env['jax']}",
        f"command: `{results['command']}`",
        "",
    ]
    sec = results["sections"]
    if "tests" in sec:
        t = sec["tests"]
        lines += ["## gpu tests", "", f"`{t.get('command')}`: {t.get('summary', t)}", ""]
    if isinstance(sec.get("sweep"), dict) and "cupy_s" in sec["sweep"]:
        s = sec["sweep"]
        lines += [
            f"## sweep: RKK Thm 1 Adam, {s['configs']} configs × {s['steps']} steps, float64",
            "",
            "| implementation | config-steps/s | vs cupy |",
            "|---|---:|---:|",
            f"| octk cupy (one launch) | {s['cupy_config_steps_per_s']:.3g} | 1 |",
            f"| octk numba, CPU, {s['numba_threads']} threads | "
            f"{s['numba_config_steps_per_s']:.3g} | {1 / s['cupy_over_numba']:.3g} |",
        ]
        if "jax_s" in s:
            lines.append(
                f"| jax vmap(lax.scan) (max abs dx {s['jax_max_abs_dx']:.1e}) | "
                f"{s['jax_config_steps_per_s']:.3g} | {1 / s['cupy_over_jax']:.3g} |"
            )
        lines.append("")
    if isinstance(sec.get("large_d"), dict) and "copy_GBps" in sec["large_d"]:
        ld = sec["large_d"]
        lines += [
            f"## one Adam step, d = {ld['dim']:.3g} (copy bandwidth {ld['copy_GBps']:.0f} GB/s)",
            "",
            "| dtype | octk step | octk GB/s moved | of copy | Adam-equivalent GB/s "
            "| torch fused | octk/torch speed |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for dt in ("float32", "float64"):
            r = ld.get(dt)
            if isinstance(r, dict):
                tf = f"{r['torch_fused_s'] * 1e3:.2f} ms" if "torch_fused_s" in r else "-"
                ratio = f"{r['octk_over_torch']:.2f}×" if "octk_over_torch" in r else "-"
                lines.append(
                    f"| {dt} | {r['step_s'] * 1e3:.2f} ms | {r['GBps']:.0f} | "
                    f"{r['fraction_of_copy']:.0%} | {r['adam_equivalent_GBps']:.0f} | {tf} "
                    f"| {ratio} |"
                )
        lines.append("")
    if isinstance(sec.get("reproduce"), dict) and "cupy_s" in sec["reproduce"]:
        r = sec["reproduce"]
        lines += [
            f"## octk reproduce reddi2018 (scale {r['scale']:g})",
            "",
            f"cupy {r['cupy_s']:.2f} s, numba {r['numba_s']:.2f} s "
            f"(cupy/numba time {r['cupy_over_numba_time']:.2f})",
            "",
        ]
    for name, s in sec.items():
        if isinstance(s, dict) and "error" in s:
            lines.append(f"- section {name} failed: {s['error']}")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    a = parse_args(argv)
    env = environment()
    if a.dry_run:
        print(f"sections: {', '.join(a.sections)}; out: {a.out}")
        print(f"sweep: {a.configs} configs x {a.steps} steps (numba {a.numba_steps} steps)")
        print(f"large_d: d = {a.dim}, float32 and float64; repeats: {a.repeat}")
        print(f"reproduce: reddi2018 at scale {a.reproduce_scale:g}")
        print(f"device: {env.get('device', env['device_error'])}")
        return 0
    if env["device_error"] is not None:
        print(f"gpu_check: {env['device_error']}", file=sys.stderr)
        return 2
    os.environ.setdefault("OCTK_CACHE_DIR", tempfile.mkdtemp(prefix="octk-gpu-check-"))
    results = {"command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]), "environment": env}
    results["sections"] = {}
    for name in a.sections:
        print(f"[gpu_check] {name} ...", flush=True)
        t0 = time.perf_counter()
        try:
            results["sections"][name] = RUNNERS[name](a)
        except Exception as e:  # record and go on: one failure must not lose the rest
            results["sections"][name] = {"error": f"{type(e).__name__}: {e}"}
        results["sections"][name]["wall_s"] = time.perf_counter() - t0
        print(f"[gpu_check] {name}: {time.perf_counter() - t0:.1f} s", flush=True)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "gpu_check.json").write_text(json.dumps(results, indent=2, default=str))
    text = table(results)
    (out / "gpu_check.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
