r"""Named analytic boundaries of phase diagrams, as SymPy relations.

Each :class:`Boundary` is one equation or inequality over named symbols
(``beta1``, ``beta2``, ``C``, ``s``, ``r``); a phase diagram draws it over any two
of its axes by *solving* the relation's equality for the plotted axes (SymPy
``solve``), never by a hand-written curve. Symbols that are not plotted take
values given by the caller (a selected coordinate, a sequence parameter).

=================  ================================  ==========================================
name               relation                          source
=================  ================================  ==========================================
``sqrt-beta2``     β1 = √β2                          Zhang et al. (2022): the curve of their
                                                     (β1, β2) phase diagrams
``rkk``            β1 < √β2  (γ = β1²/β2 < 1)        Reddi, Kale & Kumar (2018), Theorem 4's
                                                     hypothesis (and Corollary 1)
``thm1-beta2``     β2 = 1/(1 + C²)                   Reddi, Kale & Kumar (2018), Theorem 1
``zou``            s = r/2                           Zou et al. (2019): α_t = α/t^s,
                                                     β2,t = 1 − 1/t^r, the edge of their
                                                     sufficient condition
=================  ================================  ==========================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import sympy as sp

from octk.errors import ParameterError, unknown_name

beta1, beta2, C, s, r = sp.symbols("beta1 beta2 C s r", positive=True)


@dataclass(frozen=True)
class Boundary:
    """A named relation (``sp.Eq`` or a strict/weak inequality) and how to label it."""

    name: str
    relation: sp.Basic
    label: str
    source: str

    @property
    def symbols(self) -> set[str]:
        return {str(v) for v in self.relation.free_symbols}

    @property
    def is_inequality(self) -> bool:
        return not isinstance(self.relation, sp.Equality)

    def curves(
        self,
        x: str,
        y: str,
        xs: np.ndarray,
        ys: np.ndarray,
        values: Mapping[str, float] | None = None,
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """The boundary's branches over the plotted axes ``x`` and ``y`` (samples ``xs``, ``ys``).

        The equality lhs = rhs is solved for ``y`` as a function of ``x`` (or, where
        SymPy finds no such branch, for ``x`` as a function of ``y``); other symbols
        are substituted from ``values``. Points where a branch is not real are dropped.
        """
        syms = {str(v): v for v in self.relation.free_symbols}
        missing = sorted(set(syms) - {x, y} - set(values or {}))
        if missing or not {x, y} & set(syms):
            need = "values for " + ", ".join(missing) if missing else "one of them on an axis"
            raise ParameterError(
                f"boundary {self.name!r} relates {', '.join(sorted(syms))}; plotted over "
                f"({x}, {y}) it needs {need} (select that axis at one value, or give it "
                "with values=)"
            )
        sub = {syms[k]: float(v) for k, v in (values or {}).items() if k in syms}
        eq = (self.relation.lhs - self.relation.rhs).subs(sub)
        X = syms.get(x, sp.Symbol(x, positive=True))
        Y = syms.get(y, sp.Symbol(y, positive=True))
        out: list[tuple[np.ndarray, np.ndarray]] = []
        for sol in sp.solve(eq, Y):
            f = sp.lambdify(X, sol, "numpy")
            with np.errstate(all="ignore"):
                ys = np.broadcast_to(np.asarray(f(xs), dtype=complex), xs.shape)
            ok = np.isfinite(ys) & (np.abs(ys.imag) < 1e-12)
            out.append((xs[ok], ys.real[ok]))
        if out:
            return out
        for sol in sp.solve(eq, X):  # no branch y(x): draw x = g(y)
            f = sp.lambdify(Y, sol, "numpy")
            with np.errstate(all="ignore"):
                xv = np.broadcast_to(np.asarray(f(ys), dtype=complex), ys.shape)
            ok = np.isfinite(xv) & (np.abs(xv.imag) < 1e-12)
            out.append((xv.real[ok], ys[ok]))
        if out:
            return out
        raise ParameterError(f"boundary {self.name!r}: cannot solve {self.relation} for {y}")

    def holds(self, x: str, y: str, X: np.ndarray, Y: np.ndarray, values=None) -> np.ndarray:
        """Where an inequality holds on the mesh (X, Y) (all True for an equation)."""
        syms = {str(v): v for v in self.relation.free_symbols}
        sub = {syms[k]: float(v) for k, v in (values or {}).items() if k in syms}
        rel = self.relation.subs(sub)
        args = [syms.get(x, sp.Symbol(x)), syms.get(y, sp.Symbol(y))]
        f = sp.lambdify(args, rel, "numpy")
        with np.errstate(all="ignore"):
            return np.broadcast_to(np.asarray(f(X, Y), dtype=bool), X.shape)


BOUNDARIES: dict[str, Boundary] = {
    b.name: b
    for b in (
        Boundary("sqrt-beta2", sp.Eq(beta1, sp.sqrt(beta2)), "β1 = √β2", "Zhang et al. 2022"),
        Boundary("rkk", sp.StrictLessThan(beta1, sp.sqrt(beta2)), "β1 < √β2 (RKK Thm 4)", "RKK"),
        Boundary("thm1-beta2", sp.Eq(beta2, 1 / (1 + C**2)), "β2 = 1/(1+C²) (RKK Thm 1)", "RKK"),
        Boundary("zou", sp.Eq(s, r / 2), "s = r/2 (Zou et al.)", "Zou et al. 2019"),
    )
}


def boundary(name: str | Boundary) -> Boundary:
    """The boundary called ``name`` (UnknownNameError listing :data:`BOUNDARIES`)."""
    if isinstance(name, Boundary):
        return name
    if name not in BOUNDARIES:
        raise unknown_name("boundary", name, BOUNDARIES)
    return BOUNDARIES[name]


__all__ = ["BOUNDARIES", "Boundary", "boundary"]
