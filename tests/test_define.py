"""A rule defined by the user (octk.rules.define, rule files, PATH.py:NAME): every error
names the line and the symbol, nothing is evaluated, and the rule is a rule like any
registry rule -- the same program, anatomy, hypotheses and trajectories."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from octk.backends import get_backend
from octk.bounds.hypotheses import algorithm_mismatches
from octk.bounds.registry import BOUNDS, default_bound
from octk.cli import main
from octk.errors import ParameterError, RuleDefinitionError, UnknownNameError, UnknownSymbolError
from octk.rules import define, load_rule, resolve, rule
from octk.rules.anatomy import anatomy
from octk.simulate import simulate

ROOT = Path(__file__).resolve().parents[1]
YOGI = ROOT / "examples" / "rules" / "yogi.toml"
MY_RULE = ROOT / "examples" / "rules" / "my_rule.py"

ADAM_TOML = """\
[rule]
name = "my-adam"
source = "Kingma & Ba 2015, Algorithm 1"
guard = "sqrt(vhat) + eps > 0"

[hyperparameters]
alpha = { default = 0.001, range = "(0, inf)" }
beta1 = { default = 0.9, range = "[0, 1)" }
beta2 = { default = 0.999, range = "[0, 1)" }
eps = { default = 1e-8, range = "[0, inf)" }

[state]
m = 0
v = 0

[step]
m = "beta1*m + (1 - beta1)*g"
mhat = "m/(1 - beta1**t)"
v = "beta2*v + (1 - beta2)*g**2"
vhat = "v/(1 - beta2**t)"
delta = "alpha*mhat/(sqrt(vhat) + eps)"
x = "x - delta"
"""


def write(tmp_path: Path, text: str, name: str = "rule.toml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


# --------------------------------------------------------------------------- errors
def broken(old: str, new: str) -> str:
    assert old in ADAM_TOML, old
    return ADAM_TOML.replace(old, new)


def line_of(text: str, fragment: str) -> int:
    return next(n for n, ln in enumerate(text.splitlines(), 1) if fragment in ln)


MHAT = 'mhat = "m/(1 - beta1**t)"'
ERRORS = [
    # (old, new, line fragment, symbol, words)
    ('v = "beta2*v', 'v = "bta2*v', 'v = "bta2*v', "bta2", "Did you mean 'beta2'"),
    ('mhat = "m/', 'mhat = "vhat + m/', "mhat = ", "vhat", "before it is assigned"),
    ("v = 0\n", "", 'v = "beta2*v', "v", "declare it in [state]"),
    ('x = "x - delta"', "", "[step]", "x", "no 'x' update"),
    (MHAT, MHAT + '\ng = "2*g"', 'g = "2*g"', "g", "cannot assign to 'g'"),
    (MHAT, MHAT + '\nt = "t + 1"', 't = "t + 1"', "t", "cannot assign to 't'"),
    (MHAT, MHAT + '\nalpha = "2*alpha"', 'alpha = "2*alpha"', "alpha", "constant during a run"),
    ("m = 0\n", "alpha = 0\nm = 0\n", "alpha = 0", "alpha", "already a hyperparameter"),
    ("default = 0.9,", "default = 1.5,", "beta1 =", "beta1", "outside its range"),
    ('range = "[0, inf)" }', 'range = "[-1, inf)" }', "eps =", None, "below 0"),
    ("v = 0\n", "v = 0\nw = 0\n", "w = 0", "w", "never assigned"),
    ("m = 0\n", 'm = "g"\n', 'm = "g"', "g", "hyperparameters"),
    ("m = 0\n", "sqrt = 0\nm = 0\n", "sqrt = 0", "sqrt", "reserved"),
    ("default = 0.9,", "defualt = 0.9,", "beta1 =", "defualt", "did you mean 'default'"),
    ('guard = "sqrt(vhat) + eps > 0"', 'guard = "sqrt(vhat) + eps >= 0"', "guard =", None, "> 0"),
    ('delta = "alpha', 'delta = "foo(1) + alpha', "delta =", None, "not allowed"),
]


@pytest.mark.parametrize("old, new, fragment, symbol, words", ERRORS)
def test_every_error_names_file_line_and_symbol(tmp_path, old, new, fragment, symbol, words):
    text = broken(old, new)
    p = write(tmp_path, text)
    with pytest.raises(RuleDefinitionError) as info:
        load_rule(p)
    e = info.value
    assert isinstance(e, ParameterError)
    assert words in str(e), str(e)
    assert str(e).startswith(str(p)), str(e)
    assert e.line == line_of(text, fragment), (str(e), e.line)
    assert f"line {e.line}" in str(e)
    if symbol is not None:
        assert e.symbol == symbol and repr(symbol) in str(e)


def test_unknown_symbol_is_an_unknown_name_error(tmp_path):
    p = write(tmp_path, broken('v = "beta2*v', 'v = "bta2*v'))
    with pytest.raises(UnknownSymbolError) as info:
        load_rule(p)
    assert isinstance(info.value, UnknownNameError)
    assert "assignment 'v'" in str(info.value)


def test_toml_errors_name_the_line(tmp_path):
    text = broken('vhat = "v/(1 - beta2**t)"', 'vhat = "v/(1 - beta2**t)"\nx = "x"')
    second = line_of(text, 'x = "x - delta"')
    with pytest.raises(RuleDefinitionError, match=rf"not valid TOML.*line {second}\b") as info:
        load_rule(write(tmp_path, text))  # x written twice: TOML's message, at the second
    assert info.value.file.endswith("rule.toml")
    with pytest.raises(RuleDefinitionError, match=r"unknown table \[steps\].*\[step\]"):
        load_rule(write(tmp_path, ADAM_TOML.replace("[step]", "[steps]")))
    with pytest.raises(ParameterError, match="does not exist"):
        load_rule(tmp_path / "missing.toml")


def test_x_must_be_last_and_errors_without_a_file():
    with pytest.raises(RuleDefinitionError, match="must be the last assignment") as info:
        define("r", hyperparameters={"a": 1.0}, state={}, step=[("x", "x - a*g"), ("y", "g")])
    assert info.value.file is None and info.value.symbol == "y"
    with pytest.raises(RuleDefinitionError, match="'m' is assigned twice"):
        define("r", hyperparameters={}, state={"m": 0}, step=[("m", "g"), ("m", "g"), ("x", "x")])


def test_nothing_is_evaluated(tmp_path):
    marker = tmp_path / "evaluated"
    for payload in (
        f"__import__('os').system('touch {marker}')",
        f"open('{marker}', 'w')",
        "(lambda: 1)()",
        "g.__class__",
        "[g for g in ()]",
        "2**10**10",  # a number SymPy would take hours to write out: refused before
    ):
        p = write(tmp_path, broken('delta = "alpha*mhat', f'delta = "{payload} + alpha*mhat'))
        with pytest.raises(RuleDefinitionError):
            load_rule(p)
    assert not marker.exists()


# --------------------------------------------------------------------------- equivalence
def test_adam_from_toml_is_adam(tmp_path):
    mine, adam = load_rule(write(tmp_path, ADAM_TOML)), rule("adam")
    assert mine.program == adam.program
    assert mine.guard == adam.guard
    assert [(s.name, s.init) for s in mine.state] == [(s.name, s.init) for s in adam.state]
    assert [(h.name, h.default, h.interval) for h in mine.hyperparameters] == [
        (h.name, h.default, h.interval) for h in adam.hyperparameters
    ]
    assert anatomy(mine) == anatomy(adam)
    assert default_bound(mine).name == default_bound(adam).name
    for th in BOUNDS.values():
        if th.algorithm is not None:
            assert algorithm_mismatches(th.algorithm, anatomy(mine)) == algorithm_mismatches(
                th.algorithm, anatomy(adam)
            )
    params = {"alpha": 0.1, "beta1": 0.5, "beta2": 0.1, "eps": 1e-3}
    for seq, dom in (("reddi-thm1:C=3", "box:-1,1"), ("reddi-synthetic", "box:-2,2")):
        a = simulate(mine, seq, dom, steps=200, params=params, backend="reference")
        b = simulate(adam, seq, dom, steps=200, params=params, backend="reference")
        np.testing.assert_allclose(a.x, b.x, rtol=0, atol=1e-15)


def test_python_module_forms():
    by_hand = resolve(f"{MY_RULE}:ADAM_BY_HAND")
    assert by_hand.program == rule("adam").program
    clipped = resolve(f"{MY_RULE}:clipped_adam")
    assert clipped.name == "clipped-adam" and "c" in clipped.hyper_names
    with pytest.raises(UnknownNameError, match="ADAM_BY_HAND"):
        resolve(f"{MY_RULE}:ADAM_BY_HND")
    with pytest.raises(ParameterError, match="not an octk Rule"):
        resolve(f"{MY_RULE}:__doc__")
    with pytest.raises(ParameterError, match=r"calling define\(\) failed: TypeError"):
        resolve(f"{MY_RULE}:define")


def test_presets_and_options_belong_to_registry_rules():
    with pytest.raises(ParameterError, match="presets belong to registry rules"):
        resolve(str(YOGI), "torch")
    with pytest.raises(ParameterError, match="no builder options"):
        resolve(str(YOGI), options={"schedule": "sqrt"})
    with pytest.raises(UnknownNameError, match=r"PATH\.toml or PATH\.py:NAME"):
        resolve("yogii")


def test_yogi_from_the_file_is_the_registry_yogi_where_there_is_one():
    from octk.rules import SPECS

    if "yogi" not in SPECS:
        pytest.skip("no registry Yogi (the zoo of Adam fixes) in this octk")
    from dataclasses import replace

    mine, zoo = load_rule(YOGI), rule("yogi")
    assert mine.program == zoo.program and mine.guard == zoo.guard
    # the registry's m_0 = v_0 = acc0 (0 in the paper); the file writes the paper's 0
    assert zoo.defaults["acc0"] == 0.0 and [s.init for s in mine.state] == [0, 0]
    assert anatomy(mine) == replace(anatomy(zoo), v_init=0)


def test_yogi_reference_and_numba_agree():
    yogi = load_rule(YOGI)
    assert [s.name for s, _ in yogi.program] == ["m", "v", "delta", "x"]
    for seq, dom in (("reddi-thm1:C=3", "box:-1,1"), ("reddi-synthetic", "ball:1")):
        kw = dict(steps=300, d=2, params={"alpha": 0.1, "eps": 0.0}, seed=1)
        a = simulate(yogi, seq, dom, backend="reference", **kw)
        b = simulate(yogi, seq, dom, backend=get_backend("numba", parallel=False), **kw)
        np.testing.assert_allclose(a.x, b.x, rtol=0, atol=1e-12)
        assert np.all(np.isfinite(a.x))
    # the generated CUDA text, compiled for the host (g++): the CUDA printer takes sign()
    if shutil.which("g++") is not None:
        kw = dict(steps=100, d=2, params={"alpha": 0.1}, seed=1)
        a = simulate(yogi, "reddi-thm1:C=3", backend="reference", **kw)
        c = simulate(yogi, "reddi-thm1:C=3", backend="cuda-host", **kw)
        np.testing.assert_allclose(a.x, c.x, rtol=0, atol=1e-12)


# --------------------------------------------------------------------------- the commands
def test_run_and_check_take_a_rule_file():
    res = invoke("run", "--rule", YOGI, "--param", "alpha=0.1", "--sequence", "reddi-thm1:C=3",
                 "--steps", 50, "--backend", "reference", "--json")  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["rule"] == "yogi" and out["params"]["alpha"] == 0.1
    res = invoke("check", "--rule", YOGI, "--sequence", "reddi-thm1:C=3", "--steps", 50,
                 "--bound", "kb-thm4.1", "--backend", "reference")  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "Γ_t ⪰ 0" in res.output
    res = invoke("run", "--rule", YOGI, "--param", "schedule=sqrt", "--sequence",
                 "reddi-thm1:C=3", "--steps", 5)  # fmt: skip
    assert res.exit_code == 2 and "'schedule'" in res.output


def test_verify_a_rule_file():
    res = invoke("verify", "--rule", YOGI, "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    verdicts = {c["claim"]: c["verdict"] for c in out["claims"]}
    # Yogi's v moves down when g² < v: Γ_2 < 0 on g = (2, 1), refuted by an exact run
    assert verdicts == {"step.scale_invariance": "proved", "flawed.amsgrad": "refuted"}
    assert out["rule"]["name"] == "yogi" and set(out["any_rule"]) == set(verdicts)
    reasons = {c["claim"]: c["reason"] for c in out["not_applicable"]}
    assert "second moment ema (the rule has other)" in reasons["bias.v_unrolled"]
    res = invoke("verify", "--rule", YOGI, "--list", "--claim", "flawed.ogd")
    assert res.exit_code == 0 and "not applicable: about rules with first moment none" in res.output
    res = invoke("verify", "--param", "schedule=sqrt")
    assert res.exit_code == 2 and "give --rule" in res.output


def test_verify_selects_claims_by_structure_not_by_name():
    from dataclasses import replace

    import proofs
    from proofs.applies import verify_rule

    renamed = replace(rule("adam"), name="not-adam", title="Adam under another name")
    selected = proofs.claims("bias_correction") + proofs.claims("efficient_order")
    out = verify_rule(renamed, selected)
    got = {r.claim.name: r.outcome.verdict for r in out.results}
    # every claim whose paper rule is Adam's (Algorithm 1) applies, with its paper verdict
    for c in selected:
        if c.name in got:
            assert got[c.name] is c.expected, c.name
    assert set(got) >= {c.name for c in proofs.claims("bias_correction")}
    skipped = dict((c.name, why) for c, why in out.skipped)
    # the efficient order's ε̂ sits on √v, not √v̂: a claim about that form skips Algorithm 1
    assert "ε added to v" in skipped["order.hat_preset_form"]
    assert "rule 'not-adam'" in out.summary()


def test_every_registry_rule_round_trips_through_a_rule_file():
    import tomllib

    from octk.rules import SPECS
    from octk.rules.files import from_definition
    from octk.rules.serialize import to_toml

    rules = [rule(n, p) for n, spec in SPECS.items() for p in spec.presets]
    rules += [
        rule("adam", eps_mode="hat"),
        rule("amsgrad", max_over="vhat", eps_mode="inside"),
        rule("adam", beta1_schedule="decay", schedule="inverse"),
        load_rule(YOGI),
        resolve(f"{MY_RULE}:clipped_adam"),
    ]
    for r in rules:
        back = from_definition(tomllib.loads(to_toml(r)))
        assert back.program == r.program, r
        assert back.guard == r.guard, r
        assert back.hyperparameters == r.hyperparameters, r
        assert [(s.name, s.init) for s in back.state] == [(s.name, s.init) for s in r.state]


def test_a_saved_run_of_a_rule_file_loads_back(tmp_path):
    from dataclasses import replace

    import octk

    yogi = load_rule(YOGI)
    traj = simulate(yogi, "reddi-thm1:C=3", steps=20, params={"alpha": 0.1}, backend="reference")
    back = octk.load(traj.save(tmp_path / "yogi.nc"))
    assert back.rule.program == yogi.program and back.rule.name == "yogi"
    np.testing.assert_array_equal(back.x, traj.x)
    # a user's rule that shares a registry rule's name is saved with its own program
    named = replace(yogi, name="adam")
    traj = simulate(named, "reddi-thm1:C=3", steps=5, backend="reference")
    assert octk.load(traj.save(tmp_path / "named.nc")).rule.program == yogi.program


def test_the_readme_yogi_example_runs_as_written(monkeypatch):
    """The README's Yogi commands, as written, and the numbers it shows."""
    import re
    import shlex

    monkeypatch.chdir(ROOT)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [
        shlex.split(line.strip())[2:]
        for line in readme.splitlines()
        if line.strip().startswith("$ octk ") and "examples/rules/yogi.toml" in line
    ]
    assert [c[0] for c in commands] == ["run", "verify"]
    shown = re.search(r"R_T = (\S+)\s+R_T/T = (\S+)", readme)
    assert shown is not None
    for args in commands:
        res = CliRunner().invoke(main, args, catch_exceptions=False)
        assert res.exit_code == 0, res.output
        if args[0] == "run":
            assert f"R_T = {shown[1]}   R_T/T = {shown[2]}" in res.stdout, res.stdout
        else:
            assert "rule 'yogi': 2 claims apply (1 proved, 1 refuted)" in res.stdout
