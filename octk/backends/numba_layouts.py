r"""How the Numba backend lays a run's lanes out in chunks, chosen per run.

A run has C configurations of dimension d, L = C·d lanes (configuration-major:
lane = c·d + i). Three layouts; :func:`plan_for` picks one (the rule below), and
:class:`KernelPlan` says which, and what it computes once per chunk:

``lanes`` (the general path)
    chunks of 256 consecutive lanes; every lane loads its hyperparameters, seed,
    coordinate, state and statistics. Used where the others do not apply.
``config`` (d ≥ 256: configuration-aligned chunks)
    a chunk is ≤ 256 consecutive coordinates of *one* configuration. The
    hyperparameters and the seed are read once per chunk; the coordinate of lane j
    is computed (i = i₀ + j), not loaded; the uniform box's bounds are two scalars;
    every lane-invariant item of the step (:mod:`octk.backends.sharing`: the running
    powers β^(t−1), and the whole state update when the gradient is free of x and of
    the coordinate) is computed once per chunk and step.
``groups`` (d < 256, configurations that share values)
    a chunk is ≤ 256 configurations at one coordinate (lanes c·d + i), all with the
    same values of the hyperparameters (and seed) that the shared items read: the
    configurations are grouped by that key (sorted stably), and where the chunks'
    lanes are not consecutive already (a group not contiguous, or d > 1) the lanes are
    permuted for the call so that they are, and back after it (the read-only arrays
    once per run; x, state, loss, statistics and the call's checkpoint rows per call). The
    items of the step free of every lane-varying symbol (for a linear loss on a
    non-adaptive sequence: the signal, the gradient, m, v and their bias
    corrections) run once per chunk and step, and each lane runs what is left (for
    Adam on RKK's sequence: the step α·m̂/(√t(ε+√v̂)), the loss, the clip).

The rule (``layout="auto"``):

1. a domain that projects a whole configuration (a ball, a simplex), or lanes that
   are not laid out configuration by configuration (hyperparameters or seed not
   constant within a configuration, coordinates not 0..d−1): ``lanes``;
2. d ≥ 256: ``config``;
3. otherwise the grouping key is chosen greedily: start with every hyperparameter
   (and the seed) that differs between configurations as a candidate, analyse,
   and while the groups average fewer than ``MIN_GROUP`` configurations, drop the
   key member with the most distinct values (it becomes lane-varying). If a state
   recurrence is then shared (m, v, ...; not only the running powers, the signal or
   a statistic, which alone do not pay for strided lanes): ``groups``, time-blocked
   where the groups still average fewer than ``MIN_GROUP`` configurations (few lanes
   per chunk, e.g. one long 1-D run: the shared work is most of the step);
   else ``lanes``.

Time blocking (``KernelPlan.blocked``): over a block of 256 steps the chunk first
runs the shared recurrences in time order, storing their values per step, then the
shared items that depend on step τ's values alone in one loop over τ that LLVM
vectorises (the bias corrections, √v̂, the step α·m̂/(√t(ε+√v̂))), then each lane
through the block with its iterate, loss and state in registers (only the projection
chain is sequential). See :class:`octk.backends.sharing.Blocks`.

Every layout runs the very expressions of the general path in the same order
(a shared item is evaluated once with the same operands instead of once per lane),
so the iterates, losses, statistics and states are bitwise those of ``lanes``
(``tests/test_numba_layouts.py`` compares them with ``==``).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy as sp

from octk.backends.program import StepProgram
from octk.backends.sharing import Sharing, analyse
from octk.errors import ParameterError
from octk.symbols import DATA, U, i

if TYPE_CHECKING:
    from octk.domains import Domain
    from octk.simulate import Lanes

CHUNK = 256
MIN_GROUP = 8  # configurations a group must average for the groups layout to pay off
LAYOUTS = ("auto", "lanes", "config", "groups")
SEED = "seed"


@dataclass(frozen=True)
class KernelPlan:
    """What a kernel call runs (see the module doc).

    * ``layout``: ``lanes``, ``config`` or ``groups``;
    * ``uniform``: the per-configuration inputs read once per chunk (hyperparameter
      names, ``seed``);
    * ``coordinate``: a chunk is one coordinate (``groups``), so the coordinate, the
      data column and the draws are per chunk too;
    * ``blocked``: the shared items run a block of steps ahead of the lanes
      (:class:`~octk.backends.sharing.Blocks`);
    * ``bounds``: the box bounds are the same two scalars in every lane;
    * ``sharing``: the analysis (:class:`~octk.backends.sharing.Sharing`), ``shared``
      its targets by name (assignments, accumulators, running powers);
    * ``key``: what the configurations were grouped by, ``groups`` how many distinct
      values it has, ``permuted`` whether the lanes are permuted for the call (so
      that a chunk's lanes are consecutive);
    * ``reason``: why this layout was chosen.
    """

    layout: str
    uniform: frozenset[str] = frozenset()
    coordinate: bool = False
    blocked: bool = False
    bounds: bool = False
    sharing: Sharing | None = None
    shared: tuple[str, ...] = ()
    key: tuple[str, ...] = ()
    groups: int = 1
    permuted: bool = False
    reason: str = ""

    @property
    def source_key(self) -> tuple:
        """What the generated source depends on (plans equal here share a kernel)."""
        return (
            self.layout,
            self.uniform,
            self.coordinate,
            self.blocked,
            self.bounds,
            self.sharing,
        )


@dataclass
class LaneForm:
    """Per-configuration values of lanes laid out configuration by configuration."""

    par: np.ndarray  # (P, C)
    seeds: np.ndarray  # (C,)
    bounds: bool  # every lane has the same lo and the same hi


@dataclass
class Prepared:
    """A plan with the arrays its kernel call needs (chunk table, permutation)."""

    plan: KernelPlan
    ch0: np.ndarray | None  # first lane of each chunk
    chn: np.ndarray | None  # lanes in each chunk
    perm: np.ndarray | None  # lane permutation (lanes[perm] is the kernel's order), or None
    fixed: dict[
        str, np.ndarray
    ]  # the read-only lane arrays, permuted once (par, seed, coord, lo, hi)


def lane_form(lanes: Lanes) -> LaneForm | None:
    """The per-configuration values of ``lanes``, or None if they vary within one."""
    d, L = lanes.d, lanes.n_lanes
    if d < 1 or L % d:
        return None
    C = L // d
    par = lanes.par.reshape(lanes.par.shape[0], C, d)
    seed = lanes.seed.reshape(C, d)
    if not (np.array_equal(par, np.broadcast_to(par[:, :, :1], par.shape))):
        return None
    if not np.array_equal(seed, np.broadcast_to(seed[:, :1], seed.shape)):
        return None
    if not np.array_equal(lanes.coord.reshape(C, d), np.broadcast_to(np.arange(d), (C, d))):
        return None
    lo, hi = lanes.lo, lanes.hi
    bounds = bool(L and np.all(lo == lo[0]) and np.all(hi == hi[0]))
    return LaneForm(par=par[:, :, 0].copy(), seeds=seed[:, 0].copy(), bounds=bounds)


def _varying(prog: StepProgram, lane_varying: set[str], coordinate: bool) -> set[sp.Symbol]:
    syms = {h.name: h.symbol for h in prog.rule.hyperparameters}
    out = {syms[h] for h in lane_varying if h in syms}
    if SEED in lane_varying or not coordinate:
        out |= set(U)
    if not coordinate:
        out.add(i)
        data = prog.sequence.data
        if prog.uses_data and data is not None and data.shape[1] > 1:
            out.add(DATA)
    return out


def _candidates(prog: StepProgram, names: Iterable[str]) -> dict[sp.Symbol, str]:
    syms = {h.name: h.symbol for h in prog.rule.hyperparameters}
    out = {syms[h]: h for h in names if h in syms}
    if SEED in names:
        out.update({u: SEED for u in U})
    return out


def _groups(form: LaneForm, hyper: tuple[str, ...], key: tuple[str, ...]) -> tuple[np.ndarray, int]:
    """(group id per configuration, number of groups) for ``key``."""
    C = form.seeds.shape[0]
    if not key:
        return np.zeros(C, dtype=np.int64), 1
    cols = [form.seeds.view(np.float64) if k == SEED else form.par[hyper.index(k)] for k in key]
    rows = np.ascontiguousarray(np.stack(cols, axis=1))
    _, ids = np.unique(
        rows.view(np.dtype((np.void, rows.dtype.itemsize * len(key)))), return_inverse=True
    )
    ids = ids.reshape(-1)
    return ids, int(ids.max()) + 1


def plan_for(prog: StepProgram, domain: Domain, lanes: Lanes, layout: str = "auto") -> Prepared:
    """The layout of a call on ``lanes`` (module doc), with its chunk table."""
    if layout not in LAYOUTS:
        raise ParameterError(f"layout must be one of {', '.join(LAYOUTS)}; got {layout!r}")
    d, L = lanes.d, lanes.n_lanes
    C = L // d if d else 0
    form = lane_form(lanes) if L else None
    if layout == "lanes" or domain.kernel_projection().group is not None or form is None:
        why = (
            "asked for"
            if layout == "lanes"
            else "the domain projects whole configurations"
            if domain.kernel_projection().group is not None
            else "the lanes are not laid out configuration by configuration"
        )
        if layout not in ("auto", "lanes"):
            raise ParameterError(f"layout {layout!r} cannot run here: {why}; use layout='auto'")
        return Prepared(KernelPlan("lanes", reason=why), None, None, None, {})
    hyper = prog.hyper
    if layout == "config" or (layout == "auto" and d >= CHUNK):
        sh = analyse(prog, _varying(prog, set(), coordinate=False))
        plan = KernelPlan(
            "config",
            uniform=frozenset((*hyper, SEED)),
            bounds=form.bounds,
            sharing=sh,
            shared=sh.names(prog),
            reason=f"d = {d} ≥ {CHUNK}" if layout == "auto" else "asked for",
        )
        starts = np.arange(0, d, CHUNK, dtype=np.int64)
        ch0 = (np.arange(C, dtype=np.int64)[:, None] * d + starts[None, :]).ravel()
        chn = np.tile(np.minimum(CHUNK, d - starts), C)
        return Prepared(plan, ch0, chn, None, _fixed(lanes, None))
    differ = [h for k, h in enumerate(hyper) if np.any(form.par[k] != form.par[k, :1])]
    if np.any(form.seeds != form.seeds[:1]):
        differ.append(SEED)
    groupable = list(differ)
    while True:
        fixed_names = set(differ) - set(groupable)
        cands = _candidates(prog, groupable)
        sh = analyse(prog, _varying(prog, fixed_names, coordinate=True), cands)
        key = tuple(dict.fromkeys(cands[s] for s in sorted(sh.reads, key=str)))
        ids, n_groups = _groups(form, hyper, key)
        if C >= MIN_GROUP * n_groups or not key:
            break
        counts = [_groups(form, hyper, (k,))[1] for k in key]
        groupable.remove(key[int(np.argmax(counts))])
    blocked = C < MIN_GROUP * n_groups
    if layout == "auto" and not _shares_a_recurrence(prog, sh):
        why = "no state recurrence is lane-invariant (at most running powers and signals)"
        return Prepared(KernelPlan("lanes", reason=why), None, None, None, {})
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    # runs of ≤ CHUNK configurations inside each group; a chunk is a run at one
    # coordinate, its lanes made consecutive (sorted by run, coordinate, position)
    first = np.flatnonzero(np.r_[True, sorted_ids[1:] != sorted_ids[:-1]])
    sizes = np.diff(np.r_[first, C])
    runs = np.concatenate([np.minimum(CHUNK, s - np.arange(0, s, CHUNK)) for s in sizes])
    run_of = np.repeat(np.arange(len(runs)), runs)  # per sorted position
    pos = np.repeat(np.arange(C), d)
    coord = np.tile(np.arange(d), C)
    perm = (order[pos] * d + coord)[np.lexsort((pos, coord, run_of[pos]))]
    chn = np.repeat(runs, d).astype(np.int64)
    ch0 = np.r_[0, np.cumsum(chn)[:-1]].astype(np.int64)
    permuted = bool(np.any(perm != np.arange(L)))
    uniform = (set(hyper) | {SEED}) - (set(differ) - set(key))
    plan = KernelPlan(
        "groups",
        uniform=frozenset(uniform),
        coordinate=True,
        blocked=blocked,
        bounds=form.bounds,
        sharing=sh,
        shared=sh.names(prog),
        key=key,
        groups=n_groups,
        permuted=permuted,
        reason=f"{C} configurations in {n_groups} group(s) by {', '.join(key) or 'nothing'}",
    )
    kept = perm if permuted else None
    return Prepared(plan, ch0, chn, kept, _fixed(lanes, kept))


def _shares_a_recurrence(prog: StepProgram, sh: Sharing) -> bool:
    """Whether a shared item updates state other than a running power (m, v, ...)."""
    powers = {s for s, _ in prog.post}
    return any(
        f and s not in powers for (s, _), f in zip(prog.state, sh.state, strict=True)
    ) and any(sh.assignments)


def _fixed(lanes: Lanes, perm: np.ndarray | None) -> dict[str, np.ndarray]:
    names = ("par", "seed", "coord", "lo", "hi")
    if perm is None:
        return {n: getattr(lanes, n) for n in names}
    return {n: np.ascontiguousarray(getattr(lanes, n)[..., perm]) for n in names}


MOVING = ("x", "state", "loss", "stats")  # (..., L): read and written by the kernel
CHECKPOINTS = ("ck_x", "ck_loss", "ck_stats")  # (..., K, L): rows written at checkpoints


def permuted(lanes: Lanes, prep: Prepared, k0: int, t1: int) -> tuple[Lanes, int]:
    """``lanes`` in the kernel's order for a call over steps ≤ ``t1`` from checkpoint
    ``k0``, and the checkpoint index to start from. Without a permutation these are the
    very arrays; with one, copies, of the checkpoint rows this call can write only
    (k0 up to the last checkpoint ≤ t1), so a run with many checkpoints is not copied
    whole on every call."""
    if prep.perm is None:
        return replace(lanes, **prep.fixed), k0  # type: ignore[arg-type]
    p = prep.perm
    k1 = max(k0, int(np.searchsorted(lanes.ck_t, t1, side="right")))
    moved = {n: np.ascontiguousarray(getattr(lanes, n)[..., p]) for n in MOVING}
    for n in CHECKPOINTS:
        moved[n] = np.ascontiguousarray(getattr(lanes, n)[..., k0:k1, :][..., p])
    sub = replace(lanes, **prep.fixed, **moved, ck_t=lanes.ck_t[k0:k1])  # type: ignore[arg-type]
    return sub, 0


def restore(lanes: Lanes, sub: Lanes, prep: Prepared, k0: int) -> None:
    """Copy what the kernel wrote in ``sub`` back to ``lanes`` (undoing the permutation);
    ``k0``: the checkpoint row of ``sub``'s first."""
    if prep.perm is None:
        return
    for n in MOVING:
        getattr(lanes, n)[..., prep.perm] = getattr(sub, n)
    k1 = k0 + len(sub.ck_t)
    for n in CHECKPOINTS:
        rows = getattr(lanes, n)[..., k0:k1, :]  # a view: writes go to lanes
        rows[..., prep.perm] = getattr(sub, n)


class PlanCache:
    """:func:`plan_for` memoised on the identity of a call's read-only lane arrays.

    The kernels never write ``par``, ``seed``, ``coord``, ``lo`` or ``hi``; a plan
    stays valid while the same arrays (alive: held by weak reference) are passed,
    and the arrays that move (x, state, ...) only need to keep their shapes.
    """

    SIZE = 4  # plans kept (a driver passes the same arrays call after call)

    def __init__(self) -> None:
        self._memo: dict[tuple[Any, ...], tuple[list[weakref.ref[np.ndarray]], Prepared]] = {}

    def get(self, prog: StepProgram, domain: Domain, lanes: Lanes, layout: str) -> Prepared:
        arrays = [lanes.par, lanes.seed, lanes.coord, lanes.lo, lanes.hi]
        key = (layout, lanes.d, *(id(a) for a in arrays), *(a.shape for a in arrays))
        hit = self._memo.get(key)
        if hit is not None and all(r() is a for r, a in zip(hit[0], arrays, strict=True)):
            return hit[1]
        prep = plan_for(prog, domain, lanes, layout)
        while len(self._memo) >= self.SIZE:  # the oldest first (the prepared plans hold
            del self._memo[next(iter(self._memo))]  # permuted copies of the lane arrays)
        self._memo[key] = ([weakref.ref(a) for a in arrays], prep)
        return prep


__all__ = [
    "CHUNK",
    "LAYOUTS",
    "MIN_GROUP",
    "KernelPlan",
    "PlanCache",
    "Prepared",
    "lane_form",
    "permuted",
    "plan_for",
    "restore",
]
