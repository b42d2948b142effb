"""Phase diagrams (octk.plots.phase) and ``octk plot phase`` on hand-built sweep Datasets."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

from octk.cli import main
from octk.errors import ParameterError, UnknownNameError
from octk.plots import BOUNDARIES, boundary, phase, plot_run  # noqa: F401 - old import kept
from octk.plots.phase import plane

B1 = np.linspace(0.0, 0.95, 8)
B2 = np.geomspace(0.01, 0.999, 9)
SEEDS = np.arange(3)


def _dataset() -> xr.Dataset:
    g1, g2 = np.meshgrid(B1, B2, indexing="ij")
    cls = np.where(g1 < np.sqrt(g2), 0, 1).astype(np.int8)[..., None].repeat(3, axis=-1)
    cls[0, 0, :2] = 2  # two of three seeds cycle in one cell: its mode is "cycles"
    dist = np.abs(g1 - np.sqrt(g2))[..., None] + 0.01 * (1 + SEEDS)
    flags = {"flag_values": [0, 1, 2, 3], "flag_meanings": "converges diverges cycles undecided"}
    return xr.Dataset(
        {
            "classification": (("beta1", "beta2", "seed"), cls, {**flags, "rule": "test rule"}),
            "distance": (("beta1", "beta2", "seed"), dist, {"units": "1"}),
        },
        coords={"beta1": B1, "beta2": B2, "seed": SEEDS},
        attrs={"rule": "adam", "steps": 100},
    )


def test_plane_selects_and_reduces():
    ds = _dataset()
    d = plane(ds, "distance", "beta1", "beta2", {"seed": 1.2})  # nearest seed: 1
    assert d.dims == ("beta2", "beta1")
    assert np.allclose(d.values, ds["distance"].sel(seed=1).values.T)
    m = plane(ds, "distance", "beta1", "beta2", reduce="max")
    assert np.allclose(m.values, ds["distance"].max("seed").values.T)
    c = plane(ds, "classification", "beta1", "beta2")
    assert c.values[0, 0] == 2 and c.values[-1, 0] == 0  # the mode over seeds


def test_boundaries_are_solved_from_sympy():
    xs = np.linspace(0.1, 0.9, 5)
    ((bx, by),) = boundary("sqrt-beta2").curves("beta1", "beta2", xs, xs)
    assert np.allclose(by, bx**2)  # β1 = √β2 solved for β2
    ((_cx, cy),) = boundary("thm1-beta2").curves("C", "beta2", np.array([1.0, 3.0]), xs)
    assert np.allclose(cy, [0.5, 0.1])
    ((vx, vy),) = boundary("thm1-beta2").curves("beta2", "C", xs, xs)  # solved for C > 0
    assert np.allclose(vy, np.sqrt(1 / vx - 1))
    ((zx, zy),) = boundary("zou").curves("s", "r", xs, xs)
    assert np.allclose(zy, 2 * zx)
    X, Y = np.meshgrid(xs, xs)
    assert np.array_equal(boundary("rkk").holds("beta1", "beta2", X, Y), X < np.sqrt(Y))
    with pytest.raises(ParameterError, match="needs values for C"):
        boundary("thm1-beta2").curves("beta1", "beta2", xs, xs)
    with pytest.raises(UnknownNameError, match="unknown boundary 'nope'"):
        boundary("nope")


def test_classification_map_legend_boundaries_and_hatch(tmp_path):
    ds = _dataset()
    mask = np.zeros((len(B2), len(B1)), dtype=bool)
    mask[2, 3] = True
    fig = phase(ds, boundaries=["sqrt-beta2", "rkk"], hatch=mask, path=tmp_path / "c.png")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:3] == ["converges", "diverges", "cycles"]  # "undecided" never occurs
    assert "β1 = √β2" in labels and "certified attracting cycle" in labels
    assert ax.get_yscale() == "log" and ax.get_xscale() == "linear"  # B2 is geometric
    assert (tmp_path / "c.png").stat().st_size > 0
    with pytest.raises(ParameterError, match="hatch must have shape"):
        phase(ds, hatch=mask.T)
    seen = []

    def above(b1, b2):  # a function of the two axes' values, as certified_attracting is
        seen.append((b1.shape, float(b1[0, -1]), float(b2[-1, 0])))
        return b2 > 0.5

    fig = phase(ds, hatch=above)
    assert seen == [((len(B2), len(B1)), B1[-1], B2[-1])]
    hatched = [c for c in fig.axes[0].collections if c.get_hatch() == "////"]
    assert len(hatched) == 1 and len(hatched[0].get_paths()) == np.sum(B2 > 0.5) * len(B1)


def test_measure_heat_map_and_errors():
    ds = _dataset()
    fig = phase(ds, "distance", x="beta2", y="beta1", select={"seed": 0})
    assert len(fig.axes) == 2  # the map and its colour bar
    with pytest.raises(ParameterError, match="measure must be one of"):
        phase(ds, "rate")
    with pytest.raises(ParameterError, match="x: 'C' is not an axis"):
        phase(ds, "distance", x="C")
    with pytest.raises(ParameterError, match="two different axes"):
        phase(ds, "distance", x="beta1", y="beta1")


def test_cli_plot_phase(tmp_path):
    store = tmp_path / "s.zarr"
    _dataset().to_zarr(store)
    out = tmp_path / "p.png"
    args = ["plot", "phase", str(store), "--measure", "distance", "--x", "beta1", "--y", "beta2"]
    res = CliRunner().invoke(main, [*args, "--boundary", "sqrt-beta2", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.stat().st_size > 0
    res = CliRunner().invoke(
        main, [*args, "--boundary", "thm1-beta2", "--out", str(out), "--force"]
    )
    assert res.exit_code == 2 and "needs values for C" in res.output
