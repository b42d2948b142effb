r"""The ``cuda-host`` backend: the CUDA kernel text, compiled for the CPU and run.

The GPU cannot be reached from CI, so the generated CUDA source itself is
compiled for the host: :func:`~octk.backends.cuda_source.kernel_source` gives the
same text the ``cupy`` backend hands to NVRTC, and a host C++ compiler builds it
with the CUDA qualifiers defined away and the host shim ``octk_host_run`` (which
plays the grid, one lane or configuration after another) into a shared library,
loaded with ctypes:

    g++ -x c++ -std=c++14 -O2 -ffp-contract=off -fPIC -shared

``-ffp-contract=off`` keeps a·b + c two roundings, as NVRTC does with
``--fmad=false`` and as NumPy does, so the results agree with the reference
backend to rounding. The library lives in the kernel cache beside the Numba
kernels (``$OCTK_CACHE_DIR``), named by the hash of source and flags, so a
second process does not recompile. ``$CXX`` picks another compiler.

``dtype="float32"`` compiles the kernel with ``real`` = float: the lane arrays
are converted to float32 for the call and back afterwards, and every operation
inside runs in single precision.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess

import numpy as np

from octk.backends import memo
from octk.backends.cuda_source import kernel_source
from octk.backends.numba_backend import cache_dir
from octk.backends.program import StepProgram
from octk.errors import BackendUnavailableError

FLAGS = ("-x", "c++", "-std=c++14", "-O2", "-ffp-contract=off", "-fPIC", "-shared")
DTYPES = ("float64", "float32")
KERNEL_VERSION = "2"

_loaded: dict[str, ctypes.CDLL] = {}


def compiler() -> str:
    """The host C++ compiler: ``$CXX``, else g++, else c++; or BackendUnavailableError."""
    for name in (os.environ.get("CXX"), "g++", "c++"):
        if name and shutil.which(name):
            return name
    raise BackendUnavailableError(
        "backend 'cuda-host' needs a C++ compiler (g++; or set CXX): none was found on PATH"
    )


def build(source: str) -> ctypes.CDLL:
    """Compile ``source`` for the host (cached on disk by hash) and load it."""
    cxx = compiler()
    key = hashlib.sha256("\0".join((KERNEL_VERSION, cxx, *FLAGS, source)).encode()).hexdigest()
    key = key[:20]
    if key in _loaded:
        return _loaded[key]
    d = cache_dir()
    d.mkdir(parents=True, exist_ok=True)
    lib = d / f"octk_cuda_host_{key}.so"
    if not lib.exists():
        # per-process names, then atomic renames: parallel test workers may build the same key
        src = d / f"octk_cuda_host_{key}.cu"
        tmp_src = d / f"octk_cuda_host_{key}.{os.getpid()}.cu"
        tmp = lib.with_suffix(f".{os.getpid()}.tmp")
        tmp_src.write_text(source)
        out = subprocess.run(
            [cxx, *FLAGS, "-o", str(tmp), str(tmp_src)], capture_output=True, text=True, check=False
        )
        os.replace(tmp_src, src)
        if out.returncode != 0:
            raise RuntimeError(f"{cxx} could not compile {src}:\n{out.stderr[-4000:]}")
        os.replace(tmp, lib)
    dll = ctypes.CDLL(str(lib))
    ll, ptr = ctypes.c_longlong, ctypes.c_void_p
    dll.octk_host_run.restype = None
    dll.octk_host_run.argtypes = [ll, ll, ll, *[ptr] * 9, ll, ptr, ptr, ptr, ptr, ll, ll]
    dll.octk_host_uniform.restype = ctypes.c_double
    dll.octk_host_uniform.argtypes = [ctypes.c_ulonglong, ll, ll, ctypes.c_int]
    _loaded[key] = dll
    return dll


def lane_arrays(lanes, dtype: str, xp=np) -> dict:
    """The arrays of ``lanes`` in the order of the kernel's parameters, in ``dtype``.

    ``xp`` is the array module (NumPy here, CuPy for the device): the floating
    arrays become contiguous ``dtype`` arrays of it, the integer ones int64/uint64.
    The hyperparameters and seeds are taken once per configuration (every d-th lane:
    :func:`octk.simulate.prepare` repeats them over the configuration's lanes).
    """
    d = lanes.d

    def real(a):
        return xp.ascontiguousarray(xp.asarray(a, dtype=dtype))

    return {
        "X": real(lanes.x),
        "PAR": real(lanes.par[:, ::d]),
        "SEED": xp.ascontiguousarray(xp.asarray(lanes.seed[::d], dtype=np.uint64)),
        "LO": real(lanes.lo),
        "HI": real(lanes.hi),
        "STATE": real(lanes.state),
        "LOSS": real(lanes.loss),
        "STATS": real(lanes.stats),
        "CK_T": xp.ascontiguousarray(xp.asarray(lanes.ck_t, dtype=np.int64)),
        "CK_X": real(lanes.ck_x),
        "CK_LOSS": real(lanes.ck_loss),
        "CK_STATS": real(lanes.ck_stats),
        "DATA": real(lanes.data),
    }


OUTPUTS = ("x", "state", "loss", "stats", "ck_x", "ck_loss", "ck_stats")


class CudaHostBackend:
    """Runs the CUDA kernel text on the CPU (see the module doc)."""

    name = "cuda-host"
    dtypes = DTYPES

    def __init__(self):
        compiler()  # fail now, with one clear line, where no compiler is installed

    def source(self, prog: StepProgram, domain, dtype: str = "float64") -> str:
        return memo.source(kernel_source, prog, domain, dtype=dtype)

    def compile(self, prog: StepProgram, domain, dtype: str = "float64"):
        fn = build(self.source(prog, domain, dtype)).octk_host_run

        def run(lanes, t0: int, t1: int, k0: int):
            arr = lane_arrays(lanes, dtype)
            p = {k: v.ctypes.data for k, v in arr.items()}
            fn(
                t0, t1, k0,
                p["X"], p["PAR"], p["SEED"], p["LO"], p["HI"],
                p["STATE"], p["LOSS"], p["STATS"], p["CK_T"], len(lanes.ck_t),
                p["CK_X"], p["CK_LOSS"], p["CK_STATS"], p["DATA"], lanes.n_lanes, lanes.d,
            )  # fmt: skip
            for name in OUTPUTS:  # float64 arrays are updated in place already
                target = getattr(lanes, name)
                src = arr[name.upper()]
                if src is not target:
                    target[...] = src

        return run


def uniform_host(seed: int, t: int, i: int, stream: int = 0) -> float:
    """The kernel's ``octk_uniform`` called through the host build (for tests)."""
    from octk.backends.program import lower
    from octk.domains import Reals
    from octk.rules import rule
    from octk.sequences import sequence

    src = kernel_source(lower(rule("ogd"), sequence("uniform")), Reals())
    return build(src).octk_host_uniform(seed, t, i, stream)


__all__ = ["CudaHostBackend", "build", "compiler", "lane_arrays", "uniform_host"]
