r"""The run quantities a bound is evaluated at, measured on a trajectory.

Every symbol of :mod:`octk.theorems.quantities` gets a value per configuration and
checkpoint, shape (C, K), from the :class:`~octk.trajectory.Trajectory`'s monitors
(:func:`bound_monitors`) and its :class:`~octk.regret.Regret`:

* Σ_i ‖g_{1:T,i}‖₂ from Σ_t g_{t,i}²; Σ_i √v̂_{T,i} from v̂_{T,i} (the rule's second
  moment, :func:`octk.rules.anatomy.second_moment`); RKK's middle sum
  Σ_t Σ_i β1,t v̂_{t,i}^{1/2}/α_t (β1,t, α_t read from the rule), 0 for a rule without a
  first moment (β1,t = 0); a sum whose monitor the run lacks is NaN;
* constants: G∞ is the sequence's declared gradient bound with ``constants="declared"``
  (the default), else the observed max_{t≤T} |g_{t,i}| (``constants="observed"``, the
  tightest constant that makes the hypothesis true on the run); both are reported. D
  and D∞ are the domain's diameters, or the observed max_{t≤T} ‖x_t − x*_T‖ (∞-norm
  exact; the ℓ2 one is the upper estimate (Σ_i max_t (x_{t,i} − x*_i)²)^{1/2}, exact for
  d = 1). The observed G is (Σ_i max_t g_{t,i}²)^{1/2} ≥ max_t ‖g_t‖₂.

The trivial bound (:func:`trivial_bound`) is what no algorithm's regret exceeds on the run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike, NDArray

from octk.domains import Domain
from octk.domains import domain as make_domain
from octk.errors import ParameterError
from octk.monitors import Monitor, gamma_monitors, last, running_max, running_min, running_sum
from octk.rules import Rule
from octk.rules.anatomy import anatomy
from octk.sequences import Sequence
from octk.symbols import g, x
from octk.theorems import quantities as Q
from octk.trajectory import Trajectory

if TYPE_CHECKING:
    from octk.regret import Regret

#: a reported constant: per configuration (C,), one number, unknown (None) or a word
Constant = NDArray[np.float64] | float | str | None

NEEDED = ("sum_g2", "sum_abs_g", "max_abs_g", "x_min", "x_max")


def bound_monitors(rule: Rule) -> tuple[Monitor, ...]:
    """The monitors every bound reads (one set, so one kernel per run).

    ``sum_g2`` Σ_t g_{t,i}², ``sum_abs_g`` Σ_t |g_{t,i}|, ``max_abs_g`` max_t |g_{t,i}|,
    ``x_min``/``x_max`` the range of the played x_{t,i}; where the rule has a second
    moment v̂_t under a square root,
    ``vhat_T`` (v̂_{t,i} at the checkpoint) and, with a first moment, ``mid_sum``
    Σ_t β1,t v̂_{t,i}^{1/2}/α_t (RKK Theorem 4's middle sum); and the Γ monitors
    (:func:`octk.monitors.gamma_monitors`). v̂_t, β1,t and α_t are read from the rule's
    program (:func:`octk.rules.anatomy.anatomy`).
    """
    mons = [
        running_sum("sum_g2", g**2, "Σ_t g_{t,i}²"),
        running_sum("sum_abs_g", sp.Abs(g), "Σ_t |g_{t,i}| (the trivial bound)"),
        running_max("max_abs_g", sp.Abs(g), "max_t |g_{t,i}|"),
        running_min("x_min", x, "min_t x_{t,i} (played)"),
        running_max("x_max", x, "max_t x_{t,i} (played)"),
    ]
    a = anatomy(rule)
    if a.vhat is not None:
        mons.append(last("vhat_T", a.vhat, "v̂_{t,i} at the step"))
        if a.beta1_t is not None and a.alpha_t is not None:
            mid = a.beta1_t * sp.sqrt(a.vhat) / a.alpha_t
            mons.append(running_sum("mid_sum", mid, "Σ_t β1,t v̂^{1/2}/α_t"))
    try:
        mons += list(gamma_monitors(rule))
    except ParameterError:
        pass
    return tuple(mons)


def declared_gradient_bound(sequence: Sequence, domain: Domain, d: int) -> float | None:
    """G∞ ≥ sup |∇f_t(x)_i| over x ∈ F from the sequence's declared bound (None: unknown).

    The loss owns it (:meth:`octk.sequences.Sequence.gradient_bound`): linear, sup |s|;
    quadratic, 2(sup_F |x_i| + sup |s|) on a bounded F; absolute, 1.
    """
    return sequence.gradient_bound(domain, d)


def coordinate_widths(domain: Domain, d: int) -> NDArray[np.float64]:
    """(d,) an upper bound on F's extent along each coordinate, sup_{x,y∈F} |x_i − y_i|.

    A product of intervals (``domain.separable``): hi_i − lo_i of its intervals; any other
    F: its ℓ∞ diameter D∞ (|x_i − y_i| ≤ ‖x − y‖∞), exact for the ball (2r) and the
    simplex.
    """
    if domain.separable:
        lo, hi = domain.lane_bounds(d)
        return np.asarray(hi, dtype=np.float64) - np.asarray(lo, dtype=np.float64)
    return np.full(d, float(domain.diameter(d)[1]))


def trivial_bound(
    widths: NDArray[np.float64],
    abs_sums: NDArray[np.float64],
    T: ArrayLike,
    G: NDArray[np.float64],
    D: NDArray[np.float64],
) -> NDArray[np.float64]:
    r"""The regret no algorithm exceeds on the run: min(Σ_i w_i Σ_{t≤T} |g_{t,i}|, T·G·D).

    For convex f_t with g_t = ∇f_t(x_t), f_t(x_t) − f_t(x*) ≤ ⟨g_t, x_t − x*⟩, and

        ⟨g_t, x_t − x*⟩ ≤ Σ_i |g_{t,i}| |x_{t,i} − x*_i| ≤ Σ_i |g_{t,i}| w_i
        ⟨g_t, x_t − x*⟩ ≤ ‖g_t‖₂ ‖x_t − x*‖₂ ≤ G·D,

    summed over t ≤ T. ``widths`` w_i: F's extent in coordinate i
    (:func:`coordinate_widths`; with observed constants the observed
    max_{t≤T} |x_{t,i} − x*_i|), shape (d,) or (C, K, d); ``abs_sums``: Σ_{t≤T} |g_{t,i}|,
    (C, K, d); ``T`` (K,) or (1, K); ``G``, ``D`` (C, K). The first form is at most
    T·G∞·Σ_i w_i (for linear losses on [−1, 1]^d: 2d·G∞·T, the worst case over sequences
    with |g_{t,i}| ≤ G∞) and is the smaller on a box; the second is at most the first's
    worst case on a ball. A right-hand side at or above it cannot fail on this run: the
    bound is *vacuous* there.
    """
    with np.errstate(invalid="ignore"):
        per_coord = np.where(abs_sums == 0, 0.0, widths * abs_sums).sum(axis=-1)
        return np.fmin(per_coord, np.asarray(T, dtype=np.float64) * G * D)


@dataclass(frozen=True, eq=False)
class RunQuantities:
    """The values of :mod:`octk.theorems.quantities` on a run, with the constants used.

    ``values``: theorem symbol -> array broadcastable to (C, K) (hyperparameters (C, 1));
    ``constants``: the reported constants (``G∞ (used)``, ``G∞ declared``, ...);
    ``gamma``: ``count``, ``first``, ``min`` (C,) of the Γ monitors (NaN without them);
    ``trivial``: (C, K) :func:`trivial_bound`; ``mode``: ``declared`` or ``observed``.
    """

    C: int
    K: int
    d: int
    t: NDArray[np.float64]
    values: dict[sp.Symbol, NDArray[np.float64] | int]
    constants: dict[str, Constant]
    gamma: dict[str, NDArray[np.float64]]
    trivial: NDArray[np.float64]
    mode: str
    params: dict[str, NDArray[np.float64]]


def measure(traj: Trajectory, reg: Regret, constants: str) -> RunQuantities:
    """The run quantities of ``traj`` (run with :func:`bound_monitors`) and its regret ``reg``."""
    rule, seq, dom = traj.rule, traj.sequence, make_domain(traj.domain)
    mon = traj.monitors
    missing = [n for n in NEEDED if n not in mon]
    if missing:
        raise ParameterError(
            f"the trajectory lacks the monitors {missing}; run simulate(..., "
            "monitors=octk.bounds.bound_monitors(rule)) or use octk.bounds.check"
        )
    C, K, d = traj.n_configs, len(traj.t), traj.d
    shape = (C, K)
    t = np.asarray(traj.t, dtype=np.float64)
    params = {n: np.asarray(v, dtype=np.float64)[:, None] for n, v in traj.params.items()}
    S = np.sqrt(mon["sum_g2"]).sum(axis=2)
    nan = np.full(shape, np.nan)
    sqrt_v = np.sqrt(np.maximum(mon["vhat_T"], 0.0)).sum(axis=2) if "vhat_T" in mon else nan
    if "mid_sum" in mon:
        mid = mon["mid_sum"].sum(axis=2)
    else:
        mid = np.zeros(shape) if anatomy(rule).beta1_t is None else nan
    gmax = mon["max_abs_g"]  # (C, K, d)
    ginf_obs = gmax.max(axis=2)
    g_obs = np.sqrt((gmax * gmax).sum(axis=2))
    ginf_decl = declared_gradient_bound(seq, dom, d)
    D_dom, Dinf_dom = dom.diameter(d)
    xs = reg.x_star  # (C, K, d)
    with np.errstate(invalid="ignore"):
        dev = np.maximum(np.abs(xs - mon["x_min"]), np.abs(mon["x_max"] - xs))
    dinf_obs = dev.max(axis=2)
    d_obs = np.sqrt((dev * dev).sum(axis=2))
    if constants == "declared":
        Ginf = np.full(shape, ginf_decl) if ginf_decl is not None else ginf_obs
        G = np.full(shape, math.sqrt(d) * ginf_decl) if ginf_decl is not None else g_obs
        D, Dinf = np.full(shape, D_dom), np.full(shape, Dinf_dom)
        widths = coordinate_widths(dom, d)
    else:
        Ginf, G, D, Dinf = ginf_obs, g_obs, d_obs, dinf_obs
        widths = dev
    values = {
        Q.T: t[None, :],
        Q.d: d,
        Q.D: D,
        Q.Dinf: Dinf,
        Q.Ginf: Ginf,
        Q.G: G,
        Q.Sgnorm: S,
        Q.Svhat: sqrt_v,
        Q.Smid: mid,
        Q.Xinf: dinf_obs,
    }
    consts = {
        "G∞ (used)": Ginf[:, -1],
        "G∞ declared": ginf_decl,
        "G∞ observed": ginf_obs[:, -1],
        "G (used)": G[:, -1],
        "G observed": g_obs[:, -1],
        "D (used)": D[:, -1],
        "D∞ (used)": Dinf[:, -1],
        "D domain": D_dom,
        "D∞ domain": Dinf_dom,
        "D∞ observed": dinf_obs[:, -1],
        "constants": constants,
    }
    if "gamma_neg" in mon:
        first = mon["gamma_first"][:, -1, :]
        first = np.where(first > 0, first, np.inf).min(axis=1)
        gamma = {
            "count": mon["gamma_neg"][:, -1, :].sum(axis=1),
            "first": np.where(np.isfinite(first), first, 0.0),
            "min": mon["gamma_min"][:, -1, :].min(axis=1),
        }
    else:
        gamma = {k: np.full(C, np.nan) for k in ("count", "first", "min")}
    trivial = trivial_bound(widths, mon["sum_abs_g"], t[None, :], G, D)
    return RunQuantities(C, K, d, t, values, consts, gamma, trivial, constants, params)


__all__ = [
    "Constant",
    "RunQuantities",
    "bound_monitors",
    "coordinate_widths",
    "declared_gradient_bound",
    "measure",
    "trivial_bound",
]
