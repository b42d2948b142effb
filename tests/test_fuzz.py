"""Property-based tests (hypothesis): generated sequence and domain specs, parameters
and expressions, through ``octk run`` and ``octk.simulate``.

Properties: no exception outside octk's hierarchy (the CLI never reports an
"internal error", exit status 1); no ``nan`` printed with exit status 0; no hang
(T ≤ 40 on the reference backend, so no kernel compiles). The edit loop runs a
modest number of examples; the ``slow`` variants run ten times as many.
"""

from __future__ import annotations

import json
import warnings

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import octk
from octk.cli import main
from octk.errors import NonFiniteWarning, OctkError
from octk.sequences import SEQUENCES

FAST = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
SLOW = settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)

# valid values more often than invalid ones, so that runs happen, not only usage errors
NUMBERS = st.sampled_from(
    ["0", "1", "-1", "3", "0.5", "1e-300", "1e155", "1e300", "1e308", "nan", "inf", "-inf",
     "1e400", "10", "-1e155", "abc", "", "2.5e-320", "1", "3", "0.5", "1e155", "1e300", "0.9",
     "0.99", "5", "1e155", "1e300", "1e200", "0.1"]
)  # fmt: skip


@st.composite
def expressions(draw, depth=3):
    """Expressions over the parser's whitelist, with awkward numbers among them."""
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(["t", "i", "x", "U0", "1", "0", "2", "1e155", "1e308", "-t"]))
    op = draw(
        st.sampled_from(
            ["+", "-", "*", "/", "**", "%", "sqrt", "log", "exp", "where", "mod", "abs", "sin"]
        )
    )
    a, b = draw(expressions(depth - 1)), draw(expressions(depth - 1))
    if op in ("+", "-", "*", "/", "**", "%"):
        return f"({a}){op}({b})"
    if op == "where":
        return f"where(({a}) > ({b}), {a}, {b})"
    if op == "mod":
        return f"mod({a}, {b})"
    return f"{op}({a})"


@st.composite
def sequence_specs(draw):
    name = draw(st.sampled_from(sorted(set(SEQUENCES) - {"array"})))
    if name == "expr":
        return f"expr:c={draw(expressions())}"
    params = SEQUENCES[name].params
    chosen = draw(st.lists(st.sampled_from(sorted(params)), unique=True, max_size=len(params)))
    parts = [f"{p}={draw(NUMBERS)}" for p in chosen]
    return name + (":" + ",".join(parts) if parts else "")


DOMAINS = st.one_of(
    st.builds(lambda a, b: f"box:{a},{b}", NUMBERS, NUMBERS),
    st.builds(lambda r: f"ball:{r}", NUMBERS),
    st.builds(lambda r: f"simplex:{r}", NUMBERS),
    st.sampled_from(["box", "ball", "reals", "box:", "ball:", "simplex", "cube:1", "box:-1,1;x"]),
    st.sampled_from(["box:-1,1", "box:-1,1", "ball:1", "box:-1e300,1e300", "box:0,1"]),
)
RULES = st.sampled_from(
    ["adam", "amsgrad", "adagrad", "ogd", "rmsprop", "adamax", "adamnc", "adma", "adam", "ogd"]
)
PARAMS = st.dictionaries(
    st.sampled_from(["alpha", "beta1", "beta2", "eps", "eps", "bogus"]), NUMBERS, max_size=2
).map(lambda d: [f"{k}={v}" for k, v in d.items()])


def _check_cli(rule, seq, dom, steps, params, loss, as_json):
    args = ["run", "--rule", rule, "--sequence", seq, "--domain", dom, "--steps", steps]
    args += ["--backend", "reference", "--loss", loss] + (["--json"] if as_json else [])
    for p in params:
        args += ["--param", p]
    res = CliRunner().invoke(main, args, catch_exceptions=False)
    assert res.exit_code in (0, 2, 3), (args, res.output)
    assert "internal error" not in res.stderr, (args, res.stderr)
    if res.exit_code == 0:
        assert "nan" not in res.stdout.lower(), (args, res.stdout)
        if as_json:
            out = json.loads(res.stdout)
            assert out["regret"] is None or out["regret"] == out["regret"]  # None: ±inf only
    else:
        errors = [ln for ln in res.stderr.splitlines() if ln.startswith("octk: error:")]
        assert len(errors) == 1, (args, res.stderr)


CLI_ARGS = dict(
    rule=RULES,
    seq=sequence_specs(),
    dom=DOMAINS,
    steps=st.sampled_from(["1", "7", "40", "40", "40", "0", "-3", "2.5", "1e20", "x"]),
    params=PARAMS,
    loss=st.sampled_from(["linear", "quadratic", "absolute"]),
    as_json=st.booleans(),
)


@FAST
@given(**CLI_ARGS)
def test_cli_fails_only_with_octk_errors(rule, seq, dom, steps, params, loss, as_json):
    _check_cli(rule, seq, dom, steps, params, loss, as_json)


@pytest.mark.slow
@SLOW
@given(**CLI_ARGS)
def test_cli_fails_only_with_octk_errors_long(rule, seq, dom, steps, params, loss, as_json):
    _check_cli(rule, seq, dom, steps, params, loss, as_json)


def _check_api(rule, seq, steps, segment, x0):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NonFiniteWarning)
        try:
            traj = octk.simulate(
                rule, seq, steps=steps, segment=segment, x0=x0, backend="reference"
            )
        except OctkError:
            return
    if traj.nonfinite is None:
        assert all(v == v for v in traj.x.ravel())  # a nan is always recorded


API_ARGS = dict(
    rule=st.one_of(RULES, st.none(), st.integers()),
    seq=st.one_of(sequence_specs(), st.none(), st.just([1.0, 2.0])),
    steps=st.one_of(st.integers(-2, 30), st.just(10**20), st.floats(allow_nan=True)),
    segment=st.one_of(st.none(), st.integers(-2, 9)),
    x0=st.one_of(st.floats(-2, 2), st.just(float("nan")), st.text(max_size=2)),
)


@FAST
@given(**API_ARGS)
def test_api_fails_only_with_octk_errors(rule, seq, steps, segment, x0):
    _check_api(rule, seq, steps, segment, x0)


@pytest.mark.slow
@SLOW
@given(**API_ARGS)
def test_api_fails_only_with_octk_errors_long(rule, seq, steps, segment, x0):
    _check_api(rule, seq, steps, segment, x0)
