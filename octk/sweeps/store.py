r"""A sweep persisted as it runs: a zarr store (``out=``), resumable (``resume=True``).

1. The **template** is written first (beside the store, then renamed into place):
   every variable filled with its fill value, chunked exactly as the blocks (one zarr
   chunk per block and variable), the attributes (with the sweep's definition, JSON),
   and the ``done`` mask (False).
2. Each block, when done, writes its region of every variable, **then** its region of
   ``done``: a block whose ``done`` is set has all its values (a crash between the two
   writes leaves it to be run again).
3. ``resume=True`` reads the definition back: a store made by another sweep is one
   :class:`~octk.errors.ParameterError` naming what differs; otherwise only the blocks
   not done run. Blocks are deterministic, so the finished store equals one made
   without interruption.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from octk.errors import OptionalDependencyError, ParameterError
from octk.sweeps.dataset import DONE, dataset, empty, variables
from octk.sweeps.plan import Plan


def _zarr() -> Any:
    try:
        import zarr
    except ImportError:  # pragma: no cover - a dependency of octk
        raise OptionalDependencyError(
            "out=STORE.zarr needs zarr (a dependency of octk): pip install 'zarr>=3'"
        ) from None
    return zarr


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Writing fixed-width text (rule options, failing hypotheses): zarr 3 warns that its
    v3 specification is pending; xarray and zarr read it back."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*does not have a Zarr V3 specification")
        yield


def _encoding(plan: Plan, ds: Any) -> dict[str, Any]:
    enc: dict[str, Any] = {}
    for name in ds.data_vars:
        extra = ds[name].shape[len(plan.axes) :]
        enc[name] = {"chunks": plan.chunks + tuple(extra)}
    for a in plan.axes:
        if a.values.dtype.kind == "U":
            enc[a.name] = {"dtype": a.values.dtype}
    return enc


def write_template(plan: Plan, out: Path, command: str) -> None:
    """The store with every variable at its fill value and ``done`` all False."""
    _zarr()
    ds = dataset(plan, empty(plan), command)
    dims = tuple(a.name for a in plan.axes)
    ds[DONE] = (dims, np.zeros(plan.shape, dtype=bool))
    ds[DONE].attrs["description"] = "the cell's block is finished (its values are final)"
    with _quiet():
        ds.to_zarr(out, mode="w", encoding=_encoding(plan, ds), consolidated=False)


def write_block(plan: Plan, out: Any, k: int, values: dict[str, np.ndarray]) -> None:
    """Block ``k``'s values to its region of the store, then its ``done`` region."""
    import xarray as xr

    sl = plan.block(k)
    shape = tuple(s.stop - s.start for s in sl)
    dims = tuple(a.name for a in plan.axes)
    spec = variables(plan)
    data = {}
    for name, v in spec.items():
        arr = np.asarray(values[name], dtype=v.dtype)
        arr = arr.reshape(shape + arr.shape[1:])
        data[name] = xr.Variable(dims + v.extra, arr)
    region = {d: s for d, s in zip(dims, sl, strict=True)}
    with _quiet():
        xr.Dataset(data).to_zarr(out, region=region, consolidated=False)
    done = xr.Dataset({DONE: xr.Variable(dims, np.ones(shape, dtype=bool))})
    done.to_zarr(out, region=region, consolidated=False)


def _differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            out.extend(f"{key}.{d}" for d in _differences(a, b))
        else:
            out.append(f"{key} ({_short(a)} in the store, {_short(b)} now)")
    return out


def _short(v: Any) -> str:
    s = json.dumps(v, default=str)
    return s if len(s) <= 60 else s[:57] + "..."


def check_store(plan: Plan, out: Path) -> None:
    """The store at ``out`` was made by this sweep; else one ParameterError naming the
    first differences."""
    import xarray as xr

    try:
        ds = xr.open_zarr(out, consolidated=False, chunks=None)
    except Exception as e:  # not a zarr store, or not readable
        raise ParameterError(f"out: {str(out)!r} is not a readable sweep store ({e})") from None
    text = ds.attrs.get("sweep_definition")
    if text is None or DONE not in ds:
        raise ParameterError(f"out: {str(out)!r} is a zarr store, but not one made by octk sweep")
    old = json.loads(text)
    new = json.loads(json.dumps(plan.definition(), sort_keys=True, default=str))
    diff = _differences(old, new)
    if diff:
        raise ParameterError(
            f"out: {str(out)!r} holds another sweep, so it cannot be resumed: "
            + "; ".join(diff[:4])
            + (f"; and {len(diff) - 4} more" if len(diff) > 4 else "")
            + " (use another --out, or delete the store)"
        )


def done_blocks(plan: Plan, out: Path) -> set[int]:
    """The blocks whose ``done`` region is all True."""
    import xarray as xr

    done = xr.open_zarr(out, consolidated=False, chunks=None)[DONE].values
    return {k for k in range(plan.n_blocks) if bool(np.all(done[plan.block(k)]))}


def run_to_store(
    plan: Plan, out: Any, resume: bool, scheduler: Any, progress: bool, command: str
) -> Any:
    """Run the sweep into the store ``out`` (resuming it where asked); the Dataset."""

    from octk.sweeps.engine import execute

    path = Path(os.fspath(out))
    if path.suffix != ".zarr":
        raise ParameterError(f"out must be a zarr store path ending in .zarr; got {str(out)!r}")
    if path.exists() and not resume:
        raise ParameterError(
            f"out: {str(out)!r} exists; resume=True (--resume) completes it, or delete it"
        )
    if path.exists():
        check_store(plan, path)
        todo = [k for k in range(plan.n_blocks) if k not in done_blocks(plan, path)]
    else:
        if not path.parent.is_dir():
            raise ParameterError(f"out: the folder {str(path.parent)!r} does not exist")
        # written aside and renamed: a store at ``path`` is never a half-written template
        partial = path.with_name(path.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        write_template(plan, partial, command)
        partial.rename(path)
        todo = list(range(plan.n_blocks))
    for _ in execute(plan, todo, scheduler, progress, str(path)):
        pass
    return load(path)


def load(path: Any) -> Any:
    """The finished sweep in the store ``path`` (without its ``done`` mask), in memory."""
    import xarray as xr

    ds = xr.open_zarr(os.fspath(path), consolidated=False, chunks=None)
    missing = int((~ds[DONE]).sum())
    if missing:
        raise ParameterError(
            f"{str(path)!r}: {missing} cells are not done; complete it with resume=True"
        )
    return ds.drop_vars(DONE).load()


__all__ = ["check_store", "done_blocks", "load", "run_to_store", "write_block", "write_template"]
