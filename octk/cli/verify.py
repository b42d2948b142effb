"""``octk verify``: the papers' derivations checked symbolically (the ``proofs`` package),
one table row (or JSON object) per claim; exit status 1 if a verdict is not the expected one."""

from __future__ import annotations

import json
import sys
import time

import click

from octk.cli.group import CONTEXT
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
    from proofs import report

    if as_json:
        click.echo(json.dumps(report.as_json(results, wall), indent=2))
    else:
        click.echo(report.table(results, verbose))
        click.echo("")
        click.echo(report.summary(results, wall))
    if any(not r.ok for r in results):
        sys.exit(1)


__all__ = ["verify"]
