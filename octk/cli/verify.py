"""``octk verify``: the papers' derivations checked symbolically (the ``proofs`` package),
one table row (or JSON object) per claim; exit status 1 if a verdict is not the expected one."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import click

from octk.cli.group import CONTEXT, one_line
from octk.errors import ParameterError


@click.command("verify", context_settings=CONTEXT)
@click.option(
    "--claim",
    "pattern",
    default=None,
    metavar="PATTERN",
    help="Only claims whose name or family matches (a glob; a bare word is a substring).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@click.option("-v", "--verbose", is_flag=True, help="Show each check's method and detail.")
@click.option("--list", "list_only", is_flag=True, help="List the claims without checking them.")
def verify(pattern: str | None, as_json: bool, verbose: bool, list_only: bool) -> None:
    """Check the papers' derivations symbolically (the proofs/ package) on octk's rules.

    Each claim is proved (exactly), refuted (with a counterexample of exact
    values) or undecided. Some claims are expected to be refuted: the flaws of
    the published proofs. The exit status is 1 if any verdict differs from the
    expected one.

    \b
    Examples:
      octk verify
      octk verify --claim bias -v
      octk verify --claim 'flawed_step*' --json
    """
    import proofs

    selected = proofs.claims(pattern)
    if not selected:
        families = ", ".join(proofs.FAMILIES)
        raise ParameterError(
            f"--claim {pattern!r} matches no claim; families: {families} (see 'octk verify --list')"
        )
    if list_only:
        for c in selected:
            mark = "" if c.expected.value == "proved" else f"  (expected: {c.expected.value})"
            click.echo(f"{c.name:<40} {c.source}{mark}")
        return
    start = time.perf_counter()
    results = []
    show = not as_json and sys.stderr.isatty()
    from tqdm.auto import tqdm

    for c in tqdm(selected, desc="verify", unit="claim", disable=not show, leave=False):
        results.append(c.run())
    wall = time.perf_counter() - start
    failed = [r for r in results if not r.ok]
    if as_json:
        click.echo(
            json.dumps(
                {
                    "claims": [r.as_dict() for r in results],
                    "passed": len(results) - len(failed),
                    "failed": len(failed),
                    "seconds": round(wall, 3),
                },
                indent=2,
            )
        )
    else:
        click.echo(verify_table(results, verbose))
        click.echo("")
        click.echo(
            f"{len(results) - len(failed)} of {len(results)} claims as expected "
            f"({wall:.1f} s)"
            + (f"; UNEXPECTED: {', '.join(r.claim.name for r in failed)}" if failed else "")
        )
    if failed:
        sys.exit(1)


def verify_table(results: list[Any], verbose: bool) -> str:
    """One line per claim result: name, source, verdict (against the expected one), seconds;
    with ``verbose`` (or where the verdict is unexpected) the method and detail below it."""
    w = max(len(r.claim.name) for r in results)
    ws = min(34, max(len(r.claim.source) for r in results))
    lines = [f"{'claim':<{w}}  {'source':<{ws}}  {'verdict':<18}  {'s':>6}"]
    lines.append("-" * len(lines[0]))
    for r in results:
        v = r.outcome.verdict.value
        if r.claim.expected.value != "proved":
            v += " (expected)" if r.ok else f" (expected {r.claim.expected.value})"
        elif not r.ok:
            v += " !"
        src = r.claim.source if len(r.claim.source) <= ws else r.claim.source[: ws - 1] + "…"
        lines.append(f"{r.claim.name:<{w}}  {src:<{ws}}  {v:<18}  {r.seconds:6.2f}")
        if verbose or not r.ok:
            o = r.outcome
            lines.append(f"{'':<{w}}    {o.method}: {one_line(o.detail)}")
            if o.counterexample:
                lines.append(f"{'':<{w}}    counterexample: {o.counterexample_text()}")
    return "\n".join(lines)


__all__ = ["verify", "verify_table"]
