"""``octk reproduce zhang2022`` and ``reddi2018 --phase`` at CI size (tiny grids and T)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

from octk import simulate
from octk.cli import main
from octk.experiments.zhang2022 import ALPHA, X0, beta1_axis, beta2_axis
from octk.rules import rule


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_reproduce_zhang2022_tiny(tmp_path):
    out = tmp_path / "z"
    res = invoke(
        "reproduce",
        "zhang2022",
        "--grid",
        2,
        "--scale",
        0.01,
        "--out",
        out,
        "--backend",
        "numba",
        "--no-progress",
    )
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("step sizes: Adam without bias correction")
    data = json.loads((out / "results.json").read_text())
    assert [(r["panel"], r["T"]) for r in data["rows"]] == [
        ("n10", 500),
        ("n10", 2000),
        ("n50", 500),
        ("n50", 2000),
    ]
    for r in data["rows"]:
        assert sum(r[f] for f in ("converges", "diverges", "cycles", "undecided")) == 4
    assert data["rows"][1]["changed_vs_T"] is not None
    assert (out / "zhang2022.png").read_bytes()[:4] == b"\x89PNG"
    assert "| n = 50 | 2,000 |" in (out / "table.md").read_text()
    # the stored distance is |x_T − (−2)| of the very run one simulate() gives
    ds = xr.open_zarr(out / "n50_T500.zarr", consolidated=False)
    b1, b2 = beta1_axis(2)[1], beta2_axis(2)[0]
    r = rule("adam", schedule="sqrt", bias_correction_m=False, bias_correction_v=False)
    one = simulate(
        r,
        "zhang2022:n=50",
        "reals",
        steps=500,
        x0=X0,
        backend="numba",
        params={"alpha": ALPHA, "beta1": b1, "beta2": b2},
    )
    stored = float(ds["distance"].sel(beta1=b1, beta2=b2).values)
    assert stored == pytest.approx(abs(one.x_final[0, 0] + 2.0), rel=1e-12)
    # the stores redraw with `octk plot phase`
    fig = tmp_path / "p.png"
    res = invoke(
        "plot",
        "phase",
        out / "n10_T2000.zarr",
        "--x",
        "beta1",
        "--y",
        "beta2",
        "--boundary",
        "sqrt-beta2",
        "--out",
        fig,
    )
    assert res.exit_code == 0, res.output
    assert fig.stat().st_size > 0


def test_reproduce_phase_options_are_checked(tmp_path):
    bad = invoke("reproduce", "zhang2022", "--phase", "--out", tmp_path / "a")
    assert bad.exit_code == 2 and "no phase-diagram version" in bad.stderr
    assert "reddi2018" in bad.stderr
    bad = invoke("reproduce", "reddi2018", "--grid", 3, "--out", tmp_path / "b")
    assert bad.exit_code == 2 and "--grid" in bad.stderr
    bad = invoke("reproduce", "zhang2022", "--grid", 1, "--out", tmp_path / "c")
    assert bad.exit_code == 2 and "grid" in bad.stderr
    bad = invoke("reproduce", "reddi2018", "--bias-correction", "--out", tmp_path / "d")
    assert bad.exit_code == 2 and "no such variant" in bad.stderr


@pytest.mark.slow  # a kernel per C value and rule
def test_reproduce_reddi2018_phase_tiny(tmp_path):
    out = tmp_path / "r"
    res = invoke(
        "reproduce",
        "reddi2018",
        "--phase",
        "--grid",
        2,
        "--scale",
        0.005,
        "--out",
        out,
        "--backend",
        "numba",
        "--no-progress",
    )
    assert res.exit_code == 0, res.output
    data = json.loads((out / "results.json").read_text())
    panels = [r["panel"] for r in data["rows"]]
    assert panels == [
        p for k in ("thm1-adam", "thm1-amsgrad", "thm3-adam", "thm3-amsgrad") for p in (k, k)
    ]
    ds = xr.open_zarr(out / "thm1-adam_T500.zarr", consolidated=False)
    assert set(ds.dims) == {"beta2", "C"} and np.all(np.isfinite(ds["distance"].values))


def test_zhang2022_bias_correction_variant():
    from octk.experiments.zhang2022 import STEP_SIZES_BIAS_CORRECTED, panels

    for bc in (False, True):
        for p in panels(bias_correction=bc):
            name, options = p.rule
            r = rule(name, **dict(options))
            assert r.options["bias_correction_m"] is bc and r.options["bias_correction_v"] is bc
    assert "with Kingma & Ba's bias correction" in STEP_SIZES_BIAS_CORRECTED
