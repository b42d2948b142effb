"""Theorems written once (octk/theorems), rules read in one place (octk/rules/anatomy.py),
and bounds that say when they are vacuous.

* the lambdified terms reproduce the old hand-written NumPy right-hand sides
  (``tests/data/bounds_golden.json``, recorded before they were removed) to 1e-12;
* a walk over ``octk/`` finds no second transcription of a theorem;
* hypotheses are structural: a user's rule with Adam's program gets K&B's theorem,
  a program that differs is reported with what differs;
* multi-dimensional runs on a non-cubic box, where D ≠ D∞ and G ≠ G∞, tell the
  diameters apart (a swap fails these tests);
* vacuity: the trivial bound min(Σ_i w_i Σ_t|g_{t,i}|, T·G·D) is above every run's regret,
  a bound at or above it is flagged "vacuous" in the table, the verdict, the JSON and the search.
"""

from __future__ import annotations

import ast
import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import octk
from octk.bounds import (
    BOUNDS,
    bound_monitors,
    check,
    default_bound,
    evaluate,
    search,
    trivial_bound,
)
from octk.monitors import running_sum
from octk.regret import regret
from octk.rules import rule
from octk.rules.adaptive import adaptive
from octk.rules.anatomy import anatomy
from octk.simulate import simulate
from octk.theorems import THEOREMS, Theorem, text

ROOT = Path(octk.__file__).parent
GOLDEN = Path(__file__).parent / "data" / "bounds_golden.json"
REF = "reference"
BOX3 = "box:-1,1;0,0.5;-3,1"  # D = √(4 + 0.25 + 16) = 4.5, D∞ = 4, Σ_i w_i = 6.5


# --------------------------------------------------------------------------- golden
@pytest.mark.slow  # the golden comparison on five recorded runs
def test_lambdified_terms_equal_the_old_numpy_right_hand_sides():
    data = json.loads(GOLDEN.read_text())
    runs: dict = {}
    compared = 0
    for key, e in data.items():
        label = key.split("/")[0]
        if label not in runs:
            r = rule(e["rule"], **e["options"])
            p = {k: np.asarray(v, dtype=np.float64) for k, v in e["params"].items()}
            traj = simulate(r, e["sequence"], e["domain"], steps=300, d=e["d"], params=p,
                            x0=0.0, seed=7, monitors=bound_monitors(r), backend=REF)  # fmt: skip
            runs[label] = (traj, regret(traj))
        traj, reg = runs[label]
        res = evaluate(traj, e["bound"], reg=reg, lam=e["lam_option"], constants=e["constants"])
        old_terms = [np.asarray(v, dtype=np.float64) for v in e["terms"]]
        pairs = [(res.rhs, np.asarray(e["rhs"], dtype=np.float64))]
        pairs += list(zip(res.terms.values(), old_terms, strict=True))
        for new, old in pairs:
            assert np.array_equal(np.isnan(new), np.isnan(old)), key
            assert np.array_equal(np.isinf(new), np.isinf(old)), key
            fin = np.isfinite(old)
            np.testing.assert_allclose(new[fin], old[fin], rtol=1e-12, atol=0, err_msg=key)
            compared += int(fin.sum())
        assert res.first_violation.tolist() == e["first_violation"], key
        lam = [None if np.isnan(v) else float(v) for v in res.lam]
        assert lam == e["lam"], key
    assert len(data) == 40 and compared > 10_000


# --------------------------------------------------------------------------- written once
def _strings(tree):
    """Every string constant of a module that is not a docstring."""
    docs = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docs.add(id(body[0].value))
    return [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs
    ]


#: what only a right-hand side's transcription contains
_RHS_PIECES = ("Σ_i ‖g", "Σ_i‖g", "v̂_{T,i}", "Σ_t Σ_i", "√(T v̂")


def test_no_second_transcription_of_a_theorem():
    modules = sorted(ROOT.rglob("*.py"))
    assert len(modules) > 30
    for path in modules:
        tree = ast.parse(path.read_text())
        rel = path.relative_to(ROOT).as_posix()
        # a hand-typed statement: "≤" with a right-hand side's sums, outside docstrings
        for s in _strings(tree):
            if "≤" in s and any(p in s for p in _RHS_PIECES):
                raise AssertionError(f"{rel}: a hand-typed statement {s!r}")
        # NumPy right-hand sides: no _rhs_* evaluator anywhere
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                assert not node.name.lstrip("_").startswith("rhs_"), (rel, node.name)
        if rel.startswith("theorems/") and rel != "theorems/theorem.py":
            # the paper files are data: no NumPy, no evaluators (lambdas) of their own
            imports = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
            imports += [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
            assert not any(m and m.split(".")[0] == "numpy" for m in imports), rel
            assert not any(isinstance(n, ast.Lambda) for n in ast.walk(tree)), rel
    # the proofs read the same Theorem objects: their own copies are gone
    proofs = Path(__file__).parents[1] / "proofs"
    for path in proofs.glob("*.py"):
        names = {
            n.name for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.FunctionDef)
        }
        assert not names & {"theorem_terms", "theorem4_terms"}, path


def test_every_bound_is_a_theorem_evaluated_from_its_terms():
    assert set(BOUNDS) == {
        "kb-thm4.1", "kb-thm4.1-lemma-stated", "kb-cor4.2", "rkk-thm4", "rkk-thm4-submitted",
        "rkk-cor1", "rkk-cor1-careful", "rkk-cor2", "duchi-adagrad", "duchi-adagrad-dinf",
        "zinkevich-ogd",
    }  # fmt: skip
    for th in BOUNDS.values():
        assert isinstance(th, Theorem) and "evaluate" not in vars(th)
        assert all(isinstance(k.expr, sp.Basic) for k in th.terms_)
        # the statement, the LaTeX and the docstring are printed from the terms
        for k in th.terms_:
            assert text(k.expr) in th.statement and text(k.expr) in th.__doc__
        assert th.latex() in th.__doc__
    # changing a term changes the statement and the numbers together
    zk = THEOREMS["zinkevich-ogd"]
    bigger = replace(zk, terms_=(replace(zk.terms_[0], expr=2 * zk.terms_[0].expr), zk.terms_[1]))
    assert bigger.statement != zk.statement
    vals = {s: 1.0 for s in zk.symbols}
    a, b = zk.evaluate(vals, (1, 1)), bigger.evaluate(vals, (1, 1))
    first = zk.terms[0]
    assert b[first][0, 0] == pytest.approx(2 * a[first][0, 0])
    # octk's own bounds say so
    assert THEOREMS["rkk-cor2"].derived and not THEOREMS["rkk-cor2"].verified
    assert THEOREMS["rkk-cor1-careful"].derived


def test_the_proofs_check_the_terms_octk_check_evaluates():
    from proofs import amsgrad_bound, theorem_4_1

    s1, s2, s3 = THEOREMS["kb-thm4.1"].per_coordinate().values()
    assert s1 == theorem_4_1.D**2 * sp.sqrt(theorem_4_1.T) * sp.sqrt(theorem_4_1.vhat_T) / (
        2 * theorem_4_1.alpha * (1 - theorem_4_1.beta1)
    )
    assert theorem_4_1.Dinf in s3.free_symbols and theorem_4_1.G in s2.free_symbols
    assert amsgrad_bound.CAREFUL.has(amsgrad_bound.d)
    ratio = sp.simplify(amsgrad_bound.CAREFUL / amsgrad_bound.PRINTED)
    assert ratio == amsgrad_bound.d / amsgrad_bound.alpha


# --------------------------------------------------------------------------- structure
def _my_adam(**kw):
    args = dict(
        name="my-adam", title="my Adam", source="me", schedule="sqrt",
        defaults={"alpha": 0.1, "beta1": 0.0, "beta2": 0.1, "eps": 0.0},
    )  # fmt: skip
    args.update(kw)
    return adaptive(**args)


@pytest.mark.slow  # K&B 4.1 checked on two rules
def test_a_users_rule_with_adams_program_gets_kb_theorem_4_1():
    mine = _my_adam()
    by_hand = replace(rule("adam", schedule="sqrt"), name="hand-made", options={}, title="mine")
    for r in (mine, by_hand):
        assert anatomy(r) == anatomy(rule("adam", schedule="sqrt"))
        assert default_bound(r).name == "kb-thm4.1"
        res = check(r, "reddi-thm1:C=3", steps=2000, backend=REF,
                    params={"alpha": 0.1, "beta1": 0.0, "beta2": 0.1, "eps": 0.0})  # fmt: skip
        assert res.hypotheses_hold(0), res.failing(0)
        assert int(res.first_violation[0]) == 1377
    # without bias correction of m̂ the program is another algorithm, and says why
    nobc = _my_adam(bias_correction_m=False)
    assert default_bound(nobc).name == "kb-thm4.1"  # the nearest: same moments
    res = check(nobc, "reddi-thm1:C=3", steps=50, backend=REF)
    bad = {k.name: k.detail for k in res.failing(0)}
    assert "m̂ without a bias correction" in bad["algorithm: Adam, K&B Algorithm 1"]
    # a running max makes it AMSGrad's family; RKK's algorithm without bias corrections
    ams = _my_adam(amsgrad="v", bias_correction_m=False, bias_correction_v=False)
    assert anatomy(ams).second_moment == "max(ema)" and default_bound(ams).name == "rkk-thm4"
    # a constant step is read from the program, not from an option name
    const = replace(rule("adam"), options={"schedule": "sqrt"})  # a lying option
    res = check(const, "reddi-thm1", steps=50, backend=REF, params={"beta1": 0.0, "eps": 0.0})
    assert [k.name for k in res.failing(0)] == ["step size α_t = α/√t"]


def test_anatomy_reads_the_catalog():
    a = anatomy(rule("adam", eps_mode="hat", schedule="sqrt"))  # K&B's efficient order
    assert a.family == ("ema", "ema") and a.m_bias_corrected and a.v_bias_corrected
    assert text(a.alpha_t) == "α/√t" and text(a.vhat) == "v/(1 − β2^t)"
    assert anatomy(rule("amsgrad", preset="torch")).second_moment == "max(ema)"
    assert anatomy(rule("amsgrad", preset="optax")).second_moment == "max(ema, corrected)"
    assert anatomy(rule("adamnc")).second_moment == "mean"
    assert anatomy(rule("adagrad", preset="optax")).eps == "inside"
    assert anatomy(rule("adagrad")).eps == "outside" and anatomy(rule("adagrad")).v_init != 0
    assert anatomy(rule("ogd")).family == ("none", "none")
    assert anatomy(rule("adamax")).vhat is None  # u_t is not under a square root
    assert rule("adam").effective_step() == octk.rules.anatomy.effective_step(rule("adam"))


# --------------------------------------------------------------------------- D ≠ D∞
def test_multidimensional_bounds_use_each_diameter_where_the_theorem_does():
    """On a non-cubic box D = 4.5 ≠ D∞ = 4, so swapping them in any term changes it."""
    r = rule("adam", schedule="sqrt", beta1_schedule="decay")
    p = {"alpha": 0.3, "beta1": 0.9, "beta2": 0.999, "eps": 0.0, "lam": 0.99}
    traj = simulate(r, "uniform", BOX3, steps=400, d=3, params=p, seed=2,
                    monitors=bound_monitors(r), backend=REF)  # fmt: skip
    reg = regret(traj)
    D, Dinf, Ginf, d, a, b1, b2, lam = 4.5, 4.0, 1.0, 3, 0.3, 0.9, 0.999, 0.99
    T = traj.t.astype(float)
    mon = traj.monitors
    sqrt_v = np.sqrt(mon["vhat_T"][0]).sum(axis=1)
    S = np.sqrt(mon["sum_g2"][0]).sum(axis=1)
    kb = evaluate(traj, "kb-thm4.1", reg=reg)
    assert kb.hypotheses_hold(0), kb.failing(0)
    first = D**2 / (2 * a * (1 - b1)) * np.sqrt(T) * sqrt_v
    np.testing.assert_allclose(kb.terms["D²√(Tv̂) term"][0], first, rtol=1e-12)
    third = d * Dinf**2 * Ginf * math.sqrt(1 - b2) / (2 * a * (1 - b1) * (1 - lam) ** 2)
    np.testing.assert_allclose(kb.terms["λ term"][0], third, rtol=1e-12)
    gam = b1**2 / math.sqrt(b2)
    second = a * (1 + b1) * Ginf / ((1 - b1) * math.sqrt(1 - b2) * (1 - gam) ** 2) * S
    np.testing.assert_allclose(kb.terms["Σ‖g‖ term"][0], second, rtol=1e-12)
    assert abs(D**2 - Dinf**2) > 0.2 * Dinf**2  # a swap would be off by 27%
    # RKK's first term is D∞², Zinkevich's D² with G = √d G∞
    ams = rule("amsgrad")
    traj = simulate(ams, "uniform", BOX3, steps=400, d=3, params={"alpha": 0.3}, seed=2,
                    monitors=bound_monitors(ams), backend=REF)  # fmt: skip
    rk = evaluate(traj, "rkk-thm4")
    sv = np.sqrt(traj.monitors["vhat_T"][0]).sum(axis=1)
    first = Dinf**2 * np.sqrt(T) / (a * (1 - 0.9)) * sv
    np.testing.assert_allclose(rk.terms["√T Σv̂^½ term"][0], first, rtol=1e-12)
    ogd = rule("ogd")
    traj = simulate(ogd, "uniform", BOX3, steps=400, d=3, params={"alpha": 0.3}, seed=2,
                    monitors=bound_monitors(ogd), backend=REF)  # fmt: skip
    zk = evaluate(traj, "zinkevich-ogd")
    G2 = d * Ginf**2  # G = √d G∞ declared
    np.testing.assert_allclose(zk.terms["D²√T/(2α) term"][0], D**2 * np.sqrt(T) / (2 * a))
    np.testing.assert_allclose(zk.terms["α(√T−½)G² term"][0], a * (np.sqrt(T) - 0.5) * G2)


# --------------------------------------------------------------------------- vacuity
@pytest.mark.slow  # a bound check per rule
@pytest.mark.parametrize(
    ("name", "domain", "seq"),
    [("adam", BOX3, "uniform"), ("ogd", "ball:2", "uniform"), ("amsgrad", BOX3, "sparse:p=0.2"),
     ("adagrad", "box:-1,1", "reddi-thm1:C=3")],
)  # fmt: skip
def test_the_trivial_bound_is_above_every_regret(name, domain, seq):
    d = 1 if seq.startswith("reddi") else 3
    for const in ("declared", "observed"):
        res = check(name, seq, domain, steps=500, d=d, backend=REF, constants=const,
                    params={"alpha": np.array([0.01, 0.3, 3.0])}, bound=None,
                    every_step=False)  # fmt: skip
        assert np.all(res.regret <= res.trivial * (1 + 1e-12)), (name, const)
        # never a violation where the bound is vacuous
        assert not np.any(res.vacuous & (res.regret > res.rhs))


def test_trivial_bound_formula_box_and_ball():
    w = np.array([2.0, 0.5, 4.0])  # BOX3's widths
    A = np.array([[[1.0, 2.0, 0.0]]])  # Σ_t |g_{t,i}| at one checkpoint
    assert trivial_bound(w, A, 10, np.array([[1.0]]), np.array([[4.5]]))[0, 0] == 3.0
    assert trivial_bound(w, A, 1, np.array([[0.5]]), np.array([[4.5]]))[0, 0] == 2.25  # G·D·T
    assert trivial_bound(np.array([np.inf]), np.zeros((1, 1, 1)), 1, 1.0, np.inf)[0, 0] == 0
    widths = {"ball:2": np.full(3, 4.0), BOX3: w, "box:-1,1": np.array([2.0])}
    for dom, d in (("ball:2", 3), (BOX3, 3), ("box:-1,1", 1)):
        res = check("ogd", "uniform", dom, steps=20, d=d, backend=REF, every_step=False)
        traj = simulate("ogd", "uniform", dom, steps=20, d=d, backend=REF,
                        monitors=[running_sum("abs_g", "abs(g)")])  # fmt: skip
        per = (widths[dom] * traj.monitors["abs_g"][0]).sum(axis=-1)
        G, D = res.constants["G (used)"][0], res.domain.diameter(d)[0]
        np.testing.assert_allclose(res.trivial[0], np.minimum(per, res.t * G * D), rtol=1e-14)
        # at most the worst case T·G∞·Σ_i w_i over sequences with |g_{t,i}| ≤ G∞
        Ginf = res.constants["G∞ (used)"][0]
        assert np.all(res.trivial[0] <= res.t * Ginf * widths[dom].sum() * (1 + 1e-14))
        if dom == "ball:2":  # Σ_i w_i = 12 > √3·4: the ℓ2 form decides
            assert np.any(res.t * G * D < per)


@pytest.mark.slow  # a bound check (the every-step scan)
def test_a_bound_that_cannot_fail_says_holds_vacuous():
    # Zinkevich at α = 0.001: D²√T/(2α) = 2000√T ≥ 2T·G∞ ≥ Σ_t |g_t|·w for every T ≤ 10⁶
    res = check("ogd", "reddi-thm1:C=3", steps=3000, params={"alpha": np.array([0.001, 1.0])},
                backend=REF)  # fmt: skip
    assert res.vacuous_everywhere(0) and not res.vacuous_everywhere(1)
    assert "holds (vacuous) up to T = 3,000" in res.verdict(0)
    assert "holds (vacuous)" not in res.verdict(1)
    assert "vacuous" in res.table(0) and "trivial" in res.table(0)
    d = res.to_dict(0)["configs"][0]
    assert d["vacuous"] and d["vacuous_checkpoints"] == len(res.t)
    assert all(d["checkpoints"]["vacuous"]) and d["max_tightness"] < 1e-2
    s = search("ogd", "reddi-thm1:C=3", grid={"alpha": [0.001, 1.0]}, steps=3000, backend=REF)
    assert s.cell(alpha=0.001)["vacuous"] and not s.cell(alpha=1.0)["vacuous"]
    assert "holds to T = 3,000 (vacuous)" in s.table()
    assert json.loads(json.dumps(s.to_dict()))["cells"][0]["vacuous"] is True


def test_the_readme_violation_is_not_vacuous():
    res = check(rule("adam", schedule="sqrt"), "reddi-thm1:C=3", steps=2000, backend=REF,
                params={"alpha": 0.1, "beta1": 0.0, "beta2": 0.1, "eps": 0.0})  # fmt: skip
    k = int(np.searchsorted(res.t, 1000))
    assert res.vacuous[0, 0] and not res.vacuous[0, k]  # 117.87 ≥ 6 at T = 1; not at 1000
    assert res.tightness[0, -1] == pytest.approx(res.regret[0, -1] / res.rhs[0, -1])


def test_a_rule_written_from_scratch_is_read_by_its_structure():
    """Adam's program with other names (no ``m``, ``mhat``, ``vhat``): the same anatomy,
    the same K&B verdicts and numbers, Γ read through its own bias-corrected moment."""
    from octk.rules.adaptive import alpha, beta1, beta2, eps
    from octk.rules.rule import Rule, State, guarded_step
    from octk.symbols import g, t, x

    mom, sec, mh = (sp.Symbol(n, real=True) for n in ("mom", "sec", "mom_hat"))
    paper = rule("adam", schedule="sqrt")
    den = sp.sqrt(sec / (1 - beta2**t)) + eps
    mine = Rule(
        name="scratch",
        title="written by hand",
        source="a user",
        hyperparameters=paper.hyperparameters,
        state=(State("mom", sp.Integer(0), "first"), State("sec", sp.Integer(0), "second")),
        program=(
            (mom, beta1 * mom + (1 - beta1) * g),
            (sec, beta2 * sec + (1 - beta2) * g**2),
            (mh, mom / (1 - beta1**t)),
            (sp.Symbol("delta", real=True), guarded_step(alpha / sp.sqrt(t) * mh / den, den > 0)),
            (x, x - sp.Symbol("delta", real=True)),
        ),
    )
    a = anatomy(mine)
    assert a.family == ("ema", "ema") and a.m_bias_corrected and a.v_bias_corrected
    assert mine.first_moment_symbol() == mh
    p = {"alpha": 0.1, "beta1": 0.0, "beta2": 0.1, "eps": 0.0}
    ours = check(mine, "reddi-thm1:C=3", steps=2000, backend=REF, params=p)
    theirs = check(paper, "reddi-thm1:C=3", steps=2000, backend=REF, params=p)
    assert default_bound(mine).name == "kb-thm4.1" and ours.hypotheses_hold(0)
    assert int(ours.first_violation[0]) == 1377
    np.testing.assert_allclose(ours.rhs, theirs.rhs, rtol=1e-12)
    assert ours.gamma["count"][0] == theirs.gamma["count"][0] > 0
