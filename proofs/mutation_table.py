r"""The claim × mutation table: every claim checked on every mutant of its paper rule.

Each cell is the verdict of :meth:`~proofs.claim.Claim.check` on the mutated rule and the
method that reached it, marked against the claim's declarations: a mutation the claim
``detects`` must give ``refuted`` or ``undecided`` by a method that ran; one it
``survives`` must still be ``proved``; ``error`` is never a detection.

    python -m proofs.mutation_table              # every claim, Markdown
    python -m proofs.mutation_table rkk          # claims matching a pattern
    python -m proofs.mutation_table --json

A mutation that does not rewrite the claim's rule (AdamNC's g²/t in Adam) is ``·``; a
claim that does not read the rule (``reads_rule=False``, the papers' algebra alone)
is not run on mutants (``=``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass

from proofs import claims as registered
from proofs.claim import Claim, Outcome, Verdict
from proofs.mutations import EVERY_MUTATION

_SHORT = {
    Verdict.PROVED: "P",
    Verdict.REFUTED: "R",
    Verdict.UNDECIDED: "U",
    Verdict.NOT_APPLICABLE: "NA",
    Verdict.ERROR: "ERROR",
}


@dataclass(frozen=True)
class Cell:
    """One claim on one mutant: ``outcome`` is None where the mutation does not rewrite the
    claim's rule or the claim does not read the rule (``status`` says which)."""

    claim: Claim
    mutation: str
    outcome: Outcome | None
    status: str  # "run", "does not apply", "rule-free"

    @property
    def declared(self) -> str:
        """``detects``, ``survives`` or ``""`` (not declared) for this mutation."""
        if self.mutation in self.claim.detects:
            return "detects"
        if self.mutation in self.claim.survives:
            return "survives"
        return ""

    @property
    def as_declared(self) -> bool:
        """The cell agrees with the declarations: a declared detection is detected (refuted or
        undecided by a method), a declared survival is proved, no cell is an error, and a
        claim expected proved is never proved on a mutant it does not declare it survives."""
        o = self.outcome
        if o is None:
            return not self.declared
        if o.verdict is Verdict.ERROR:
            return False
        if self.declared == "detects":
            return o.detects
        if self.declared == "survives":
            return o.proved
        return not o.proved

    def text(self) -> str:
        if self.outcome is None:
            body = "·" if self.status == "does not apply" else "="
            return body if self.as_declared else f"{body} ⚠"
        o = self.outcome
        code = _SHORT[o.verdict]
        body = code if o.proved or not o.reached else f"{code} {o.method}"
        if self.declared == "detects":
            body = f"**{body}**"
        elif self.declared == "survives":
            body = f"*{body}*"
        return body if self.as_declared else f"{body} ⚠"


def cells(selected: Iterable[Claim], mutations: Iterable[str] | None = None) -> list[Cell]:
    """Every (claim, mutation) cell, in claim order then mutation order."""
    names = list(EVERY_MUTATION) if mutations is None else list(mutations)
    out = []
    for c in selected:
        base = c.rule()
        for m in names:
            try:
                mutated = EVERY_MUTATION[m](base)
            except ValueError:
                out.append(Cell(c, m, None, "does not apply"))
                continue
            if not c.reads_rule:
                out.append(Cell(c, m, None, "rule-free"))
                continue
            out.append(Cell(c, m, c.check(mutated), "run"))
    return out


def markdown(table: list[Cell]) -> str:
    """The cells as a Markdown table (a row per claim, a column per mutation) and a legend."""
    names = list(dict.fromkeys(c.mutation for c in table))
    rows: dict[str, list[str]] = {}
    for c in table:
        rows.setdefault(c.claim.name, []).append(c.text().replace("|", "\\|"))
    head = "| claim | " + " | ".join(n.replace("|", "\\|") for n in names) + " |"
    lines = [head, "|---" * (len(names) + 1) + "|"]
    lines += [f"| `{name}` | " + " | ".join(cols) + " |" for name, cols in rows.items()]
    lines += [
        "",
        "P proved, R refuted, U undecided (with the method that reached it), NA not "
        "applicable, ERROR a crash; **bold**: declared detected, *italic*: declared "
        "survived (the claim's `survives` says why); · the mutation does not rewrite the "
        "claim's rule; = the claim does not read the rule; ⚠ disagrees with the declarations.",
    ]
    return "\n".join(lines)


def as_json(table: list[Cell]) -> list[dict]:
    return [
        {
            "claim": c.claim.name,
            "mutation": c.mutation,
            "status": c.status,
            "declared": c.declared or None,
            "verdict": c.outcome.verdict.value if c.outcome else None,
            "method": c.outcome.method if c.outcome else None,
            "detail": c.outcome.detail if c.outcome else None,
            "as_declared": c.as_declared,
        }
        for c in table
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m proofs.mutation_table", description=__doc__)
    parser.add_argument("pattern", nargs="?", default=None, help="claims matching (a glob)")
    parser.add_argument("--json", action="store_true", help="one JSON list of cells")
    args = parser.parse_args(argv)
    table = cells(registered(args.pattern))
    print(json.dumps(as_json(table), indent=1) if args.json else markdown(table))
    return 0 if all(c.as_declared for c in table) else 1


if __name__ == "__main__":
    sys.exit(main())
