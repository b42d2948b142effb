r"""Lane invariance: which parts of a step are the same in every lane of a chunk.

A generated kernel runs one :class:`~octk.backends.program.StepProgram` per lane.
When the lanes of a chunk agree on some inputs (hyperparameters, the seed, the
coordinate), every item of the program that reads only such inputs takes the
same value in every lane and can be computed once per step for the whole chunk,
then read by every lane (what ``jax.vmap`` finds on its own when it keeps an
unbatched value unbatched).

:func:`analyse` decides it from the program alone. The *items* of a step, in the
order a lane runs them, are the assignments, the accumulators (``stats``) and
the running powers (``post``). With V the set of lane-varying symbols (always the
iterate x; besides it, what the caller names: hyperparameters that differ within
a chunk, the uniform draws U_k when the seeds or coordinates differ, the
coordinate i, the data row), an item

.. math:: y \leftarrow e(z_1, \dots, z_n)

is *shared* when its free symbols avoid V, and then its target y leaves V; when
one of them is in V, the item is lane-varying and y joins V. The state and the
accumulators are read at the start of a step before they are written, so the
analysis assumes them shared, walks the items, moves to V every state or
accumulator that a lane-varying item (or a lane-varying initial value) writes,
and walks again until nothing moves (a least fixed point: V only grows, so at
most one pass per state symbol).

Two ordering rules keep the shared computation exact (each lane still computes
the same floating-point operations in the same order as the general path, only
fewer times). The shared items of the assignments and accumulators run *before*
the lanes of a step, and the running powers *after* them (a lane reads b^(t−1)
before the power is advanced), so

* a shared item whose target an earlier lane-varying item reads (the old value)
  or writes (a lane's own value, which later items read) is demoted to
  lane-varying;
* the iterate's assignment x̂_{t+1} is always lane-varying (each lane projects
  its own).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import sympy as sp

from octk.backends.memo import Memo, program_key
from octk.backends.program import StepProgram, stat_symbol
from octk.symbols import x

ASSIGN, STAT, POST = "assign", "stat", "post"


@dataclass(frozen=True)
class Sharing:
    """The result of :func:`analyse`: per item of the step, whether it is shared.

    ``assignments``, ``stats``, ``post``: one flag per item of the program's lists;
    ``state``: one flag per state symbol (its value is one per chunk);
    ``reads``: the symbols among the caller's ``candidates`` that shared items (or
    shared initial values) read: the values that configurations must agree on to
    share a chunk.
    """

    assignments: tuple[bool, ...]
    stats: tuple[bool, ...]
    post: tuple[bool, ...]
    state: tuple[bool, ...]
    reads: frozenset[sp.Symbol]

    @property
    def any(self) -> bool:
        """Whether anything is computed once per chunk."""
        return any(self.assignments) or any(self.stats) or any(self.post)

    def names(self, prog: StepProgram) -> tuple[str, ...]:
        """The shared targets by name: assignment targets, state, accumulators, powers."""
        out = [s.name for (s, _), f in zip(prog.assignments, self.assignments, strict=True) if f]
        out += [n for (n, _), f in zip(prog.stats, self.stats, strict=True) if f]
        out += [s.name for (s, _), f in zip(prog.post, self.post, strict=True) if f]
        seen: dict[str, None] = dict.fromkeys(out)
        return tuple(seen)


def _items(prog: StepProgram) -> Iterator[tuple[str, sp.Symbol, sp.Expr]]:
    for target, e in prog.assignments:
        yield ASSIGN, target, e
    for name, e in prog.stats:
        yield STAT, stat_symbol(name), e
    for target, e in prog.post:
        yield POST, target, e


_analysed = Memo("sharing")


def analyse(
    prog: StepProgram, varying: set[sp.Symbol], candidates: Iterable[sp.Symbol] = frozenset()
) -> Sharing:
    """Which items of ``prog`` are lane-invariant when the symbols ``varying`` (and x) vary.

    See the module doc for the rules. ``candidates``: the per-configuration symbols
    (hyperparameters, draws) that the caller may make uniform by grouping; those
    read by shared items are returned in :attr:`Sharing.reads`. Memoised on the
    program's value and the two symbol sets (a driver plans every call).
    """
    cands = frozenset(candidates)
    key = (program_key(prog), frozenset(varying), cands)
    return _analysed.get(key, lambda: _analyse(prog, set(varying), cands))


def _analyse(
    prog: StepProgram, varying: set[sp.Symbol], candidates: frozenset[sp.Symbol]
) -> Sharing:
    items = list(_items(prog))
    carried = {s for s, _ in prog.state} | set(prog.stat_symbols)
    inputs = set(varying) | {x}
    start = {s for s, init in prog.state if sp.sympify(init).free_symbols & inputs}
    while True:
        V = inputs | start
        read_by_varying: set[sp.Symbol] = set()
        flags = []
        for kind, target, e in items:
            free = e.free_symbols
            lane = bool(free & V) or (kind == ASSIGN and target == x) or target in V
            if not lane and kind != POST and target in read_by_varying:
                lane = True  # a lane read the old value: it cannot be overwritten first
            flags.append(lane)
            if lane:
                V.add(target)
                read_by_varying |= free
        moved = {target for (_, target, _), lane in zip(items, flags, strict=True) if lane}
        moved &= carried
        if moved <= start:
            break
        start |= moved
    shared = [not f for f in flags]
    na, ns = len(prog.assignments), len(prog.stats)
    reads: set[sp.Symbol] = set()
    for (_, _, e), s in zip(items, shared, strict=True):
        if s:
            reads |= e.free_symbols
    for s, init in prog.state:
        if s not in start:
            reads |= sp.sympify(init).free_symbols
    return Sharing(
        assignments=tuple(shared[:na]),
        stats=tuple(shared[na : na + ns]),
        post=tuple(shared[na + ns :]),
        state=tuple(s not in start for s, _ in prog.state),
        reads=frozenset(reads & set(candidates)),
    )


@dataclass(frozen=True)
class Blocks:
    r"""The shared items of a step split for time blocking (:func:`time_blocks`).

    Over a block of steps τ = t, …, t+B−1 the shared items run in two passes before the
    lanes: ``recurrent`` (flags per assignment; every shared accumulator and running
    power is recurrent too) in time order, since they carry a value from step to step
    (m_τ = β1 m_{τ−1} + (1 − β1) g_τ) or feed one; then the others, each a function of
    τ and of the recurrent values of step τ only, so their loop over τ has no
    dependence between iterations and vectorises (the bias corrections, √v̂, the
    step). The values a later pass reads are kept per τ: ``from_recurrent`` after the
    recurrent items of step τ and before its running powers advance, ``from_pure``
    after the pure items.
    """

    recurrent: tuple[bool, ...]
    from_recurrent: tuple[sp.Symbol, ...]
    from_pure: tuple[sp.Symbol, ...]


def time_blocks(prog: StepProgram, sh: Sharing) -> Blocks:
    """Split the shared items of ``sh`` for time blocking (see :class:`Blocks`)."""
    carried = {s for s, _ in prog.state} | set(prog.stat_symbols)
    shared = [(k, t, e) for k, (t, e) in enumerate(prog.assignments) if sh.assignments[k]]
    rec = {k for k, target, _ in shared if target in carried}
    while True:  # close over what the recurrent items read, and over order
        reads = set().union(*(prog.assignments[k][1].free_symbols for k in rec))
        stats = zip(prog.stats, sh.stats, strict=True)
        reads |= set().union(*(e.free_symbols for (_, e), f in stats if f))
        new = {k for k, target, _ in shared if target in reads}
        for k, _, e in shared:  # a pure item reading a value a later recurrent item rewrites
            if any(q > k and prog.assignments[q][0] in e.free_symbols for q in rec):
                new.add(k)
        if new <= rec:
            break
        rec |= new
    pure = [(k, target, e) for k, target, e in shared if k not in rec]
    lane_reads: set[sp.Symbol] = set()
    for (_, e), f in zip(prog.assignments, sh.assignments, strict=True):
        if not f:
            lane_reads |= e.free_symbols
    for (_, e), f in zip(prog.stats, sh.stats, strict=True):
        if not f:
            lane_reads |= e.free_symbols
    for (_, e), f in zip(prog.post, sh.post, strict=True):
        if not f:
            lane_reads |= e.free_symbols
    pure_reads = set().union(*(e.free_symbols for _, _, e in pure))
    pure_targets = {target for _, target, _ in pure}
    rec_targets = {prog.assignments[k][0] for k in rec}
    rec_targets |= {s for (s, _), f in zip(prog.state, sh.state, strict=True) if f}
    later = pure_reads | lane_reads
    return Blocks(
        recurrent=tuple(k in rec for k in range(len(prog.assignments))),
        from_recurrent=tuple(sorted((rec_targets - pure_targets) & later, key=str)),
        from_pure=tuple(sorted(pure_targets & lane_reads, key=str)),
    )


__all__ = ["Blocks", "Sharing", "analyse", "time_blocks"]
