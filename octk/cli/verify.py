"""``octk verify``: the papers' derivations checked symbolically (the ``proofs`` package),
one table row (or JSON object) per claim; exit status 1 if a verdict is not the expected one."""

from __future__ import annotations

import json
import sys
import time

import click

from octk.cli.group import CONTEXT
from octk.cli.options import RuleArgument, rule_help
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
@click.option(
    "--rule",
    "rule_name",
    default=None,
    metavar="NAME|FILE",
    type=RuleArgument(),
    help=rule_help(
        "Check the claims that apply to this rule instead of each claim's paper rule: "
    )(),
)
@click.option(
    "--preset", default="paper", show_default=True, help="With --rule NAME: whose equations."
)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="With --rule: a rule option (schedule=sqrt) or a hyperparameter's default. Repeatable.",
)
def verify(
    pattern: str | None,
    as_json: bool,
    verbose: bool,
    list_only: bool,
    rule_name: str | None,
    preset: str,
    params: tuple[str, ...],
) -> None:
    """Check the papers' derivations symbolically (the proofs/ package) on octk's rules.

    Each claim is proved (exactly), refuted (with a counterexample of exact
    values) or undecided. Some claims are expected to be refuted: the flaws of
    the published proofs. The exit status is 1 if any verdict differs from the
    expected one.

    With --rule, each claim that applies to the rule is checked on it: the claims
    whose paper rule has the rule's structure (moments, bias corrections, step
    size, read from its program) and those about any rule (Γ_t's sign, the scale
    invariance). Nothing is expected of a rule of your own: the verdicts are
    findings, and the exit status is 1 only if a check crashed.

    \b
    Examples:
      octk verify
      octk verify --claim bias -v
      octk verify --claim 'flawed_step*' --json
      octk verify --rule examples/rules/yogi.toml
      octk verify --rule adam --param schedule=sqrt --claim t41
    """
    import proofs

    if rule_name is None and (params or preset != "paper"):
        raise ParameterError("--preset and --param choose the rule of --rule; give --rule")
    selected = proofs.claims(pattern)
    if not selected:
        families = ", ".join(proofs.FAMILIES)
        raise ParameterError(
            f"--claim {pattern!r} matches no claim; families: {families} (see 'octk verify --list')"
        )
    if list_only and rule_name is not None:
        from octk.cli.params import split_params
        from proofs.applies import reason_not_applicable

        r = split_params(rule_name, preset, params)[0]
        for c in selected:
            why = reason_not_applicable(c, r)
            click.echo(f"{c.name:<40} {'applies' if why is None else 'not applicable: ' + why}")
        return
    if list_only:
        for c in selected:
            mark = "" if c.expected.value == "proved" else f"  (expected: {c.expected.value})"
            click.echo(f"{c.name:<40} {c.source}{mark}")
        return
    if rule_name is not None:
        _verify_rule(rule_name, preset, params, selected, as_json, verbose)
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


def _verify_rule(
    rule_name: str,
    preset: str,
    params: tuple[str, ...],
    selected: list,
    as_json: bool,
    verbose: bool,
) -> None:
    """``octk verify --rule R``: the claims that apply to R, checked on it
    (:func:`proofs.applies.verify_rule`)."""
    from octk.cli.params import split_params
    from proofs import report
    from proofs.applies import verify_rule

    r, _, hyper = split_params(rule_name, preset, params)
    if hyper:
        r = r.with_defaults(**hyper)
    out = verify_rule(r, selected)
    if as_json:
        click.echo(json.dumps(out.as_json(), indent=2))
    else:
        click.echo(f"{r.title}  [{r.source}]")
        click.echo("")
        if out.results:
            click.echo(report.table(out.results, verbose, expected=False))
            if out.any_rule_note():
                click.echo("")
                click.echo(out.any_rule_note())
        else:
            click.echo("(no claim applies)")
        if out.skipped:
            click.echo("")
            click.echo("not applicable:")
            for line in out.skipped_lines():
                click.echo(f"  {line}")
        click.echo("")
        click.echo(out.summary())
    if out.errors:
        sys.exit(1)


__all__ = ["verify"]
