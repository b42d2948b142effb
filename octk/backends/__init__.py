"""Interchangeable simulators of a :class:`~octk.backends.program.StepProgram`.

``reference`` (NumPy, the oracle), ``numba`` (generated ``@njit`` kernels,
cached on disk) and ``cupy`` (generated CUDA kernels, optional). Each exposes
``compile(program, domain) -> kernel`` with ``kernel(lanes, t0, t1, k0)``
advancing the lanes from step t0 to t1 in place.
"""

from __future__ import annotations

from octk.errors import BackendUnavailableError, unknown_name

BACKENDS = {
    "reference": "NumPy evaluation of the SymPy program, step by step: the oracle",
    "numba": "generated @njit kernel (parallel over configurations), cached on disk",
}

_instances: dict[str, object] = {}


def get_backend(name: str):
    """The backend called ``name`` (imported on first use)."""
    if name in _instances:
        return _instances[name]
    if name == "reference":
        from octk.backends.reference import ReferenceBackend

        be = ReferenceBackend()
    elif name == "numba":
        try:
            from octk.backends.numba_backend import NumbaBackend
        except ImportError as e:  # pragma: no cover - numba is a hard dependency
            raise BackendUnavailableError(
                f"backend 'numba' needs numba: pip install numba ({e})"
            ) from e
        be = NumbaBackend()
    else:
        raise unknown_name("backend", name, BACKENDS)
    _instances[name] = be
    return be


__all__ = ["BACKENDS", "get_backend"]
