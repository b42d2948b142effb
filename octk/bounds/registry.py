"""The bounds by name, and the one that belongs to a rule (read from its program).

:data:`BOUNDS` is :data:`octk.theorems.THEOREMS`: one registry, the theorems
themselves. A rule's default bound is the theorem marked ``default`` whose algorithm
has the rule's moment structure (first moment, second moment; every running max one
family): K&B 4.1 for Adam's program, RKK 4 for AMSGrad's, octk's AdamNC bound for
β2,t = 1 − 1/t, Duchi et al. for AdaGrad's running sum, Zinkevich for plain gradient
steps -- whatever the rule is called.
"""

from __future__ import annotations

from octk.bounds.hypotheses import algorithm_mismatches, family
from octk.errors import ParameterError, unknown_name
from octk.rules import Rule
from octk.rules.anatomy import anatomy
from octk.theorems import THEOREMS, Theorem

#: every bound by name (the theorems of :mod:`octk.theorems`)
BOUNDS: dict[str, Theorem] = THEOREMS
#: what a bound is: a :class:`~octk.theorems.Theorem`
Bound = Theorem


def bound_names() -> tuple[str, ...]:
    return tuple(BOUNDS)


def get_bound(name: str | Theorem) -> Theorem:
    """The theorem called ``name`` (UnknownNameError with a suggestion otherwise)."""
    if isinstance(name, Theorem):
        return name
    if name not in BOUNDS:
        raise unknown_name("bound", str(name), BOUNDS)
    return BOUNDS[name]


def default_bound(rule: Rule) -> Theorem:
    """The bound belonging to ``rule``'s program (Adam's: K&B 4.1, AMSGrad's: RKK 4, ...).

    Among the default theorems whose algorithm has the rule's moment structure, the one
    whose algorithm the program matches in the most respects.
    """
    a = anatomy(rule)
    fits = [
        th
        for th in BOUNDS.values()
        if th.default and th.algorithm and family(th.algorithm) == family(a)
    ]
    if not fits:
        raise ParameterError(
            f"no bound belongs to rule {rule.name!r} (its program: first moment "
            f"{a.first_moment}, second moment {a.second_moment}); choose one with bound=... "
            f"({', '.join(BOUNDS)}); its hypotheses will say what does not apply"
        )

    def distance(th: Theorem) -> int:
        return len(algorithm_mismatches(th.algorithm, a)) if th.algorithm else 99

    return min(fits, key=distance)


def _default_bounds() -> dict[str, str]:
    from octk.rules import rule, rule_names

    out: dict[str, str] = {}
    for name in rule_names():
        try:
            out[name] = default_bound(rule(name)).name
        except ParameterError:
            pass
    return out


def __getattr__(name: str) -> dict[str, str]:
    """``DEFAULT_BOUND``: the default bound of each rule of the catalog (paper preset),
    derived from the programs on first use (reading seven programs costs ~0.5 s)."""
    if name == "DEFAULT_BOUND":
        value = _default_bounds()
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["BOUNDS", "Bound", "bound_names", "default_bound", "get_bound"]  # and DEFAULT_BOUND
