"""Memoised lowering and kernel source: a warm :func:`octk.simulate` call does no SymPy work.

Lowering a rule and a sequence (:func:`octk.backends.program.lower`) and printing a
kernel from the program (``kernel_source`` of the Numba and CUDA backends) are pure
functions of their inputs, and each costs milliseconds of SymPy walking and printing.
Both are kept here, keyed by *value*:

* :func:`rule_key`: the rule's name, title, source, hyperparameters (with their
  defaults and intervals), state, program, options, preset and guard -- every field
  of :class:`~octk.rules.Rule`. Two rules built separately from the same name and
  options have equal keys; a different option (a schedule, bias correction) or
  default gives a different program or field, hence a different key.
* :func:`sequence_key`: every field of the :class:`~octk.sequences.Sequence`; a data
  table counts by its shape, dtype and a SHA-256 digest of its bytes, computed once
  per sequence object. A sequence with a table over :data:`MAX_TABLE_BYTES` is not
  memoised at all (see there).
* :func:`domain_key`: the domain's class and its dataclass fields (arrays by value),
  so that box bounds that print alike (``box:0.1234567,1`` and ``box:0.1234568,1``)
  stay apart.
* :func:`program_key`: every field of a :class:`~octk.backends.program.StepProgram`
  (a kernel's text may read any of them).

SymPy expressions hash structurally and cache their hash on the object, so a key
costs microseconds once the expressions have been hashed. Equal keys return the
*same* object (the lowered program, the source text), which the tests check.

Each memo holds at most :data:`MAXSIZE` entries and drops the least recently used;
:func:`clear` empties them all (e.g. for a test of a cold call).
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from octk.backends.program import StepProgram
    from octk.domains.base import Domain
    from octk.monitors import Monitor
    from octk.rules.rule import Rule
    from octk.sequences.sequence import Sequence

#: entries kept per memo (a lowered program and a source text are a few kB each)
MAXSIZE = 256
#: a sequence whose data table is larger is never memoised: a lowered program holds its
#: sequence, and MAXSIZE of them must not pin gigabytes; hashing the table would cost
#: more than the lowering and printing it saves (a run over such a table is long anyway)
MAX_TABLE_BYTES = 2**20


class Memo:
    """A bounded least-recently-used map from a key to a computed value.

    >>> m = Memo("square")
    >>> m.get(3, lambda: 3 * 3), m.get(3, lambda: 0), (m.hits, m.misses)
    (9, 9, (1, 1))
    """

    def __init__(self, name: str, maxsize: int = MAXSIZE):
        self.name, self.maxsize = name, maxsize
        self.entries: OrderedDict[Hashable, Any] = OrderedDict()
        self.hits = self.misses = 0
        self._lock = threading.Lock()
        _MEMOS.append(self)

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The value stored under ``key``, computing and storing it on a miss (threads may
        share a memo: two that miss together both compute, and the first value stays)."""
        with self._lock:
            if key in self.entries:
                self.hits += 1
                self.entries.move_to_end(key)
                return self.entries[key]
            self.misses += 1
        value = compute()
        with self._lock:
            value = self.entries.setdefault(key, value)
            if len(self.entries) > self.maxsize:
                self.entries.popitem(last=False)
        return value

    def clear(self) -> None:
        self.entries.clear()
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self.entries)


_MEMOS: list[Memo] = []


def clear() -> None:
    """Empty every memo of this module."""
    for memo in _MEMOS:
        memo.clear()


def value_key(value: Any) -> Hashable:
    """``value`` as a hashable key: arrays by shape, dtype and contents, mappings by
    their sorted items, lists as tuples; anything else as it is (it must hash)."""
    if isinstance(value, np.ndarray):
        return ("ndarray", value.shape, value.dtype.str, _digest(value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(k), value_key(v)) for k, v in value.items())))
    if isinstance(value, list | tuple):
        return tuple(value_key(v) for v in value)
    return value


def _digest(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def _fields_key(obj: Any) -> tuple:
    return (
        type(obj),
        *((f.name, value_key(getattr(obj, f.name))) for f in dataclasses.fields(obj)),
    )


def rule_key(rule: Rule) -> tuple:
    """Every field of ``rule`` (a :class:`~octk.rules.Rule`) as a hashable key, computed
    once per rule object."""
    return _by_object(rule, _fields_key)


# a sequence is immutable and hashed by identity (eq=False): its key, with the digest
# of its data table, is computed once per object
_sequence_keys: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def sequence_key(sequence: Sequence) -> tuple:
    """Every field of ``sequence`` (a :class:`~octk.sequences.Sequence`), its data
    table by value, as a hashable key."""
    try:
        return _sequence_keys[sequence]
    except KeyError:
        key = _fields_key(sequence)
        _sequence_keys[sequence] = key
        return key


def domain_key(domain: Domain) -> tuple:
    """The domain's class and fields (box bounds by value) as a hashable key."""
    return _fields_key(domain)


def program_key(prog: StepProgram) -> tuple:
    """Every field of a :class:`~octk.backends.program.StepProgram` as a hashable key
    (the rule and the sequence by :func:`rule_key` and :func:`sequence_key`), computed
    once per program object."""
    return _by_object(prog, _program_key)


# rules and programs are immutable but not hashable (a rule holds a dict of options):
# their keys are kept by object id while the object lives
_object_keys: dict[tuple[int, str], tuple] = {}


def _by_object(obj: Any, compute: Callable[[Any], tuple]) -> tuple:
    slot = (id(obj), compute.__name__)
    key = _object_keys.get(slot)
    if key is None:
        key = compute(obj)
        _object_keys[slot] = key
        weakref.finalize(obj, _object_keys.pop, slot, None)
    return key


def _program_key(prog: StepProgram) -> tuple:
    return (
        type(prog),
        rule_key(prog.rule),
        sequence_key(prog.sequence),
        *(
            value_key(getattr(prog, f.name))
            for f in dataclasses.fields(prog)
            if f.name not in ("rule", "sequence")
        ),
    )


_lowered = Memo("lower")
_sources = Memo("kernel source")


def memoisable(sequence: Sequence) -> bool:
    """Whether programs of ``sequence`` are memoised: no data table above
    :data:`MAX_TABLE_BYTES`."""
    return sequence.data is None or sequence.data.nbytes <= MAX_TABLE_BYTES


def lowered(
    rule: Rule, sequence: Sequence, monitors: tuple[Monitor, ...] = (), *, weights: bool = False
) -> StepProgram:
    """:func:`octk.backends.program.lower` of the arguments, memoised by value."""
    from octk.backends.program import lower

    monitors = tuple(monitors or ())
    if not memoisable(sequence):
        return lower(rule, sequence, monitors, weights=weights)
    key = (rule_key(rule), sequence_key(sequence), monitors, bool(weights))
    return _lowered.get(key, lambda: lower(rule, sequence, monitors, weights=weights))


def source(
    printer: Callable[..., str],
    prog: StepProgram,
    domain: Domain,
    *args: Any,
    key: Hashable = (),
    **options: Any,
) -> str:
    """``printer(prog, domain, *args, **options)`` (a backend's ``kernel_source``),
    memoised on (printer, program, domain, ``key``, options): the options name the
    layout and the dtype; ``key`` stands for ``args`` (e.g. a layout plan's
    ``source_key``: what of the plan the source depends on)."""
    if not memoisable(prog.sequence):
        return printer(prog, domain, *args, **options)
    full = (
        printer.__module__,
        printer.__qualname__,
        program_key(prog),
        domain_key(domain),
        key,
        tuple(sorted(options.items())),
    )
    return _sources.get(full, lambda: printer(prog, domain, *args, **options))


def stats() -> dict[str, tuple[int, int, int]]:
    """(entries, hits, misses) of each memo, by name."""
    return {m.name: (len(m), m.hits, m.misses) for m in _MEMOS}


__all__ = [
    "MAXSIZE",
    "MAX_TABLE_BYTES",
    "Memo",
    "clear",
    "domain_key",
    "lowered",
    "memoisable",
    "program_key",
    "rule_key",
    "sequence_key",
    "source",
    "stats",
    "value_key",
]
