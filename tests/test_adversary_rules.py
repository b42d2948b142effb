"""octk.adversary as a callable; any Rule object certified (program carried in the
certificate); interval semantics at switches; Krawczyk; double intervals; the
violation objective; the simplex."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
import sympy as sp

import octk
from octk.adversary import certificate as cm
from octk.adversary.krawczyk import krawczyk
from octk.adversary.limit import NotApplicable, limit_certificate, limit_program
from octk.adversary.serial import parse_srepr, rule_from_json, rule_to_json
from octk.backends import exact as ex
from octk.backends.dinterval import DInterval
from octk.errors import ParameterError
from octk.rules import Hyperparameter, Rule, State
from octk.rules.rule import hyper_symbol
from octk.symbols import g, t, x

ALPHA = Hyperparameter("alpha", 0.1, "step size", lo=0, lo_open=True)
BETA2 = Hyperparameter("beta2", 0.9, "second-moment decay", lo=0, hi=1)


def _v() -> sp.Symbol:
    return sp.Symbol("v", real=True)


def yogi_like() -> Rule:
    """Yogi's additive second moment (Zaheer et al. 2018, Alg. 2), β1 = 0, α/√t, v_0 = 1."""
    a, b2, v = hyper_symbol("alpha"), hyper_symbol("beta2"), _v()
    return Rule(
        name="my-yogi",
        title="Yogi (β1 = 0), hand-written",
        source="test",
        hyperparameters=(ALPHA, BETA2),
        state=(State("v", sp.Integer(1), "second moment"),),
        program=(
            (v, v - (1 - b2) * sp.sign(v - g**2) * g**2),
            (x, x - a / sp.sqrt(t) * g / sp.sqrt(v)),
        ),
    )


def clipped_like() -> Rule:
    """AdaBound-like: the step α g/√v clipped to [−1/(2√t), 1/(2√t)] with Min/Max."""
    a, b2, v = hyper_symbol("alpha"), hyper_symbol("beta2"), _v()
    cap = 1 / (2 * sp.sqrt(t))
    return Rule(
        name="my-clipped",
        title="clipped step",
        source="test",
        hyperparameters=(ALPHA, BETA2),
        state=(State("v", sp.Integer(1), "second moment"),),
        program=(
            (v, b2 * v + (1 - b2) * g**2),
            (x, x - sp.Max(-cap, sp.Min(cap, a * g / (sp.sqrt(t) * sp.sqrt(v))))),
        ),
    )


def piecewise_like() -> Rule:
    """RAdam-like: a Piecewise in t (plain gradient step while t ≤ 4, adaptive after)."""
    a, b2, v = hyper_symbol("alpha"), hyper_symbol("beta2"), _v()
    step = sp.Piecewise((a * g / sp.sqrt(v), t > 4), (a * g, True)) / sp.sqrt(t)
    return Rule(
        name="my-radam",
        title="warm-up branch",
        source="test",
        hyperparameters=(ALPHA, BETA2),
        state=(State("v", sp.Integer(1), "second moment"),),
        program=((v, b2 * v + (1 - b2) * g**2), (x, x - step)),
    )


def test_octk_adversary_is_callable_and_a_package():
    import octk.adversary.certificate as c2

    assert callable(octk.adversary) and c2 is cm
    assert octk.adversary.adversary is octk.adversary.result.adversary
    kw = dict(domain="box:-1,1", steps=3, family="periodic:p=1", bound=1, x0=0, budget=40)
    kw.update(params={"alpha": 0.5}, options={"schedule": "constant"}, backend="reference")
    a, b = octk.adversary("ogd", **kw), octk.adversary.adversary("ogd", **kw)
    assert a.value == b.value and a.sequence == b.sequence


def test_rule_round_trip_and_safe_reader():
    for name in octk.rule_names():
        r = octk.rule(name)
        back = rule_from_json(json.loads(json.dumps(rule_to_json(r))))
        assert (back.program, back.state, back.guard) == (r.program, r.state, r.guard)
    back = rule_from_json(rule_to_json(yogi_like()))
    assert back.program == yogi_like().program
    for bad in (
        "__import__('os').system('true')",
        "Symbol('x').evalf()",
        "Pow(Integer(10), Integer(10**9))",
    ):
        with pytest.raises(ParameterError):
            parse_srepr(bad)


@pytest.mark.parametrize("make", [yogi_like, clipped_like, piecewise_like])
def test_user_rules_certify_without_the_registry(make, tmp_path):
    """A Rule object (sign, Min/Max clipping, a Piecewise in t) is searched and certified;
    the certificate carries its program, so certify re-checks it with no registry entry,
    and a tampered claim is rejected."""
    rule = make()
    assert rule.name not in octk.rules.SPECS
    res = octk.adversary(
        rule, domain="box:-1,1", steps=8, family="periodic:p=2", bound=1, x0="free",
        objective="regret", budget=120, seed=0, backend="reference", out=tmp_path / "r.json",
    )  # fmt: skip
    cert = cm.load(res.certificate_file)
    assert cert["status"] == "certified" and cert["program"]["name"] == rule.name
    assert res.value >= cert["lower_bound_float"] - 1e-9
    assert res.value <= float(Fraction(cert["enclosure"][1])) + 1e-9
    ok, msg = cm.check(cert)
    assert ok, msg
    bad = json.loads(json.dumps(cert))
    bad["lower_bound"] = str(Fraction(cert["enclosure"][1]) + Fraction(1, 10**9))
    assert not cm.check(bad)[0]
    bad = json.loads(json.dumps(cert))  # the re-run reads the program in the file
    bad["program"]["program"][-1][1] = sp.srepr(x - (x - rule.program[-1][1]) / 2)
    with ex.arithmetic(cert["arithmetic"]):
        assert ex.upper(cm._enclose(bad)) != Fraction(cert["enclosure"][1])


def test_sign_max_piecewise_on_enclosures():
    u = sp.Symbol("u", real=True)
    across, right = ex.interval(Fraction(-1), Fraction(2)), ex.interval(Fraction(0), Fraction(2))
    s = ex.evaluate(sp.sign(u), {u: across})
    assert (ex.lower(s), ex.upper(s)) == (-1, 1)
    s = ex.evaluate(sp.sign(u), {u: right})
    assert (ex.lower(s), ex.upper(s)) == (0, 1)
    assert ex.evaluate(sp.sign(u), {u: Fraction(0)}) == 0
    pw = ex.evaluate(sp.Piecewise((u + 10, u > 1), (u, True)), {u: across})
    assert (ex.lower(pw), ex.upper(pw)) == (-1, 12)  # both branches may apply: their hull
    with pytest.raises(ex.NotDifferentiable):
        ex.evaluate(sp.sign(u), {u: across}, strict=True)
    with pytest.raises(ex.NotDifferentiable):
        ex.evaluate(sp.diff(sp.Max(u, 1 - u), u), {u: across}, strict=True)
    assert ex.evaluate(sp.diff(sp.Max(u, 1 - u), u), {u: Fraction(3)}, strict=True) == 1


def _rkk(rule="adam", table=(("3",), ("-1",), ("-1",)), **extra):
    r = octk.rule(rule, schedule="sqrt") if rule == "adam" else octk.rule(rule)
    cert = {
        "octk_certificate": 1, "rule": rule, "preset": "paper", "options": dict(r.options),
        "params": {"alpha": "1/10", "beta1": "0", "beta2": "1/10", "eps": "1/100000000"},
        "domain": "box:-1,1", "d": 1, "bound": {"norm": "inf", "value": "3"},
        "sequence": {"kind": "table", "G": "3", "wrap": True, "table": [list(r) for r in table]},
        "x0": ["1"], "objective": "rate", "steps": 60, "T0": 30,
    }  # fmt: skip
    cert.update(extra)
    return cert


def test_limit_tests_named_and_generic():
    """Adam's orbit is certified by Krawczyk (unique in Z), AMSGrad's by the self-map test
    (its running max sits on the switch: not differentiable); the program carried in the
    certificate gives the same rate as the registry rule; not-applicable cases say why."""
    part = limit_certificate(_rkk())
    assert part["tests"] == ["krawczyk"] and Fraction(part["rate"]) == Fraction(2, 3)
    carried = _rkk(program=rule_to_json(octk.rule("adam", schedule="sqrt")))
    assert limit_certificate(carried)["rate"] == part["rate"]
    ams = limit_certificate(_rkk("amsgrad"))
    assert ams["tests"] == ["self-map"] and "not differentiable" in ams["notes"][0]
    with pytest.raises(NotApplicable, match="1/√t"):
        params = {"alpha": Fraction(1, 10), "beta1": Fraction(0), "beta2": Fraction(1, 10)}
        limit_program(octk.rule("adam", schedule="constant"), {**params, "eps": Fraction(0)})
    with pytest.raises(NotApplicable, match="depends on t"):
        limit_certificate(_rkk("adamnc"))
    # a box away from the orbit: Krawczyk fails, and a stated test is re-checked
    lp = limit_program(octk.rule("adam", schedule="sqrt"), {k: Fraction(v) for k, v in
                       _rkk()["params"].items()})  # fmt: skip
    far = [(Fraction(-2), Fraction(-1)), (Fraction(5), Fraction(6))]
    assert krawczyk(lp, far, [Fraction(3), Fraction(-1), Fraction(-1)])["status"] == "failed"
    bad = dict(part, orbit=[[["-2", "-1"], ["5", "6"]]])
    from octk.adversary.limit import check_limit

    assert check_limit(_rkk(), bad)["status"] == "rejected"


def test_double_intervals_enclose_the_exact_run():
    exact = cm.certify(_rkk(steps=300, T0=150), max_exact=10**6)
    fast = cm.certify(_rkk(steps=300, T0=150), max_exact=10)
    assert (exact["arithmetic"], fast["arithmetic"]) == ("exact", "double")
    lo_e, hi_e = (Fraction(v) for v in exact["enclosure"])
    lo_f, hi_f = (Fraction(v) for v in fast["enclosure"])
    assert lo_f <= lo_e <= hi_e <= hi_f and hi_f - lo_f < Fraction(1, 10**9)
    assert cm.check(fast)[0]
    tampered = dict(fast, lower_bound=str(hi_f))
    assert not cm.check(tampered)[0]
    skipped = cm.certify(_rkk(steps=300, T0=150), max_steps=100)
    assert skipped["finite"] == "skipped" and skipped["status"] == "certified"  # the limit


def test_dinterval_contains_the_rational_results():
    vals = [Fraction(1, 3), Fraction(-7, 10), Fraction(2, 1), Fraction(10**20 + 1, 10**20)]
    for a in vals:
        A = DInterval.of(a)
        assert A.a <= a <= A.b
        for b in vals:
            B = DInterval.of(b)
            for op, got in ((a + b, A + B), (a - b, A - B), (a * b, A * B), (a / b, A / B)):
                assert got.a <= op <= got.b
    r = DInterval.of(Fraction(2)).sqrt()
    assert Fraction(r.a) ** 2 <= 2 <= Fraction(r.b) ** 2


def test_violation_objective_is_certified(tmp_path):
    """violation:zinkevich-ogd against OGD: the margin max_t (R_t − B_t) found by the
    search equals the certified enclosure's; a raised claim or another t* is rejected."""
    res = octk.adversary(
        "ogd", domain="box:-1,1", d=1, steps=6, family="free", bound=1, x0="free",
        objective="violation:zinkevich-ogd", budget=200, seed=0, backend="reference",
        params={"alpha": 0.25}, options={"schedule": "constant"}, out=tmp_path / "v.json",
    )  # fmt: skip
    cert = cm.load(res.certificate_file)
    assert cert["status"] == "certified" and 1 <= cert["at"] <= 6
    lo, hi = (float(Fraction(v)) for v in cert["enclosure"])
    assert lo - 1e-9 <= res.value <= hi + 1e-9
    assert res.value < 0  # Zinkevich's bound holds for OGD: the margin is negative
    assert cm.check(cert)[0]
    bad = dict(cert, lower_bound=str(Fraction(cert["enclosure"][1]) + Fraction(1, 10**6)))
    assert not cm.check(bad)[0]
    with pytest.raises(octk.UnknownNameError):
        octk.adversary("ogd", steps=3, bound=1, objective="violation:no-such-bound")


def test_simplex_certificates():
    """The simplex: free first iterates, exact sort-based projection in the re-run."""
    res = octk.adversary(
        "ogd", domain="simplex:1;projection=euclidean", d=3, steps=5, family="free",
        bound=1, x0="free", objective="regret", budget=150, seed=0, backend="reference",
        params={"alpha": 0.5}, options={"schedule": "constant"},
    )  # fmt: skip
    c = res.certificate
    assert c["status"] == "certified" and c["exact"]
    assert float(Fraction(c["lower_bound"])) == pytest.approx(res.value, rel=1e-12)
    assert sum(Fraction(v) for v in c["x0"]) == 1
    assert cm.check(c)[0]
    y = [Fraction(1), Fraction(1, 2), Fraction(-3)]
    assert ex.project_simplex(y, Fraction(1)) == [Fraction(3, 4), Fraction(1, 4), Fraction(0)]


@pytest.mark.parametrize("make", [clipped_like, piecewise_like])
def test_limit_rate_of_user_rules(make):
    """The limit program is derived from any program: a clipped step (√t reaches the
    Max/Min arguments) and a Piecewise in t (decided for large t) both give RKK's 2/3 on
    C x, −x, −x, their orbits shown unique by Krawczyk."""
    cert = _rkk(program=rule_to_json(make()))
    cert["params"] = {"alpha": "1/10", "beta2": "1/10"}
    part = limit_certificate(cert)
    assert part["status"] == "certified" and part["tests"] == ["krawczyk"]
    assert Fraction(part["rate"]) == Fraction(2, 3)


def test_a_power_with_a_hyperparameter_exponent_is_enclosed():
    """Padam's v^p and NAdam's λ^ψ: a power whose exponent is a hyperparameter is enclosed
    (exp(n log a), rounded outward) once the hyperparameter's exact value is known."""
    v, p = sp.symbols("v p", positive=True)
    f = ex.compile_expr(v ** (-p))
    enc = f({v: Fraction(9, 10), p: Fraction(1, 8)})
    lo, hi = (float(e) for e in ex.bounds(enc))
    assert lo <= hi and hi - lo < 1e-15 and abs(lo - 0.9**-0.125) < 1e-15
    zero = ex.power(ex.interval(Fraction(0), Fraction(1, 4)), Fraction(1, 8))
    assert float(ex.bounds(zero)[0]) == 0 and float(ex.bounds(zero)[1]) >= 0.25**0.125
    with pytest.raises(ex.Undecided):
        ex.power(ex.interval(Fraction(-1), Fraction(1)), Fraction(1, 3))


def test_gamma_of_a_clipped_rule_is_decided_or_undecided_never_an_error():
    """AMSBound's W = 1/η is a clip of α/√v, undefined at v = 0 (SymPy's zoo inside Min):
    the Γ_t search skips those steps instead of failing."""
    from octk.rules import rule
    from proofs.flawed_step import gamma_nonnegative

    assert gamma_nonnegative(rule("amsbound")).verdict.value in ("proved", "refuted", "undecided")
