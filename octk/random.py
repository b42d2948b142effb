"""Counter-based uniform draws, identical on every backend.

A stochastic sequence never calls a stateful generator: its draw at step t,
coordinate i and stream k is a pure function of (seed, t, i, k),

    U_k(seed, t, i) = (h >> 11) * 2^-53,
    h = mix(mix(mix(seed ^ (k+1)·φ) + t) + (i+1)·ψ),

with ``mix`` the SplitMix64 finaliser (Steele, Lea & Flood 2014) and φ, ψ odd
64-bit constants. Any backend (NumPy, Numba, CUDA) reproduces it bit for bit,
and a run can be resumed or split across machines without replaying a stream.
"""

from __future__ import annotations

import numpy as np

MASK = (1 << 64) - 1
PHI = 0x9E3779B97F4A7C15
PSI = 0xD1B54A32D192ED03
M1 = 0xBF58476D1CE4E5B9
M2 = 0x94D049BB133111EB


def _mix_int(z: int) -> int:
    z = ((z ^ (z >> 30)) * M1) & MASK
    z = ((z ^ (z >> 27)) * M2) & MASK
    return z ^ (z >> 31)


def uniform_int(seed: int, t: int, i: int, stream: int = 0) -> float:
    """The draw U_stream(seed, t, i) computed with Python integers (the specification)."""
    h = _mix_int((seed ^ (((stream + 1) * PHI) & MASK)) & MASK)
    h = _mix_int((h + t) & MASK)
    h = _mix_int((h + ((i + 1) * PSI)) & MASK)
    return (h >> 11) * 2.0**-53


def _mix_np(z: np.ndarray) -> np.ndarray:
    z = (z ^ (z >> np.uint64(30))) * np.uint64(M1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(M2)
    return z ^ (z >> np.uint64(31))


def uniform_np(seed, t, i, stream: int = 0) -> np.ndarray:
    """Vectorised :func:`uniform_int` over arrays of seeds and coordinates (uint64 wrap-around)."""
    seed = np.asarray(seed, dtype=np.uint64)
    i = np.asarray(i, dtype=np.uint64)
    with np.errstate(over="ignore"):
        h = _mix_np(seed ^ np.uint64(((stream + 1) * PHI) & MASK))
        h = _mix_np(h + np.uint64(t))
        h = _mix_np(h + (i + np.uint64(1)) * np.uint64(PSI))
    return (h >> np.uint64(11)).astype(np.float64) * 2.0**-53
