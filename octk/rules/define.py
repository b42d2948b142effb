r"""Define a rule in your own notation: :func:`define`.

A rule is a straight-line program run once per step t = 1, 2, ... on each coordinate
(see :mod:`octk.rules.rule`):

.. math::

    s_t = f_s(s_{t-1}, \ldots, g_t, x_t, t; \theta), \qquad
    \hat x_{t+1} = x_t - \delta_t, \qquad x_{t+1} = \Pi_F(\hat x_{t+1}),

with state variables s (each with an initial value s_0, an expression of the
hyperparameters θ), temporaries of the step, and the step δ_t. :func:`define` takes
the pieces as text -- the hyperparameters with defaults and ranges, the state with
initial values, the assignments in order, the final ``x`` update, an optional guard --
and returns a :class:`~octk.rules.rule.Rule` that every backend, proof and bound reads,
exactly as a registry rule.

Each expression is parsed by :func:`octk.expressions.parse_expression`, which walks
Python's syntax tree and evaluates nothing (``__import__('os')`` is an error, not a
call). An assignment sees the symbols of the step: ``g`` (the gradient g_t), ``t``
(the step, from 1), ``x`` (the iterate x_t), the hyperparameters, the state (its
previous value s_{t−1} until it is assigned this step, its new value s_t after), and the
temporaries assigned before it; the functions are ``sqrt``, ``abs``, ``sign``, ``max``,
``min``, ``exp``, ``log``, ``where(cond, a, b)`` and ``Piecewise((a, cond), ...,
(b, True))``, with ``**`` for powers.

The program ends with ``x = ...`` (x̂_{t+1}). Where it assigns no temporary ``delta``,
:func:`define` writes the step δ_t = x_t − x̂_{t+1} as one (octk's analyses read
δ_t = η_t M_t from it, :mod:`octk.rules.anatomy`). A guard ``expr > 0`` makes the step
0 where it fails (e.g. ``sqrt(v) + eps > 0``: no step before the first non-zero
gradient, where √v_t + ε = 0).

Every mistake is a :class:`~octk.errors.RuleDefinitionError` (an unknown symbol: its
subclass :class:`~octk.errors.UnknownSymbolError`, with the closest known name) whose
message names the file and line (where given), the entry and the symbol.

>>> yogi = define(
...     "yogi",
...     hyperparameters={"alpha": 0.01, "beta1": {"default": 0.9, "range": "[0, 1)"},
...                      "beta2": {"default": 0.999, "range": "[0, 1)"}, "eps": 1e-3},
...     state={"m": 0, "v": 0},
...     step={"m": "beta1*m + (1 - beta1)*g",
...           "v": "v - (1 - beta2)*sign(v - g**2)*g**2",
...           "x": "x - alpha*m/(sqrt(v) + eps)"},
...     guard="sqrt(v) + eps > 0",
... )
>>> [str(s) for s, _ in yogi.program]
['m', 'v', 'delta', 'x']
"""

from __future__ import annotations

import ast
import keyword
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sympy as sp

from octk.errors import (
    ParameterError,
    RuleDefinitionError,
    UnknownSymbolError,
    closest_name,
)
from octk.expressions import FUNCTIONS, parse_expression
from octk.rules.rule import Hyperparameter, Rule, State, guarded_step
from octk.symbols import g, t, x

#: names a rule cannot define: the step's own symbols, constants, the functions
RESERVED = frozenset(
    {"t", "g", "x", "i", "pi", "E", "U0", "U1", "U2", "U3", "Piecewise", "True", "False"}
    | set(FUNCTIONS)
)
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_RULE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.+-]*\Z")
_HYPER_KEYS = ("default", "range", "doc", "latex")
_STATE_KEYS = ("init", "doc")


class _Where:
    """Where each entry of a definition was written (file and line), for messages."""

    def __init__(self, file: str | None, lines: Mapping[str, int] | None):
        self.file = file
        self.lines = dict(lines or {})

    def error(
        self, key: str, message: str, *, symbol: str | None = None, cls=RuleDefinitionError
    ) -> RuleDefinitionError:
        """An error at entry ``key`` (``"step.v"``, ``"hyperparameters.alpha"``, ...)."""
        table, _, name = key.partition(".")
        entry = {
            "step": f"assignment {name!r}",
            "hyperparameters": f"hyperparameter {name!r}",
            "state": f"state {name!r}",
        }.get(table, key)
        return cls(message, file=self.file, line=self.lines.get(key), entry=entry, symbol=symbol)


def define(
    name: str,
    *,
    hyperparameters: Mapping[str, Any],
    state: Mapping[str, Any],
    step: Mapping[str, Any] | Sequence[tuple[str, Any]],
    guard: str | None = None,
    title: str | None = None,
    source: str = "",
    citation: str = "",
    file: str | None = None,
    lines: Mapping[str, int] | None = None,
) -> Rule:
    r"""A :class:`~octk.rules.rule.Rule` from its pieces written as text (see the module doc).

    Parameters
    ----------
    name : the rule's name (letters, digits, ``_ . + -``).
    hyperparameters : name -> default (a number; range [0, ∞)), or a mapping with
        ``default``, ``range`` (an interval ``"[0, 1)"``, ``"(0, inf)"``: a
        hyperparameter is a non-negative real, the symbols of octk's proofs), ``doc``
        and ``latex``.
    state : name -> initial value (a number or an expression of the hyperparameters),
        or a mapping with ``init`` and ``doc``.
    step : the assignments in order, target -> expression (or (target, expression)
        pairs); the last assigns ``x``, the unprojected next iterate x̂_{t+1}.
    guard : ``"expr > 0"`` (or ``"a > b"``): the step is taken where it holds, else 0.
    title, source, citation : what the rule is and where its equations come from.
    file, lines : where the definition was written (a file, and ``"table.key"`` ->
        line), for error messages; :func:`octk.rules.files.load_rule` fills them in.
    """
    where = _Where(file, lines)
    if not isinstance(name, str) or not _RULE_NAME.match(name):
        raise where.error(
            "rule.name", f"the rule's name must match {_RULE_NAME.pattern}; got {name!r}"
        )
    hypers = tuple(
        _hyperparameter(where, n, spec)
        for n, spec in _items(where, "hyperparameters", hyperparameters)
    )
    hyper_names = {h.name: h.symbol for h in hypers}
    consts = {"pi": sp.pi, "E": sp.E}
    states = []
    for n, spec in _items(where, "state", state):
        _check_name(where, f"state.{n}", n, taken=hyper_names)
        init, doc = _state_spec(where, n, spec)
        value = _parse(where, f"state.{n}", init, {**consts, **hyper_names}, "initial value")
        states.append(State(n, value, doc))
    state_symbols = {s.name: s.symbol for s in states}
    program = _program(where, _assignments(where, step), hyper_names, state_symbols, consts)
    program, rule_guard = _with_step(where, program, guard, hyper_names, state_symbols, consts)
    cited = f"{source} — {citation}" if source and citation else (source or citation)
    return Rule(
        name=name,
        title=title or name,
        source=cited or "defined by the user",
        hyperparameters=hypers,
        state=tuple(states),
        program=tuple(program),
        options={},
        preset="paper",
        guard=rule_guard,
    )


# --------------------------------------------------------------------------- pieces
def _items(where: _Where, table: str, spec: Any) -> Iterable[tuple[str, Any]]:
    if not isinstance(spec, Mapping):
        raise where.error(table, f"[{table}] must be a table of name = value; got {spec!r}")
    return spec.items()


def _check_name(where: _Where, key: str, n: str, *, taken: Mapping[str, Any] = {}) -> None:
    """A name a rule may define: an identifier that is not reserved nor already taken."""
    if not isinstance(n, str) or not _NAME.match(n) or keyword.iskeyword(n):
        raise where.error(key, f"{n!r} is not a name (letters, digits and _)", symbol=str(n))
    if n in RESERVED:
        raise where.error(
            key,
            f"{n!r} is reserved (t, g, x, i, pi, E, U0..U3 and the functions "
            f"{', '.join(sorted(FUNCTIONS))}, Piecewise)",
            symbol=n,
        )
    if n == "delta" and not key.startswith("step."):
        raise where.error(
            key,
            "'delta' is the step δ_t = x_t − x̂_{t+1} in octk's programs; name it otherwise",
            symbol=n,
        )
    if n in taken:
        what = (
            "a hyperparameter, constant during a run: assign a temporary of another name"
            if key.startswith("step.")
            else "already a hyperparameter"
        )
        raise where.error(key, f"{n!r} is {what}", symbol=n)


def _hyperparameter(where: _Where, n: str, spec: Any) -> Hyperparameter:
    key = f"hyperparameters.{n}"
    _check_name(where, key, n)
    if isinstance(spec, Mapping):
        _known_keys(where, key, spec, _HYPER_KEYS)
        if "default" not in spec:
            raise where.error(key, "no default (write default = <number>)", symbol=n)
        default, text, doc, latex = (
            spec["default"],
            spec.get("range", "[0, inf)"),
            str(spec.get("doc", "")),
            spec.get("latex"),
        )
    else:
        default, text, doc, latex = spec, "[0, inf)", "", None
    if isinstance(default, bool) or not isinstance(default, int | float):
        raise where.error(key, f"the default must be a number; got {default!r}", symbol=n)
    lo, hi, lo_open, hi_open = _interval(where, key, text)
    h = Hyperparameter(n, float(default), doc, lo, hi, lo_open, hi_open, latex)
    try:
        h.check(default)
    except ParameterError as e:
        raise where.error(key, f"the default is outside its range: {e}", symbol=n) from None
    return h


def _interval(where: _Where, key: str, text: Any) -> tuple[float, float | None, bool, bool]:
    """``"[0, 1)"`` as (lo, hi, lo_open, hi_open); hi None for ∞. A hyperparameter is a
    non-negative real (octk's proofs use that assumption), so lo must be ≥ 0."""
    form = "an interval such as '[0, 1)' or '(0, inf)'"
    if isinstance(text, Sequence) and not isinstance(text, str) and len(text) == 2:
        text = f"[{text[0]}, {text[1]}]"
    m = re.fullmatch(r"\s*([\[(])\s*([^,]+?)\s*,\s*([^,]+?)\s*([\])])\s*", str(text))
    if not m:
        raise where.error(key, f"range must be {form}; got {text!r}")
    try:
        lo, hi = float(m.group(2)), float(m.group(3))
    except ValueError:
        raise where.error(key, f"range must be {form}; got {text!r}") from None
    if math.isnan(lo) or math.isnan(hi) or lo > hi or math.isinf(lo):
        raise where.error(key, f"range {text!r} is empty or unbounded below")
    if lo < 0:
        raise where.error(
            key,
            f"range {text!r} reaches below 0; a hyperparameter is a non-negative real (the "
            "assumption of octk's proofs): write a negative parameter as minus a non-negative one",
        )
    if math.isinf(hi):  # unbounded above: open, as Hyperparameter writes it (hi None)
        return lo, None, m.group(1) == "(", False
    return lo, hi, m.group(1) == "(", m.group(4) == ")"


def _known_keys(where: _Where, key: str, spec: Mapping, allowed: Sequence[str]) -> None:
    for k in spec:
        if k not in allowed:
            close = closest_name(str(k), allowed)
            hint = f"; did you mean {close!r}?" if close else ""
            raise where.error(
                key, f"unknown key {k!r} (allowed: {', '.join(allowed)}){hint}", symbol=str(k)
            )


def _state_spec(where: _Where, n: str, spec: Any) -> tuple[Any, str]:
    if isinstance(spec, Mapping):
        _known_keys(where, f"state.{n}", spec, _STATE_KEYS)
        if "init" not in spec:
            raise where.error(
                f"state.{n}", "no initial value (write init = <expression>)", symbol=n
            )
        return spec["init"], str(spec.get("doc", ""))
    return spec, ""


def _assignments(where: _Where, step: Any) -> list[tuple[str, Any]]:
    pairs = list(step.items()) if isinstance(step, Mapping) else list(step)
    if not pairs:
        raise where.error("step", "no assignments; the last must be x = ... (x̂_{t+1})")
    seen: set[str] = set()
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise where.error("step", f"an assignment must be (target, expression); got {pair!r}")
        if pair[0] in seen:
            raise where.error(f"step.{pair[0]}", f"{pair[0]!r} is assigned twice", symbol=pair[0])
        seen.add(pair[0])
    return pairs


def _program(
    where: _Where,
    pairs: list[tuple[str, Any]],
    hypers: Mapping[str, sp.Symbol],
    states: Mapping[str, sp.Symbol],
    consts: Mapping[str, sp.Basic],
) -> list[tuple[sp.Symbol, sp.Expr]]:
    """The assignments as (target, expression), each checked (see :func:`define`)."""
    known: dict[str, sp.Basic] = {"t": t, "g": g, "x": x, **consts, **hypers, **states}
    temporaries = {n for n, _ in pairs if n not in states and n != "x"}
    program: list[tuple[sp.Symbol, sp.Expr]] = []
    for target, text in pairs:
        key = f"step.{target}"
        if target in ("g", "t"):
            what = "the gradient g_t the sequence reveals" if target == "g" else "the step t"
            raise where.error(key, f"cannot assign to {target!r}: it is {what}", symbol=target)
        if program and program[-1][0] == x:
            raise where.error(
                key,
                "x = ... must be the last assignment (x̂_{t+1}); move it to the end",
                symbol=target,
            )
        if target != "x":
            _check_name(where, key, target, taken=hypers)
        pending = {n for n in temporaries if n not in known}
        expr = _parse(where, key, text, known, "expression", pending=pending)
        sym = x if target == "x" else states.get(target, sp.Symbol(target, real=True))
        program.append((sym, expr))
        known.setdefault(target, sym)
    if program[-1][0] != x:
        raise where.error(
            "step",
            "no 'x' update: the last assignment must give x̂_{t+1} (e.g. x = x - delta)",
            symbol="x",
        )
    assigned = {s.name for s, _ in program}
    for n in states:
        if n not in assigned:
            raise where.error(f"state.{n}", f"state {n!r} is never assigned in the step", symbol=n)
    return program


def _with_step(
    where: _Where,
    program: list[tuple[sp.Symbol, sp.Expr]],
    guard: str | None,
    hypers: Mapping[str, sp.Symbol],
    states: Mapping[str, sp.Symbol],
    consts: Mapping[str, sp.Basic],
) -> tuple[list[tuple[sp.Symbol, sp.Expr]], sp.Basic]:
    """The program with its step ``delta`` (written as x − x̂ where not assigned) guarded."""
    names = {s.name: s for s, _ in program if s != x}
    if "delta" in names:
        k = [s.name for s, _ in program].index("delta")
    else:
        delta = sp.Symbol("delta", real=True)
        program = [*program[:-1], (delta, x - program[-1][1]), (x, x - delta)]
        k = len(program) - 2
    if guard is None:
        return program, sp.true
    known = {"t": t, "g": g, "x": x, **consts, **hypers, **states, **names}
    cond = _parse(where, "rule.guard", guard, known, "guard")
    if not isinstance(cond, sp.StrictGreaterThan):
        raise where.error("rule.guard", f"the guard must be 'expression > 0'; got {guard!r}")
    if cond.rhs != 0:
        cond = sp.StrictGreaterThan(cond.lhs - cond.rhs, 0)
    target, step = program[k]
    program[k] = (target, guarded_step(step, cond))
    return program, cond


def _parse(
    where: _Where,
    key: str,
    text: Any,
    known: Mapping[str, sp.Basic],
    what: str,
    *,
    pending: Iterable[str] = (),
) -> sp.Expr:
    """``text`` (a string or a number) parsed with ``known`` as its only names."""
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise where.error(key, f"the {what} must be a string or a number; got {text!r}")
    text = repr(text) if not isinstance(text, str) else text
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        raise where.error(key, f"cannot parse {text.strip()!r} ({e.msg})") from None
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    pending = set(pending)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and id(node) not in called and node.id not in known:
            if node.id in pending:
                raise where.error(
                    key,
                    f"reads {node.id!r} before it is assigned (the assignments run in "
                    f"order); if {node.id!r} carries over from one step to the next, it is "
                    "a state: declare it in [state] with its initial value",
                    symbol=node.id,
                )
            if what == "initial value" and node.id in ("g", "t", "x"):
                raise where.error(
                    key,
                    "an initial value is an expression of the hyperparameters; it reads "
                    f"{node.id!r}",
                    symbol=node.id,
                )
            names = sorted(n for n in known if n not in ("pi", "E"))
            close = closest_name(node.id, names)
            hint = f" Did you mean {close!r}?" if close else ""
            raise where.error(
                key,
                f"unknown symbol {node.id!r} in {text.strip()!r}; known: {', '.join(names)}.{hint}",
                symbol=node.id,
                cls=UnknownSymbolError,
            )
    allowed = "numbers, " + ", ".join(sorted(known))
    try:
        return parse_expression(text, name="expression", names=dict(known), allowed=allowed)
    except ParameterError as e:
        raise where.error(key, str(e).removeprefix("expression: ")) from None


__all__ = ["RESERVED", "define"]
