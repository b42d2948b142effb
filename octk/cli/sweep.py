"""``octk sweep``: a grid of runs (:func:`octk.sweep`) as one labelled Dataset, printed as
a summary (or JSON) and persisted to a zarr store with ``--out`` (``--resume`` completes
an interrupted one); ``--scheduler`` runs the blocks on Dask."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any

import click
import numpy as np

from octk.cli.group import CONTEXT
from octk.cli.options import (
    Registered,
    Setting,
    backend_names,
    bound_names,
    dtype_option,
    listed,
    option,
    rule_names,
    setting_options,
)
from octk.cli.output import finite
from octk.cli.params import check_params
from octk.errors import ParameterError, check_int, check_real

SHOWN_CELLS = 40  # cells listed one per line in the text summary, at most


def measure_names() -> list[str]:
    from octk.sweeps import MEASURES

    return list(MEASURES)


def _measures(items: tuple[str, ...]) -> tuple[str, ...]:
    from octk.errors import unknown_name
    from octk.sweeps import MEASURES

    names = [n.strip() for item in items for n in item.split(",") if n.strip()]
    for n in names:
        if n not in MEASURES:
            raise unknown_name("--measure", n, MEASURES)
    return tuple(dict.fromkeys(names)) or ("x_final", "distance", "rate", "classification")


@click.command("sweep", context_settings=CONTEXT)
@setting_options(
    steps_required=True,
    rule=listed("Optimizer: ", rule_names, " (octk list)."),
    preset=None,
    param="A fixed hyperparameter or rule option, as for 'octk run'; a hyperparameter may be "
    "an expression of the sequence's parameters and the grid's axes, e.g. "
    "beta2='1/(1+C**2)'. Repeatable.",
    sequence="Loss sequence (its parameters may be grid axes).",
    loss=None,
    domain=None,
    steps="Number of steps T ≥ 1 (1e5 is accepted).",
    x0="x_1 (unless x0 is a grid axis).",
    d="Dimension (default: from x0, else 1).",
    seed="Seed of random draws (unless seed is a grid axis).",
    backend=listed("Simulator: ", backend_names, "."),
)
@dtype_option()
@click.option(
    "--grid",
    "grid_items",
    multiple=True,
    required=True,
    metavar="NAME=V1,V2,...",
    help="An axis: a hyperparameter or option of the rule, a parameter of the sequence, "
    "seed or x0, with its values V1,V2,..., lin:a,b,n or log:a,b,n. Repeatable; one "
    "dimension each, in order.",
)
@option(
    "--measure",
    "measure_items",
    multiple=True,
    metavar="NAME[,NAME...]",
    help=lambda: (
        f"What to record per cell: {', '.join(measure_names())} (default: x_final, distance, "
        "rate, classification). Repeatable."
    ),
)
@click.option(
    "--out", "out", default=None, metavar="STORE.zarr", help="Zarr store written as it runs."
)
@click.option("--resume", is_flag=True, help="Complete the --out store of an interrupted sweep.")
@click.option(
    "--scheduler",
    default=None,
    metavar="processes|tcp://HOST:PORT",
    help="Run the blocks on Dask: a local cluster of processes, or a scheduler's address.",
)
@click.option(
    "--block", default=None, metavar="N", help="Cells per block at most (default 4096/d)."
)
@option(
    "--bound",
    "bound_name",
    default=None,
    metavar="NAME",
    type=Registered("bound", bound_names),
    help="The bound of --measure first_violation / bound (default: the rule's own).",
)
@click.option(
    "--tol",
    default=None,
    metavar="TOL",
    help="Classification tolerance on the distance to x* (default 1e-3).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the Dataset as one JSON object.")
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar on stderr (default: if a tty)."
)
def sweep(
    setting: Setting,
    dtype: str,
    grid_items: tuple[str, ...],
    measure_items: tuple[str, ...],
    out: str | None,
    resume: bool,
    scheduler: str | None,
    block: str | None,
    bound_name: str | None,
    tol: str | None,
    as_json: bool,
    progress: bool | None,
) -> None:
    """Run a rule over a grid of settings: one labelled xarray Dataset, one dimension per
    --grid axis, one variable per --measure, with a converges / diverges / cycles /
    undecided classification whose rule is stated in the output.

    \b
    Examples:
      octk sweep --rule adam --param alpha=0.1 --param beta1=0 --sequence reddi-thm1 \\
                 --param beta2='1/(1+C**2)' --steps 1e4 --grid C=lin:3,10,8 \\
                 --grid schedule=constant,sqrt --out rkk.zarr
      octk sweep --rule adam --sequence reddi-thm1:C=3 --steps 1e4 --param alpha=0.1 \\
                 --grid beta1=lin:0,0.9,10 --grid beta2=log:0.01,0.999,10 \\
                 --measure distance,classification,first_violation --json
    """
    from octk.sweeps import parse_grid
    from octk.sweeps import sweep as run_sweep

    if resume and not out:
        raise click.UsageError("--resume completes the --out store; give --out")
    r, hyper = check_params(setting.rule_name, setting.preset, setting.params)
    seq, dom = setting.sequence_and_domain()
    sim = setting.simulation_args()
    grid = parse_grid(grid_items)
    show = sys.stderr.isatty() if progress is None else progress
    if out and Path(out).suffix != ".zarr":
        raise ParameterError(f"--out must be a zarr store path ending in .zarr; got {out!r}")
    ds = run_sweep(
        r, seq, dom, steps=sim["steps"], grid=grid, params=hyper,
        measures=_measures(measure_items), backend=setting.backend, seed=sim["seed"],
        x0=None if "x0" in grid and setting.x0_text == "0" else sim["x0"], d=sim["d"],
        out=out, resume=resume, scheduler=scheduler,
        block=None if block is None else check_int("block", block, lo=1), progress=show,
        bound=bound_name, tol=1e-3 if tol is None else check_real("tol", tol, lo=0),
        dtype=dtype, command=shlex.join(["octk", *sys.argv[1:]]),
    )  # fmt: skip
    if as_json:
        d = ds.to_dict(data="list")
        d["out"] = out
        click.echo(json.dumps(finite(d)))
        return
    click.echo(summary(ds, out))


def summary(ds: Any, out: str | None) -> str:
    """The text form: what ran, the axes, the classification counts, the cells."""
    a = ds.attrs
    on_grid = [n for n in _axes(ds) if ds[n].attrs.get("kind") == "sequence"]
    seq = a["sequence"]
    if on_grid:
        seq = f"{seq.split(':')[0]} ({', '.join(on_grid)} on the grid)"
    lines = [
        f"sweep: {a['rule']} on {seq} over {a['domain']}, T = {a['steps']:,} ({a['backend']})",
        "  axes: " + "; ".join(f"{n} ({ds.sizes[n]}: {_values(ds[n].values)})" for n in _axes(ds)),
        f"  cells: {int(np.prod([ds.sizes[n] for n in _axes(ds)])):,}",
    ]
    if "classification" in ds:
        from octk.sweeps import FLAGS

        codes = ds["classification"].values.ravel()
        counts = ", ".join(f"{f} {int(np.sum(codes == i))}" for i, f in enumerate(FLAGS))
        lines.append(f"  classification: {counts}")
        lines.append(f"  rule: {ds['classification'].attrs['rule']}")
    if "first_violation" in ds:
        fv = ds["first_violation"].values.ravel()
        lines.append(
            f"  first violation of {ds['first_violation'].attrs['bound']}: in "
            f"{int(np.sum(fv > 0))} of {fv.size} cells"
            + (f", earliest T = {int(fv[fv > 0].min()):,}" if np.any(fv > 0) else "")
        )
    scalars = [v for v in ds.data_vars if ds[v].dims == tuple(_axes(ds))]
    df = ds[scalars].to_dataframe() if scalars else None
    if df is not None and "classification" in df:
        from octk.sweeps import FLAGS

        df["classification"] = [FLAGS[c] if 0 <= c < len(FLAGS) else "-" for c in df.classification]
    if df is not None and len(df) <= SHOWN_CELLS:
        lines += ["", df.to_string(float_format=lambda v: f"{v:.4g}")]
    if out:
        lines.append(f"\n  wrote {out}")
    return "\n".join(lines)


def _axes(ds: Any) -> list[str]:
    """The grid's axes, in order (the dimensions of the first variable, less the extras)."""
    first = next(iter(ds.data_vars.values()))
    return [n for n in first.dims if n not in ("coord", "checkpoint")]


def _values(v: np.ndarray) -> str:
    shown = [f"{x:g}" if isinstance(x, float) else str(x) for x in v.tolist()]
    return ", ".join(shown) if len(shown) <= 6 else f"{shown[0]} .. {shown[-1]}"


__all__ = ["summary", "sweep"]
