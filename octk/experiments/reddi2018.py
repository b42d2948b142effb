r"""Reddi, Kale & Kumar (2018), "On the Convergence of Adam and Beyond": the reproduction.

The experiments are data (:data:`EXPERIMENTS`); :func:`run_reddi2018` runs them
and writes ``figure1.png``, ``theorem1.png``, ``table.md`` and ``results.json``.
Everything is 1-D, on F = [−1, 1] (projection = clip), with linear losses
f_t(x) = c_t x, so the regret against the best point in hindsight is

    R_T = Σ_{t≤T} c_t x_t + |Σ_{t≤T} c_t|          (x* = −sign Σ c_t)

(computed by :func:`octk.regret.regret`). Methods:

* Adam -- ``rule("adam", schedule="sqrt")``, Kingma & Ba's Algorithm 1 (bias
  corrections, ε = 1e-8 outside the root) with α_t = α/√t;
* AMSGrad -- ``rule("amsgrad")``, RKK Algorithm 2 as printed (no bias
  correction, no ε, v̂_t = max(v̂_{t−1}, v_t), α_t = α/√t);
* OGD -- ``rule("ogd")``, x_{t+1} = Π_F(x_t − α g_t/√t) (Theorem 1, C = 3 only).

Cases (theory §5–§7):

* Theorem 1: c_t = C if t mod 3 = 1 else −1, β1 = 0, β2 = 1/(1 + C²); Adam goes
  to x = +1 with R_T/T → (2C − 4)/3 although x* = −1. C = 3: α = 0.1, x_1 = 0;
  C = 10: α = 0.5, x_1 = 1; T = 3·10⁵.
* §5 online: c_t = 1010 if t mod 101 = 1 else −10; β1 = 0.9, β2 = 0.99; Adam's
  R_t/t → 20/101 (x_t → +1), AMSGrad's → 0. T = 6·10⁶.
* §5 stochastic: c_t = 1010 with probability 0.01 else −10 (E c = 0.2 > 0, so
  x* = −1); same hyperparameters, several seeds run as one batch; mean ± sd.

RKK do not state the step size of their §5 experiments; octk uses α_t = 1/√t
there and says so in every output.
"""

from __future__ import annotations

import json
import math
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from octk.errors import check_int, check_real
from octk.regret import regret
from octk.rules import rule
from octk.simulate import simulate

PAPER = 'Reddi, Kale & Kumar, "On the Convergence of Adam and Beyond" (ICLR 2018)'
DOMAIN = "box:-1,1"


def beta2_theorem1(C: float) -> float:
    """β2 = 1/(1 + C²), the value RKK's Theorem 1 uses (as a float)."""
    return 1.0 / (1.0 + float(C) * float(C))


@dataclass(frozen=True)
class Method:
    """One optimizer of an experiment and what the paper / theory §7 expect of it.

    ``end`` is the end of [−1, 1] that x_t should approach; ``ref`` the value of
    R_T/T an independent float64 simulation gave at the full T (None: no number),
    within ``tol`` (absolute).
    """

    label: str
    rule: str
    options: dict = field(default_factory=dict)
    expected: str = ""
    end: float = -1.0
    ref: float | None = None
    tol: float = 0.0


@dataclass(frozen=True)
class Experiment:
    """One loss sequence, its hyperparameters and the methods run on it."""

    key: str
    title: str
    sequence: str
    steps: int
    x0: float
    params: dict
    step_size: str
    methods: tuple[Method, ...]
    stochastic: bool = False


ADAM = ("Adam", "adam", {"schedule": "sqrt"})
AMSGRAD = ("AMSGrad", "amsgrad", {})
OGD = ("OGD", "ogd", {})


def _m(spec, expected, end, ref=None, tol=0.0) -> Method:
    label, name, options = spec
    return Method(label, name, dict(options), expected, end, ref, tol)


EXPERIMENTS: tuple[Experiment, ...] = (
    Experiment(
        key="thm1-C3",
        title="Theorem 1, C = 3",
        sequence="reddi-thm1:C=3",
        steps=300_000,
        x0=0.0,
        params={"alpha": 0.1, "beta1": 0.0, "beta2": beta2_theorem1(3)},
        step_size="α_t = 0.1/√t",
        methods=(
            _m(ADAM, "x → +1 (from t ≈ 10³); R_t/t → 2/3 (0.6666 at 3·10⁵)", +1, 0.6666, 0.002),
            _m(
                AMSGRAD,
                "x → −1 (−0.9991 at 6·10³); R_t/t → 0 (0.0008 at 3·10⁵)",
                -1,
                0.0008,
                0.0005,
            ),
            _m(OGD, "x → −1 (−0.9974 at 6·10³); R_t/t → 0", -1),
        ),
    ),
    Experiment(
        key="thm1-C10",
        title="Theorem 1, C = 10",
        sequence="reddi-thm1:C=10",
        steps=300_000,
        x0=1.0,
        params={"alpha": 0.5, "beta1": 0.0, "beta2": beta2_theorem1(10)},
        step_size="α_t = 0.5/√t",
        methods=(
            _m(ADAM, "x → +1; R_t/t → (2C−4)/3 = 5.333 (5.334 at 3·10⁵)", +1, 5.334, 0.005),
            _m(AMSGRAD, "x → −1 (3-step drift −0.804·α/√(3t)); R_t/t → 0", -1),
        ),
    ),
    Experiment(
        key="online",
        title="§5 online (Figure 1 left, centre)",
        sequence="reddi-synthetic",
        steps=6_000_000,
        x0=0.0,
        params={"alpha": 1.0, "beta1": 0.9, "beta2": 0.99},
        step_size="α_t = 1/√t (RKK: not stated)",
        methods=(
            _m(ADAM, "x → +1; R_t/t 0.2225 at 6·10⁶ (→ 20/101 ≈ 0.198)", +1, 0.2225, 0.005),
            _m(AMSGRAD, "x → −1 (−0.995 at 10⁶); R_t/t → 0 (0.027 at 6·10⁶)", -1, 0.027, 0.003),
        ),
    ),
    Experiment(
        key="stochastic",
        title="§5 stochastic (Figure 1 right)",
        sequence="reddi-synthetic-stochastic",
        steps=6_000_000,
        x0=0.0,
        params={"alpha": 1.0, "beta1": 0.9, "beta2": 0.99},
        step_size="α_t = 1/√t (RKK: not stated)",
        methods=(
            _m(ADAM, "x ≈ +1; R_t/t ≈ 0.4 in expectation (± 0.08 at 6·10⁶)", +1, 0.4, 0.08),
            _m(AMSGRAD, "x → −1 (RKK Figure 1 right; no number in theory §7)", -1),
        ),
        stochastic=True,
    ),
)

STEP_SIZES = "step sizes: " + "; ".join(f"{e.title}: {e.step_size}" for e in EXPERIMENTS)
FILES = ("figure1.png", "theorem1.png", "table.md", "results.json")


def _steps(full: int, scale: float) -> int:
    return max(10, round(full * scale))


def _stats(v: np.ndarray) -> tuple[float, float]:
    v = np.asarray(v, dtype=np.float64).ravel()
    return float(v.mean()), (float(v.std(ddof=1)) if v.size > 1 else 0.0)


def _check(m: Method, x_mean: float, avg_mean: float, full_scale: bool) -> str:
    """'ok' / 'DIFFERS' against the expected end of [−1, 1] and R_T/T; 'n/a' at reduced T.

    The expectations are limits (or values at the paper's T), so a run at a
    reduced T is not judged.
    """
    if not full_scale:
        return "n/a (reduced T)"
    side_ok = np.sign(x_mean) == np.sign(m.end) and abs(x_mean - m.end) < 0.5
    parts = [f"x {'→' if side_ok else '↛'} {m.end:+.0f}"]
    ok = side_ok
    if m.ref is not None:
        close = abs(avg_mean - m.ref) <= m.tol
        ok = ok and close
        parts.append(f"R/T {'≈' if close else '≠'} {m.ref:g}")
    return ("ok" if ok else "DIFFERS") + " (" + ", ".join(parts) + ")"


def _run_one(
    exp: Experiment, m: Method, steps: int, seeds: int, backend, progress: bool, dtype: str
):
    r = rule(m.rule, "paper", **m.options)
    params = {k: v for k, v in exp.params.items() if k in r.hyper_names}
    seed = np.arange(seeds) if exp.stochastic else 0
    t0 = time.perf_counter()
    traj = simulate(
        r,
        exp.sequence,
        DOMAIN,
        steps=steps,
        x0=exp.x0,
        params=params,
        seed=seed,
        backend=backend,
        progress=progress,
        dtype=dtype,
    )
    reg = regret(traj)
    return r, params, traj, reg, time.perf_counter() - t0


def _fmt(mean: float, sd: float, n: int, digits: int = 4) -> str:
    if n > 1:
        return f"{mean:.{digits}f} ± {sd:.{digits}f}"
    return f"{mean:.{digits}f}"


def markdown_table(rows: list[dict]) -> str:
    """The rows as a markdown table (the one ``octk reproduce reddi2018`` prints)."""
    head = [
        "experiment",
        "method",
        "T",
        "x_T",
        "R_T/T",
        "step size",
        "expected (theory §7)",
        "check",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [
            r["experiment"],
            r["method"],
            f"{r['T']:,}",
            r["x_T_text"],
            r["avg_regret_text"],
            r["step_size"],
            r["expected"],
            r["check"],
        ]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def _curves(traj, reg) -> dict:
    return {
        "t": reg.t.tolist(),
        "avg_regret": reg.average.tolist(),
        "x": traj.x[:, :, 0].tolist(),
    }


def _finite(obj):
    """JSON-safe copy: non-finite floats become None."""
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def run_reddi2018(
    out_dir,
    *,
    scale: float = 1.0,
    backend="numba",
    progress: bool = True,
    seeds: int = 8,
    dtype: str = "float64",
) -> dict:
    r"""Run every experiment of :data:`EXPERIMENTS` and write the figures, table and JSON.

    Parameters
    ----------
    out_dir : folder for ``figure1.png``, ``theorem1.png``, ``table.md``, ``results.json``.
    scale : multiplies every T (a quick look: 0.01; the tests: 0.001); the
        expected numbers of theory §7 are compared only at scale 1.
    backend : a name of :data:`octk.backends.BACKENDS` (default ``"numba"``; ``"auto"``,
        the CLI's default, picks per run by its size: ``"cupy"`` for large runs where a
        GPU is visible, else ``"numba"``) or a backend object (see
        :func:`octk.simulate.simulate`); the outputs record the backends that ran.
    dtype : ``"float64"`` (default) or ``"float32"`` (backends numba, cupy and cuda-host).
    progress : progress bars on stderr.
    seeds : seeds of the stochastic experiment (run as one batch, ``seed=arange(seeds)``).

    Returns
    -------
    dict with ``rows`` (one per experiment × method: experiment, method, T,
    x_T and R_T/T (mean, sd over seeds), step size, expected, check), ``files``,
    ``step_sizes``, ``scale``, ``backend`` (the backends that ran), ``dtype``, ``seeds``,
    ``wall_s``.
    """
    from octk.plots import plot_figure1, plot_theorem1

    scale = check_real("scale", scale, lo=0, lo_open=True)
    seeds = check_int("seeds", seeds, lo=1)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    full = scale == 1.0
    started = time.perf_counter()

    runs = [(e, m) for e in EXPERIMENTS for m in e.methods]
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(runs), unit="run", desc="reddi2018", leave=False)
    rows: list[dict] = []
    ran: set[str] = set()  # the backends that ran (`auto` picks per run)
    results: dict[str, dict[str, tuple]] = {}
    curves: dict[str, dict[str, dict]] = {}
    for exp, m in runs:
        steps = _steps(exp.steps, scale)
        if bar is not None:
            bar.set_postfix_str(f"{exp.key}/{m.label} T={steps:,}")
        r, params, traj, reg, wall = _run_one(exp, m, steps, seeds, backend, progress, dtype)
        ran.add(traj.backend)
        results.setdefault(exp.key, {})[m.label] = (traj, reg)
        curves.setdefault(exp.key, {})[m.label] = _curves(traj, reg)
        n = traj.n_configs
        x_mean, x_sd = _stats(traj.x_final[:, 0])
        avg_mean, avg_sd = _stats(reg.average[:, -1])
        reg_mean, _ = _stats(reg.regret[:, -1])
        rows.append(
            {
                "experiment": exp.title,
                "key": exp.key,
                "method": m.label,
                "rule": repr(r),
                "sequence": exp.sequence,
                "T": steps,
                "x0": exp.x0,
                "params": {k: float(v) for k, v in {**r.defaults, **params}.items()},
                "seeds": n,
                "x_T": x_mean,
                "x_T_sd": x_sd,
                "avg_regret": avg_mean,
                "avg_regret_sd": avg_sd,
                "regret": reg_mean,
                "x_T_text": _fmt(x_mean, x_sd, n),
                "avg_regret_text": _fmt(avg_mean, avg_sd, n),
                "step_size": exp.step_size,
                "expected": m.expected + ("" if full else " [at full T]"),
                "expected_end": m.end,
                "expected_avg_regret": m.ref,
                "check": _check(m, x_mean, avg_mean, full),
                "comparator": reg.solver,
                "wall_s": wall,
            }
        )
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()

    files = {name: out / name for name in FILES}
    c3, c10 = EXPERIMENTS[0], EXPERIMENTS[1]
    note = "" if full else f" (scale {scale:g}: T = {scale:g} × the paper's)"
    plot_theorem1(
        {"C = 3": results[c3.key], "C = 10": results[c10.key]},
        files["theorem1.png"],
        limits={"C = 3": {"Adam": 2 / 3}, "C = 10": {"Adam": 16 / 3}},
        title=f"RKK Theorem 1: Adam (β1 = 0, β2 = 1/(1+C²)) vs AMSGrad, α_t = α/√t{note}",
    )
    plot_figure1(
        {"online": results["online"], "stochastic": results["stochastic"]},
        files["figure1.png"],
        limits={"Adam": 20 / 101},
        title=f"RKK Figure 1: β1 = 0.9, β2 = 0.99, α_t = 1/√t (RKK do not state α){note}",
    )
    backend_name = ", ".join(sorted(ran))
    wall_s = time.perf_counter() - started

    table = markdown_table(rows)
    md = [
        f"# Reproduction of {PAPER}",
        "",
        f"{STEP_SIZES}.",
        "",
        table,
        "",
        "- F = [−1, 1], 1-D, linear losses; R_T = Σ f_t(x_t) − min_{x∈F} Σ f_t(x) "
        "(closed form); x_T is the iterate after T steps.",
        "- Adam: Kingma & Ba Algorithm 1 (bias-corrected, ε = 1e-8) with α_t = α/√t; "
        "AMSGrad: RKK Algorithm 2 as printed (no bias correction, no ε).",
        f"- §5 stochastic: {seeds} seeds (batched), mean ± sd (ddof = 1).",
        f"- backend {backend_name} ({dtype}), scale {scale:g}; wall time {wall_s:.1f} s.",
    ]
    if not full:
        md.append("- Reduced T: the expected numbers refer to the full T and are not checked.")
    files["table.md"].write_text("\n".join(md) + "\n")

    summary = {
        "paper": PAPER,
        "step_sizes": STEP_SIZES,
        "scale": scale,
        "backend": backend_name,
        "dtype": dtype,
        "seeds": seeds,
        "domain": DOMAIN,
        "rows": rows,
        "curves": curves,
        "wall_s": wall_s,
        "python": platform.python_version(),
        "files": {k: str(v) for k, v in files.items()},
    }
    files["results.json"].write_text(json.dumps(_finite(summary), indent=1, ensure_ascii=False))
    return {
        "rows": rows,
        "table": table,
        "files": {k: str(v) for k, v in files.items()},
        "out_dir": str(out),
        "step_sizes": STEP_SIZES,
        "scale": scale,
        "backend": backend_name,
        "dtype": dtype,
        "seeds": seeds,
        "wall_s": wall_s,
    }


__all__ = [
    "EXPERIMENTS",
    "FILES",
    "STEP_SIZES",
    "Experiment",
    "Method",
    "beta2_theorem1",
    "markdown_table",
    "run_reddi2018",
]
