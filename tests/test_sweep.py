"""octk.sweep / octk sweep: the Dataset's schema, batching, measures, classification,
the zarr store (resume, a store of another sweep), and errors."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
from click.testing import CliRunner

import octk
from octk.cli import main
from octk.errors import ParameterError, UnknownNameError
from octk.sweeps import FLAGS, parse_values

REF = "reference"
RKK = dict(params={"alpha": 0.1, "beta2": "1/(1+C**2)"}, backend=REF)


def small(**kw):
    args = dict(steps=400, grid={"C": [3, 10], "beta1": [0.0, 0.9]}, **RKK)
    args.update(kw)
    return octk.sweep("adam", "reddi-thm1", **args)


def test_dataset_schema_dims_coords_and_attrs():
    ds = small(measures=("x_final", "distance", "rate", "rate_at", "drift", "classification"))
    assert ds["classification"].dims == ("C", "beta1")
    assert ds["rate_at"].dims == ("C", "beta1", "checkpoint")
    assert ds["C"].attrs["units"] == "1" and "sequence reddi-thm1" in ds["C"].attrs["description"]
    assert "hyperparameter beta1" in ds["beta1"].attrs["description"]
    cl = ds["classification"]
    assert cl.dtype == np.int8 and cl.attrs["flag_values"] == [0, 1, 2, 3]
    assert cl.attrs["flag_meanings"] == "converges diverges cycles undecided"
    assert "T/2 = 200 against T = 400" in cl.attrs["rule"]
    for key in ("rule", "program", "sequence", "domain", "steps", "backend", "command", "created"):
        assert key in ds.attrs
    assert ds.attrs["octk_version"] == octk.__version__
    assert ds.attrs["program"].startswith(r"\begin{aligned}") and ds.attrs["backend"] == REF
    assert set(np.unique(cl.values)) <= {0, 1, 2, 3}


def test_cells_equal_single_runs_with_the_tie_evaluated_per_cell():
    ds = small(measures=("x_final", "rate"))
    for C in (3, 10):
        for b1 in (0.0, 0.9):
            p = {"alpha": 0.1, "beta1": b1, "beta2": 1 / (1 + C**2)}
            traj = octk.simulate("adam", f"reddi-thm1:C={C}", steps=400, params=p, backend=REF)
            reg = octk.regret(traj)
            cell = ds.sel(C=C, beta1=b1)
            assert float(cell.x_final) == traj.x_final[0, 0]
            assert float(cell.rate) == pytest.approx(reg.regret[0, -1] / 400, rel=1e-12)


def test_one_simulation_per_program(monkeypatch):
    sim = sys.modules["octk.simulate"]  # the module (octk.simulate is the function)
    calls = []
    real = sim.simulate

    def counting(*a, **kw):
        calls.append(np.size(kw["params"]["beta1"]))
        return real(*a, **kw)

    monkeypatch.setattr(sim, "simulate", counting)
    g = {"C": [3, 10], "beta1": [0.0, 0.5, 0.9], "alpha": [0.01, 0.1]}
    one = small(grid=g, params={"beta2": "1/(1+C**2)"}, measures=("x_final", "rate"))
    assert calls == [6, 6]  # one block; one simulation per C (program axis) in it
    each = small(grid=g, params={"beta2": "1/(1+C**2)"}, measures=("x_final", "rate"), block=4)
    assert calls[2:] == [4, 2, 4, 2]  # blocks of 4 cells: beta1 × alpha cut in two
    assert one.drop_attrs().identical(each.drop_attrs())


def test_axis_expressions_of_other_axes():
    ds = octk.sweep(
        "adam", "reddi-thm1:C=3", steps=200, backend=REF, measures=("x_final",),
        grid={"beta2": [0.1, 0.5]}, params={"alpha": 0.1, "beta1": "0.9*sqrt(beta2)"},
    )  # fmt: skip
    p = {"alpha": 0.1, "beta1": 0.9 * np.sqrt(0.5), "beta2": 0.5}
    traj = octk.simulate("adam", "reddi-thm1:C=3", steps=200, params=p, backend=REF)
    assert float(ds.x_final.sel(beta2=0.5)) == traj.x_final[0, 0]


def test_classification_of_rkk_adam_and_amsgrad():
    # RKK Theorem 1, beta1 = 0: Adam with a constant step cycles near x = +1, with
    # α/√t it settles at +1 (diverges from x* = −1); AMSGrad converges to −1.
    grid = {"schedule": ["constant", "sqrt"]}
    p = {"alpha": 0.1, "beta1": 0.0, "beta2": 0.1}
    ds = octk.sweep("adam", "reddi-thm1:C=3", steps=3000, grid=grid, params=p, backend=REF)
    assert [FLAGS[c] for c in ds.classification.values] == ["cycles", "diverges"]
    programs = json.loads(ds.attrs["programs"])  # one program per option value
    assert r"\sqrt{t}" in programs["schedule=sqrt"]
    assert r"\sqrt{t}" not in programs["schedule=constant"]
    assert np.all(ds.distance.values > 1.9)
    ams = octk.sweep("amsgrad", "reddi-thm1:C=3", steps=3000, grid={"seed": [0]}, params=p,
                     backend=REF, measures=("distance", "drift", "classification"))  # fmt: skip
    assert FLAGS[int(ams.classification[0])] == "converges" and float(ams.distance[0]) < 1e-2


def test_parse_values_and_bad_axes():
    assert parse_values("a", "log:1,100,3") == [1.0, 10.0, 100.0]
    assert parse_values("a", "lin:0,1,5")[1] == 0.25
    with pytest.raises(ParameterError, match="spacing must be one of lin, log"):
        parse_values("a", "geo:1,2,3")
    with pytest.raises(ParameterError, match="log:a,b,n needs a > 0"):
        parse_values("a", "log:0,1,3")
    with pytest.raises(UnknownNameError, match=r"grid axis .* 'gamma'"):
        small(grid={"gamma": [1]})
    with pytest.raises(ParameterError, match="beta1 must be in"):
        small(grid={"beta1": [2.0]})
    with pytest.raises(ParameterError, match="schedule in"):
        small(grid={"schedule": ["weekly"]})
    with pytest.raises(ParameterError, match=r"grid C=1\.5: C must be in \(2, inf\)"):
        small(grid={"C": [3, 1.5]})
    with pytest.raises(UnknownNameError, match="unknown measure"):
        small(measures=("speed",))


def test_store_resume_and_another_sweep(tmp_path):
    out = tmp_path / "s.zarr"
    full = small(block=1)
    ds = small(block=1, out=out)
    keep = {"created"}
    assert ds.drop_attrs().identical(full.drop_attrs())
    assert {k: v for k, v in ds.attrs.items() if k not in keep | {"command"}} == {
        k: v for k, v in full.attrs.items() if k not in keep | {"command"}
    }
    with pytest.raises(ParameterError, match="exists; resume=True"):
        small(block=1, out=out)
    again = small(block=1, out=out, resume=True)  # every block done: nothing runs
    assert again.identical(ds)
    with pytest.raises(ParameterError, match=r"holds another sweep.*steps \(400 in the store, 300"):
        small(block=1, out=out, resume=True, steps=300)


def test_resume_runs_only_the_missing_blocks(tmp_path, monkeypatch):
    import xarray as xr

    import octk.sweeps.engine as engine

    out = tmp_path / "s.zarr"
    ds = small(block=1, out=out)
    # forget two blocks, as an interrupted run would have left them
    z = xr.open_zarr(out, consolidated=False)
    done = z["done"].values.copy()
    done[0, 1] = done[1, 0] = False
    xr.Dataset({"done": (("C", "beta1"), done)}).to_zarr(out, mode="r+", consolidated=False)
    ran = []
    real = engine.run_block
    monkeypatch.setattr(engine, "run_block", lambda plan, k: ran.append(k) or real(plan, k))
    again = small(block=1, out=out, resume=True)
    assert sorted(ran) == [1, 2] and again.identical(ds)


def test_cli_sweep_text_json_and_errors(tmp_path):
    run = CliRunner().invoke
    base = ["sweep", "--rule", "adam", "--param", "alpha=0.1", "--param", "beta2=1/(1+C**2)",
            "--sequence", "reddi-thm1", "--steps", "300", "--backend", REF]  # fmt: skip
    res = run(main, [*base, "--grid", "C=3,10", "--grid", "beta1=lin:0,0.9,2"])
    assert res.exit_code == 0, res.output
    assert "axes: C (2: 3, 10); beta1 (2: 0, 0.9)" in res.output
    assert "classification: converges" in res.output and "rule: m(t)" in res.output
    res = run(main, [*base, "--grid", "C=3", "--measure", "first_violation,distance", "--json"])
    d = json.loads(res.output)
    assert d["data_vars"]["first_violation"]["attrs"]["bound"] == "kb-thm4.1"
    assert d["dims"] == {"C": 1}
    for args, text in [
        (["--grid", "C=3", "--measure", "speed"], "unknown --measure 'speed'"),
        (["--grid", "zeta=1"], "unknown grid axis"),
        (["--grid", "C=3", "--resume"], "--resume completes the --out store"),
        (["--grid", "C=3", "--out", str(tmp_path / "x.nc")], "ending in .zarr"),
        (["--grid", "C=3", "--scheduler", "threads"], "scheduler must be 'processes'"),
    ]:
        res = run(main, [*base, *args])
        assert res.exit_code == 2, (args, res.output)
        err = res.stderr.strip()
        assert err.startswith("octk: error:") and "\n" not in err and text in err, err


def test_an_in_process_sweep_needs_neither_dask_nor_zarr():
    # (xarray itself imports dask where it is installed, so "not imported" cannot be
    # asked of the process; "not needed" can: a None in sys.modules fails its import)
    import subprocess
    from pathlib import Path

    code = (
        "import sys\n"
        "for m in ('dask', 'distributed', 'zarr'): sys.modules[m] = None\n"
        "import octk\n"
        "ds = octk.sweep('adam', 'reddi-thm1:C=3', steps=20, backend='reference', "
        "grid={'beta1': [0.0, 0.5]})\n"
        "print(ds.sizes['beta1'])"
    )
    root = Path(__file__).resolve().parent.parent
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True
    )
    assert res.stdout.strip() == "2"


def test_classify_and_drift_on_known_paths():
    from dataclasses import replace

    from octk.sweeps.measures import classify, drift, run_checkpoints

    T = 4000
    ck = run_checkpoints(T, ("classification",))
    traj = octk.simulate("ogd", "reddi-thm1:C=3", steps=T, checkpoints=ck, backend=REF)
    t = traj.t.astype(float)
    paths = {
        "converges": 1 / t,  # |x − x*| halves from T/2 to T: drift −1
        "diverges": 0.5 + 0 * t,  # stays away from x*
        "cycles": 0.5 + 0.1 * (-1.0) ** traj.t,  # a period-2 oscillation that persists
        "undecided": t**-0.1,  # shrinks by 7 % from T/2 to T: neither
        "blown up": np.where(t > 3000, np.nan, 0.5),
    }
    xs = np.zeros((len(paths), 1))
    x = np.stack(list(paths.values()))[:, :, None]
    fake = replace(traj, x=x, loss=np.zeros(x.shape[:2]))
    assert [FLAGS[c] for c in classify(fake, xs)] == [
        "converges", "diverges", "cycles", "undecided", "diverges",
    ]  # fmt: skip
    slopes = drift(fake, xs)
    assert slopes[0] == pytest.approx(-1, abs=0.02) and slopes[1] == 0
    assert slopes[3] == pytest.approx(-0.1, abs=0.01)


def test_an_expression_out_of_range_on_some_cell_fails_before_any_work():
    with pytest.raises(ParameterError, match=r"beta2='1/\(1-C\*\*2\)' on the grid: beta2 must"):
        small(params={"alpha": 0.1, "beta2": "1/(1-C**2)"})
