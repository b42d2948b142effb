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

from proofs.claim import Basis, Claim, NotApplicable, Outcome, Result, Scope, Step, Verdict

#: the claim families, in the order ``octk verify`` shows them
FAMILIES = (
    "bias_correction",
    "efficient_order",
    "step_bounds",
    "limits",
    "theorem_4_1",
    "flawed_step",
    "rkk_counterexample",
    "adamnc",
    "amsgrad_bound",
    "limit_cycles",
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
    """Check the claims matching ``pattern`` (all by default) on their paper rules, with
    their premises' verdicts filled in (:func:`with_premises`)."""
    return with_premises([c.run() for c in claims(pattern)])


def with_premises(results: list[Result]) -> list[Result]:
    """``results`` with each one's premises (transitively) and their verdicts filled in.

    A premise that is not among ``results`` is checked here (on its paper rule) and
    not added to the list. A premise name that names no claim is an error.
    """
    from dataclasses import replace

    known = {c.name: c for c in claims()}
    verdicts = {r.claim.name: r.outcome.verdict for r in results}

    def verdict(name: str) -> Verdict:
        if name not in verdicts:
            if name not in known:
                raise KeyError(f"premise {name!r} names no claim")
            verdicts[name] = known[name].check().verdict
        return verdicts[name]

    def closure(claim: Claim) -> list[str]:
        out: list[str] = []
        todo = list(claim.premises)
        while todo:
            name = todo.pop(0)
            if name in out:
                continue
            out.append(name)
            todo += list(known[name].premises) if name in known else []
        return out

    return [replace(r, premises=tuple((n, verdict(n)) for n in closure(r.claim))) for r in results]


__all__ = [
    "FAMILIES",
    "Basis",
    "Claim",
    "NotApplicable",
    "Outcome",
    "Result",
    "Scope",
    "Step",
    "Verdict",
    "claims",
    "run",
    "with_premises",
]
