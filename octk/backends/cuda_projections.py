r"""The projections Π_F of the CUDA kernels, one C++ snippet per domain kind.

This is the one place where the CUDA backends (``cuda-host`` and ``cupy``) know a
domain: :data:`PROJECTIONS` maps ``domain.kind`` to a :class:`CudaProjection`,
the body of

    __host__ __device__ void octk_project(octk_lane& ln, real xh, real nrm2)

which sets ``ln.x`` = x_{t+1} from ``xh`` = x̂_{t+1}. The lane's bounds are
``ln.lo``, ``ln.hi`` (the radius R for a ball, see :class:`octk.simulate.Lanes`).

* ``box`` -- the clip x = min(max(x̂, lo), hi), written with selects so that a NaN
  propagates as in NumPy (``fmax`` would drop it);
* ``reals`` -- x = x̂;
* ``ball`` -- x = x̂ · R/‖x̂‖₂ where ‖x̂‖₂ > R: a per-configuration norm
  (``needs_norm``), so the kernels first reduce ``nrm2`` = Σ_i x̂_i² over the
  configuration's lanes (a warp reduction for d ≤ 32, a block reduction beyond).

A domain whose kind is missing here, or whose projection reads the weights
1/η_t (RKK's weighted Π_{F,√V}: ``domain.reads_weights``, the default of a ball
and a simplex), raises a :class:`~octk.errors.ParameterError` naming what these
backends support; the Numba and reference backends run every domain.
"""

from __future__ import annotations

from dataclasses import dataclass

from octk.errors import ParameterError


@dataclass(frozen=True)
class CudaProjection:
    """The C++ body of ``octk_project`` for one domain kind."""

    body: str
    needs_norm: bool = False


PROJECTIONS: dict[str, CudaProjection] = {
    "box": CudaProjection(
        "    real y = (xh < ln.lo) ? ln.lo : xh;\n    ln.x = (y > ln.hi) ? ln.hi : y;"
    ),
    "reals": CudaProjection("    ln.x = xh;"),
    "ball": CudaProjection(
        "    real n = sqrt(nrm2);\n    ln.x = (n > ln.hi) ? xh * (ln.hi / n) : xh;",
        needs_norm=True,
    ),
}


SUPPORTED = "box, reals, ball with projection=euclidean"


def projection(domain) -> CudaProjection:
    """The projection snippet of ``domain`` (by ``domain.kind``), or a clear error."""
    kind = getattr(domain, "kind", type(domain).__name__)
    spec = domain.spec() if hasattr(domain, "spec") else kind
    if kind not in PROJECTIONS or getattr(domain, "reads_weights", False):
        what = "weighted projection Π_{F,√V}" if kind in PROJECTIONS else "domain"
        raise ParameterError(
            f"domain {spec!r} ({what}) is not supported on the CUDA backends (cuda-host, "
            f"cupy); supported: {SUPPORTED}. Use backend 'numba' or 'reference'"
        )
    return PROJECTIONS[kind]


def supports(domain) -> bool:
    """Whether the CUDA backends can project onto ``domain``."""
    try:
        projection(domain)
    except ParameterError:
        return False
    return True


def project_function(domain) -> str:
    """The C++ definition of ``octk_project`` for ``domain``."""
    proj = projection(domain)
    return (
        "__host__ __device__ __forceinline__ void octk_project(octk_lane& ln, real xh, "
        "real nrm2) {\n"
        f"    (void)nrm2;\n{proj.body}\n}}"
    )


__all__ = [
    "PROJECTIONS",
    "SUPPORTED",
    "CudaProjection",
    "project_function",
    "projection",
    "supports",
]
