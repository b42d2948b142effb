r"""A sweep's blocks as Dask tasks (``scheduler=``; the ``octk[distributed]`` extra).

``scheduler`` is ``"processes"`` (a :class:`distributed.LocalCluster` on this machine,
one single-threaded worker per core, closed at the end), ``"tcp://HOST:PORT"`` (the
address of a running Dask scheduler) or a :class:`distributed.Client`.

Each block is one task with a **deterministic key**, ``octk-sweep-<definition hash>-
[<store hash>-]block-<k>``, submitted with ``retries``: a task that raises is run again, and a task
on a worker that dies is rescheduled on another by the Dask scheduler, so a lost
worker loses nothing. With a store, each task writes its own region (its blocks are
whole zarr chunks, so concurrent writes never share a chunk) and returns only its
index; without one, the task returns its measures. The workers need octk (the same
version) and, with a store, the store's path on a file system they share.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from octk.errors import OptionalDependencyError, ParameterError
from octk.sweeps.plan import Plan

RETRIES = 3


def task_key(plan: Plan, k: int, out: str | None = None) -> str:
    """The Dask key of block ``k``: the same sweep (to the same store) gives the same
    keys, so a task resubmitted after a lost connection is the one already running."""
    where = "" if out is None else hashlib.sha256(str(out).encode()).hexdigest()[:8] + "-"
    return f"octk-sweep-{plan.key()}-{where}block-{k}"


def block_task(plan: Plan, k: int, out: str | None) -> tuple[int, dict[str, np.ndarray] | None]:
    """One task: run block ``k``; write it to ``out`` (then return no values)."""
    from octk.sweeps.engine import run_block

    values = run_block(plan, k)
    if out is None:
        return k, values
    from octk.sweeps.store import write_block

    write_block(plan, out, k, values)
    return k, None


def _client(scheduler: Any) -> tuple[Any, Any]:
    """(client, what to close afterwards, or None)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise OptionalDependencyError(
            "scheduler= needs dask.distributed: pip install 'octk[distributed]'"
        ) from None
    if isinstance(scheduler, Client):
        return scheduler, None
    if scheduler == "processes":
        cluster = LocalCluster(processes=True, threads_per_worker=1, dashboard_address=":0")
        client = Client(cluster)
        return client, (client, cluster)
    if isinstance(scheduler, str) and scheduler.startswith(("tcp://", "tls://")):
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as e:
            raise ParameterError(
                f"scheduler: no Dask scheduler answers at {scheduler} ({e})"
            ) from None
        return client, (client,)
    raise ParameterError(
        "scheduler must be 'processes', a scheduler address 'tcp://HOST:PORT' or a "
        f"dask.distributed.Client; got {scheduler!r}"
    )


def run_distributed(
    plan: Plan, todo: list[int], scheduler: Any, out: str | None
) -> Iterator[tuple[int, dict[str, np.ndarray] | None]]:
    """Submit the blocks ``todo``; yield (k, measures or None) as each finishes."""
    from distributed import as_completed

    client, owned = _client(scheduler)
    try:
        futures = [
            client.submit(
                block_task, plan, k, out, key=task_key(plan, k, out), retries=RETRIES, pure=False
            )
            for k in todo
        ]
        for fut in as_completed(futures):
            k, values = fut.result()
            fut.release()
            yield k, values
    finally:
        for thing in owned or ():
            thing.close()


__all__ = ["RETRIES", "block_task", "run_distributed", "task_key"]
