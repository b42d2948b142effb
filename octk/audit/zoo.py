r"""The zoo table: :func:`~octk.audit.audit` over every zoo rule at its paper defaults.

One row per rule of :func:`octk.rules.zoo_names` (the published Adam fixes, each at its
paper's preset and defaults):

* **counterexamples** -- ``fails`` only with a certificate: the failing Theorem 1 cell's
  pattern re-run exactly (``octk certify FILE`` re-checks it), with its certified
  rate; a wrong point seen in simulation alone is marked *uncertified*; otherwise
  ``converges`` / ``undecided`` (octk found no failing sequence);
* **Γ_t ⪰ 0** -- proved / refuted (the exact counterexample) / undecided / not applicable;
* **worst certified average regret** -- the adversary's certified lower bound on
  (R_T − R_T0)/(T − T0) and, where certified, lim R_T/T, with the certificate file;
* the theorems whose structural hypotheses hold at those defaults.

Each rule's full report goes to ``OUT/<rule>/`` (``audit.md``, ``audit.json``,
certificates); the table to ``OUT/zoo.md`` and ``OUT/zoo.json``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from octk.audit.core import BOUND_STEPS, BUDGET, STEPS, audit
from octk.audit.report import AuditReport

HEADER = ("rule", "counterexamples", "Γ_t ⪰ 0", "worst certified average regret", "theorems")


def _link(file: str | None, root: Path) -> str:
    if not file:
        return ""
    p = Path(file)
    try:
        p = p.relative_to(root)
    except ValueError:
        pass
    return f" ([certificate]({p.as_posix()}))"


def row(report: AuditReport, root: Path) -> dict:
    """The zoo table's cells for one audit (``root``: the folder links are relative to)."""
    s = report.summary
    cert = s["counterexample_certificate"]
    outcome = s["counterexamples"]
    if outcome == "fails" and cert and cert["status"] == "certified":
        rate = cert["limit_rate"] if cert["limit_status"] == "certified" else None
        shown = (
            f"lim R_T/T = {rate:.4g}"
            if rate is not None
            else (f"rate ≥ {cert['rate_lower_bound']:.4g} at T")
        )
        counter = f"fails: `{cert['sequence']}`, {shown}{_link(cert['file'], root)}"
    elif outcome == "fails":
        fams = report.section("counterexamples").data["families"]
        failing = ", ".join(f["family"] for f in fams if f["verdict"] == "fails")
        counter = f"wrong point in simulation only ({failing}; uncertified)"
    else:
        counter = f"{outcome} (no failing sequence found)"
    gamma = s["gamma"]
    if s["gamma_counterexample"]:
        gamma += f" (`{s['gamma_counterexample']}`)"
    w = s["worst"]
    if w["status"] == "certified":
        worst = f"≥ {w['rate_lower_bound']:.4g} at T"
        if w["limit_status"] == "certified" and w["limit_rate"] is not None:
            worst += f"; lim = {w['limit_rate']:.4g}"
        worst += _link(w["file"], root)
    else:
        worst = f"not certified ({w['status']})"
    return {
        "rule": report.rule.name,
        "title": report.rule.title,
        "counterexamples": counter,
        "gamma": gamma,
        "worst": worst,
        "theorems": ", ".join(s["theorems"]) or "none",
        "summary": s,
    }


@dataclass(frozen=True)
class ZooTable:
    """The rows (see :func:`row`) and the settings they were made with."""

    rows: tuple[dict, ...]
    settings: dict

    def markdown(self) -> str:
        lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
        for r in self.rows:
            cells = (
                f"`{r['rule']}` {r['title']}",
                r["counterexamples"],
                r["gamma"],
                r["worst"],
                r["theorems"],
            )
            lines.append("| " + " | ".join(cells) + " |")
        s = self.settings
        lines += [
            "",
            f"Paper defaults; counterexamples T = {s['steps']:,}; adversary budget "
            f"{s['budget']}, seed {s['seed']} (periodic p = 3, |c_t| ≤ 3, T = 300, x_1 = 0); "
            "every certificate re-checks with `octk certify FILE`.",
        ]
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict:
        return {"settings": self.settings, "rows": [dict(r) for r in self.rows]}


def zoo_table(
    out: str | Path,
    *,
    names: Iterable[str] | None = None,
    budget: int = BUDGET,
    seed: int = 0,
    steps: int = STEPS,
    bound_steps: int = BOUND_STEPS,
    backend: object = "auto",
    progress: Callable[[str], None] | None = None,
) -> ZooTable:
    """Audit every zoo rule (default: :func:`octk.rules.zoo_names`) at its paper defaults;
    write each report to ``out/<rule>/`` and the table to ``out/zoo.md``, ``out/zoo.json``.
    ``progress`` is called with each rule's name before its audit."""
    import octk.rules

    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    if names is None:
        # zoo_names is the zoo's registry (octk.rules); read when the table is made
        listed: Callable[[], Iterable[str]] = getattr(octk.rules, "zoo_names")  # noqa: B009
        names = listed()
    chosen = tuple(names)
    rows = []
    for name in chosen:
        if progress is not None:
            progress(name)
        rep = audit(
            name,
            budget=budget,
            seed=seed,
            steps=steps,
            bound_steps=bound_steps,
            out=root / name,
            backend=backend,
        )
        rows.append(row(rep, root))
    settings = {
        "budget": budget,
        "seed": seed,
        "steps": steps,
        "bound_steps": bound_steps,
        "backend": str(backend),
        "rules": list(chosen),
    }
    table = ZooTable(tuple(rows), settings)
    (root / "zoo.md").write_text(table.markdown())
    (root / "zoo.json").write_text(
        json.dumps(table.to_dict(), indent=1, ensure_ascii=False, default=str) + "\n"
    )
    return table


__all__ = ["HEADER", "ZooTable", "row", "zoo_table"]
