"""``octk reproduce NAME``: a paper's experiments, written as figures, a table and JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from octk.cli.group import CONTEXT
from octk.cli.options import (
    Registered,
    backend_names,
    backend_options,
    dtype_option,
    listed,
    option,
    parallel_option,
)
from octk.cli.paths import check_output_dir
from octk.errors import check_int, check_real


def reproduction_names() -> list[str]:
    from octk.experiments import REPRODUCTIONS

    return list(REPRODUCTIONS)


@click.command("reproduce", context_settings=CONTEXT)
@click.argument("name", metavar="NAME", type=Registered("reproduction", reproduction_names))
@click.option(
    "--out",
    "out_dir",
    default=None,
    metavar="DIR",
    help="Output folder, checked before the work (default: octk-out/NAME); the files "
    "the reproduction writes there are replaced.",
)
@click.option(
    "--scale",
    default="1",
    show_default=True,
    metavar="F",
    help="Multiply every T by F (0.01 for a quick look).",
)
@option(
    "--backend",
    default="auto",
    show_default=True,
    metavar="NAME",
    type=Registered("backend", backend_names),
    help=listed(
        "Simulator: ", backend_names, " (auto: chosen per run by its size; numba without a GPU)."
    ),
)
@parallel_option()
@dtype_option()
@click.option(
    "--seeds",
    default="8",
    show_default=True,
    metavar="N",
    help="Seeds of stochastic experiments (one batched run).",
)
@click.option(
    "--grid",
    "grid",
    default=None,
    metavar="N",
    help="Points per axis of a phase diagram's grid (zhang2022, reddi2018 --phase; default: "
    "the documented full size; 3 for a quick look).",
)
@click.option(
    "--phase",
    is_flag=True,
    help="The phase-diagram version of a reproduction (reddi2018 --phase: Adam and AMSGrad "
    "over (β2, C) and (β1, β2)).",
)
@click.option(
    "--bias-correction",
    is_flag=True,
    help="zhang2022: Adam with Kingma & Ba's bias correction (their algorithm has none).",
)
@click.option(
    "--progress/--no-progress", default=True, show_default=True, help="Progress bars on stderr."
)
def reproduce(
    name: str,
    out_dir: str | None,
    scale: str,
    backend: str,
    parallel: bool | None,
    dtype: str,
    seeds: str,
    grid: str | None,
    phase: bool,
    bias_correction: bool,
    progress: bool,
) -> None:
    """Run a paper's experiments (reddi2018, zhang2022) and write figures, a table and JSON.

    \b
    Examples:
      octk reproduce reddi2018 --out /tmp/repro
      octk reproduce zhang2022 --grid 3 --scale 0.02 --out /tmp/zhang
      octk reproduce reddi2018 --phase --grid 3 --scale 0.005
    """
    from octk.backends import check_dtype, get_backend
    from octk.errors import ParameterError
    from octk.experiments import REPRODUCTIONS, reproduction

    if phase:
        if f"{name}-phase" not in REPRODUCTIONS:
            with_phase = ", ".join(
                n[: -len("-phase")] for n in REPRODUCTIONS if n.endswith("-phase")
            )
            raise ParameterError(
                f"--phase: {name} has no phase-diagram version; ones that do: {with_phase}"
            )
        name = f"{name}-phase"
    rep = reproduction(name)
    extra: dict[str, Any] = {}
    if rep.grid is not None:
        extra["grid"] = rep.grid if grid is None else check_int("grid", grid, lo=2)
    elif grid is not None:
        raise ParameterError(f"--grid: {name} is not a phase diagram; drop --grid")
    if bias_correction:
        if "bias_correction" not in rep.flags:
            raise ParameterError(f"--bias-correction: {name} has no such variant (zhang2022 has)")
        extra["bias_correction"] = True
    scale_v = check_real("scale", scale, lo=0, lo_open=True)
    seeds_n = check_int("seeds", seeds, lo=1)
    options = backend_options(parallel)
    # auto: each run picks by its own size (the name goes through, and every pick computes
    # the dtype); a named backend, or --parallel/--serial (numba's), is built now, so a
    # missing one or a dtype it lacks fails here, before any work
    be: Any = "auto"
    if backend != "auto" or options:
        be = get_backend(backend, **options)
        check_dtype(be, dtype)
    out = check_output_dir("--out", Path(out_dir) if out_dir else Path("octk-out") / name)
    click.echo(rep.flags["bias_correction"] if bias_correction else rep.step_sizes)
    res = rep.run(
        out, scale=scale_v, backend=be, progress=progress, seeds=seeds_n, dtype=dtype, **extra
    )
    click.echo("")
    click.echo(res["table"])
    click.echo("")
    names = ", ".join(Path(p).name for p in res["files"].values())
    click.echo(f"backend {res['backend']} ({res['dtype']})")
    click.echo(f"wrote {names} to {out} ({res['wall_s']:.1f} s)")


__all__ = ["reproduce"]
