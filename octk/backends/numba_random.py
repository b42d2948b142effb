"""The counter-based uniform draw of :mod:`octk.random`, compiled by Numba."""

from __future__ import annotations

import numpy as np
from numba import njit

from octk.random import M1, M2, PHI, PSI

_M1 = np.uint64(M1)
_M2 = np.uint64(M2)
_PHI = np.uint64(PHI)
_PSI = np.uint64(PSI)
_S11, _S27, _S30, _S31 = np.uint64(11), np.uint64(27), np.uint64(30), np.uint64(31)
_ONE = np.uint64(1)
_SCALE = 2.0**-53


@njit(inline="always", cache=True)
def _mix(z):
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(inline="always", cache=True)
def uniform_nb(seed, t, i, stream):
    """U_stream(seed, t, i) in [0, 1): bit-identical to :func:`octk.random.uniform_int`."""
    h = _mix(np.uint64(seed) ^ (np.uint64(stream + 1) * _PHI))
    h = _mix(h + np.uint64(t))
    h = _mix(h + (np.uint64(i) + _ONE) * _PSI)
    return np.float64(h >> _S11) * _SCALE
