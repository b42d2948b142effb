r"""Lowering: a rule and a sequence become one straight-line per-coordinate step.

:func:`lower` joins the sequence's signal, gradient, loss and statistics with the
rule's program, then rewrites it for execution:

* every power b^(t+k) of a hyperparameter b (bias corrections 1 − β^t, the
  momentum schedule β1 λ^(t−1)) becomes a running product: a state ``pow_b``
  that holds b^(t−1) during step t and is multiplied by b at the end of the
  step, so b^(t+k) = pow_b · b^(k+1) and no ``pow`` runs per step;
* numbers are kept exact (SymPy Integers, Rationals, Floats) for the printers.

The result, a :class:`StepProgram`, is what every backend executes: the
reference backend evaluates it with NumPy, the Numba and CUDA backends print it.
Both see the very same assignments, so they agree to rounding.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from octk.errors import ParameterError
from octk.rules.rule import Rule
from octk.sequences.sequence import Sequence
from octk.symbols import DATA, U, g, t

S = sp.Symbol("s", real=True)  # the signal s_{t,i}
F = sp.Symbol("f", real=True)  # the loss f_t(x_t) of the coordinate


@dataclass(frozen=True)
class StepProgram:
    """One step of a simulation, per coordinate, ready to print or evaluate.

    ``assignments`` run in order; targets are state symbols (updated in place),
    temporaries, ``g``, ``s``, ``f`` and finally ``x`` (unprojected x̂_{t+1}).
    ``stats`` are (name, expression) pairs accumulated after the step's signal
    is known; ``post`` are the running-power updates run at the end of the step.
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

    @property
    def state_names(self) -> tuple[str, ...]:
        return tuple(s.name for s, _ in self.state)

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


def lower(rule: Rule, sequence: Sequence) -> StepProgram:
    """Join ``sequence`` and ``rule`` into one :class:`StepProgram` (see the module doc)."""
    hyper_syms = {h.symbol for h in rule.hyperparameters}
    assignments: list[tuple[sp.Symbol, sp.Expr]] = [
        (S, sequence.signal),
        (g, sequence.gradient(S)),
        (F, sequence.loss_expr(S)),
    ]
    assignments += list(rule.program)
    stats = tuple(sequence.statistics(S))

    exprs = [e for _, e in assignments] + [e for _, e in stats]
    found, pow_init, post = _running_powers(exprs, hyper_syms)
    if found:
        assignments = [(s, e.xreplace(found)) for s, e in assignments]
        stats = tuple((n, e.xreplace(found)) for n, e in stats)

    state = tuple((s.symbol, s.init) for s in rule.state) + pow_init
    sig_syms = sequence.signal.free_symbols
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
    )
