r"""The ``octk`` command line.

    octk run --rule adam --param alpha=0.1 --param beta1=0 --param beta2=0.1 \
             --sequence reddi-thm1:C=3 --steps 300000 [--json] [--plot run.png]
    octk reproduce reddi2018 [--out DIR] [--scale 0.01]
    octk check --rule adam --sequence reddi-thm1:C=3 --steps 1e5 [--bound NAME] [--search ...]
    octk list [--rules|--sequences|--domains|--backends|--presets] [-v]

``run`` simulates one configuration and reports the regret
R_T = Σ_{t≤T} f_t(x_t) − min_{x∈F} Σ_{t≤T} f_t(x) at log-spaced checkpoints;
``reproduce`` runs a named paper's experiments; ``check`` evaluates a published
regret bound on a run (:mod:`octk.bounds`); ``list`` shows the registries.

Every error octk raises on purpose (:class:`octk.errors.OctkError`) and every
usage error ends as one line ``octk: error: ...`` on stderr with exit status 2,
never as a traceback (``OCTK_DEBUG=1`` re-raises unexpected exceptions).
Progress bars go to stderr, so ``--json`` output on stdout stays parseable.
"""

from __future__ import annotations

import functools
import json
import math
import os
import sys
import time
import warnings
from dataclasses import dataclass, fields
from pathlib import Path

import click
import numpy as np

from octk.errors import OctkError, ParameterError, check_int, check_real, unknown_name

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
PROGRESS_STEPS = 1_000_000  # runs at least this long show a progress bar by default
HYPERPARAMETERS = ("alpha", "beta1", "beta2", "eps", "lam", "lr_decay", "v0")
PRESET_SUMMARY = {
    "paper": "the update as printed in the paper (the default)",
    "torch": "torch.optim's implementation, exactly",
    "optax": "optax's implementation, exactly",
}


# --------------------------------------------------------------------------- errors
def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _fail(message: str, code: int = 2):
    click.echo(f"octk: error: {_one_line(message)}", err=True)
    sys.exit(code)


def _click_message(e: click.ClickException) -> str:
    msg = e.format_message()
    ctx = getattr(e, "ctx", None)
    if isinstance(e, click.UsageError) and ctx is not None:
        msg = msg.rstrip(".") + f" (see '{ctx.command_path} --help')"
    return msg


def _show_warning(message, category, filename, lineno, file=None, line=None):
    click.echo(f"octk: warning: {_one_line(message)}", err=True)


# click ≥ 8.2 raises this for a bare `octk`; older versions print the help themselves
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())


class OctkGroup(click.Group):
    """A click group whose errors end as one ``octk: error: ...`` line (exit status 2)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            with warnings.catch_warnings():
                warnings.showwarning = _show_warning
                rv = super().main(args, prog_name or "octk", complete_var, False, **extra)
        except _NO_ARGS_IS_HELP as e:  # bare `octk`: show the help
            click.echo(e.ctx.get_help())
            sys.exit(0)
        except click.ClickException as e:
            _fail(_click_message(e))
        except OctkError as e:
            _fail(str(e))
        except (click.Abort, KeyboardInterrupt):
            _fail("interrupted", 130)
        except BrokenPipeError:  # e.g. `octk list | head`
            sys.stderr.close()
            sys.exit(1)
        except Exception as e:
            if os.environ.get("OCTK_DEBUG"):
                raise
            _fail(f"internal error: {type(e).__name__}: {e} (OCTK_DEBUG=1 shows the traceback)", 1)
        sys.exit(rv if isinstance(rv, int) else 0)


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("octk")
    except Exception:  # not installed: running from a checkout
        return "0+checkout"


@click.group(cls=OctkGroup, context_settings=CONTEXT)
@click.version_option(_version(), "--version", prog_name="octk")
def main():
    """octk: online convex optimization toolkit (adaptive methods, regret, counterexamples)."""


# --------------------------------------------------------------------------- parsing
def _floats(name: str, text: str) -> list[float]:
    parts = [p for p in text.replace(";", ",").split(",") if p.strip()]
    if not parts:
        raise ParameterError(f"{name} must be a comma-separated list of numbers; got {text!r}")
    return [check_real(name, p.strip()) for p in parts]


def split_params(rule_name: str, preset: str, items) -> tuple[object, dict, dict]:
    """Split ``--param NAME=VALUE`` items into rule options and hyperparameters.

    Names in ``SPECS[rule].options`` (schedule, eps_mode, ...) are options of the
    rule's builder; the others must be hyperparameters of the rule so built
    (:attr:`~octk.rules.Rule.hyper_names`), each checked against its range.
    Returns (rule, options, hyperparameters).
    """
    from octk.rules import SPECS, rule

    if rule_name not in SPECS:
        raise unknown_name("rule", rule_name, SPECS)
    spec = SPECS[rule_name]
    pairs: dict[str, str] = {}
    for item in items:
        name, eq, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not eq or not name or not value:
            raise ParameterError(f"--param must be NAME=VALUE (e.g. alpha=0.1); got {item!r}")
        if name in pairs:
            raise ParameterError(f"--param {name} given twice ({pairs[name]!r} and {value!r})")
        pairs[name] = value
    options = {k: v for k, v in pairs.items() if k in spec.options}
    r = rule(rule_name, preset, **options)
    hyper = {}
    for name, value in pairs.items():
        if name in options:
            continue
        if name not in r.hyper_names:
            known = list(r.hyper_names) + list(spec.options)
            err = unknown_name(f"--param of rule {rule_name!r} (preset {preset})", name, known)
            if name in HYPERPARAMETERS:
                err = ParameterError(
                    f"--param {name}: rule {rule_name!r} with options "
                    f"{_fmt_options(r.options)} has no hyperparameter {name!r} (it has "
                    f"{', '.join(r.hyper_names)}); another option may bring it in, see "
                    f"'octk list --rules -v'"
                )
            raise err
        hyper[name] = r.hyperparameter(name).check(value)
    return r, options, hyper


def _fmt_options(options) -> str:
    return ", ".join(f"{k}={v}" for k, v in options.items()) or "(none)"


def _finite(obj):
    """A JSON-safe copy: numpy scalars and arrays become Python values, non-finite floats None."""
    if isinstance(obj, dict):
        return {str(k): _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _finite(obj.tolist())
    if isinstance(obj, np.generic):
        return _finite(obj.item())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def _g(v: float) -> str:
    return f"{v:.6g}" if math.isfinite(v) else str(v)


def _vec(a) -> str:
    a = np.asarray(a, dtype=np.float64).ravel()
    shown = ", ".join(_g(float(v)) for v in a[:6])
    return f"[{shown}{', ...' if a.size > 6 else ''}]"


# --------------------------------------------------------------------------- options
# The options `run` and `check` share: their declarations and attributes; each
# command gives its own help text (None: the one here) and order.
_SETTING_OPTIONS = {
    "rule": (("--rule", "rule_name"), dict(required=True, metavar="NAME")),
    "preset": (
        ("--preset",),
        dict(
            default="paper",
            show_default=True,
            type=click.Choice(tuple(PRESET_SUMMARY)),
            help="Whose equations: paper, torch, optax.",
        ),
    ),
    "param": (("--param", "params"), dict(multiple=True, metavar="NAME=VALUE")),
    "sequence": (("--sequence", "seq_spec"), dict(required=True, metavar="NAME[:k=v,...]")),
    "loss": (
        ("--loss",),
        dict(
            default="linear",
            show_default=True,
            type=click.Choice(("linear", "quadratic", "absolute")),
            help="Loss family of the signal.",
        ),
    ),
    "domain": (
        ("--domain", "domain_spec"),
        dict(
            default="box:-1,1",
            show_default=True,
            metavar="box:LO,HI|reals|ball:R",
            help="Feasible set F.",
        ),
    ),
    "steps": (("--steps",), dict(metavar="T")),
    "x0": (("--x0", "x0_text"), dict(default="0", show_default=True, metavar="V1,V2,...")),
    "d": (("--d", "dim"), dict(default=None, metavar="D")),
    "seed": (("--seed",), dict(default="0", show_default=True, metavar="S")),
    "backend": (("--backend",), dict(default="numba", show_default=True, metavar="NAME")),
}


@dataclass(frozen=True)
class _Setting:
    """The values of the options in ``_SETTING_OPTIONS``, as given on the command line."""

    rule_name: str
    preset: str
    params: tuple[str, ...]
    seq_spec: str
    loss: str
    domain_spec: str
    steps: str | None
    x0_text: str
    dim: str | None
    seed: str
    backend: str

    def sequence_and_domain(self):
        """The loss sequence and the feasible set named by ``--sequence``, ``--loss``
        and ``--domain``."""
        from octk.domains import domain as make_domain
        from octk.sequences import sequence as make_sequence

        return make_sequence(self.seq_spec, loss=self.loss), make_domain(self.domain_spec)

    def simulation_args(self) -> dict:
        """``--steps``, ``--x0``, ``--d`` and ``--seed`` checked, as the keyword arguments
        ``steps``, ``x0``, ``d`` and ``seed`` of :func:`octk.simulate.simulate`."""
        T = check_int("steps", self.steps, lo=1)
        x0 = _floats("x0", self.x0_text)
        return dict(
            steps=T,
            x0=x0[0] if len(x0) == 1 else np.asarray(x0),
            d=None if self.dim is None else check_int("d", self.dim, lo=1),
            seed=check_int("seed", self.seed, lo=0),
        )


def _setting_options(steps_required: bool = False, **helps):
    """A decorator that adds every option of ``_SETTING_OPTIONS`` to a command, in the
    order of ``helps``, each with its help text there (None: the shared one), and
    passes their values to the command as its first argument, one :class:`_Setting`."""
    if set(helps) != set(_SETTING_OPTIONS):
        raise TypeError(f"_setting_options needs a help for each of {', '.join(_SETTING_OPTIONS)}")

    def apply(command):
        @functools.wraps(command)
        def with_setting(**values):
            setting = _Setting(**{f.name: values.pop(f.name) for f in fields(_Setting)})
            return command(setting, **values)

        for key, text in reversed(helps.items()):
            decls, attrs = _SETTING_OPTIONS[key]
            attrs = {**attrs, "help": text or attrs["help"]}
            if key == "steps" and steps_required:
                attrs["required"] = True
            with_setting = click.option(*decls, **attrs)(with_setting)
        return with_setting

    return apply


def _path_option(flag: str, help: str):
    """An option naming a file to write (``PATH``)."""
    return click.option(
        flag, type=click.Path(dir_okay=False, path_type=Path), metavar="PATH", help=help
    )


# --------------------------------------------------------------------------- run
@main.command("run", context_settings=CONTEXT)
@_setting_options(
    rule="Optimizer: adam, amsgrad, adagrad, ogd, rmsprop, adamax, adamnc (octk list).",
    preset=None,
    param="A hyperparameter (alpha=0.1, beta1=0, beta2=0.999, eps, lam, lr_decay, v0) or "
    "a rule option (schedule=sqrt, eps_mode=inside, bias_correction_m=false, "
    "max_over=vhat, ...). Repeatable.",
    sequence="Loss sequence, e.g. reddi-thm1:C=3, reddi-synthetic, array:path=c.npy.",
    loss=None,
    domain=None,
    steps="Number of steps T ≥ 1 (3e5 is accepted).",
    x0="First iterate x_1 (one value for every coordinate, or d values).",
    d="Dimension (default: from x0/data, else 1).",
    backend="Simulator: numba or reference (octk list --backends).",
    seed="Seed of the random draws of stochastic sequences.",
)
@click.option(
    "--comparator",
    "method",
    default="auto",
    show_default=True,
    type=click.Choice(("auto", "closed-form", "cvxpy")),
    help="How min_x Σ f_t(x) is solved.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@_path_option("--trace", "Save every iterate x_{t+1}, t = 1..T, as a (T, d) .npy array.")
@_path_option("--plot", "Plot R_t/t and x_t (PNG, or PDF if PATH ends in .pdf).")
@click.option(
    "--emit-source",
    is_flag=True,
    help="Print the generated Numba kernel for this rule, sequence and domain, and exit.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help=f"Progress bar on stderr (default: on for T ≥ {PROGRESS_STEPS:.0e}).",
)
def run_cmd(
    setting: _Setting,
    method,
    as_json,
    trace,
    plot,
    emit_source,
    progress,
):
    """Run one rule on one loss sequence and report its regret.

    \b
    Examples:
      octk run --rule adam --param alpha=0.1 --param beta1=0 --param beta2=0.1 \\
               --sequence reddi-thm1:C=3 --steps 3e5
      octk run --rule amsgrad --param alpha=1 --param beta2=0.99 \\
               --sequence reddi-synthetic --steps 1e6 --json
      octk run --rule adam --preset torch --sequence array:path=grads.npy --steps 100
    """
    from octk.backends import get_backend

    r, _, hyper = split_params(setting.rule_name, setting.preset, setting.params)
    seq, dom = setting.sequence_and_domain()

    if emit_source:
        from octk.backends.numba_backend import NumbaBackend
        from octk.backends.program import lower

        click.echo(NumbaBackend().source(lower(r, seq), dom))
        return

    if setting.steps is None:
        raise click.UsageError("Missing option '--steps'.")
    sim = setting.simulation_args()
    T, seed = sim["steps"], sim["seed"]
    get_backend(setting.backend)  # unknown or unavailable backends fail before any work
    show = T >= PROGRESS_STEPS if progress is None else progress

    from octk.regret import regret
    from octk.simulate import simulate
    from octk.trajectory import log_checkpoints

    started = time.perf_counter()
    traj = simulate(
        r,
        seq,
        dom,
        **sim,
        params=hyper,
        checkpoints="all" if trace else None,
        backend=setting.backend,
        progress=show,
    )
    sim_s = time.perf_counter() - started
    reg = regret(traj, method=method, at=log_checkpoints(T) if trace else None)
    if trace:
        _save_trace(trace, traj.x[0])
    if plot:
        from octk.plots import plot_run

        try:
            plot_run(traj, reg, plot)
        except OSError as e:
            raise ParameterError(f"plot: cannot write {str(plot)!r}: {e.strerror or e}") from None
    wall = time.perf_counter() - started

    idx = np.searchsorted(traj.t, reg.t)
    result = {
        "rule": r.name,
        "preset": setting.preset,
        "title": r.title,
        "source": r.source,
        "options": dict(r.options),
        "params": {k: float(v[0]) for k, v in traj.params.items()},
        "sequence": seq.spec(),
        "loss": seq.loss,
        "domain": dom.spec(),
        "backend": setting.backend,
        "steps": T,
        "d": traj.d,
        "seed": seed,
        "x0": traj.x0[0],
        "x": traj.x_final[0],
        "played": float(reg.played[0, -1]),
        "regret": float(reg.regret[0, -1]),
        "average_regret": float(reg.average[0, -1]),
        "comparator": {
            "x": reg.x_star[0, -1],
            "value": float(reg.best[0, -1]),
            "status": str(reg.status[0, -1]),
            "solver": reg.solver,
        },
        "checkpoints": {
            "t": reg.t,
            "regret": reg.regret[0],
            "average_regret": reg.average[0],
            "x": traj.x[0, idx],
        },
        "trace": str(trace) if trace else None,
        "plot": str(plot) if plot else None,
        "simulate_s": sim_s,
        "wall_s": wall,
    }
    if as_json:
        click.echo(json.dumps(_finite(result)))
    else:
        click.echo(_summary(result, r))


def _save_trace(path: Path, xs: np.ndarray) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as f:  # exactly this name (np.save would append .npy)
            np.save(f, np.ascontiguousarray(xs))
    except OSError as e:
        raise ParameterError(f"trace: cannot write {str(path)!r}: {e.strerror or e}") from None


def _summary(res: dict, r) -> str:
    """The readable report of ``octk run``: the setting, the final numbers, a few checkpoints."""
    comp = res["comparator"]
    params = ", ".join(f"{k}={v:g}" for k, v in res["params"].items())
    lines = [
        f"{r.title}  [{r.source}]",
        f"  {'sequence':<11} {res['sequence']} ({res['loss']} loss)",
        f"  {'domain':<11} {res['domain']}   d = {res['d']}",
        f"  {'params':<11} {params}",
        f"  {'backend':<11} {res['backend']}   T = {res['steps']:,}   "
        f"simulated in {res['simulate_s']:.3g} s",
        f"  {'x_1':<11} {_vec(res['x0'])}",
        f"  {'x_{T+1}':<11} {_vec(res['x'])}",
        f"  {'comparator':<11} x* = {_vec(comp['x'])}, min Σ f_t = {_g(comp['value'])} "
        f"({comp['status']}, {comp['solver']})",
        f"  {'regret':<11} R_T = {_g(res['regret'])}   R_T/T = {_g(res['average_regret'])}",
    ]
    t = np.asarray(res["checkpoints"]["t"])
    show = [k for k, v in enumerate(t) if v in (1, 10) or math.log10(v).is_integer()]
    if len(t) - 1 not in show:
        show.append(len(t) - 1)
    lines.append("")
    lines.append(f"  {'t':>12} {'R_t':>14} {'R_t/t':>12}  x_{{t+1}}")
    for k in show:
        lines.append(
            f"  {t[k]:>12,} {_g(float(res['checkpoints']['regret'][k])):>14} "
            f"{_g(float(res['checkpoints']['average_regret'][k])):>12}  "
            f"{_vec(res['checkpoints']['x'][k])}"
        )
    for key in ("trace", "plot"):
        if res[key]:
            lines.append(f"  wrote {key}: {res[key]}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- reproduce
@main.command("reproduce", context_settings=CONTEXT)
@click.argument("name", metavar="NAME")
@click.option(
    "--out", "out_dir", default=None, metavar="DIR", help="Output folder (default: octk-out/NAME)."
)
@click.option(
    "--scale",
    default="1",
    show_default=True,
    metavar="F",
    help="Multiply every T by F (0.01 for a quick look).",
)
@click.option(
    "--backend",
    default="numba",
    show_default=True,
    metavar="NAME",
    help="Simulator: numba or reference.",
)
@click.option(
    "--seeds",
    default="8",
    show_default=True,
    metavar="N",
    help="Seeds of stochastic experiments (one batched run).",
)
@click.option(
    "--progress/--no-progress", default=True, show_default=True, help="Progress bars on stderr."
)
def reproduce_cmd(name, out_dir, scale, backend, seeds, progress):
    """Run a paper's experiments (reddi2018) and write figures, a table and JSON.

    \b
    Example:
      octk reproduce reddi2018 --out /tmp/repro
    """
    from octk.backends import get_backend
    from octk.experiments import reproduction

    rep = reproduction(name)
    scale = check_real("scale", scale, lo=0, lo_open=True)
    seeds = check_int("seeds", seeds, lo=1)
    get_backend(backend)
    out = Path(out_dir) if out_dir else Path("octk-out") / name
    click.echo(rep.step_sizes)
    res = rep.run(out, scale=scale, backend=backend, progress=progress, seeds=seeds)
    click.echo("")
    click.echo(res["table"])
    click.echo("")
    names = ", ".join(Path(p).name for p in res["files"].values())
    click.echo(f"wrote {names} to {out} ({res['wall_s']:.1f} s)")


# --------------------------------------------------------------------------- verify
@main.command("verify", context_settings=CONTEXT)
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
def verify_cmd(pattern, as_json, verbose, list_only):
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
        click.echo(_verify_table(results, verbose))
        click.echo("")
        click.echo(
            f"{len(results) - len(failed)} of {len(results)} claims as expected "
            f"({wall:.1f} s)"
            + (f"; UNEXPECTED: {', '.join(r.claim.name for r in failed)}" if failed else "")
        )
    if failed:
        sys.exit(1)


def _verify_table(results, verbose: bool) -> str:
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
            lines.append(f"{'':<{w}}    {o.method}: {_one_line(o.detail)}")
            if o.counterexample:
                lines.append(f"{'':<{w}}    counterexample: {o.counterexample_text()}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- check
def _check_params(rule_name: str, preset: str, items) -> tuple[object, dict]:
    """``--param`` items of ``octk check``: as :func:`split_params`, except that a
    hyperparameter's value may be an expression of the sequence's parameters
    (``beta2=1/(1+C**2)``), kept as a string for :func:`octk.bounds.resolve_ties`."""
    from octk.rules import SPECS

    if rule_name not in SPECS:
        raise unknown_name("rule", rule_name, SPECS)
    plain, ties = [], {}
    for item in items:
        name, eq, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if eq and name and value and name not in SPECS[rule_name].options:
            try:
                float(value)
            except ValueError:
                ties[name] = value
                continue
        plain.append(item)
    r, _, hyper = split_params(rule_name, preset, plain)
    for name in ties:
        if name not in r.hyper_names:
            raise unknown_name(f"--param of rule {rule_name!r}", name, r.hyper_names)
        if name in hyper:
            raise ParameterError(f"--param {name} given twice")
    return r, {**hyper, **ties}


def _grid(items) -> dict[str, list[float]]:
    grid: dict[str, list[float]] = {}
    for item in items:
        name, eq, values = item.partition("=")
        name = name.strip()
        if not eq or not name:
            raise ParameterError(
                f"--grid must be NAME=V1,V2,... (e.g. alpha=0.01,0.1,1); got {item!r}"
            )
        if name in grid:
            raise ParameterError(f"--grid {name} given twice")
        grid[name] = _floats(f"--grid {name}", values)
    return grid


@main.command("check", context_settings=CONTEXT)
@_setting_options(
    steps_required=True,
    rule="Optimizer (octk list).",
    preset=None,
    param="A hyperparameter or rule option, as for 'octk run'; a hyperparameter may be an "
    "expression of the sequence's parameters, e.g. beta2='1/(1+C**2)'. Repeatable.",
    sequence="Loss sequence.",
    loss=None,
    domain=None,
    steps="Number of steps T ≥ 1 (1e5 is accepted).",
    x0="x_1.",
    d="Dimension (default: from x0, else 1).",
    seed="Seed of random draws.",
    backend="Simulator.",
)
@click.option(
    "--bound",
    "bound_name",
    default=None,
    metavar="NAME",
    help="Which bound (default: the rule's own: adam kb-thm4.1, amsgrad rkk-thm4, adagrad "
    "duchi-adagrad, ogd zinkevich-ogd, adamnc rkk-cor2). --list-bounds shows them all.",
)
@click.option(
    "--lam",
    default=None,
    metavar="λ",
    help="λ ∈ [0, 1) at which to evaluate K&B 4.1 / RKK Cor. 1 where they hold for every λ "
    "(β1 = 0; default: the infimum λ → 0).",
)
@click.option(
    "--constants",
    default="declared",
    show_default=True,
    type=click.Choice(("declared", "observed")),
    help="G∞, D, D∞: the sequence's declared bound and the domain's diameters, or the "
    "values observed on the run.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@_path_option("--plot", "Log-log plot of R(T) against the bound and its terms (PNG, or PDF).")
@click.option("--search", is_flag=True, help="Scan the --grid: the first failing T per cell.")
@click.option(
    "--grid",
    "grid_items",
    multiple=True,
    metavar="NAME=V1,V2,...",
    help="With --search: a hyperparameter or sequence parameter and its values. Repeatable.",
)
@_path_option(
    "--heatmap", "With --search: heat map of the first failing T (1 or 2 grid parameters)."
)
@click.option("--list-bounds", is_flag=True, help="List the bounds and exit.")
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar on stderr (default: if a tty)."
)
def check_cmd(
    setting: _Setting,
    bound_name,
    lam,
    constants,
    as_json,
    plot,
    search,
    grid_items,
    heatmap,
    list_bounds,
    progress,
):
    """Evaluate a published regret bound on a run: its hypotheses, R(T) against the
    right-hand side term by term, and the first T at which the bound is violated.

    \b
    Examples:
      octk check --rule adam --param schedule=sqrt --param alpha=0.1 --param beta1=0 \\
                 --param beta2=0.1 --param eps=0 --sequence reddi-thm1:C=3 --steps 1e5
      octk check --rule amsgrad --param alpha=0.1 --sequence reddi-synthetic --steps 1e6
      octk check --rule adam --param schedule=sqrt --param beta1=0 --param eps=0 \\
                 --param beta2='1/(1+C**2)' --sequence reddi-thm1 --steps 1e6 --search \\
                 --grid C=3,10 --grid alpha=0.01,0.1,1 --heatmap first_violation.png
    """
    from octk import bounds
    from octk.backends import get_backend

    if list_bounds:
        for b in bounds.BOUNDS.values():
            mark = "" if b.verified else "  (unverified)"
            click.echo(f"  {b.name:<24} {b.title}{mark}")
        return
    r, hyper = _check_params(setting.rule_name, setting.preset, setting.params)
    seq, dom = setting.sequence_and_domain()
    b = bounds.default_bound(r) if bound_name is None else bounds.get_bound(bound_name)
    sim = setting.simulation_args()
    T = sim["steps"]
    lam_v = None if lam is None else check_real("lam", lam, lo=0, hi=1, hi_open=True)
    get_backend(setting.backend)
    show = sys.stderr.isatty() if progress is None else progress
    kw = dict(bound=b, **sim, backend=setting.backend, lam=lam_v, constants=constants)
    if search:
        if not grid_items:
            raise click.UsageError("--search needs at least one --grid NAME=V1,V2,...")
        if plot:
            raise click.UsageError("--plot draws one run; with --search use --heatmap")
        res = bounds.search(r, seq, dom, grid=_grid(grid_items), params=hyper, progress=show, **kw)
        if heatmap:
            from octk.plots import plot_search

            try:
                plot_search(res, heatmap)
            except OSError as e:
                raise ParameterError(f"heatmap: cannot write {str(heatmap)!r}: {e}") from None
        if as_json:
            out = res.to_dict()
            out["heatmap"] = str(heatmap) if heatmap else None
            click.echo(json.dumps(_finite(out)))
            return
        click.echo(f"{res.bound.title}  [{res.bound.source}]")
        if not res.bound.verified:
            click.echo(f"  UNVERIFIED: {res.bound.note}")
        click.echo(f"  rule {r.title} on {res.sequence} over {dom.spec()}, T ≤ {T:,}")
        fixed = ", ".join(f"{k}={v}" for k, v in hyper.items() if k not in res.names)
        if fixed:
            click.echo(f"  fixed: {fixed}")
        click.echo("")
        click.echo(res.table())
        if heatmap:
            click.echo(f"\n  wrote heatmap: {heatmap}")
        return
    if grid_items or heatmap:
        raise click.UsageError("--grid and --heatmap go with --search")
    res = bounds.check(r, seq, dom, params=hyper, progress=show, **kw)
    if plot:
        from octk.plots import plot_bound

        try:
            plot_bound(res, plot)
        except OSError as e:
            raise ParameterError(f"plot: cannot write {str(plot)!r}: {e.strerror or e}") from None
    if as_json:
        out = res.to_dict(0)
        out["plot"] = str(plot) if plot else None
        click.echo(json.dumps(_finite(out)))
        return
    click.echo(res.summary(0))
    if plot:
        click.echo(f"  wrote plot: {plot}")


# --------------------------------------------------------------------------- list
@main.command("list", context_settings=CONTEXT)
@click.option("--rules", is_flag=True, help="Optimizers.")
@click.option("--sequences", is_flag=True, help="Loss sequences (adversaries).")
@click.option("--domains", is_flag=True, help="Feasible sets.")
@click.option("--backends", is_flag=True, help="Simulators.")
@click.option("--presets", is_flag=True, help="Conventions a rule can follow.")
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Details: each rule's program per preset, each sequence's parameters.",
)
def list_cmd(rules, sequences, domains, backends, presets, verbose):
    """List the registries: one line per name (all of them without a flag)."""
    chosen = [
        k
        for k, on in (
            ("rules", rules),
            ("sequences", sequences),
            ("domains", domains),
            ("backends", backends),
            ("presets", presets),
        )
        if on
    ]
    sections = chosen or ["rules", "sequences", "domains", "backends", "presets"]
    out: list[str] = []
    for k, section in enumerate(sections):
        if len(sections) > 1:
            if k:
                out.append("")
            out.append(f"{section}:")
        out += LISTERS[section](verbose)
    click.echo("\n".join(out))


def _list_rules(verbose: bool) -> list[str]:
    from octk.rules import SPECS, rule

    lines = []
    for name, spec in SPECS.items():
        lines.append(f"  {name:<28} {spec.summary}")
        if verbose:
            opts = "; ".join(f"{k} ∈ {{{', '.join(map(str, v))}}}" for k, v in spec.options.items())
            lines.append(f"      options: {opts}")
            for preset, p in spec.presets.items():
                body = rule(name, preset).describe().splitlines()
                lines += ["      " + body[0]] + ["      " + b for b in body[1:]]
                if p.note:
                    lines.append(f"        note: {p.note}")
    return lines


def _list_sequences(verbose: bool) -> list[str]:
    from octk.sequences import SEQUENCES

    lines = []
    for name, spec in SEQUENCES.items():
        lines.append(f"  {name:<28} {spec.summary}")
        if verbose:
            ps = ", ".join(f"{k}={_default(v[0])}" for k, v in spec.params.items())
            lines.append(f"      parameters (defaults): {ps or '(none)'}")
    return lines


def _default(v) -> str:
    if v is None:
        return "(required)"
    if isinstance(v, tuple | list):
        return "[" + ",".join(f"{a:g}" for a in v) + "]"
    return f"{v:g}" if isinstance(v, float) else str(v)


def _list_domains(verbose: bool) -> list[str]:
    from octk.domains import DOMAINS

    return [f"  {name:<28} {text}" for name, text in DOMAINS.items()]


def _list_backends(verbose: bool) -> list[str]:
    from octk.backends import BACKENDS

    return [f"  {name:<28} {text}" for name, text in BACKENDS.items()]


def _list_presets(verbose: bool) -> list[str]:
    from octk.rules import PRESETS, SPECS

    lines = []
    for preset in PRESETS:
        having = [n for n, s in SPECS.items() if preset in s.presets]
        lines.append(f"  {preset:<28} {PRESET_SUMMARY.get(preset, '')}; rules: {', '.join(having)}")
        if verbose:
            for n in having:
                lines.append(f"      {n:<10} {SPECS[n].presets[preset].source}")
    return lines


LISTERS = {
    "rules": _list_rules,
    "sequences": _list_sequences,
    "domains": _list_domains,
    "backends": _list_backends,
    "presets": _list_presets,
}


__all__ = ["main", "split_params"]
