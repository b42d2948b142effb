"""``--param NAME=VALUE`` and ``--grid NAME=V1,V2,...``: rule options, hyperparameters
(each checked against its range) and the grids of ``octk check --search``."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from octk.cli.options import floats
from octk.errors import OctkError, ParameterError, unknown_name


def rule_option_names() -> list[str]:
    """The options of the rules' builders (schedule, eps_mode, ...), from the registry."""
    from octk.rules import SPECS

    return sorted({option for spec in SPECS.values() for option in spec.options})


@functools.cache
def hyperparameter_names() -> frozenset[str]:
    """The hyperparameters some rule has, under some preset and option value (read from
    the rule registry): a name among them that this rule lacks gets a hint, not a typo's
    suggestion.

    >>> sorted(hyperparameter_names())  # doctest: +NORMALIZE_WHITESPACE
    ['acc0', 'alpha', 'beta1', 'beta2', 'eps', 'eps_root', 'final_lr', 'lam', 'lr_decay',
     'p', 'psi', 'v0', 'wd']
    """
    from octk.rules import SPECS, rule

    names: set[str] = set()
    for name, spec in SPECS.items():
        for preset in spec.presets:
            names.update(rule(name, preset).hyper_names)
            for option, values in spec.options.items():
                for value in values:
                    try:
                        names.update(rule(name, preset, **{option: value}).hyper_names)
                    except OctkError:  # a value this preset does not take
                        continue
    return frozenset(names)


def format_options(options: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in options.items()) or "(none)"


def builder_options(rule_name: str) -> dict[str, tuple]:
    """The builder options (schedule, eps_mode, ...) of registry rule ``rule_name``; none
    for a rule file (``PATH.toml``, ``PATH.py:NAME``), whose equations are its own. An
    unknown name that is not a rule file is an error listing the rules."""
    from octk.rules import SPECS
    from octk.rules.files import FILE_FORMS, is_rule_file

    if rule_name in SPECS:
        return dict(SPECS[rule_name].options)
    if is_rule_file(rule_name):
        return {}
    err = unknown_name("rule", rule_name, SPECS)
    raise type(err)(f"{err} A rule of your own: {FILE_FORMS}.")


def split_params(
    rule_name: str, preset: str, items: Iterable[str]
) -> tuple[Any, dict[str, Any], dict[str, float]]:
    """Split ``--param NAME=VALUE`` items into rule options and hyperparameters.

    ``rule_name`` is what ``--rule`` gave: a registry name or a rule file, resolved by
    :func:`octk.rules.resolve` (the one resolver of every command). Names in the
    registry rule's builder options (schedule, eps_mode, ...) are options; the others
    must be hyperparameters of the rule so built (:attr:`~octk.rules.Rule.hyper_names`),
    each checked against its range. Returns (rule, options, hyperparameters).
    """
    from octk.rules import resolve

    spec_options = builder_options(rule_name)
    pairs: dict[str, str] = {}
    for item in items:
        name, eq, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not eq or not name or not value:
            raise ParameterError(f"--param must be NAME=VALUE (e.g. alpha=0.1); got {item!r}")
        if name in pairs:
            raise ParameterError(f"--param {name} given twice ({pairs[name]!r} and {value!r})")
        pairs[name] = value
    options = {k: v for k, v in pairs.items() if k in spec_options}
    r = resolve(rule_name, preset, options)
    hyper = {}
    for name, value in pairs.items():
        if name in options:
            continue
        if name not in r.hyper_names:
            known = list(r.hyper_names) + list(spec_options)
            err: OctkError = unknown_name(
                f"--param of rule {rule_name!r} (preset {preset})", name, known
            )
            if spec_options and name in hyperparameter_names():
                err = ParameterError(
                    f"--param {name}: rule {rule_name!r} with options "
                    f"{format_options(r.options)} has no hyperparameter {name!r} (it has "
                    f"{', '.join(r.hyper_names)}); another option may bring it in, see "
                    f"'octk list --rules -v'"
                )
            raise err
        hyper[name] = r.hyperparameter(name).check(value)
    return r, options, hyper


def check_params(rule_name: str, preset: str, items: Iterable[str]) -> tuple[Any, dict[str, Any]]:
    """``--param`` items of ``octk check``: as :func:`split_params`, except that a
    hyperparameter's value may be an expression of the sequence's parameters
    (``beta2=1/(1+C**2)``), kept as a string for :func:`octk.bounds.resolve_ties`."""
    spec_options = builder_options(rule_name)
    plain, ties = [], {}
    for item in items:
        name, eq, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if eq and name and value and name not in spec_options:
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


def grid(items: Iterable[str]) -> dict[str, list[float]]:
    """``--grid NAME=V1,V2,...`` items as {name: values}."""
    out: dict[str, list[float]] = {}
    for item in items:
        name, eq, values = item.partition("=")
        name = name.strip()
        if not eq or not name:
            raise ParameterError(
                f"--grid must be NAME=V1,V2,... (e.g. alpha=0.01,0.1,1); got {item!r}"
            )
        if name in out:
            raise ParameterError(f"--grid {name} given twice")
        out[name] = floats(f"--grid {name}", values)
    return out


__all__ = [
    "builder_options",
    "check_params",
    "format_options",
    "grid",
    "hyperparameter_names",
    "rule_option_names",
    "split_params",
]
