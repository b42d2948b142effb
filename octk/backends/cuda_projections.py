r"""The projections Π_F of the CUDA kernels: read from the domain, printed as C++.

The math lives in the domain's file: :meth:`octk.domains.Domain.kernel_projection`
returns a :class:`~octk.domains.base.CudaProjection` (its ``cuda`` field) beside the
Numba routine, so a new domain is still one file. Here it is only printed:

* layout ``lane`` (box, R^d) and ``norm`` (the Euclidean ball): the body of

      __host__ __device__ void octk_project(octk_lane& ln, real xh, real nrm2)

  which sets ``ln.x`` = x_{t+1} from ``xh`` = x̂_{t+1} (``nrm2`` = Σ_i x̂_i² of the
  configuration, reduced by the kernels where ``needs_norm``);
* layout ``group`` (RKK's weighted ball, the simplex): the domain's
  ``__host__ __device__`` routines, whose entry projects one configuration in place
  from x̂, the lane bounds and the weights 1/η_t (see cuda_source.py's group kernels).

A domain without a ``cuda`` record raises a :class:`~octk.errors.ParameterError`
naming it and the domains these backends run (walked from the registry).
"""

from __future__ import annotations

from octk.domains.base import CudaProjection
from octk.errors import ParameterError


def supported_kinds() -> tuple[str, ...]:
    """The registered domain kinds whose examples all have a CUDA projection."""
    from octk.domains import Domain, domain

    return tuple(
        kind
        for kind, cls in Domain.REGISTRY.items()
        if all(domain(s).kernel_projection().cuda is not None for s in cls.examples)
    )


def projection(domain) -> CudaProjection:
    """The CUDA projection of ``domain``, or a clear error naming what is supported."""
    cuda = domain.kernel_projection().cuda
    if cuda is None:
        raise ParameterError(
            f"domain {domain.spec()!r} has no CUDA projection, so it does not run on the CUDA "
            f"backends (cuda-host, cupy); they run: {', '.join(supported_kinds())}. Use "
            "backend 'numba' or 'reference'"
        )
    return cuda


def supports(domain) -> bool:
    """Whether the CUDA backends can project onto ``domain``."""
    return domain.kernel_projection().cuda is not None


def project_function(domain) -> str:
    """The C++ of ``domain``'s projection: ``octk_project`` (lane, norm) or the group
    routines (group)."""
    proj = projection(domain)
    if proj.group is not None:
        return proj.group[1]
    return (
        "__host__ __device__ __forceinline__ void octk_project(octk_lane& ln, real xh, "
        "real nrm2) {\n"
        f"    (void)nrm2;\n{proj.lane}\n}}"
    )


__all__ = ["project_function", "projection", "supported_kinds", "supports"]
