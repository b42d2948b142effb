r"""Monitors: running per-coordinate quantities that the simulation loop keeps.

A run's :class:`~octk.trajectory.Trajectory` holds the iterates, the played loss
and the sufficient statistics of the comparator. The published regret bounds
need more: Σ_t g_{t,i}² (for ‖g_{1:T,i}‖₂), the largest |g_{t,i}| seen, v̂_{T,i},
sums such as Σ_t β1,t v̂_{t,i}^{1/2}/α_t, and the signs of the weights
Γ_{t,i} = 1/η_{t,i} − 1/η_{t−1,i}. A :class:`Monitor` is one such quantity, kept
per coordinate by every backend in the same loop as the step:

    after the rule's step at time t:   M_t = update(M_{t−1}, symbols of step t)

The ``update`` is a SymPy expression over

* ``Monitor.prev`` (the symbol ``prev``): the monitor's own value after step t−1;
* the rule's state (its *new* values, after step t), its temporaries (``mhat``,
  ``vhat``, ``delta``), its hyperparameters;
* ``g``, ``s`` (the signal), ``f`` (the loss f_t(x_t) of the coordinate), ``t``, ``i``;
* ``x``: the iterate x_t **played** at step t (not x̂_{t+1}; x̂_{t+1} = x − delta);
* other monitors by name: a monitor listed earlier is seen after its update at
  step t, one listed later before it (its value after step t−1), exactly like the
  state of a rule's program.

Powers b^(t+k) become running products, like everything else in the program.
Monitors are lowered together with the rule (:func:`octk.backends.program.lower`),
so the reference backend, the Numba kernel and the CUDA printer evaluate the same
expressions; ``simulate(..., monitors=[...])`` returns them as
``Trajectory.monitors[name]``, shape (C, K, d), at the checkpoints.

Constructors: :func:`running_sum`, :func:`running_max`, :func:`running_min`,
:func:`last`, :func:`count` and :func:`first`.

>>> import octk
>>> from octk.monitors import running_sum, running_max
>>> traj = octk.simulate("ogd", "reddi-thm1:C=3", steps=6, backend="reference",
...                      monitors=[running_sum("sum_g2", "g**2"), running_max("gmax", "abs(g)")])
>>> traj.monitors["sum_g2"][0, -1, 0], traj.monitors["gmax"][0, -1, 0]
(np.float64(22.0), np.float64(3.0))
"""

from __future__ import annotations

import ast
import keyword
import math
from dataclasses import dataclass
from typing import ClassVar

import sympy as sp

from octk.errors import ParameterError
from octk.expressions import FUNCTIONS, parse_expression
from octk.symbols import t

PREV = sp.Symbol("prev", real=True)

#: names a monitor may not take: the step's own symbols
RESERVED = frozenset(
    {"prev", "t", "g", "x", "s", "f", "i", "data_ti", "U0", "U1", "U2", "U3"}
    | set(FUNCTIONS)
    | {"pi", "E"}
)


@dataclass(frozen=True)
class Monitor:
    """A per-coordinate running quantity (see the module docstring).

    Attributes
    ----------
    name : an identifier; the key in ``Trajectory.monitors`` and the symbol by
        which later monitors read it.
    update : its value after step t, a SymPy expression over ``Monitor.prev`` and
        the step's symbols.
    init : its value before step 1 (may be ±inf, e.g. for running extrema).
    doc : one line for listings.
    """

    name: str
    update: sp.Expr
    init: float = 0.0
    doc: str = ""
    prev: ClassVar[sp.Symbol] = PREV

    def __post_init__(self):
        check_name(self.name)
        upd = _expr(self.update, f"monitor {self.name!r}: update")
        object.__setattr__(self, "update", upd)
        try:
            init = float(self.init)
        except (TypeError, ValueError):
            raise ParameterError(
                f"monitor {self.name!r}: init must be a number; got {self.init!r}"
            ) from None
        if math.isnan(init):
            raise ParameterError(f"monitor {self.name!r}: init must not be NaN")
        object.__setattr__(self, "init", init)

    @property
    def symbol(self) -> sp.Symbol:
        """The symbol by which other monitors read this one."""
        return sp.Symbol(self.name, real=True)

    def __repr__(self) -> str:
        return f"Monitor({self.name!r}, {self.update}, init={self.init:g})"


def check_name(name) -> str:
    """``name`` if it can name a monitor, else a ParameterError saying why."""
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise ParameterError(f"monitor name must be a Python identifier; got {name!r}")
    if name in RESERVED or name.startswith(("pow_", "acc", "_")):
        raise ParameterError(
            f"monitor name {name!r} is reserved (the step's symbols t, g, x, s, f, i, U0..U3, "
            "prev, function names, and names starting with pow_, acc or _)"
        )
    return name


def _expr(value, what: str) -> sp.Basic:
    """A SymPy expression, or a string parsed safely (every name becomes a real symbol)."""
    if isinstance(value, str):
        try:
            tree = ast.parse(value.strip(), mode="eval")
        except SyntaxError as e:
            raise ParameterError(f"{what}: cannot parse {value!r} ({e.msg})") from None
        names = {
            n.id
            for n in ast.walk(tree)
            if isinstance(n, ast.Name) and n.id not in FUNCTIONS and n.id not in ("pi", "E")
        }
        extra = {n: sp.Symbol(n, real=True) for n in names if n not in ("t", "i")}
        return parse_expression(value, name=what, extra=extra)
    if isinstance(value, bool) or not isinstance(value, sp.Basic | int | float):
        raise ParameterError(f"{what} must be a SymPy expression or a string; got {value!r}")
    return sp.sympify(value)


def _cond(value, what: str) -> sp.Basic:
    c = _expr(value, what)
    if not isinstance(c, sp.logic.boolalg.Boolean):
        raise ParameterError(
            f"{what} must be a condition (a comparison such as 'g < 0'); got {value!r}"
        )
    return c


def running_sum(name: str, expr, doc: str = "") -> Monitor:
    r"""Σ_{s≤t} expr_s (0 before step 1)."""
    e = _expr(expr, f"monitor {name!r}")
    return Monitor(name, PREV + e, 0.0, doc or f"running sum of {e}")


def running_max(name: str, expr, doc: str = "") -> Monitor:
    r"""max_{s≤t} expr_s (−inf before step 1)."""
    e = _expr(expr, f"monitor {name!r}")
    return Monitor(name, sp.Max(PREV, e), -math.inf, doc or f"running max of {e}")


def running_min(name: str, expr, doc: str = "") -> Monitor:
    r"""min_{s≤t} expr_s (+inf before step 1)."""
    e = _expr(expr, f"monitor {name!r}")
    return Monitor(name, sp.Min(PREV, e), math.inf, doc or f"running min of {e}")


def last(name: str, expr, doc: str = "") -> Monitor:
    r"""expr at the latest step (0 before step 1): e.g. v̂_{T,i} at each checkpoint T."""
    e = _expr(expr, f"monitor {name!r}")
    return Monitor(name, e, 0.0, doc or f"value of {e} at the step")


def count(name: str, condition, doc: str = "") -> Monitor:
    r"""#{s ≤ t : condition holds at step s}."""
    c = _cond(condition, f"monitor {name!r}: condition")
    return Monitor(
        name, PREV + sp.Piecewise((1, c), (0, True)), 0.0, doc or f"number of steps with {c}"
    )


def first(name: str, condition, doc: str = "") -> Monitor:
    r"""The first step s ≤ t at which condition holds, 0 if it never has."""
    c = _cond(condition, f"monitor {name!r}: condition")
    upd = sp.Piecewise((t, sp.And(sp.Eq(PREV, 0), c)), (PREV, True))
    return Monitor(name, upd, 0.0, doc or f"first step with {c} (0: never)")


# --------------------------------------------------------------------------- Γ_t
def gamma_monitors(rule, prefix: str = "gamma", rtol: float = 1e-12) -> tuple[Monitor, ...]:
    r"""Monitors of the weights Γ_{t,i} = 1/η_{t,i} − 1/η_{t−1,i} of ``rule``, t ≥ 2.

    η_t is the rule's effective per-coordinate step, read from its program
    (:func:`octk.rules.anatomy.effective_step`):
    for Adam with ε = 0, Γ_t = √v̂_t/α_t − √v̂_{t−1}/α_{t−1} (K&B's proof; RKK's
    eq. 2, whose Γ_t ⪰ 0 the convergence proofs need). t = 1 has no Γ.

    Returns, in order: ``{prefix}_neg`` (count of t with Γ_t negative beyond
    rounding, Γ_t < −rtol/η_t: AdamNC's 1/η_t = ‖g_{1:t}‖₂/α is constant in exact
    arithmetic where g_t = 0, but its float evaluation may dip by an ulp),
    ``{prefix}_first`` (the first such t, 0 if none), ``{prefix}_min`` (min Γ_t,
    exact, +inf before t = 2) and ``{prefix}_inv_eta`` (1/η_t at the latest step;
    read by the first three before its update, i.e. as 1/η_{t−1}).
    """
    from octk.rules.anatomy import inverse_effective_step

    inv = inverse_effective_step(rule)
    prev_inv = sp.Symbol(f"{prefix}_inv_eta", real=True)
    gam = inv - prev_inv
    neg = sp.And(sp.StrictGreaterThan(t, 1), sp.StrictLessThan(gam, -sp.Float(rtol) * inv))
    return (
        count(f"{prefix}_neg", neg, "number of t ≥ 2 with Γ_t < 0"),
        first(f"{prefix}_first", neg, "first t ≥ 2 with Γ_t < 0 (0: never)"),
        Monitor(
            f"{prefix}_min",
            sp.Piecewise((sp.Min(PREV, gam), sp.StrictGreaterThan(t, 1)), (PREV, True)),
            math.inf,
            "min over t ≥ 2 of Γ_t",
        ),
        last(f"{prefix}_inv_eta", inv, "1/η_t, the inverse effective step"),
    )


__all__ = [
    "PREV",
    "Monitor",
    "check_name",
    "count",
    "first",
    "gamma_monitors",
    "last",
    "running_max",
    "running_min",
    "running_sum",
]
