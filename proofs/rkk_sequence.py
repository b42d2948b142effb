r"""RKK's Theorem 1 sequence as the claims read it: octk's own ``reddi-thm1`` signal.

f_t(x) = C x if t mod 3 = 1, −x otherwise (C > 2); the gradient g_t is the signal.
"""

from __future__ import annotations

import sympy as sp

from octk.sequences.catalog import SEQUENCES, _period_signal
from octk.symbols import t

#: the parameter C of the sequence, a positive real (the claims take C > 2)
C = sp.Symbol("C", positive=True)


def signal(c: sp.Basic = C) -> sp.Basic:
    """The ``reddi-thm1`` signal with parameter ``c`` (a number or the symbol C), built by the
    same function as the registry's sequence."""
    return _period_signal(c, -1, 3)


def gradients(c: sp.Basic = C, steps: int = 3) -> list[sp.Basic]:
    """g_1, ..., g_steps of the sequence (one period by default: C, −1, −1)."""
    sig = signal(c)
    return [sig.xreplace({t: sp.Integer(k)}) for k in range(1, steps + 1)]


def registry_gradients(c: int, steps: int = 3) -> list[sp.Basic]:
    """The same gradients from the registry's ``reddi-thm1`` sequence (a check that the
    claims read what the simulator runs)."""
    seq = SEQUENCES["reddi-thm1"].build(C=float(c))
    return [seq.signal.xreplace({t: sp.Integer(k)}) for k in range(1, steps + 1)]
