"""Runs on disk: :func:`save` and :func:`load` (netCDF-4 files through h5netcdf).

A file holds one run's arrays and metadata (:mod:`octk.results.dataset`), and its
regret where one is given; :func:`load` rebuilds the Trajectory (and
:func:`load_regret` the Regret) exactly. Any netCDF reader opens the file too
(``xarray.open_dataset(path, engine="h5netcdf")``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from octk.errors import ParameterError
from octk.results.dataset import from_xarray, require, to_xarray

ENGINE = "h5netcdf"


def _output_path(path: str | os.PathLike[str], overwrite: bool) -> Path:
    p = Path(path)
    if p.is_dir():
        raise ParameterError(f"path {str(p)!r} is a folder; give a file name such as run.nc")
    if p.exists() and not overwrite:
        raise ParameterError(f"path {str(p)!r} exists; pass overwrite=True to replace it")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise ParameterError(f"path {str(p)!r}: the folder {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK):
        raise ParameterError(f"path {str(p)!r}: the folder {str(parent)!r} is not writable")
    return p


def save(
    traj: Any, path: str | os.PathLike[str], *, regret: Any = None, overwrite: bool = False
) -> Path:
    """Write ``traj`` (and its ``regret``, if given) with its metadata to a netCDF-4 file.

    The path is checked before anything is written: an existing file is replaced only
    with ``overwrite=True``. Returns the path.
    """
    p = _output_path(path, overwrite)
    require(ENGINE)
    ds = to_xarray(traj, regret)
    ds.to_netcdf(p, engine=ENGINE)
    return p


def _open(path: str | os.PathLike[str]) -> Any:
    xr = require("xarray")
    require(ENGINE)
    p = Path(path)
    if not p.is_file():
        raise ParameterError(f"path {str(p)!r}: no such file")
    try:
        with xr.open_dataset(p, engine=ENGINE) as ds:
            return ds.load()
    except (OSError, ValueError) as exc:
        raise ParameterError(
            f"path {str(p)!r} is not a netCDF-4 file octk can read: {exc}"
        ) from None


def load(path: str | os.PathLike[str]) -> Any:
    """The :class:`~octk.trajectory.Trajectory` saved in ``path`` by :func:`save`."""
    return from_xarray(_open(path))[0]


def load_regret(path: str | os.PathLike[str]) -> Any:
    """The :class:`~octk.regret.Regret` saved with the run in ``path``."""
    reg = from_xarray(_open(path))[1]
    if reg is None:
        raise ParameterError(f"path {str(path)!r} holds a run without its regret")
    return reg


__all__ = ["ENGINE", "load", "load_regret", "save"]
