r"""``octk adversary``: search for the loss sequence that hurts a rule most, and certify it;
``octk certify``: re-check a certificate from scratch.

Example::

    octk adversary --rule adam --param alpha=0.1 --param beta1=0 --param beta2=0.1 \
        --domain box:-1,1 --steps 300 --family periodic:p=3 --bound 3 --x0 free \
        --objective rate --budget 20000 --seed 0 --out adam.json --json
    octk certify adam_certificate.json
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from octk.cli.group import CONTEXT
from octk.cli.options import floats, path_option, rule_help
from octk.cli.output import finite, g
from octk.cli.params import split_params
from octk.errors import ParameterError


@click.command("adversary", context_settings=CONTEXT)
@click.option(
    "--rule",
    "rule_name",
    required=True,
    metavar="NAME|FILE",
    help=rule_help()(),
)
@click.option("--preset", default="paper", show_default=True, help="Whose equations.")
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A hyperparameter (alpha=0.1) or rule option (schedule=constant). Repeatable.",
)
@click.option(
    "--domain",
    default="box:-1,1",
    show_default=True,
    metavar="SPEC",
    help="Feasible set F (certificates take box, reals, ball).",
)
@click.option("--d", "dim", type=int, default=None, metavar="N", help="Dimension.")
@click.option("--steps", required=True, metavar="T", help="Horizon T.")
@click.option(
    "--family",
    default="free",
    show_default=True,
    metavar="free|periodic:p=P|stochastic|adaptive",
    help="Search space.",
)
@click.option(
    "--bound",
    required=True,
    metavar="G|l2:G",
    help="Gradient bound: ‖g_t‖∞ ≤ G, or ‖g_t‖₂ ≤ G with l2:G.",
)
@click.option(
    "--x0",
    default="free",
    show_default=True,
    metavar="V|free",
    help="First iterate (one value, or d values), or free: the adversary's choice.",
)
@click.option(
    "--objective",
    default="regret",
    show_default=True,
    metavar="regret|rate|distance|violation:BOUND",
    help="R_T; (R_T − R_T0)/(T − T0), T0 = T/2; ‖x_{T+1} − x*‖; or max_t (R_t − B_t) for a "
    "bound B of 'octk check' (e.g. violation:kb-thm4.1).",
)
@click.option(
    "--budget",
    default="20000",
    show_default=True,
    metavar="EVALS",
    help="Candidate sequences simulated in all.",
)
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the search.")
@click.option(
    "--certify-steps",
    default=100_000,
    show_default=True,
    type=int,
    metavar="T",
    help="Longest horizon the certificate re-runs (exact to 5000 steps, double intervals "
    "above); a periodic pattern's long-run rate is certified at any T.",
)
@click.option(
    "--restarts",
    default=2,
    show_default=True,
    type=int,
    help="Independent optimiser runs sharing the budget.",
)
@path_option("--out", "Write the result JSON (and the certificate, tables next to it).")
@path_option("--plot", "Plot the search trace (best value against candidates).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def adversary(
    rule_name: str,
    preset: str,
    params: tuple[str, ...],
    domain: str,
    dim: int | None,
    steps: str,
    family: str,
    bound: str,
    x0: str,
    objective: str,
    budget: str,
    seed: int,
    certify_steps: int,
    restarts: int,
    out: Path | None,
    plot: Path | None,
    as_json: bool,
) -> None:
    """Search for the worst loss sequence against a rule and certify what was found.

    \b
    Examples:
      octk adversary --rule ogd --param schedule=constant --param alpha=0.5 \\
          --domain 'ball:0.5;projection=euclidean' --d 5 --steps 4 --family free \\
          --bound l2:1 --x0 free --objective regret --budget 50000 --json
      octk adversary --rule adam --param alpha=0.1 --param beta1=0 --param beta2=0.1 \\
          --steps 300 --family periodic:p=3 --bound 3 --objective rate --out adam.json
    """
    from octk.adversary import adversary as run_adversary

    r, _, hyper = split_params(rule_name, preset, params)
    x0_value = "free" if x0.strip() == "free" else floats("--x0", x0)
    res = run_adversary(
        r,
        domain=domain,
        steps=int(float(steps)),
        family=family,
        bound=bound,
        x0=x0_value,
        objective=objective,
        budget=int(float(budget)),
        seed=seed,
        d=dim,
        params=hyper,
        restarts=restarts,
        out=out,
        certify_steps=certify_steps,
    )
    data = finite(res.to_dict())
    if out is not None:
        try:
            Path(out).write_text(json.dumps(data, indent=1) + "\n")
        except OSError as e:
            raise ParameterError(f"out: cannot write {str(out)!r}: {e.strerror or e}") from None
    if plot is not None:
        res.plot_trace(plot)
    if as_json:
        click.echo(json.dumps(data))
        return
    c = data["certificate"]
    lines = [
        f"{r.title}  on {data['domain']}, d = {data['d']}, T = {data['steps']}, "
        f"bound {data['bound']}",
        f"  family      {data['family']}   objective {data['objective']}   "
        f"{data['evaluations']:,} candidates",
        f"  best        {g(data['value'])}",
        f"  sequence    {data['sequence']}",
        f"  x_1         {data['x0']}",
        f"  certificate {c['status']}  lower bound {c['lower_bound']}"
        + (f"  ({c['file']})" if c["file"] else ""),
    ]
    if data["known"]:
        k = data["known"]
        lines.append(
            f"  known       {k['name']}: {g(k['value'])}  "
            f"(found worse, certified: {data['worse_than_known']})"
        )
    click.echo("\n".join(lines))


@click.command("certify", context_settings=CONTEXT)
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def certify(file: Path, as_json: bool) -> None:
    """Re-check a certificate written by 'octk adversary' (exit status 1 if it fails).

    The run is redone in exact rational and interval arithmetic from the rule's
    program, which the certificate carries (a user's rule needs no registry);
    nothing from the search is trusted.
    """
    from octk.adversary import certificate

    cert = certificate.load(file)
    ok, message = certificate.check(cert)
    if as_json:
        click.echo(json.dumps({"file": str(file), "holds": ok, "message": message}))
    else:
        click.echo(("holds: " if ok else "REJECTED: ") + message)
    if not ok:
        raise SystemExit(1)


__all__ = ["adversary", "certify"]
