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
  Adam) are expected to be ``refuted``;
* ``scope`` -- what a verdict covers (:class:`Scope`): an ``identity`` of
  expressions, one ``instance`` (given values or one sequence), or a ``general``
  statement (every t, every sequence, every parameter in a range);
* ``premises`` -- the other claims (by name) a proved claim relies on: a proved
  claim whose premise is not proved is shown as proved *given* it
  (:attr:`Result.shown`), never as the theorem's statement;
* ``basis`` -- whose statement it is (:class:`Basis`): printed in the ``paper``,
  octk's ``reading`` of the paper's words (``reading`` says what the paper
  says), or octk's own ``observation``;
* ``tags`` -- :data:`ANY_RULE` marks a check that reads any rule's program alone (Γ_t's
  sign, the scale invariance): ``octk verify --rule R`` runs it on every rule, where
  the other claims run on the rules whose structure is their paper rule's
  (:mod:`proofs.applies`);
* ``detects`` / ``survives`` -- the mutations (:mod:`proofs.mutations`) the
  claim must detect, and those under which it stays true with the reason; the
  tests and ``python -m proofs.mutation_table`` walk these declarations.

An :class:`Outcome` is exact. ``proved`` means an identity reduced to 0, a
closed-form sum, an induction whose base case and step both reduce to 0, or a
sign established with a certificate (non-negative coefficients, a root count by
Sturm sequences). ``refuted`` carries a counterexample of exact rational values.
Numerical evaluation may *find* a counterexample, which is then confirmed
exactly; it never proves. ``undecided`` is the honest answer otherwise.

A check that cannot apply to a rule (the rule has no second moment, its step
is not of the form the claim reads) raises :class:`NotApplicable`, and the
verdict is ``not applicable``. Any other exception is a crash: the verdict is
``error``, with the exception in the detail. Neither is a verdict reached by a
method, so neither counts as a mutation detected (:attr:`Outcome.reached`).
"""

from __future__ import annotations

import enum
import functools
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import sympy as sp

from octk.rules import rule as make_rule
from octk.rules.anatomy import NotInProgram
from octk.rules.rule import Rule


class Verdict(enum.StrEnum):
    PROVED = "proved"
    REFUTED = "refuted"
    UNDECIDED = "undecided"
    #: the check does not apply to the rule (it raised :class:`NotApplicable`)
    NOT_APPLICABLE = "not applicable"
    #: the check crashed: any exception other than :class:`NotApplicable`
    ERROR = "error"


#: the verdicts a method reaches (the others say that no method ran to the end)
REACHED = (Verdict.PROVED, Verdict.REFUTED, Verdict.UNDECIDED)


class Scope(enum.StrEnum):
    """What a claim's verdict covers."""

    #: two expressions are equal as expressions (every value of their symbols)
    IDENTITY = "identity"
    #: one instance: given numbers, or one gradient sequence
    INSTANCE = "instance"
    #: every t, every gradient sequence or every parameter in a range
    GENERAL = "general"


class Basis(enum.StrEnum):
    """Whose statement a claim is."""

    #: a formula or sentence printed in the paper, checked as printed
    PAPER = "paper"
    #: octk's reading of the paper's words (the claim's ``reading`` says what the paper says)
    READING = "octk's reading"
    #: octk's own statement (a replacement bound, a value, a mechanism)
    OBSERVATION = "observation"


#: the tag of a claim whose check reads any rule's program (see the module doc)
ANY_RULE = "any-rule"


class NotApplicable(Exception):
    """Raised by a check whose claim does not apply to the rule it was given (the rule
    lacks the state, target or form the claim is about). The message says what is
    missing; :meth:`Claim.check` turns it into the verdict ``not applicable``."""


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

    * verdict: proved / refuted / undecided.
    * method: how (``identity``, ``induction``, ``closed-form sum``, ``sign``,
      ``limit``, ``counterexample``, ...).
    * detail: one line for the verify table.
    * counterexample: for ``refuted``, exact values of the symbols (name -> Rational).
    * steps: the derivation, for notebooks and ``octk verify -v``.
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

    @property
    def reached(self) -> bool:
        """A verdict reached by a method that ran (not ``error``, not ``not applicable``)."""
        return self.verdict in REACHED

    @property
    def detects(self) -> bool:
        """As the outcome on a mutant: the mutation is detected -- refuted with a
        counterexample, or undecided by a method that ran; never an error, never
        ``not applicable``, never proved."""
        return self.verdict in (Verdict.REFUTED, Verdict.UNDECIDED)

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
    """A statement from a paper, checked on a rule's own expressions (see the module doc).

    ``detects``: mutation names (:data:`proofs.mutations.ALL_MUTATIONS`) the check must
    detect -- refuted, or undecided by a method that ran. ``survives``: mutation name ->
    why the claim stays true of that mutant (the check must still prove it).
    ``reads_rule`` is False for a claim about the papers' algebra alone (no mutation of
    a rule can change it; its tests perturb a constant instead). ``proves`` names what
    a proved check establishes when a premise is not proved ("the assembly").
    """

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
    scope: Scope = field(default=Scope.GENERAL, kw_only=True)
    basis: Basis = field(default=Basis.PAPER, kw_only=True)
    reading: str = field(default="", kw_only=True)
    premises: tuple[str, ...] = field(default=(), kw_only=True)
    proves: str = field(default="the derivation", kw_only=True)
    detects: tuple[str, ...] = field(default=(), kw_only=True)
    survives: Mapping[str, str] = field(default_factory=dict, kw_only=True)
    reads_rule: bool = field(default=True, kw_only=True)

    def check(self, rule: Rule | None = None) -> Outcome:
        """The outcome on ``rule`` (default: the paper's rule of this claim).

        A check that raises :class:`NotApplicable` (or finds no such piece in the
        program: :class:`octk.rules.anatomy.NotInProgram`) is ``not applicable``; any
        other exception is ``error`` (the exception in the detail): a crash is shown,
        never taken for a verdict, and never stops the other claims.
        """
        try:
            r = self.rule() if rule is None else rule
            return self.prove(r)
        except (NotApplicable, NotInProgram) as e:
            return Outcome(Verdict.NOT_APPLICABLE, "not applicable", str(e))
        except Exception as e:  # every crash becomes the verdict "error"
            return Outcome(Verdict.ERROR, "error", f"{type(e).__name__}: {e}")

    def run(self, rule: Rule | None = None) -> Result:
        start = time.perf_counter()
        outcome = self.check(rule)
        return Result(self, outcome, time.perf_counter() - start)


_MARK = {
    "proved": "✅ proved",
    "refuted": "❌ refuted",
    "undecided": "❔ undecided",
    "not applicable": "➖ not applicable",
    "error": "💥 error",
}


@dataclass(frozen=True)
class Result:
    """One claim's outcome, its time, and whether it is the expected verdict.

    ``premises``: the claim's premises and theirs (transitively), each with the verdict
    it got, as filled in by :func:`proofs.with_premises` (empty until then).
    """

    claim: Claim
    outcome: Outcome
    seconds: float
    premises: tuple[tuple[str, Verdict], ...] = ()

    @property
    def ok(self) -> bool:
        return self.outcome.verdict is self.claim.expected

    @property
    def unmet(self) -> tuple[tuple[str, Verdict], ...]:
        """The premises (transitively) that are not proved."""
        return tuple((n, v) for n, v in self.premises if v is not Verdict.PROVED)

    @property
    def established(self) -> bool:
        """Proved, and every premise proved: the claim holds as stated."""
        return self.outcome.proved and not self.unmet

    @property
    def shown(self) -> str:
        """The verdict as displayed: ``proved: <what>, given <premise> (refuted), ...`` for a
        proved check whose premises are not all proved, else the verdict itself."""
        if self.outcome.proved and self.unmet:
            given = ", ".join(f"{n} ({v.value})" for n, v in self.unmet)
            return f"proved: {self.claim.proves}, given {given}"
        return self.outcome.verdict.value

    def markdown(self, *, steps: bool = True, max_latex: int = 1500, max_values: int = 12) -> str:
        """The claim and its outcome as Markdown with LaTeX (what the notebooks display).

        Source and basis, statement, scope, assumptions and premises, the derivation's
        steps (an equation longer than ``max_latex`` characters is shown in words only),
        the verdict as shown (:attr:`shown`) with its method and time, the counterexample
        (at most ``max_values`` values), what the paper says (for octk's reading), and
        the note.
        """
        c, o = self.claim, self.outcome
        basis = "" if c.basis is Basis.PAPER else f" ({c.basis.value})"
        lines = [f"**`{c.name}`** — {c.source}{basis}", "", f"$$ {c.statement} $$", ""]
        lines += [f"scope: *{c.scope.value}*", ""]
        if c.assumptions:
            lines += ["assuming " + ", ".join(f"${a}$" for a in c.assumptions), ""]
        if c.premises:
            have = dict(self.premises)
            given = ", ".join(
                f"`{p}`" + (f" ({have[p].value})" if p in have else "") for p in c.premises
            )
            lines += [f"premises: {given}", ""]
        if steps and o.steps:
            for st in o.steps:
                body = st.latex()
                body = body if len(body) <= max_latex else ""
                lines.append(f"- {st.text}" + (f": $\\displaystyle {body}$" if body else ""))
            lines.append("")
        shown = self.shown
        mark = _MARK[o.verdict.value] + shown[len(o.verdict.value) :]
        verdict = f"**verdict: {mark}** ({o.method}; {self.seconds:.2f} s)"
        if c.expected is not Verdict.PROVED:
            verdict += f" — expected **{c.expected.value}**"
        lines += [verdict, ""]
        if not o.reached:
            lines += [f"`{o.detail}`", ""]
        if o.counterexample:
            items = list(o.counterexample.items())
            text = ", ".join(f"{k}={v}" for k, v in items[:max_values])
            more = f", … ({len(items) - max_values} more)" if len(items) > max_values else ""
            lines += [f"counterexample: `{text}{more}`", ""]
        if c.reading:
            lines += [f"what the paper says: {c.reading}", ""]
        if c.note:
            lines.append(f"*{c.note}*")
        return "\n".join(lines).rstrip() + "\n"

    def as_dict(self) -> dict:
        o, c = self.outcome, self.claim
        have = {n: v.value for n, v in self.premises}
        return {
            "claim": c.name,
            "family": c.family,
            "source": c.source,
            "basis": c.basis.value,
            "statement": c.statement,
            "scope": c.scope.value,
            "assumptions": list(c.assumptions),
            "premises": [{"claim": n, "verdict": have.get(n)} for n in c.premises],
            "unmet_premises": [{"claim": n, "verdict": v.value} for n, v in self.unmet],
            "verdict": o.verdict.value,
            "shown": self.shown,
            "established": self.established,
            "expected": c.expected.value,
            "ok": self.ok,
            "method": o.method,
            "detail": o.detail,
            "counterexample": {k: str(v) for k, v in (o.counterexample or {}).items()} or None,
            "reading": c.reading or None,
            "note": c.note or None,
            "seconds": round(self.seconds, 4),
        }


def detects_table(claims: Iterable[Claim]) -> dict[str, tuple[str, ...]]:
    """claim name -> the mutations it declares it detects (claims that declare some)."""
    return {c.name: c.detects for c in claims if c.detects}


def survives_table(claims: Iterable[Claim]) -> dict[str, dict[str, str]]:
    """claim name -> {mutation: why the claim stays true} (claims that declare some)."""
    return {c.name: dict(c.survives) for c in claims if c.survives}


def untouched(what: str, *mutations: str) -> dict[str, str]:
    """For :attr:`Claim.survives`: the ``mutations`` that leave ``what`` -- all that the claim
    reads of the rule -- as it was, each with that reason."""
    return {m: f"reads {what}, which the mutation leaves as it was" for m in mutations}
