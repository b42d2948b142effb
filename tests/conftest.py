"""Shared test settings.

Numba kernels compile once per process (about 2 s each). A run of one chunk of
lanes (most tests) gets the serial kernel, which compiles faster (``NumbaBackend``'s
``parallel=None``); ``test_backends_agree`` checks the parallel kernel against the
serial one.
"""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")


def assert_close(a, b, *, rtol=1e-12, what=""):
    """|a − b| ≤ rtol·max(1, |a|, |b|) elementwise: relative, with the domain's unit scale
    standing in where values pass through 0 (iterates of a box [-1, 1] cross it)."""
    import numpy as np

    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert a.shape == b.shape, f"{what}: shapes {a.shape} != {b.shape}"
    both_inf = np.isinf(a) & np.isinf(b) & (np.sign(a) == np.sign(b))
    scale = np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))
    with np.errstate(invalid="ignore"):  # inf − inf where both are the same infinity
        err = np.where(both_inf, 0.0, np.abs(a - b) / scale)
    worst = float(np.nanmax(err)) if err.size else 0.0
    assert np.all(np.isfinite(a) == np.isfinite(b)), f"{what}: non-finite values differ"
    assert worst <= rtol, f"{what}: worst scaled difference {worst:.3e} > {rtol:.0e}"


def fast_backends(dom=None) -> tuple[str, ...]:
    """The backends compared with the reference: numba, and cuda-host (the generated CUDA
    kernel text compiled for the CPU) where a C++ compiler is installed and, given a
    domain, where the CUDA kernels project onto it (``test_cuda_backend`` checks that
    they refuse the others by name)."""
    from octk.backends import get_backend
    from octk.backends.cuda_projections import supports
    from octk.domains import domain
    from octk.errors import BackendUnavailableError

    try:
        get_backend("cuda-host")
    except BackendUnavailableError:
        return ("numba",)
    if dom is not None and not supports(domain(dom)):
        return ("numba",)
    return ("numba", "cuda-host")
