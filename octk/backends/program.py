r"""Lowering: a rule and a sequence become one straight-line per-coordinate step.

:func:`lower` joins the sequence's signal, gradient, loss and statistics with the
rule's program, then rewrites it for execution:

* every power b^(t+k) of a hyperparameter b (bias corrections 1 − β^t, the
  momentum schedule β1 λ^(t−1)) becomes a running product: a state ``pow_b``
  that holds b^(t−1) during step t and is multiplied by b at the end of the
  step, so b^(t+k) = pow_b · b^(k+1) and no ``pow`` runs per step;
* numbers are kept exact (SymPy Integers, Rationals, Floats) for the printers;
* the sequence's sufficient statistics and the :mod:`monitors <octk.monitors>`
  become *accumulators*: each has a symbol holding its value after the previous
  step, an update expression over it and the step's symbols, and an initial
  value (a statistic Σ s_t is the accumulator ``sum_s`` updated to ``sum_s + s``).

Where the domain's projection is RKK's weighted Π_{F,√V} (``domain.reads_weights``),
:func:`for_domain` appends one more assignment, the weight w = 1/η_t of every
coordinate (η_t the rule's effective step, read from its program by
:meth:`~octk.rules.Rule.effective_step`); the backends hand it to the domain's
projection.

The result, a :class:`StepProgram`, is what every backend executes: the
reference backend evaluates it with NumPy, the Numba and CUDA backends print it.
Both see the very same assignments, so they agree to rounding.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from octk.errors import ParameterError
from octk.monitors import PREV, Monitor
from octk.rules.rule import Rule
from octk.sequences.sequence import Sequence
from octk.symbols import DATA, U, g, i, t, x

S = sp.Symbol("s", real=True)  # the signal s_{t,i}
F = sp.Symbol("f", real=True)  # the loss f_t(x_t) of the coordinate
W = sp.Symbol("proj_w", real=True)  # the projection weight 1/η_{t,i} (weighted domains)


@dataclass(frozen=True)
class StepProgram:
    """One step of a simulation, per coordinate, ready to print or evaluate.

    ``assignments`` run in order; targets are state symbols (updated in place),
    temporaries, ``g``, ``s``, ``f`` and finally ``x`` (unprojected x̂_{t+1}).
    ``stats`` are the accumulators, (name, update) pairs run in order after the
    assignments: the accumulator's symbol (:func:`stat_symbol`) holds its value
    after the previous step, and ``update`` gives its value after this one (an
    accumulator listed earlier is already updated). In the update, ``x`` is the
    iterate x_t played at this step, never x̂_{t+1}. The first
    ``len(stats) − len(monitors)`` are the sequence's sufficient statistics, the
    rest the monitors named in ``monitors``; ``stat_init`` are their values before
    step 1. ``post`` are the running-power updates run at the end of the step.
    ``weighted``: the assignments end with ``W`` = 1/η_t, the projection weight
    (:func:`for_domain`); ``monitor_records`` are the monitors as given.
    """

    rule: Rule
    sequence: Sequence
    hyper: tuple[str, ...]
    state: tuple[tuple[sp.Symbol, sp.Expr], ...]  # (symbol, initial value)
    assignments: tuple[tuple[sp.Symbol, sp.Expr], ...]
    stats: tuple[tuple[str, sp.Expr], ...]
    post: tuple[tuple[sp.Symbol, sp.Expr], ...]
    streams: tuple[int, ...]
    uses_data: bool
    stat_init: tuple[float, ...] = ()
    monitors: tuple[str, ...] = ()
    weighted: bool = False
    monitor_records: tuple = ()

    @property
    def state_names(self) -> tuple[str, ...]:
        return tuple(s.name for s, _ in self.state)

    @property
    def stat_symbols(self) -> tuple[sp.Symbol, ...]:
        return tuple(stat_symbol(n) for n, _ in self.stats)

    @property
    def n_sequence_stats(self) -> int:
        """How many of ``stats`` are the sequence's sufficient statistics (the rest: monitors)."""
        return len(self.stats) - len(self.monitors)

    def all_expressions(self):
        yield from (e for _, e in self.assignments)
        yield from (e for _, e in self.stats)
        yield from (e for _, e in self.post)


def _running_powers(exprs, hyper_syms):
    """Find b^(t+k) with b free of t; return (replacements, new states, post updates)."""
    found: dict[sp.Basic, sp.Expr] = {}
    states: dict[sp.Symbol, sp.Symbol] = {}
    for e in exprs:
        for p in e.atoms(sp.Pow):
            if t not in p.exp.free_symbols:
                continue
            base, ex = p.base, p.exp
            k = sp.expand(ex - t)
            if t in base.free_symbols or not k.is_integer or not k.is_number:
                raise ParameterError(
                    f"cannot run {p}: only powers b^(t+k) with b free of t and k an integer "
                    "are supported (they become running products)"
                )
            if not base.free_symbols <= hyper_syms and not base.is_number:
                raise ParameterError(
                    f"cannot run {p}: its base must be a hyperparameter or a number"
                )
            name = (
                "pow_" + "_".join(str(s) for s in sorted(base.free_symbols, key=str))
                if base.free_symbols
                else f"pow_{len(states)}"
            )
            sym = states.setdefault(base, sp.Symbol(name, real=True))
            found[p] = sym * base ** (int(k) + 1)
    post = tuple((sym, sym * base) for base, sym in states.items())
    init = tuple((sym, sp.Integer(1)) for sym in states.values())
    return found, init, post


def reserved_names(sequence: Sequence) -> frozenset[str]:
    """Names the lowering gives its own symbols: the signal ``s``, the loss ``f``, the
    projection weight ``proj_w``, ``t``, ``i``, the draws ``U0``..``U3``, ``data_ti``,
    ``prev``, and the accumulators of ``sequence``'s statistics. A rule's state,
    temporaries or hyperparameters named so would be the same SymPy symbol and silently
    change the step (a monitor named like a symbol of the program is refused by the
    monitors' own check)."""
    names = {s.name for s in (S, F, W, t, i, DATA, PREV, *U)}
    names.update(n for n, _ in sequence.statistics(S))
    return frozenset(names)


def _check_names(rule: Rule, sequence: Sequence) -> None:
    """A ParameterError naming the first name of ``rule`` that the lowering reserves
    (see :func:`reserved_names`) or that a running power ``pow_*`` would take."""
    reserved = reserved_names(sequence)
    own = [("hyperparameter", h.name) for h in rule.hyperparameters]
    own += [("state variable", s.name) for s in rule.state]
    own += [("assignment target", str(target)) for target, _ in rule.program if target != x]
    for kind, name in own:
        if name in reserved or name.startswith("pow_"):
            raise ParameterError(
                f"rule {rule.name!r}: {kind} {name!r} is a name the lowering reserves "
                f"(reserved: {', '.join(sorted(reserved))}, and every pow_* name); rename it"
            )


def stat_symbol(name: str) -> sp.Symbol:
    """The symbol of accumulator ``name`` (its value after the previous step, then this one)."""
    return sp.Symbol(name, real=True)


def _lower_monitors(rule: Rule, sequence: Sequence, seq_stats, monitors) -> list:
    """Check ``monitors`` against the program and rewrite them as accumulators."""
    known: dict[str, sp.Symbol] = {s.name: s for s in (t, g, x, i, S, F, *U)}
    if sequence.data is not None:
        known[DATA.name] = DATA
    known.update({h.name: h.symbol for h in rule.hyperparameters})
    known.update({st.name: st.symbol for st in rule.state})
    known.update({target.name: target for target, _ in rule.program if target != x})
    taken = set(known) | {n for n, _ in seq_stats}
    names = []
    for mon in monitors:
        if not isinstance(mon, Monitor):
            raise ParameterError(
                f"monitors must be octk.monitors.Monitor records; got {type(mon).__name__}"
            )
        if mon.name in taken or mon.name in names:
            what = "another monitor" if mon.name in names else "a symbol of the program"
            raise ParameterError(
                f"monitor name {mon.name!r} is already {what} (rule {rule.name!r}, "
                f"sequence {sequence.spec()!r}); choose another name"
            )
        names.append(mon.name)
    allowed = dict(known)
    allowed.update({n: stat_symbol(n) for n in names})
    out = []
    for mon in monitors:
        sub = {PREV: stat_symbol(mon.name)}
        unknown = []
        for sym in mon.update.free_symbols:
            if sym == PREV:
                continue
            if sym.name in allowed:
                sub[sym] = allowed[sym.name]
            else:
                unknown.append(sym.name)
        if unknown:
            raise ParameterError(
                f"monitor {mon.name!r} uses {', '.join(sorted(unknown))}, which rule "
                f"{rule.name!r} on sequence {sequence.spec()!r} does not define; available: "
                f"{', '.join(sorted(allowed))}, prev"
            )
        out.append((mon.name, mon.update.xreplace(sub), mon.init))
    return out


def lower(rule: Rule, sequence: Sequence, monitors=(), *, weights: bool = False) -> StepProgram:
    """Join ``sequence``, ``rule`` and ``monitors`` into one :class:`StepProgram`.

    See the module doc; ``monitors`` are :class:`octk.monitors.Monitor` records,
    appended to the sequence's statistics as accumulators. ``weights``: also
    compute the projection weight ``W`` = 1/η_t (see :func:`for_domain`).
    """
    _check_names(rule, sequence)
    hyper_syms = {h.symbol for h in rule.hyperparameters}
    assignments: list[tuple[sp.Symbol, sp.Expr]] = [
        (S, sequence.signal),
        (g, sequence.gradient(S)),
        (F, sequence.loss_expr(S)),
    ]
    assignments += list(rule.program)
    if weights:
        assignments.append((W, _inverse_step(rule)))
    seq_stats = tuple(sequence.statistics(S))
    mons = _lower_monitors(rule, sequence, seq_stats, tuple(monitors or ()))
    stats = tuple((n, stat_symbol(n) + e) for n, e in seq_stats) + tuple((n, e) for n, e, _ in mons)
    stat_init = (0.0,) * len(seq_stats) + tuple(v for _, _, v in mons)

    exprs = [e for _, e in assignments] + [e for _, e in stats]
    found, pow_init, post = _running_powers(exprs, hyper_syms)
    if found:
        assignments = [(s, e.xreplace(found)) for s, e in assignments]
        stats = tuple((n, e.xreplace(found)) for n, e in stats)

    state = tuple((s.symbol, s.init) for s in rule.state) + pow_init
    sig_syms = set(sequence.signal.free_symbols).union(*(e.free_symbols for _, e, _ in mons))
    return StepProgram(
        rule=rule,
        sequence=sequence,
        hyper=rule.hyper_names,
        state=state,
        assignments=tuple(assignments),
        stats=stats,
        post=post,
        streams=tuple(k for k, u in enumerate(U) if u in sig_syms),
        uses_data=DATA in sig_syms,
        stat_init=stat_init,
        monitors=tuple(n for n, _, _ in mons),
        weighted=weights,
        monitor_records=tuple(monitors or ()),
    )


def _inverse_step(rule: Rule) -> sp.Expr:
    try:
        return rule.inverse_effective_step()
    except ParameterError as exc:
        raise ParameterError(
            f"the weighted projection Π_{{F,√V}} weighs coordinates by 1/η_t, the rule's "
            f"effective step, which is not defined here ({exc}); use a domain option "
            "projection=euclidean"
        ) from None


def check_for_domain(prog: StepProgram, domain) -> None:
    """Raise if ``prog`` lacks the projection weights ``domain`` reads (see :func:`for_domain`)."""
    if domain.reads_weights and not prog.weighted:
        raise ParameterError(
            f"the program was lowered without the projection weights 1/η_t that the domain "
            f"{domain.spec()} reads; lower it with weights=True or for_domain(program, domain)"
        )


def for_domain(prog: StepProgram, domain) -> StepProgram:
    """``prog`` as the projection onto ``domain`` needs it (idempotent).

    Where the domain projects with RKK's weighted Π_{F,√V}, the program is lowered
    again with the weights w = 1/η_t; otherwise it is returned as is.
    """
    if prog.weighted or not domain.reads_weights:
        return prog
    return lower(prog.rule, prog.sequence, prog.monitor_records, weights=True)
