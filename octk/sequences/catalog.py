"""Named loss sequences, their parameters, and the ``NAME:k=v,...`` parser.

Reddi, Kale & Kumar (2018) families (RKK):

* ``reddi-thm1``  f_t = C x if t mod 3 = 1 else −x, C > 2 (Theorem 1);
* ``reddi-thm2``  f_t = C x if t mod C = 1 else −x, C an integer ≥ 2 (Theorem 2 family);
* ``reddi-thm3``  f_t = C x with probability (1+δ)/(C+1), else −x (Theorem 3, stochastic);
* ``reddi-synthetic``  1010 x if t mod 101 = 1 else −10 x (§5 online);
* ``reddi-synthetic-stochastic``  1010 x with probability 0.01, else −10 x (§5 stochastic).

Zhang, Chen, Shi, Sun & Luo (2022): ``zhang2022`` (n components, one drawn
uniformly per step, under the ``linear-quadratic-tail`` piecewise loss; x* = −2).

General families: ``periodic`` (a list of coefficients, repeated), ``sparse``
(each coordinate non-zero with probability p), ``uniform`` (c ~ U[low, high)),
``adaptive-sign`` (c_t = G sign(x_t), an adversary that sees the iterate),
``array`` (a T×d ``.npy`` file or array), and ``expr`` (a typed expression,
parsed safely).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sympy as sp

from octk.errors import ParameterError, ShapeError, check_int, check_real, unknown_name
from octk.expressions import parse_expression
from octk.sequences.sequence import LOSSES, Sequence
from octk.symbols import DATA, U, t, x


@dataclass(frozen=True)
class SequenceSpec:
    name: str
    summary: str
    params: dict[str, tuple[object, Callable]]  # name -> (default, check(value) -> value)
    build: Callable[..., Sequence]


SEQUENCES: dict[str, SequenceSpec] = {}


def _register(name, summary, params):
    def deco(fn):
        SEQUENCES[name] = SequenceSpec(name, summary, params, fn)
        return fn

    return deco


def _real(name, **kw):
    return lambda v: check_real(name, v, **kw)


def _int(name, **kw):
    return lambda v: check_int(name, v, **kw)


def _period_signal(big, small, period) -> sp.Expr:
    return sp.Piecewise((big, sp.Eq(sp.Mod(t, period), 1)), (small, True))


def _num(v: float) -> sp.Expr:
    """A float parameter as an exact SymPy number where it is an integer."""
    return sp.Integer(int(v)) if float(v).is_integer() else sp.Float(v)


@_register(
    "reddi-thm1",
    "RKK Theorem 1: C x if t mod 3 = 1 else −x (C > 2)",
    {
        "C": (3.0, _real("C", lo=2, lo_open=True)),
    },
)
def reddi_thm1(C):
    return Sequence(
        "reddi-thm1",
        {"C": C},
        _period_signal(_num(C), -1, 3),
        description=SEQUENCES["reddi-thm1"].summary,
    )


@_register(
    "reddi-thm2",
    "RKK Theorem 2 family: C x if t mod C = 1 else −x (C integer ≥ 2)",
    {
        "C": (4, _int("C", lo=2)),
    },
)
def reddi_thm2(C):
    return Sequence(
        "reddi-thm2",
        {"C": C},
        _period_signal(sp.Integer(C), -1, C),
        description=SEQUENCES["reddi-thm2"].summary,
    )


def _check_thm3(C, delta):
    p = (1 + delta) / (C + 1)
    if not 0 < p < 1:
        raise ParameterError(
            f"delta must be in (-1, C) so that P(C x) = (1+delta)/(C+1) is in (0, 1); "
            f"got delta={delta:g} with C={C:g}"
        )


@_register(
    "reddi-thm3",
    "RKK Theorem 3 (stochastic): C x w.p. (1+δ)/(C+1) else −x",
    {
        "C": (20.0, _real("C", lo=1, lo_open=True)),
        "delta": (0.1, _real("delta", lo=-1, lo_open=True)),
    },
)
def reddi_thm3(C, delta):
    _check_thm3(C, delta)
    p = (1 + _num(delta)) / (_num(C) + 1)
    sig = sp.Piecewise((_num(C), U[0] < p), (-1, True))
    return Sequence(
        "reddi-thm3",
        {"C": C, "delta": delta},
        sig,
        description=SEQUENCES["reddi-thm3"].summary,
    )


@_register(
    "reddi-synthetic",
    "RKK §5 online: 1010 x if t mod 101 = 1 else −10 x",
    {
        "big": (1010.0, _real("big")),
        "small": (-10.0, _real("small")),
        "period": (101, _int("period", lo=2)),
    },
)
def reddi_synthetic(big, small, period):
    sig = _period_signal(_num(big), _num(small), period)
    return Sequence(
        "reddi-synthetic",
        {"big": big, "small": small, "period": period},
        sig,
        description=SEQUENCES["reddi-synthetic"].summary,
    )


@_register(
    "reddi-synthetic-stochastic",
    "RKK §5 stochastic: 1010 x w.p. 0.01 else −10 x",
    {
        "big": (1010.0, _real("big")),
        "small": (-10.0, _real("small")),
        "p": (0.01, _real("p", lo=0, hi=1, lo_open=True, hi_open=True)),
    },
)
def reddi_synthetic_stochastic(big, small, p):
    sig = sp.Piecewise((_num(big), U[0] < _num(p)), (_num(small), True))
    return Sequence(
        "reddi-synthetic-stochastic",
        {"big": big, "small": small, "p": p},
        sig,
        description=SEQUENCES["reddi-synthetic-stochastic"].summary,
    )


ZHANG_OPTIMUM_NOTE = (
    "x* = −2 minimises f = f₀ + Σ_{i≥1} fᵢ = h (the sum's s-weights add to 1): h'(x) = x + 2 "
    "below −1 and 1 above, so h decreases to x = −2 and increases after; E f_t = h/n has the "
    "same minimiser"
)


@_register(
    "zhang2022",
    "Zhang et al. 2022: f₀ = (1+(n−1)a)·h w.p. 1/n, else fᵢ = −a·h (h: x, quadratic below −1)",
    {
        "n": (10, _int("n", lo=2)),
        "a": (1.0, _real("a", lo=0, lo_open=True)),
    },
)
def zhang2022(n, a):
    """Zhang, Chen, Shi, Sun & Luo (NeurIPS 2022): one of n components drawn uniformly per step.

    Component k = ⌊n U₀⌋; k = 0 (U₀ < 1/n) gives f₀ = (1+(n−1)a)·h(x), every other
    fᵢ = −a·h(x), with h the ``linear-quadratic-tail`` loss (x for x ≥ −1,
    (x+2)²/2 − 3/2 below). The finite sum f₀ + Σ_{i≥1} fᵢ = h is minimal at x* = −2.
    """
    big = 1 + (_num(n) - 1) * _num(a)
    sig = sp.Piecewise((big, U[0] < sp.Rational(1, n)), (-_num(a), True))
    return Sequence(
        "zhang2022",
        {"n": n, "a": a},
        sig,
        loss="linear-quadratic-tail",
        description=SEQUENCES["zhang2022"].summary,
        optimum=-2.0,
        optimum_note=ZHANG_OPTIMUM_NOTE,
    )


def _values(v):
    if isinstance(v, str):
        v = [a for a in v.strip("[]()").replace(";", ",").split(",") if a.strip()]
    try:
        vals = [check_real("values", a) for a in v]
    except TypeError:
        raise ParameterError(f"values must be a list of numbers; got {v!r}") from None
    if not vals:
        raise ParameterError("values must be a non-empty list of numbers")
    return vals


@_register(
    "periodic",
    "c_t = values[(t−1) mod P], the list repeated",
    {
        "values": ((3.0, -1.0, -1.0), _values),
    },
)
def periodic(values):
    data = np.asarray(values, dtype=np.float64).reshape(-1, 1)
    return Sequence(
        "periodic",
        {"values": list(values)},
        DATA,
        data=data,
        wrap=True,
        description=SEQUENCES["periodic"].summary,
    )


@_register(
    "sparse",
    "each coordinate ±scale w.p. p (+ w.p. q), else 0",
    {
        "p": (0.1, _real("p", lo=0, hi=1, lo_open=True)),
        "q": (0.5, _real("q", lo=0, hi=1)),
        "scale": (1.0, _real("scale", lo=0, lo_open=True)),
    },
)
def sparse(p, q, scale):
    sign = sp.Piecewise((_num(scale), U[1] < _num(q)), (-_num(scale), True))
    sig = sp.Piecewise((sign, U[0] < _num(p)), (0, True))
    return Sequence(
        "sparse",
        {"p": p, "q": q, "scale": scale},
        sig,
        description=SEQUENCES["sparse"].summary,
    )


@_register(
    "uniform",
    "c ~ U[low, high), independent over t and coordinates",
    {
        "low": (-1.0, _real("low")),
        "high": (1.0, _real("high")),
    },
)
def uniform(low, high):
    if not high > low:
        raise ParameterError(f"high must be > low; got low={low:g}, high={high:g}")
    sig = _num(low) + (_num(high) - _num(low)) * U[0]
    return Sequence(
        "uniform",
        {"low": low, "high": high},
        sig,
        bound=max(abs(low), abs(high)),
        description=SEQUENCES["uniform"].summary,
    )


@_register(
    "adaptive-sign",
    "c_t = G if x_t ≥ 0 else −G: sees the iterate, maximises f_t(x_t)",
    {
        "G": (1.0, _real("G", lo=0, lo_open=True)),
    },
)
def adaptive_sign(G):
    sig = sp.Piecewise((_num(G), x >= 0), (-_num(G), True))
    return Sequence("adaptive-sign", {"G": G}, sig, description=SEQUENCES["adaptive-sign"].summary)


def load_array(path_or_array) -> np.ndarray:
    """A (T, d) float64 array from a ``.npy`` path or an array; (T,) becomes (T, 1)."""
    if isinstance(path_or_array, str | Path):
        p = Path(path_or_array)
        if p.suffix != ".npy":
            raise ParameterError(f"path must name a .npy file; got {str(p)!r}")
        if not p.is_file():
            raise ParameterError(f"path: no such file {str(p)!r}")
        try:
            arr = np.load(p, allow_pickle=False)
        except ValueError as e:
            raise ParameterError(f"path: cannot read {str(p)!r} as a numeric .npy ({e})") from None
    else:
        arr = np.asarray(path_or_array)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ShapeError(f"array data must have shape (T, d) with T, d >= 1; got {arr.shape}")
    if not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise ParameterError(f"array data must be real numbers; got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise ParameterError("array data must be finite (found NaN or inf)")
    return np.ascontiguousarray(arr)


@_register(
    "array",
    "c_t read from a (T, d) array or .npy file (row t−1)",
    {
        "path": (None, lambda v: v),
    },
)
def array(path):
    if path is None:
        raise ParameterError("sequence 'array' needs path=FILE.npy (or an array in the Python API)")
    data = load_array(path)
    shown = str(path) if isinstance(path, str | Path) else f"<array {data.shape}>"
    return Sequence(
        "array",
        {"path": shown},
        DATA,
        data=data,
        description=SEQUENCES["array"].summary,
    )


@_register(
    "expr",
    "c_t given as an expression of t, i, x, U0..U3 (parsed safely)",
    {
        "c": (None, lambda v: v),
    },
)
def expr(c):
    if c is None:
        raise ParameterError("sequence 'expr' needs c=EXPRESSION, e.g. c=where(mod(t,3)==1,3,-1)")
    sig = parse_expression(c, name="c") if isinstance(c, str) else sp.sympify(c)
    return Sequence("expr", {"c": str(c)}, sig, description=SEQUENCES["expr"].summary)


def split_spec(spec: str) -> tuple[str, dict[str, str]]:
    """``"name:k=v,k2=[1,2]"`` → (name, {k: v, k2: "[1,2]"}); commas inside brackets are kept."""
    name, _, rest = spec.partition(":")
    params: dict[str, str] = {}
    depth, cur, parts = 0, "", []
    for ch in rest:
        depth += ch in "(["
        depth -= ch in ")]"
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur:
        parts.append(cur)
    for part in parts:
        k, eq, v = part.partition("=")
        if not eq or not k.strip():
            raise ParameterError(f"sequence parameters must be k=v pairs; got {part!r} in {spec!r}")
        params[k.strip()] = v.strip()
    return name.strip(), params


def sequence(spec: str | Sequence, /, *, loss: str | None = None, **params) -> Sequence:
    """A sequence from its registry name (with ``params``) or a ``NAME:k=v,...`` string.

    ``loss``: the loss family (:data:`~octk.sequences.losses.LOSSES`); None keeps the
    sequence's own (``linear`` for all but ``zhang2022``).

    >>> sequence("reddi-thm1:C=10").params
    {'C': 10.0}
    """
    if isinstance(spec, Sequence):
        return spec if loss is None or loss == spec.loss else spec.with_loss(loss)
    if loss is not None and loss not in LOSSES:
        raise ParameterError(f"loss must be one of {', '.join(LOSSES)}; got {loss!r}")
    name, parsed = split_spec(spec)
    parsed.update(params)
    if name not in SEQUENCES:
        raise unknown_name("sequence", name, SEQUENCES)
    s = SEQUENCES[name]
    unknown = set(parsed) - set(s.params)
    if unknown:
        raise unknown_name(f"parameter of sequence {name!r}", sorted(unknown)[0], s.params)
    values = {
        k: check(parsed.get(k, default)) if k in parsed else default
        for k, (default, check) in s.params.items()
    }
    seq = s.build(**values)
    return seq if loss is None or loss == seq.loss else seq.with_loss(loss)


def sequence_names() -> tuple[str, ...]:
    return tuple(SEQUENCES)
