"""Sequences, domains and simulate(): parsing, and a clear error for every bad input."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import octk
from octk.domains import Ball, Box, Reals, domain
from octk.errors import ParameterError, ShapeError, UnknownNameError
from octk.expressions import parse_expression
from octk.random import uniform_int, uniform_np
from octk.sequences import SEQUENCES, sequence
from octk.symbols import t


@pytest.mark.parametrize("name", [n for n in SEQUENCES if n not in ("array", "expr")])
def test_every_named_sequence_builds_and_round_trips_its_spec(name):
    s = sequence(name)
    assert sequence(s.spec()).signal == s.signal
    assert s.bound is not None and s.bound > 0


def test_reddi_families_have_the_papers_coefficients():
    s = sequence("reddi-thm1:C=3").signal
    assert [s.subs(t, k) for k in (1, 2, 3, 4)] == [3, -1, -1, 3]
    s2 = sequence("reddi-thm2:C=5").signal
    assert [s2.subs(t, k) for k in range(1, 7)] == [5, -1, -1, -1, -1, 5]
    syn = sequence("reddi-synthetic").signal
    assert syn.subs(t, 102) == 1010 and syn.subs(t, 101) == -10


def test_stochastic_thm3_has_mean_delta():
    """E c = C (1+δ)/(C+1) − (1 − (1+δ)/(C+1)) = δ (RKK Theorem 3)."""
    tr = octk.simulate(
        "ogd", "reddi-thm3:C=20,delta=0.1", "box:-1,1", steps=20000, d=50, backend="numba"
    )
    mean = tr.stats["sum_s"][0, -1].mean() / 20000
    # 10⁶ draws of variance ≈ C: standard error ≈ √(20/10⁶) ≈ 0.0045
    assert mean == pytest.approx(0.1, abs=0.02)


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ("reddi-thm1:C=2", r"C must be in \(2, inf\)"),
        ("reddi-thm2:C=2.5", "C must be an integer"),
        ("reddi-thm3:C=3,delta=5", r"delta must be in \(-1, C\)"),
        ("sparse:p=0", r"p must be in \(0, 1\]"),
        ("uniform:low=1,high=0", "high must be > low"),
        ("periodic:values=[]", "values must be a non-empty list"),
        ("reddi-thm1:D=3", "unknown parameter of sequence 'reddi-thm1' 'D'"),
        ("reddi-thm1:C", "must be k=v pairs"),
        ("redi-thm1", "Did you mean 'reddi-thm1'"),
        ("array", "needs path=FILE.npy"),
        ("array:path=/nonexistent.npy", "no such file"),
        ("array:path=data.csv", "must name a .npy file"),
        ("expr", "needs c=EXPRESSION"),
    ],
)
def test_bad_sequence_specs_name_the_parameter(spec, match):
    with pytest.raises((ParameterError, UnknownNameError), match=match):
        sequence(spec)


def test_absolute_loss_needs_finitely_many_values():
    with pytest.raises(ParameterError, match="finitely many values"):
        sequence("uniform", loss="absolute")
    assert sequence("sparse", loss="absolute").support() == (-1.0, 0.0, 1.0)


def test_array_data_errors(tmp_path):
    p = tmp_path / "bad.npy"
    np.save(p, np.array([[1.0, np.nan]]))
    with pytest.raises(ParameterError, match="finite"):
        sequence(f"array:path={p}")
    np.save(p, np.zeros((2, 2, 2)))
    with pytest.raises(ShapeError, match=r"shape \(T, d\)"):
        sequence(f"array:path={p}")
    np.save(p, np.ones((5, 2)))
    with pytest.raises(ParameterError, match="steps=6 exceeds the 5 rows"):
        octk.simulate("adam", f"array:path={p}", steps=6)
    with pytest.raises(ShapeError, match="dimensions disagree"):
        octk.simulate("adam", f"array:path={p}", steps=5, d=3)


def test_expressions_are_parsed_without_evaluating_code():
    e = parse_expression("where(mod(t, 3) == 1, 3, -1) * sqrt(abs(x) + 1)")
    assert e.subs({t: 4, sp.Symbol("x", real=True): 0}) == 3
    for evil in (
        "__import__('os').system('true')",
        "(1).__class__",
        "open('f')",
        "t.real",
        "lambda: 1",
        "[1, 2]",
        "'text'",
    ):
        with pytest.raises(ParameterError, match=r"not allowed|cannot parse"):
            parse_expression(evil, name="c")
    with pytest.raises(ParameterError, match="cannot parse"):
        parse_expression("3 +", name="c")


def test_counter_based_draws_agree_and_are_uniform():
    seeds, coords = np.array([0, 1, 2**40]), np.array([0, 5, 9])
    vec = uniform_np(seeds, 17, coords, 2)
    one_by_one = [uniform_int(int(s), 17, int(c), 2) for s, c in zip(seeds, coords, strict=True)]
    assert one_by_one == vec.tolist()
    u = uniform_np(np.zeros(200000, dtype=np.uint64), 3, np.arange(200000))
    # mean and variance of U[0,1) within 5 standard errors
    assert abs(u.mean() - 0.5) < 5 * np.sqrt(1 / 12 / u.size)
    assert abs(u.var() - 1 / 12) < 5 * np.sqrt(1 / 180 / u.size)


def test_domains_parse_and_project():
    assert isinstance(domain("reals"), Reals)
    b = domain("box:-1,2")
    assert isinstance(b, Box) and b.project(np.array([-3.0, 0.5, 7.0])).tolist() == [-1, 0.5, 2]
    ball = domain("ball:2")
    assert isinstance(ball, Ball)
    np.testing.assert_allclose(ball.project(np.array([3.0, 4.0])), [1.2, 1.6])
    assert domain("box:0,1;-2,2").bounds(2)[1].tolist() == [1.0, 2.0]
    assert domain(b) is b


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ("box:1,-1", "box is empty"),
        ("box:1", "LO,HI pairs"),
        ("ball:0", r"radius must be in \(0, inf\)"),
        ("ball:-2", "radius"),
        ("reals:3", "takes no arguments"),
        ("sphere", "unknown domain 'sphere'"),
        ("box:a,1", "box lo must be a real number"),
    ],
)
def test_bad_domains(spec, match):
    with pytest.raises((ParameterError, UnknownNameError), match=match):
        domain(spec)


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        (dict(steps=0), ParameterError, r"steps must be an integer in \[1, 1000000000000000\]"),
        (dict(steps=2.5), ParameterError, "steps must be an integer"),
        (dict(steps=10, x0=2.0), ParameterError, "x0 must lie in the domain"),
        (dict(steps=10, x0=float("nan")), ParameterError, "x0 must be finite"),
        (dict(steps=10, params={"beta1": 1.0}), ParameterError, r"beta1 must be in \[0, 1\)"),
        (dict(steps=10, params={"alpha": -1}), ParameterError, "alpha must be in"),
        (dict(steps=10, params={"eps": -1}), ParameterError, "eps must be in"),
        (dict(steps=10, params={"gamma": 1}), UnknownNameError, "hyperparameter of rule 'adam'"),
        (
            dict(steps=10, params={"alpha": [0.1, "x"]}),
            ParameterError,
            "alpha must be a number or an array of numbers",
        ),
        (dict(steps=10, params={"alpha": [0.1, -1.0]}), ParameterError, r"alpha must be in \(0"),
        (
            dict(steps=10, params={"beta1": [0.5, float("nan")]}),
            ParameterError,
            "beta1 must be a finite number",
        ),
        (
            dict(steps=10, params={"alpha": [0.1, 0.2], "beta1": [0.1, 0.2, 0.3]}),
            ShapeError,
            "disagree on the number of configurations",
        ),
        (dict(steps=10, x0=[0.0, 0.0], d=3), ShapeError, "dimensions disagree"),
        (dict(steps=10, seed=-1), ParameterError, "seed must be a non-negative integer"),
        (dict(steps=10, backend="fortran"), UnknownNameError, "unknown backend 'fortran'"),
        (
            dict(steps=10, checkpoints=[0, 5]),
            ParameterError,
            r"checkpoints must be steps in \[1, 10\]",
        ),
    ],
)
def test_simulate_rejects_bad_input_with_the_parameters_name(kwargs, err, match):
    with pytest.raises(err, match=match):
        octk.simulate("adam", "reddi-thm1", "box:-1,1", **kwargs)


def test_gradient_bound_is_derived_from_the_values_a_signal_takes():
    """G∞ = sup |s_t|: from the Piecewise leaves, the data, or declared (uniform)."""
    assert sequence("reddi-thm1:C=10").bound == 10.0
    assert sequence("expr:c=where(t > 2, 5, -7)").bound == 7.0
    assert sequence("expr:c=sin(t)").bound is None  # not a finite set of values: unknown
    assert sequence("array", path=np.linspace(-4.0, 1.0, 500)).bound == 4.0
    assert sequence("uniform:low=-3,high=1").bound == 3.0
