"""The exceptions octk raises, and the checks that raise them.

Every message names the parameter, the value it got and what is allowed, so
that a user never has to read a traceback from inside Numba or cvxpy.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable


class OctkError(Exception):
    """Base class of every error octk raises on purpose."""


class ParameterError(OctkError, ValueError):
    """A parameter is out of its allowed range, of the wrong type, or malformed."""


class UnknownNameError(OctkError, ValueError):
    """A rule, preset, sequence, domain, backend or option name that does not exist."""


class RuleDefinitionError(ParameterError):
    """A rule definition (:func:`octk.rules.define`, a rule file) that is malformed.

    The message starts with where: the file and line (where known), the assignment or
    entry, and the symbol; the same are kept as attributes (None where not known).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        entry: str | None = None,
        symbol: str | None = None,
    ):
        where = ", ".join(
            part
            for part in (
                file,
                None if line is None else f"line {line}",
                entry,
            )
            if part
        )
        super().__init__(f"{where}: {message}" if where else message)
        self.file, self.line, self.entry, self.symbol = file, line, entry, symbol


class UnknownSymbolError(RuleDefinitionError, UnknownNameError):
    """A rule definition reads a symbol it does not define (the message lists the known
    symbols and the closest one)."""


class ShapeError(OctkError, ValueError):
    """Arrays whose shapes do not fit together (x0, bounds, data, batch sizes)."""


class BackendUnavailableError(OctkError, ImportError):
    """A backend whose optional dependency (or device) is missing."""


class OptionalDependencyError(OctkError, ImportError):
    """A feature whose optional extra is not installed (the message names the extra)."""


class ComparatorError(OctkError, RuntimeError):
    """The comparator problem min_x sum_t f_t(x) could not be solved."""


class ComparatorWarning(UserWarning):
    """The comparator was solved, but only to reduced accuracy."""


class NonFiniteError(OctkError, ArithmeticError):
    """A run produced a non-finite value (inf or nan) in its state, iterate, loss or
    statistics; ``record`` is the :class:`octk.nonfinite.NonFinite` that says where."""

    def __init__(self, message: str, record: object = None):
        super().__init__(message)
        self.record = record


class NonFiniteWarning(RuntimeWarning):
    """A run produced a non-finite value and went on (``nonfinite="warn"``)."""


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C during a run: ``completed`` of ``steps`` steps were done when it stopped."""

    def __init__(self, completed: int, steps: int):
        super().__init__(f"interrupted at step {completed:,} of {steps:,}")
        self.completed = completed
        self.steps = steps


def unknown_name(kind: str, name: str, known: Iterable[str]) -> UnknownNameError:
    """An :class:`UnknownNameError` listing the known names and the closest match.

    The match ignores case and counts edits (insertions, deletions, substitutions
    and swaps of two neighbours, see :func:`edit_distance`); a name within about
    two edits in five characters is suggested, the nearest first.

    >>> str(unknown_name("rule", "AMSGrad", ["adam", "amsgrad"])).endswith("'amsgrad'?")
    True
    >>> str(unknown_name("rule", "adma", ["adam", "adamax"])).endswith("'adam'?")
    True
    """
    known = sorted(known)
    close = closest_name(str(name), known)
    hint = f" Did you mean {close!r}?" if close else ""
    return UnknownNameError(f"unknown {kind} {name!r}; known: {', '.join(known)}.{hint}")


def closest_name(name: str, known: Iterable[str]) -> str | None:
    """The known name nearest to ``name`` ignoring case, or None if none is near."""
    low = name.lower()
    limit = max(1, 2 * len(low) // 5)
    scored = []
    for k in known:
        dist = edit_distance(low, k.lower())
        if dist <= limit:
            ratio = difflib.SequenceMatcher(None, low, k.lower()).ratio()
            scored.append((dist, -ratio, k))
    if scored:
        return min(scored)[2]
    starts = [k for k in known if len(low) >= 3 and k.lower().startswith(low)]
    return starts[0] if len(starts) == 1 else None


def edit_distance(a: str, b: str) -> int:
    """The optimal-string-alignment distance: insertions, deletions, substitutions and
    transpositions of adjacent characters, each costing 1.

    >>> edit_distance("adma", "adam"), edit_distance("adma", "adamax")
    (1, 2)
    """
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]


def check_real(name: str, value, *, lo=None, hi=None, lo_open=False, hi_open=False) -> float:
    """Return ``value`` as a finite float in the interval, else raise ParameterError.

    ``lo``/``hi`` of None mean unbounded; ``*_open`` excludes the end point.
    """
    interval = (
        ("(" if lo_open or lo is None else "[")
        + ("-inf" if lo is None else f"{lo:g}")
        + ", "
        + ("inf" if hi is None else f"{hi:g}")
        + (")" if hi_open or hi is None else "]")
    )
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a real number in {interval}; got {value!r}") from None
    if not math.isfinite(v):
        raise ParameterError(f"{name} must be a finite number in {interval}; got {v}")
    if lo is not None and (v < lo or (lo_open and v == lo)):
        raise ParameterError(f"{name} must be in {interval}; got {v:g}")
    if hi is not None and (v > hi or (hi_open and v == hi)):
        raise ParameterError(f"{name} must be in {interval}; got {v:g}")
    return v


def check_int(name: str, value, *, lo: int | None = None, hi: int | None = None) -> int:
    """Return ``value`` as an int within [lo, hi], else raise ParameterError."""
    span = f"[{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}]"
    if isinstance(value, bool):
        raise ParameterError(f"{name} must be an integer in {span}; got {value!r}")
    try:
        f = float(value)
        v = int(f)
    except (TypeError, ValueError, OverflowError):
        raise ParameterError(f"{name} must be an integer in {span}; got {value!r}") from None
    if f != v:
        raise ParameterError(f"{name} must be an integer in {span}; got {value!r}")
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise ParameterError(f"{name} must be an integer in {span}; got {v}")
    return v


def check_choice(name: str, value, choices: Iterable) -> object:
    """Return ``value`` if it is one of ``choices``, else raise ParameterError."""
    choices = tuple(choices)
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ParameterError(f"{name} must be one of {listed}; got {value!r}")
    return value
