r"""Figures of runs: the average regret R_t/t and the iterates x_t against t.

All figures are drawn on :class:`matplotlib.figure.Figure` objects with the Agg
canvas, never through ``pyplot``: nothing is displayed, no global backend is
switched, and the functions are safe in scripts, tests and notebooks alike
(each returns its Figure, which a notebook shows when it is the cell's value).

* :func:`plot_run` -- one run (``octk run --plot``): R_t/t and x_t, log t axis.
* :func:`plot_figure1` -- the layout of Reddi, Kale & Kumar (2018), Figure 1:
  left R_t/t of the online problem, centre x_t online, right x_t stochastic,
  Adam against AMSGrad.
* :func:`plot_theorem1` -- RKK Theorem 1's sequence for several C: one row per C,
  x_t and R_t/t.
* :func:`plot_bound` -- a regret bound on a run (``octk check --plot``): R(T)
  against the right-hand side and its terms, log-log, the first violation marked.
* :func:`plot_search` -- ``octk check --search --heatmap``: the smallest T at which
  a bound fails, per cell of a grid.

Here R_t = Σ_{s≤t} f_s(x_s) − min_{x∈F} Σ_{s≤t} f_s(x) (see :mod:`octk.regret`),
and x_t is the point played at step t: x_1 (the start) at t = 1, and the iterate
after t steps, x_{t+1}, at t + 1.
A batch of C > 1 configurations (e.g. seeds of a stochastic adversary) is drawn
as its mean with a band of ± one standard deviation.

Files are PNG unless the path ends in ``.pdf``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from octk.errors import ParameterError

COLORS = {"Adam": "tab:red", "AMSGrad": "tab:blue", "OGD": "tab:gray"}
FIGURE_FORMATS = ("png", "svg", "pdf")
MAX_POINTS = 4000  # points per curve: denser checkpoints are thinned on a log grid


def _new_figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save_figure(fig: Figure, path) -> Path:
    """Write ``fig`` to ``path`` in the format its extension names: ``.png`` (dpi 150),
    ``.svg`` or ``.pdf``; any other extension is a ParameterError.

    Parent folders are created.
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FIGURE_FORMATS:
        raise ParameterError(
            f"figure path {str(path)!r} must end in .png, .svg or .pdf (the format); "
            f"got {path.suffix or 'no extension'!r}"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format=fmt, dpi=150)
    return path


def _thin(t: np.ndarray) -> np.ndarray:
    """Indices of at most ~MAX_POINTS checkpoints, log-spaced in t (always the last)."""
    if t.size <= MAX_POINTS:
        return np.arange(t.size)
    targets = np.logspace(0, np.log10(t[-1]), MAX_POINTS)
    idx = np.unique(np.clip(np.searchsorted(t, targets), 0, t.size - 1))
    return np.unique(np.append(idx, t.size - 1))


def _color(label: str, k: int) -> str:
    return COLORS.get(label, f"C{(k + 3) % 10}")


def _draw(ax, t: np.ndarray, y: np.ndarray, label: str, color: str, **kw) -> None:
    """One curve per configuration row of ``y`` (C, K); C > 1 as mean ± sd."""
    y = np.atleast_2d(y)
    idx = _thin(t)
    t, y = t[idx], y[:, idx]
    if y.shape[0] == 1:
        ax.plot(t, y[0], color=color, label=label, lw=1.4, **kw)
        return
    mean, sd = y.mean(axis=0), y.std(axis=0)
    ax.plot(t, mean, color=color, label=f"{label} (mean ± sd, {y.shape[0]} runs)", lw=1.4, **kw)
    ax.fill_between(t, mean - sd, mean + sd, color=color, alpha=0.2, lw=0)


def _zoom(ax, curves: list[tuple[np.ndarray, np.ndarray]]) -> None:
    """Fit the y range to the late part of the curves (t ≥ √T), where R_t/t has settled.

    R_1/1 can be hundreds of times the limit (|c_1| = 1010 in RKK §5), which would
    flatten everything else; the early part is still drawn, only clipped.
    """
    late = []
    for t, y in curves:
        t, y = np.asarray(t), np.atleast_2d(y)
        if t.size < 4:
            return
        keep = t >= np.sqrt(t[-1])
        v = y[:, keep]
        late.append(v[np.isfinite(v)])
    late = np.concatenate(late) if late else np.array([])
    if late.size == 0:
        return
    lo, hi = min(0.0, float(late.min())), max(0.0, float(late.max()))
    pad = 0.1 * (hi - lo) or 0.1
    ax.set_ylim(lo - pad, hi + pad)


def _iterates(traj, t=None, coord: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(steps, x) to draw the iterate x_s of ``traj`` against s, coordinate ``coord``.

    A checkpoint t holds x_{t+1}, the point played at step t + 1, so it is drawn at
    s = t + 1, after the first iterate x_1 at s = 1. ``t``: the checkpoints to use
    (default all). Returns (K + 1,) steps and (C, K + 1) values.
    """
    t = traj.t if t is None else np.asarray(t)
    idx = np.minimum(np.searchsorted(traj.t, t), traj.t.size - 1)
    steps = np.concatenate([[1], np.asarray(traj.t)[idx] + 1])
    return steps, np.concatenate([traj.x0[:, None, coord], traj.x[:, idx, coord]], axis=1)


def _style(ax, title: str, ylabel: str, *, x_panel: bool = False) -> None:
    ax.set_xscale("log")
    ax.set_xlabel("t")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    if x_panel:
        ax.axhline(0.0, color="k", lw=0.5, alpha=0.5)


def plot_run(traj, reg, path=None, *, title: str | None = None) -> Figure:
    r"""R_t/t and x_t against t (log axis) for one run; saved to ``path`` if given.

    ``traj`` is the :class:`~octk.trajectory.Trajectory`, ``reg`` its
    :class:`~octk.regret.Regret` (possibly at fewer checkpoints than ``traj``).
    Every coordinate of x is drawn when d ≤ 8 (the first 8 otherwise).
    """
    fig = _new_figure(11, 4)
    ax_r, ax_x = fig.subplots(1, 2)
    label = getattr(traj.rule, "title", str(traj.rule))
    _draw(ax_r, np.asarray(reg.t), np.asarray(reg.average), label, "tab:red")
    _zoom(ax_r, [(reg.t, reg.average)])
    ax_r.axhline(0.0, color="k", lw=0.5, alpha=0.5)
    _style(ax_r, "average regret $R_t/t$", "$R_t/t$")
    d = traj.d
    for i in range(min(d, 8)):
        lab = label if d == 1 else f"$x_{{t,{i}}}$"
        _draw(ax_x, *_iterates(traj, coord=i), lab, "tab:blue" if d == 1 else f"C{i}")
    _style(ax_x, "iterate $x_t$", "$x_t$", x_panel=True)
    if d > 1:
        ax_x.legend(fontsize=8)
    fig.suptitle(
        title or f"{label} on {traj.sequence.spec()} over {traj.domain.spec()}", fontsize=10
    )
    if path is not None:
        save_figure(fig, path)
    return fig


def _limit_lines(ax, limits: Mapping[str, float] | None) -> None:
    for k, (label, value) in enumerate((limits or {}).items()):
        ax.axhline(value, color=_color(label, k), lw=0.8, ls=":", alpha=0.8)


def plot_figure1(
    results: Mapping[str, Mapping[str, tuple]],
    path=None,
    *,
    limits: Mapping[str, float] | None = None,
    title: str | None = None,
) -> Figure:
    r"""RKK Figure 1: R_t/t online (left), x_t online (centre), x_t stochastic (right).

    ``results`` maps ``"online"`` and ``"stochastic"`` to ``{method: (traj, reg)}``
    (methods are drawn in the order given, Adam red, AMSGrad blue). ``limits``
    maps a method to its expected limit of R_t/t, drawn dotted in the left panel
    (for the §5 online problem, Adam: 20/101).
    """
    fig = _new_figure(15, 4.2)
    ax_r, ax_x, ax_s = fig.subplots(1, 3)
    for k, (label, (traj, reg)) in enumerate(results["online"].items()):
        c = _color(label, k)
        _draw(ax_r, np.asarray(reg.t), np.asarray(reg.average), label, c)
        _draw(ax_x, *_iterates(traj, reg.t), label, c)
    _limit_lines(ax_r, limits)
    _zoom(ax_r, [(reg.t, reg.average) for _, reg in results["online"].values()])
    ax_r.axhline(0.0, color="k", lw=0.5, alpha=0.5)
    _style(ax_r, "online: $R_t/t$ (y range of t ≥ √T)", "$R_t/t$")
    _style(ax_x, "online: $x_t$", "$x_t$", x_panel=True)
    for k, (label, (traj, reg)) in enumerate(results.get("stochastic", {}).items()):
        _draw(ax_s, *_iterates(traj, reg.t), label, _color(label, k))
    _style(ax_s, "stochastic: $x_t$", "$x_t$", x_panel=True)
    for ax in (ax_r, ax_x, ax_s):
        if ax.has_data():
            ax.legend(fontsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    if path is not None:
        save_figure(fig, path)
    return fig


def plot_theorem1(
    results: Mapping[str, Mapping[str, tuple]],
    path=None,
    *,
    limits: Mapping[str, Mapping[str, float]] | None = None,
    title: str | None = None,
) -> Figure:
    r"""RKK Theorem 1 runs: one row per case (e.g. ``"C = 3"``, ``"C = 10"``), x_t and R_t/t.

    ``results`` maps a case to ``{method: (traj, reg)}``; ``limits`` maps a case
    to ``{method: expected limit of R_t/t}`` (Adam: (2C − 4)/3), drawn dotted.
    """
    cases = list(results)
    fig = _new_figure(11, 3.6 * len(cases))
    axes = np.atleast_2d(fig.subplots(len(cases), 2, squeeze=False))
    for row, case in enumerate(cases):
        ax_x, ax_r = axes[row]
        for k, (label, (traj, reg)) in enumerate(results[case].items()):
            c = _color(label, k)
            ls = "--" if label == "OGD" else "-"
            _draw(ax_x, *_iterates(traj, reg.t), label, c, ls=ls)
            _draw(ax_r, np.asarray(reg.t), np.asarray(reg.average), label, c, ls=ls)
        _limit_lines(ax_r, (limits or {}).get(case))
        ax_r.axhline(0.0, color="k", lw=0.5, alpha=0.5)
        _style(ax_x, f"{case}: $x_t$", "$x_t$", x_panel=True)
        _style(ax_r, f"{case}: $R_t/t$", "$R_t/t$")
        ax_x.legend(fontsize=8)
        ax_r.legend(fontsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    if path is not None:
        save_figure(fig, path)
    return fig


def plot_bound(result, path=None, *, configs=None, title: str | None = None) -> Figure:
    r"""R(T) against a bound's right-hand side, log-log, for a :class:`~octk.bounds.BoundResult`.

    One panel per configuration in ``configs`` (default: the first, up to 4 if the
    batch is small): R(T) (solid), the right-hand side (black) and each of its
    terms (dashed), and the trivial bound min(Σ_i w_i Σ_t|g_{t,i}|, T·G·D)
    (grey, dotted: where the right-hand side is above it the bound is vacuous); the
    first violation is marked. Non-positive values are not drawn on the log axis.
    """
    cs = list(configs) if configs is not None else list(range(min(result.n_configs, 4)))
    fig = _new_figure(5.2 * len(cs), 4.2)
    axes = np.atleast_1d(fig.subplots(1, len(cs), squeeze=False)[0])
    t = np.asarray(result.t, dtype=np.float64)
    for ax, c in zip(axes, cs, strict=True):
        pos = result.regret[c] > 0
        ax.plot(t[pos], result.regret[c][pos], color="tab:red", lw=1.6, label="regret R(T)")
        ax.plot(t, result.rhs[c], color="k", lw=1.4, label="bound (right-hand side)")
        ax.plot(t, result.trivial[c], color="0.5", lw=1.0, ls=":", label="trivial bound")
        for k, (name, v) in enumerate(result.terms.items()):
            ok = np.isfinite(v[c]) & (v[c] > 0)
            if ok.any():
                ax.plot(t[ok], v[c][ok], ls="--", lw=0.9, color=f"C{(k + 2) % 10}", label=name)
        fv = int(result.first_violation[c])
        if fv:
            ax.axvline(fv, color="tab:red", lw=0.8, ls=":")
            ax.plot([fv], [result.violation_regret[c]], "o", color="tab:red", ms=5)
            ax.annotate(
                f"first violation\nT = {fv:,}",
                (fv, result.violation_regret[c]),
                textcoords="offset points",
                xytext=(6, -24),
                fontsize=8,
                color="tab:red",
            )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("T")
        ax.set_ylabel("R(T)")
        params = ", ".join(f"{n}={float(v[c]):g}" for n, v in result.params.items())
        ax.set_title(params, fontsize=8)
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=7, loc="upper left")
    fig.suptitle(
        title
        or f"{result.bound.title}\n{result.rule.title} on {result.sequence.spec()} over "
        f"{result.domain.spec()}",
        fontsize=10,
    )
    if path is not None:
        save_figure(fig, path)
    return fig


def plot_search(result, path=None, *, title: str | None = None) -> Figure:
    r"""Heat map of log10 of the first T at which the bound fails, per grid cell.

    A :class:`~octk.bounds.SearchResult` with one or two grid parameters (the
    first is the x axis). Cells where it holds to T are labelled "holds", or
    "vacuous" where the right-hand side was at or above the trivial bound at every
    checkpoint (it could not have failed); cells where a stated hypothesis fails are
    marked "h✗".
    """
    from octk.errors import ParameterError

    names = result.names
    if len(names) not in (1, 2):
        raise ParameterError(
            f"a heat map needs 1 or 2 grid parameters; the search has {len(names)} "
            f"({', '.join(names)})"
        )
    xs = result.values[0]
    ys = result.values[1] if len(names) == 2 else (None,)
    Z = np.full((len(ys), len(xs)), np.nan)
    labels = {}
    for iy, yv in enumerate(ys):
        for ix, xv in enumerate(xs):
            where = {names[0]: xv} | ({names[1]: yv} if len(names) == 2 else {})
            c = result.cell(**where)
            fv = c["first_violation"]
            Z[iy, ix] = np.log10(fv) if fv else np.nan
            text = f"{fv:,}" if fv else ("vacuous" if c.get("vacuous") else "holds")
            if not c["hypotheses_hold"]:
                text += "\nh✗"
            labels[(iy, ix)] = text
    fig = _new_figure(1.3 * len(xs) + 2.5, 0.8 * len(ys) + 1.8)
    ax = fig.subplots()
    finite = Z[np.isfinite(Z)]
    vmin, vmax = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    im = ax.imshow(
        np.ma.masked_invalid(Z),
        origin="lower",
        aspect="auto",
        cmap="viridis",
        vmin=vmin,
        vmax=max(vmax, vmin + 1e-9),
    )
    ax.set_facecolor("0.9")
    for (iy, ix), text in labels.items():
        ax.text(
            ix,
            iy,
            text,
            ha="center",
            va="center",
            fontsize=7,
            color="w" if np.isfinite(Z[iy, ix]) else "k",
        )
    ax.set_xticks(range(len(xs)), [f"{v:g}" if not isinstance(v, str) else v for v in xs])
    ax.set_xlabel(names[0])
    if len(names) == 2:
        ax.set_yticks(range(len(ys)), [f"{v:g}" if not isinstance(v, str) else v for v in ys])
        ax.set_ylabel(names[1])
    else:
        ax.set_yticks([])
    fig.colorbar(im, ax=ax, label="log10 of the first T with R(T) > bound")
    ax.set_title(
        title
        or f"{result.bound.name}: {result.rule.name} on {result.sequence} (T ≤ {result.steps:,})",
        fontsize=9,
    )
    if path is not None:
        save_figure(fig, path)
    return fig


__all__ = ["plot_bound", "plot_figure1", "plot_run", "plot_search", "plot_theorem1", "save_figure"]
