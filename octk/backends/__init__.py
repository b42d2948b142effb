"""Interchangeable simulators of a :class:`~octk.backends.program.StepProgram`.

``reference`` (NumPy, the oracle), ``numba`` (generated ``@njit`` kernels,
cached on disk) and ``cupy`` (generated CUDA kernels, optional). Each exposes
``compile(program, domain) -> kernel`` with ``kernel(lanes, t0, t1, k0)``
advancing the lanes from step t0 to t1 in place.
"""

from __future__ import annotations

import inspect

from octk.errors import BackendUnavailableError, ParameterError, unknown_name

BACKENDS = {
    "reference": "NumPy evaluation of the SymPy program, step by step: the oracle",
    "numba": "generated @njit kernel (parallel over configurations), cached on disk",
}

_instances: dict[tuple, object] = {}


def get_backend(name, **options):
    """The backend called ``name``, built with ``options`` (imported on first use), or
    ``name`` itself where it is a backend object already.

    ``options`` are the parameters of the backend's class, e.g. ``parallel`` of
    :class:`~octk.backends.numba_backend.NumbaBackend`:
    ``get_backend("numba", parallel=False)`` compiles serial kernels.
    """
    if not isinstance(name, str):
        if options:
            raise ParameterError("backend options go with a backend name, not a backend object")
        return name
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
    else:
        raise unknown_name("backend", name, BACKENDS)
    _instances[key] = be
    return be


def _build(name: str, cls, options: dict):
    """``cls(**options)``; an option the backend lacks is named with those it has."""
    known = [p for p in inspect.signature(cls).parameters if p != "self"]
    for option in options:
        if option not in known:
            has = f"its options: {', '.join(known)}" if known else "it takes none"
            raise ParameterError(f"backend {name!r} has no option {option!r} ({has})")
    return cls(**options)


__all__ = ["BACKENDS", "get_backend"]
