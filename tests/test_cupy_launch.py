"""The ``cupy`` backend's host side, checked without a GPU.

A stand-in ``cupy`` module (NumPy arrays with ``.get()``; a ``RawModule`` whose
kernels run the host build of the very source it is given) replaces CuPy, so
``CupyBackend`` uploads the lanes, picks the layout and grid, launches and
downloads the segment's checkpoint rows exactly as on a device; the kernels' host
shim does the arithmetic. What this cannot check — the ``__global__`` bodies and
their shuffles — the ``gpu``-marked tests check on a device.
"""

from __future__ import annotations

import ctypes
import sys
import types
from typing import ClassVar

import numpy as np
import pytest
from conftest import assert_close

import octk.backends as backends
from octk.backends import cupy_backend
from octk.backends.cuda_host import build
from octk.simulate import simulate


class _DeviceArray(np.ndarray):
    def get(self):
        return np.array(self)


def _asarray(a, dtype=None):
    return np.array(a, dtype=dtype, copy=True).view(_DeviceArray)


class _Module:
    """Runs ``octk_lanes`` / ``octk_lanes_group`` through the host build of ``code``, and
    the group layout's launch pair per step (``octk_group_step`` then
    ``octk_group_project`` with the checkpoint row or −1) as one host step."""

    launches: ClassVar[list] = []

    def __init__(self, code, options=()):
        assert "--fmad=false" in options
        self.lib = build(code)
        self.t = None  # the step of the last octk_group_step

    def get_function(self, name):
        if name in ("octk_group_step", "octk_group_project"):
            return self._group(name)
        if name not in ("octk_lanes", "octk_lanes_group"):
            raise NotImplementedError(f"{name}: the stand-in plays only the lane kernels")

        def launch(grid, block, args):
            t0, t1, k0, *arrays = args
            L, d = int(arrays[-2]), int(arrays[-1])
            width = 1 << (d - 1).bit_length() if name == "octk_lanes_group" else 1
            need = L if name == "octk_lanes" else (L // d) * width
            assert block[0] % 32 == 0 and grid[0] * block[0] >= need > (grid[0] - 1) * block[0]
            _Module.launches.append((name, int(t0), int(t1)))
            c = [a.ctypes.data if isinstance(a, np.ndarray) else int(a) for a in arrays]
            self.lib.octk_host_run(int(t0), int(t1), int(k0), *c)

        return launch

    def _group(self, name):
        def launch(grid, block, args):
            step_or_row, *arrays, wgt = args
            assert isinstance(wgt, np.ndarray) and wgt.shape == arrays[0].shape
            L, d, nck = int(arrays[-2]), int(arrays[-1]), int(arrays[9])
            need = L if name == "octk_group_step" else L // d
            assert block[0] % 32 == 0 and grid[0] * block[0] >= need > (grid[0] - 1) * block[0]
            _Module.launches.append((name, int(step_or_row), int(step_or_row)))
            if name == "octk_group_step":
                self.t = int(step_or_row)
                return
            row = int(step_or_row)
            c = [a.ctypes.data if isinstance(a, np.ndarray) else int(a) for a in arrays]
            self.lib.octk_host_run(self.t, self.t, row if row >= 0 else nck, *c)

        return launch


@pytest.fixture
def fake_cupy(monkeypatch):
    fake = types.ModuleType("cupy")
    fake.asarray = _asarray
    fake.ascontiguousarray = lambda a: a
    fake.zeros = lambda shape, dtype=float: np.zeros(shape, dtype).view(_DeviceArray)
    fake.ones = lambda shape, dtype=float: np.ones(shape, dtype).view(_DeviceArray)
    fake.RawModule = _Module
    fake.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=lambda: 1))
    monkeypatch.setitem(sys.modules, "cupy", fake)
    monkeypatch.setattr(backends, "_instances", {})
    monkeypatch.setattr(cupy_backend, "_modules", {})
    _Module.launches = []
    assert ctypes  # the stand-in launches through ctypes (cuda_host.build)
    return fake


@pytest.mark.parametrize(
    ("dom", "d", "kernel"),
    [
        ("box:-1,1", 3, "octk_lanes"),
        ("reals", 1, "octk_lanes"),
        ("ball:1.2;projection=euclidean", 5, "octk_lanes_group"),
    ],
)
def test_cupy_backend_runs_and_agrees_with_the_reference(fake_cupy, dom, d, kernel):
    alphas = np.linspace(0.02, 0.4, 7)
    kw = dict(steps=120, d=d, x0=0.1, params={"alpha": alphas}, seed=np.arange(7))
    ref = simulate("amsgrad", "uniform:low=-2,high=2", dom, backend="reference", **kw)
    for segment in (None, 17):  # one launch, and resumed segments with their checkpoint rows
        _Module.launches = []
        gpu = simulate(
            "amsgrad", "uniform:low=-2,high=2", dom, backend="cupy", segment=segment, **kw
        )
        assert gpu.backend == "cupy"
        assert {n for n, _, _ in _Module.launches} == {kernel}
        assert len(_Module.launches) == (1 if segment is None else -(-120 // 17))
        assert_close(gpu.x, ref.x, what=f"{dom} x")
        assert_close(gpu.loss, ref.loss, what=f"{dom} loss")
        assert_close(gpu.stats["sum_s"], ref.stats["sum_s"], what=f"{dom} sum_s")
        for name in ref.state:
            assert_close(gpu.state[name], ref.state[name], what=f"{dom} {name}")


@pytest.mark.parametrize("dom", ["ball:0.9", "simplex:1", "simplex:2;projection=euclidean"])
def test_group_layout_launches_a_pair_per_step_with_the_checkpoint_rows(fake_cupy, dom):
    """RKK's weighted ball and the simplex: per step octk_group_step, then
    octk_group_project with the segment's checkpoint row (−1 between checkpoints)."""
    n, d = 5, 3
    x0 = np.full(d, 2.0 / d if dom.startswith("simplex:2") else 1.0 / d if "simplex" in dom else 0)
    kw = dict(steps=60, d=d, x0=x0, params={"alpha": np.linspace(0.05, 0.4, n)}, seed=np.arange(n))
    ref = simulate("adam", "uniform:low=-2,high=2", dom, backend="reference", **kw)
    for segment in (None, 17):
        _Module.launches = []
        gpu = simulate("adam", "uniform:low=-2,high=2", dom, backend="cupy", segment=segment, **kw)
        steps = [t for name, t, _ in _Module.launches if name == "octk_group_step"]
        rows = [r for name, r, _ in _Module.launches if name == "octk_group_project"]
        assert steps == list(range(1, 61)) and len(rows) == 60
        written = [t for t, r in zip(steps, rows, strict=True) if r >= 0]
        assert written == list(ref.t)  # a row exactly at each checkpoint step
        if segment is None:
            assert [r for r in rows if r >= 0] == list(range(len(ref.t)))
        assert_close(gpu.x, ref.x, what=f"{dom} x")
        assert_close(gpu.loss, ref.loss, what=f"{dom} loss")


def test_float32_on_the_cupy_path_matches_the_host_backend(fake_cupy):
    kw = dict(steps=200, d=2, params={"alpha": 0.1}, dtype="float32", checkpoints="all")
    host = simulate("adam", "reddi-thm1", "box:-1,1", backend="cuda-host", **kw)
    gpu = simulate("adam", "reddi-thm1", "box:-1,1", backend="cupy", **kw)
    assert gpu.dtype == "float32"
    assert_close(gpu.x, host.x, rtol=0.0, what="float32 x")


def test_auto_picks_the_gpu_for_large_runs_only(fake_cupy, monkeypatch):
    monkeypatch.setattr(backends, "AUTO_GPU_WORK", 1000)
    assert simulate("adam", "uniform", steps=10, d=2).backend == "numba"
    assert simulate("adam", "uniform", steps=600, d=2).backend == "cupy"
