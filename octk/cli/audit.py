r"""``octk audit``: one report on a rule (``--rule R``), or the zoo table (``--zoo``).

Example::

    octk audit --rule amsgrad --out audit-amsgrad
    octk audit --rule adam --param schedule=sqrt --budget 300 --json
    octk audit --zoo --out zoo

The rule is read by the same options and resolver as ``octk run`` and ``octk check``
(:mod:`octk.cli.options`, :func:`octk.cli.params.split_params`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import click

from octk.audit.worst import MIN_BUDGET
from octk.cli.group import CONTEXT
from octk.cli.options import SETTING_OPTIONS, F, listed, option, path_option, rule_names
from octk.cli.output import finite
from octk.errors import ParameterError, check_int


def _setting(key: str, **override: object) -> Callable[[F], F]:
    decls, attrs = SETTING_OPTIONS[key]
    return option(*decls, **{**attrs, **override})


@click.command("audit", context_settings=CONTEXT)
@_setting(
    "rule",
    required=False,
    help=listed("Optimizer: ", rule_names, " (octk list); not with --zoo."),
)
@_setting("preset")
@_setting("param", help="A hyperparameter (alpha=0.1) or rule option (schedule=sqrt). Repeatable.")
@click.option(
    "--budget",
    default="300",
    show_default=True,
    metavar="EVALS",
    help=f"Candidate sequences of the adversary (section 4), at least {MIN_BUDGET}.",
)
@click.option("--seed", default="0", show_default=True, metavar="S", help="Seed of the adversary.")
@click.option(
    "--steps",
    default="100000",
    show_default=True,
    metavar="T",
    help="T of the counterexample runs.",
)
@click.option(
    "--bound-steps",
    default="3000",
    show_default=True,
    metavar="T",
    help="T of the bound checks (section 3).",
)
@_setting("backend", help="Backend of the simulations.")
@path_option("--out", "Folder for audit.md (figures beside it), audit.json, certificates.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--zoo",
    is_flag=True,
    help="Audit every zoo rule at its paper defaults and print the table (needs --out).",
)
def audit(
    rule_name: str | None,
    preset: str,
    params: tuple[str, ...],
    budget: str,
    seed: str,
    steps: str,
    bound_steps: str,
    backend: str,
    out: Path | None,
    as_json: bool,
    zoo: bool,
) -> None:
    """Audit a rule: counterexamples, structure (Γ_t, scale, step), bounds, worst case.

    \b
    Sections of the report:
      1. RKK Theorem 1 over a (β2, C) grid, Theorem 3, the §5 experiments:
         where the rule converges to the wrong point (a failing cell is certified);
      2. Γ_t ⪰ 0 proved / refuted / undecided, scale invariance, the step's bound,
         which published theorems' structural hypotheses hold;
      3. the bound of every theorem that applies, checked on a run;
      4. the adversary's worst periodic pattern, certified (octk certify FILE).

    \b
    Examples:
      octk audit --rule amsgrad --out audit-amsgrad
      octk audit --rule adam --param schedule=sqrt --json
      octk audit --zoo --out zoo
    """
    sizes = dict(
        budget=check_int("budget", budget, lo=MIN_BUDGET),
        seed=check_int("seed", seed, lo=0),
        steps=check_int("steps", steps, lo=10),
        bound_steps=check_int("bound-steps", bound_steps, lo=1),
        backend=backend,
    )
    if zoo:
        _zoo(rule_name, params, out, as_json, sizes)
        return
    if rule_name is None:
        raise ParameterError("octk audit needs --rule NAME (or --zoo for the zoo table)")
    from octk.audit import audit as run_audit
    from octk.cli.params import split_params

    r, _, hyper = split_params(rule_name, preset, params)
    report = run_audit(r, params=hyper, out=out, **sizes)  # type: ignore[arg-type]
    if as_json:
        click.echo(json.dumps(finite(report.to_dict()), ensure_ascii=False))
        return
    click.echo(repr(report))
    if out is not None:
        click.echo(f"report: {Path(out) / 'audit.md'}")


def _zoo(
    rule_name: str | None, params: tuple[str, ...], out: Path | None, as_json: bool, sizes: dict
) -> None:
    if rule_name is not None or params:
        raise ParameterError(
            "--zoo audits every zoo rule at its paper defaults: drop --rule/--param"
        )
    if out is None:
        raise ParameterError("--zoo needs --out DIR (each rule's report and certificates go there)")
    from octk.audit import zoo_table

    def show(name: str) -> None:
        if not as_json:
            click.echo(f"auditing {name} ...", err=True)

    table = zoo_table(out, progress=show, **sizes)
    if as_json:
        click.echo(json.dumps(finite(table.to_dict()), ensure_ascii=False, default=str))
        return
    click.echo(table.markdown())
    click.echo(f"table: {Path(out) / 'zoo.md'}")


__all__ = ["audit"]
