"""What octk costs around its kernels: a warm ``simulate()`` call, ``import octk`` and the CLI.

Three sections, one process (the start-up ones in child processes), side by side:

1. **warm simulate() overhead**: the same small run called again and again (RKK's
   Theorem 1, Adam, T = 10 steps) for 1 and for C configurations; per call, the wall
   time of ``simulate()`` and the time inside the Numba kernel (the dispatcher that
   :func:`octk.backends.numba_backend.load_kernel` returns, wrapped by a timer), and
   their difference: what octk spends outside the kernel (validation, lanes, memo
   look-ups, the Trajectory). The lowering and the kernel source are memoised
   (:mod:`octk.backends.memo`), so a warm call does no SymPy work.
2. **start-up**: ``python -c "import octk"`` and ``python -m octk --help``, each in a
   fresh process, wall and CPU seconds (best of ``--repeat``), with the modules they
   load from SymPy, NumPy, Numba, cvxpy, SciPy, xarray, pandas and matplotlib.
3. **CLI run, cold and warm**: ``python -m octk run ... --steps 1000 --json`` with an
   empty kernel cache (``OCTK_CACHE_DIR`` a fresh folder: lowering, printing and the
   Numba compile) and then again (the kernel found in the disk cache).

Nothing here asserts on time: the script reports.

    python benchmarks/bench_overhead.py [--json PATH] [--out TABLE.txt] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import octk  # noqa: E402
from octk.backends import numba_backend  # noqa: E402
from octk.rules import rule  # noqa: E402

SEQ, BOX = "reddi-thm1:C=3", "box:-1,1"
THM1 = {"alpha": 0.1, "beta1": 0.0, "beta2": 0.1}
CLI_RUN = [
    "run", "--rule", "adam", "--param", "schedule=sqrt", "--param", "alpha=0.1",
    "--param", "beta1=0", "--param", "beta2=0.1", "--sequence", SEQ, "--steps", "1000",
    "--json", "--backend", "numba",
]  # fmt: skip
HEAVY = ("sympy", "numpy", "numba", "cvxpy", "scipy", "xarray", "pandas", "matplotlib", "torch")


class KernelClock:
    """Wraps every kernel :func:`~octk.backends.numba_backend.load_kernel` returns, adding
    the seconds spent inside it to ``seconds``."""

    def __init__(self):
        self.seconds = 0.0
        self._load = numba_backend.load_kernel

    def __enter__(self):
        def load(source):
            kernel = self._load(source)

            def timed(*args):
                t0 = time.perf_counter()
                kernel(*args)
                self.seconds += time.perf_counter() - t0

            return timed

        numba_backend.load_kernel = load
        return self

    def __exit__(self, *exc):
        numba_backend.load_kernel = self._load


def simulate_overhead(configs: int, calls: int) -> dict:
    """Per-call seconds of a warm simulate() (best and median of ``calls``): total,
    inside the kernel, outside it."""
    params = dict(THM1, alpha=np.linspace(0.01, 0.5, configs)) if configs > 1 else THM1
    r = rule("adam", schedule="sqrt")
    kw = dict(steps=10, params=params, backend="numba")
    with KernelClock() as clock:
        for _ in range(2):  # compile (or load from the disk cache), then fill the memos
            octk.simulate(r, SEQ, BOX, **kw)
        total, inside = [], []
        for _ in range(calls):
            clock.seconds = 0.0
            t0 = time.perf_counter()
            octk.simulate(r, SEQ, BOX, **kw)
            total.append(time.perf_counter() - t0)
            inside.append(clock.seconds)
    tot, ins = np.array(total), np.array(inside)
    out = tot - ins
    return {
        "configs": configs,
        "steps": 10,
        "calls": calls,
        "total_best_s": float(tot.min()),
        "total_median_s": float(np.median(tot)),
        "kernel_median_s": float(np.median(ins)),
        "outside_best_s": float(out.min()),
        "outside_median_s": float(np.median(out)),
    }


def child_env(cache: str | None = None) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if cache is not None:
        env["OCTK_CACHE_DIR"] = cache
    return env


def run_child(args: list[str], env: dict) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, stdout) of ``python args`` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


# a child that does STEP, then prints the heavy packages it loaded
PROBE = """import sys
STEP
print(",".join(sorted({m.split(".")[0] for m in sys.modules} & HEAVY)))
"""
HELP = """from octk.cli import main
try:
    main(["--help"], prog_name="octk")
except SystemExit:
    pass"""


def startup(repeat: int) -> list[dict]:
    env = child_env()
    rows = []
    for name, args, step in (
        ("import octk", ["-c", "import octk"], "import octk"),
        ("octk --help", ["-m", "octk", "--help"], HELP),
    ):
        walls, cpus = [], []
        for _ in range(repeat):
            wall, cpu, _ = run_child(args, env)
            walls.append(wall)
            cpus.append(cpu)
        probe = PROBE.replace("STEP", step).replace("HEAVY", repr(set(HEAVY)))
        modules = run_child(["-c", probe], env)[2].strip().splitlines()[-1]
        rows.append(
            {"what": name, "wall_best_s": min(walls), "cpu_best_s": min(cpus), "loads": modules}
        )
    return rows


def cli_cold_warm() -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="octk-bench-cache-") as cache:
        env = child_env(cache)
        for what in ("cold (empty kernel cache)", "warm (kernel in the disk cache)"):
            wall, cpu, out = run_child(["-m", "octk", *CLI_RUN], env)
            res = json.loads(out)
            rows.append(
                {
                    "what": f"octk run, {what}",
                    "wall_s": wall,
                    "cpu_s": cpu,
                    "simulate_s": res.get("simulate_s"),
                }
            )
    return rows


def table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def ms(s: float) -> str:
    return f"{s * 1e3:.3f} ms"


def report(res: dict) -> str:
    sim = table(
        ["configurations", "calls", "total (best)", "kernel (median)", "outside (best)",
         "outside (median)"],
        [
            [f"{r['configs']}", f"{r['calls']}", ms(r["total_best_s"]), ms(r["kernel_median_s"]),
             ms(r["outside_best_s"]), ms(r["outside_median_s"])]
            for r in res["simulate_overhead"]
        ],
    )  # fmt: skip
    start = table(
        ["what", "wall (best)", "CPU (best)", "loads"],
        [
            [r["what"], f"{r['wall_best_s']:.3f} s", f"{r['cpu_best_s']:.3f} s", r["loads"]]
            for r in res["startup"]
        ],
    )
    cli = table(
        ["what", "wall", "CPU", "simulate() inside"],
        [
            [r["what"], f"{r['wall_s']:.3f} s", f"{r['cpu_s']:.3f} s", f"{r['simulate_s']:.3f} s"]
            for r in res["cli"]
        ],
    )
    return (
        "1. warm simulate(), RKK Thm 1 Adam, T = 10, per call\n\n" + sim + "\n\n"
        "2. start-up, fresh processes\n\n" + start + "\n\n"
        "3. octk run --steps 1000, cold and warm\n\n" + cli + "\n"
    )


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=200, help="warm simulate() calls per size")
    p.add_argument("--configs", type=int, default=4096, help="the batched size")
    p.add_argument("--repeat", type=int, default=5, help="start-up runs (best kept)")
    p.add_argument("--quick", action="store_true", help="a smoke run: few calls and runs")
    p.add_argument(
        "--sections", default="simulate,startup,cli", help="a subset of simulate,startup,cli"
    )
    p.add_argument("--json", default=None, help="write every number here")
    p.add_argument("--out", default=None, help="write the tables here")
    a = p.parse_args(argv)
    if a.quick:
        a.calls, a.configs, a.repeat = 5, 64, 1
    sections = a.sections.split(",")
    res = {
        "quick": a.quick,
        "simulate_overhead": (
            [simulate_overhead(c, a.calls) for c in (1, a.configs)]
            if "simulate" in sections
            else []
        ),
        "startup": startup(a.repeat) if "startup" in sections else [],
        "cli": cli_cold_warm() if "cli" in sections else [],
    }
    text = report(res)
    print(text)
    if a.json:
        Path(a.json).write_text(json.dumps(res, indent=1))
    if a.out:
        Path(a.out).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
