"""The Numba backend: an ``@njit`` kernel generated from the step program.

Nothing here is written per optimizer. :func:`kernel_source` prints the
:class:`~octk.backends.program.StepProgram` with :class:`NumbaPrinter` into
one loop nest::

    for chunk in prange(chunks):               # configurations in parallel
        views of the chunk's lanes (disjoint between chunks: updated in place;
        measured 1.7x the bandwidth of copying them in and out)
        for t in t0..t1:                       # time outside ...
            hoisted: every subexpression of t alone (1/√t, the sequence's
                     Piecewise on t mod P, the data row)
            for j in lanes of the chunk:       # ... lanes inside, vectorisable
                s, g, f, rule assignments (x̂_{t+1} is ``xn``, x_t stays ``xj``),
                accumulators (statistics, monitors), running powers,
                the domain's per-lane projection (a box's clip)
            the domain's per-configuration projection, if any (a ball's
            rescaling; chunks then hold whole configurations)
            store checkpoints when t is one

The projection code comes from the domain (:meth:`octk.domains.Domain.kernel_projection`):
a per-lane statement, or a group routine whose plain-Python source is pasted
into the kernel file under ``@njit`` (so the file's hash covers it). Where the
domain projects with RKK's weighted Π_{F,√V}, the lane loop stores the
program's weight 1/η_t of each lane for the group routine.

That is the general layout (``lanes``). Per run, :mod:`octk.backends.numba_layouts`
may choose another, printed by :mod:`octk.backends.numba_chunked` from the same program
and printer: configuration-aligned chunks for d ≥ 256 (``config``), or chunks of
configurations that share values, with every lane-invariant item of the step
(:mod:`octk.backends.sharing`: for a linear loss on a non-adaptive sequence, m, v and
their bias corrections) computed once per chunk and step (``groups``; time-blocked for
a few long runs). Every layout gives the same bits; ``kernel.plan`` says which ran.

The source is written to a file in the kernel cache (``$OCTK_CACHE_DIR`` or
``~/.cache/octk/kernels``) named by its hash and imported from there, so
Numba's ``cache=True`` keeps the machine code on disk: a second process does
not recompile, tracebacks show real lines, and ``octk run --emit-source``
prints the very file that runs.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from octk.backends import DTYPES, memo
from octk.backends.numba_chunked import chunked_source
from octk.backends.numba_layouts import (
    CHUNK,
    LAYOUTS,
    KernelPlan,
    PlanCache,
    permuted,
    plan_for,
    restore,
)
from octk.backends.printers import NumbaPrinter
from octk.backends.program import StepProgram, W, check_for_domain, for_domain
from octk.errors import ParameterError
from octk.symbols import DATA, U, i, t, x

KERNEL_VERSION = "3"


def cache_dir() -> Path:
    """Where generated kernels and their compiled code live."""
    env = os.environ.get("OCTK_CACHE_DIR")
    if env:
        return Path(env) / "kernels"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "octk" / "kernels"


def _hoistable(expr: sp.Basic) -> bool:
    # conditions stay inline: a hoisted one would become a real symbol, not a Boolean
    return (
        not expr.is_Atom
        and t in expr.free_symbols
        and expr.free_symbols <= {t}
        and not isinstance(expr, sp.Tuple | sp.logic.boolalg.Boolean)
    )


def _hoist(exprs: list[sp.Basic]) -> tuple[list[sp.Basic], list[tuple[sp.Symbol, sp.Basic]]]:
    """Replace maximal subexpressions of t alone by symbols computed once per step."""
    table: dict[sp.Basic, sp.Symbol] = {}

    def walk(e):
        if _hoistable(e):
            if e not in table:
                table[e] = sp.Symbol(f"h{len(table)}", real=True)
            return table[e]
        if e.is_Atom or not e.args:
            return e
        if isinstance(e, sp.Piecewise):
            return sp.Piecewise(*[(walk(a), walk(c)) for a, c in e.args])
        new = [walk(a) for a in e.args]
        return e.func(*new, evaluate=False) if new != list(e.args) else e

    out = [walk(e) for e in exprs]
    return out, [(s, e) for e, s in table.items()]


def printed_step(prog: StepProgram) -> tuple[dict[sp.Symbol, str], list, list, list, list]:
    """The kernels' names for the symbols of ``prog`` (``p_`` hyperparameters, ``s_`` state,
    ``a_`` temporaries, ``acc`` accumulators, ``u`` draws) and its assignments, statistic
    updates and post-step updates with every subexpression of t alone hoisted
    (:func:`_hoist`): (names, assigns, stats, post, hoisted). Every Numba layout prints
    from this one reading."""
    hyper = [sp.Symbol(h, real=True, nonnegative=True) for h in prog.hyper]
    names: dict[sp.Symbol, str] = {t: "t", x: "xj", i: "cj"}
    names.update({h: f"p_{h.name}" for h in hyper})
    names.update({s: f"s_{s.name}" for s, _ in prog.state})
    names.update({u: f"u{k}" for k, u in enumerate(U)})
    names[DATA] = "dat"
    for target, _ in prog.assignments:
        names.setdefault(target, f"a_{target.name}")
    for q, sym in enumerate(prog.stat_symbols):
        names[sym] = f"acc{q}"
    exprs = (
        [e for _, e in prog.assignments] + [e for _, e in prog.stats] + [e for _, e in prog.post]
    )
    exprs, hoisted = _hoist(exprs)
    for h, _ in hoisted:
        names[h] = h.name
    n_a, n_s = len(prog.assignments), len(prog.stats)
    return names, exprs[:n_a], exprs[n_a : n_a + n_s], exprs[n_a + n_s :], hoisted


def kernel_source(
    prog: StepProgram, domain, *, parallel: bool = True, dtype: str = "float64"
) -> str:
    """The Python source of the kernel for ``prog`` on ``domain`` (see the module doc),
    computing in ``dtype`` (:class:`NumbaBackend`: float32 lane arrays, float32
    literals and casts; see :class:`~octk.backends.printers.NumbaPrinter`)."""
    prog = for_domain(prog, domain)
    proj = domain.kernel_projection()
    state = [s for s, _ in prog.state]
    hyper = [sp.Symbol(h, real=True, nonnegative=True) for h in prog.hyper]
    names, assigns, stats, post, hoisted = printed_step(prog)
    n_s = len(stats)

    pr = NumbaPrinter(names, real=dtype)
    real = "np.float32" if dtype == "float32" else ""
    seq = prog.sequence
    L: list[str] = []
    emit = L.append

    emit("import math")
    emit("import numpy as np")
    emit("from numba import njit, prange")
    emit("from octk.backends.numba_random import uniform_nb")
    emit("")
    emit(f"# rule: {prog.rule!r}")
    emit(f"# sequence: {seq!r}")
    emit(f"# domain: {domain.spec()}")
    emit(f"# real: {dtype}")
    emit("")
    if proj.group is not None:
        emit(proj.numba_source())
        emit("")
    par = "True" if parallel else "False"
    emit(f"@njit(cache=True, parallel={par}, fastmath=False, error_model='numpy', nogil=True)")
    emit("def kernel(t0, t1, k0, X, PAR, SEED, COORD, LO, HI, STATE, LOSS, STATS,")
    emit("           CK_T, CK_X, CK_LOSS, CK_STATS, DATA, d):")
    emit("    L = X.shape[0]")
    if proj.group is not None:
        emit(f"    chunk = d * max(1, {CHUNK} // d)")
    else:
        emit(f"    chunk = {CHUNK}")
    emit("    nchunks = (L + chunk - 1) // chunk")
    emit("    nck = CK_T.shape[0]")
    loop = "prange" if parallel else "range"
    emit(f"    for c in {loop}(nchunks):")
    b = " " * 8
    emit(b + "a = c * chunk")
    emit(b + "b = min(L, a + chunk)")
    emit(b + "n = b - a")
    emit(b + "x = X[a:b]")
    emit(b + "lo = LO[a:b]")
    emit(b + "hi = HI[a:b]")
    emit(b + "seed = SEED[a:b]")
    emit(b + "coord = COORD[a:b]")
    for k, h in enumerate(hyper):
        emit(b + f"P_{h.name} = PAR[{k}, a:b]")
    for k, s in enumerate(state):
        emit(b + f"S_{s.name} = STATE[{k}, a:b]")
    emit(b + "loss = LOSS[a:b]")
    for q in range(n_s):
        emit(b + f"st{q} = STATS[{q}, a:b]")
    if proj.group is not None:
        emit(b + f"w = np.ones(n, dtype=np.{dtype})")
    emit(b + "k = k0")
    emit(b + "for t in range(t0, t1 + 1):")
    bt = b + "    "
    for h, e in hoisted:
        emit(bt + f"{h.name} = {pr.doprint(e)}")
    if prog.uses_data:
        rows = seq.data.shape[0]
        row = f"(t - 1) % {rows}" if seq.wrap else "t - 1"
        emit(bt + f"row = {row}")
    emit(bt + "for j in range(n):")
    bj = bt + "    "
    emit(bj + "xj = x[j]")
    emit(bj + "cj = coord[j]")
    for h in hyper:
        emit(bj + f"p_{h.name} = P_{h.name}[j]")
    for s in state:
        emit(bj + f"s_{s.name} = S_{s.name}[j]")
    for q in range(n_s):
        emit(bj + f"acc{q} = st{q}[j]")
    for k in prog.streams:
        draw = f"uniform_nb(seed[j], t, cj, {k})"
        emit(bj + f"u{k} = {real}({draw})" if real else bj + f"u{k} = {draw}")
    if prog.uses_data:
        col = "cj" if seq.data.shape[1] > 1 else "0"
        emit(bj + f"dat = DATA[row, {col}]")
    for (target, _), e in zip(prog.assignments, assigns, strict=True):
        var = names[target] if target not in state else f"s_{target.name}"
        if target == x:
            var = "xn"
        emit(bj + f"{var} = {pr.doprint(e)}")
    for q, e in enumerate(stats):
        emit(bj + f"acc{q} = {pr.doprint(e)}")
        emit(bj + f"st{q}[j] = acc{q}")
    for (target, _), e in zip(prog.post, post, strict=True):
        emit(bj + f"s_{target.name} = {pr.doprint(e)}")
    emit(bj + "loss[j] += a_f")
    if prog.weighted:
        emit(bj + f"w[j] = {names[W]}")
    if proj.lane:
        emit(bj + proj.lane)
    emit(bj + "x[j] = xn")
    for s in state:
        emit(bj + f"S_{s.name}[j] = s_{s.name}")
    if proj.group is not None:
        emit(bt + "for q in range(0, n, d):")
        emit(bt + f"    {proj.group[0]}(x[q : q + d], lo[q : q + d], hi[q : q + d], w[q : q + d])")
    emit(bt + "if k < nck and CK_T[k] == t:")
    emit(bt + "    CK_X[k, a:b] = x")
    emit(bt + "    CK_LOSS[k, a:b] = loss")
    for q in range(n_s):
        emit(bt + f"    CK_STATS[{q}, k, a:b] = st{q}")
    emit(bt + "    k += 1")
    emit("")
    return "\n".join(L)


_loaded: dict[str, object] = {}


def load_kernel(source: str):
    """Write ``source`` to the kernel cache (by hash) and import its ``kernel``."""
    key = hashlib.sha256((KERNEL_VERSION + source).encode()).hexdigest()[:20]
    if key in _loaded:
        return _loaded[key]
    d = cache_dir()
    path = d / f"octk_kernel_{key}.py"
    try:
        d.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != source:
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(source)
            os.replace(tmp, path)
    except OSError as e:
        where = "OCTK_CACHE_DIR" if os.environ.get("OCTK_CACHE_DIR") else "the kernel cache"
        raise ParameterError(
            f"{where}: cannot write the kernel cache {str(d)!r} ({e.strerror or e}); set "
            "OCTK_CACHE_DIR to a writable folder"
        ) from None
    name = f"octk_kernel_{key}"
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    _loaded[key] = mod.kernel
    return mod.kernel


class NumbaBackend:
    """Generated ``@njit`` kernels.

    Parameters
    ----------
    parallel : ``True``: the chunks of lanes (configurations × coordinates, 256 a chunk)
        run on all cores (``prange``, ``parallel=True``); ``False``: a serial kernel, the
        same source with ``range`` (it compiles faster, and the results are identical);
        ``None`` (default): parallel when a run has more than one chunk of lanes.
        From the command line: ``octk run --parallel/--serial``; from Python:
        ``simulate(..., backend=NumbaBackend(parallel=False))`` or
        ``backend=get_backend("numba", parallel=False)``.
    layout : how lanes are chunked, see :mod:`octk.backends.numba_layouts`: ``"auto"``
        (default: chosen per run), ``"lanes"`` (the general path, always possible),
        ``"config"`` (configuration-aligned chunks) or ``"groups"`` (configurations that
        share values computed once per chunk). Every layout gives the same bits. The
        kernel :meth:`compile` returns exposes the layout of its last call as
        ``kernel.plan`` (a :class:`~octk.backends.numba_layouts.KernelPlan`: the
        layout, and which items of the step it computed once per chunk).
    """

    name = "numba"
    dtypes = DTYPES

    def __init__(self, parallel: bool | None = None, layout: str = "auto"):
        self.parallel = parallel
        if layout not in LAYOUTS:
            raise ParameterError(f"layout must be one of {', '.join(LAYOUTS)}; got {layout!r}")
        self.layout = layout

    def parallel_for(self, lanes: int) -> bool:
        """Whether a run of ``lanes`` lanes gets the parallel kernel."""
        return lanes > CHUNK if self.parallel is None else bool(self.parallel)

    def source(
        self, prog: StepProgram, domain, lanes: Any = CHUNK + 1, dtype: str = "float64"
    ) -> str:
        """The kernel a run compiles: ``lanes`` is the run's :class:`~octk.simulate.Lanes`
        (the source of the layout it gets, see :meth:`plan`) or a number of lanes (the
        general layout's source; default: a parallel-sized run). float32 runs the
        general layout."""
        if isinstance(lanes, int):
            par = self.parallel_for(lanes)
            return memo.source(kernel_source, prog, domain, parallel=par, dtype=dtype)
        par = self.parallel_for(lanes.n_lanes)
        plan = self.plan(prog, domain, lanes, dtype)
        if plan.layout == "lanes":
            return memo.source(kernel_source, prog, domain, parallel=par, dtype=dtype)
        prog = for_domain(prog, domain)
        return memo.source(chunked_source, prog, domain, plan, key=plan.source_key, parallel=par)

    def plan(self, prog: StepProgram, domain, lanes, dtype: str = "float64"):
        """The :class:`~octk.backends.numba_layouts.KernelPlan` a call on ``lanes`` runs."""
        layout = self.layout if dtype == "float64" else "lanes"
        return plan_for(for_domain(prog, domain), domain, lanes, layout).plan

    def compile(self, prog: StepProgram, domain, dtype: str = "float64") -> _Kernel:
        """``kernel(lanes, t0, t1, k0)``: steps t0..t1 of ``prog`` on ``domain`` in ``dtype``.

        In float32 the kernel (the general ``lanes`` layout) runs on float32 copies of the
        lanes (the hyperparameters, bounds and data rounded to float32), and x, the state,
        the loss, the statistics and the checkpoints are copied back into the float64
        lanes after each call (exactly: every float32 is a float64)."""
        check_for_domain(prog, domain)  # the lanes were laid out for this program
        return _Kernel(self, prog, domain, dtype)


class _Kernel:
    """``kernel(lanes, t0, t1, k0)``: the compiled step for one program and domain.

    ``plan``: the :class:`~octk.backends.numba_layouts.KernelPlan` of the last call
    (None before the first).
    """

    def __init__(self, backend: NumbaBackend, prog: StepProgram, domain, dtype: str = "float64"):
        self.backend, self.prog, self.domain, self.dtype = backend, prog, domain, dtype
        self.kernels: dict[tuple, Any] = {}  # by (plan's source key, parallel), on first use
        self.plans = PlanCache()
        self.plan: KernelPlan | None = None

    def __call__(self, lanes, t0: int, t1: int, k0: int) -> None:
        prog, domain = self.prog, self.domain
        par = self.backend.parallel_for(lanes.n_lanes)
        dtype = self.dtype
        layout = self.backend.layout if dtype == "float64" else "lanes"
        prep = self.plans.get(prog, domain, lanes, layout)
        plan = self.plan = prep.plan
        key = (plan.source_key, par)
        if key not in self.kernels:
            if plan.layout == "lanes":
                src = memo.source(kernel_source, prog, domain, parallel=par, dtype=dtype)
            else:
                src = memo.source(
                    chunked_source, prog, domain, plan, key=plan.source_key, parallel=par
                )
            self.kernels[key] = load_kernel(src)
        sub, k = (lanes, k0) if plan.layout == "lanes" else permuted(lanes, prep, k0, t1)
        arrays = lane_arrays(sub, dtype)
        args = [t0, t1, k, *arrays.values(), sub.d]
        if plan.layout != "lanes":
            args += [prep.ch0, prep.chn]
        self.kernels[key](*args)
        if dtype != "float64":
            for name in OUTPUTS:
                getattr(sub, name)[...] = arrays[name]
        if plan.layout != "lanes":
            restore(lanes, sub, prep, k0)


#: the lane arrays in the order of the kernel's parameters, and those it writes
LANE_ARRAYS = (
    "x", "par", "seed", "coord", "lo", "hi", "state", "loss", "stats",
    "ck_t", "ck_x", "ck_loss", "ck_stats", "data",
)  # fmt: skip
OUTPUTS = ("x", "state", "loss", "stats", "ck_x", "ck_loss", "ck_stats")
_INTEGER = ("seed", "coord", "ck_t")


def lane_arrays(lanes, dtype: str = "float64") -> dict:
    """The arrays of ``lanes`` by :data:`LANE_ARRAYS`: the lanes' own (float64), or
    contiguous ``dtype`` copies of the floating ones."""
    out = {name: getattr(lanes, name) for name in LANE_ARRAYS}
    if dtype != "float64":
        for name, a in out.items():
            if name not in _INTEGER:
                out[name] = np.ascontiguousarray(a, dtype=dtype)
    return out


__all__ = [
    "LANE_ARRAYS",
    "OUTPUTS",
    "NumbaBackend",
    "cache_dir",
    "kernel_source",
    "lane_arrays",
    "load_kernel",
]
