# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Adam does not converge: Reddi, Kale & Kumar (2018), reproduced with octk
#
# RKK's **Theorem 1**: on $F = [-1, 1]$ with linear losses
# $$f_t(x) = \begin{cases} C x & t \bmod 3 = 1 \\ -x & \text{otherwise} \end{cases}, \qquad C > 2,$$
# the best fixed point is $x^* = -1$, yet Adam with $\beta_1 = 0$, $\beta_2 = 1/(1+C^2)$ and
# $\alpha_t = \alpha/\sqrt t$ drifts to $x = +1$ and its average regret tends to $(2C-4)/3 > 0$.
# AMSGrad, which keeps $\hat v_t = \max(\hat v_{t-1}, v_t)$, goes to $-1$.
#
# Every number below is computed by octk's Numba backend from the SymPy rules;
# the parameter `SCALE` shortens the runs (the test suite executes this notebook at a small scale).

# %% tags=["parameters"]
# Parameters (`python notebooks/build.py` and the tests set them in a cell after this one)
SCALE = 1.0  # multiplies every T (the test suite runs the notebook at 0.02)
OUT = "reddi2018-out"  # folder for the figures, below the working folder

# %%
import os

import numpy as np
import sympy as sp
from IPython.display import Markdown, display

import octk
from octk.rules import rule

T = max(3000, int(300_000 * SCALE))
print(f"T = {T:,}")

# %% [markdown]
# ## The rules, as octk runs them
#
# Adam (Kingma & Ba, Algorithm 1) with the $1/\sqrt t$ schedule, and AMSGrad (RKK Algorithm 2),
# rendered from the very SymPy programs the simulators are generated from:

# %%
adam = rule("adam", schedule="sqrt")
amsgrad = rule("amsgrad")
display(Markdown("$$" + adam.latex() + "$$"))
display(Markdown("$$" + amsgrad.latex() + "$$"))

# %% [markdown]
# ## Theorem 1, C = 3: α = 0.1, x₁ = 0

# %%
C = 3
params = {"alpha": 0.1, "beta1": 0.0, "beta2": 1 / (1 + C * C)}
runs = {}
for label, r in [("Adam", adam), ("AMSGrad", amsgrad), ("OGD", rule("ogd"))]:
    p = {k: v for k, v in params.items() if k in r.hyper_names}
    traj = octk.simulate(r, f"reddi-thm1:C={C}", "box:-1,1", steps=T, x0=0.0, params=p)
    runs[label] = (traj, octk.regret(traj))
for label, (traj, reg) in runs.items():
    print(f"{label:8s} x_T = {traj.x_final[0, 0]:+.4f}   R_T/T = {reg.average[0, -1]:.4f}")

# %% [markdown]
# Paper facts, asserted: Adam ends at the wrong end $+1$ with $R_T/T$ near $2/3$;
# AMSGrad and online gradient descent approach $x^* = -1$ with $R_T/T \to 0$.

# %%
adam_traj, adam_reg = runs["Adam"]
assert adam_traj.x_final[0, 0] == 1.0
assert abs(adam_reg.average[0, -1] - 2 / 3) < 0.02
for label in ("AMSGrad", "OGD"):
    traj, reg = runs[label]
    assert traj.x_final[0, 0] < -0.99 and reg.average[0, -1] < 0.05
assert np.all(adam_reg.x_star[0, -1] == -1.0)

# %% [markdown]
# ## Why: the steady state of $v$ and the 3-step drift
#
# With $\beta_1 = 0$ the step is $\alpha_t g_t/\sqrt{v_t}$. In the steady state $v$ cycles
# through three values; the big gradient $C$ is divided by the big $v$, the two $-1$'s by small
# ones, and the net 3-step move is *upwards*. The fixed point of the cycle, exactly:

# %%
b2, c = sp.Rational(1, 10), 3
va, vb, vc = sp.symbols("v_a v_b v_c", positive=True)
cycle = sp.solve(
    [va - (b2 * vc + (1 - b2) * c**2), vb - (b2 * va + (1 - b2)), vc - (b2 * vb + (1 - b2))],
    [va, vb, vc],
    dict=True,
)[0]
drift = -c / sp.sqrt(cycle[va]) + 1 / sp.sqrt(cycle[vb]) + 1 / sp.sqrt(cycle[vc])
print(
    {k: float(v) for k, v in cycle.items()},
    "Adam drift:",
    float(drift),
    "AMSGrad drift:",
    float((2 - c) / sp.sqrt(cycle[va])),
)
assert drift > 0 and (2 - c) / sp.sqrt(cycle[va]) < 0
v_end = runs["Adam"][0].state["v"][0, 0]  # T ≡ 0 mod 3: after the second −1 step
assert abs(v_end - float(cycle[vc])) < 1e-3

# %% [markdown]
# ## The §5 experiments and Figure 1 (octk uses α_t = 1/√t; the paper does not state it)

# %%
from octk.experiments.reddi2018 import run_reddi2018

res = run_reddi2018(OUT, scale=SCALE, progress=False, seeds=4)
display(Markdown(open(os.path.join(OUT, "table.md")).read()))

# %%
from IPython.display import Image

display(Image(os.path.join(OUT, "figure1.png")))
display(Image(os.path.join(OUT, "theorem1.png")))

# %%
by = {(r["key"], r["method"]): r for r in res["rows"]}
print(sorted(by))
assert by[("thm1-C3", "Adam")]["x_T"] == 1.0 and by[("thm1-C3", "AMSGrad")]["x_T"] < -0.9
assert all(np.isfinite(r["avg_regret"]) for r in res["rows"])
