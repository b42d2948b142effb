"""The reference backend: the oracle every fast backend is tested against.

It is written for clarity, not speed. Each assignment of the
:class:`~octk.backends.program.StepProgram` is turned into a NumPy function
by SymPy's own ``lambdify`` (not by octk's printers, so a printer bug cannot
hide in both), and the step loop runs in Python over arrays of lanes::

    for t in 1..T:
        s, g, f   = signal, gradient and loss of every lane at x_t
        state     = the rule's assignments, in order
        stats     = their updates, in order (sums of the signal, monitors),
                    reading x = x_t, the point played at this step
        running powers *= their bases
        x_{t+1}   = Π_F(x̂_{t+1})        the domain's NumPy ``project``, rows =
                                         configurations (weighted by 1/η_t where
                                         the domain's projection is Π_{F,√V})
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from octk.backends import DTYPES
from octk.backends.program import F, StepProgram, W, check_for_domain
from octk.random import uniform_np
from octk.symbols import DATA, U, i, t, x

XHAT = "<xhat>"  # the env key of x̂_{t+1}; not an identifier, so no symbol can take it


class ReferenceBackend:
    """The NumPy oracle (see the module doc).

    ``compile(prog, domain, dtype="float32")`` evaluates the same step in float32 NumPy
    arrays: every value of the step (t, the hyperparameters, x, the state, the draws,
    the statistics and the played loss) is a float32 array, Python numbers enter as
    NumPy's weak scalars (so they round to float32, NEP 50), and the lanes keep the
    float32 values in float64. It is the oracle of the float32 kernels: a kernel that
    promoted a step to float64 would agree with the float64 run, not with this one.
    """

    name = "reference"
    dtypes = DTYPES

    def compile(self, prog: StepProgram, domain, dtype: str = "float64"):
        check_for_domain(prog, domain)  # the lanes were laid out for this program
        real = np.dtype(dtype)

        def as_real(a):
            return np.asarray(a, dtype=real)

        hyper = [sp.Symbol(h, real=True, nonnegative=True) for h in prog.hyper]
        state = [s for s, _ in prog.state]
        temps = [s for s, _ in prog.assignments if s != x]
        accs = list(prog.stat_symbols)
        names = list(dict.fromkeys([t, i, x, DATA, *U, *hyper, *state, *temps, *accs]))

        # Floats become named constants holding their exact double value, so that
        # no printer rounds them (SymPy prints 15 digits; a double needs 17); so do
        # integers beyond int64, which NumPy would otherwise hold as Python objects
        exprs = [sp.sympify(e) for e in prog.all_expressions()]
        numbers = set().union(*(e.atoms(sp.Float) for e in exprs)) | {
            n for e in exprs for n in e.atoms(sp.Integer) if abs(int(n)) >= 2**63
        }
        floats = {f: sp.Symbol(f"_float{k}") for k, f in enumerate(sorted(numbers, key=float))}
        args = [*names, *floats.values()]

        def fn(expr):
            return sp.lambdify(args, sp.sympify(expr).xreplace(floats), modules="numpy")

        # x̂_{t+1} (the target x) is kept apart, so that x stays the played x_t
        steps = [(XHAT if target == x else target.name, fn(e)) for target, e in prog.assignments]
        stats = [(sym.name, fn(e)) for sym, (_, e) in zip(accs, prog.stats, strict=True)]
        post = [(target, fn(e)) for target, e in prog.post]
        float_values = {s.name: float(f) for f, s in floats.items()}
        sym_names = [a.name for a in args]

        def kernel(lanes, t0: int, t1: int, k0: int):
            env = dict.fromkeys(sym_names, 0.0)
            env[XHAT] = 0.0
            kernel.env = env  # type: ignore[attr-defined]  # the last step's values, read by octk.nonfinite
            env.update(float_values)
            for k, h in enumerate(prog.hyper):
                env[h] = as_real(lanes.par[k])
            env["i"] = lanes.coord if real == np.float64 else as_real(lanes.coord)
            k = k0
            for step in range(t0, t1 + 1):
                # t per lane: NumPy's select needs conditions of one shape (t > 1 & g < 0);
                # float64, so that t**k overflows to inf instead of wrapping in int64
                env["t"] = np.full(lanes.x.shape, step, dtype=real)
                env["x"] = as_real(lanes.x)
                for q, (sym, _) in enumerate(prog.state):
                    env[sym.name] = as_real(lanes.state[q])
                for q, (name, _) in enumerate(stats):
                    env[name] = as_real(lanes.stats[q])
                for s in prog.streams:
                    env[f"U{s}"] = as_real(uniform_np(lanes.seed, step, lanes.coord, s))
                if prog.uses_data:
                    seq = prog.sequence
                    col = lanes.coord if lanes.data.shape[1] > 1 else 0
                    env["data_ti"] = as_real(lanes.data[seq.row(step), col])
                with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                    for target, f in steps:
                        env[target] = _lanes(f(*(env[n] for n in sym_names)), lanes, real)
                    # statistics and monitors: updates over their previous values
                    for q, (name, f) in enumerate(stats):
                        env[name] = _lanes(f(*(env[n] for n in sym_names)), lanes, real)
                        lanes.stats[q] = env[name]
                    for target, f in post:
                        env[target.name] = _lanes(f(*(env[n] for n in sym_names)), lanes, real)
                lanes.loss[...] = as_real(lanes.loss) + env[F.name]
                rows = env[XHAT].reshape(-1, lanes.d)
                w = env[W.name].reshape(rows.shape) if prog.weighted else None
                projected = domain.project(rows, w).reshape(-1)
                lanes.x = projected if real == np.float64 else as_real(projected).astype(np.float64)
                for q, (sym, _) in enumerate(prog.state):
                    lanes.state[q] = env[sym.name]
                if k < len(lanes.ck_t) and lanes.ck_t[k] == step:
                    lanes.ck_x[k] = lanes.x
                    lanes.ck_loss[k] = lanes.loss
                    lanes.ck_stats[:, k] = lanes.stats
                    k += 1

        return kernel


def _lanes(value, lanes, real=np.float64) -> np.ndarray:
    """A value broadcast to one ``real`` per lane (expressions of t alone give scalars)."""
    return np.broadcast_to(np.asarray(value, dtype=real), lanes.x.shape).copy()
