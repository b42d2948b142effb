r""":func:`audit`: one report on any rule -- counterexamples, structure, bounds, worst case."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from octk.audit import counterexamples as cx
from octk.audit import sections, structure, theorems
from octk.audit.report import AuditReport
from octk.audit.worst import MIN_BUDGET, Certified, certify_pattern, search_worst
from octk.errors import check_int
from octk.rules import Rule
from octk.rules.files import resolve

#: defaults of :func:`audit`
STEPS = 100_000
BOUND_STEPS = 3_000
BUDGET = 300


def _adversary_backend(backend: object) -> str:
    return backend if isinstance(backend, str) and backend in ("numba", "reference") else "numba"


def _failing_certificates(
    rule: Rule,
    families: list[cx.Family],
    params: Mapping[str, float],
    out: Path | None,
    backend: object,
) -> list[Certified]:
    """A certificate for Theorem 1's worst cell at the wrong point (largest R_T/T): its
    pattern C, −1, −1 at that cell's β2 and the settings the family applied."""
    fam = next((f for f in families if f.key == "rkk-thm1"), None)
    if fam is None or fam.verdict != "fails" or fam.settings is None:
        return []
    wrong = [c for c in fam.cells if c["outcome"] == "wrong point"]
    cell = max(wrong, key=lambda c: c["avg_regret"])
    fixed = {k: v for k, v in fam.settings.params.items() if k != "beta2"}
    values: dict[str, float] = {**params, **{k: float(np.asarray(v)) for k, v in fixed.items()}}
    if cell["beta2"] is not None:
        values["beta2"] = float(cell["beta2"])
    where = f"β2 = {cell['beta2']:g}, " if cell["beta2"] is not None else ""
    return [
        certify_pattern(
            rule,
            values,
            [cell["C"], -1.0, -1.0],
            what=f"RKK Theorem 1, {where}C = {cell['C']:g} (the grid's worst wrong-point cell)",
            out=out,
            name="rkk-thm1",
            backend=_adversary_backend(backend),
        )
    ]


def audit(
    rule: Rule | str,
    *,
    preset: str = "paper",
    params: Mapping[str, object] | None = None,
    budget: int = BUDGET,
    seed: int = 0,
    steps: int = STEPS,
    bound_steps: int = BOUND_STEPS,
    out: str | Path | None = None,
    backend: object = "auto",
    options: Mapping[str, object] | None = None,
) -> AuditReport:
    r"""Audit ``rule``: where the published counterexamples send it, what its program
    guarantees, which theorems apply and whether their bounds hold, and its certified
    worst case (see :mod:`octk.audit`).

    Parameters
    ----------
    rule : a :class:`~octk.rules.Rule` (audited as it is: a user's rule works like a
        registry rule) or a registry name (built with ``preset`` and ``options``).
    params : hyperparameters overriding the rule's defaults (checked against their
        ranges); the counterexamples lay their own values over these by name.
    budget, seed : the adversary's candidate sequences (at least
        :data:`~octk.audit.worst.MIN_BUDGET`, one CMA-ES population) and seed (section 4).
    steps : T of the counterexample runs; ``bound_steps``: T of the bound checks.
    out : a folder: ``audit.md`` (figures beside it), ``audit.json`` and the
        certificates are written there (None: nothing is written, no certificate file).
    backend : the simulations' backend (as :func:`octk.simulate`).

    Returns
    -------
    AuditReport
    """
    start = time.perf_counter()
    r = resolve(rule, preset, options)
    values = r.resolve(params)
    budget = check_int("budget", budget, lo=MIN_BUDGET)
    seed = check_int("seed", seed, lo=0)
    steps = check_int("steps", steps, lo=10)
    bound_steps = check_int("bound_steps", bound_steps, lo=1)
    folder = None if out is None else Path(out)
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)

    families = cx.run_all(r, values, steps, backend)
    certs = _failing_certificates(r, families, values, folder, backend)
    claims = structure.check(r, values)
    apply = theorems.applicable(r, values, backend)
    checks = theorems.bound_checks(r, values, apply, bound_steps, backend)
    found = search_worst(
        r, values, budget=budget, seed=seed, out=folder, backend=_adversary_backend(backend)
    )

    parts = (
        sections.counterexamples(families, certs),
        sections.structure(claims, apply, families),
        sections.bounds(checks, apply),
        sections.worst(found),
    )
    gamma = next(c for c in claims if c.claim.name == "audit.gamma")
    summary = {
        "counterexamples": cx.overall(families),
        "counterexample_certificate": certs[0].to_dict() if certs else None,
        "gamma": gamma.outcome.verdict.value,
        "gamma_counterexample": gamma.outcome.counterexample_text() or None,
        "theorems": [a.theorem.name for a in apply if a.holds],
        "bounds_violated": [c.theorem.name for c in checks if c.violated],
        "worst": found.to_dict(),
    }
    settings = {
        "params": values,
        "steps": steps,
        "bound_steps": bound_steps,
        "budget": budget,
        "seed": seed,
        "backend": str(backend),
    }
    report = AuditReport(r, settings, parts, summary, time.perf_counter() - start, folder)
    if folder is not None:
        report.save(folder)
    return report


__all__ = ["BOUND_STEPS", "BUDGET", "STEPS", "audit"]
