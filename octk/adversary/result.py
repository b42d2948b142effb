r""":func:`adversary`: set up, search, replayable spec, comparison and certificate."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from octk.adversary import certificate as cert_mod
from octk.adversary import objectives
from octk.adversary.families import Family, GradientBound
from octk.adversary.known import known
from octk.adversary.search import Problem, search
from octk.domains import domain as make_domain
from octk.errors import ParameterError, check_int
from octk.rules import Rule
from octk.rules import rule as make_rule


@dataclass
class AdversaryResult:
    """The best sequence found, its value, the search trace and its certificate.

    ``sequence``: a spec ``octk run --sequence`` accepts (with ``--steps``
    ``steps``, ``--x0`` ``x0``, the same rule and domain); ``law``: for a
    stochastic or adaptive 1-D candidate, the ``expr`` spec of its law (replayed
    with ``--seed seed``); ``known``: the published construction's value for these
    settings (None where octk knows none).
    """

    objective: str
    value: float
    sequence: str
    x0: list[float]
    table: np.ndarray
    steps: int
    T0: int
    family: str
    law: str | None
    trace: list[tuple[int, float]]
    evaluations: int
    known: dict | None
    certificate: dict
    certificate_file: str | None = None
    settings: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        c = self.certificate
        return {
            "objective": self.objective,
            "value": self.value,
            "sequence": self.sequence,
            "law": self.law,
            "x0": self.x0,
            "steps": self.steps,
            "T0": self.T0 if self.objective == "rate" else None,
            "family": self.family,
            "evaluations": self.evaluations,
            "known": self.known,
            "worse_than_known": None if self.known is None else self.worse_than_known(),
            "certificate": {
                "status": c.get("status"),
                "lower_bound": c.get("lower_bound_float"),
                "lower_bound_exact": c.get("lower_bound"),
                "limit_rate": self.limit_rate,
                "limit_status": c.get("limit", {}).get("status"),
                "file": self.certificate_file,
            },
            "trace": [[int(e), float(v)] for e, v in self.trace],
            **self.settings,
        }

    @property
    def limit_rate(self) -> float | None:
        """The certified lim R_T/T of a periodic pattern (:mod:`octk.adversary.limit`), or None."""
        lim = self.certificate.get("limit", {})
        return lim.get("rate_float") if lim.get("status") == "certified" else None

    def worse_than_known(self) -> bool:
        """Whether the certified value (the limit rate where certified) beats the known one."""
        if self.known is None or self.certificate.get("status") != "certified":
            return False
        value = self.limit_rate
        if value is None:
            value = self.certificate["lower_bound_float"]
        return bool(value > self.known["value"])

    def plot_trace(self, path: str | Path | None = None, ax: Any = None) -> Any:
        """Best value found against candidates evaluated (PNG/PDF at ``path`` if given)."""
        import matplotlib

        if path is not None:
            matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig = None
        if ax is None:
            fig, ax = plt.subplots(figsize=(5, 3.2))
        ev, best = zip(*self.trace, strict=True)
        ax.step(ev, best, where="post", label="best found")
        if self.known is not None:
            ax.axhline(self.known["value"], ls="--", color="k", label=self.known["name"])
        lb = self.certificate.get("lower_bound_float")
        if lb is not None:
            ax.axhline(lb, ls=":", color="C3", label="certified lower bound")
        ax.set_xlabel("candidates evaluated")
        ax.set_ylabel(self.objective)
        ax.legend(fontsize=7)
        if path is not None and fig is not None:
            fig.tight_layout()
            fig.savefig(path)
            plt.close(fig)
        return ax


def _spec(family: Family, table: np.ndarray, steps: int, out_dir: Path | None, stem: str) -> str:
    """A spec that replays ``table``: ``periodic:values=[...]`` (1-D) or ``array:path=...``."""
    if family.kind == "periodic" and table.shape[1] == 1:
        return "periodic:values=[" + ",".join(repr(float(v)) for v in table[:, 0]) + "]"
    full = table if not family.wrap else np.resize(table, (steps, table.shape[1]))
    base = out_dir if out_dir is not None else Path(tempfile.mkdtemp(prefix="octk-adversary-"))
    path = base / f"{stem}.npy"
    np.save(path, np.ascontiguousarray(full))
    return f"array:path={path}"


def _adaptive_spec(thresholds: np.ndarray, G: float) -> str:
    """``expr`` of c_{t,i} = G if x_{t,i} ≥ b_i else −G (nested over i for d > 1)."""
    body = f"where(x >= {float(thresholds[-1])!r}, {G!r}, {-G!r})"
    for k in range(len(thresholds) - 2, -1, -1):
        leaf = f"where(x >= {float(thresholds[k])!r}, {G!r}, {-G!r})"
        body = f"where(i == {k}, {leaf}, {body})"
    return "expr:c=" + body


def adversary(
    rule: Rule | str,
    *,
    domain: Any = "box:-1,1",
    steps: int,
    family: str = "free",
    bound: Any = 1.0,
    x0: Any = "free",
    objective: str = "regret",
    budget: int = 20000,
    seed: int = 0,
    d: int | None = None,
    params: dict[str, Any] | None = None,
    preset: str = "paper",
    options: dict[str, Any] | None = None,
    restarts: int = 2,
    out: str | Path | None = None,
    backend: str = "numba",
    certify: bool = True,
    certify_steps: int = cert_mod.MAX_STEPS,
) -> AdversaryResult:
    """Search for the sequence maximising ``objective`` against ``rule``, and certify it.

    Parameters
    ----------
    rule : a rule or its name (built with ``preset`` and ``options``).
    domain : the feasible set F (a spec; certificates take box, reals, ball).
    steps : the horizon T.
    family : ``free``, ``periodic:p=P``, ``stochastic`` or ``adaptive``
        (:mod:`octk.adversary.families`).
    bound : G (‖g_t‖∞ ≤ G) or ``"l2:G"`` (‖g_t‖₂ ≤ G).
    x0 : the first iterate (a number or d numbers), or ``"free"``: the adversary's.
    objective : ``regret`` (R_T), ``rate`` ((R_T − R_{T0})/(T − T0)), ``distance``, or
        ``violation:BOUND`` (max_t (R_t − B_t) for a bound of :mod:`octk.bounds`,
        :mod:`octk.adversary.violation`).
    budget : candidates simulated in all; restarts, seed: of the optimiser.
    certify_steps : the longest horizon the certificate re-runs
        (:func:`octk.adversary.certificate.certify`; a periodic pattern's long-run rate
        is certified at any T).
    out : a path for the result JSON; the certificate and any ``.npy`` table are
        written next to it (default: no certificate file; an ``array`` table the
        sequence spec needs goes to a fresh temporary folder).
    """
    if isinstance(rule, Rule):
        if options:
            raise ParameterError(
                "options apply to a registry rule name; a Rule object is already built "
                f"(got options {sorted(options)})"
            )
        r = rule
    else:
        r = make_rule(rule, preset, **(options or {}))
    dom = make_domain(domain)
    steps = check_int("steps", steps, lo=1)
    fam = Family.parse(family)
    gb = bound if isinstance(bound, GradientBound) else GradientBound.parse(bound)
    obj = objectives.parse(objective)
    dim = dom.dim() or (check_int("d", d, lo=1) if d is not None else None)
    free = isinstance(x0, str) and x0.strip() == "free"
    x0_arr = None if free else np.atleast_1d(np.asarray(x0, dtype=np.float64))
    if dim is None:
        dim = x0_arr.size if x0_arr is not None and x0_arr.size > 1 else 1
    if x0_arr is not None:
        x0_arr = np.broadcast_to(x0_arr, (dim,)).copy()
        if not dom.contains(x0_arr[None], tol=1e-12):
            raise ParameterError(f"x0 must lie in the domain {dom.spec()}")
    resolved = {h.name: float((params or {}).get(h.name, h.default)) for h in r.hyperparameters}
    extra = set(params or {}) - set(resolved)
    if extra:
        r.resolve({k: (params or {})[k] for k in extra})  # raises naming the unknown one
    problem = Problem(r, resolved, dom, dim, steps, fam, gb, obj, x0_arr, seed, backend)
    found = search(problem, budget=check_int("budget", budget, lo=1), seed=seed, restarts=restarts)
    tables, x0s = problem.decode(found.theta[None])
    table, x0_best = tables[0], x0s[0]
    out_path = Path(out) if out is not None else None
    if out_path is not None:
        out_path.parent.mkdir(parents=True, exist_ok=True)
    out_dir = out_path.parent if out_path is not None else None
    stem = out_path.stem if out_path is not None else "adversary"
    law = fam.law(found.theta[: fam.size(dim, steps)], dim, gb)
    if fam.kind == "adaptive":
        seq = _adaptive_spec(table[0], gb.per_coordinate(dim))
    else:
        seq = _spec(fam, table, steps, out_dir, stem + "_sequence")
    kind = "threshold" if fam.kind == "adaptive" else "table"
    at = None
    if problem.theorem is not None:  # t*: the checkpoint of the largest margin
        run = problem.batcher.run(tables, x0s)
        at = int(run.t[int(np.argmax(problem.margins(run)[0]))])
    cert = cert_mod.build(problem, table, x0_best, kind=kind, steps=steps, T0=problem.T0, at=at)
    if certify:
        cert_mod.certify(cert, max_steps=certify_steps)
    else:
        cert.update(status="not-run", lower_bound=None)
    cert_file = None
    if out_path is not None:
        cert_file = str(cert_mod.save(cert, out_path.with_name(stem + "_certificate.json")))
    settings = {
        "rule": r.name,
        "preset": r.preset,
        "params": resolved,
        "domain": dom.spec(),
        "d": dim,
        "bound": gb.spec(),
        "seed": seed,
        "budget": budget,
    }
    return AdversaryResult(
        objective=obj,
        value=float(found.value),
        sequence=seq,
        x0=[float(v) for v in x0_best],
        table=table,
        steps=steps,
        T0=problem.T0,
        family=fam.spec(),
        law=law,
        trace=found.trace,
        evaluations=found.evaluations,
        known=known(problem),
        certificate=cert,
        certificate_file=cert_file,
        settings=settings,
    )


__all__ = ["AdversaryResult", "adversary"]
