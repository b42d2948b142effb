"""Interchangeable simulators of a :class:`~octk.backends.program.StepProgram`.

``reference`` (NumPy, the oracle), ``numba`` (generated ``@njit`` kernels,
cached on disk), ``cupy`` (generated CUDA kernels on a GPU, optional) and
``cuda-host`` (the very CUDA kernel text compiled for the CPU: how CI checks it).
Each exposes ``compile(program, domain) -> kernel`` with
``kernel(lanes, t0, t1, k0)`` advancing the lanes from step t0 to t1 in place;
those listing ``dtypes`` take ``compile(program, domain, dtype=...)`` too.

``auto`` is not a simulator but a choice made per run by :func:`resolve_backend`.
"""

from __future__ import annotations

import inspect

from octk.errors import BackendUnavailableError, ParameterError, unknown_name

BACKENDS = {
    "auto": "cupy when CuPy sees a GPU and the run is large enough, else numba (octk.simulate's "
    "default)",
    "reference": "NumPy evaluation of the SymPy program, step by step: the oracle; float32 option",
    "numba": "generated @njit kernel (parallel over configurations), cached on disk; float32 "
    "option",
    "cupy": "generated CUDA kernel on a GPU via CuPy (pip install 'octk[gpu]'); float32 option",
    "cuda-host": "the generated CUDA kernel compiled for the CPU with g++ (checks the GPU "
    "kernel without a GPU); float32 option",
}
DTYPES = ("float64", "float32")
#: the backends that compute in float32 too (``dtypes`` of their classes)
FLOAT32_BACKENDS = ("reference", "numba", "cupy", "cuda-host")
# lane-steps (C·d·T) from which 'auto' sends a run to the GPU: about a second of numba on a
# few cores, where a GPU's start-up (NVRTC compile, transfers) is paid back. A judgement, not
# a measurement: no GPU has run octk yet (benchmarks/gpu_check.py's sweep will tell).
AUTO_GPU_WORK = 2**32

_instances: dict[tuple, object] = {}


def backend_choices() -> tuple[str, ...]:
    """The names a ``--backend`` option accepts (``auto`` first)."""
    return tuple(BACKENDS)


def get_backend(name, **options):
    """The backend called ``name``, built with ``options`` (imported on first use), or
    ``name`` itself where it is a backend object already. ``auto`` is numba here (the
    choice per run is :func:`resolve_backend`'s).

    ``options`` are the parameters of the backend's class, e.g. ``parallel`` of
    :class:`~octk.backends.numba_backend.NumbaBackend`:
    ``get_backend("numba", parallel=False)`` compiles serial kernels.
    """
    if not isinstance(name, str):
        if options:
            raise ParameterError("backend options go with a backend name, not a backend object")
        return name
    if name == "auto":
        return get_backend(resolve_backend("auto"), **options)
    key = (name, *sorted(options.items()))
    if key in _instances:
        return _instances[key]
    if name == "reference":
        from octk.backends.reference import ReferenceBackend

        be = _build(name, ReferenceBackend, options)
    elif name == "numba":
        try:
            from octk.backends.numba_backend import NumbaBackend
        except ImportError as e:  # pragma: no cover - numba is a hard dependency
            raise BackendUnavailableError(
                f"backend 'numba' needs numba: pip install numba ({e})"
            ) from e
        be = _build(name, NumbaBackend, options)
    elif name == "cupy":
        from octk.backends.cupy_backend import CupyBackend

        be = _build(name, CupyBackend, options)
    elif name == "cuda-host":
        from octk.backends.cuda_host import CudaHostBackend

        be = _build(name, CudaHostBackend, options)
    else:
        raise unknown_name("backend", name, BACKENDS)
    _instances[key] = be
    return be


def gpu_available() -> bool:
    """Whether CuPy imports and sees at least one CUDA device."""
    from octk.backends.cupy_backend import device_error

    return device_error() is None


def resolve_backend(name, *, work: int = 0, dtype: str = "float64"):
    """The backend that runs: ``name`` itself (a name, or a backend object), or for
    ``auto`` the GPU when one is visible and the run has ≥ ``AUTO_GPU_WORK``
    lane-steps, else numba (in either dtype)."""
    if not isinstance(name, str):
        return name
    if name not in BACKENDS:
        raise unknown_name("backend", name, BACKENDS)
    if name != "auto":
        return name
    if work >= AUTO_GPU_WORK and gpu_available():
        return "cupy"
    return "numba"


def dtype_name(dtype) -> str:
    """``dtype`` (a name or a NumPy dtype) as a name in :data:`DTYPES`; else ParameterError."""
    import numpy as np

    try:
        name = np.dtype(dtype).name if dtype is not None else None
    except TypeError:
        name = None
    if name not in DTYPES:
        raise ParameterError(f"dtype must be one of 'float64', 'float32'; got {dtype!r}")
    return name


def check_dtype(backend, dtype) -> str:
    """``dtype`` as a name in :data:`DTYPES`, supported by ``backend``; else ParameterError."""
    name = dtype_name(dtype)
    allowed = getattr(backend, "dtypes", ("float64",))
    if name not in allowed:
        having = [n for n in BACKENDS if n in FLOAT32_BACKENDS]
        raise ParameterError(
            f"dtype={name!r} runs on backends {', '.join(having)}; backend "
            f"{backend.name!r} computes in {', '.join(allowed)} only"
        )
    return name


def _build(name: str, cls, options: dict):
    """``cls(**options)``; an option the backend lacks is named with those it has."""
    known = [p for p in inspect.signature(cls).parameters if p != "self"]
    for option in options:
        if option not in known:
            has = f"its options: {', '.join(known)}" if known else "it takes none"
            raise ParameterError(f"backend {name!r} has no option {option!r} ({has})")
    return cls(**options)


__all__ = [
    "AUTO_GPU_WORK",
    "BACKENDS",
    "DTYPES",
    "backend_choices",
    "check_dtype",
    "dtype_name",
    "get_backend",
    "gpu_available",
    "resolve_backend",
]
