"""The zoo's algorithm boxes, written again in plain NumPy from the papers.

Each function replays one paper's box on a gradient array (row t − 1 is g_t) from
``x0`` on R^d (no projection) and returns the iterates after each step, shape (T, d).
They are written from the boxes as the zoo modules' docstrings quote them, with loops
and NumPy only, never from octk's SymPy programs, so that ``test_zoo`` compares two
independent transcriptions. Where a box divides by a zero second moment (before the
first non-zero gradient) the step is 0, as octk's guard makes it.
"""

from __future__ import annotations

import numpy as np


def _safe(num, den):
    """num/den where den > 0, else 0."""
    out = np.zeros_like(num)
    np.divide(num, den, out=out, where=den > 0)
    return out


def yogi(grads, x0, alpha, beta1, beta2, eps, acc0=0.0, bias_correction=False):
    x = np.array(x0, float)
    m = np.full_like(x, acc0)
    v = np.full_like(x, acc0)
    out = []
    for k, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = v - (1 - beta2) * np.sign(v - g * g) * g * g
        mh, vh = (m / (1 - beta1**k), v / (1 - beta2**k)) if bias_correction else (m, v)
        x = x - alpha * mh / (np.sqrt(vh) + eps)
        out.append(x.copy())
    return np.array(out)


def adabound(grads, x0, alpha, beta1, beta2, final_lr, amsbound=False, sqrt_t=True):
    x = np.array(x0, float)
    m, v, vmax = np.zeros_like(x), np.zeros_like(x), np.zeros_like(x)
    out = []
    for k, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        vmax = np.maximum(vmax, v)
        vv = vmax if amsbound else v
        lo = final_lr - final_lr / ((1 - beta2) * k + 1)
        hi = final_lr + final_lr / ((1 - beta2) * k)
        with np.errstate(divide="ignore"):
            raw = np.where(vv > 0, alpha / np.sqrt(np.where(vv > 0, vv, 1.0)), np.inf)
        eta = np.clip(raw, lo, hi) / (np.sqrt(k) if sqrt_t else 1.0)
        x = x - eta * m
        out.append(x.copy())
    return np.array(out)


def padam(grads, x0, alpha, beta1, beta2, p):
    x = np.array(x0, float)
    m, v, vmax = np.zeros_like(x), np.zeros_like(x), np.zeros_like(x)
    out = []
    for g in grads:
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        vmax = np.maximum(vmax, v)
        x = x - alpha * _safe(m, np.where(vmax > 0, vmax, 1.0) ** p * (vmax > 0))
        out.append(x.copy())
    return np.array(out)


def adabelief(grads, x0, alpha, beta1, beta2, eps, eps_root=None):
    eps_root = eps if eps_root is None else eps_root
    x = np.array(x0, float)
    m, s = np.zeros_like(x), np.zeros_like(x)
    out = []
    for k, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * (g - m) ** 2 + eps_root
        mh, sh = m / (1 - beta1**k), s / (1 - beta2**k)
        x = x - alpha * mh / (np.sqrt(sh) + eps)
        out.append(x.copy())
    return np.array(out)


def radam(grads, x0, alpha, beta1, beta2, threshold=4.0, strict=True, eps=None, eps_raw=False):
    """``eps=None``: the paper's l_t = √((1 − β2^t)/v_t); else ε outside √v̂_t (optax) or,
    with ``eps_raw``, outside the raw √v_t (torch)."""
    x = np.array(x0, float)
    m, v = np.zeros_like(x), np.zeros_like(x)
    rho_inf = 2 / (1 - beta2) - 1
    out = []
    for k, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        mh = m / (1 - beta1**k)
        rho = rho_inf - 2 * k * beta2**k / (1 - beta2**k)
        if (rho > threshold) if strict else (rho >= threshold):
            r = np.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
            if eps is None:
                step = r * _safe(mh, np.sqrt(v / (1 - beta2**k)))
            elif eps_raw:
                step = r * mh * np.sqrt(1 - beta2**k) / (np.sqrt(v) + eps)
            else:
                step = r * mh / (np.sqrt(v / (1 - beta2**k)) + eps)
            x = x - alpha * step
        else:
            x = x - alpha * mh
        out.append(x.copy())
    return np.array(out)


def nadam(grads, x0, alpha, beta1, beta2, eps, psi=0.004, schedule=True):
    x = np.array(x0, float)
    m, v = np.zeros_like(x), np.zeros_like(x)
    prod = 1.0
    out = []
    for k, g in enumerate(grads, start=1):
        if schedule:
            mu = beta1 * (1 - 0.5 * 0.96 ** (psi * k))
            mu_next = beta1 * (1 - 0.5 * 0.96 ** (psi * (k + 1)))
        else:
            mu = mu_next = beta1
        prod *= mu
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        mbar = (1 - mu) * g / (1 - prod) + mu_next * m / (1 - prod * mu_next)
        x = x - alpha * mbar / (np.sqrt(v / (1 - beta2**k)) + eps)
        out.append(x.copy())
    return np.array(out)


def adashift(grads, x0, alpha, beta1, beta2, n):
    x = np.array(x0, float)
    v = np.zeros_like(x)
    window = []  # the last gradients, newest first
    weights = beta1 ** np.arange(n)
    out = []
    for k, g in enumerate(grads, start=1):
        window.insert(0, np.array(g, float))
        if k > n:
            shifted = window.pop()  # g_{t−n}
            m = sum(w * gi for w, gi in zip(weights, window, strict=True)) / weights.sum()
            v = beta2 * v + (1 - beta2) * shifted**2
            x = x - alpha * _safe(m, np.sqrt(v))
        out.append(x.copy())
    return np.array(out)


def lion(grads, x0, alpha, beta1, beta2, wd=0.0):
    x = np.array(x0, float)
    m = np.zeros_like(x)
    out = []
    for g in grads:
        c = beta1 * m + (1 - beta1) * g
        x = x - alpha * (np.sign(c) + wd * x)
        m = beta2 * m + (1 - beta2) * g
        out.append(x.copy())
    return np.array(out)


def adamx(grads, x0, alpha, beta1, beta2, lam):
    x = np.array(x0, float)
    m, v, vhat = np.zeros_like(x), np.zeros_like(x), np.zeros_like(x)
    b_prev = None
    out = []
    for k, g in enumerate(grads, start=1):
        b = beta1 * lam ** (k - 1)
        m = b * m + (1 - b) * g
        v = beta2 * v + (1 - beta2) * g * g
        factor = 1.0 if b_prev is None else ((1 - b) / (1 - b_prev)) ** 2
        vhat = np.maximum(factor * vhat, v)
        x = x - alpha / np.sqrt(k) * _safe(m, np.sqrt(vhat))
        b_prev = b
        out.append(x.copy())
    return np.array(out)
