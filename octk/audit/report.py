r"""The :class:`AuditReport`: four sections, as Markdown (figures beside it), JSON and a repr.

Each :class:`Section` carries its one-line summary (the report's repr has one line per
section), its Markdown body, its JSON-ready data and the figures it draws. The
:attr:`AuditReport.summary` is what the zoo table reads: the counterexample outcome
(with its certificate), the Γ_t verdict and the worst certified average regret.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from octk.rules import Rule

MARKDOWN = "audit.md"
JSON = "audit.json"


@dataclass(frozen=True)
class Section:
    """One section: ``key`` (counterexamples, structure, bounds, worst), title, one-line
    summary, Markdown body, JSON data and figures (file name -> drawer(path))."""

    key: str
    title: str
    line: str
    body: str
    data: dict
    figures: dict[str, Callable[[Path], object]] = field(default_factory=dict)


def _finite(obj: object) -> object:
    """JSON-safe copy: non-finite floats become None."""
    if isinstance(obj, dict):
        return {str(k): _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


@dataclass(frozen=True)
class AuditReport:
    """What :func:`octk.audit.audit` found for one rule (see :mod:`octk.audit`).

    ``settings``: the audited hyperparameters and the run's sizes (T, budget, seed,
    backend); ``summary``: the zoo table's cells; ``out``: the folder the report was
    written to (None: not written).
    """

    rule: Rule
    settings: dict
    sections: tuple[Section, ...]
    summary: dict
    wall_s: float
    out: Path | None = None

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(f"no section {key!r} (sections: {[s.key for s in self.sections]})")

    def __repr__(self) -> str:
        head = f"AuditReport({self.rule.name} [{self.rule.preset}], {self.wall_s:.1f} s)"
        return "\n".join([head, *(f"  {s.key:<16} {s.line}" for s in self.sections)])

    def to_dict(self) -> dict:
        """Plain values (non-finite floats as None): rule, settings, summary, sections."""
        return _finite(
            {
                "rule": self.rule.name,
                "title": self.rule.title,
                "preset": self.rule.preset,
                "settings": self.settings,
                "summary": self.summary,
                "sections": {
                    s.key: {"title": s.title, "summary": s.line, **s.data} for s in self.sections
                },
                "wall_s": round(self.wall_s, 2),
            }
        )  # type: ignore[return-value]

    def to_markdown(self, path: str | Path | None = None) -> str:
        """The report as Markdown; with ``path``, written there and its figures saved
        beside it (same folder), the Markdown linking them by file name."""
        target = None if path is None else Path(path)
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
        r = self.rule
        params = ", ".join(f"{k} = {v:g}" for k, v in self.settings["params"].items())
        lines = [
            f"# octk audit: {r.title}",
            "",
            f"rule `{r.name}` (preset {r.preset}); hyperparameters: {params or 'none'}; "
            f"T = {self.settings['steps']:,} (counterexamples), {self.settings['bound_steps']:,} "
            f"(bound checks); adversary budget {self.settings['budget']}, seed "
            f"{self.settings['seed']}; backend {self.settings['backend']}; "
            f"{self.wall_s:.1f} s.",
            "",
            "```",
            r.describe(),
            "```",
            "",
        ]
        for k, s in enumerate(self.sections, start=1):
            lines += [f"## {k}. {s.title}", "", f"**{s.line}**", "", s.body.rstrip(), ""]
            for name, draw in s.figures.items():
                if target is not None:
                    draw(target.parent / name)
                    lines += [f"![{s.title}]({name})", ""]
        text = "\n".join(lines).rstrip() + "\n"
        if target is not None:
            target.write_text(text)
        return text

    def save(self, out: str | Path) -> dict[str, str]:
        """Write ``audit.md`` (figures beside it) and ``audit.json`` into ``out``; the
        files written by name."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        self.to_markdown(out / MARKDOWN)
        (out / JSON).write_text(json.dumps(self.to_dict(), indent=1, ensure_ascii=False) + "\n")
        files = {"markdown": str(out / MARKDOWN), "json": str(out / JSON)}
        for s in self.sections:
            files.update({name: str(out / name) for name in s.figures})
        return files


__all__ = ["JSON", "MARKDOWN", "AuditReport", "Section"]
