r"""``octk run``: one rule on one loss sequence, and its regret

    R_T = Σ_{t≤T} f_t(x_t) − min_{x∈F} Σ_{t≤T} f_t(x)

at log-spaced checkpoints (a table, or one JSON object with ``--json``).
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from pathlib import Path
from typing import Any

import click
import numpy as np

from octk.cli.group import CONTEXT
from octk.cli.options import (
    PROGRESS_STEPS,
    Setting,
    backend_names,
    backend_options,
    chosen_backend,
    dtype_option,
    listed,
    parallel_option,
    path_option,
    rule_help,
    setting_options,
)
from octk.cli.output import finite, g, vec
from octk.cli.params import hyperparameter_names, rule_option_names, split_params
from octk.cli.paths import FIGURE_SUFFIXES, check_output_file
from octk.errors import NonFiniteError, ParameterError


@click.command("run", context_settings=CONTEXT)
@setting_options(
    rule=rule_help(),
    preset=None,
    param=lambda: (
        f"A hyperparameter ({', '.join(sorted(hyperparameter_names()))}), e.g. alpha=0.1, or "
        f"a rule option ({', '.join(rule_option_names())}), e.g. schedule=sqrt. Repeatable."
    ),
    sequence="Loss sequence, e.g. reddi-thm1:C=3, reddi-synthetic, array:path=c.npy.",
    loss=None,
    domain=None,
    steps="Number of steps T ≥ 1 (3e5 is accepted).",
    x0="First iterate x_1 (one value for every coordinate, or d values).",
    d="Dimension (default: from x0/data, else 1).",
    backend=listed("Simulator: ", backend_names, " (octk list --backends)."),
    seed="Seed of the random draws of stochastic sequences.",
)
@parallel_option()
@dtype_option()
@click.option(
    "--comparator",
    "method",
    default="auto",
    show_default=True,
    type=click.Choice(("auto", "closed-form", "cvxpy")),
    help="How min_x Σ f_t(x) is solved.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@path_option(
    "--trace",
    "Stream every iterate x_{t+1}, t = 1..T, to a (T, d) .npy array (memory-mapped, "
    "written as the run goes; its size is announced first).",
)
@path_option("--plot", "Plot R_t/t and x_t; the extension picks the format: .png, .svg, .pdf.")
@click.option("--force", is_flag=True, help="Replace existing --plot/--trace files.")
@click.option(
    "--emit-source",
    is_flag=True,
    help="Print the generated kernel for this rule, sequence, domain and backend, and exit: "
    "Python for numba, CUDA C++ for cupy and cuda-host (no GPU or CuPy needed).",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help=f"Progress bar on stderr (default: on for T ≥ {PROGRESS_STEPS:.0e}).",
)
def run(
    setting: Setting,
    parallel: bool | None,
    dtype: str,
    method: str,
    as_json: bool,
    trace: Path | None,
    plot: Path | None,
    force: bool,
    emit_source: bool,
    progress: bool | None,
) -> None:
    """Run one rule on one loss sequence and report its regret.

    \b
    Examples:
      octk run --rule adam --param alpha=0.1 --param beta1=0 --param beta2=0.1 \\
               --sequence reddi-thm1:C=3 --steps 3e5
      octk run --rule amsgrad --param alpha=1 --param beta2=0.99 \\
               --sequence reddi-synthetic --steps 1e6 --json
      octk run --rule adam --preset torch --sequence array:path=grads.npy --steps 100
    """
    r, _, hyper = split_params(setting.rule_name, setting.preset, setting.params)
    seq, dom = setting.sequence_and_domain()

    if emit_source:
        _emit_source(setting, r, seq, dom, hyper, backend_options(parallel), dtype)
        return

    if setting.steps is None:
        raise click.UsageError("Missing option '--steps'.")
    sim = setting.simulation_args()
    T, seed = sim["steps"], sim["seed"]
    # unknown or unavailable backends, a dtype or an option a backend lacks fail before any
    # work; `auto` picks for this run's size C·d·T
    backend = chosen_backend(setting.backend, parallel, work=setting.work(seq, dom), dtype=dtype)
    show = T >= PROGRESS_STEPS if progress is None else progress
    if plot:
        check_output_file("--plot", plot, FIGURE_SUFFIXES, force)
    if trace:
        check_output_file("--trace", trace, (".npy",), force)

    from octk.regret import regret
    from octk.simulate import prepare, simulate

    if trace:
        from octk.driver import check_trace_path

        meta = prepare(r, seq, dom, **sim, params=hyper)[2]
        size = check_trace_path(trace, T, 1, meta["d"])
        click.echo(
            f"octk: trace: {T:,} × {meta['d']} float64 = {_size(size)} to {str(trace)!r}",
            err=True,
        )

    started = time.perf_counter()
    traj = simulate(
        r,
        seq,
        dom,
        **sim,
        params=hyper,
        backend=backend,
        progress=show,
        nonfinite="raise",
        trace=trace,
        dtype=dtype,
    )
    sim_s = time.perf_counter() - started
    reg = regret(traj, method=method)
    _check_defined(reg)
    if plot:
        from octk.plots import plot_run

        try:
            plot_run(traj, reg, plot)
        except OSError as e:
            raise ParameterError(f"plot: cannot write {str(plot)!r}: {e.strerror or e}") from None
    wall = time.perf_counter() - started

    idx = np.searchsorted(traj.t, reg.t)
    result = {
        "rule": r.name,
        "preset": setting.preset,
        "title": r.title,
        "source": r.source,
        "options": dict(r.options),
        "params": {k: float(v[0]) for k, v in traj.params.items()},
        "sequence": seq.spec(),
        "loss": seq.loss,
        "domain": dom.spec(),
        "backend": traj.backend,
        "backend_requested": setting.backend,
        "dtype": traj.dtype,
        "steps": T,
        "d": traj.d,
        "seed": seed,
        "x0": traj.x0[0],
        "x": traj.x_final[0],
        "played": float(reg.played[0, -1]),
        "regret": float(reg.regret[0, -1]),
        "average_regret": float(reg.average[0, -1]),
        "comparator": {
            "x": reg.x_star[0, -1],
            "value": float(reg.best[0, -1]),
            "status": str(reg.status[0, -1]),
            "solver": reg.solver,
        },
        "checkpoints": {
            "t": reg.t,
            "regret": reg.regret[0],
            "average_regret": reg.average[0],
            "x": traj.x[0, idx],
        },
        "trace": str(trace) if trace else None,
        "plot": str(plot) if plot else None,
        "simulate_s": sim_s,
        "wall_s": wall,
    }
    if as_json:
        click.echo(json.dumps(finite(result)))
    else:
        click.echo(summary(result, r))


def _emit_source(
    setting: Setting,
    r: Any,
    seq: Any,
    dom: Any,
    hyper: dict[str, float],
    options: dict,
    dtype: str,
) -> None:
    """Print the kernel this run compiles (``--steps`` does not change it; ``auto`` is
    resolved for the run's size): the Numba kernel, or for ``cupy`` and ``cuda-host``
    the CUDA C++ text (:func:`octk.backends.cuda_source.kernel_source`), which needs
    neither CuPy nor a GPU to print."""
    from octk.backends import check_dtype, get_backend, resolve_backend
    from octk.simulate import prepare

    sim = dataclasses.replace(setting, steps=setting.steps or "1").simulation_args()
    prog, lanes, meta = prepare(r, seq, dom, **{**sim, "steps": 1}, params=hyper)
    work = lanes.n_lanes * sim["steps"]
    name = resolve_backend(setting.backend, work=work, dtype=dtype)
    if name in ("cupy", "cuda-host"):
        from octk.backends.cuda_source import kernel_source

        click.echo(kernel_source(prog, meta["domain"], dtype=dtype), nl=False)
        return
    if name != "numba":
        raise ParameterError(
            f"--emit-source prints generated kernels (backends numba, cupy, cuda-host); "
            f"backend {name!r} evaluates the SymPy program and has none"
        )
    be = get_backend(name, **options)
    check_dtype(be, dtype)
    click.echo(be.source(prog, meta["domain"], lanes=lanes, dtype=dtype))


def _asked(res: dict[str, Any]) -> str:
    """``, asked auto`` where the backend that ran is auto's choice."""
    asked = res.get("backend_requested")
    return f", asked {asked}" if asked and asked != res["backend"] else ""


def _minimiser(x: Any) -> str:
    """The comparator's x*, or "none" where there is none (an unbounded problem)."""
    return "none" if np.isnan(np.asarray(x, dtype=np.float64)).any() else vec(x)


def _size(n: int) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} bytes"


def _check_defined(reg: Any) -> None:
    """A regret or comparator that is nan is an error, never a printed number."""
    bad = np.isnan(reg.regret[0]) | np.isnan(reg.best[0])
    if bad.any():
        k = int(np.argmax(bad))
        raise NonFiniteError(
            f"the regret at t = {int(reg.t[k]):,} is undefined (comparator status "
            f"{reg.status[0, k]!r}, value {reg.best[0, k]}); the loss statistics are not finite"
        )


def summary(res: dict[str, Any], r: Any) -> str:
    """The readable report of ``octk run``: the setting, the final numbers, a few checkpoints."""
    comp = res["comparator"]
    params = ", ".join(f"{k}={v:g}" for k, v in res["params"].items())
    lines = [
        f"{r.title}  [{r.source}]",
        f"  {'sequence':<11} {res['sequence']} ({res['loss']} loss)",
        f"  {'domain':<11} {res['domain']}   d = {res['d']}",
        f"  {'params':<11} {params}",
        f"  {'backend':<11} {res['backend']} ({res['dtype']}{_asked(res)})   "
        f"T = {res['steps']:,}   "
        f"simulated in {res['simulate_s']:.3g} s",
        f"  {'x_1':<11} {vec(res['x0'])}",
        f"  {'x_{T+1}':<11} {vec(res['x'])}",
        f"  {'comparator':<11} x* = {_minimiser(comp['x'])}, min Σ f_t = {g(comp['value'])} "
        f"({comp['status']}, {comp['solver']})",
        f"  {'regret':<11} R_T = {g(res['regret'])}   R_T/T = {g(res['average_regret'])}",
    ]
    t = np.asarray(res["checkpoints"]["t"])
    show = [k for k, v in enumerate(t) if v in (1, 10) or math.log10(v).is_integer()]
    if len(t) - 1 not in show:
        show.append(len(t) - 1)
    lines.append("")
    lines.append(f"  {'t':>12} {'R_t':>14} {'R_t/t':>12}  x_{{t+1}}")
    for k in show:
        lines.append(
            f"  {t[k]:>12,} {g(float(res['checkpoints']['regret'][k])):>14} "
            f"{g(float(res['checkpoints']['average_regret'][k])):>12}  "
            f"{vec(res['checkpoints']['x'][k])}"
        )
    for key in ("trace", "plot"):
        if res[key]:
            lines.append(f"  wrote {key}: {res[key]}")
    return "\n".join(lines)


__all__ = ["run", "summary"]
