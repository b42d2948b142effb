r"""Which claims apply to a given rule, decided from its program: ``octk verify --rule R``.

Every claim is about a kind of rule: its paper rule (:attr:`~proofs.claim.Claim.rule`)
stands for the rules of the same *structure*, read from the program by
:func:`octk.rules.anatomy.anatomy` (never from a rule's name or options):

* the first moment: none, or an EMA of g, with the weight β1,t constant or on a schedule;
* the second moment under the step's root: none, an EMA of g², the running mean or sum,
  a running max, or other; whether each moment is bias-corrected;
* the step size α_t (α, α/√t, ...), and where ε sits (outside or inside the root, or
  none; added to √v̂_t as in K&B's Algorithm 1, or to √v_t as in their efficient order).

A claim applies to a rule R when R's structure is its paper rule's
(:func:`signature`), or when it is tagged :data:`~proofs.claim.ANY_RULE` (its check
reads any program: Γ_t's sign, the scale invariance). It is then checked on R itself;
a check that finds its piece missing says ``not applicable`` with what is missing.
So a user's Adam written in a file, under any name, gets Adam's claims, and Yogi gets
the claims about every rule.

On a user's rule a verdict is a finding about that rule, not a test of octk: there is
no expected verdict (the paper rule's expectation does not carry over).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, replace

import sympy as sp

from octk.rules.anatomy import anatomy, in_terms_of, same
from octk.rules.rule import Rule
from proofs.claim import ANY_RULE, Claim, Outcome, Result, Verdict

#: the structure a claim's paper rule stands for (see the module doc), in words
FEATURES = {
    "first_moment": "first moment",
    "beta1_schedule": "β1,t",
    "second_moment": "second moment",
    "m_bias_corrected": "bias-corrected m",
    "v_bias_corrected": "bias-corrected v",
    "alpha_t": "step size α_t",
    "eps": "ε",
    "eps_added_to": "ε added to",
}


def signature(rule: Rule) -> dict[str, object]:
    """The structure of ``rule``'s program that decides which claims apply (see the
    module doc): feature -> value, read by :func:`octk.rules.anatomy.anatomy`.

    >>> from octk.rules import rule
    >>> signature(rule("adam"))["second_moment"]
    'ema'
    """
    key = rule.describe()
    if key not in _SIGNATURES:
        _SIGNATURES[key] = _signature(rule)
    return dict(_SIGNATURES[key])


#: signatures by program (:meth:`Rule.describe`): the paper rules recur claim after claim
_SIGNATURES: dict[str, dict[str, object]] = {}


def _signature(rule: Rule) -> dict[str, object]:
    a = anatomy(rule)
    schedule = None if a.beta1_ratio is None else ("constant" if a.beta1_ratio == 1 else "decay")
    return {
        "first_moment": a.first_moment,
        "beta1_schedule": schedule,
        "second_moment": a.second_moment,
        "m_bias_corrected": a.m_bias_corrected,
        "v_bias_corrected": a.v_bias_corrected,
        "alpha_t": a.alpha_t,
        "eps": a.eps,
        "eps_added_to": _eps_added_to(rule),
    }


def _eps_added_to(rule: Rule) -> str | None:
    """``v̂`` where the step is c_t·M_t/(√v̂_t + ε) (Algorithm 1), ``v`` where ε is added
    to the root of another scale of the second moment (K&B's efficient order, ε̂); None
    without ε outside a root."""
    a = anatomy(rule)
    eps = rule.symbols.get("eps")
    if eps is None or a.vhat is None or a.eps != "outside":
        return None
    states = [st.name for st in rule.state]
    delta = in_terms_of(rule, "delta", states)
    scaled = sp.simplify(delta * (sp.sqrt(a.vhat) + eps))
    moments = a.vhat.free_symbols & {st.symbol for st in rule.state}
    return "v" if scaled.free_symbols & moments else "v̂"


def _differs(mine: dict[str, object], theirs: dict[str, object]) -> str | None:
    """The first feature where two signatures differ, in words (None: the same)."""
    for key, words in FEATURES.items():
        a, b = mine[key], theirs[key]
        equal = same(a, b) if isinstance(a, sp.Basic) or isinstance(b, sp.Basic) else a == b
        if not equal:
            return f"{words} {b} (the rule has {a})"
    return None


def reason_not_applicable(claim: Claim, rule: Rule) -> str | None:
    """Why ``claim`` does not apply to ``rule`` structurally (None: it applies)."""
    if not claim.reads_rule:
        return "a statement of the papers' algebra alone; it reads no rule"
    if ANY_RULE in claim.tags:
        return None
    paper = claim.rule()
    diff = _differs(signature(rule), signature(paper))
    if diff is None:
        return None
    return f"about rules with {diff}; its paper rule is {paper.name!r}"


@dataclass(frozen=True)
class RuleVerification:
    """The claims checked on one rule: ``results`` (those that apply) and ``skipped``
    (claim, why it does not apply)."""

    rule: Rule
    results: list[Result]
    skipped: list[tuple[Claim, str]]
    seconds: float

    def counts(self) -> dict[str, int]:
        return {v.value: sum(r.outcome.verdict is v for r in self.results) for v in Verdict}

    @property
    def errors(self) -> int:
        return self.counts()[Verdict.ERROR.value]

    def summary(self) -> str:
        """One line: how many claims apply and their verdicts, how many do not, the time."""
        counts = ", ".join(f"{n} {v}" for v, n in self.counts().items() if n)
        return (
            f"rule {self.rule.name!r}: {len(self.results)} claims apply"
            + (f" ({counts})" if counts else "")
            + f"; {len(self.skipped)} not applicable ({self.seconds:.1f} s)"
        )

    def any_rule_note(self) -> str:
        """A line naming the checked claims that read any rule's program (their statements
        name the rule they were written for), or '' if none."""
        names = [r.claim.name for r in self.results if ANY_RULE in r.claim.tags]
        if not names:
            return ""
        return (
            f"{', '.join(names)}: checks of any rule's program, here of {self.rule.name!r} "
            "(the statement names the rule the claim was written for)"
        )

    def skipped_lines(self) -> list[str]:
        """The claims that do not apply, one line per family and reason."""
        groups: dict[tuple[str, str], list[str]] = {}
        for c, why in self.skipped:
            groups.setdefault((c.family, why), []).append(c.name)
        return [
            f"{fam}: {len(names)} claim{'s' if len(names) > 1 else ''} -- {why}"
            for (fam, why), names in groups.items()
        ]

    def as_json(self) -> dict:
        from proofs import report

        out = report.as_json(self.results, self.seconds, expected=False)
        out["rule"] = {"name": self.rule.name, "title": self.rule.title, "source": self.rule.source}
        out["any_rule"] = [r.claim.name for r in self.results if ANY_RULE in r.claim.tags]
        out["not_applicable"] = [
            {"claim": c.name, "family": c.family, "reason": why} for c, why in self.skipped
        ]
        return out


def verify_rule(rule: Rule, claims: Iterable[Claim]) -> RuleVerification:
    """Check on ``rule`` each of ``claims`` that applies to it (see the module doc).

    Claims of the same check tagged :data:`~proofs.claim.ANY_RULE` (one check, several
    paper rules) run once. A premise's verdict is its verdict on ``rule`` (``not
    applicable`` where it does not apply), so a proved claim whose premise does not
    hold for the rule reads "proved: ..., given <premise> (...)".
    """
    start = time.perf_counter()
    claims = list(claims)
    results: list[Result] = []
    skipped: list[tuple[Claim, str]] = []
    generic: dict[object, str] = {}
    for c in claims:
        why = reason_not_applicable(c, rule)
        if why is None and ANY_RULE in c.tags:
            if c.prove in generic:
                why = f"the same check as {generic[c.prove]}"
            generic.setdefault(c.prove, c.name)
        if why is None:
            results.append(c.run(rule))
        else:
            skipped.append((c, why))
    results = _premises(results, claims, rule)
    return RuleVerification(rule, results, skipped, time.perf_counter() - start)


def _premises(results: list[Result], claims: list[Claim], rule: Rule) -> list[Result]:
    """``results`` with each premise's verdict on ``rule`` (checked here where needed)."""
    from proofs import claims as every_claim

    known = {c.name: c for c in every_claim()} | {c.name: c for c in claims}
    verdicts = {r.claim.name: r.outcome.verdict for r in results}

    def verdict(name: str) -> Verdict:
        if name not in verdicts:
            c = known[name]
            applies = reason_not_applicable(c, rule) is None
            outcome = c.check(rule) if applies else Outcome(Verdict.NOT_APPLICABLE, "")
            verdicts[name] = outcome.verdict
        return verdicts[name]

    def closure(c: Claim) -> list[str]:
        out: list[str] = []
        todo = list(c.premises)
        while todo:
            name = todo.pop(0)
            if name not in out:
                out.append(name)
                todo += list(known[name].premises) if name in known else []
        return out

    return [replace(r, premises=tuple((n, verdict(n)) for n in closure(r.claim))) for r in results]


__all__ = ["FEATURES", "RuleVerification", "reason_not_applicable", "signature", "verify_rule"]
