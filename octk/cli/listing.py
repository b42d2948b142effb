"""``octk list``: the registries, one line per name (details with ``-v``).

Each section is one entry of :data:`LISTERS`; the flags of the command are made from it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from octk.cli.group import CONTEXT

# what each preset means (the names themselves come from octk.rules.PRESETS)
PRESET_SUMMARY = {
    "paper": "the update as printed in the paper (the default)",
    "torch": "torch.optim's implementation, exactly",
    "optax": "optax's implementation, exactly",
}


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


def _default(v: Any) -> str:
    """A parameter's default as typed on the command line.

    >>> _default(None), _default((1.0, 2.5)), _default(3.0), _default("x")
    ('(required)', '[1,2.5]', '3', 'x')
    """
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


# section name → (the flag's help, the lines of the section)
LISTERS: dict[str, tuple[str, Callable[[bool], list[str]]]] = {
    "rules": ("Optimizers.", _list_rules),
    "sequences": ("Loss sequences (adversaries).", _list_sequences),
    "domains": ("Feasible sets.", _list_domains),
    "backends": ("Simulators.", _list_backends),
    "presets": ("Conventions a rule can follow.", _list_presets),
}


def _section_flags(command: Callable[..., Any]) -> Callable[..., Any]:
    for section, (text, _) in reversed(LISTERS.items()):
        command = click.option(f"--{section}", section, is_flag=True, help=text)(command)
    return command


@click.command("list", context_settings=CONTEXT)
@_section_flags
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Details: each rule's program per preset, each sequence's parameters.",
)
def list_registries(verbose: bool, **flags: bool) -> None:
    """List the registries: one line per name (all of them without a flag)."""
    sections = [k for k in LISTERS if flags[k]] or list(LISTERS)
    out: list[str] = []
    for k, section in enumerate(sections):
        if len(sections) > 1:
            if k:
                out.append("")
            out.append(f"{section}:")
        out += LISTERS[section][1](verbose)
    click.echo("\n".join(out))


__all__ = ["LISTERS", "PRESET_SUMMARY", "list_registries"]
