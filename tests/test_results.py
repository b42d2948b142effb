"""Results a researcher can keep: short reprs, xarray/pandas views, save/load with metadata."""

import os
import sys
import warnings

import numpy as np
import pytest

import octk
from octk.errors import OptionalDependencyError, ParameterError
from octk.results import MetadataWarning, from_xarray

P = {"alpha": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], "beta1": 0.0, "beta2": 0.1}


def _run(**kw):
    args = dict(steps=300, params=P, backend="reference") | kw
    seq = args.pop("sequence", "reddi-thm1:C=3")
    dom = args.pop("domain", "box:-1,1")
    return octk.simulate(args.pop("rule", "adam"), seq, dom, **args)


def test_reprs_are_short_and_name_the_run():
    traj = _run(checkpoints="all", d=40, x0=0.0)
    reg = octk.regret(traj)
    for text, kind in ((repr(traj), "Trajectory"), (repr(reg), "Regret")):
        lines = text.splitlines()
        assert lines[0].startswith(f"{kind}: Adam [paper] on reddi-thm1:C=3 (linear loss)")
        assert "box:-1,1" in lines[0] and len(lines) <= 9 and len(text) < 1200
        assert "... 2 more configurations" in text
    assert "300 checkpoints × d = 40" in repr(traj) and "x_{T+1} = [1, 1, 1, 1, ..." in repr(traj)
    assert "R_T = " in repr(reg) and "(optimal)" in repr(reg)


def test_bound_and_search_reprs():
    from octk.bounds import check, search

    res = check("adam", "reddi-thm1:C=3", steps=200, params={**P, "alpha": 0.1}, x0=0.0)
    text = repr(res)
    assert text.startswith("BoundResult: kb-thm4.1") and "T = 200" in text
    assert res.verdict(0) in text and len(text.splitlines()) <= 5
    grid = search("adam", "reddi-thm1", grid={"C": [3], "alpha": [0.1, 1.0]}, steps=200,
                  params={"beta1": 0.0, "beta2": 0.1})  # fmt: skip
    assert repr(grid).startswith("SearchResult: kb-thm4.1") and "of 2 cells" in repr(grid)


def test_rule_renders_as_math():
    adam = octk.rule("adam")
    assert adam._repr_latex_().startswith("$\\displaystyle \\begin{aligned}")
    text = adam.pretty()
    assert "╲╱ v̂ₜ" in text and "β₁" in text and "\\frac" not in text
    doc = octk.rules.adam.__doc__
    assert "\\frac" not in doc and "\\begin" not in doc and "β₂" in doc


@pytest.mark.parametrize(
    "kw",
    [
        {"monitors": True},
        {"rule": "amsgrad", "sequence": "reddi-thm3:C=3,delta=0.1", "seed": [1, 2, 3, 4, 5, 6]},
        {"sequence": "periodic:values=[3,-1,-1]", "domain": "ball:2", "d": 2, "loss": None},
        {"rule": "adagrad", "sequence": "array", "domain": "box:0,1;-0.25,0.5", "loss": None},
    ],
)
def test_save_load_round_trips_a_run_with_its_metadata(tmp_path, kw):
    kw = dict(kw)
    kw.pop("loss", None)
    if kw.get("sequence") == "array":
        data = np.random.default_rng(0).normal(size=(300, 2))
        kw["sequence"] = octk.sequence("array", path=data, loss="quadratic")
    if kw.get("monitors"):
        from octk.bounds import bound_monitors

        kw["monitors"] = bound_monitors(octk.rule("adam"))
    if kw.get("rule") == "adagrad":
        kw["params"] = {"alpha": [0.1, 0.2]}
    traj = _run(**kw)
    reg = octk.regret(traj)
    path = traj.save(tmp_path / "run.nc", regret=reg)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        back, back_reg = octk.load(path), octk.load_regret(path)
    assert back.rule.describe() == traj.rule.describe() and back.rule.options == traj.rule.options
    assert back.sequence.spec() == traj.sequence.spec()
    assert back.sequence.loss == traj.sequence.loss and back.domain.spec() == traj.domain.spec()
    assert (back.steps, back.backend) == (traj.steps, traj.backend)
    for name in ("t", "x", "loss", "x0", "seeds"):
        np.testing.assert_array_equal(getattr(back, name), getattr(traj, name))
    assert traj.monitors or not kw.get("monitors")
    for name in ("stats", "params", "state", "monitors"):
        a, b = getattr(traj, name), getattr(back, name)
        assert a.keys() == b.keys()
        for k in a:
            np.testing.assert_array_equal(a[k], b[k])
    np.testing.assert_array_equal(back_reg.regret, reg.regret)
    np.testing.assert_array_equal(back_reg.status, reg.status)
    np.testing.assert_array_equal(octk.regret(back).regret, reg.regret)  # the run is usable
    assert Trajectory_attrs(path)["octk_version"] == octk.__version__


def Trajectory_attrs(path):
    import xarray as xr

    with xr.open_dataset(path, engine="h5netcdf") as ds:
        return dict(ds.attrs)


def test_a_changed_rule_or_domain_warns_on_load():
    traj = _run()
    ds = traj.to_xarray()
    ds.attrs["rule"] = ds.attrs["rule"].replace("mhat <-", "mhat <- 2*")
    with pytest.warns(MetadataWarning, match="another program"):
        from_xarray(ds)
    ds = octk.simulate("adam", "reddi-thm1", "box:-0.1234567891,1", steps=5).to_xarray()
    with pytest.warns(MetadataWarning, match="rounds them"):
        from_xarray(ds)
    ds.attrs["octk_format"] = "other"
    with pytest.raises(ParameterError, match="not an octk run"):
        from_xarray(ds)


def test_save_checks_its_path_first(tmp_path):
    traj = _run()
    traj.save(tmp_path / "a.nc")
    with pytest.raises(ParameterError, match="exists; pass overwrite=True"):
        traj.save(tmp_path / "a.nc")
    traj.save(tmp_path / "a.nc", overwrite=True)
    with pytest.raises(ParameterError, match="does not exist"):
        traj.save(tmp_path / "no" / "a.nc")
    with pytest.raises(ParameterError, match="is a folder"):
        traj.save(tmp_path)
    with pytest.raises(ParameterError, match="without its regret"):
        octk.load_regret(tmp_path / "a.nc")
    with pytest.raises(ParameterError, match="no such file"):
        octk.load(tmp_path / "b.nc")
    (tmp_path / "c.nc").write_text("not netcdf")
    with pytest.raises(ParameterError, match="not a netCDF-4 file"):
        octk.load(tmp_path / "c.nc")


def test_pandas_views():
    traj = _run(d=2)
    reg = octk.regret(traj)
    df = traj.to_pandas(reg)
    assert df.index.names == ["config", "t"] and len(df) == 6 * len(traj.t)
    assert {"loss", "x_0", "x_1", "alpha", "regret", "average", "status"} <= set(df.columns)
    row = df.loc[(2, 300)]
    assert row["x_1"] == traj.x[2, -1, 1] and row["regret"] == reg.regret[2, -1]
    assert row["alpha"] == pytest.approx(0.3)
    rf = reg.to_pandas()
    assert rf.loc[(0, 300), "average"] == pytest.approx(reg.regret[0, -1] / 300)
    with pytest.raises(ParameterError, match="other checkpoints"):
        traj.to_pandas(octk.regret(traj, at=[300]))


def test_a_missing_extra_is_named(monkeypatch):
    traj = _run()
    for module in ("xarray", "h5netcdf"):
        with monkeypatch.context() as m:
            m.setitem(sys.modules, module, None)  # what an import finds when it is not installed
            with pytest.raises(OptionalDependencyError, match=rf'needs {module}.*"octk\[io\]"'):
                traj.save("never-written.nc")
    assert not os.path.exists("never-written.nc")


def test_other_trajectory_fields_travel_as_json(tmp_path):
    from octk.bounds.hypotheses import Check
    from octk.results.metadata import decode_extra, encode_extra, extras_from_metadata

    record = Check("bounded diameter D", "holds", "D = 2 (inf: none)")
    assert decode_extra(encode_extra("r", record)) == record
    assert decode_extra(encode_extra("s", np.float64(0.5))) == 0.5
    with pytest.raises(ParameterError, match="not octk's"):
        decode_extra({"__dataclass__": "os.path.join"})
    with pytest.raises(ParameterError, match="cannot save the Trajectory field 'f'"):
        encode_extra("f", object())
    with pytest.warns(MetadataWarning, match=r"fields this octk does not have: \['later'\]"):
        assert extras_from_metadata('{"later": 1, "kept": 2}', {"kept"}) == {"kept": 2}
