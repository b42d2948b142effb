r"""The four sections of an audit as text and data (:class:`~octk.audit.report.Section`).

Nothing is computed here: each function renders what :mod:`~octk.audit.counterexamples`,
:mod:`~octk.audit.structure`, :mod:`~octk.audit.theorems` and :mod:`~octk.audit.worst`
found. A part that does not apply says why, in its place.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from octk.audit.counterexamples import CLASSIFICATION, Family, overall
from octk.audit.report import Section
from octk.audit.theorems import DOMAIN, INSTANCE, Applicability, BoundCheck
from octk.audit.worst import Certified
from proofs.claim import Result


def _num(v: object) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _family_table(fam: Family) -> list[str]:
    keys = [
        k
        for k in ("beta2", "C", "x_T", "x_late", "x_star", "avg_regret", "outcome")
        if any(k in c for c in fam.cells)
    ]
    head = {
        "beta2": "β2",
        "C": "C",
        "x_T": "x_T",
        "x_late": "x̄_late",
        "x_star": "x*",
        "avg_regret": "R_T/T",
        "outcome": "outcome",
    }
    lines = ["| " + " | ".join(head[k] for k in keys) + " |", "|" + "---|" * len(keys)]
    for c in fam.cells:
        lines.append("| " + " | ".join(_num(c.get(k)) for k in keys) + " |")
    return lines


def counterexamples(families: list[Family], certs: list[Certified]) -> Section:
    """Section 1: every family's verdict, its settings and cells, the certificates."""
    verdict = overall(families)
    shown = ", ".join(f"{f.key} {f.verdict}" for f in families)
    body = [f"Classification: {CLASSIFICATION}.", ""]
    for fam in families:
        body += [f"### {fam.title}: {fam.verdict}", ""]
        if fam.verdict == "skipped":
            body += [f"Skipped: {fam.reason}.", ""]
            continue
        assert fam.settings is not None
        body += [f"T = {fam.steps:,}; {fam.settings.note()}.", "", *_family_table(fam), ""]
    if certs:
        body += ["### Certificates (re-check with `octk certify FILE`)", ""]
        for c in certs:
            where = f" — `{c.file}`" if c.file else " (not written: no output folder)"
            body.append(f"- {c.what}: `{c.sequence}`: {c.text()}{where}")
        body.append("")
    data = {
        "verdict": verdict,
        "classification": CLASSIFICATION,
        "families": [f.to_dict() for f in families],
        "certificates": [c.to_dict() for c in certs],
    }

    def draw(path: Path) -> object:
        from octk.audit.figures import counterexamples_figure  # matplotlib, on first use

        return counterexamples_figure(families, path)

    figs: dict[str, Callable[[Path], object]] = {"counterexamples.png": draw}
    return Section(
        "counterexamples", "Counterexamples", f"{verdict} ({shown})", "\n".join(body), data, figs
    )


def observed_gamma(families: list[Family]) -> str:
    """What the Theorem 1 grid's runs saw of Γ_t (an instance, beside the claim)."""
    fam = next((f for f in families if f.key == "rkk-thm1"), None)
    if fam is None or not fam.cells or fam.cells[0].get("gamma_negative") is None:
        return "Γ_t was not monitored on the runs: the rule's step is not η_t·M_t."
    bad = [c for c in fam.cells if c["gamma_negative"]]
    if not bad:
        return (
            f"Observed on RKK Theorem 1's grid (T = {fam.steps:,}, instance): Γ_t ≥ 0 at every "
            f"step of all {len(fam.cells)} cells (float64, monitors)."
        )
    first = min(c["gamma_first"] for c in bad)
    return (
        f"Observed on RKK Theorem 1's grid (T = {fam.steps:,}, instance): Γ_t < 0 in "
        f"{len(bad)} of {len(fam.cells)} cells, the first at t = {first} (float64, monitors)."
    )


def structure(results: list[Result], apply: list[Applicability], families: list[Family]) -> Section:
    """Section 2: the structural claims (as ``octk verify`` states them), Γ_t as the
    counterexample runs saw it, and which theorems' structural hypotheses hold."""
    body = []
    for r in results:
        body += [r.markdown(steps=False), ""]
        if r.claim.name == "audit.gamma":
            body += [observed_gamma(families), ""]
    body += ["### Published theorems: structural hypotheses", ""]
    body += ["| theorem | structural hypotheses | failing |", "|---|---|---|"]
    for a in apply:
        failing = "; ".join(c.name for c in a.failing) or "—"
        body.append(
            f"| `{a.theorem.name}` {a.theorem.title} | "
            f"{'hold' if a.holds else 'fail'} | {failing} |"
        )
    holds = [a.theorem.name for a in apply if a.holds]
    verdicts = {r.claim.name.removeprefix("audit."): r.outcome.verdict.value for r in results}
    line = ", ".join(f"{k} {v}" for k, v in verdicts.items())
    line += f"; theorems applying: {', '.join(holds) or 'none'}"
    data = {
        "claims": [r.as_dict() for r in results],
        "gamma_observed": observed_gamma(families),
        "theorems": [a.to_dict() for a in apply],
    }
    return Section("structure", "Structural facts", line, "\n".join(body), data)


def bounds(checks: list[BoundCheck], apply: list[Applicability]) -> Section:
    """Section 3: ``octk check`` for every theorem whose structural hypotheses hold."""
    if not checks:
        why = "; ".join(f"{a.theorem.name}: {', '.join(c.name for c in a.failing)}" for a in apply)
        body = f"No theorem applies: every theorem has a structural hypothesis that fails ({why})."
        return Section(
            "bounds", "Bound checks", "no theorem applies", body, {"applies": [], "reason": body}
        )
    lines = [
        f"Instance: `{INSTANCE}` on `{DOMAIN}`, x_1 = 0, the bound evaluated at every T "
        "(as `octk check` does).",
        "",
    ]
    for c in checks:
        lines += [f"- `{c.theorem.name}` ({c.theorem.title}): {c.verdict}"]
    broken = [c.theorem.name for c in checks if c.violated]
    line = f"{len(checks)} checked; violated: {', '.join(broken) or 'none'}"
    data = {"applies": [c.theorem.name for c in checks], "checks": [c.to_dict() for c in checks]}
    return Section("bounds", "Bound checks", line, "\n".join(lines), data)


def worst(found: Certified) -> Section:
    """Section 4: the adversary's certified worst periodic pattern."""
    where = f"certificate: `{found.file}`" if found.file else "certificate not written (no --out)"
    body = (
        f"{found.what}: `{found.sequence}` on `box:-1,1` from x_1 = 0.\n\n"
        f"Certified: {found.text()}; {where}."
    )
    return Section("worst", "Worst case (adversary)", found.text(), body, found.to_dict())


__all__ = ["bounds", "counterexamples", "observed_gamma", "structure", "worst"]
