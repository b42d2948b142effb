"""Results a researcher can keep: short reprs, xarray/pandas views, files with metadata.

* :mod:`octk.results.text` -- the few-line summaries that ``repr()`` of a
  :class:`~octk.trajectory.Trajectory`, :class:`~octk.regret.Regret`,
  :class:`~octk.bounds.BoundResult` and :class:`~octk.bounds.SearchResult` shows;
* :mod:`octk.results.metadata` -- what a run was (rule with its options and
  hyperparameters, sequence, domain, steps, backend, octk version) as plain values,
  and the objects rebuilt from them;
* :mod:`octk.results.dataset` -- :func:`to_xarray` / :func:`from_xarray` and
  :func:`to_pandas`;
* :mod:`octk.results.files` -- :func:`save` and :func:`load` (netCDF-4 through
  h5netcdf).

xarray, pandas and h5netcdf are the optional extra ``octk[io]``
(``pip install "octk[io]"``); without them these functions raise
:class:`~octk.errors.OptionalDependencyError` naming the extra.

>>> import octk
>>> traj = octk.simulate("adam", "reddi-thm1:C=3", steps=30, backend="reference")
>>> print(repr(traj).splitlines()[0])
Trajectory: Adam [paper] on reddi-thm1:C=3 (linear loss) over box:-1,1
"""

from octk.results.dataset import (
    from_xarray,
    regret_to_pandas,
    regret_to_xarray,
    to_pandas,
    to_xarray,
)
from octk.results.files import load, load_regret, save
from octk.results.metadata import MetadataWarning, run_metadata

__all__ = [
    "MetadataWarning",
    "from_xarray",
    "load",
    "load_regret",
    "regret_to_pandas",
    "regret_to_xarray",
    "run_metadata",
    "save",
    "to_pandas",
    "to_xarray",
]
