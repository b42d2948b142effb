"""Non-finite runs: located at their first step, explained, and never printed as numbers;
the exact power-of-two rescaling of scale-invariant rules; time-sized segments."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from click.testing import CliRunner

import octk
from octk.cli import main
from octk.driver import SegmentSizer, gradient_scale
from octk.errors import NonFiniteError, NonFiniteWarning, OctkError
from octk.rules import rule as make_rule
from octk.rules.scaling import scale_degrees, scale_invariant
from octk.sequences import sequence
from octk.simulate import prepare

BACKENDS = ["reference", "numba"]


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.parametrize("backend", BACKENDS)
def test_overflow_of_g_squared_is_located_and_explained(backend):
    with pytest.raises(NonFiniteError) as exc:
        octk.simulate(
            "adam", "reddi-thm1:C=1e155", steps=50, backend=backend, nonfinite="raise", segment=7
        )
    rec = exc.value.record
    assert (rec.step, rec.quantity, rec.config, rec.coordinate) == (1, "state v", 0, 0)
    assert "g**2 overflows float64 at |g| > 1.34e+154" in rec.cause
    assert "rescale the losses" in rec.hint


@pytest.mark.parametrize("backend", BACKENDS)
def test_first_step_found_inside_a_long_segment(backend):
    # the 1e308 row is row 38: step 38 is the first after which v is inf
    data = np.ones((60, 1))
    data[37] = 1e308
    with pytest.warns(NonFiniteWarning, match="step 38 "):
        traj = octk.simulate("adam", sequence("array", path=data), steps=60, backend=backend)
    assert traj.nonfinite.step == 38 and traj.nonfinite.quantity == "state v"


def test_the_api_warns_where_x_final_is_nan():
    with pytest.warns(NonFiniteWarning, match=r"signal s = inf at step 1 .*divides by zero"):
        traj = octk.simulate("adam", "expr:c=t/(t-1)", steps=20, backend="reference")
    assert np.isnan(traj.x_final).all() and traj.nonfinite.quantity == "signal s"


def test_ignore_keeps_float64_semantics_without_checks():
    with warnings.catch_warnings():
        warnings.simplefilter("error", NonFiniteWarning)
        traj = octk.simulate(
            "adam", "expr:c=log(t-1)", steps=5, backend="reference", nonfinite="ignore"
        )
    assert traj.nonfinite is None and np.isnan(traj.x_final).all()


@pytest.mark.parametrize(
    ("seq", "step", "words"),
    [
        ("reddi-thm1:C=1e155", 1, "g**2 overflows float64"),
        ("reddi-thm1:C=1e300", 1, "g**2 overflows float64"),
        ("expr:c=t/(t-1)", 1, "1/(t - 1) divides by zero (t = 1)"),
        ("expr:c=log(t-1)", 1, "log(t - 1) is undefined"),
    ],
)
def test_cli_prints_one_line_and_exits_3(seq, step, words):
    res = invoke(
        "run", "--rule", "adam", "--sequence", seq, "--steps", 30, "--backend", "reference"
    )
    assert res.exit_code == 3, res.output
    lines = [ln for ln in res.stderr.splitlines() if ln.startswith("octk: error")]
    assert len(lines) == 1 and f"at step {step} " in lines[0] and words in lines[0]
    assert "nan" not in res.stdout


@pytest.mark.parametrize(
    "data",
    [np.full((8, 1), 1e308), np.r_[np.ones(3), 1e308, np.ones(4)][:, None]],
    ids=["all-1e308", "one-1e308-row"],
)
def test_arrays_near_the_float64_limit_give_an_error_not_a_number(tmp_path, data):
    path = tmp_path / "g.npy"
    np.save(path, data)
    res = invoke(
        "run", "--rule", "adam", "--sequence", f"array:path={path}", "--steps", 8,
        "--backend", "reference",
    )  # fmt: skip
    assert res.exit_code == 3 and "non-finite" in res.stderr and "nan" not in res.stdout


# --------------------------------------------------------------------------- scaling
def test_scale_invariance_is_read_from_the_program():
    assert scale_degrees(make_rule("adam"), {"eps": 0}) == {
        "m": 1, "mhat": 1, "v": 2, "vhat": 2, "delta": 0,
    }  # fmt: skip
    assert not scale_invariant(make_rule("adam"))  # ε = 1e-8 breaks it
    assert scale_invariant(make_rule("amsgrad")) and scale_invariant(make_rule("adagrad"))
    assert not scale_invariant(make_rule("ogd"))


@pytest.mark.parametrize("rule", ["adam", "amsgrad", "adagrad"])
def test_rescaled_run_has_the_iterates_of_the_unscaled_one(rule):
    """Signals 2^600·s run scaled by an exact power of two: the iterates equal those of s
    exactly (the rules are scale-invariant at ε = 0), and nothing is flagged."""
    rng = np.random.default_rng(5)
    data = rng.choice([-1.0, 0.5, 3.0], size=(40, 2))
    params = {} if rule == "amsgrad" else {"eps": 0.0}
    kw = dict(steps=40, params=params, checkpoints="all", backend="reference")
    small = octk.simulate(rule, sequence("array", path=data), **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("error", NonFiniteWarning)
        big = octk.simulate(rule, sequence("array", path=np.ldexp(data, 600)), **kw)
    assert big.gradient_scale < 1 and small.gradient_scale == 1
    np.testing.assert_array_equal(big.x, small.x)
    with np.errstate(over="ignore"):  # 2^1200·v is inf in both
        for name, v in small.state.items():
            k = {"m": 600, "u": 600}.get(name, 1200)
            np.testing.assert_array_equal(np.ldexp(v, k), big.state[name])


def test_no_rescaling_where_it_would_not_be_exact():
    # ε > 0 (not scale-invariant), and a signal range too wide for one power of two
    wide = sequence("array", path=np.array([[1e-300], [1e300]]))
    for rule, params, spec in [("adam", {}, "reddi-thm1:C=1e155"), ("adagrad", {}, wide)]:
        prog, _lanes, meta = prepare(rule, spec, steps=2, params=params)
        assert gradient_scale(prog, meta) == (1.0, None)


# --------------------------------------------------------------------------- segments
def test_segments_grow_to_the_time_target_and_honour_a_fixed_size():
    s = SegmentSizer(None, 10**9)
    assert s.size == 256
    s.update(256, 5.0)  # the first call compiles: ignored
    s.update(256, 0.001)
    assert s.size == 256 * 16
    s.update(4096, 100.0)
    assert s.size == 1024  # at most ÷4
    f = SegmentSizer(10, 100)
    f.update(10, 1e-9)
    f.update(10, 1e-9)
    assert f.size == 10


@pytest.mark.parametrize("segment", [0, -3, 1.5])
def test_segment_must_be_a_positive_integer(segment):
    with pytest.raises(OctkError, match="segment must be an integer in"):
        octk.simulate("ogd", "reddi-thm1", steps=5, backend="reference", segment=segment)


def test_segmented_runs_agree_with_one_call():
    kw = dict(steps=200, params={"alpha": 0.1}, backend="reference")
    one = octk.simulate("adam", "reddi-thm1:C=3", segment=200, **kw)
    many = octk.simulate("adam", "reddi-thm1:C=3", segment=7, **kw)
    np.testing.assert_array_equal(one.x, many.x)
    np.testing.assert_array_equal(one.loss, many.loss)
