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
# # Kingma & Ba's Theorem 4.1, its proof step by step, and the step that fails
#
# **Theorem 4.1** (K&B, with α_t = α/√t, β1,t = β1λ^(t−1), γ = β1²/√β2 < 1, bounded gradients
# G, G∞ and iterates D, D∞): for all T ≥ 1, the inequality printed (after the imports) from
# `octk.theorems.kingma_ba.THM_4_1`, where its right-hand side is written once: the same terms
# `octk check` evaluates and the claims below check.
#
# Every statement below is a **claim** of octk's `proofs/` package, checked on the SymPy
# program of an octk rule (the same program the simulators are generated from). A verdict is
# exact: **proved** (an identity reduced to 0, a telescoping sum, an induction, a limit, or a
# sign with a certificate: non-negative coefficients, a sum of squares, a root count by Sturm
# sequences), **refuted** (with exact values, confirmed by running the rule on rationals or by
# an exact sign: squaring, or outward-rounded interval arithmetic), or **undecided**.
# Floating-point runs illustrate; they never prove.
#
# `octk verify --claim t41` (or `flawed`, `rkk`, `ams`) runs the same checks from the command
# line.

# %% tags=["parameters"]
# Parameters (`python notebooks/build.py` and the tests set them in a cell after this one)
SCALE = 1.0  # multiplies every T (the test suite runs the notebook at 0.02)
OUT = "theorem-4-1-out"  # folder for the figures, below the working folder

# %%
import importlib
import os

import matplotlib.pyplot as plt
import numpy as np
import sympy as sp
from IPython.display import Markdown, Math, display

import octk
import proofs
from octk.monitors import gamma_monitors
from octk.rules import rule
from octk.theorems.kingma_ba import THM_4_1
from proofs import mutations
from proofs.claim import Verdict

os.makedirs(OUT, exist_ok=True)
RESULTS = {}
display(Math(THM_4_1.latex()))


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
# Adam with the theorem's schedules (α_t = α/√t, β1,t = β1λ^(t−1)) and AMSGrad (RKK
# Algorithm 2), rendered from their SymPy programs:

# %%
for label, r in [
    ("Adam, Theorem 4.1's schedules", rule("adam", schedule="sqrt", beta1_schedule="decay")),
    ("AMSGrad (RKK Algorithm 2)", rule("amsgrad")),
]:
    display(Markdown(f"**{label}**"))
    display(Math(r.latex()))

# %% [markdown]
# ## Lemma 10.3
#
# $\sum_{t\le T}\sqrt{g_t^2/t} \le 2G_\infty\|g_{1:T}\|_2$, "by induction on T". Its base case
# needs $G_\infty \ge 1/2$; but the right side is quadratic in the scale of $g$ and the left
# side linear, and with $g_t = G_\infty/\lceil\sqrt t\,\rceil$ (close to the Cauchy–Schwarz
# extremal $g_t \propto 1/\sqrt t$) it fails for $G_\infty = 1$ too, at $T = 32$.

# %%
show("t41.lemma_10_3")
show("t41.lemma_10_3_large_G", steps=False)
show("t41.lemma_10_3_scale")
# %% [markdown]
# ## The scale-free replacement
#
# $\sum_t |g_t|/\sqrt t \le \sqrt{1+\log T}\,\|g_{1:T}\|_2$: Cauchy–Schwarz (proved by induction
# as Lagrange's identity, a sum of squares) and $\sum_{t\le T} 1/t \le 1 + \log T$ (induction; the
# step $\log(1+x) \ge x/(1+x)$ is certified by its value at 0 and the sign of its derivative,
# a rational function, by Sturm sequences). This is the $\sqrt{1+\log T}$ of RKK's Theorem 4.

# %%
show("t41.harmonic_log")
show("t41.scale_free")
# %% [markdown]
# ## Lemma 10.4
#
# Stated with the constant $2/((1-\gamma)\sqrt{1-\beta_2})$; its proof ends at
# $2G_\infty/((1-\gamma)^2\sqrt{1-\beta_2})$, which is what the theorem uses. The chain's
# constants are read from the rule: the bias factor of $\hat m_t^2/\sqrt{\hat v_t}$, the weights of
# $g$ in $m$ and of $g^2$ in $v$, $\gamma$ from the decay rates, the arithmetic–geometric sum,
# and Lemma 10.3's $2G_\infty$. Then both forms are run against the rule itself.

# %%
show("t41.bias_factor")
show("t41.agm_sum")
show("t41.lemma_10_4_chain")
show("t41.lemma_10_4_stated_constant")
show("t41.lemma_10_4_stated", steps=False)
show("t41.lemma_10_4_as_proved", steps=False)
# %% [markdown]
# ## The last term, and $\sqrt{\hat v_t}$
#
# The proof bounds $\sqrt{\hat v_{t,i}} \le G_\infty\sqrt{1-\beta_2}$ — false with bias
# correction ($\hat v_1 = g_1^2$, read from the rule) — where $\sqrt{\hat v_{t,i}} \le G_\infty$
# holds (an invariant of the rule's update).

# %%
show("t41.last_term")
show("t41.vhat_le_G_sqrt")
show("t41.vhat_le_G")
# %% [markdown]
# ## Assembly and dimensions
#
# The three terms of the statement follow from the pieces as the proof uses them (the
# algebra is right; the pieces refuted above and the flawed step below are not). Scaling
# $x \to a x$ and $g \to b g$ (with α's scaling derived from the rule's update), the regret
# scales as $a\,b$; the second term as $a\,b^2$.

# %%
show("t41.assembly")
show("t41.dimension")
# %% [markdown]
# ## The flawed step: $\Gamma_t \ge 0$
#
# Summing the per-step inequality leaves
# $\sum_{t\ge2} (\theta_t-\theta^*)^2\,\Gamma_t/(2(1-\beta_1))$ with
# $\Gamma_t = \sqrt{\hat v_t}/\alpha_t - \sqrt{\hat v_{t-1}}/\alpha_{t-1}$, and the proof replaces
# each $(\theta_t - \theta^*)^2$ by $D^2$ — valid only if every $\Gamma_t \ge 0$ (RKK's eq. 2).
# octk reads $\Gamma_t = 1/\eta_t - 1/\eta_{t-1}$ from the rule's effective step $\eta_t$ (the
# derivative of its `delta` with respect to the first moment). On RKK's Theorem 1 sequence
# ($C = 3$, $\beta_1 = 0$, $\beta_2 = 1/10$, $\epsilon = 0$), iterating Adam exactly from
# $v_0 = 0$:

# %%
out = show("flawed.adam_rkk")
gamma_2 = sp.sqrt(sp.Rational(38, 11)) - 3
display(Math(r"\alpha\,\Gamma_2 = " + sp.latex(gamma_2) + rf" \approx {float(gamma_2):.4f} < 0"))
assert out.counterexample["t"] == 2
show("flawed.adam_rkk_cycle")
for name in ("flawed.amsgrad", "flawed.adagrad", "flawed.ogd", "flawed.rmsprop"):
    show(name)

# %% [markdown]
# ## On a run: the negative $\Gamma_t$'s
#
# Adam (Numba backend) on the same sequence with α = 0.1, keeping octk's Γ monitors (count of
# $\Gamma_t < 0$, the first such $t$); the weights are recomputed in NumPy from the sequence as a
# cross-check. AMSGrad on the same sequence never has a negative weight.

# %%
T = max(300, int(30_000 * SCALE))
adam = rule("adam", schedule="sqrt")
params = {"alpha": 0.1, "beta1": 0.0, "beta2": 0.1, "eps": 0.0}
traj = octk.simulate(
    adam,
    "reddi-thm1:C=3",
    "box:-1,1",
    steps=T,
    x0=0.0,
    params=params,
    checkpoints="all",
    monitors=gamma_monitors(adam),
    backend="numba",
)
neg = int(traj.monitors["gamma_neg"][0, -1, 0])
first = int(traj.monitors["gamma_first"][0, -1, 0])

# the same weights in NumPy: v_t, v̂_t = v_t/(1 − β2^t), W_t = √t √v̂_t / α
t = np.arange(1, T + 1)
g = np.where(t % 3 == 1, 3.0, -1.0)
v = np.zeros(T)
acc = 0.0
for k in range(T):
    acc = 0.1 * acc + 0.9 * g[k] ** 2
    v[k] = acc
W = np.sqrt(t) * np.sqrt(v / (1 - 0.1**t)) / params["alpha"]
gamma = np.diff(W)  # Γ_t for t = 2..T
print(
    f"T = {T:,}: Γ_t < 0 at {neg:,} of {T - 1:,} steps (first at t = {first}); "
    f"x_T = {traj.x_final[0, 0]:+.4f}"
)
assert first == 2 and neg == int(np.sum(gamma < 0))
assert neg == sum(1 for s in range(2, T + 1) if s % 3 != 1)  # two of every three

ams = rule("amsgrad")
traj_ams = octk.simulate(
    ams,
    "reddi-thm1:C=3",
    "box:-1,1",
    steps=T,
    x0=0.0,
    params={"alpha": 0.1, "beta1": 0.0, "beta2": 0.1},
    monitors=gamma_monitors(ams),
    backend="numba",
)
assert traj_ams.monitors["gamma_neg"][0, -1, 0] == 0

fig, ax = plt.subplots(1, 2, figsize=(11, 3.8))
n = min(T - 1, 60)
ts = t[1 : n + 1]
scaled = gamma[:n] * params["alpha"] / np.sqrt(ts)
ax[0].bar(ts, scaled, color=np.where(scaled < 0, "tab:red", "tab:blue"))
ax[0].axhline(0, color="k", lw=0.5)
ax[0].set_xlabel("t")
ax[0].set_ylabel(r"$\alpha\,\Gamma_t/\sqrt{t}$")
ax[0].set_title(r"Adam on RKK's sequence: two of every three $\Gamma_t < 0$")
ax[1].plot(traj.t, traj.x[0, :, 0], lw=0.8, label="Adam")
ax[1].set_xscale("log")
ax[1].set_xlabel("t")
ax[1].set_ylabel("$x_t$")
ax[1].set_title("Adam's iterate drifts to the wrong end, +1")
fig.tight_layout()
fig.savefig(os.path.join(OUT, "gamma.png"), dpi=120)
plt.show()

# %% [markdown]
# ## RKK Theorem 1's mechanism
#
# The steady 3-cycle of the rule's $v$ (solved exactly as rational functions of $C$) and the
# drift of $x$ over one period, in units of $\alpha/\sqrt{3t}$, certified for every $C > 2$:
# positive for Adam (up, to the wrong end), negative for AMSGrad.

# %%
for name in ("rkk.cycle", "rkk.drift_adam", "rkk.drift_amsgrad", "rkk.regret_rate"):
    show(name)

# %% [markdown]
# ## RKK Theorem 4 (AMSGrad) and Corollary 1
#
# RKK's γ is $\beta_1/\sqrt{\beta_2}$, not K&B's; the final version's first term has a $1/\alpha$
# (the submitted one does not, and does not scale like a regret); Corollary 1's middle term as
# printed lacks $d/\alpha$.

# %%
for name in (
    "ams.gamma_implication",
    "ams.gamma_converse",
    "ams.dimension_final",
    "ams.dimension_submitted",
    "ams.vhat_le_G",
    "ams.corollary_middle",
    "ams.corollary_printed",
):
    show(name)

# %% [markdown]
# ## Proofs that can fail: the mutation table
#
# Each rule-reading claim of the Theorem 4.1 and flawed-step families, checked on perturbed
# rules. P proved, R refuted, U undecided, · does not apply; **bold**: the claim must not be
# proved on this mutant; *italic*: the claim stays true there (the family's `HOLDS` says why).

# %%
MUTS = {**mutations.MUTATIONS, **mutations.SCHEDULE_MUTATIONS}
RULE_FREE = {
    "t41.lemma_10_3",
    "t41.lemma_10_3_large_G",
    "t41.lemma_10_3_scale",
    "t41.harmonic_log",
    "t41.scale_free",
    "t41.agm_sum",
}


def cell(text):
    return str(text).replace("|", "\\|")  # a literal bar inside a Markdown table


names = list(MUTS)
rows = ["| claim | " + " | ".join(map(cell, names)) + " |", "|---" * (len(names) + 1) + "|"]
short = {"proved": "P", "refuted": "R", "undecided": "U"}
for fam in ("theorem_4_1", "flawed_step"):
    mod = importlib.import_module(f"proofs.{fam}")
    for claim in mod.CLAIMS:
        if claim.name in RULE_FREE or claim.expected is not Verdict.PROVED:
            continue
        cells = []
        for m in names:
            try:
                mutated = MUTS[m](claim.rule())
            except ValueError:
                cells.append("·")
                continue
            v = claim.check(mutated).verdict.value
            holds = m in mod.HOLDS.get(claim.name, {})
            assert (v == "proved") == holds, (claim.name, m, v)
            cells.append(f"*{short[v]}*" if holds else f"**{short[v]}**")
        rows.append(f"| `{claim.name}` | " + " | ".join(cells) + " |")
display(Markdown("\n".join(rows)))

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
FAMILIES = ("theorem_4_1", "flawed_step", "rkk_counterexample", "amsgrad_bound")
expected = {c.name for fam in FAMILIES for c in importlib.import_module(f"proofs.{fam}").CLAIMS}
assert set(RESULTS) == expected, expected - set(RESULTS)
assert all(r.ok for r in RESULTS.values())
