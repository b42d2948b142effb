r"""What ``octk verify`` prints: the claims' table, its summary line, and the JSON object.

Each row shows a claim's scope (identity / instance / general), its basis (a formula
the paper prints, octk's reading of the paper's words, or octk's own observation),
its source, its time, and its verdict *as shown* (:attr:`proofs.claim.Result.shown`):
a proved check whose premises are not all proved reads ``proved: the assembly, given
t41.lemma_10_3 (refuted), ...``, never plain ``proved``. Claims with premises list them
with their verdicts; ``error`` and ``not applicable`` are verdicts like the others,
shown with their detail, and make the run fail (they are never the expected verdict).

>>> import proofs
>>> from proofs import report
>>> results = proofs.run("bias.v_unrolled")
>>> print(report.summary(results, 0.1))
1 of 1 claims as expected (0.1 s)
>>> report.as_json(results, 0.1)["claims"][0]["scope"]
'general'
"""

from __future__ import annotations

from collections.abc import Sequence

from proofs.claim import Basis, Result, Verdict

_BASIS = {Basis.PAPER: "paper", Basis.READING: "reading", Basis.OBSERVATION: "own"}


def _one_line(text: str, width: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _resolved(results: Sequence[Result]) -> list[Result]:
    """The results with their premises' verdicts filled in (run where missing)."""
    from proofs import with_premises

    if all(r.premises or not r.claim.premises for r in results):
        return list(results)
    return with_premises(list(results))


def verdict_text(r: Result, expected: bool = True) -> str:
    """The verdict column: :attr:`Result.shown`, marked against the expected verdict
    (unmarked with ``expected=False``: a user's rule, :mod:`proofs.applies`)."""
    text = r.shown
    if not expected:
        return text
    if r.claim.expected is not Verdict.PROVED:
        text += " (expected)" if r.ok else f" (expected {r.claim.expected.value})"
    elif not r.ok:
        text += " !"
    return text


def table(results: Sequence[Result], verbose: bool = False, *, expected: bool = True) -> str:
    """The table of ``octk verify``: claim, scope, basis, source, seconds, verdict.

    Under a row: the premises with their verdicts (claims that have any); with
    ``verbose``, or for a verdict that is not the expected one, the method and detail,
    the counterexample, the assumptions, and what the paper says (octk's readings).
    With ``expected=False`` (a user's rule: no verdict is expected) the verdicts are
    unmarked and the detail is shown under every verdict but ``proved``.
    """
    if expected:
        results = _resolved(results)
    if not results:
        return "(no claims)"
    w = max(len(r.claim.name) for r in results)
    ws = min(34, max(len(r.claim.source) for r in results))
    head = f"{'claim':<{w}}  {'scope':<8}  {'basis':<7}  {'source':<{ws}}  {'s':>5}  verdict"
    lines = [head, "-" * (len(head) + 12)]
    pad = " " * (w + 4)
    for r in results:
        c, o = r.claim, r.outcome
        src = c.source if len(c.source) <= ws else c.source[: ws - 1] + "…"
        lines.append(
            f"{c.name:<{w}}  {c.scope.value:<8}  {_BASIS[c.basis]:<7}  {src:<{ws}}  "
            f"{r.seconds:5.2f}  {verdict_text(r, expected)}"
        )
        if c.premises:
            have = dict(r.premises)
            given = ", ".join(f"{p} ({have[p].value})" if p in have else p for p in c.premises)
            lines.append(f"{pad}premises: {given}")
        if verbose or (not r.ok if expected else not o.proved):
            lines.append(f"{pad}{o.method}: {_one_line(o.detail)}")
            if o.counterexample:
                lines.append(f"{pad}counterexample: {_one_line(o.counterexample_text())}")
        if verbose:
            if c.assumptions:
                lines.append(f"{pad}assuming: {_one_line('; '.join(c.assumptions))}")
            if c.reading:
                lines.append(f"{pad}the paper says: {_one_line(c.reading)}")
    return "\n".join(lines)


def summary(results: Sequence[Result], seconds: float) -> str:
    """One line: how many claims got their expected verdict, the time, the unexpected ones,
    and how many crashed (``error``) or did not apply."""
    failed = [r for r in results if not r.ok]
    line = f"{len(results) - len(failed)} of {len(results)} claims as expected ({seconds:.1f} s)"
    errors = sum(r.outcome.verdict is Verdict.ERROR for r in results)
    if errors:
        line += f"; {errors} error{'s' if errors > 1 else ''}"
    if failed:
        line += f"; UNEXPECTED: {', '.join(r.claim.name for r in failed)}"
    return line


def as_json(results: Sequence[Result], seconds: float, *, expected: bool = True) -> dict:
    """The JSON object of ``octk verify --json``: every claim's record
    (:meth:`Result.as_dict`: verdict and verdict as shown, scope, basis, assumptions,
    premises with their verdicts, method, counterexample), the counts and the time.
    With ``expected=False`` (a user's rule) the records and counts say nothing of
    expected verdicts: the counts are per verdict."""
    if not expected:
        claims = [r.as_dict() for r in results]
        for d in claims:
            del d["expected"], d["ok"]
        return {
            "claims": claims,
            "verdicts": {v.value: sum(r.outcome.verdict is v for r in results) for v in Verdict},
            "seconds": round(seconds, 3),
        }
    results = _resolved(results)
    failed = [r for r in results if not r.ok]
    count = {v: sum(r.outcome.verdict is v for r in results) for v in Verdict}
    return {
        "claims": [r.as_dict() for r in results],
        "passed": len(results) - len(failed),
        "failed": len(failed),
        "errors": count[Verdict.ERROR],
        "not_applicable": count[Verdict.NOT_APPLICABLE],
        "seconds": round(seconds, 3),
    }


__all__ = ["as_json", "summary", "table", "verdict_text"]
