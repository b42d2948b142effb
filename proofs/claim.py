r"""Claims, their verdicts, and the record of one check.

A :class:`Claim` is one mathematical statement from a paper, checked on the
SymPy expressions of an octk rule (never on a transcription of them):

* ``statement`` -- the claim in LaTeX;
* ``source`` -- where it is stated (paper, section, equation number);
* ``assumptions`` -- the conditions the check uses, in words or LaTeX;
* ``rule`` -- a builder of the rule the claim is about (the paper's), so a
  mutation test can hand :meth:`Claim.check` a perturbed rule instead;
* ``prove`` -- ``rule -> Outcome``: the check itself;
* ``expected`` -- the verdict the paper's rule should get. Most claims are
  expected to be ``proved``; the flaws (Lemma 10.3 at small G∞, Γ_t ≥ 0 for
  Adam) are expected to be ``refuted``.

An :class:`Outcome` is exact. ``proved`` means an identity reduced to 0, a
closed-form sum, an induction whose base case and step both reduce to 0, or a
sign established with a certificate (non-negative coefficients, a root count by
Sturm sequences). ``refuted`` carries a counterexample of exact rational values.
Numerical evaluation may *find* a counterexample, which is then confirmed
exactly; it never proves. ``undecided`` is the honest answer otherwise.
"""

from __future__ import annotations

import enum
import functools
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import sympy as sp

from octk.rules import rule as make_rule
from octk.rules.rule import Rule


class Verdict(enum.StrEnum):
    PROVED = "proved"
    REFUTED = "refuted"
    UNDECIDED = "undecided"


@dataclass(frozen=True)
class Step:
    """One displayed step of a derivation: words and, optionally, an equation."""

    text: str
    math: sp.Basic | str | None = None

    def latex(self) -> str:
        if self.math is None:
            return ""
        return self.math if isinstance(self.math, str) else sp.latex(self.math)


@dataclass(frozen=True)
class Outcome:
    """What a check established.

    verdict : proved / refuted / undecided.
    method : how (``identity``, ``induction``, ``closed-form sum``, ``sign``,
        ``limit``, ``counterexample``, ...).
    detail : one line for the verify table.
    counterexample : for ``refuted``, exact values of the symbols (name -> Rational).
    steps : the derivation, for notebooks and ``octk verify -v``.
    """

    verdict: Verdict
    method: str
    detail: str = ""
    counterexample: Mapping[str, sp.Basic] | None = None
    steps: tuple[Step, ...] = ()

    @property
    def proved(self) -> bool:
        return self.verdict is Verdict.PROVED

    @property
    def refuted(self) -> bool:
        return self.verdict is Verdict.REFUTED

    def with_steps(self, *steps: Step) -> Outcome:
        return Outcome(
            self.verdict, self.method, self.detail, self.counterexample, (*steps, *self.steps)
        )

    def counterexample_text(self) -> str:
        if not self.counterexample:
            return ""
        return ", ".join(f"{k}={v}" for k, v in self.counterexample.items())


def proved(method: str, detail: str = "", steps=()) -> Outcome:
    return Outcome(Verdict.PROVED, method, detail, None, tuple(steps))


def refuted(method: str, detail: str, counterexample: Mapping, steps=()) -> Outcome:
    return Outcome(Verdict.REFUTED, method, detail, dict(counterexample), tuple(steps))


def undecided(method: str, detail: str, steps=()) -> Outcome:
    return Outcome(Verdict.UNDECIDED, method, detail, None, tuple(steps))


def all_of(*outcomes: Outcome, method: str | None = None) -> Outcome:
    """The conjunction: refuted if any part is, proved if all are, else undecided.

    The steps of every part are kept, in order.
    """
    steps = tuple(s for o in outcomes for s in o.steps)
    for o in outcomes:
        if o.refuted:
            return Outcome(Verdict.REFUTED, o.method, o.detail, o.counterexample, steps)
    for o in outcomes:
        if not o.proved:
            return Outcome(Verdict.UNDECIDED, o.method, o.detail, None, steps)
    return Outcome(
        Verdict.PROVED,
        method or " + ".join(dict.fromkeys(o.method for o in outcomes)),
        "; ".join(o.detail for o in outcomes if o.detail),
        None,
        steps,
    )


def paper_rule(name: str, **options) -> Callable[[], Rule]:
    """A builder of ``octk.rules.rule(name, **options)``, for :attr:`Claim.rule`: a fresh
    rule at each call, e.g. ``rule=paper_rule("adam", schedule="sqrt")``."""
    return functools.partial(make_rule, name, **options)


@dataclass(frozen=True)
class Claim:
    """A statement from a paper, checked on a rule's own expressions (see the module doc)."""

    name: str
    statement: str
    source: str
    prove: Callable[[Rule], Outcome]
    rule: Callable[[], Rule]
    assumptions: tuple[str, ...] = ()
    expected: Verdict = Verdict.PROVED
    family: str = ""
    note: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)

    def check(self, rule: Rule | None = None) -> Outcome:
        """The outcome on ``rule`` (default: the paper's rule of this claim).

        A check that fails with an exception on a perturbed rule (the expression it
        expects is missing) is ``undecided``, never ``proved``.
        """
        r = self.rule() if rule is None else rule
        try:
            return self.prove(r)
        except (ValueError, KeyError, TypeError, NotImplementedError, ZeroDivisionError) as e:
            if rule is None:
                raise
            return undecided("error", f"the check does not apply to {r!r}: {e}")

    def run(self, rule: Rule | None = None) -> Result:
        start = time.perf_counter()
        outcome = self.check(rule)
        return Result(self, outcome, time.perf_counter() - start)


@dataclass(frozen=True)
class Result:
    """One claim's outcome, its time, and whether it is the expected verdict."""

    claim: Claim
    outcome: Outcome
    seconds: float

    @property
    def ok(self) -> bool:
        return self.outcome.verdict is self.claim.expected

    def markdown(self, *, steps: bool = True, max_latex: int = 1500, max_values: int = 12) -> str:
        """The claim and its outcome as Markdown with LaTeX (what the notebooks display).

        Source, statement, assumptions, the derivation's steps (an equation longer
        than ``max_latex`` characters is shown in words only), the verdict with its
        method and time, the counterexample (at most ``max_values`` values) and the note.
        """
        c, o = self.claim, self.outcome
        mark = {"proved": "✅ proved", "refuted": "❌ refuted", "undecided": "❔ undecided"}
        lines = [f"**`{c.name}`** — {c.source}", "", f"$$ {c.statement} $$", ""]
        if c.assumptions:
            lines += ["assuming " + ", ".join(f"${a}$" for a in c.assumptions), ""]
        if steps and o.steps:
            for st in o.steps:
                body = st.latex()
                body = body if len(body) <= max_latex else ""
                lines.append(f"- {st.text}" + (f": $\\displaystyle {body}$" if body else ""))
            lines.append("")
        verdict = f"**verdict: {mark[o.verdict.value]}** ({o.method}; {self.seconds:.2f} s)"
        if c.expected is not Verdict.PROVED:
            verdict += f" — expected **{c.expected.value}**"
        lines += [verdict, ""]
        if o.counterexample:
            items = list(o.counterexample.items())
            text = ", ".join(f"{k}={v}" for k, v in items[:max_values])
            more = f", … ({len(items) - max_values} more)" if len(items) > max_values else ""
            lines += [f"counterexample: `{text}{more}`", ""]
        if c.note:
            lines.append(f"*{c.note}*")
        return "\n".join(lines).rstrip() + "\n"

    def as_dict(self) -> dict:
        o = self.outcome
        return {
            "claim": self.claim.name,
            "family": self.claim.family,
            "source": self.claim.source,
            "statement": self.claim.statement,
            "verdict": o.verdict.value,
            "expected": self.claim.expected.value,
            "ok": self.ok,
            "method": o.method,
            "detail": o.detail,
            "counterexample": {k: str(v) for k, v in (o.counterexample or {}).items()} or None,
            "seconds": round(self.seconds, 4),
        }
