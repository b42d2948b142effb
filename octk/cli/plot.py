r"""``octk plot phase STORE``: a phase diagram of a sweep's store (:func:`octk.plots.phase`).

    octk plot phase sweep.zarr --measure classification --x beta1 --y beta2 \
        --boundary sqrt-beta2 --out phase.png

The store is what ``octk sweep --out`` writes (a zarr folder) or a netCDF file
(``.nc``) of the same Dataset.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from octk.cli.group import CONTEXT
from octk.cli.options import Registered, listed, option
from octk.cli.paths import FIGURE_SUFFIXES, check_output_file
from octk.errors import ParameterError, check_real


def boundary_names() -> list[str]:
    from octk.plots.boundaries import BOUNDARIES

    return list(BOUNDARIES)


def open_store(path: str) -> Any:
    """The Dataset in a zarr store (a folder) or a netCDF file; a ParameterError otherwise."""
    import xarray as xr

    p = Path(path)
    if not p.exists():
        raise ParameterError(f"STORE: no such file or folder {path!r}")
    try:
        if p.is_dir():
            return xr.open_zarr(p, consolidated=False)
        return xr.open_dataset(p)
    except (ValueError, OSError, KeyError) as exc:
        raise ParameterError(f"STORE: cannot read {path!r} as a sweep store ({exc})") from None


def _pairs(option: str, items: tuple[str, ...]) -> dict[str, float]:
    out = {}
    for item in items:
        k, eq, v = item.partition("=")
        if not eq or not k.strip():
            raise ParameterError(f"{option} must be NAME=VALUE; got {item!r}")
        out[k.strip()] = check_real(f"{option} {k.strip()}", v.strip())
    return out


@click.group("plot", context_settings=CONTEXT)
def plot() -> None:
    """Figures of stored results (a sweep's phase diagram)."""


@plot.command("phase", context_settings=CONTEXT)
@click.argument("store", metavar="STORE")
@click.option("--measure", default="classification", show_default=True, help="The variable drawn.")
@click.option("--x", "x_axis", default=None, metavar="AXIS", help="Horizontal axis.")
@click.option("--y", "y_axis", default=None, metavar="AXIS", help="Vertical axis.")
@click.option(
    "--select",
    multiple=True,
    metavar="AXIS=V",
    help="Fix another axis at its coordinate nearest V. Repeatable.",
)
@click.option(
    "--reduce",
    default="mean",
    show_default=True,
    type=click.Choice(["mean", "median", "min", "max"]),
    help="How axes neither plotted nor selected are reduced (a classification: its mode).",
)
@option(
    "--boundary",
    multiple=True,
    metavar="NAME",
    type=Registered("boundary", boundary_names),
    help=listed("Analytic boundary to draw: ", boundary_names, ". Repeatable."),
)
@click.option(
    "--value",
    multiple=True,
    metavar="SYM=V",
    help="Value of a boundary symbol that is not an axis (e.g. C=3). Repeatable.",
)
@click.option("--hatch", default=None, metavar="VAR", help="A boolean variable to hatch.")
@click.option("--out", "out", required=True, metavar="FIG", help="Figure file (.png/.svg/.pdf).")
@click.option("--force", is_flag=True, help="Replace an existing figure.")
def phase(
    store: str,
    measure: str,
    x_axis: str | None,
    y_axis: str | None,
    select: tuple[str, ...],
    reduce: str,
    boundary: tuple[str, ...],
    value: tuple[str, ...],
    hatch: str | None,
    out: str,
    force: bool,
) -> None:
    """Draw MEASURE of a sweep STORE over two axes, with analytic boundaries.

    \b
    Example:
      octk plot phase sweep.zarr --measure distance --x beta1 --y beta2 \\
          --boundary sqrt-beta2 --out phase.png
    """
    from octk.plots.phase import phase as draw

    path = check_output_file("--out", Path(out), FIGURE_SUFFIXES, force)
    ds = open_store(store)
    mask = None
    if hatch is not None:
        if hatch not in ds.data_vars:
            raise ParameterError(
                f"--hatch must name a variable of the store ({', '.join(ds.data_vars)}); "
                f"got {hatch!r}"
            )
        mask = ds[hatch].astype(bool)
    sel = _pairs("--select", select)
    fig = draw(
        ds,
        measure,
        x=x_axis,
        y=y_axis,
        select=sel,
        reduce=reduce,
        boundaries=boundary,
        values=_pairs("--value", value),
        hatch=mask.sel(sel, method="nearest") if mask is not None and sel else mask,
        path=path,
    )
    del fig
    click.echo(f"wrote {path}")


__all__ = ["open_store", "plot"]
