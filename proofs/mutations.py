r"""Perturbations of a rule, for the tests that show a proof can fail.

Each mutation rewrites the rule's program (``xreplace`` on its expressions), so
whatever a claim reads from the rule -- its transition, its temporaries, its
step -- changes with it. The mutated rule keeps its name with a suffix, so a
verdict on it is never mistaken for one on the paper's rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import sympy as sp

from octk.rules.adaptive import beta1, beta2, eps
from octk.rules.rule import Rule
from octk.symbols import g, t


def rewrite(
    rule: Rule, label: str, mapping: Mapping, *, targets: tuple[str, ...] | None = None
) -> Rule:
    """``rule`` with ``mapping`` applied (simultaneously) to the expressions assigned to
    ``targets`` (all by default); raises ValueError if nothing changed."""
    program = []
    changed = False
    for target, expr in rule.program:
        new = expr
        if targets is None or target.name in targets:
            new = expr.xreplace(dict(mapping))
        changed |= new != expr
        program.append((target, new))
    if not changed:
        raise ValueError(f"mutation {label!r} does not apply to {rule!r}")
    return replace(rule, name=f"{rule.name}~{label}", program=tuple(program))


def drop_bias_correction(rule: Rule) -> Rule:
    """Remove both bias corrections: 1/(1 − β^t) → 1."""
    return rewrite(rule, "no-bias-correction", {1 - beta1**t: 1, 1 - beta2**t: 1})


def drop_bias_correction_v(rule: Rule) -> Rule:
    """Remove the second moment's bias correction only."""
    return rewrite(rule, "no-bias-correction-v", {1 - beta2**t: 1})


def _needs(rule: Rule, label: str, *names: str) -> None:
    """A mutation that writes these hyperparameters applies only to a rule that has them
    (else the mutant would read a symbol the rule does not define)."""
    missing = [n for n in names if n not in rule.hyper_names]
    if missing:
        raise ValueError(f"mutation {label!r} does not apply to {rule!r}: no {missing[0]}")


def swap_betas(rule: Rule) -> Rule:
    """Exchange β1 and β2 everywhere."""
    _needs(rule, "swap-betas", "beta1", "beta2")
    return rewrite(rule, "swap-betas", {beta1: beta2, beta2: beta1})


def one_minus_beta2_to_beta1(rule: Rule) -> Rule:
    """In the second moment's update, replace (1 − β2) by (1 − β1)."""
    _needs(rule, "1-beta1-in-v", "beta1", "beta2")
    return rewrite(rule, "1-beta1-in-v", {1 - beta2: 1 - beta1}, targets=("v",))


def max_to_current(rule: Rule) -> Rule:
    """AMSGrad without its max: the running maximum becomes the current value."""

    running = {s.name for s in rule.state}
    mapping = {}
    for target, expr in rule.program:
        for m in expr.atoms(sp.Max):
            # the argument that does not read the maximum's own previous value
            fresh = [a for a in m.args if target.name not in {s.name for s in a.free_symbols}]
            if len(fresh) == 1 and target.name in running:
                mapping[m] = fresh[0]
    return rewrite(rule, "no-max", mapping)


def move_eps(rule: Rule) -> Rule:
    """Move ε across the square root: √v + ε ↔ √(v + ε)."""
    mapping = {}
    for _target, expr in rule.program:
        for a in expr.atoms(sp.Add):
            terms = a.args
            if eps in terms and len(terms) == 2:
                other = next(x for x in terms if x != eps)
                if isinstance(other, sp.Pow) and other.exp == sp.Rational(1, 2):
                    mapping[a] = sp.sqrt(other.base + eps)
        for p in expr.atoms(sp.Pow):
            if p.exp == sp.Rational(1, 2) and isinstance(p.base, sp.Add) and eps in p.base.args:
                mapping[p] = sp.sqrt(p.base - eps) + eps
    return rewrite(rule, "moved-eps", mapping)


def scale_step(rule: Rule, factor) -> Rule:
    """Multiply the step by a constant factor (e.g. 2): x̂ = x − factor·Δ."""
    program = []
    for target, expr in rule.program:
        if target.name == "delta":
            expr = sp.sympify(factor) * expr
        program.append((target, expr))
    return replace(rule, name=f"{rule.name}~step*{factor}", program=tuple(program))


def abs_for_square(rule: Rule) -> Rule:
    """The second moment of |g| instead of g²: g² → |g| in the update of v."""
    return rewrite(rule, "abs-for-square", {g**2: sp.Abs(g)}, targets=("v",))


def flip_update(rule: Rule) -> Rule:
    """The iterate moves the other way: x̂ = x − δ becomes x̂ = x + δ."""
    delta = sp.Symbol("delta", real=True)
    return rewrite(rule, "x+delta", {-delta: delta}, targets=("x",))


def mean_weight_shift(rule: Rule) -> Rule:
    """AdamNC's running mean with a shifted weight: g²/t → g²/(t+1) in the update of v
    (the weight of the previous v, 1 − 1/t, is kept)."""
    return rewrite(rule, "g^2/(t+1)", {g**2 / t: g**2 / (t + 1)}, targets=("v",))


def drop_sqrt(rule: Rule) -> Rule:
    """The step divides by the second moment itself, not its square root: √s → s in δ."""
    mapping = {}
    for target, expr in rule.program:
        if target.name == "delta":
            for p in expr.atoms(sp.Pow):
                if abs(p.exp) == sp.Rational(1, 2) and p.base != t:
                    mapping[p] = p.base ** sp.sign(p.exp)
    return rewrite(rule, "drop-sqrt", mapping, targets=("delta",))


def max_to_min(rule: Rule) -> Rule:
    """Every maximum of the program becomes a minimum (AMSGrad's running max, AdaMax's u)."""
    mapping = {}
    for _target, expr in rule.program:
        for m in expr.atoms(sp.Max):
            mapping[m] = sp.Min(*m.args)
    return rewrite(rule, "max->min", mapping)


def shift_schedule(rule: Rule) -> Rule:
    """The step-size schedule shifted by one: α/√t → α/√(t+1) in δ."""
    half = sp.Rational(1, 2)
    mapping = {t**half: (t + 1) ** half, t**-half: (t + 1) ** -half}
    return rewrite(rule, "alpha/sqrt(t+1)", mapping, targets=("delta",))


MUTATIONS = {
    "drop-bias-correction": drop_bias_correction,
    "drop-bias-correction-v": drop_bias_correction_v,
    "swap-betas": swap_betas,
    "1-beta2->1-beta1": one_minus_beta2_to_beta1,
    "max->current": max_to_current,
    "move-eps": move_eps,
}

#: further perturbations used by the K&B families (bias correction, efficient order,
#: step bounds, limits); kept apart so that a test walking MUTATIONS is unchanged
EXTRA_MUTATIONS = {
    "g^2->|g|": abs_for_square,
    "step*2": lambda rule: scale_step(rule, 2),
}

ALL_MUTATIONS = {**MUTATIONS, **EXTRA_MUTATIONS}


def oscillating_step(rule: Rule) -> Rule:
    """The step multiplied by (3 + (−1)^t)/4 (1/2 at odd t, 1 at even t): the effective step
    is no longer non-increasing, whatever the second moment does."""
    out = scale_step(rule, (3 + (-1) ** t) / 4)
    return replace(out, name=f"{rule.name}~oscillating-step")


def forget_v(rule: Rule) -> Rule:
    """A leaky second moment: the previous v enters its own update halved (AdaGrad's sum
    v + g² becomes v/2 + g²)."""
    v = sp.Symbol("v", real=True)
    return rewrite(rule, "forget-v", {v: v / 2}, targets=("v",))


#: perturbations of the step-size schedule and of the accumulator, used by the families
#: on Γ_t and the regret bounds (theorem_4_1, flawed_step, rkk_counterexample,
#: amsgrad_bound) for rules the mutations above do not touch (AdaGrad, OGD)
SCHEDULE_MUTATIONS = {
    "oscillating-step": oscillating_step,
    "forget-v": forget_v,
}

#: the perturbations of issue 8: the direction of the update, AdamNC's running mean, the
#: square root, the maximum, and the schedule's offset
PROGRAM_MUTATIONS = {
    "x+delta": flip_update,
    "g^2/(t+1)": mean_weight_shift,
    "drop-sqrt": drop_sqrt,
    "max->min": max_to_min,
    "alpha/sqrt(t+1)": shift_schedule,
}

#: every mutation, by name: what the claims' ``detects`` and ``survives`` name, and the
#: columns of ``python -m proofs.mutation_table`` (ALL_MUTATIONS above is the K&B
#: families' set, kept for the notebooks' tables)
EVERY_MUTATION = {**MUTATIONS, **EXTRA_MUTATIONS, **SCHEDULE_MUTATIONS, **PROGRAM_MUTATIONS}
