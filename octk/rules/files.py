r"""Rules from files, and the one resolver every ``--rule`` goes through.

:func:`resolve` turns what a user gives as a rule into a :class:`~octk.rules.rule.Rule`:

* a registry name (``adam``), built under ``preset`` with ``options``
  (:func:`octk.rules.rule`);
* ``path/to/rule.toml``: a rule file (:func:`load_rule`), parsed without evaluating
  anything (TOML by :mod:`tomllib`, each expression by :mod:`octk.expressions`);
* ``path/to/module.py:NAME``: ``NAME`` in that Python module, a Rule or a callable that
  returns one (the module is imported: it is code, run as such);
* a :class:`Rule` itself.

A rule from a file has one set of equations, its own: ``--preset`` other than
``paper`` and builder options (``schedule=...``) are an error for it; its
hyperparameters are set with ``--param`` as for any rule.

The file format (see the docs' "Defining your own rule")::

    [rule]
    name = "yogi"
    title = "Yogi (Zaheer et al. 2018, Algorithm 2)"
    source = "Zaheer, Reddi, Sachan, Kale & Kumar, NeurIPS 2018, Algorithm 2"
    guard = "sqrt(v) + eps > 0"

    [hyperparameters]
    alpha = { default = 0.01, range = "(0, inf)", doc = "step size η" }
    beta1 = { default = 0.9, range = "[0, 1)" }
    beta2 = { default = 0.999, range = "[0, 1)" }
    eps = { default = 1e-3, range = "[0, inf)" }

    [state]
    m = 0
    v = 0

    [step]
    m = "beta1*m + (1 - beta1)*g"
    v = "v - (1 - beta2)*sign(v - g**2)*g**2"
    x = "x - alpha*m/(sqrt(v) + eps)"
"""

from __future__ import annotations

import importlib.util
import re
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from octk.errors import ParameterError, RuleDefinitionError, closest_name, unknown_name
from octk.rules.define import define
from octk.rules.rule import Rule

TABLES = ("rule", "hyperparameters", "state", "step")
RULE_KEYS = ("name", "title", "source", "citation", "guard")
#: the forms of ``--rule`` other than a registry name
FILE_FORMS = "PATH.toml or PATH.py:NAME"


def is_rule_file(text: str) -> bool:
    """Whether ``text`` names a rule file (``*.toml``) or a Python rule (``*.py:NAME``)."""
    head = text.rpartition(":")[0] if ":" in text else text
    return text.endswith(".toml") or head.endswith(".py")


def _lines(text: str) -> dict[str, int]:
    """``"table.key"`` -> the line (from 1) where a TOML file writes it (its first
    occurrence); ``[table.key]`` headers count as the key's line."""
    out: dict[str, int] = {}
    table = ""
    header = re.compile(r"\s*\[\s*([A-Za-z0-9_.\"' -]+?)\s*\]\s*(#.*)?$")
    key = re.compile(r"\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+)\s*=")
    for n, line in enumerate(text.splitlines(), start=1):
        m = header.match(line)
        if m and not line.lstrip().startswith("[["):
            table = m.group(1).replace('"', "").replace("'", "")
            out.setdefault(table, n)
            continue
        m = key.match(line)
        if m:
            name = m.group(1).strip("\"'")
            out.setdefault(f"{table}.{name}" if table else name, n)
    return out


def load_rule(path: str | Path) -> Rule:
    """The rule defined in the TOML file ``path`` (see the module doc for the format).

    Errors are :class:`~octk.errors.RuleDefinitionError` naming the file, the line, the
    entry and the symbol.
    """
    p = Path(path)
    where = str(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParameterError(f"rule file {where!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ParameterError(f"rule file {where!r} cannot be read: {e}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise RuleDefinitionError(f"not valid TOML: {e}", file=where) from None
    return from_definition(data, file=where, lines=_lines(text), default_name=p.stem)


def from_definition(
    data: Mapping[str, Any],
    *,
    file: str | None = None,
    lines: Mapping[str, int] | None = None,
    default_name: str = "rule",
) -> Rule:
    """The rule of a parsed rule file: a mapping of the tables ``rule``,
    ``hyperparameters``, ``state`` and ``step`` (what :func:`load_rule` reads, and what
    :func:`octk.rules.serialize.definition` writes), checked and given to
    :func:`~octk.rules.define.define`. ``file`` and ``lines`` place the errors."""
    lines = dict(lines or {})
    where = file
    for table in data:
        if table not in TABLES:
            close = closest_name(table, TABLES)
            hint = f"; did you mean [{close}]?" if close else ""
            raise RuleDefinitionError(
                f"unknown table [{table}] (the tables: {', '.join(TABLES)}){hint}",
                file=where,
                line=lines.get(table),
                symbol=table,
            )
    head = data.get("rule", {})
    if not isinstance(head, Mapping):
        raise RuleDefinitionError("[rule] must be a table", file=where)
    for k in head:
        if k not in RULE_KEYS:
            close = closest_name(k, RULE_KEYS)
            hint = f"; did you mean {close!r}?" if close else ""
            raise RuleDefinitionError(
                f"unknown key {k!r} in [rule] (allowed: {', '.join(RULE_KEYS)}){hint}",
                file=where,
                line=lines.get(f"rule.{k}"),
                symbol=k,
            )
    for k in ("hyperparameters", "state", "step"):
        if k not in data:
            raise RuleDefinitionError(f"no [{k}] table", file=where, symbol=k)
    strings = {k: head.get(k, "") for k in ("title", "source", "citation")}
    for k, v in strings.items():
        if not isinstance(v, str):
            raise RuleDefinitionError(
                f"{k} must be a string; got {v!r}", file=where, line=lines.get(f"rule.{k}")
            )
    return define(
        head.get("name", default_name),
        hyperparameters=data["hyperparameters"],
        state=data["state"],
        step=data["step"],
        guard=head.get("guard"),
        title=strings["title"] or None,
        source=strings["source"],
        citation=strings["citation"],
        file=where,
        lines=lines,
    )


def load_python(spec: str) -> Rule:
    """``NAME`` from the Python module file of ``PATH.py:NAME``: a Rule, or a callable
    returning one. The module is imported (it is the user's code, and runs)."""
    path, _, name = spec.rpartition(":")
    if not path.endswith(".py") or not name.isidentifier():
        raise ParameterError(f"a Python rule is PATH.py:NAME; got {spec!r}")
    p = Path(path)
    if not p.is_file():
        raise ParameterError(f"rule module {path!r} does not exist")
    module_name = f"octk_user_rule_{abs(hash(str(p.resolve())))}"
    loader = importlib.util.spec_from_file_location(module_name, p)
    if loader is None or loader.loader is None:  # pragma: no cover - a .py file always has one
        raise ParameterError(f"rule module {path!r} cannot be imported")
    module = importlib.util.module_from_spec(loader)
    sys.modules[module_name] = module
    try:
        loader.loader.exec_module(module)
    except ParameterError:
        raise
    except Exception as e:
        del sys.modules[module_name]
        raise ParameterError(
            f"rule module {path!r} failed to import: {type(e).__name__}: {e}"
        ) from e
    if not hasattr(module, name):
        known = [k for k, v in vars(module).items() if isinstance(v, Rule) or _is_builder(v)]
        raise unknown_name(f"rule in {path!r}", name, known)
    value = getattr(module, name)
    if callable(value) and not isinstance(value, Rule):
        try:
            value = value()
        except ParameterError:
            raise
        except Exception as e:
            raise ParameterError(f"{spec}: calling {name}() failed: {type(e).__name__}: {e}") from e
    if not isinstance(value, Rule):
        raise ParameterError(
            f"{spec}: {name} is {type(value).__name__}, not an octk Rule (nor a function "
            "returning one); build it with octk.rules.define"
        )
    return value


def _is_builder(value: Any) -> bool:
    return (
        callable(value)
        and not isinstance(value, type)
        and not getattr(value, "__module__", "").startswith(("octk", "sympy", "builtins"))
    )


def resolve(
    spec: str | Rule, preset: str = "paper", options: Mapping[str, Any] | None = None
) -> Rule:
    """The rule ``spec`` names (see the module doc): a registry name under ``preset`` with
    builder ``options``, a rule file, ``PATH.py:NAME``, or a Rule.

    >>> resolve("adam").name
    'adam'
    >>> resolve("examples/rules/yogi.toml").name  # doctest: +SKIP
    'yogi'
    """
    from octk.rules.catalog import SPECS, rule

    options = dict(options or {})
    if isinstance(spec, str) and spec in SPECS:
        return rule(spec, preset, **options)
    if isinstance(spec, Rule):
        found, what = spec, f"rule {spec.name!r} (a Rule object)"
    elif isinstance(spec, str) and is_rule_file(spec):
        found = load_rule(spec) if spec.endswith(".toml") else load_python(spec)
        what = f"rule {found.name!r} from {spec!r}"
    elif isinstance(spec, str):
        err = unknown_name("rule", spec, SPECS)
        raise type(err)(f"{err} A rule of your own: {FILE_FORMS}.") from None
    else:
        raise ParameterError(f"a rule is a name, {FILE_FORMS} or a Rule; got {spec!r}")
    if preset != "paper":
        raise ParameterError(
            f"--preset {preset}: {what} has one set of equations, its own; presets "
            "belong to registry rules (omit --preset)"
        )
    if options:
        raise ParameterError(
            f"{what} has no builder options (got {', '.join(options)}); set its "
            "hyperparameters with --param NAME=VALUE"
        )
    return found


__all__ = ["FILE_FORMS", "from_definition", "is_rule_file", "load_python", "load_rule", "resolve"]
