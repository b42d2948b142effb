"""A run as an :class:`xarray.Dataset` (and back), and as a :class:`pandas.DataFrame`.

Dimensions: ``config`` (C configurations), ``t`` (K checkpoint steps), ``coord``
(d coordinates); ``data_row``/``data_col`` for an ``array`` sequence's table and
``regret_t`` where a regret was evaluated at other checkpoints than the run's.

* ``x`` (config, t, coord): x_{t+1}, the iterate after t steps;
* ``loss`` (config, t): Σ_{s≤t} f_s(x_s);
* ``x0`` (config, coord): x_1; ``param_<h>`` and ``seed`` (config): the
  hyperparameters and seeds;
* ``stat_<q>`` and ``monitor_<m>`` (config, t, coord): the statistics and monitors;
* ``state_<s>`` (config, coord): the rule's state after step T;
* ``domain_lo``, ``domain_hi`` (coord): the domain's per-coordinate bounds;
* with a :class:`~octk.regret.Regret`: ``played``, ``best``, ``regret``, ``status``
  (config, t or regret_t) and ``x_star`` (config, t or regret_t, coord): Σ f_t(x_t),
  min_{x∈F} Σ f_t(x), R(T), the comparator's status and its minimiser.

The attributes are :func:`octk.results.metadata.run_metadata`.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
from typing import Any

import numpy as np

from octk.errors import OptionalDependencyError, ParameterError
from octk.results import metadata

EXTRA = "io"


def require(module: str) -> Any:
    """Import ``module`` from the ``octk[io]`` extra, or raise naming the extra."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise OptionalDependencyError(
            f"saving and converting results needs {module}, from octk's optional extra "
            f"'{EXTRA}': pip install \"octk[{EXTRA}]\""
        ) from None


def _regret_vars(reg: Any, tdim: str) -> dict[str, Any]:
    x = ("config", tdim)
    return {
        "played": (x, np.asarray(reg.played)),
        "best": (x, np.asarray(reg.best)),
        "regret": (x, np.asarray(reg.regret)),
        "status": (x, np.asarray(reg.status).astype(str)),
        "x_star": ((*x, "coord"), np.asarray(reg.x_star)),
    }


def to_xarray(traj: Any, regret: Any = None) -> Any:
    """The Trajectory ``traj`` (with its Regret ``regret``, if given) as an xarray Dataset."""
    xr = require("xarray")
    C, _, d = traj.x.shape
    cd, ckd = ("config", "coord"), ("config", "t", "coord")
    lo, hi = traj.domain.lane_bounds(d)
    data = {
        "x": (ckd, traj.x),
        "loss": (("config", "t"), traj.loss),
        "x0": (cd, traj.x0),
        "seed": (("config",), np.asarray(traj.seeds, dtype=np.uint64)),
        "domain_lo": (("coord",), np.asarray(lo, dtype=np.float64)),
        "domain_hi": (("coord",), np.asarray(hi, dtype=np.float64)),
    }
    data.update({f"param_{n}": (("config",), np.asarray(v)) for n, v in traj.params.items()})
    data.update({f"stat_{n}": (ckd, v) for n, v in traj.stats.items()})
    data.update({f"monitor_{n}": (ckd, v) for n, v in traj.monitors.items()})
    data.update({f"state_{n}": (cd, v) for n, v in traj.state.items()})
    if traj.sequence.data is not None:
        data["sequence_data"] = (("data_row", "data_col"), traj.sequence.data)
    coords = {
        "config": np.arange(C),
        "t": np.asarray(traj.t, dtype=np.int64),
        "coord": np.arange(d),
    }
    if regret is not None:
        same = np.array_equal(regret.t, traj.t)
        tdim = "t" if same else "regret_t"
        if not same:
            coords["regret_t"] = np.asarray(regret.t, dtype=np.int64)
        if np.shape(regret.played)[0] != C:
            raise ParameterError(
                f"regret has {np.shape(regret.played)[0]} configurations; the run has {C}"
            )
        data.update(_regret_vars(regret, tdim))
    attrs = metadata.run_metadata(traj)
    if regret is not None:
        attrs["regret_solver"] = regret.solver
    return xr.Dataset(data, coords=coords, attrs=attrs)


def from_xarray(ds: Any) -> tuple[Any, Any]:
    """(Trajectory, Regret or None) from a Dataset written by :func:`to_xarray`."""
    from octk.regret import Regret
    from octk.trajectory import Trajectory

    if ds.attrs.get("octk_format") != metadata.FORMAT:
        raise ParameterError(
            f"not an octk run: attribute octk_format is {ds.attrs.get('octk_format')!r}, "
            f"expected {metadata.FORMAT!r}"
        )
    seqmeta = json.loads(ds.attrs["sequence"])
    table = ds["sequence_data"].values if "sequence_data" in ds else None
    rule = metadata.rebuild_rule(json.loads(ds.attrs["rule"]))
    seq = metadata.rebuild_sequence(seqmeta, table)
    dom = metadata.rebuild_domain(
        ds.attrs["domain"], ds["domain_lo"].values, ds["domain_hi"].values
    )

    def group(prefix: str) -> dict[str, Any]:
        return {
            str(k)[len(prefix) :]: ds[k].values for k in ds.data_vars if str(k).startswith(prefix)
        }

    traj = Trajectory(
        rule=rule,
        sequence=seq,
        domain=dom,
        backend=str(ds.attrs["backend"]),
        steps=int(ds.attrs["steps"]),
        t=ds["t"].values.astype(np.int64),
        x=ds["x"].values,
        loss=ds["loss"].values,
        stats=group("stat_"),
        x0=ds["x0"].values,
        params=group("param_"),
        seeds=ds["seed"].values.astype(np.uint64),
        state=group("state_"),
        monitors=group("monitor_"),
        **metadata.extras_from_metadata(
            str(ds.attrs.get("extras", "{}")), {f.name for f in dataclasses.fields(Trajectory)}
        ),
    )
    reg = None
    if "regret" in ds:
        tdim = "regret_t" if "regret_t" in ds.coords else "t"
        reg = Regret(
            t=ds[tdim].values.astype(np.int64),
            played=ds["played"].values,
            best=ds["best"].values,
            x_star=ds["x_star"].values,
            status=ds["status"].values.astype(str),
            solver=str(ds.attrs.get("regret_solver", "")),
            run=str(ds.attrs.get("run", "")),
        )
    return traj, reg


def regret_to_xarray(reg: Any) -> Any:
    """A :class:`~octk.regret.Regret` alone as a Dataset (dimensions config, t, coord)."""
    xr = require("xarray")
    C, _, d = np.shape(reg.x_star)
    data = _regret_vars(reg, "t")
    data["average"] = (("config", "t"), np.asarray(reg.average))
    coords = {"config": np.arange(C), "t": np.asarray(reg.t, dtype=np.int64), "coord": np.arange(d)}
    return xr.Dataset(data, coords=coords, attrs={"run": reg.run, "regret_solver": reg.solver})


def _columns(ds: Any, names: list[str]) -> dict[str, Any]:
    """(C, K) columns of ``ds``: one per (C, K) variable, one per coordinate of a
    (C, K, d) one (``x_0``, ``x_1``, ...; just ``x`` when d = 1)."""
    cols = {}
    for name in names:
        v = ds[name]
        if v.dims[-1] == "coord":
            d = v.shape[-1]
            for i in range(d):
                cols[name if d == 1 else f"{name}_{i}"] = v.values[..., i]
        else:
            cols[name] = v.values
    return cols


def _frame(cols: dict[str, Any], C: int, t: np.ndarray, params: dict[str, Any]) -> Any:
    pd = require("pandas")
    K = len(t)
    index = pd.MultiIndex.from_product([np.arange(C), t], names=["config", "t"])
    out = {n: np.asarray(v).reshape(C * K) for n, v in cols.items()}
    out.update({n: np.repeat(np.asarray(v), K) for n, v in params.items()})
    return pd.DataFrame(out, index=index)


def to_pandas(traj: Any, regret: Any = None) -> Any:
    """One row per (configuration, checkpoint): the played loss, x_{t+1} per coordinate,
    the hyperparameters and, given ``regret`` at the same checkpoints, R(T), R(T)/T and
    the comparator."""
    ds = to_xarray(traj, regret)
    names = ["loss", "x"]
    if regret is not None:
        if "regret_t" in ds.coords:
            raise ParameterError(
                "to_pandas: the regret was evaluated at other checkpoints than the run's; "
                "pass regret(traj) without at=, or use regret_to_pandas(regret)"
            )
        names += ["played", "best", "regret", "status"]
    df = _frame(_columns(ds, names), traj.n_configs, traj.t, traj.params)
    if regret is not None:
        df["average"] = df["regret"].to_numpy() / df.index.get_level_values("t").to_numpy()
    return df


def regret_to_pandas(reg: Any) -> Any:
    """One row per (configuration, checkpoint): played, best, regret, average, status,
    and the minimiser x* per coordinate."""
    ds = regret_to_xarray(reg)
    C = np.shape(reg.played)[0]
    return _frame(
        _columns(ds, ["played", "best", "regret", "average", "status", "x_star"]), C, reg.t, {}
    )


__all__ = [
    "from_xarray",
    "regret_to_pandas",
    "regret_to_xarray",
    "require",
    "to_pandas",
    "to_xarray",
]
