"""Validate ``library_equations`` against the real torch.optim and optax.

Each reference function is replayed next to the real optimizer on several
fixed gradient sequences (d = 3) and the float64 iterates must agree to
``rtol=1e-12`` (plus ``atol=1e-14 * scale``, ``scale`` = largest |iterate|).
On x86-64 most cases agree bit for bit; the tolerance leaves room for
hardware-dependent last-bit effects (see the module docstring of
``library_equations``).

torch and optax are optional test dependencies: the torch cases are skipped
without torch, the optax cases without optax (and jax).
"""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from library_equations import (
    _fma,
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

RTOL = 1e-12
ATOL_FACTOR = 1e-14
D = 3
X0 = np.array([0.7, -1.3, 2.1])


def _make_sequences():
    """Gradient sequences of shape (T, 3), all built from fixed seeds."""
    rng = np.random.default_rng(20240611)
    seqs = {}
    seqs["normal"] = rng.normal(size=(300, D))

    zeros = rng.normal(size=(300, D))
    zeros[:25] = 0.0  # all-zero start
    zeros[rng.random((300, D)) < 0.3] = 0.0  # scattered exact zeros
    zeros[:, 2] = 0.0  # one coordinate never sees a gradient
    seqs["zeros"] = zeros

    seqs["large"] = 1e8 * rng.normal(size=(300, D))
    seqs["huge"] = 1e100 * rng.normal(size=(300, D))
    seqs["tiny"] = 1e-9 * rng.normal(size=(300, D))
    seqs["tinier"] = 1e-30 * rng.normal(size=(300, D))
    seqs["mixed_scales"] = rng.normal(size=(300, D)) * np.array([1e-6, 1.0, 1e6])
    # A drift makes the iterates travel far and cross zero.
    seqs["drift_long"] = rng.normal(size=(500, D)) + np.array([3.0, -1.0, 0.5])
    return seqs


SEQUENCES = _make_sequences()


def _assert_close(reference, library):
    """The reference iterates must match the real library's to ``RTOL``."""
    assert reference.shape == library.shape
    scale = float(np.max(np.abs(library)))
    np.testing.assert_allclose(reference, library, rtol=RTOL, atol=ATOL_FACTOR * scale)


# ---------------------------------------------------------------------------
# Real-library runners
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def torch_mod():
    return pytest.importorskip("torch")


@pytest.fixture(scope="module")
def optax_mod():
    jax = pytest.importorskip("jax")
    optax = pytest.importorskip("optax")
    previous = jax.config.read("jax_enable_x64")
    jax.config.update("jax_enable_x64", True)
    yield optax
    jax.config.update("jax_enable_x64", previous)


def run_torch(torch, optimizer_name, grads, x0, **hyper):
    """Iterates of ``torch.optim.<optimizer_name>`` fed with ``grads``."""
    param = torch.nn.Parameter(torch.tensor(x0, dtype=torch.float64))
    optimizer = getattr(torch.optim, optimizer_name)([param], **hyper)
    iterates = np.empty_like(grads)
    for t, g in enumerate(grads):
        param.grad = torch.tensor(g, dtype=torch.float64)
        optimizer.step()
        iterates[t] = param.detach().numpy()
    return iterates


def run_optax(optax, alias_name, grads, x0, **hyper):
    """Iterates of ``optax.<alias_name>`` (eager update + apply_updates)."""
    import jax.numpy as jnp

    optimizer = getattr(optax, alias_name)(**hyper)
    params = jnp.asarray(x0, dtype=jnp.float64)
    state = optimizer.init(params)
    iterates = np.empty_like(grads)
    for t, g in enumerate(grads):
        updates, state = optimizer.update(jnp.asarray(g, dtype=jnp.float64), state, params)
        params = optax.apply_updates(params, updates)
        assert params.dtype == jnp.float64
        iterates[t] = np.asarray(params)
    return iterates


# ---------------------------------------------------------------------------
# Cases: (id, real optimizer name, reference function, hyperparameters)
# Hyperparameters use the library's own names and are passed to both sides.
# ---------------------------------------------------------------------------

TORCH_CASES = [
    ("adam_default", "Adam", torch_adam, {}),
    ("adam_amsgrad", "Adam", torch_adam, {"amsgrad": True}),
    # beta1 < 0.5 takes lerp's other branch; large eps and lr.
    ("adam_small_betas", "Adam", torch_adam, {"lr": 0.05, "betas": (0.3, 0.5), "eps": 1e-3}),
    (
        "adam_amsgrad_custom",
        "Adam",
        torch_adam,
        {"lr": 0.02, "betas": (0.8, 0.9), "eps": 1e-6, "amsgrad": True},
    ),
    ("adagrad_default", "Adagrad", torch_adagrad, {}),
    (
        "adagrad_custom",
        "Adagrad",
        torch_adagrad,
        {"lr": 0.3, "lr_decay": 0.01, "initial_accumulator_value": 0.5, "eps": 1e-6},
    ),
    ("adamax_default", "Adamax", torch_adamax, {}),
    ("adamax_custom", "Adamax", torch_adamax, {"lr": 0.05, "betas": (0.3, 0.9), "eps": 1e-4}),
    ("rmsprop_default", "RMSprop", torch_rmsprop, {}),
    ("rmsprop_custom", "RMSprop", torch_rmsprop, {"lr": 0.003, "alpha": 0.3, "eps": 1e-4}),
    ("sgd_default", "SGD", torch_sgd, {}),
    ("sgd_lr", "SGD", torch_sgd, {"lr": 0.1}),
]

OPTAX_CASES = [
    ("adam_default", "adam", optax_adam, {"learning_rate": 0.01}),
    (
        "adam_eps_root",
        "adam",
        optax_adam,
        {"learning_rate": 0.01, "b1": 0.3, "b2": 0.5, "eps": 1e-4, "eps_root": 1e-6},
    ),
    ("amsgrad_default", "amsgrad", optax_amsgrad, {"learning_rate": 0.01}),
    (
        "amsgrad_custom",
        "amsgrad",
        optax_amsgrad,
        {"learning_rate": 0.05, "b1": 0.8, "b2": 0.9, "eps": 1e-6, "eps_root": 1e-8},
    ),
    ("adagrad_default", "adagrad", optax_adagrad, {"learning_rate": 0.1}),
    # Zero accumulator and eps: the ``where(s > 0, ...)`` guard is exercised.
    (
        "adagrad_zero_init",
        "adagrad",
        optax_adagrad,
        {"learning_rate": 0.1, "initial_accumulator_value": 0.0, "eps": 0.0},
    ),
    ("adamax_default", "adamax", optax_adamax, {"learning_rate": 0.01}),
    (
        "adamax_custom",
        "adamax",
        optax_adamax,
        {"learning_rate": 0.05, "b1": 0.3, "b2": 0.9, "eps": 1e-4},
    ),
    ("rmsprop_default", "rmsprop", optax_rmsprop, {"learning_rate": 0.01}),
    (
        "rmsprop_torch_like",
        "rmsprop",
        optax_rmsprop,
        {"learning_rate": 0.01, "decay": 0.99, "eps_in_sqrt": False},
    ),
    (
        "rmsprop_bias_corrected",
        "rmsprop",
        optax_rmsprop,
        {
            "learning_rate": 0.01,
            "decay": 0.95,
            "eps": 1e-6,
            "initial_scale": 0.2,
            "eps_in_sqrt": False,
            "bias_correction": True,
        },
    ),
    (
        "rmsprop_bias_corrected_in_sqrt",
        "rmsprop",
        optax_rmsprop,
        {"learning_rate": 0.01, "bias_correction": True},
    ),
    ("sgd", "sgd", optax_sgd, {"learning_rate": 0.1}),
]


@pytest.mark.parametrize("seq", list(SEQUENCES))
@pytest.mark.parametrize(
    ("optimizer_name", "reference", "hyper"),
    [pytest.param(opt, ref, hyper, id=case_id) for case_id, opt, ref, hyper in TORCH_CASES],
)
def test_torch_matches_reference(torch_mod, optimizer_name, reference, hyper, seq):
    grads = SEQUENCES[seq]
    library = run_torch(torch_mod, optimizer_name, grads, X0, **hyper)
    _assert_close(reference(grads, X0, **hyper), library)


@pytest.mark.parametrize("seq", list(SEQUENCES))
@pytest.mark.parametrize(
    ("alias_name", "reference", "hyper"),
    [pytest.param(opt, ref, hyper, id=case_id) for case_id, opt, ref, hyper in OPTAX_CASES],
)
def test_optax_matches_reference(optax_mod, alias_name, reference, hyper, seq):
    grads = SEQUENCES[seq]
    library = run_optax(optax_mod, alias_name, grads, X0, **hyper)
    _assert_close(reference(grads, X0, **hyper), library)


# ---------------------------------------------------------------------------
# Library-independent checks of the reference module itself
# ---------------------------------------------------------------------------


def test_reference_module_imports_only_numpy():
    tests_dir = Path(__file__).resolve().parent
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import library_equations; "
        "bad = [m for m in ('torch', 'jax', 'optax') if m in sys.modules]; "
        "sys.exit(f'imported {bad}' if bad else 0)"
    )
    subprocess.run([sys.executable, "-c", code, str(tests_dir)], check=True)


def test_fma_single_rounding():
    eps = 2.0**-52
    # (1 + eps)(1 - eps) - 1 = -eps**2 exactly; an unfused evaluation gives 0.
    assert _fma(1.0 + eps, 1.0 - eps, -1.0) == -(eps**2)
    assert (1.0 + eps) * (1.0 - eps) - 1.0 == 0.0
    a = np.array([0.1, 3.0, -7.5, 0.0])
    b = np.array([10.0, 1.0 / 3.0, 2.0, 5.0])
    c = np.array([-1.0, -1.0, 15.0, -0.0])
    # Exact products plus c, rounded once (checked with exact rationals).
    expected = [
        float(Fraction(x) * Fraction(y) + Fraction(z)) for x, y, z in zip(a, b, c, strict=True)
    ]
    np.testing.assert_array_equal(_fma(a, b, c), expected)


def test_reference_shapes_and_input_untouched():
    grads = SEQUENCES["normal"][:10]
    x0 = X0.copy()
    for fn, kw in [
        (torch_adam, {}),
        (torch_adagrad, {}),
        (torch_adamax, {}),
        (torch_rmsprop, {}),
        (torch_sgd, {}),
        (optax_adam, {"learning_rate": 0.1}),
        (optax_amsgrad, {"learning_rate": 0.1}),
        (optax_adagrad, {"learning_rate": 0.1}),
        (optax_adamax, {"learning_rate": 0.1}),
        (optax_rmsprop, {"learning_rate": 0.1}),
        (optax_sgd, {"learning_rate": 0.1}),
    ]:
        out = fn(grads, x0, **kw)
        assert out.shape == grads.shape and out.dtype == np.float64
        assert np.all(np.isfinite(out))
        np.testing.assert_array_equal(x0, X0)
    with pytest.raises(ValueError):
        torch_sgd(grads[0], x0)
    with pytest.raises(ValueError):
        torch_sgd(grads, x0[:2])
