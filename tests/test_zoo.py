"""The zoo of published Adam fixes: registry, paper boxes, library presets, readers.

* the registry lists every zoo rule (``zoo_names``) with a citation and a ``paper``
  preset whose program uses exactly its declared hyperparameters;
* each rule's first steps match an independent NumPy transcription of its paper's
  box (``zoo_boxes.py``), on gradients with exact zeros at the start;
* the ``torch``/``optax`` presets match the real libraries' iterates (float64) where
  they are installed (skipped otherwise);
* the one reader of programs (:mod:`octk.rules.anatomy`) returns or raises
  ``NotInProgram`` on every zoo rule, never another error.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
import zoo_boxes as box
from conftest import assert_close

from octk.rules import SPECS, citation, rule, rule_names, zoo_names
from octk.rules import anatomy as an
from octk.sequences import sequence
from octk.simulate import simulate

ZOO = (
    "yogi",
    "adabound",
    "amsbound",
    "padam",
    "adabelief",
    "radam",
    "nadam",
    "adashift",
    "lion",
    "adamx",
)


def _grads(T=80, d=3, seed=7):
    rng = np.random.default_rng(seed)
    g = rng.normal(size=(T, d)) + np.array([0.4, -0.2, 0.0])
    g[:3, 0] = 0.0  # a coordinate that starts with zero gradients (the guards)
    return g


def _octk(name, preset, grads, params, x0, **options):
    tr = simulate(
        rule(name, preset, **options),
        sequence("array", path=grads),
        "reals",
        steps=grads.shape[0],
        x0=x0,
        params=params,
        checkpoints="all",
        backend="reference",
    )
    return tr.x[0]


def test_registry_lists_the_zoo():
    assert zoo_names() == ZOO
    assert set(ZOO) <= set(rule_names())
    assert not set(zoo_names()) & {"adam", "amsgrad", "adagrad", "ogd", "rmsprop"}
    for name in ZOO:
        spec = SPECS[name]
        assert spec.zoo and "paper" in spec.presets
        assert citation(name) == spec.citation and len(citation(name)) > 20
        for preset in spec.presets:
            r = rule(name, preset)
            used = set()
            for _, e in r.program:
                used |= {s.name for s in e.free_symbols}
            used |= {s.name for st in r.state for s in st.init.free_symbols}
            assert set(r.hyper_names) == used & set(r.hyper_names)
            assert set(r.hyper_names) <= used, (name, preset)
            assert r.program[-1][0].name == "x"


def test_core_rules_are_not_zoo_and_keep_their_builder():
    from octk.rules.adaptive import adaptive

    for name in ("adam", "amsgrad", "adagrad", "ogd", "rmsprop", "adamax", "adamnc"):
        assert not SPECS[name].zoo and SPECS[name].builder is adaptive


# (rule, preset, options, octk params, box function, box kwargs)
PAPER_CASES = [
    (
        "yogi",
        "paper",
        {},
        {"alpha": 0.05},
        box.yogi,
        dict(alpha=0.05, beta1=0.9, beta2=0.999, eps=1e-3),
    ),
    (
        "adabound",
        "paper",
        {},
        {"alpha": 0.01},
        box.adabound,
        dict(alpha=0.01, beta1=0.9, beta2=0.999, final_lr=0.1),
    ),
    (
        "amsbound",
        "paper",
        {},
        {"alpha": 0.01, "beta2": 0.9},
        box.adabound,
        dict(alpha=0.01, beta1=0.9, beta2=0.9, final_lr=0.1, amsbound=True),
    ),
    (
        "padam",
        "paper",
        {},
        {"alpha": 0.05},
        box.padam,
        dict(alpha=0.05, beta1=0.9, beta2=0.999, p=0.125),
    ),
    (
        "padam",
        "paper",
        {},
        {"alpha": 0.05, "p": 0.5},
        box.padam,
        dict(alpha=0.05, beta1=0.9, beta2=0.999, p=0.5),
    ),
    (
        "adabelief",
        "paper",
        {},
        {"alpha": 0.05, "eps": 1e-8},
        box.adabelief,
        dict(alpha=0.05, beta1=0.9, beta2=0.999, eps=1e-8),
    ),
    ("radam", "paper", {}, {"alpha": 0.05}, box.radam, dict(alpha=0.05, beta1=0.9, beta2=0.999)),
    (
        "radam",
        "paper",
        {},
        {"alpha": 0.05, "beta2": 0.9},
        box.radam,
        dict(alpha=0.05, beta1=0.9, beta2=0.9),
    ),
    (
        "nadam",
        "paper",
        {},
        {"alpha": 0.05},
        box.nadam,
        dict(alpha=0.05, beta1=0.9, beta2=0.999, eps=1e-8),
    ),
    (
        "nadam",
        "paper",
        {},
        {"alpha": 0.05, "psi": 0.5},
        box.nadam,
        dict(alpha=0.05, beta1=0.9, beta2=0.999, eps=1e-8, psi=0.5),
    ),
    (
        "adashift",
        "paper",
        {},
        {"alpha": 0.05},
        box.adashift,
        dict(alpha=0.05, beta1=0.9, beta2=0.999, n=10),
    ),
    (
        "adashift",
        "paper",
        {"n": 3},
        {"alpha": 0.05},
        box.adashift,
        dict(alpha=0.05, beta1=0.9, beta2=0.999, n=3),
    ),
    ("lion", "paper", {}, {"alpha": 0.01}, box.lion, dict(alpha=0.01, beta1=0.9, beta2=0.99)),
    (
        "lion",
        "optax",
        {},
        {"alpha": 0.01, "wd": 0.1},
        box.lion,
        dict(alpha=0.01, beta1=0.9, beta2=0.99, wd=0.1),
    ),
    (
        "adamx",
        "paper",
        {},
        {"alpha": 0.05, "lam": 0.9},
        box.adamx,
        dict(alpha=0.05, beta1=0.9, beta2=0.999, lam=0.9),
    ),
]


@pytest.mark.parametrize(
    ("name", "preset", "options", "params", "fn", "kwargs"),
    PAPER_CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(PAPER_CASES)],
)
def test_first_steps_match_the_papers_box(name, preset, options, params, fn, kwargs):
    g = _grads()
    x0 = np.array([0.5, -0.3, 0.1])
    ours = _octk(name, preset, g, params, x0, **options)
    theirs = fn(g, x0, **kwargs)
    assert_close(ours, theirs, rtol=1e-12, what=f"{name} {options}")
    assert np.ptp(ours[:, 1]) > 1e-3, "the iterates should move"


def test_the_boxes_differ_where_the_papers_differ():
    """The zoo's steps are not Adam's: each rule's iterates differ from Adam's at the
    same α, β (a rule that silently fell back to Adam's program would fail here)."""
    g = _grads()
    x0 = np.zeros(3)
    adam = _octk("adam", "paper", g, {"alpha": 0.05, "eps": 0.0}, x0)
    for name in ZOO:
        ours = _octk(name, "paper", g, {"alpha": 0.05}, x0)
        assert np.max(np.abs(ours - adam)) > 1e-4, name


def test_radam_takes_the_sgd_branch_while_rho_is_small():
    """ρ_1..ρ_4 ≤ 4 for β2 = 0.999 (ρ_1 = 1): the first steps are α m̂_t exactly."""
    from octk.rules.zoo.radam import rho

    beta2 = sp.Symbol("beta2", real=True, nonnegative=True)
    values = [
        float(rho(sp.Integer(k)).xreplace({beta2: sp.Rational(999, 1000)})) for k in range(1, 7)
    ]
    assert values[0] == pytest.approx(1.0)
    assert all(v <= 4 for v in values[:4]) and values[4] > 4
    g = _grads()
    x0 = np.zeros(3)
    ours = _octk("radam", "paper", g, {"alpha": 0.1}, x0)
    m = np.zeros(3)
    xs = np.zeros(3)
    for k in range(1, 5):
        m = 0.9 * m + 0.1 * g[k - 1]
        xs = xs - 0.1 * m / (1 - 0.9**k)
        assert_close(ours[k - 1], xs, what=f"RAdam SGD branch, t={k}")


def test_adashift_does_not_move_while_its_window_fills():
    g = _grads()
    ours = _octk("adashift", "paper", g, {"alpha": 0.05}, np.array([0.5, -0.3, 0.1]), n=4)
    assert np.all(ours[:4] == np.array([0.5, -0.3, 0.1]))
    assert np.all(ours[4, 1:] != ours[3, 1:])  # coordinate 0: g_1 = 0, so v_5 = 0, no step
    assert ours[4, 0] == ours[3, 0]


# ---------------------------------------------------------------------------------- libraries
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


def _run_torch(torch, name, grads, x0, **hyper):
    """torch keeps an optimizer's scalars (step, NAdam's μ product) in the default dtype:
    float64 here, so that the comparison is of the equations, not of float32 scalars."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        param = torch.nn.Parameter(torch.tensor(x0, dtype=torch.float64))
        opt = getattr(torch.optim, name)([param], **hyper)
        out = np.empty_like(grads)
        for k, g in enumerate(grads):
            param.grad = torch.tensor(g, dtype=torch.float64)
            opt.step()
            out[k] = param.detach().numpy()
    finally:
        torch.set_default_dtype(previous)
    return out


def _run_optax(optax, name, grads, x0, **hyper):
    import jax.numpy as jnp

    opt = getattr(optax, name)(**hyper)
    params = jnp.asarray(x0, dtype=jnp.float64)
    state = opt.init(params)
    out = np.empty_like(grads)
    for k, g in enumerate(grads):
        updates, state = opt.update(jnp.asarray(g, dtype=jnp.float64), state, params)
        params = optax.apply_updates(params, updates)
        out[k] = np.asarray(params)
    return out


def _lib_grads():
    rng = np.random.default_rng(2023)
    g = rng.normal(size=(120, 3)) + np.array([0.3, -0.5, 0.0])
    g[:5, 2] = 0.0
    return g


# (rule, preset, octk params, library optimizer, library kwargs)
TORCH_CASES = [
    ("radam", "torch", {}, "RAdam", {}),
    (
        "radam",
        "torch",
        {"alpha": 0.02, "beta2": 0.99, "eps": 1e-4},
        "RAdam",
        {"lr": 0.02, "betas": (0.9, 0.99), "eps": 1e-4},
    ),
    ("nadam", "torch", {}, "NAdam", {}),
    ("nadam", "torch", {"alpha": 0.01, "psi": 0.1}, "NAdam", {"lr": 0.01, "momentum_decay": 0.1}),
]

OPTAX_CASES = [
    ("yogi", "optax", {"alpha": 0.01}, "yogi", {"learning_rate": 0.01}),
    ("adabelief", "optax", {"alpha": 0.01}, "adabelief", {"learning_rate": 0.01}),
    ("radam", "optax", {"alpha": 0.01}, "radam", {"learning_rate": 0.01}),
    (
        "radam",
        "optax",
        {"alpha": 0.01, "beta2": 0.99},
        "radam",
        {"learning_rate": 0.01, "b2": 0.99},
    ),
    ("nadam", "optax", {"alpha": 0.01}, "nadam", {"learning_rate": 0.01}),
    ("lion", "optax", {"alpha": 0.01}, "lion", {"learning_rate": 0.01}),
]


@pytest.mark.parametrize(
    ("name", "preset", "params", "lib", "kwargs"),
    TORCH_CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(TORCH_CASES)],
)
def test_torch_presets_match_torch(torch_mod, name, preset, params, lib, kwargs):
    g = _lib_grads()
    x0 = np.array([0.7, -1.3, 2.1])
    assert_close(
        _octk(name, preset, g, params, x0),
        _run_torch(torch_mod, lib, g, x0, **kwargs),
        rtol=1e-12,
        what=f"{name}/{preset}",
    )


@pytest.mark.parametrize(
    ("name", "preset", "params", "lib", "kwargs"),
    OPTAX_CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(OPTAX_CASES)],
)
def test_optax_presets_match_optax(optax_mod, name, preset, params, lib, kwargs):
    g = _lib_grads()
    x0 = np.array([0.7, -1.3, 2.1])
    assert_close(
        _octk(name, preset, g, params, x0),
        _run_optax(optax_mod, lib, g, x0, **kwargs),
        rtol=1e-12,
        what=f"{name}/{preset}",
    )


def test_every_library_preset_is_tested():
    tested = {(c[0], c[1]) for c in TORCH_CASES + OPTAX_CASES}
    for name in ZOO:
        for preset in SPECS[name].presets:
            if preset != "paper":
                assert (name, preset) in tested, (name, preset)


# ---------------------------------------------------------------------------------- readers
READERS = (
    an.anatomy,
    an.effective_step,
    an.inverse_effective_step,
    an.first_moment_symbol,
    an.alpha_t,
    an.beta1_t,
    an.second_moment,
)


@pytest.mark.parametrize("name", ZOO)
def test_anatomy_reads_or_says_not_in_program(name):
    """Every reader of a program returns, or raises NotInProgram (claims then say "not
    applicable"); never another exception."""
    for preset in SPECS[name].presets:
        r = rule(name, preset)
        for reader in READERS:
            try:
                reader(r)
            except an.NotInProgram:
                pass


# ---------------------------------------------------------------------------------- commands
def _invoke(*args):
    from click.testing import CliRunner

    from octk.cli import main

    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_run_and_check_take_every_zoo_rule():
    """``octk run`` (reference backend) runs each zoo rule; an option value from the
    command line is coerced (AdaShift's n); a bad one is one line, exit 2; ``octk check``
    says plainly that no bound belongs to a zoo rule, and evaluates one that is named."""
    for name in ZOO:
        res = _invoke("run", "--rule", name, "--sequence", "uniform", "--steps", 20,
                      "--backend", "reference", "--json")  # fmt: skip
        assert res.exit_code == 0, (name, res.output)
    res = _invoke("run", "--rule", "adashift", "--param", "n=3", "--sequence", "uniform",
                  "--steps", 20, "--backend", "reference")  # fmt: skip
    assert res.exit_code == 0, res.output
    res = _invoke("run", "--rule", "adashift", "--param", "n=11", "--sequence", "uniform",
                  "--steps", 20)  # fmt: skip
    assert res.exit_code == 2 and "n must be one of 10, 1, 2" in res.output
    res = _invoke("check", "--rule", "lion", "--sequence", "reddi-thm1:C=3", "--steps", 50,
                  "--backend", "reference")  # fmt: skip
    assert res.exit_code == 2 and "no bound belongs to rule 'lion'" in res.output
    res = _invoke("check", "--rule", "adashift", "--sequence", "reddi-thm1:C=3", "--steps", 50,
                  "--backend", "reference", "--bound", "rkk-thm4")  # fmt: skip
    assert res.exit_code == 0 and "hypotheses fail" in res.output, res.output
