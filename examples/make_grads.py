"""Writes ``examples/grads.npy``, the small gradient table the README's examples read.

1,000 steps × 2 coordinates of linear-loss gradients c_t: coordinate 0 repeats RKK's
Theorem 1 pattern (3, −1, −1), coordinate 1 is Gaussian with mean 0.2 and deviation 1
(seed 0). Run ``python examples/make_grads.py`` to write it again (the same bytes).
"""

from pathlib import Path

import numpy as np

T = 1000


def grads() -> np.ndarray:
    rng = np.random.default_rng(0)
    pattern = np.resize(np.array([3.0, -1.0, -1.0]), T)
    return np.column_stack([pattern, 0.2 + rng.standard_normal(T)])


if __name__ == "__main__":
    path = Path(__file__).with_name("grads.npy")
    np.save(path, grads())
    print(f"wrote {path} {grads().shape}")
