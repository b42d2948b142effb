r"""Certified worst cases: the adversary's periodic pattern, and the counterexample itself.

Both are certificates of :mod:`octk.adversary.certificate` -- the rule's program re-run
in exact rational / interval arithmetic -- that ``octk certify FILE`` re-checks from
scratch:

* :func:`search_worst` -- the adversary's worst periodic pattern c_1, ..., c_P
  (|c_t| ≤ G, repeated) against the rule on F = [−1, 1] from x_1 = 0, maximising the
  rate (R_T − R_{T0})/(T − T0) (T0 = ⌊T/2⌋ rounded to a period) with ``budget``
  candidate sequences. The certificate states a lower bound on that rate at T and,
  for the periodic orbit the run settles into, the certified lim R_T/T where it exists.
  **This is the only call of** :func:`octk.adversary.adversary` in the audit.
* :func:`certify_pattern` -- a given periodic pattern (a counterexample's, e.g. RKK
  Theorem 1's C, −1, −1) certified the same way: a counterexample cell that *fails*
  carries this certificate.

Where the rule cannot be rebuilt from a certificate (a rule the registry does not
know), the certificate is written but not re-checked, and the status says why.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from octk.errors import OctkError
from octk.rules import Rule

#: the adversary's pattern: period P, gradient bound G (RKK Theorem 1's C = 3), horizon T
PERIOD = 3
BOUND = 3.0
STEPS = 300
DOMAIN = "box:-1,1"
#: the smallest budget: one population of the adversary's CMA-ES (32 candidates)
MIN_BUDGET = 32


@dataclass(frozen=True)
class Certified:
    """A certified pattern: its sequence spec, the certificate's status and bounds, the
    file (None where not written)."""

    what: str
    sequence: str
    status: str
    rate_lower_bound: float | None
    limit_rate: float | None
    limit_status: str | None
    file: str | None
    reason: str = ""

    @property
    def certified(self) -> bool:
        return self.status == "certified"

    def to_dict(self) -> dict:
        return {
            "what": self.what,
            "sequence": self.sequence,
            "status": self.status,
            "rate_lower_bound": self.rate_lower_bound,
            "limit_rate": self.limit_rate,
            "limit_status": self.limit_status,
            "file": self.file,
            "reason": self.reason or None,
        }

    def text(self) -> str:
        """One line: what was certified."""
        if not self.certified:
            return f"{self.status}" + (f" ({self.reason})" if self.reason else "")
        out = f"(R_T − R_T0)/(T − T0) ≥ {self.rate_lower_bound:.6g}"
        if self.limit_status == "certified" and self.limit_rate is not None:
            out += f"; lim R_T/T = {self.limit_rate:.6g}"
        return out


def _limit(cert: Mapping) -> tuple[float | None, str | None]:
    limit = cert.get("limit") or {}
    rate = limit.get("rate")
    return (None if rate is None else float(eval_fraction(rate))), limit.get("status")


def eval_fraction(text: str) -> float:
    """A certificate's exact number ``"p/q"`` as a float."""
    from fractions import Fraction

    return float(Fraction(str(text)))


def _certify(cert: dict, out: Path | None, name: str, what: str, spec: str) -> Certified:
    """Re-run ``cert`` exactly (:func:`octk.adversary.certificate.certify`) and write it to
    ``out/<name>_certificate.json``; a rule the certificate cannot rebuild leaves it
    ``not re-checkable`` with the reason."""
    from octk.adversary import certificate

    try:
        certificate.certify(cert)
    except OctkError as e:  # the rule is not rebuilt from the certificate's name
        cert.update(status="not re-checkable", reason=str(e))
    file = None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        file = str(certificate.save(cert, out / f"{name}_certificate.json"))
    rate, status = _limit(cert)
    lb = cert.get("lower_bound_float")
    return Certified(
        what,
        spec,
        str(cert.get("status")),
        None if lb is None else float(lb),
        rate,
        status,
        file,
        str(cert.get("reason", "")),
    )


def search_worst(
    rule: Rule,
    params: Mapping[str, float],
    *,
    budget: int,
    seed: int,
    out: Path | None,
    backend: str = "numba",
) -> Certified:
    """The adversary's worst periodic pattern against ``rule`` (see the module docstring),
    certified and written to ``out/adversary_certificate.json`` (its search result to
    ``out/adversary.json``)."""
    from octk.adversary import adversary

    res = adversary(
        rule,
        domain=DOMAIN,
        steps=STEPS,
        family=f"periodic:p={PERIOD}",
        bound=BOUND,
        x0=0.0,
        objective="rate",
        budget=budget,
        seed=seed,
        params=dict(params),
        backend=backend,
        certify=False,
    )
    what = (
        f"worst periodic pattern (p = {PERIOD}, |c_t| ≤ {BOUND:g}, T = {STEPS}, "
        f"budget {budget}, seed {seed})"
    )
    found = _certify(res.certificate, out, "adversary", what, res.sequence)
    if out is not None:
        data = {**res.to_dict(), "certificate": found.to_dict()}
        (out / "adversary.json").write_text(json.dumps(data, indent=1, default=str) + "\n")
    return found


def certify_pattern(
    rule: Rule,
    params: Mapping[str, float],
    pattern: list[float],
    *,
    what: str,
    out: Path | None,
    name: str,
    backend: str = "numba",
) -> Certified:
    """A certificate for the periodic ``pattern`` (one value per step, repeated) against
    ``rule`` at ``params``, from x_1 = 0 over :data:`STEPS` steps, objective ``rate``."""
    from octk.adversary import certificate
    from octk.adversary.families import Family, GradientBound
    from octk.adversary.search import Problem
    from octk.domains import domain

    G = max(abs(v) for v in pattern)
    values = {h.name: float(params.get(h.name, h.default)) for h in rule.hyperparameters}
    fam = Family.parse(f"periodic:p={len(pattern)}")
    problem = Problem(
        rule,
        values,
        domain(DOMAIN),
        1,
        STEPS,
        fam,
        GradientBound(G),
        "rate",
        np.zeros(1),
        backend=backend,
    )
    table = np.asarray(pattern, dtype=np.float64)[:, None]
    cert = certificate.build(problem, table, np.zeros(1), kind="table", steps=STEPS, T0=problem.T0)
    spec = "periodic:values=[" + ",".join(f"{v:g}" for v in pattern) + "]"
    return _certify(cert, out, name, what, spec)


__all__ = ["BOUND", "MIN_BUDGET", "PERIOD", "STEPS", "Certified", "certify_pattern", "search_worst"]
