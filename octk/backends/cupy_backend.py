r"""The ``cupy`` backend: the generated CUDA kernels launched on a GPU with CuPy.

The source is :func:`~octk.backends.cuda_source.kernel_source` (the text the
``cuda-host`` backend runs on the CPU in CI), compiled once per program with
NVRTC through ``cupy.RawModule`` (``--fmad=false``: a·b + c rounds twice, as on
the host and in NumPy) and kept per process by hash; CuPy caches the binary
on disk as well.

Per call ``kernel(lanes, t0, t1, k0)`` the lanes go to the device, the kernels
run t0..t1 there, and the lanes and the checkpoint rows of the segment come back
(:class:`DeviceLanes`). The layouts (see cuda_source.py):

* box and R^d, any d: ``octk_lanes``, one thread per lane, the time loop inside;
* ball, d ≤ 32: ``octk_lanes_group``, a warp-shuffle norm per configuration;
* ball, d > 32: per step ``octk_ball_step`` (block reduction of the norm into
  one value per configuration) and ``octk_ball_finish`` (the rescaling);
* RKK's weighted ball and the simplex, any d: per step ``octk_group_step`` (one
  thread per lane) and ``octk_group_project`` (the domain's routine, one thread per
  configuration).

Without CuPy, or without a visible device, constructing the backend raises one
:class:`~octk.errors.BackendUnavailableError` saying what to install or that no
device is visible.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from octk.backends import memo
from octk.backends.cuda_host import DTYPES, OUTPUTS, lane_arrays
from octk.backends.cuda_projections import projection
from octk.backends.cuda_source import BLOCK, kernel_source
from octk.backends.program import StepProgram
from octk.errors import BackendUnavailableError

NVRTC_OPTIONS = ("--std=c++14", "--fmad=false")
INSTALL = (
    "pip install 'octk[gpu]' (CuPy for CUDA 13 drivers) or 'octk[gpu-cuda12]' (CUDA 12 drivers)"
)


def device_error() -> str | None:
    """Why the ``cupy`` backend cannot run here (one line), or None where it can."""
    try:
        import cupy
    except ImportError:
        return f"backend 'cupy' needs CuPy, which is not installed: {INSTALL}"
    except Exception as e:  # a broken CUDA installation fails at import
        return f"backend 'cupy': CuPy could not be imported ({type(e).__name__}: {e})"
    try:
        n = cupy.cuda.runtime.getDeviceCount()
    except Exception as e:  # no driver, or no device
        return f"backend 'cupy': no CUDA device is visible ({type(e).__name__}: {e})"
    if n < 1:
        return "backend 'cupy': no CUDA device is visible"
    return None


@dataclass
class DeviceLanes:
    """The lane arrays of one segment on the device (names as the kernel's parameters).

    The checkpoint arrays hold only the segment's rows [k0, k1), so ``nck`` = k1 − k0
    and the kernel starts at row 0.
    """

    arrays: dict
    n_lanes: int
    d: int

    @classmethod
    def upload(cls, lanes, dtype: str, k0: int, k1: int) -> DeviceLanes:
        import cupy

        n, q = lanes.n_lanes, lanes.stats.shape[0]
        seg = replace(  # the lanes with the segment's checkpoint rows only
            lanes,
            ck_t=lanes.ck_t[k0:k1],
            ck_x=np.zeros((k1 - k0, n)),
            ck_loss=np.zeros((k1 - k0, n)),
            ck_stats=np.zeros((q, k1 - k0, n)),
        )
        return cls(lane_arrays(seg, dtype, xp=cupy), lanes.n_lanes, lanes.d)

    @property
    def nck(self) -> int:
        return int(self.arrays["CK_T"].shape[0])

    def args(self) -> tuple:
        """The kernel parameters after the step arguments, in the order of ``PARAMS``."""
        a = self.arrays
        return (
            a["X"], a["PAR"], a["SEED"], a["LO"], a["HI"], a["STATE"], a["LOSS"],
            a["STATS"], a["CK_T"], np.int64(self.nck), a["CK_X"], a["CK_LOSS"], a["CK_STATS"],
            a["DATA"], np.int64(self.n_lanes), np.int64(self.d),
        )  # fmt: skip

    def download(self, lanes, k0: int, k1: int) -> None:
        for name in OUTPUTS:
            host = self.arrays[name.upper()].get().astype(np.float64)
            if name == "ck_stats":
                lanes.ck_stats[:, k0:k1] = host
            elif name.startswith("ck_"):
                getattr(lanes, name)[k0:k1] = host
            else:
                getattr(lanes, name)[...] = host


_modules: dict[str, Any] = {}


class CupyKernel:
    """The compiled kernels of one program, domain and dtype, and their launches."""

    def __init__(self, source: str, domain, dtype: str):
        import cupy

        key = hashlib.sha256(source.encode()).hexdigest()
        if key not in _modules:
            _modules[key] = cupy.RawModule(code=source, options=NVRTC_OPTIONS)
        self.module: Any = _modules[key]
        self.layout = projection(domain).layout
        self.dtype = dtype

    def launch(self, dev: DeviceLanes, t0: int, t1: int, ck_t=None) -> None:
        """Advance the device lanes from t0 to t1 (checkpoint rows from 0)."""
        import cupy

        L, d = dev.n_lanes, dev.d
        steps = (np.int64(t0), np.int64(t1), np.int64(0))
        if self.layout == "lane":
            grid = (L + BLOCK - 1) // BLOCK
            self.module.get_function("octk_lanes")((grid,), (BLOCK,), (*steps, *dev.args()))
        elif self.layout == "group":
            wgt = cupy.ones(L, dtype=self.dtype)
            step = self.module.get_function("octk_group_step")
            project = self.module.get_function("octk_group_project")
            cks = list(dev.arrays["CK_T"].get() if ck_t is None else ck_t)
            k = 0
            for t in range(t0, t1 + 1):
                step(((L + BLOCK - 1) // BLOCK,), (BLOCK,), (np.int64(t), *dev.args(), wgt))
                row = k if k < len(cks) and cks[k] == t else -1
                k += row >= 0
                grid = (L // d + BLOCK - 1) // BLOCK
                project((grid,), (BLOCK,), (np.int64(row), *dev.args(), wgt))
        elif d <= 32:
            width = 1 << (d - 1).bit_length()
            grid = ((L // d) * width + BLOCK - 1) // BLOCK
            fn = self.module.get_function("octk_lanes_group")
            fn((grid,), (BLOCK,), (*steps, *dev.args()))
        else:
            per = (d + BLOCK - 1) // BLOCK
            nrm2 = cupy.zeros(L // d, dtype=self.dtype)
            step = self.module.get_function("octk_ball_step")
            finish = self.module.get_function("octk_ball_finish")
            cks = list(dev.arrays["CK_T"].get() if ck_t is None else ck_t)
            k = 0
            for t in range(t0, t1 + 1):
                nrm2.fill(0)
                step(((L // d) * per,), (BLOCK,), (np.int64(t), *dev.args(), nrm2))
                row = k if k < len(cks) and cks[k] == t else -1
                k += row >= 0
                finish(((L + BLOCK - 1) // BLOCK,), (BLOCK,), (np.int64(row), *dev.args(), nrm2))

    def __call__(self, lanes, t0: int, t1: int, k0: int) -> None:
        k1 = int(np.searchsorted(lanes.ck_t, t1, side="right"))
        dev = DeviceLanes.upload(lanes, self.dtype, k0, k1)
        self.launch(dev, t0, t1, ck_t=lanes.ck_t[k0:k1])
        dev.download(lanes, k0, k1)


class CupyBackend:
    """The generated CUDA kernels on a GPU (see the module doc)."""

    name = "cupy"
    dtypes = DTYPES

    def __init__(self):
        why = device_error()
        if why is not None:
            raise BackendUnavailableError(why)

    def source(self, prog: StepProgram, domain, dtype: str = "float64") -> str:
        return memo.source(kernel_source, prog, domain, dtype=dtype)

    def compile(self, prog: StepProgram, domain, dtype: str = "float64") -> CupyKernel:
        return CupyKernel(self.source(prog, domain, dtype), domain, dtype)


__all__ = ["NVRTC_OPTIONS", "CupyBackend", "CupyKernel", "DeviceLanes", "device_error"]
