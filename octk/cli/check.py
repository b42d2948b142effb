"""``octk check``: a published regret bound evaluated on a run (its hypotheses, R(T)
against the right-hand side term by term, the first violation), or with ``--search``
scanned over a grid of settings (the first failing T per cell: a sweep,
:func:`octk.sweep`, with the ``bound`` measure).

Reads :mod:`octk.bounds` through its public names only: ``check``, ``search``,
``get_bound``, ``default_bound``, ``bound_names`` and the results' ``summary``,
``table`` and ``to_dict``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
import numpy as np

from octk.cli.group import CONTEXT, fail
from octk.cli.options import (
    Registered,
    Setting,
    backend_names,
    bound_names,
    chosen_backend,
    dtype_option,
    listed,
    option,
    parallel_option,
    path_option,
    rule_names,
    setting_options,
)
from octk.cli.output import finite
from octk.cli.params import check_params, grid
from octk.cli.paths import FIGURE_SUFFIXES, check_output_file
from octk.errors import OctkError, ParameterError, check_real


def _default_bounds() -> str:
    """'adam kb-thm4.1, amsgrad rkk-thm4, ...': each rule's own bound, where it has one."""
    from octk.bounds import default_bound
    from octk.rules import rule

    pairs = []
    for name in rule_names():
        try:
            pairs.append(f"{name} {default_bound(rule(name)).name}")
        except OctkError:  # no bound belongs to this rule
            continue
    return ", ".join(pairs)


def _list_bounds(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """``--list-bounds``: print every bound and exit, before the other options are read."""
    if not value or ctx.resilient_parsing:
        return
    from octk.bounds import get_bound

    for name in bound_names():
        b = get_bound(name)
        mark = "" if b.verified else "  (unverified)"
        click.echo(f"  {b.name:<24} {b.title}{mark}")
    ctx.exit(0)


@click.command("check", context_settings=CONTEXT)
@setting_options(
    steps_required=True,
    rule=listed("Optimizer: ", rule_names, " (octk list)."),
    preset=None,
    param="A hyperparameter or rule option, as for 'octk run'; a hyperparameter may be an "
    "expression of the sequence's parameters, e.g. beta2='1/(1+C**2)'. Repeatable.",
    sequence="Loss sequence.",
    loss=None,
    domain=None,
    steps="Number of steps T ≥ 1 (1e5 is accepted).",
    x0="x_1.",
    d="Dimension (default: from x0, else 1).",
    seed="Seed of random draws.",
    backend=listed("Simulator: ", backend_names, "."),
)
@parallel_option()
@dtype_option()
@option(
    "--bound",
    "bound_name",
    default=None,
    metavar="NAME",
    type=Registered("bound", bound_names),
    help=lambda: (
        f"Which bound (default: the rule's own: {_default_bounds()}). --list-bounds shows them all."
    ),
)
@click.option(
    "--lam",
    default=None,
    metavar="λ",
    help="λ ∈ [0, 1) at which to evaluate K&B 4.1 / RKK Cor. 1 where they hold for every λ "
    "(β1 = 0; default: the infimum λ → 0).",
)
@click.option(
    "--constants",
    default="declared",
    show_default=True,
    type=click.Choice(("declared", "observed")),
    help="G∞, D, D∞: the sequence's declared bound and the domain's diameters, or the "
    "values observed on the run.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@path_option("--plot", "Log-log plot of R(T) against the bound and its terms (.png, .svg or .pdf).")
@click.option("--search", is_flag=True, help="Scan the --grid: the first failing T per cell.")
@click.option(
    "--grid",
    "grid_items",
    multiple=True,
    metavar="NAME=V1,V2,...",
    help="With --search: a hyperparameter or sequence parameter and its values. Repeatable.",
)
@path_option(
    "--heatmap", "With --search: heat map of the first failing T (1 or 2 grid parameters)."
)
@click.option("--force", is_flag=True, help="Replace existing --plot/--heatmap files.")
@click.option(
    "--list-bounds",
    is_flag=True,
    is_eager=True,
    expose_value=False,
    callback=_list_bounds,
    help="List the bounds and exit (no other option needed).",
)
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar on stderr (default: if a tty)."
)
def check(
    setting: Setting,
    parallel: bool | None,
    dtype: str,
    bound_name: str | None,
    lam: str | None,
    constants: str,
    as_json: bool,
    plot: Path | None,
    search: bool,
    grid_items: tuple[str, ...],
    heatmap: Path | None,
    force: bool,
    progress: bool | None,
) -> None:
    """Evaluate a published regret bound on a run: its hypotheses, R(T) against the
    right-hand side term by term, and the first T at which the bound is violated.

    \b
    Examples:
      octk check --rule adam --param schedule=sqrt --param alpha=0.1 --param beta1=0 \\
                 --param beta2=0.1 --param eps=0 --sequence reddi-thm1:C=3 --steps 1e5
      octk check --rule amsgrad --param alpha=0.1 --sequence reddi-synthetic --steps 1e6
      octk check --rule adam --param schedule=sqrt --param beta1=0 --param eps=0 \\
                 --param beta2='1/(1+C**2)' --sequence reddi-thm1 --steps 1e6 --search \\
                 --grid C=3,10 --grid alpha=0.01,0.1,1 --heatmap first_violation.png
      octk check --list-bounds
    """
    from octk import bounds

    r, hyper = check_params(setting.rule_name, setting.preset, setting.params)
    seq, dom = setting.sequence_and_domain()
    b = bounds.default_bound(r) if bound_name is None else bounds.get_bound(bound_name)
    sim = setting.simulation_args()
    lam_v = None if lam is None else check_real("lam", lam, lo=0, hi=1, hi_open=True)
    configs = max([np.size(v) for v in hyper.values() if not isinstance(v, str)] or [1])
    work = setting.work(seq, dom, configs)
    be = chosen_backend(setting.backend, parallel, work=work, dtype=dtype)
    for flag, path in (("--plot", plot), ("--heatmap", heatmap)):
        if path:  # before the work, not after it
            check_output_file(flag, path, FIGURE_SUFFIXES, force)
    show = sys.stderr.isatty() if progress is None else progress
    kw = dict(bound=b, **sim, backend=be, lam=lam_v, constants=constants, dtype=dtype)
    if search:
        _search(r, seq, dom, hyper, kw, grid_items, heatmap, plot, as_json, show)
        return
    if grid_items or heatmap:
        raise click.UsageError("--grid and --heatmap go with --search")
    res = bounds.check(r, seq, dom, params=hyper, progress=show, nonfinite="raise", **kw)
    if plot:
        from octk.plots import plot_bound

        try:
            plot_bound(res, plot)
        except OSError as e:
            raise ParameterError(f"plot: cannot write {str(plot)!r}: {e.strerror or e}") from None
    if as_json:
        out = res.to_dict(0)
        out["plot"] = str(plot) if plot else None
        click.echo(json.dumps(finite(out)))
        return
    click.echo(res.summary(0))
    if plot:
        click.echo(f"  wrote plot: {plot}")


def _search(
    r: Any,
    seq: Any,
    dom: Any,
    hyper: dict[str, Any],
    kw: dict[str, Any],
    grid_items: tuple[str, ...],
    heatmap: Path | None,
    plot: Path | None,
    as_json: bool,
    show: bool,
) -> None:
    """``check --search``: :func:`octk.bounds.search` over the ``--grid``, as a table (or
    JSON) and optionally a heat map of the first failing T."""
    from octk import bounds

    if not grid_items:
        raise click.UsageError("--search needs at least one --grid NAME=V1,V2,...")
    if plot:
        raise click.UsageError("--plot draws one run; with --search use --heatmap")
    res = bounds.search(r, seq, dom, grid=grid(grid_items), params=hyper, progress=show, **kw)
    if heatmap:
        from octk.plots import plot_search

        try:
            plot_search(res, heatmap)
        except OSError as e:
            raise ParameterError(f"heatmap: cannot write {str(heatmap)!r}: {e}") from None
    bad = [c for c in res.cells if c["nonfinite"]]
    if as_json:
        out = res.to_dict()
        out["heatmap"] = str(heatmap) if heatmap else None
        click.echo(json.dumps(finite(out)))
    else:
        _search_text(r, dom, hyper, kw, res, heatmap)
    if bad:  # the table shows them; a cell without a verdict is no result
        fail(
            f"{len(bad)} of {len(res.cells)} cells stopped being finite (no verdict), e.g. "
            + ", ".join(f"{k}={v}" for k, v in bad[0]["params"].items())
            + "; rescale the losses or run one cell with octk check for the step and cause",
            3,
        )


def _search_text(
    r: Any, dom: Any, hyper: dict[str, Any], kw: dict[str, Any], res: Any, heatmap: Path | None
) -> None:
    """The text form of ``check --search``: the bound, the setting, the table."""
    click.echo(f"{res.bound.title}  [{res.bound.source}]")
    if not res.bound.verified:
        click.echo(f"  UNVERIFIED: {res.bound.note}")
    click.echo(f"  rule {r.title} on {res.sequence} over {dom.spec()}, T ≤ {kw['steps']:,}")
    fixed = ", ".join(f"{k}={v}" for k, v in hyper.items() if k not in res.names)
    if fixed:
        click.echo(f"  fixed: {fixed}")
    click.echo("")
    click.echo(res.table())
    if heatmap:
        click.echo(f"\n  wrote heatmap: {heatmap}")


__all__ = ["check"]
