"""Printing numbers: JSON-safe copies and short text forms of values and vectors."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def finite(obj: Any) -> Any:
    """A JSON-safe copy: numpy scalars and arrays become Python values, non-finite floats None.

    >>> finite({"a": np.float64(1.5), "b": [np.inf, 2]})
    {'a': 1.5, 'b': [None, 2]}
    """
    if isinstance(obj, dict):
        return {str(k): finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [finite(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return finite(obj.tolist())
    if isinstance(obj, np.generic):
        return finite(obj.item())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def g(v: float) -> str:
    """Six significant digits; ``inf`` and ``nan`` as such.

    >>> g(1 / 3), g(float("inf"))
    ('0.333333', 'inf')
    """
    return f"{v:.6g}" if math.isfinite(v) else str(v)


def vec(a: Any) -> str:
    """The first six entries of a vector, then ``...``.

    >>> vec([1, 2.5]), vec(range(8))
    ('[1, 2.5]', '[0, 1, 2, 3, 4, 5, ...]')
    """
    a = np.asarray(a, dtype=np.float64).ravel()
    shown = ", ".join(g(float(v)) for v in a[:6])
    return f"[{shown}{', ...' if a.size > 6 else ''}]"


__all__ = ["finite", "g", "vec"]
