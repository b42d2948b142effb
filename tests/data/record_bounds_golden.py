"""Record the regret bounds' evaluation on a few runs into ``bounds_golden.json``.

The committed JSON was recorded with the evaluation of ``octk/bounds.py`` as it was at
commit 20fdcfd (its hand-written NumPy right-hand sides ``_rhs_kb``, ``_rhs_rkk``,
``_rhs_adamnc``, ``_rhs_duchi``, ``_rhs_zinkevich``), before they were replaced by
the lambdified terms of :mod:`octk.theorems`. ``tests/test_theorems.py`` checks that
the new evaluation reproduces it to 1e-12 relative. Re-running this script records
the current evaluation (it uses only the public API)::

    python tests/data/record_bounds_golden.py
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from octk.bounds import bound_monitors, evaluate
from octk.regret import regret
from octk.rules import rule
from octk.simulate import simulate

OUT = Path(__file__).with_name("bounds_golden.json")
BOX3 = "box:-1,1;0,0.5;-3,1"  # non-cubic: D = √(4 + 0.25 + 16) ≠ D∞ = 4

#: (label, rule name, rule options, sequence, domain, d, params, bounds, lam)
RUNS = [
    ("adam-thm1", "adam", {"schedule": "sqrt"}, "reddi-thm1:C=3", "box:-1,1", 1,
     {"alpha": [0.1, 1.0], "beta1": 0.0, "beta2": 0.1, "eps": 0.0},
     ("kb-thm4.1", "kb-thm4.1-lemma-stated", "kb-cor4.2"), None),
    ("adam-decay-box3", "adam", {"schedule": "sqrt", "beta1_schedule": "decay"}, "uniform",
     BOX3, 3, {"alpha": [0.05, 0.5], "beta1": 0.9, "beta2": 0.999, "eps": 0.0, "lam": 0.99},
     ("kb-thm4.1", "kb-thm4.1-lemma-stated", "kb-cor4.2"), None),
    ("adam-lam-box3", "adam", {"schedule": "sqrt"}, "sparse:p=0.3", BOX3, 3,
     {"alpha": 0.2, "beta1": [0.0, 0.5], "beta2": 0.99, "eps": 0.0},
     ("kb-thm4.1",), 0.3),
    ("amsgrad-box3", "amsgrad", {"beta1_schedule": "decay"}, "uniform", BOX3, 3,
     {"alpha": [0.1, 1.0], "beta1": 0.9, "beta2": 0.999, "lam": 0.99},
     ("rkk-thm4", "rkk-thm4-submitted", "rkk-cor1", "rkk-cor1-careful"), None),
    ("amsgrad-thm1", "amsgrad", {}, "reddi-thm1:C=3", "box:-1,1", 1,
     {"alpha": [0.01, 0.1], "beta1": 0.0, "beta2": 0.1},
     ("rkk-thm4", "rkk-thm4-submitted", "rkk-cor1", "rkk-cor1-careful"), None),
    ("adagrad-box3", "adagrad", {}, "sparse:p=0.3", BOX3, 3, {"alpha": [0.1, 2.0]},
     ("duchi-adagrad", "duchi-adagrad-dinf"), None),
    ("adamnc-box3", "adamnc", {}, "uniform", BOX3, 3,
     {"alpha": [0.1, 1.0], "beta1": [0.0, 0.9]}, ("rkk-cor2",), None),
    ("ogd-box3", "ogd", {}, "uniform", BOX3, 3, {"alpha": [0.1, 1.0]}, ("zinkevich-ogd",), None),
    ("ogd-thm1", "ogd", {}, "reddi-thm1:C=3", "box:-1,1", 1, {"alpha": [0.1, 1.0]},
     ("zinkevich-ogd",), None),
]  # fmt: skip


def record() -> dict:
    out = {}
    for label, name, opts, seq, dom, d, params, names, lam in RUNS:
        r = rule(name, **opts)
        p = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
        traj = simulate(r, seq, dom, steps=300, d=d, params=p, x0=0.0, seed=7,
                        monitors=bound_monitors(r), backend="reference")  # fmt: skip
        reg = regret(traj)
        for b in names:
            for const in ("declared", "observed"):
                res = evaluate(traj, b, reg=reg, lam=lam, constants=const)
                out[f"{label}/{b}/{const}"] = {
                    "rule": name, "options": opts, "sequence": seq, "domain": dom, "d": d,
                    "params": params, "bound": b, "constants": const, "lam_option": lam,
                    "t": res.t.tolist(), "regret": res.regret.tolist(),
                    "rhs": res.rhs.tolist(),
                    "terms": [v.tolist() for v in res.terms.values()],
                    "lam": [None if np.isnan(v) else float(v) for v in res.lam],
                    "first_violation": res.first_violation.tolist(),
                }  # fmt: skip
    return out


if __name__ == "__main__":
    data = record()
    OUT.write_text(json.dumps(data, allow_nan=True, separators=(",", ":")) + "\n")
    print(f"wrote {len(data)} evaluations to {OUT}")
