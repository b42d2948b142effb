r"""``octk.sweep``: a grid of runs as one labelled :class:`xarray.Dataset`.

The cells of the grid batch into one :func:`octk.simulate` call per block (one
program each, :mod:`octk.sweeps.plan`); each block's measures
(:mod:`octk.sweeps.measures`) go to their region of the result, and of the zarr store
where ``out`` is given (:mod:`octk.sweeps.store`); blocks run in this process, or as
Dask tasks (:mod:`octk.sweeps.distributed`) where ``scheduler`` is given.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from octk.errors import ParameterError, check_choice, check_int, check_real, unknown_name
from octk.rules import Rule
from octk.sweeps.axes import make_axes
from octk.sweeps.measures import MEASURES, TOL, base_checkpoints, compute, run_checkpoints
from octk.sweeps.plan import (
    DEFAULT_BLOCK,
    Plan,
    ProgramInputs,
    block_chunks,
    check_programs,
    check_ties,
    program_inputs,
)

BOUND_MEASURES = ("first_violation", "bound")


def _dimension(d: int | None, x0: Any, sequence: Any, dom: Any) -> int:
    """d as :func:`octk.simulate` finds it: ``d``, x0's size, the data, the domain; else 1."""
    dims = [d, np.size(x0) if np.ndim(x0) else None, sequence.dim, dom.dim()]
    return int(max([v for v in dims if v is not None] or [1]))


def make_plan(
    rule: Rule | str,
    sequence: Any,
    domain: Any,
    *,
    steps: int,
    grid: Mapping[str, Any],
    params: Mapping[str, Any] | None,
    preset: str,
    measures: Sequence[str] | str,
    backend: Any,
    seed: int,
    x0: Any,
    d: int | None,
    block: int | None,
    options: dict[str, Any],
) -> Plan:
    """Every input checked, as a :class:`~octk.sweeps.plan.Plan`."""
    from octk.backends import dtype_name, resolve_backend
    from octk.domains import domain as make_domain
    from octk.rules import rule as make_rule
    from octk.sequences import sequence as make_sequence

    if isinstance(rule, str):
        rule = make_rule(rule, preset)
    elif not isinstance(rule, Rule):
        raise ParameterError(f"rule must be a rule name or an octk Rule; got {type(rule).__name__}")
    seq = make_sequence(sequence) if isinstance(sequence, str) else sequence
    dom = make_domain(domain)
    steps = check_int("steps", steps, lo=1)
    names = (measures,) if isinstance(measures, str) else tuple(measures)
    if not names:
        raise ParameterError(f"measures: name at least one of {', '.join(MEASURES)}")
    for m in names:
        if m not in MEASURES:
            raise unknown_name("measure", m, MEASURES)
    if len(set(names)) != len(names):
        raise ParameterError(f"measures: a name is repeated in {list(names)}")
    axes = make_axes(grid, rule, seq)
    params = dict(params or {})
    for k in params:
        if k in grid:
            raise ParameterError(f"parameter {k} is both fixed (params) and a grid axis")
        if k not in rule.hyper_names:
            raise unknown_name(f"parameter of rule {rule.name!r}", k, rule.hyper_names)
        if not isinstance(params[k], str):
            params[k] = rule.hyperparameter(k).check(params[k])
    if "seed" in grid:
        seed = 0
    seed = check_int("seed", seed, lo=0)
    if "x0" in grid and x0 is not None:
        raise ParameterError("x0 is both fixed (x0=) and a grid axis; give one")
    x0v: Any = 0.0 if x0 is None else x0
    x0v = float(x0v) if np.ndim(x0v) == 0 else tuple(float(v) for v in np.ravel(x0v))
    dim = _dimension(d, x0v if np.ndim(x0v) else None, seq, dom)
    # default: 4096 lanes (cells × d) per simulation, which bounds a block's memory
    block = max(1, DEFAULT_BLOCK // dim) if block is None else check_int("block", block, lo=1)
    options["dtype"] = dtype_name(options.get("dtype", "float64"))
    options["tol"] = check_real("tol", options.get("tol", TOL), lo=0)
    n = int(np.prod([len(a) for a in axes]))
    be = resolve_backend(backend, work=min(n, block) * dim * steps, dtype=options["dtype"])
    plan = Plan(
        rule=rule,
        sequence=seq,
        domain=dom.spec(),
        steps=steps,
        axes=axes,
        params=params,
        measures=names,
        backend=be if isinstance(be, str) else getattr(be, "name", be),
        seed=seed,
        x0=x0v,
        d=dim,
        chunks=block_chunks(axes, block),
        options={**options, "backend_object": None if isinstance(be, str) else be},
    )
    check_programs(plan)
    check_ties(plan)
    return plan


def run_block(plan: Plan, k: int) -> dict[str, np.ndarray]:
    """Run block ``k`` (one simulation per program in it) and return its measures,
    name -> (cells of the block in C order, ...)."""
    sl = plan.block(k)
    shape = tuple(s.stop - s.start for s in sl)
    full: dict[str, np.ndarray] = {}
    for inp in program_inputs(plan, k):
        for name, v in run_program(plan, inp).items():
            if name not in full:
                full[name] = np.empty(shape + v.shape[1:], dtype=v.dtype)
            full[name][inp.where] = v.reshape(inp.shape + v.shape[1:])
    n = int(np.prod(shape))
    return {name: v.reshape((n, *v.shape[len(shape) :])) for name, v in full.items()}


def run_program(plan: Plan, inp: ProgramInputs) -> dict[str, np.ndarray]:
    """One simulation (the cells of ``inp``), and its measures name -> (cells, ...)."""
    from octk.errors import NonFiniteWarning

    o = plan.options
    be = o.get("backend_object") or plan.backend
    base = base_checkpoints(plan.steps, o.get("checkpoints"))
    ck = run_checkpoints(plan.steps, plan.measures, o.get("checkpoints"))
    d = plan.d if plan.d > 1 else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NonFiniteWarning)  # classified, or in ``nonfinite``
        if set(BOUND_MEASURES) & set(plan.measures):
            from octk.bounds.scan import check_run

            res, traj = check_run(
                inp.rule, inp.sequence, plan.domain, bound=o.get("bound"), steps=plan.steps,
                params=inp.params, x0=inp.x0, seed=inp.seed, d=d, checkpoints=ck,
                report_at=base, backend=be, lam=o.get("lam"),
                constants=o.get("constants", "declared"), dtype=o["dtype"],
            )  # fmt: skip
        else:
            from octk.simulate import simulate

            res = None
            traj = simulate(
                inp.rule, inp.sequence, plan.domain, steps=plan.steps, x0=inp.x0,
                params=inp.params, seed=inp.seed, d=d, checkpoints=ck, backend=be,
                dtype=o["dtype"],
            )  # fmt: skip
    out = compute(traj, plan.measures, base, tol=o["tol"], bound=res)
    n = int(np.prod(inp.shape))
    for name, v in out.items():
        if v.shape[0] != n:  # a batch of one broadcast by simulate
            out[name] = np.broadcast_to(v, (n, *v.shape[1:])).copy()
    return out


def _command(rule: Any, sequence: Any, steps: int, grid: Mapping[str, Any]) -> str:
    name = rule if isinstance(rule, str) else rule.name
    seq = sequence if isinstance(sequence, str) else sequence.spec()
    axes = ", ".join(
        f"{k}=[{len(np.atleast_1d(np.asarray(v, dtype=object)))}]" for k, v in grid.items()
    )
    return f"octk.sweep({name!r}, {seq!r}, steps={steps}, grid={{{axes}}})"


def sweep(
    rule: Rule | str,
    sequence: Any,
    domain: Any = "box:-1,1",
    *,
    steps: int,
    grid: Mapping[str, Any],
    params: Mapping[str, Any] | None = None,
    preset: str = "paper",
    measures: Sequence[str] | str = ("x_final", "distance", "rate", "classification"),
    backend: Any = "auto",
    seed: int = 0,
    x0: Any = None,
    out: Any = None,
    resume: bool = False,
    scheduler: Any = None,
    block: int | None = None,
    progress: bool = False,
    d: int | None = None,
    bound: Any = None,
    lam: float | None = None,
    constants: str = "declared",
    checkpoints: Any = None,
    tol: float = TOL,
    dtype: str = "float64",
    command: str | None = None,
) -> Any:
    r"""Run ``rule`` on ``sequence`` over every cell of ``grid``; one labelled Dataset.

    Parameters
    ----------
    rule : a rule name (built with ``preset``) or a :class:`~octk.rules.Rule`.
    sequence, domain, steps : as in :func:`octk.simulate`.
    grid : {name: values}: hyperparameters and options of the rule, parameters of the
        sequence (``C`` of ``reddi-thm1``), ``seed``, ``x0``. One dimension each, in
        this order.
    params : the other hyperparameters; a string is an expression of the sequence's
        parameters and the numeric axes (``{"beta2": "1/(1+C**2)"}``: RKK Theorem 1's
        β2 = 1/(1+C²) on each C).
    measures : names from :data:`~octk.sweeps.measures.MEASURES` (``x_final``,
        ``distance``, ``rate``, ``rate_at``, ``first_violation``, ``bound``, ``drift``,
        ``classification``).
    backend : as in :func:`octk.simulate` (``"auto"`` resolved once for every block).
    seed, x0, d : the fixed seed, first iterate and dimension (unless grid axes).
    out : a zarr store path (``.zarr``): written as the sweep runs, block by block,
        with a ``done`` mask; ``resume=True`` completes a store left by an interrupted
        run of the same sweep (only the missing blocks run).
    scheduler : None (this process), ``"processes"`` (a local Dask cluster, one
        worker per core), ``"tcp://HOST:PORT"`` (a Dask scheduler) or a
        ``dask.distributed.Client``: the blocks are tasks with deterministic keys and
        retries.
    block : cells per block at most (default 4096/d: 4096 lanes of one simulation).
    progress : a progress bar of cells done / total with an ETA.
    bound, lam, constants : the bound of ``first_violation`` / ``bound`` and its
        evaluation (:func:`octk.bounds.check`).
    checkpoints : the steps of ``rate_at`` and of the bound's table (default
        log-spaced); tol : the classification's tolerance on |x − x*|.
    command : the ``command`` attribute (default: this call, abridged).

    Returns
    -------
    xarray.Dataset
        one dimension per axis; variables named after the measures; attributes rule,
        program (LaTeX), sequence, domain, steps, backend, octk_version, command,
        created.

    >>> import octk
    >>> ds = octk.sweep("adam", "reddi-thm1:C=3", steps=2000, backend="reference",
    ...                 grid={"beta1": [0.0, 0.5]}, params={"alpha": 0.1, "beta2": 0.1})
    >>> ds.classification.dims, [int(c) for c in ds.classification]
    (('beta1',), [2, 2])
    """
    check_choice("resume", resume, (True, False))
    check_choice("progress", progress, (True, False))
    options: dict[str, Any] = {
        "bound": bound,
        "lam": lam,
        "constants": constants,
        "checkpoints": None if checkpoints is None else np.asarray(checkpoints).tolist(),
        "tol": tol,
        "dtype": dtype,
    }
    plan = make_plan(
        rule, sequence, domain, steps=steps, grid=grid, params=params, preset=preset,
        measures=measures, backend=backend, seed=seed, x0=x0, d=d, block=block,
        options=options,
    )  # fmt: skip
    if resume and out is None:
        raise ParameterError("resume=True needs out= the zarr store to complete")
    check_scheduler(scheduler)
    cmd = command or _command(rule, sequence, steps, grid)
    from octk.sweeps.dataset import dataset, empty, put

    if out is not None:
        from octk.sweeps.store import run_to_store

        return run_to_store(plan, out, resume, scheduler, progress, cmd)
    arrays = empty(plan)
    for k, values in execute(plan, range(plan.n_blocks), scheduler, progress, None):
        assert values is not None  # no store: every block returns its values
        put(plan, arrays, k, values)
    return dataset(plan, arrays, cmd)


def execute(
    plan: Plan, todo: Any, scheduler: Any, progress: bool, out: Any
) -> Iterator[tuple[int, dict[str, np.ndarray] | None]]:
    """Run the blocks ``todo``, yielding (k, measures) as each finishes (measures None
    where a task wrote them to the store ``out`` itself)."""
    todo = list(todo)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=plan.n_cells, unit="cell", desc="sweep", leave=False)
        bar.update(plan.n_cells - sum(_cells(plan, k) for k in todo))
    try:
        if scheduler is None:
            for k in todo:
                values: dict[str, np.ndarray] | None = run_block(plan, k)
                if out is not None and values is not None:
                    from octk.sweeps.store import write_block

                    write_block(plan, out, k, values)
                    values = None
                if bar is not None:
                    bar.update(_cells(plan, k))
                yield k, values
        else:
            from octk.sweeps.distributed import run_distributed

            for k, got in run_distributed(plan, todo, scheduler, out):
                if bar is not None:
                    bar.update(_cells(plan, k))
                yield k, got
    finally:
        if bar is not None:
            bar.close()


def check_scheduler(scheduler: Any) -> None:
    """``scheduler`` is None, ``"processes"``, a scheduler address or a Client (checked
    before any work, without importing Dask)."""
    if scheduler is None or hasattr(scheduler, "submit"):
        return
    if isinstance(scheduler, str) and (
        scheduler == "processes" or scheduler.startswith(("tcp://", "tls://"))
    ):
        return
    raise ParameterError(
        "scheduler must be 'processes', a scheduler address 'tcp://HOST:PORT' or a "
        f"dask.distributed.Client; got {scheduler!r}"
    )


def _cells(plan: Plan, k: int) -> int:
    return int(np.prod([s.stop - s.start for s in plan.block(k)]))


__all__ = [
    "BOUND_MEASURES",
    "check_scheduler",
    "execute",
    "make_plan",
    "run_block",
    "run_program",
    "sweep",
]
