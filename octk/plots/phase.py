r"""Phase diagrams: a measure of a sweep over two of its axes, with analytic boundaries.

:func:`phase` draws one data variable of a sweep's :class:`xarray.Dataset` (one
dimension per grid axis, see :func:`octk.sweep`) as a heat map over two axes:

* the other axes are fixed with ``select`` (nearest coordinate) or reduced
  (``reduce``: mean, median, min or max; the most frequent class for a
  classification);
* a classification (a variable with CF ``flag_values`` / ``flag_meanings``,
  e.g. converges / diverges / cycles / undecided) is drawn as a categorical map
  with its legend, and its ``rule`` attribute (how cells were classified) in
  the caption;
* any other measure gets a colour bar, on a log scale when it is positive and
  spans more than two decades;
* ``boundaries`` names analytic boundaries (:mod:`octk.plots.boundaries`), SymPy
  relations solved for the plotted axes; an inequality also shades the side
  where it holds;
* ``hatch`` is any boolean mask over the two axes (e.g. cells where a limit
  cycle is certified attracting), drawn cell by cell.

Axes whose coordinates are geometric (a ``log:`` grid) get a log scale, and axes
in (0, 1) crowding geometrically towards 1 (β2 = 1 − 10^{−u}) a logit scale; cell
edges sit half-way between coordinates on that scale, so uneven grids are drawn
exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.colors import BoundaryNorm, ListedColormap, LogNorm
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from octk.errors import ParameterError, check_choice
from octk.plots.boundaries import Boundary, boundary
from octk.plots.runs import _new_figure, save_figure

REDUCTIONS = ("mean", "median", "min", "max")
#: colours of the classification's flag meanings (others: a qualitative cycle)
CLASS_COLORS = {
    "converges": "#3b7dd8",
    "diverges": "#d8453b",
    "cycles": "#f0a030",
    "undecided": "#c8c8c8",
}


def _symbol_name(dim: str) -> str:
    """The boundary symbol an axis stands for: its name after any ``.`` or ``:``."""
    return dim.replace(":", ".").rsplit(".", 1)[-1]


Transform = Callable[[np.ndarray], np.ndarray]
_SCALES: dict[str, tuple[Transform, Transform]] = {
    "linear": (lambda v: v, lambda v: v),
    "log": (np.log, np.exp),
    "logit": (lambda v: np.log(v / (1 - v)), lambda v: 1 / (1 + np.exp(-v))),
}


def _edges(c: np.ndarray, scale: str) -> np.ndarray:
    """Cell edges half-way between coordinates, measured on the axis's scale."""
    fwd, inv = _SCALES[scale]
    v = fwd(np.asarray(c, dtype=float))
    if v.size == 1:
        e = np.array([v[0] - 0.1, v[0] + 0.1])
    else:
        mid = (v[1:] + v[:-1]) / 2
        e = np.concatenate([[2 * v[0] - mid[0]], mid, [2 * v[-1] - mid[-1]]])
    return np.asarray(inv(e))


def _geometric(c: np.ndarray) -> bool:
    if c.size < 4 or np.any(c <= 0) or c.max() / c.min() < 10:
        return False
    r = np.diff(np.log(c))
    return bool(np.allclose(r, r[0], rtol=1e-6))


def _scale(c: np.ndarray) -> str:
    """``log`` for geometric coordinates (a ``log:`` grid, ≥ 10× range), ``logit`` for
    values in (0, 1) whose distances to 1 are geometric (β2 = 1 − 10^{−u}), else linear."""
    c = np.asarray(c, dtype=float)
    if _geometric(c):
        return "log"
    if np.all((c > 0) & (c < 1)) and _geometric(np.sort(1 - c)):
        return "logit"
    return "linear"


def _flags(da) -> tuple[list[int], list[str]] | None:
    vals, means = da.attrs.get("flag_values"), da.attrs.get("flag_meanings")
    if vals is None or means is None:
        return None
    return [int(v) for v in np.atleast_1d(vals)], str(means).split()


def _mode(a: np.ndarray, axis: tuple[int, ...]) -> np.ndarray:
    """The most frequent integer value over ``axis`` (ties: the smallest)."""
    moved = np.moveaxis(a, axis, tuple(range(a.ndim - len(axis), a.ndim)))
    flat = moved.reshape((*moved.shape[: a.ndim - len(axis)], -1))
    vals = np.unique(flat)
    counts = np.stack([(flat == v).sum(axis=-1) for v in vals], axis=-1)
    return vals[np.argmax(counts, axis=-1)]


def plane(ds, measure: str, x: str | None, y: str | None, select=None, reduce: str = "mean"):
    """The (y, x) DataArray of ``measure`` after ``select`` and the reduction of other axes."""
    if measure not in ds.data_vars:
        raise ParameterError(
            f"measure must be one of the Dataset's variables {', '.join(ds.data_vars)}; "
            f"got {measure!r}"
        )
    check_choice("reduce", reduce, REDUCTIONS)
    da = ds[measure]
    for k in select or {}:
        if k not in da.dims:
            raise ParameterError(f"select: {k!r} is not an axis; axes: {', '.join(da.dims)}")
    if select:
        da = da.sel({k: v for k, v in select.items()}, method="nearest")
    dims = list(da.dims)
    x = x or (dims[0] if dims else None)
    y = y or next((d for d in dims if d != x), None)
    for name, v in (("x", x), ("y", y)):
        if v not in dims:
            raise ParameterError(
                f"{name}: {v!r} is not an axis of {measure!r} after select; axes: "
                f"{', '.join(dims) or 'none'} (a phase diagram needs two)"
            )
    if x == y:
        raise ParameterError(f"x and y must be two different axes; got {x!r} twice")
    rest = [d for d in dims if d not in (x, y)]
    if rest:
        if _flags(da) is not None:
            arr = da.transpose(y, x, *rest).values
            data = _mode(arr, tuple(range(2, arr.ndim)))
            da = da.isel({d: 0 for d in rest}, drop=True).transpose(y, x).copy(data=data)
        else:
            da = getattr(da, reduce)(dim=rest, skipna=True, keep_attrs=True)
    return da.transpose(y, x)


def _samples(e: np.ndarray, scale: str, n: int = 400) -> np.ndarray:
    """n points evenly spread on the axis's scale between its outer edges."""
    fwd, inv = _SCALES.get(scale, _SCALES["linear"])
    return np.asarray(inv(np.linspace(fwd(e[0]), fwd(e[-1]), n)))


def _draw_boundary(ax, b: Boundary, x: str, y: str, xe, ye, values, k: int) -> Any:
    sx, sy = _symbol_name(x), _symbol_name(y)
    xs, ys = _samples(xe, ax.get_xscale()), _samples(ye, ax.get_yscale())
    color, style = "k", ("-", "--", "-.", ":")[k % 4]
    handle = None
    for bx, by in b.curves(sx, sy, xs, ys, values):
        (handle,) = ax.plot(bx, by, color=color, linestyle=style, linewidth=1.6, label=b.label)
    if b.is_inequality:
        X, Y = np.meshgrid(xs, ys)
        inside = b.holds(sx, sy, X, Y, values).astype(float)
        ax.contourf(X, Y, inside, levels=[0.5, 1.5], colors=["k"], alpha=0.12)
    ax.set_xlim(xe[0], xe[-1])
    ax.set_ylim(ye[0], ye[-1])
    return handle


def _hatch(ax, mask, xe: np.ndarray, ye: np.ndarray, label: str) -> Patch:
    m = np.asarray(mask, dtype=bool)
    verts = [
        [(xe[j], ye[i]), (xe[j + 1], ye[i]), (xe[j + 1], ye[i + 1]), (xe[j], ye[i + 1])]
        for i, j in zip(*np.nonzero(m), strict=True)
    ]
    ax.add_collection(
        PolyCollection(verts, facecolor="none", edgecolor="0.15", hatch="////", linewidth=0)
    )
    return Patch(facecolor="none", edgecolor="0.15", hatch="////", label=label)


def phase(
    ds,
    measure: str = "classification",
    *,
    x: str | None = None,
    y: str | None = None,
    select: Mapping[str, float] | None = None,
    reduce: str = "mean",
    boundaries: Iterable[str | Boundary] = (),
    values: Mapping[str, float] | None = None,
    hatch=None,
    hatch_label: str = "certified attracting cycle",
    log: bool | None = None,
    xscale: str | None = None,
    yscale: str | None = None,
    ax=None,
    title: str | None = None,
    path=None,
) -> Figure:
    """A phase diagram of ``ds[measure]`` over axes ``x`` and ``y`` (see the module doc).

    Parameters
    ----------
    ds : an :class:`xarray.Dataset` of :func:`octk.sweep` (or any with the same layout).
    measure : the data variable (``classification``, ``distance``, ``rate``, ...).
    x, y : the axes on the horizontal and vertical axis (default: the first two).
    select : {axis: value} fixing other axes (nearest coordinate).
    reduce : how remaining axes are reduced (one of :data:`REDUCTIONS`; a
        classification takes its most frequent class).
    boundaries : names in :data:`~octk.plots.boundaries.BOUNDARIES` (or Boundary objects).
    values : values of boundary symbols that are not plotted (e.g. ``{"C": 3}``);
        selected axes fill in the rest.
    hatch : cells to hatch: a boolean array over (y, x), a boolean DataArray with the
        two axes (others: any), or a function f(x values, y values) evaluated on the
        mesh (e.g. ``proofs.limit_cycles.certified_attracting`` over (β1, β2)).
    log : colour scale (None: log where the values are positive over > 2 decades).
    xscale, yscale : ``linear``, ``log`` or ``logit`` (None: chosen from the coordinates,
        see :func:`_scale`).
    ax : draw into these matplotlib axes (default: a new Figure).
    path : also save the figure there (``.png``, ``.svg`` or ``.pdf``).
    """
    da = plane(ds, measure, x, y, select, reduce)
    y_dim, x_dim = da.dims
    xc, yc = np.asarray(da[x_dim].values, float), np.asarray(da[y_dim].values, float)
    xs_, ys_ = xscale or _scale(xc), yscale or _scale(yc)
    for name, v in (("xscale", xs_), ("yscale", ys_)):
        check_choice(name, v, tuple(_SCALES))
    xe, ye = _edges(xc, xs_), _edges(yc, ys_)
    fig = ax.figure if ax is not None else _new_figure(6.4, 5.0)
    ax = ax if ax is not None else fig.add_subplot()
    ax.set_xscale(xs_)
    ax.set_yscale(ys_)
    z = np.asarray(da.values, dtype=float)
    handles: list[Any] = []
    flags = _flags(da)
    if flags is not None:
        fv, fm = flags
        colors = [CLASS_COLORS.get(m, f"C{k}") for k, m in enumerate(fm)]
        cmap = ListedColormap(colors)
        bounds = BoundaryNorm([v - 0.5 for v in fv] + [fv[-1] + 0.5], len(fv))
        ax.pcolormesh(xe, ye, np.ma.masked_invalid(z), cmap=cmap, norm=bounds)
        present = set(np.unique(z[np.isfinite(z)]).astype(int))
        handles += [
            Patch(color=c, label=m) for v, m, c in zip(fv, fm, colors, strict=True) if v in present
        ]
    else:
        finite = z[np.isfinite(z)]
        if log is None:
            log = bool(finite.size and finite.min() > 0 and finite.max() / finite.min() > 100)
        if log and (finite.size == 0 or finite.min() <= 0):
            raise ParameterError(f"log=True needs positive values of {measure!r}")
        norm = LogNorm(finite.min(), finite.max()) if log and finite.size else None
        cmap = _cmap("viridis")
        mesh = ax.pcolormesh(xe, ye, np.ma.masked_invalid(z), cmap=cmap, norm=norm)
        unit = da.attrs.get("units", "")
        fig.colorbar(mesh, ax=ax, label=measure + (f" [{unit}]" if unit else ""))
    vals = dict(values or {})
    for axis, chosen in (select or {}).items():
        vals.setdefault(_symbol_name(axis), float(chosen))
    for j, b in enumerate(boundaries):
        handle = _draw_boundary(ax, boundary(b), x_dim, y_dim, xe, ye, vals, j)
        if handle is not None:
            handles.append(handle)
    if hatch is not None:
        if callable(hatch):  # f(x values, y values) on the mesh, e.g. certified_attracting
            X, Y = np.meshgrid(xc, yc)
            hatch = np.broadcast_to(np.asarray(hatch(X, Y), dtype=bool), X.shape)
        if hasattr(hatch, "dims"):  # a DataArray: other axes hatched where any cell is
            extra = [d for d in hatch.dims if d not in (x_dim, y_dim)]
            hatch = hatch.any(dim=extra) if extra else hatch
            mask = hatch.transpose(y_dim, x_dim).values
        else:
            mask = hatch
        if np.shape(mask) != z.shape:
            raise ParameterError(f"hatch must have shape {z.shape} (y, x); got {np.shape(mask)}")
        handles.append(_hatch(ax, mask, xe, ye, hatch_label))
    ax.set_xlabel(_label(ds, x_dim))
    ax.set_ylabel(_label(ds, y_dim))
    if handles:
        ax.legend(handles=handles, loc="best", fontsize="small", framealpha=0.85)
    ax.set_title(title if title is not None else _title(ds, measure, select))
    if path is not None:
        save_figure(fig, path)
    return fig


def _cmap(name: str):
    import matplotlib

    cmap = matplotlib.colormaps[name].copy()
    cmap.set_bad("0.6")
    return cmap


def _label(ds, dim: str) -> str:
    unit = ds[dim].attrs.get("units", "") if dim in ds.coords else ""
    return dim + (f" [{unit}]" if unit and unit != "1" else "")


def _title(ds, measure: str, select) -> str:
    parts = [measure]
    if "rule" in ds.attrs:
        parts.append(str(ds.attrs["rule"]).split("\n")[0][:40])
    if "steps" in ds.attrs:
        parts.append(f"T = {int(ds.attrs['steps']):,}")
    if select:
        parts.append(", ".join(f"{k} = {v:g}" for k, v in select.items()))
    return " · ".join(parts)


__all__ = ["CLASS_COLORS", "REDUCTIONS", "phase", "plane"]
