r"""Symbolic verification of the papers' derivations, on octk's own rules.

Each module of this package is one *family* of claims (bias correction, the
step bounds, the terms of K&B's Theorem 4.1, ...) and exposes ``CLAIMS``, a
tuple of :class:`~proofs.claim.Claim`. A claim reads the SymPy program of an
octk rule (:meth:`octk.rules.Rule.assignments`), so changing a rule changes
what is checked; :mod:`proofs.mutations` perturbs rules to show that every
proof can fail.

>>> from proofs import run
>>> [r.outcome.verdict.value for r in run("bias.v_unrolled")]
['proved']

``octk verify`` runs every claim and prints the table.
"""

from __future__ import annotations

import fnmatch
import importlib

from proofs.claim import Claim, Outcome, Result, Step, Verdict

#: the claim families, in the order ``octk verify`` shows them
FAMILIES = (
    "bias_correction",
    "efficient_order",
    "step_bounds",
    "limits",
    "theorem_4_1",
    "flawed_step",
    "rkk_counterexample",
    "amsgrad_bound",
)


def claims(pattern: str | None = None) -> list[Claim]:
    """Every claim (of the families that exist), or those whose name or family matches
    the glob ``pattern`` (a bare word matches as a substring)."""
    out: list[Claim] = []
    for fam in FAMILIES:
        try:
            mod = importlib.import_module(f"proofs.{fam}")
        except ModuleNotFoundError as e:
            if e.name != f"proofs.{fam}":
                raise
            continue
        for c in mod.CLAIMS:
            out.append(c if c.family else _with_family(c, fam))
    if pattern:
        glob = pattern if any(ch in pattern for ch in "*?[") else f"*{pattern}*"
        out = [c for c in out if fnmatch.fnmatch(c.name, glob) or fnmatch.fnmatch(c.family, glob)]
    return out


def _with_family(c: Claim, family: str) -> Claim:
    from dataclasses import replace

    return replace(c, family=family)


def run(pattern: str | None = None) -> list[Result]:
    """Check the claims matching ``pattern`` (all by default) on their paper rules."""
    return [c.run() for c in claims(pattern)]


__all__ = ["FAMILIES", "Claim", "Outcome", "Result", "Step", "Verdict", "claims", "run"]
