r"""The :class:`Domain` base: what a feasible set F owns, its registry and its spec parser.

A domain is one file in this package: a subclass of :class:`Domain` with a
``kind`` registers itself (``__init_subclass__``) and the package imports every
module in it, so a new domain touches no other file. A domain owns

* its spec (``kind:ARG;ARG;option=value``), parsing and validation;
* ``project(y, weights)`` in NumPy, rows = configurations: the Euclidean
  projection Π_F(y) = argmin_{x∈F} ‖x − y‖₂ (``weights=None``) or RKK's weighted
  projection Π_{F,√V}(y) = argmin_{x∈F} ‖V^{1/4}(x − y)‖₂ with diagonal weights
  w = √V (Reddi, Kale & Kumar 2018, Algorithms 1 and 2);
* ``contains``, ``diameter(d) -> (D, D∞)``, ``coordinate_widths(d)`` (the extent
  along each coordinate, whose maximum is D∞), ``coordinate_bound(d)`` = sup_{x∈F} ‖x‖∞;
* the comparator pieces: the closed-form minimum of a linear loss over F and
  the cvxpy constraints of the general comparator;
* the code a generated kernel runs for its projection (:class:`KernelProjection`);
* ``analysis_projection(adaptive)``: whether the simulated projection is the one
  the regret analyses assume (Π_{F,√V_t} for adaptive methods, Euclidean for OGD).

**The projection weights.** Where a domain's projection is weighted, the step
program computes per coordinate w_{t,i} = 1/η_{t,i}, η_t the rule's effective
step (:meth:`octk.rules.Rule.effective_step`, ∂δ_t/∂M_t, read from the program).
RKK's √V_t equals 1/η_t up to a per-step, per-configuration scalar (α_t), which
does not change the argmin. Before projecting, both the NumPy and the kernel
code apply one stated rule (:func:`guard_weights`): the weights are divided by
the configuration's largest finite positive weight, and every weight that is
not finite and positive (0 before the first non-zero gradient, ∞, NaN) becomes
1, the largest; if none is valid all weights are 1, the Euclidean projection.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from octk.errors import ParameterError, check_choice, unknown_name

PROJECTIONS = ("weighted", "euclidean")


@dataclass(frozen=True)
class CudaProjection:
    """How the generated CUDA kernels (``cupy``, ``cuda-host``) project: C++ next to the
    Numba routine in the domain's file; :mod:`octk.backends.cuda_source` picks the layout.

    lane : the body of ``octk_project(octk_lane& ln, real xh, real nrm2)``, setting
        ``ln.x`` = x_{t+1} from ``xh`` = x̂_{t+1} with the lane's ``ln.lo``, ``ln.hi``
        (layout ``lane``: lanes independent, or ``norm`` where ``needs_norm``).
    needs_norm : the lane body reads ``nrm2`` = Σ_i x̂_i² of the configuration (the
        kernels reduce it over a warp group or a block).
    group : ``(name, source)``: ``source`` defines ``__host__ __device__`` routines, and
        ``name(real* x, const real* lo, const real* hi, real* w, long long n)`` projects
        one configuration's n coordinates in place (``w``: the weights 1/η_t where the
        domain reads them) -- the C++ twin of :attr:`KernelProjection.group`, the same
        algorithm and summation order (layout ``group``: one thread per configuration).
    """

    lane: str = ""
    needs_norm: bool = False
    group: tuple[str, str] | None = None

    @property
    def layout(self) -> str:
        """``"group"``, ``"norm"`` or ``"lane"`` (see the fields)."""
        return "group" if self.group is not None else "norm" if self.needs_norm else "lane"


# The C++ twin of guard_weights (below) for the CUDA group routines: one configuration.
# A weight is valid where it is finite and positive: w > 0 and w − w = 0 (∞ − ∞ is NaN).
GUARD_WEIGHTS_CUDA = """__host__ __device__ inline void octk_guard_weights(real* w, long long n) {
    real wmax = 0;
    for (long long j = 0; j < n; ++j)
        if (w[j] > 0 && w[j] - w[j] == 0 && w[j] > wmax) wmax = w[j];
    for (long long j = 0; j < n; ++j)
        w[j] = (wmax > 0 && w[j] > 0 && w[j] - w[j] == 0) ? w[j] / wmax : (real)1;
}"""


@dataclass(frozen=True)
class KernelProjection:
    """How a generated kernel projects x̂_{t+1} onto F (no backend inspects the domain's type).

    lane : a statement run per lane on ``xn`` (x̂_{t+1}) with the lane's domain
        parameters ``lo[j]``, ``hi[j]`` (:meth:`Domain.lane_bounds`), for domains
        that project coordinatewise; ``""`` for none.
    group : ``(name, functions)``: after the lane loop, ``name(x, lo, hi, w)``
        projects one configuration's d coordinates in place (views of length d;
        ``w`` holds the weights 1/η_t where :attr:`Domain.reads_weights`).
        ``functions`` are plain-Python functions whose source the Numba kernel
        pastes under ``@njit``: the kernel file, hashed by its source, carries the
        routine with it, and the domain module needs no Numba import.
    cuda : the same projection for the CUDA kernels (:class:`CudaProjection`); None:
        the CUDA backends refuse the domain, naming it.
    """

    lane: str = ""
    group: tuple[str, tuple[Callable, ...]] | None = None
    cuda: CudaProjection | None = None

    def numba_source(self) -> str:
        """The group routines' source, each under ``@njit`` (empty without a group)."""
        if self.group is None:
            return ""
        deco = "@njit(cache=True, fastmath=False, error_model='numpy', nogil=True, inline='always')"
        return "\n\n".join(deco + "\n" + inspect.getsource(f) for f in self.group[1])


class Domain(ABC):
    """A closed convex feasible set F ⊂ R^d (see the module docstring).

    Class attributes a subclass sets: ``kind`` (the spec's name; registers it),
    ``usage`` (one line for ``octk list domains`` and the CLI help), ``examples``
    (specs the registry-walked tests run on), ``options`` (option name → allowed
    values, first the default) and ``separable`` (F is a product of intervals, so
    a separable problem over F splits into one problem per coordinate).
    """

    REGISTRY: ClassVar[dict[str, type[Domain]]] = {}
    kind: ClassVar[str]
    usage: ClassVar[str]
    examples: ClassVar[tuple[str, ...]]
    options: ClassVar[dict[str, tuple[str, ...]]] = {}
    separable: ClassVar[bool] = False

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if "kind" in cls.__dict__:
            Domain.REGISTRY[cls.kind] = cls

    # -- spec ------------------------------------------------------------------
    @classmethod
    @abstractmethod
    def from_spec(cls, args: list[str], options: dict[str, str], spec: str) -> Domain:
        """The domain from its spec's positional ``args`` and checked ``options``."""

    @abstractmethod
    def spec(self) -> str:
        """The spec string that rebuilds this domain."""

    def dim(self) -> int | None:
        """The dimension the domain fixes (None: any)."""
        return None

    # -- geometry ----------------------------------------------------------------
    @abstractmethod
    def project(self, y: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Π_F(y) (``weights`` None) or Π_{F,√V}(y) with w = √V, over the last axis."""

    @abstractmethod
    def contains(self, y: np.ndarray, tol: float = 0.0) -> bool:
        """Whether every row of ``y`` lies in F (up to ``tol``)."""

    @abstractmethod
    def diameter(self, d: int) -> tuple[float, float]:
        """(D, D∞) = (sup ‖x − y‖₂, sup ‖x − y‖∞) over x, y ∈ F ⊂ R^d."""

    @abstractmethod
    def coordinate_widths(self, d: int) -> np.ndarray:
        """(d,) the extent of F along each coordinate, sup_{x,y∈F} |x_i − y_i| (max: D∞)."""

    @abstractmethod
    def coordinate_bound(self, d: int) -> float:
        """sup_{x∈F} ‖x‖∞ (inf if F is unbounded)."""

    # -- kernels -----------------------------------------------------------------
    @abstractmethod
    def lane_bounds(self, d: int) -> tuple[np.ndarray, np.ndarray]:
        """(lo, hi), each (d,): the per-coordinate parameters a kernel's projection reads."""

    @abstractmethod
    def kernel_projection(self) -> KernelProjection:
        """The projection code of generated kernels (see :class:`KernelProjection`)."""

    @property
    def reads_weights(self) -> bool:
        """Whether the simulated projection reads the weights 1/η_t (Π_{F,√V})."""
        return False

    @abstractmethod
    def analysis_projection(self, adaptive: bool) -> tuple[bool, str]:
        """(is the simulated projection the analysis's?, a one-line reason).

        The analyses assume Π_{F,√V_t} for adaptive methods (RKK 2018, Algorithms
        1–2; K&B 2015 §4) and the Euclidean Π_F for online gradient descent
        (Zinkevich 2003).
        """

    # -- comparator ----------------------------------------------------------------
    @abstractmethod
    def min_linear(self, S: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """min_{x∈F} S·x over the last axis, vectorised: (x*, value, status).

        Unbounded: x* = nan, value −inf, status ``"unbounded"``.
        """

    @abstractmethod
    def cvxpy_constraints(self, x: Any, d: int) -> list:
        """The constraints x ∈ F of a cvxpy variable ``x`` of length d."""

    @abstractmethod
    def key(self, d: int) -> tuple:
        """A hashable key: equal keys give the same cvxpy problem in dimension d."""

    def __repr__(self) -> str:
        return f"domain({self.spec()!r})"


# --------------------------------------------------------------------------- helpers
def optimal(shape: int | tuple[int, ...]) -> np.ndarray:
    """A status array of ``"optimal"`` (the comparator's status dtype)."""
    return np.full(shape, "optimal", dtype="<U18")


class ProjectionChoice:
    """A domain whose projection is a choice: RKK's weighted Π_{F,√V} (``weighted``, the
    default, what the analyses use) or the Euclidean Π_F (``;projection=euclidean``).

    Mixed into a domain dataclass with a ``projection`` field, before :class:`Domain`:
    it gives the ``projection=`` option, whether the kernels read the weights, and the
    spec's suffix.
    """

    projection: str
    options: ClassVar[dict[str, tuple[str, ...]]] = {"projection": PROJECTIONS}

    @property
    def reads_weights(self) -> bool:
        return self.projection == "weighted"

    def projection_suffix(self) -> str:
        return option_suffix(self.projection)


def projection_option(options: dict[str, str]) -> str:
    """The checked ``projection=`` option (default ``weighted``, what the analyses use)."""
    return str(check_choice("projection", options.get("projection", "weighted"), PROJECTIONS))


def option_suffix(projection: str) -> str:
    """``;projection=euclidean`` where it is not the default, for ``spec()``."""
    return "" if projection == "weighted" else f";projection={projection}"


def guard_weights_np(w: np.ndarray) -> np.ndarray:
    """The weights rule of the module docstring, rows = configurations (NumPy)."""
    w = np.asarray(w, dtype=np.float64)
    ok = np.isfinite(w) & (w > 0)
    wmax = np.max(np.where(ok, w, 0.0), axis=-1, keepdims=True)
    safe = np.where(wmax > 0, wmax, 1.0)
    return np.where(ok & (wmax > 0), w / safe, 1.0)


def guard_weights(w: np.ndarray) -> None:
    """The weights rule of the module docstring for one configuration, in place (kernels)."""
    wmax = 0.0
    for j in range(w.shape[0]):
        if w[j] > 0 and w[j] < np.inf and w[j] > wmax:
            wmax = w[j]
    for j in range(w.shape[0]):
        if wmax > 0 and w[j] > 0 and w[j] < np.inf:
            w[j] = w[j] / wmax
        else:
            w[j] = 1.0


def domain(spec: object) -> Domain:
    """A domain from its spec (``box:-1,1``, ``reals``, ``ball:2;projection=euclidean``) or object.

    The spec is ``KIND``, then ``:`` and ``;``-separated parts: positional
    arguments, and ``name=value`` options (each domain lists its ``options``).
    """
    if isinstance(spec, Domain):
        return spec
    if not isinstance(spec, str):
        raise ParameterError(f"domain must be a string like 'box:-1,1'; got {spec!r}")
    text = spec.strip()
    kind = text.split(":", 1)[0].split(";", 1)[0].strip()
    rest = text[len(kind) :].lstrip().lstrip(":;")
    if kind not in Domain.REGISTRY:
        raise unknown_name("domain", kind, Domain.REGISTRY)
    cls = Domain.REGISTRY[kind]
    if not rest.strip() and text != kind:  # 'box:' is a spec cut short, not the default
        raise ParameterError(
            f"domain {spec!r} has nothing after {text[len(kind) :].strip()!r}; write "
            f"{kind!r} alone for its defaults, or e.g. {cls.examples[0]!r}"
        )
    parts = [p.strip() for p in rest.split(";")] if rest else []
    args = [p for p in parts if p and "=" not in p]
    options: dict[str, str] = {}
    for p in parts:
        if "=" in p:
            name, _, value = p.partition("=")
            name = name.strip()
            if not cls.options:
                raise ParameterError(f"domain {kind!r} takes no options; got {p!r} in {spec!r}")
            if name not in cls.options:
                raise unknown_name(f"option of domain {kind!r}", name, cls.options)
            options[name] = value.strip()
    return cls.from_spec(args, options, spec)
