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
# # Kingma & Ba, checked exactly: bias correction, the step size, and two limits
#
# Every statement below is a **claim** of octk's `proofs/` package, checked on the SymPy
# program of an octk rule, the same program the simulators are generated from. A verdict is
# exact:
#
# * **proved**: an identity reduced to 0, a closed-form sum (telescoping), an induction (base
#   case and step), a limit computed by SymPy, or a sign with a certificate (non-negative
#   coefficients, a sum of non-negative terms);
# * **refuted**: with a counterexample of exact rational values, confirmed exactly (running the
#   rule on rationals where it is a gradient sequence);
# * **undecided**: otherwise. Floating-point runs illustrate; they never prove.
#
# Sections: §3 bias correction (eqs 1–4), §2 the "more efficient order", §2.1 the effective
# step and its bounds, §5 AdaGrad as a limit, §7.1 AdaMax as a limit. `octk verify --claim
# bias` (or `order`, `step`, `limits`) runs the same checks from the command line.

# %% tags=["parameters"]
# Parameters (`python notebooks/build.py` and the tests set them in a cell after this one)
OUT = "bias-correction-out"  # folder for the figures, below the working folder

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
import sympy as sp
from IPython.display import Markdown, Math, display

import octk
import proofs
from octk.rules import rule
from proofs import mutations

os.makedirs(OUT, exist_ok=True)
RESULTS = {}


def show(name, steps=True):
    # check one claim on its paper rule, display it, and assert the expected verdict
    (claim,) = [c for c in proofs.claims() if c.name == name]
    res = RESULTS[name] = claim.run()
    display(Markdown(res.markdown(steps=steps)))
    assert res.ok, (name, res.outcome.verdict, res.outcome.detail)
    return res.outcome


# %% [markdown]
# ## The rules, as octk runs them
#
# Adam (K&B Algorithm 1), its "efficient order" with a constant $\hat\epsilon$ (octk's
# `eps_mode='hat'`), and AdaMax (Algorithm 2), rendered from the SymPy programs:

# %%
for label, r in [
    ("Adam (Algorithm 1)", rule("adam")),
    ("Adam, efficient order", rule("adam", eps_mode="hat")),
    ("AdaMax (Algorithm 2)", rule("adamax")),
]:
    display(Markdown(f"**{label}**"))
    display(Math(r.latex()))

# %% [markdown]
# ## §3 — Bias correction
#
# The unrolled moments come from the rule's own recurrences by induction (base case $t = 1$ and
# the step, with the sums aligned by index).

# %%
show("bias.v_unrolled")
show("bias.m_unrolled")
# %% [markdown]
# With a stationary second moment, $\mathbb{E}[g_i^2] = \sigma^2$, the expectation is
# linear: replace $g_i^2$ by $\sigma^2$ in the proved sum and sum the geometric series
# (telescoping). Then the rule's `vhat`, with $v_{t-1}$ replaced by its expectation, is
# unbiased; the same for $m$ and `mhat`.

# %%
show("bias.v_expectation")
show("bias.vhat_unbiased")
show("bias.m_expectation", steps=False)
show("bias.mhat_unbiased", steps=False)
# %% [markdown]
# Without stationarity the bias is a term $\zeta_t$. The paper says it "can be kept small
# since the exponential decay rate $\beta_1$ can (and should) be chosen such that the EMA assigns
# small weights to gradients too far in the past". The rule says the weights are
# $(1-\beta_2)\beta_2^{t-i}$: the rate meant is $\beta_2$. Read literally with $\beta_1$, the
# statement fails already at $t = 2$.

# %%
show("bias.zeta_weights")
show("bias.zeta_beta1")
# %% [markdown]
# The bias correction matters: drop it from the rule (a *mutation*) and the same check
# refutes $\mathbb{E}[\hat v_t] = \sigma^2$, with an exact counterexample.

# %%
claim = proofs.claims("bias.vhat_unbiased")[0]
out = claim.check(mutations.drop_bias_correction(rule("adam")))
print(out.verdict.value, out.counterexample_text(), "|", out.detail)
assert out.refuted

# %% [markdown]
# ## §2 — The "more efficient order"
#
# K&B suggest replacing the last three lines of Algorithm 1 by
# $\alpha_t = \alpha\sqrt{1-\beta_2^t}/(1-\beta_1^t)$,
# $\theta_t = \theta_{t-1} - \alpha_t m_t/(\sqrt{v_t}+\hat\epsilon)$. Comparing the `delta` of
# `rule("adam")` with that of `rule("adam", eps_mode="hat")`: the two are the same algorithm
# exactly when $\hat\epsilon = \epsilon\sqrt{1-\beta_2^t}$, which changes with $t$; a constant
# $\hat\epsilon = \epsilon$ (what TensorFlow implements) is a different algorithm, visibly so at
# $t = 1$.

# %%
show("order.eps_hat_scaled")
show("order.eps_hat_unique")
show("order.eps_hat_constant")
show("order.eps_zero", steps=False)
show("order.hat_preset_form", steps=False)
# %% [markdown]
# ## §2.1 — The effective step $\Delta_t = \alpha\hat m_t/\sqrt{\hat v_t}$ (ε = 0)
#
# **The single spike** (a gradient that was zero at every earlier step): from the rule's
# `delta` at $m_{t-1} = v_{t-1} = 0$, $|\Delta_t| = \alpha R_t$ exactly, with a $t$-dependence
# that tends to 1. The paper's case split holds for this sequence at every $t$ — proved with the
# power-mean inequality $\beta_1^t + (2-\beta_1)^t \ge 2$ (non-negative increments).

# %%
show("step.spike_exact")
show("step.spike_limit", steps=False)
show("step.spike_case1")
show("step.spike_case2", steps=False)
# %% [markdown]
# **Scale invariance**: $g \to c\,g$ scales $m$ by $c$ and $v$ by $c^2$ (induction on the
# rule's updates), so the step on $c\,g$ with $\epsilon$ equals the step on $g$ with
# $\epsilon/c$: invariant when $\epsilon = 0$.

# %%
show("step.scale_invariance")
# %% [markdown]
# **The spike is not the worst case.** Cauchy–Schwarz on the unrolled sums (written as a
# sum of squares, $\sum_k(\lambda a_k - b_k)^2 \ge 0$ with $\lambda = C/A$) bounds
# $|\hat m_t|/\sqrt{\hat v_t}$ for every gradient sequence when $\beta_1^2 < \beta_2$, and the
# bound is attained by $g_i = (\beta_1/\beta_2)^{t-i}$. At the paper's defaults it is
# $\sqrt{370/7} \approx 7.27$, not the 3.16 of the paper's first case (observation).

# %%
from proofs.step_bounds import b1, b2, cs_limit_value

show("step.cauchy_schwarz")
show("step.cauchy_schwarz_tight", steps=False)
out = show("step.cs_value_defaults", steps=False)
value = cs_limit_value().xreplace({b1: sp.Rational(9, 10), b2: sp.Rational(999, 1000)})
display(
    Math(
        r"\frac{1-\beta_1}{\sqrt{1-\beta_2}\sqrt{1-\beta_1^2/\beta_2}} = "
        + sp.latex(sp.nsimplify(value))
        + r" \approx "
        + f"{float(value):.4f}"
    )
)
assert abs(float(value) - 7.2703) < 1e-4

# %% [markdown]
# Hence the paper's bounds, read as statements about every gradient sequence, are false.
# The counterexamples are found by running the rule on exact rationals: the prefix
# $g_1..g_t$ of $g_k = (\beta_2/\beta_1)^k$ is, up to scale, the equality case of
# Cauchy–Schwarz for horizon $t$.

# %%
show("step.at_most_alpha")
show("step.paper_bound")
show("step.equality_case")
# %% [markdown]
# **A numeric illustration** (float64, the reference backend): Adam at its defaults with
# $\epsilon = 0$ on linear losses $f_t(x) = g_t x$ over $\mathbb{R}$, so that
# $\Delta_t = x_t - x_{t+1}$. The Cauchy–Schwarz sequence for horizon $T$ crosses $\alpha$ at
# $t = 2$ and the paper's $3.16\alpha$ at $t = 210$; the spike stays under both; random
# $\pm 1$ gradients stay far below.

# %%
from octk.sequences.catalog import array

T = 300
beta1, beta2, alpha = 0.9, 0.999, 1e-3
runs = {
    "Cauchy–Schwarz sequence g_k = (β2/β1)^k": (beta2 / beta1) ** np.arange(1, T + 1),
    "single spike at t (zeros before)": np.eye(T),  # coordinate i: one spike, at step i
    "random ±1": np.random.default_rng(0).choice([-1.0, 1.0], size=T),
}
ratios = {}
for label, gs in runs.items():
    data = gs.reshape(T, -1)
    tr = octk.simulate(
        "adam",
        array(data),
        "reals",
        steps=T,
        x0=0.0,
        params={"eps": 0.0},
        checkpoints="all",
        backend="reference",
    )
    x = np.concatenate([np.zeros((1, data.shape[1])), tr.x[0]], axis=0)
    steps = np.abs(np.diff(x, axis=0)) / alpha  # (T, d): |Δ_t| / α per coordinate
    # one coordinate, or (the spikes) coordinate t at its own step t
    ratios[label] = steps[:, 0] if data.shape[1] == 1 else np.diag(steps)

cs = ratios["Cauchy–Schwarz sequence g_k = (β2/β1)^k"]
paper = (1 - beta1) / np.sqrt(1 - beta2)
first = int(np.argmax(cs > paper)) + 1
print(f"|Δ_2|/α = {cs[1]:.5f};  first t with |Δ_t| > {paper:.4f} α: {first}")
assert cs[1] > 1 and first == 210
t_ = np.arange(1, T + 1)
spike = ratios["single spike at t (zeros before)"]
R_t = (1 - beta1) * np.sqrt(1 - beta2**t_) / ((1 - beta1**t_) * np.sqrt(1 - beta2))
assert np.allclose(spike, R_t, rtol=1e-12) and np.all(spike <= paper)

fig, ax = plt.subplots(figsize=(7, 4))
for label, r in ratios.items():
    ax.plot(np.arange(1, T + 1), r, label=label)
gamma = beta1**2 / beta2
bound = (
    (1 - beta1)
    * np.sqrt((1 - gamma**t_) / (1 - gamma))
    * np.sqrt(1 - beta2**t_)
    / ((1 - beta1**t_) * np.sqrt(1 - beta2))
)
ax.plot(t_, bound, "k--", label="Cauchy–Schwarz bound (attained)")
ax.axhline(1, color="grey", lw=0.8)
ax.axhline(paper, color="grey", lw=0.8, ls=":")
ax.set_xlabel("t")
ax.set_ylabel("|Δ_t| / α")
ax.set_yscale("log")
ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig(os.path.join(OUT, "step_bounds.png"), dpi=120)
assert np.allclose(ratios["Cauchy–Schwarz sequence g_k = (β2/β1)^k"][-1], bound[-1], rtol=1e-9)

# %% [markdown]
# ## §5 — AdaGrad as the limit $\beta_2 \to 1$
#
# From the rule's `vhat` and its unrolled $v_t$, every weight of $\hat v_t$ tends to $1/t$; with
# $\beta_1 = 0$, $\epsilon = 0$ and $\alpha_t = \alpha/\sqrt t$ the step tends to
# $\alpha g_t/\sqrt{\sum_{i\le t} g_i^2}$, which is `rule("adagrad")`'s step. Without the bias
# correction the weights tend to 0 and the step blows up.

# %%
show("limits.adagrad_vhat")
show("limits.adagrad_step")
show("limits.uncorrected_diverges", steps=False)
# %% [markdown]
# ## §7.1 — AdaMax as the limit $p \to \infty$
#
# Adam's update of $v$ with $\beta_2 \to \beta_2^p$ and $g^2 \to |g|^p$ (eq. 6) unrolls to an
# $L^p$ norm; its $p$-th root tends to the max norm (squeeze between $M$ and $t^{1/p} M$), and the
# rule `adamax`'s update $u_t = \max(\beta_2 u_{t-1}, |g_t|)$ computes exactly that maximum
# (induction over the maximum's terms).

# %%
show("limits.adamax_lp_unrolled", steps=False)
show("limits.adamax_lp_limit")
show("limits.adamax_recurrence")
# %% [markdown]
# The paper adds that AdaMax's step has "a simpler bound": $|\Delta_t| \le \alpha$. It is
# off by a little: $g_i \propto \beta_2^{i}$ makes every term of the max equal, and then
# $|\Delta_t|/\alpha$ reaches $(1-\beta_1)(1-r^t)/((1-r)(1-\beta_1^t))$, $r = \beta_1/\beta_2$,
# which exceeds 1 from $t = 2$ and tends to $111/110$ at the defaults.

# %%
show("limits.adamax_step_alpha")
show("limits.adamax_step_bound")
show("limits.adamax_bound_defaults", steps=False)
# %% [markdown]
# ## Every proof can fail: the mutations
#
# Each claim is checked again on perturbed rules (drop the bias correction, swap $\beta_1$ and
# $\beta_2$, use $1-\beta_1$ in the update of $v$, move $\epsilon$ inside the root, replace
# AdaMax's max by the current value, $g^2 \to |g|$, double the step). A mutation a claim must
# detect never gets `proved`; the others show what the claim does *not* depend on.

# %%
import importlib

FAMILIES = ("bias_correction", "efficient_order", "step_bounds", "limits")
names = list(mutations.ALL_MUTATIONS)


def cell(text):
    return str(text).replace("|", "\\|")  # a literal bar inside a Markdown table


rows = ["| claim | " + " | ".join(map(cell, names)) + " |", "|---" * (len(names) + 1) + "|"]
short = {"proved": "P", "refuted": "R", "undecided": "U"}
for fam in FAMILIES:
    mod = importlib.import_module(f"proofs.{fam}")
    for claim in mod.CLAIMS:
        cells = []
        for m in names:
            try:
                mutated = mutations.ALL_MUTATIONS[m](claim.rule())
            except ValueError:
                cells.append("·")
                continue
            v = claim.check(mutated).verdict.value
            must = m in mod.DETECTS.get(claim.name, ())
            if must:
                assert v != "proved", (claim.name, m)
            cells.append(f"**{short[v]}**" if must else short[v])
        rows.append(f"| `{claim.name}` | " + " | ".join(cells) + " |")
display(Markdown("\n".join(rows)))
display(
    Markdown(
        "P proved, R refuted, U undecided, · does not apply; **bold**: the claim "
        "must detect this mutation."
    )
)

# %% [markdown]
# ## Summary

# %%
lines = ["| claim | source | verdict | expected | s |", "|---|---|---|---|---|"]
for name, res in RESULTS.items():
    lines.append(
        f"| `{name}` | {cell(res.claim.source)} | {res.outcome.verdict.value} | "
        f"{res.claim.expected.value} | {res.seconds:.2f} |"
    )
display(Markdown("\n".join(lines)))
expected = {c.name for fam in FAMILIES for c in importlib.import_module(f"proofs.{fam}").CLAIMS}
assert set(RESULTS) == expected, expected - set(RESULTS)
assert all(r.ok for r in RESULTS.values())
