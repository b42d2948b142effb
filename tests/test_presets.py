"""octk's ``torch`` and ``optax`` presets reproduce those libraries' update equations.

The oracle is ``library_equations.py``: independent NumPy transcriptions of
torch.optim and optax (validated against the real libraries in
``test_library_equations.py`` where they are installed). Here octk's rule runs
on R^d with the gradient sequence read from an array (linear losses, so
g_t = c_t whatever x_t), and every iterate is compared.

Tolerance: |Δ| ≤ 1e-12·max(1, |x|) elementwise. The two sides differ only in
the rounding of individual operations (torch fuses multiply-adds, XLA
multiplies by reciprocals, octk evaluates the SymPy program), a few ulps per
step, which over T ≤ 500 steps stays below 1e-13.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import assert_close
from library_equations import (
    optax_adagrad,
    optax_adam,
    optax_adamax,
    optax_amsgrad,
    optax_rmsprop,
    optax_sgd,
    torch_adagrad,
    torch_adam,
    torch_adamax,
    torch_rmsprop,
    torch_sgd,
)

from octk.rules import rule
from octk.sequences import sequence
from octk.simulate import simulate


def gradient_sequences():
    rng = np.random.default_rng(20181)
    T, d = 300, 3
    g = rng.normal(size=(T, d))
    zeros = g.copy()
    zeros[:25] = 0.0
    zeros[rng.random((T, d)) < 0.3] = 0.0
    zeros[:, 2] = 0.0
    mixed = g * np.array([1e-6, 1.0, 1e4])
    drift = rng.normal(0.5, 1.0, size=(500, 2))
    return {"normal": g, "zeros": zeros, "mixed": mixed, "drift": drift}


GRADS = gradient_sequences()

# (rule, preset, octk params, library function, library kwargs)
CASES = [
    ("adam", "torch", {}, torch_adam, {}),
    (
        "adam",
        "torch",
        {"alpha": 0.05, "beta1": 0.5, "beta2": 0.9, "eps": 1e-3},
        torch_adam,
        {"lr": 0.05, "betas": (0.5, 0.9), "eps": 1e-3},
    ),
    ("amsgrad", "torch", {"alpha": 0.05}, torch_adam, {"lr": 0.05, "amsgrad": True}),
    (
        "adagrad",
        "torch",
        {"alpha": 0.1, "lr_decay": 0.01, "v0": 0.5},
        torch_adagrad,
        {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.5},
    ),
    ("adagrad", "torch", {}, torch_adagrad, {}),
    ("adamax", "torch", {"alpha": 0.01}, torch_adamax, {"lr": 0.01}),
    ("rmsprop", "torch", {}, torch_rmsprop, {}),
    ("ogd", "torch", {"alpha": 0.1}, torch_sgd, {"lr": 0.1}),
    ("adam", "optax", {"alpha": 0.01}, optax_adam, {"learning_rate": 0.01}),
    ("amsgrad", "optax", {"alpha": 0.01}, optax_amsgrad, {"learning_rate": 0.01}),
    ("adagrad", "optax", {"alpha": 0.1}, optax_adagrad, {"learning_rate": 0.1}),
    ("adamax", "optax", {"alpha": 0.01}, optax_adamax, {"learning_rate": 0.01}),
    ("rmsprop", "optax", {"alpha": 0.01}, optax_rmsprop, {"learning_rate": 0.01}),
    ("ogd", "optax", {"alpha": 0.1}, optax_sgd, {"learning_rate": 0.1}),
]


@pytest.mark.parametrize("grads", list(GRADS))
@pytest.mark.parametrize(
    ("name", "preset", "params", "lib", "kwargs"),
    CASES,
    ids=[f"{c[0]}-{c[1]}-{c[3].__name__}-{i}" for i, c in enumerate(CASES)],
)
def test_preset_matches_library_equations(name, preset, params, lib, kwargs, grads):
    g = GRADS[grads]
    x0 = np.linspace(-0.5, 0.5, g.shape[1])
    expected = lib(g, x0, **kwargs)
    tr = simulate(
        rule(name, preset),
        sequence("array", path=g),
        "reals",
        steps=g.shape[0],
        x0=x0,
        params=params,
        checkpoints="all",
        backend="reference",
    )
    assert_close(tr.x[0], expected, rtol=1e-12, what=f"{name}/{preset} on {grads}")


def test_the_three_amsgrads_differ():
    """Paper, torch and optax AMSGrad are three algorithms: their iterates differ."""
    g = GRADS["drift"]
    runs = {
        p: simulate(
            rule("amsgrad", p),
            sequence("array", path=g),
            "reals",
            steps=200,
            params={"alpha": 0.01},
            checkpoints="all",
            backend="reference",
        ).x
        for p in ("paper", "torch", "optax")
    }
    assert np.max(np.abs(runs["paper"] - runs["torch"])) > 1e-3
    assert np.max(np.abs(runs["torch"] - runs["optax"])) > 1e-6
