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
# # Phase diagrams: where does Adam converge?
#
# After RKK's counterexample the question is *where*: for which $(\beta_1, \beta_2)$ does Adam
# converge on a given problem. Zhang et al. (NeurIPS 2022) answered it for a problem of theirs
# with $(\beta_1, \beta_2)$ phase diagrams. This notebook builds such a diagram from its
# definition to the figure:
#
# 1. the problem, a **piecewise** loss written in SymPy (gradient derived, printed into the
#    kernels);
# 2. a sweep over $(\beta_1, \beta_2)$ with `octk.sweep`, persisted to a zarr store, whose
#    result is a labelled `xarray.Dataset`;
# 3. the phase diagram of $|x_T - x^*|$ and of the drift classification, with the analytic
#    curve $\beta_1 = \sqrt{\beta_2}$ solved by SymPy;
# 4. the same classification at $4T$: a finite-$T$ picture moves with $T$.
#
# `SCALE` shrinks T and the grid (the test suite runs this notebook at 0.02).

# %% tags=["parameters"]
# Parameters (`python notebooks/build.py` and the tests set them in a cell after this one)
SCALE = 1.0  # multiplies T; below 0.1 the grid is 3 × 3
OUT = "phase-out"  # folder for the store and the figures, below the working folder

# %%
import os
import subprocess
import sys

import numpy as np
import sympy as sp
import xarray as xr
from IPython.display import Image, Markdown, display

import octk
from octk.plots import phase
from octk.rules import rule
from octk.sequences import sequence

os.makedirs(OUT, exist_ok=True)
T = max(200, round(50_000 * SCALE))
N = 12 if SCALE >= 0.1 else 3

# %% [markdown]
# ## The problem: one of n components per step, a Piecewise loss
#
# $f_0(x) = (1+(n-1)a)\,x$ and $f_i(x) = -a\,x$ for $x \ge -1$, continued below $-1$ by
# quadratics; their sum is minimal at $x^* = -2$. In octk the sequence draws $s_t$ — $1+(n-1)a$
# with probability $1/n$, else $-a$ — and the loss family `linear-quadratic-tail` is
# $\ell(x, s) = s\,h(x)$ with $h$ a SymPy `Piecewise`:

# %%
seq = sequence("zhang2022:n=10")
x = sp.Symbol("x", real=True)
s = sp.Symbol("s", real=True)
display(Markdown(f"signal $s_t = {sp.latex(seq.signal)}$"))
display(Markdown(f"loss $\\ell(x, s) = {sp.latex(seq.loss_expr(s))}$"))
display(Markdown(f"gradient (derived) $= {sp.latex(seq.gradient(s))}$"))
print("stated optimum x* =", seq.optimum, "—", seq.optimum_note)
assert seq.optimum == -2.0 and seq.support() == (-1.0, 10.0)

# %% [markdown]
# ## The sweep
#
# Adam as in Zhang et al.'s algorithm: no bias correction, $\alpha_k = 0.1/\sqrt{k}$. The grid:
# $\beta_1$ evenly in $[0, 0.99]$, $\beta_2 = 1 - 10^{-u}$ with $u$ evenly in $[0.3, 4]$
# (denser near 1, where the boundary is). Every cell's run is one lane of one batched
# simulation; the store is written block by block as the sweep runs.

# %%
adam = rule("adam", schedule="sqrt", bias_correction_m=False, bias_correction_v=False)
grid = {"beta1": np.linspace(0.0, 0.99, N), "beta2": 1 - 10 ** -np.linspace(0.3, 4.0, N)}
store = os.path.join(OUT, "zhang_n10.zarr")
ds = octk.sweep(
    adam,
    seq,
    "reals",
    steps=T,
    grid=grid,
    params={"alpha": 0.1},
    x0=-1.0,
    measures=("distance", "drift", "classification"),
    out=store,
    backend="numba",
)
display(ds)

# %% [markdown]
# The classification's rule is stored with it (a finite-T gap alone would be a poor
# classifier; the rule compares windows at T/2 and T):

# %%
print(ds["classification"].attrs["rule"])
assert set(ds.dims) == {"beta1", "beta2"} and ds.attrs["sequence"] == "zhang2022:n=10,a=1"
assert set(np.unique(ds["classification"].values)) <= {0, 1, 2, 3}

# %% [markdown]
# The stored distance is $|x_{T+1} - x^*|$ of exactly the run `octk.simulate` gives for that
# cell:

# %%
b1, b2 = float(ds.beta1[-1]), float(ds.beta2[-1])
one = octk.simulate(
    adam,
    seq,
    "reals",
    steps=T,
    x0=-1.0,
    backend="numba",
    params={"alpha": 0.1, "beta1": b1, "beta2": b2},
)
print(
    f"cell β1 = {b1:.3g}, β2 = {b2:.6g}: x_T = {one.x_final[0, 0]:.6g}, "
    f"distance {float(ds.distance.sel(beta1=b1, beta2=b2)):.6g}"
)
assert abs(float(ds.distance.sel(beta1=b1, beta2=b2)) - abs(one.x_final[0, 0] + 2)) < 1e-12

# %% [markdown]
# ## The phase diagrams
#
# The curve $\beta_1 = \sqrt{\beta_2}$ is the SymPy relation `Eq(beta1, sqrt(beta2))`
# (boundary `sqrt-beta2` of `octk.plots.boundaries`) solved for the plotted axes.

# %%
fig = phase(
    ds,
    "distance",
    x="beta1",
    y="beta2",
    boundaries=["sqrt-beta2"],
    path=os.path.join(OUT, "distance.png"),
)
display(fig)

# %%
fig = phase(
    ds,
    "classification",
    x="beta1",
    y="beta2",
    boundaries=["sqrt-beta2", "rkk"],
    path=os.path.join(OUT, "classification.png"),
)
display(fig)

# %% [markdown]
# ## The T-dependence
#
# The same sweep at $4T$; cells whose class changed are hatched (any boolean mask can be
# hatched: certified limit cycles, a changed verdict, ...).

# %%
longer = octk.sweep(
    adam,
    seq,
    "reals",
    steps=4 * T,
    grid=grid,
    params={"alpha": 0.1},
    x0=-1.0,
    measures=("drift", "classification"),
    backend="numba",
)
changed = longer["classification"] != ds["classification"]
print(
    f"{int(changed.sum())} of {changed.size} cells changed class between T = {T:,} and "
    f"4T = {4 * T:,}"
)
fig = phase(
    longer,
    "classification",
    x="beta1",
    y="beta2",
    boundaries=["sqrt-beta2"],
    hatch=changed,
    hatch_label="class changed since T",
    path=os.path.join(OUT, "classification_4T.png"),
)
display(fig)

# %% [markdown]
# ## From the command line
#
# The store redraws with `octk plot phase` (here the drift, the log-log slope of
# $|x_t - x^*|$ between T/2 and T):

# %%
png = os.path.join(OUT, "drift.png")
args = f"plot phase {store} --measure drift --x beta1 --y beta2 --boundary sqrt-beta2"
cmd = [sys.executable, "-m", "octk", *args.split(), "--out", png, "--force"]
print(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
assert xr.open_zarr(store, consolidated=False)["drift"].shape == (N, N)
display(Image(png))

# %% [markdown]
# ## A certified layer: Bock & Weiß's limit cycle
#
# On the quadratic $f(w) = c\,w^2/2$, Adam without bias correction and with $\varepsilon = 0$
# has the 2-cycle $\pm w^*$, $|w^*| = \alpha(1-\beta_1)/(2(1+\beta_1))$ (Bock & Weiß 2019).
# `proofs.limit_cycles.certified_attracting` decides *exactly*, cell by cell, whether the
# cycle is attracting (spectral radius of the 2-step map's Jacobian below 1, by Schur–Cohn
# on its characteristic polynomial with the grid's decimals as rationals). The sweep below
# plays $g_t = c\,x_t$ (the sequence `expr:c=x` with c = 1 on the reals) and the hatch
# marks the certified cells. "Attracting" is local: the count below says where the run
# from x0 = 0.5 ends on the cycle (|x_T| = |w*|), certified or not.

# %%
from proofs.limit_cycles import certified_attracting

b1 = np.round(np.linspace(0.0, 0.9, 10 if SCALE >= 0.1 else 4), 2)
b2 = np.array([0.2, 0.5, 0.8, 0.9, 0.95, 0.99, 0.999])
plain = rule("adam", bias_correction_m=False, bias_correction_v=False)
alpha = 0.01
cycles = octk.sweep(
    plain,
    "expr:c=x",
    "reals",
    steps=max(2000, round(20_000 * SCALE)),
    grid={"beta1": b1, "beta2": b2},
    params={"alpha": alpha, "eps": 0.0},
    x0=0.5,
    measures=("x_final", "classification"),
    backend="numba",
)
fig = phase(
    cycles,
    "classification",
    x="beta1",
    y="beta2",
    hatch=certified_attracting,
    hatch_label="2-cycle certified attracting",
    path=os.path.join(OUT, "limit_cycles.png"),
)
display(fig)
B1, B2 = np.meshgrid(b1, b2, indexing="ij")
certified = certified_attracting(B1, B2)
w_star = alpha * (1 - B1) / (2 * (1 + B1))
on_cycle = np.abs(np.abs(cycles["x_final"].values) - w_star) < 1e-9
print(
    f"{int(certified.sum())} cells certified attracting; the run from x0 = 0.5 ends on the "
    f"cycle in {int((on_cycle & certified).sum())} of them and in "
    f"{int((on_cycle & ~certified).sum())} cells that are not certified"
)
# an attracting cycle is local: a run may still settle elsewhere (at β2 = 0.999 it decays
# to 0). The converse is what the certificate gives: a run that ends on the cycle does so
# where it attracts.
assert not np.any(on_cycle & ~certified)
assert np.any(on_cycle & certified)
