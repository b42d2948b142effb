"""The :class:`Trajectory`: what every backend returns and everything downstream reads."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from octk.rules.rule import Rule
from octk.sequences.sequence import Sequence


def log_checkpoints(steps: int, per_decade: int = 20) -> np.ndarray:
    """Log-spaced steps in [1, steps], about ``per_decade`` per decade, ending at ``steps``."""
    n = max(2, int(np.ceil(np.log10(max(steps, 1)) * per_decade)) + 1)
    ts = np.unique(np.round(np.logspace(0, np.log10(steps), n)).astype(np.int64))
    return np.unique(np.concatenate([ts[(ts >= 1) & (ts <= steps)], [steps]]))


@dataclass(frozen=True, eq=False)
class Trajectory:
    """A batch of runs of one rule on one sequence, observed at checkpoints.

    Shapes: C configurations, K checkpoints, d coordinates.

    ``repr()`` shows a few lines (what ran, the shape, the final values); :meth:`save`,
    :meth:`load`, :meth:`to_xarray` and :meth:`to_pandas` keep a run with its metadata
    (:mod:`octk.results`, the ``octk[io]`` extra).

    Attributes
    ----------
    t : (K,) the checkpoint steps.
    x : (C, K, d) the iterate after t steps, x_{t+1} (the point played next).
    loss : (C, K) the played loss Σ_{s≤t} f_s(x_s), summed over coordinates.
    stats : name -> (C, K, d) the sufficient statistics Σ_{s≤t} of the sequence
        (see :meth:`octk.sequences.Sequence.statistics`).
    x0 : (C, d) the first iterate x_1.
    params : name -> (C,) the hyperparameters of each configuration.
    seeds : (C,) the seed of each configuration's random draws.
    state : name -> (C, d) the rule's state after the last step.
    monitors : name -> (C, K, d) the :mod:`monitors <octk.monitors>` asked of the
        run, at the checkpoints.
    nonfinite : the first non-finite value of the run (:class:`octk.nonfinite.NonFinite`:
        step, quantity, cause), or None where every value stayed finite.
    gradient_scale : c where the run used the gradients c·g (an exact power of two,
        for a scale-invariant rule whose gradients would overflow; 1 otherwise).
    backend, dtype : the simulator that ran and the precision it computed in
        (the arrays are float64 either way).
    """

    rule: Rule
    sequence: Sequence
    domain: object
    backend: str
    steps: int
    t: np.ndarray
    x: np.ndarray
    loss: np.ndarray
    stats: dict[str, np.ndarray]
    x0: np.ndarray
    params: dict[str, np.ndarray]
    seeds: np.ndarray
    state: dict[str, np.ndarray] = field(default_factory=dict)
    monitors: dict[str, np.ndarray] = field(default_factory=dict)
    nonfinite: object = None
    gradient_scale: float = 1.0
    dtype: str = "float64"

    @property
    def n_configs(self) -> int:
        return self.x.shape[0]

    @property
    def d(self) -> int:
        return self.x.shape[2]

    @property
    def x_final(self) -> np.ndarray:
        """(C, d): the iterate after the last step, x_{T+1}."""
        return self.x[:, -1, :]

    def config(self, k: int) -> Trajectory:
        """The k-th configuration alone, as a batch of one."""
        if not -self.n_configs <= k < self.n_configs:
            raise IndexError(f"config {k} out of range for {self.n_configs} configurations")
        sl = slice(k, k + 1) if k != -1 else slice(-1, None)
        return replace(
            self,
            x=self.x[sl],
            loss=self.loss[sl],
            stats={n: v[sl] for n, v in self.stats.items()},
            x0=self.x0[sl],
            params={n: v[sl] for n, v in self.params.items()},
            seeds=self.seeds[sl],
            state={n: v[sl] for n, v in self.state.items()},
            monitors={n: v[sl] for n, v in self.monitors.items()},
        )

    def __repr__(self) -> str:
        from octk.results.text import trajectory_text

        return trajectory_text(self)

    # -- keeping results (the ``octk[io]`` extra) -------------------------------
    def to_xarray(self, regret=None):
        """This run (with its :class:`~octk.regret.Regret`, if given) as an
        :class:`xarray.Dataset` carrying its metadata (:mod:`octk.results.dataset`)."""
        from octk.results import to_xarray

        return to_xarray(self, regret)

    def to_pandas(self, regret=None):
        """One row per (configuration, checkpoint) (:func:`octk.results.to_pandas`)."""
        from octk.results import to_pandas

        return to_pandas(self, regret)

    def save(self, path, *, regret=None, overwrite: bool = False):
        """Write this run and its metadata to a netCDF-4 file (:func:`octk.results.save`);
        :meth:`load` reads it back."""
        from octk.results import save

        return save(self, path, regret=regret, overwrite=overwrite)

    @classmethod
    def load(cls, path) -> Trajectory:
        """The run saved in ``path`` by :meth:`save`."""
        from octk.results import load

        return load(path)

    def at(self, steps) -> Trajectory:
        """The checkpoints whose step is in ``steps`` (each must be a checkpoint)."""
        steps = np.atleast_1d(np.asarray(steps, dtype=np.int64))
        idx = np.searchsorted(self.t, steps)
        if np.any(idx >= len(self.t)) or np.any(self.t[np.minimum(idx, len(self.t) - 1)] != steps):
            missing = [int(s) for s in steps if s not in set(self.t.tolist())]
            raise ValueError(f"steps {missing[:5]} are not checkpoints of this trajectory")
        return replace(
            self,
            t=self.t[idx],
            x=self.x[:, idx],
            loss=self.loss[:, idx],
            stats={n: v[:, idx] for n, v in self.stats.items()},
            monitors={n: v[:, idx] for n, v in self.monitors.items()},
        )
