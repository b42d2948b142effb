r"""One general adaptive method, of which every named rule is a setting.

RKK's generic adaptive method (RKK §2, Algorithm 1) is

.. math::

    m_t = \phi_t(g_1..g_t), \quad V_t = \psi_t(g_1..g_t), \quad
    x_{t+1} = \Pi_{F,\sqrt{V_t}}(x_t - \alpha_t m_t / \sqrt{V_t}).

:func:`adaptive` builds it from small pieces, each an option:

* the step size α_t (:func:`step_size`): α, α/√t, or α/(1+(t−1)·lr_decay);
* the first moment: none (m_t = g_t) or an EMA with β1 or β1,t = β1 λ^(t−1);
* the second moment: none, an EMA with β2 (Adam), the running mean β2,t = 1 − 1/t
  (AdamNC), the running sum (AdaGrad) or the decayed max (AdaMax);
* AMSGrad's running max, over v or over the bias-corrected v̂;
* bias correction of each moment, 1/(1 − β^t);
* where ε sits: outside the square root, inside it, K&B's ε̂ form, or nowhere.

Optimizers are therefore options of one program, never copies.
"""

from __future__ import annotations

import sympy as sp

from octk.errors import ParameterError, check_choice
from octk.rules.rule import Hyperparameter, Rule, State, guarded_step, hyper_symbol
from octk.symbols import g, t, x

SCHEDULES = ("constant", "sqrt", "inverse")
BETA1_SCHEDULES = ("constant", "decay")
FIRST_MOMENTS = ("none", "ema")
SECOND_MOMENTS = ("none", "ema", "mean", "sum", "max")
AMSGRAD = ("off", "v", "vhat")
EPS_MODES = ("outside", "inside", "hat", "none")
MAX_EPS = ("off", "abs")

alpha, beta1, beta2, eps, lam, lr_decay, v0 = (
    hyper_symbol(n) for n in ("alpha", "beta1", "beta2", "eps", "lam", "lr_decay", "v0")
)


def step_size(schedule: str) -> sp.Expr:
    r"""The step size α_t.

    ``constant``: α_t = α.  ``sqrt``: α_t = α/√t (RKK Theorem 4, K&B Theorem 4.1,
    Zinkevich).  ``inverse``: α_t = α/(1 + (t−1)·lr_decay) (torch.optim.Adagrad).
    """
    check_choice("schedule", schedule, SCHEDULES)
    if schedule == "constant":
        return alpha
    if schedule == "sqrt":
        return alpha / sp.sqrt(t)
    return alpha / (1 + (t - 1) * lr_decay)


def beta1_t(schedule: str) -> sp.Expr:
    r"""The momentum weight β1,t: β1 (``constant``) or β1 λ^(t−1) (``decay``, K&B Theorem 4.1)."""
    check_choice("beta1_schedule", schedule, BETA1_SCHEDULES)
    return beta1 if schedule == "constant" else beta1 * lam ** (t - 1)


def _hyper(name: str, default: float) -> Hyperparameter:
    table = {
        "alpha": ("step size α (α_t is built from it by the schedule)", 0.0, None, True, False),
        "beta1": ("first-moment decay β1", 0.0, 1.0, False, True),
        "beta2": ("second-moment decay β2", 0.0, 1.0, False, True),
        "eps": ("ε, the denominator's safeguard", 0.0, None, False, False),
        "lam": ("λ of the momentum schedule β1,t = β1 λ^(t−1)", 0.0, 1.0, True, True),
        "lr_decay": ("decay of α_t = α/(1 + (t−1)·lr_decay)", 0.0, None, False, False),
        "v0": ("initial value of the second-moment accumulator", 0.0, None, False, False),
    }
    doc, lo, hi, lo_open, hi_open = table[name]
    return Hyperparameter(name, default, doc, lo=lo, hi=hi, lo_open=lo_open, hi_open=hi_open)


def adaptive(
    *,
    name: str,
    title: str,
    source: str,
    defaults: dict[str, float],
    schedule: str = "constant",
    first_moment: str = "ema",
    beta1_schedule: str = "constant",
    second_moment: str = "ema",
    amsgrad: str = "off",
    bias_correction_m: bool = True,
    bias_correction_v: bool = True,
    eps_mode: str = "outside",
    max_eps: str = "off",
    preset: str = "paper",
    options: dict | None = None,
) -> Rule:
    r"""Build the program of a generic adaptive method (see the module docstring).

    ``defaults`` gives the value of each hyperparameter the chosen pieces use;
    ``max_eps='abs'`` adds ε to |g_t| inside AdaMax's max (torch's Adamax).
    """
    check_choice("schedule", schedule, SCHEDULES)
    check_choice("first_moment", first_moment, FIRST_MOMENTS)
    check_choice("beta1_schedule", beta1_schedule, BETA1_SCHEDULES)
    check_choice("second_moment", second_moment, SECOND_MOMENTS)
    check_choice("amsgrad", amsgrad, AMSGRAD)
    check_choice("bias_correction_m", bias_correction_m, (True, False))
    check_choice("bias_correction_v", bias_correction_v, (True, False))
    check_choice("eps_mode", eps_mode, EPS_MODES)
    check_choice("max_eps", max_eps, MAX_EPS)
    if eps_mode == "hat" and not (bias_correction_m and bias_correction_v):
        raise ParameterError(
            "eps_mode='hat' (K&B's efficient order) folds both bias corrections into α_t; "
            "it needs bias_correction_m=True and bias_correction_v=True"
        )
    if eps_mode == "hat" and amsgrad != "off":
        raise ParameterError(
            "eps_mode='hat' is K&B's form of Adam; it cannot be combined with amsgrad"
        )
    if amsgrad != "off" and second_moment != "ema":
        raise ParameterError(f"amsgrad={amsgrad!r} needs second_moment='ema'")
    if second_moment in ("none", "sum", "mean", "max") and bias_correction_v:
        bias_correction_v = False  # nothing to correct: no β2 EMA
    if first_moment == "none":
        bias_correction_m = False
    if first_moment == "none" and beta1_schedule != "constant":
        raise ParameterError("beta1_schedule='decay' needs a first moment (first_moment='ema')")
    if second_moment == "none" and eps_mode not in ("none",):
        eps_mode = "none"

    used = {"alpha"}
    state: list[State] = []
    program: list[tuple[sp.Symbol, sp.Expr]] = []

    def assign(name_: str, expr: sp.Expr) -> sp.Symbol:
        sym = sp.Symbol(name_, real=True)
        program.append((sym, expr))
        return sym

    a_t = step_size(schedule)
    if schedule == "inverse":
        used.add("lr_decay")

    # first moment
    if first_moment == "ema":
        used.add("beta1")
        b1 = beta1_t(beta1_schedule)
        if beta1_schedule == "decay":
            used.add("lam")
        state.append(State("m", sp.Integer(0), "first moment (EMA of g)"))
        m = assign("m", b1 * sp.Symbol("m", real=True) + (1 - b1) * g)
        mhat = assign("mhat", m / (1 - beta1**t)) if bias_correction_m else m
    else:
        mhat = g

    # second moment
    vsym = sp.Symbol("v", real=True)
    denom_base = None
    if second_moment == "ema":
        used.add("beta2")
        state.append(State("v", sp.Integer(0), "second moment (EMA of g²)"))
        v = assign("v", beta2 * vsym + (1 - beta2) * g**2)
        if amsgrad == "v":
            state.append(State("vmax", sp.Integer(0), "running max of v (AMSGrad)"))
            vmax = assign("vmax", sp.Max(sp.Symbol("vmax", real=True), v))
            denom_base = assign("vhat", vmax / (1 - beta2**t)) if bias_correction_v else vmax
        elif amsgrad == "vhat":
            state.append(State("vmax", sp.Integer(0), "running max of v̂ (AMSGrad, optax form)"))
            vh = assign("vhat", v / (1 - beta2**t)) if bias_correction_v else v
            denom_base = assign("vmax", sp.Max(sp.Symbol("vmax", real=True), vh))
        else:
            denom_base = assign("vhat", v / (1 - beta2**t)) if bias_correction_v else v
    elif second_moment == "mean":
        state.append(State("v", sp.Integer(0), "running mean of g² (β2,t = 1 − 1/t)"))
        denom_base = assign("v", (1 - 1 / t) * vsym + g**2 / t)
    elif second_moment == "sum":
        used.add("v0")
        state.append(State("v", v0, "running sum of g² (AdaGrad's accumulator)"))
        denom_base = assign("v", vsym + g**2)
    elif second_moment == "max":
        used.add("beta2")
        state.append(State("u", sp.Integer(0), "decayed max of |g| (AdaMax)"))
        inner = sp.Abs(g) + eps if max_eps == "abs" else sp.Abs(g)
        if max_eps == "abs":
            used.add("eps")
        u = assign("u", sp.Max(beta2 * sp.Symbol("u", real=True), inner))

    # denominator
    scale = sp.Integer(1)
    if second_moment == "max":
        if eps_mode == "outside":
            used.add("eps")
            den = u + eps
        else:
            den = u
    elif second_moment == "none":
        den = sp.Integer(1)
    elif eps_mode == "outside":
        used.add("eps")
        den = sp.sqrt(denom_base) + eps
    elif eps_mode == "inside":
        used.add("eps")
        den = sp.sqrt(denom_base + eps)
    elif eps_mode == "hat":
        # K&B §2: alpha_t = alpha sqrt(1 - beta2^t) / (1 - beta1^t),
        #         theta -= alpha_t m / (sqrt(v) + eps_hat)
        used.add("eps")
        scale = sp.sqrt(1 - beta2**t) / (1 - beta1**t)
        mhat = program[[str(s) for s, _ in program].index("m")][0]
        program[:] = [(s, e) for s, e in program if s.name not in ("mhat", "vhat")]
        den = sp.sqrt(vsym) + eps
    else:
        den = sp.sqrt(denom_base)

    if den == 1:
        step = a_t * scale * mhat
        guard = sp.true
    else:
        guard = sp.StrictGreaterThan(den, 0)
        step = guarded_step(a_t * scale * mhat / den, guard)
    delta = assign("delta", step)
    program.append((x, x - delta))

    hypers = tuple(_hyper(n, defaults[n]) for n in _ORDER if n in used)
    missing = used - set(defaults)
    if missing:  # pragma: no cover - a catalog bug, caught by the registry test
        raise KeyError(f"rule {name!r}: no default for {sorted(missing)}")
    return Rule(
        name=name,
        title=title,
        source=source,
        hyperparameters=hypers,
        state=tuple(state),
        program=tuple(program),
        options=dict(options or {}),
        preset=preset,
        guard=guard,
    )


_ORDER = ("alpha", "beta1", "beta2", "eps", "lam", "lr_decay", "v0")
