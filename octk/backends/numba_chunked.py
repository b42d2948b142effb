"""The Numba kernel of the ``config`` and ``groups`` layouts (:mod:`.numba_layouts`).

The same step program as :func:`octk.backends.numba_backend.kernel_source`, printed
by the same printer under the same names, split by the lane-invariance analysis
(:mod:`octk.backends.sharing`)::

    for c in prange(chunks):                  # chunk c: n consecutive lanes from CH0[c]
        views of the lane-varying arrays; scalars of what the chunk shares
        (hyperparameters, seed, coordinate, box bounds, shared state/statistics)
        for t in t0..t1:
            hoisted subexpressions of t; the shared items (once per chunk)
            for j in lanes of the chunk:      # what varies per lane, vectorisable
                lane-varying items, the loss, the clip, x and state stored
            the shared running powers; checkpoints (shared values broadcast)
        the shared state and statistics written back to every lane of the chunk

A lane reads a shared value from the scalar the chunk computed with the very
expression the general kernel evaluates in each lane, so every lane gets the same
bits. LLVM hoists what is invariant inside the lane loop (√v̂ + ε, 1/√t) itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import sympy as sp

from octk.backends.numba_layouts import SEED, KernelPlan
from octk.backends.printers import NumbaPrinter
from octk.backends.program import StepProgram, for_domain
from octk.backends.sharing import time_blocks
from octk.errors import ParameterError
from octk.symbols import x

BLOCK = 256  # steps per time block (plan.blocked)

if TYPE_CHECKING:
    from octk.domains import Domain


def chunked_source(
    prog: StepProgram, domain: Domain, plan: KernelPlan, *, parallel: bool = True
) -> str:
    """The kernel source of ``plan`` (layout ``config`` or ``groups``) for ``prog``."""
    from octk.backends.numba_backend import printed_step  # the general kernel's reading

    prog = for_domain(prog, domain)
    proj = domain.kernel_projection()
    sh = plan.sharing
    if sh is None or plan.layout not in ("config", "groups"):
        raise ParameterError(f"chunked_source prints the config and groups layouts; got {plan}")
    data = prog.sequence.data if prog.uses_data else None
    state = [s for s, _ in prog.state]
    names, assigns, stats, post, hoisted = printed_step(prog)
    n_s = len(stats)
    pr = NumbaPrinter(names)

    shared_state = {s for s, f in zip(state, sh.state, strict=True) if f}
    shared_stat = {q for q, f in enumerate(sh.stats) if f}
    lane_hyper = [h for h in prog.hyper if h not in plan.uniform]
    seed_lane = SEED not in plan.uniform
    coord_lane = not plan.coordinate
    draws_lane = seed_lane or coord_lane
    data_lane = data is not None and coord_lane and data.shape[1] > 1
    sl = "base:e"

    L: list[str] = []
    emit = L.append
    emit("import math")
    emit("import numpy as np")
    emit("from numba import njit, prange")
    emit("from octk.backends.numba_random import uniform_nb")
    emit("")
    emit(f"# rule: {prog.rule!r}")
    emit(f"# sequence: {prog.sequence!r}")
    emit(f"# domain: {domain.spec()}")
    kind = plan.layout + (" (time-blocked)" if plan.blocked else "")
    emit(f"# layout: {kind}; once per chunk: {', '.join(plan.shared) or 'nothing'}")
    emit(f"# per chunk: {', '.join(sorted(plan.uniform))}")
    emit("")
    par = "True" if parallel else "False"
    emit(f"@njit(cache=True, parallel={par}, fastmath=False, error_model='numpy', nogil=True)")
    emit("def kernel(t0, t1, k0, X, PAR, SEED, COORD, LO, HI, STATE, LOSS, STATS,")
    emit("           CK_T, CK_X, CK_LOSS, CK_STATS, DATA, d, CH0, CHN):")
    emit("    nck = CK_T.shape[0]")
    loop = "prange" if parallel else "range"
    emit(f"    for c in {loop}(CH0.shape[0]):")
    b = " " * 8
    emit(b + "base = CH0[c]")
    emit(b + "n = CHN[c]")
    emit(b + "e = base + n")
    emit(b + f"x = X[{sl}]")
    emit(b + f"loss = LOSS[{sl}]")
    if proj.lane:
        if plan.bounds:
            emit(b + "lo0 = LO[base]")
            emit(b + "hi0 = HI[base]")
        else:
            emit(b + f"lo = LO[{sl}]")
            emit(b + f"hi = HI[{sl}]")
    emit(b + (f"seed = SEED[{sl}]" if seed_lane else "seed0 = SEED[base]"))
    emit(b + ("cj0 = COORD[base]" if coord_lane else "cj = COORD[base]"))
    for k, h in enumerate(prog.hyper):
        emit(b + (f"P_{h} = PAR[{k}, {sl}]" if h in lane_hyper else f"p_{h} = PAR[{k}, base]"))
    for k, s in enumerate(state):
        if s in shared_state:
            emit(b + f"s_{s.name} = STATE[{k}, base]")
        else:
            emit(b + f"S_{s.name} = STATE[{k}, {sl}]")
    for q in range(n_s):
        emit(
            b + (f"acc{q} = STATS[{q}, base]" if q in shared_stat else f"st{q} = STATS[{q}, {sl}]")
        )
    emit(b + "k = k0")
    col = "cj" if data is not None and data.shape[1] > 1 else "0"

    def prelude(ind: str) -> None:
        """What every loop over t computes first: functions of t (and the chunk) alone."""
        for h, e in hoisted:
            emit(ind + f"{h.name} = {pr.doprint(e)}")
        if data is not None:
            rows = data.shape[0]
            emit(ind + f"row = {f'(t - 1) % {rows}' if prog.sequence.wrap else 't - 1'}")
        if not draws_lane:
            for k in prog.streams:
                emit(ind + f"u{k} = uniform_nb(seed0, t, cj, {k})")
        if data is not None and not data_lane:
            emit(ind + f"dat = DATA[row, {col}]")

    def assign(target: sp.Symbol, e: sp.Basic, ind: str) -> None:
        var = "xn" if target == x else names[target]
        emit(ind + f"{var} = {pr.doprint(e)}")

    def shared_items(ind: str, which: Callable[[int], bool]) -> None:
        for k, ((target, _), e, f) in enumerate(
            zip(prog.assignments, assigns, sh.assignments, strict=True)
        ):
            if f and which(k):
                assign(target, e, ind)

    def shared_stats(ind: str) -> None:
        for q, e in enumerate(stats):
            if q in shared_stat:
                emit(ind + f"acc{q} = {pr.doprint(e)}")

    def shared_post(ind: str) -> None:
        for (target, _), e, f in zip(prog.post, post, sh.post, strict=True):
            if f:
                emit(ind + f"s_{target.name} = {pr.doprint(e)}")

    lane_index = "base + j"

    def lane_load(bj: str) -> None:
        """A lane's own values: hyperparameters, state and statistics that vary per lane."""
        if coord_lane:
            emit(bj + "cj = cj0 + j")
        for h in lane_hyper:
            emit(bj + f"p_{h} = P_{h}[j]")
        for s in state:
            if s not in shared_state:
                emit(bj + f"s_{s.name} = S_{s.name}[j]")
        for q in range(n_s):
            if q not in shared_stat:
                emit(bj + f"acc{q} = st{q}[j]")

    def lane_step(bj: str, loss: str) -> None:
        """The lane-varying items of step t on ``xj``; x̂_{t+1} projected into ``xn``."""
        if draws_lane:
            for k in prog.streams:
                emit(bj + f"u{k} = uniform_nb({'seed[j]' if seed_lane else 'seed0'}, t, cj, {k})")
        if data_lane:
            emit(bj + f"dat = DATA[row, {col}]")
        for (target, _), e, f in zip(prog.assignments, assigns, sh.assignments, strict=True):
            if not f:
                assign(target, e, bj)
        for q, e in enumerate(stats):
            if q not in shared_stat:
                emit(bj + f"acc{q} = {pr.doprint(e)}")
        for (target, _), e, f in zip(prog.post, post, sh.post, strict=True):
            if not f:
                emit(bj + f"s_{target.name} = {pr.doprint(e)}")
        emit(bj + f"{loss} += a_f")
        if proj.lane:
            lane = proj.lane
            if plan.bounds:  # KernelProjection.lane names the lane's bounds lo[j], hi[j]
                lane = lane.replace("lo[j]", "lo0").replace("hi[j]", "hi0")
            emit(bj + lane)

    def lane_store(bj: str) -> None:
        for s in state:
            if s not in shared_state:
                emit(bj + f"S_{s.name}[j] = s_{s.name}")
        for q in range(n_s):
            if q not in shared_stat:
                emit(bj + f"st{q}[j] = acc{q}")

    def lanes(bt: str) -> None:
        """Step t: the lane loop (vectorised across lanes), then its checkpoint."""
        emit(bt + "for j in range(n):")
        bj = bt + "    "
        emit(bj + "xj = x[j]")
        lane_load(bj)
        lane_step(bj, "loss[j]")
        emit(bj + "x[j] = xn")
        lane_store(bj)
        emit(bt + "if k < nck and CK_T[k] == t:")
        emit(bt + f"    CK_X[k, {sl}] = x")
        emit(bt + f"    CK_LOSS[k, {sl}] = loss")
        for q in range(n_s):
            emit(bt + f"    CK_STATS[{q}, k, {sl}] = {'acc' if q in shared_stat else 'st'}{q}")
        emit(bt + "    k += 1")

    def lanes_through_block(bb: str) -> None:
        """A block of steps lane by lane (time inside: x, the loss, the state in
        registers); the shared values of step τ are read from the block's buffers."""
        emit(bb + "kk = k")
        emit(bb + "for j in range(n):")
        bj = bb + "    "
        emit(bj + "xj = x[j]")
        emit(bj + "lossj = loss[j]")
        lane_load(bj)
        emit(bj + "kk = k")
        emit(bj + "for q in range(nb):")
        bq = bj + "    "
        emit(bq + "t = tb + q")
        prelude(bq)
        for sym in (*blk.from_recurrent, *blk.from_pure):
            emit(bq + f"{names[sym]} = B_{names[sym]}[q]")
        lane_step(bq, "lossj")
        emit(bq + "xj = xn")
        emit(bq + "if kk < nck and CK_T[kk] == t:")
        emit(bq + f"    CK_X[kk, {lane_index}] = xj")
        emit(bq + f"    CK_LOSS[kk, {lane_index}] = lossj")
        for q in range(n_s):
            value = f"B_acc{q}[q]" if q in shared_stat else f"acc{q}"
            emit(bq + f"    CK_STATS[{q}, kk, {lane_index}] = {value}")
        emit(bq + "    kk += 1")
        emit(bj + "x[j] = xj")
        emit(bj + "loss[j] = lossj")
        lane_store(bj)
        emit(bb + "k = kk")

    blk = time_blocks(prog, sh)
    if not plan.blocked:
        emit(b + "for t in range(t0, t1 + 1):")
        bt = b + "    "
        prelude(bt)
        shared_items(bt, lambda k: True)
        shared_stats(bt)
        lanes(bt)
        shared_post(bt)
    else:
        buffered = [*blk.from_recurrent, *blk.from_pure]
        buffered += [sym for q, sym in enumerate(prog.stat_symbols) if q in shared_stat]
        for sym in buffered:
            emit(b + f"B_{names[sym]} = np.empty({BLOCK})")
        emit(b + "tb = t0")
        emit(b + "while tb <= t1:")
        bb = b + "    "
        emit(bb + f"nb = min(t1, tb + {BLOCK - 1}) - tb + 1")
        bq = bb + "    "
        # 1. the recurrences, in time order
        emit(bb + "for q in range(nb):")
        emit(bq + "t = tb + q")
        prelude(bq)
        shared_items(bq, lambda k: blk.recurrent[k])
        shared_stats(bq)
        for sym in blk.from_recurrent:
            emit(bq + f"B_{names[sym]}[q] = {names[sym]}")
        for q, sym in enumerate(prog.stat_symbols):
            if q in shared_stat:
                emit(bq + f"B_{names[sym]}[q] = {names[sym]}")
        shared_post(bq)
        carried = [sym for sym in blk.from_recurrent if sym in shared_state]
        for sym in carried:  # the next block starts from these; passes 2 and 3 reuse the names
            emit(bb + f"K_{names[sym]} = {names[sym]}")
        # 2. what depends on step τ's values alone: no dependence across τ
        if blk.from_pure:
            emit(bb + "for q in range(nb):")
            emit(bq + "t = tb + q")
            prelude(bq)
            for sym in blk.from_recurrent:
                emit(bq + f"{names[sym]} = B_{names[sym]}[q]")
            shared_items(bq, lambda k: not blk.recurrent[k])
            for sym in blk.from_pure:
                emit(bq + f"B_{names[sym]}[q] = {names[sym]}")
        # 3. the lanes, each through the block
        lanes_through_block(bb)
        for sym in carried:
            emit(bb + f"{names[sym]} = K_{names[sym]}")
        emit(bb + "tb += nb")
    for k, s in enumerate(state):
        if s in shared_state:
            emit(b + f"STATE[{k}, {sl}] = s_{s.name}")
    for q in sorted(shared_stat):
        emit(b + f"STATS[{q}, {sl}] = acc{q}")
    emit("")
    return "\n".join(L)


__all__ = ["chunked_source"]
