"""Rules: the registry, options, presets, generated docs and identities between rules."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from conftest import assert_close

import octk.rules as rules
from octk.errors import ParameterError, UnknownNameError
from octk.rules import SPECS, rule
from octk.sequences import sequence
from octk.simulate import simulate
from octk.symbols import g, x


@pytest.mark.parametrize("name", list(SPECS))
def test_every_rule_and_preset_builds_with_valid_defaults(name):
    for preset in SPECS[name].presets:
        r = rule(name, preset)
        assert r.preset == preset and r.name == name
        values = r.resolve()
        assert set(values) == set(r.hyper_names)
        assert r.program[-1][0] == x  # the program ends with x̂_{t+1}
        assert x in r.transition()  # and has a transition for x
        # the public builder's docstring carries each preset's rendered program: unicode
        # math for help() in a terminal, LaTeX for the documentation site
        doc = getattr(rules, name).__doc__
        assert "\n".join("    " + ln for ln in r.pretty().splitlines()) in doc
        assert r.latex() in getattr(rules, name).latex_doc


def test_docstring_math_follows_the_rule():
    with_bc = rule("adam").latex()
    without = rule("adam", bias_correction_m=False, bias_correction_v=False).latex()
    assert r"1 - \beta_{1}^{t}" in with_bc and r"1 - \beta_{1}^{t}" not in without


def test_adam_transition_is_kingma_ba_algorithm_1():
    r = rule("adam")
    b1, b2, a, e, t = (
        sp.Symbol(n, real=True, nonnegative=True) for n in ("beta1", "beta2", "alpha", "eps", "t")
    )
    t = sp.Symbol("t", integer=True, positive=True)
    m, v = sp.Symbol("m", real=True), sp.Symbol("v", real=True)
    tr = r.transition(guarded=False)
    assert sp.simplify(tr[m] - (b1 * m + (1 - b1) * g)) == 0
    assert sp.simplify(tr[v] - (b2 * v + (1 - b2) * g**2)) == 0
    mhat = tr[m] / (1 - b1**t)
    vhat = tr[v] / (1 - b2**t)
    assert sp.simplify(tr[x] - (x - a * mhat / (sp.sqrt(vhat) + e))) == 0


@pytest.mark.parametrize(
    ("name", "options", "match"),
    [
        ("adam", {"eps_mode": "sideways"}, "eps_mode must be one of"),
        ("adam", {"schedule": "cubic"}, "schedule must be one of"),
        ("adam", {"eps_mode": "hat", "bias_correction_m": False}, "needs bias_correction_m=True"),
        ("amsgrad", {"max_over": "m"}, "max_over must be one of"),
    ],
)
def test_bad_option_values_name_the_option(name, options, match):
    with pytest.raises(ParameterError, match=match):
        rule(name, **options)


def test_unknown_names_suggest_the_closest():
    with pytest.raises(UnknownNameError, match="Did you mean 'amsgrad'"):
        rule("amsgard")
    with pytest.raises(UnknownNameError, match="Did you mean 'amsgrad'"):
        rule("AMSGrad")  # case is ignored
    with pytest.raises(UnknownNameError, match="Did you mean 'adam'"):
        rule("adma")  # a swap of two letters is one edit (adamax is two away)
    with pytest.raises(UnknownNameError) as err:
        rule("lbfgs")
    assert "Did you mean" not in str(err.value)  # nothing is near
    with pytest.raises(UnknownNameError, match="unknown option of rule 'adam' 'beta3'"):
        rule("adam", beta3=True)
    with pytest.raises(UnknownNameError, match="preset of rule 'adamnc'"):
        rule("adamnc", "torch")


@pytest.mark.parametrize(
    ("param", "value", "match"),
    [
        ("beta1", 1.0, r"beta1 must be in \[0, 1\)"),
        ("beta2", -0.1, r"beta2 must be in \[0, 1\)"),
        ("alpha", 0.0, r"alpha must be in \(0, inf\)"),
        ("eps", -1e-8, r"eps must be in \[0, inf\)"),
        ("alpha", float("nan"), "alpha must be a finite number"),
        ("alpha", "fast", "alpha must be a real number"),
    ],
)
def test_out_of_range_hyperparameters_name_the_range(param, value, match):
    with pytest.raises(ParameterError, match=match):
        rule("adam").resolve({param: value})


def test_lambda_must_be_in_the_open_unit_interval():
    r = rule("adam", beta1_schedule="decay")
    with pytest.raises(ParameterError, match=r"lam must be in \(0, 1\)"):
        r.resolve({"lam": 1.0})


def _run(r, data, **params):
    return simulate(
        r,
        sequence("array", path=data),
        "box:-1,1",
        steps=len(data),
        x0=0.1,
        params=params,
        checkpoints="all",
        backend="reference",
    ).x[0]


GRADS = np.random.default_rng(5).normal(size=(200, 2))


def test_rmsprop_is_adam_with_beta1_zero_and_no_bias_correction():
    a = _run(rule("rmsprop"), GRADS, alpha=0.01, beta2=0.9, eps=1e-8)
    b = _run(
        rule("adam", bias_correction_m=False, bias_correction_v=False),
        GRADS,
        alpha=0.01,
        beta1=0.0,
        beta2=0.9,
        eps=1e-8,
    )
    assert_close(a, b, rtol=1e-14)


def test_amsgrad_equals_adam_while_v_never_decreases():
    """|g_t| increasing ⇒ v_t non-decreasing ⇒ max(v̂_{t−1}, v_t) = v_t."""
    grads = np.linspace(0.1, 3.0, 150)[:, None] * np.where(np.arange(150) % 2, 1, -1)[:, None]
    ams = rule(
        "amsgrad",
        bias_correction_m=True,
        bias_correction_v=True,
        eps_mode="outside",
        schedule="constant",
    )
    a = _run(ams, grads, alpha=0.01, beta1=0.9, beta2=0.5, eps=1e-8)
    b = _run(rule("adam"), grads, alpha=0.01, beta1=0.9, beta2=0.5, eps=1e-8)
    assert_close(a, b, rtol=1e-14)
    # and they part as soon as v decreases
    c = _run(ams, grads[::-1], alpha=0.01, beta1=0.9, beta2=0.5, eps=1e-8)
    d = _run(rule("adam"), grads[::-1], alpha=0.01, beta1=0.9, beta2=0.5, eps=1e-8)
    assert np.max(np.abs(c - d)) > 1e-4


def test_efficient_order_equals_algorithm_1_when_eps_is_zero():
    """K&B §2: α_t = α√(1−β2^t)/(1−β1^t) with ε̂ = ε√(1−β2^t); at ε = 0 both coincide."""
    a = _run(rule("adam", eps_mode="hat"), GRADS, alpha=0.01, eps=0.0)
    b = _run(rule("adam"), GRADS, alpha=0.01, eps=0.0)
    assert_close(a, b, rtol=1e-13)
    c = _run(rule("adam", eps_mode="hat"), GRADS * 1e-6, alpha=0.01, eps=1e-6)
    d = _run(rule("adam"), GRADS * 1e-6, alpha=0.01, eps=1e-6)
    assert np.max(np.abs(c - d)) > 1e-5  # a constant ε̂ is a different algorithm


def test_adamax_step_is_zero_until_the_first_nonzero_gradient():
    grads = np.zeros((20, 1))
    grads[10:] = 1.0
    xs = _run(rule("adamax"), grads, alpha=0.01)
    assert np.all(xs[:10] == 0.1)  # u_t = 0: the stated guard takes no step
    assert np.all(np.isfinite(xs)) and xs[10, 0] < 0.1


def test_guard_is_dropped_for_the_papers_algebra():
    r = rule("adamax")
    assert r.guard != sp.true
    assert not r.transition(guarded=False)[x].has(sp.Piecewise)
    assert r.transition(guarded=True)[x].has(sp.Piecewise)


@pytest.mark.parametrize("new", ["s", "f", "sum_s", "pow_beta1", "U0"])
def test_a_state_named_like_a_lowering_symbol_is_refused(new):
    """A state named ``s`` would be the signal's own SymPy symbol and silently change
    the step (AdaBelief's ``s`` did); the lowering refuses it by name."""
    from dataclasses import replace

    r = rule("adam")
    old, renamed = sp.Symbol("m", real=True), sp.Symbol(new, real=True)
    swap = {old: renamed}
    program = tuple((tg.xreplace(swap), e.xreplace(swap)) for tg, e in r.program)
    state = tuple(replace(s, name=new) if s.name == "m" else s for s in r.state)
    bad = replace(r, program=program, state=state)
    with pytest.raises(ParameterError, match=f"state variable '{new}' is a name the lowering"):
        simulate(bad, "reddi-thm1:C=3", "box:-1,1", steps=3, backend="reference")
