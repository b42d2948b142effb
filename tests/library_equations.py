"""Plain-NumPy reference implementations of torch.optim and optax update rules.

Every function replays one library optimizer on a fixed gradient sequence and
returns the iterates.  They exist so that octk's "presets" can be checked
against the exact update equations of the libraries in test environments
where neither torch nor jax is installed.  This module imports only NumPy.

Common conventions
------------------
* ``grads`` has shape ``(T, d)``; row ``t - 1`` is the gradient fed to step
  ``t`` (``t = 1, ..., T``).  The gradients do not depend on the iterate, and
  no projection is applied.
* ``x0`` has shape ``(d,)``.  The return value has shape ``(T, d)``; row
  ``t - 1`` is the iterate ``x_t`` *after* step ``t``.
* Everything is computed in float64.  Hyperparameters carry the libraries'
  own names and defaults (optax has no default learning rate).
* Arithmetic follows the library's order of floating-point operations, e.g.
  scalar coefficients such as ``1 - beta`` and ``lr / (1 - beta1**t)`` are
  formed in Python floats, as the libraries do.  Two compiler-level effects
  are reproduced as well:

  - torch's CPU kernels for ``add(alpha=)``, ``addcmul`` and ``lerp`` are
    compiled to fused multiply-adds (one rounding for ``a * b + c``); they
    are emulated exactly here by :func:`_fma` (error-free transformations).
  - XLA rewrites ``moment / (1 - decay**count)`` (division by a broadcast
    scalar, inside optax's jitted ``bias_correction``) into a multiplication
    by the reciprocal ``1 / (1 - decay**count)``.

  With these, the iterates agree bit for bit with the libraries' eager CPU
  results (x86-64 with FMA, small ``d``) for torch Adamax/RMSprop/SGD and
  optax adam/amsgrad/adamax/sgd/rmsprop(eps_in_sqrt=False), and for well
  over 95% of entries for torch Adam/Adagrad.  Residual last-bit
  differences that NumPy cannot express: torch's CPU ``sqrt`` goes through
  MKL's vector math (not correctly rounded for ~1% of inputs, 1 ulp off);
  XLA's ``rsqrt`` (optax adagrad, rmsprop with ``eps_in_sqrt=True``) is, on
  AVX-512 CPUs, a hardware estimate refined by two Newton steps (within
  1 ulp) where this module uses ``1 / sqrt``; ``jax.jit``-compiled optax
  updates fuse more operations (extra FMAs).  Measured against iterate
  scale these stay below ~1e-15; an elementwise relative tolerance of 1e-12
  needs an absolute floor where iterates cross zero.
* Bias-correction powers ``beta**t`` are Python ``float ** float`` (C
  ``pow``) with ``t`` the 1-based step count; torch evaluates them in Python
  and XLA's ``pow`` agrees with C ``pow`` on these inputs.

Notation in the docstrings: ``g_t`` gradient, ``x_t`` iterate, ``m`` first
moment, ``v`` second moment, ``u`` infinity moment, ``s`` sum of squares;
all operations are elementwise.  A product written ``(a * b) * c`` states
the evaluation order.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "optax_adagrad",
    "optax_adam",
    "optax_adamax",
    "optax_amsgrad",
    "optax_rmsprop",
    "optax_sgd",
    "torch_adagrad",
    "torch_adam",
    "torch_adamax",
    "torch_rmsprop",
    "torch_sgd",
]


def _prepare(grads, x0):
    """Validate shapes and return float64 copies plus an output buffer."""
    g = np.asarray(grads, dtype=np.float64)
    x = np.array(x0, dtype=np.float64)  # copy: the caller's x0 is untouched
    if g.ndim != 2:
        raise ValueError(f"grads must have shape (T, d), got {g.shape}")
    if x.shape != (g.shape[1],):
        raise ValueError(f"x0 must have shape ({g.shape[1]},), got {x.shape}")
    return g, x, np.empty_like(g)


_SPLITTER = 134217729.0  # 2**27 + 1, Veltkamp/Dekker splitting constant


def _two_sum(a, b):
    """Knuth's TwoSum: ``s = fl(a + b)`` and the exact error ``a + b - s``."""
    s = a + b
    b_virtual = s - a
    return s, (a - (s - b_virtual)) + (b - b_virtual)


def _two_prod(a, b):
    """Dekker's TwoProduct: ``p = fl(a * b)`` and the exact error ``a * b - p``."""
    p = a * b
    c = _SPLITTER * a
    a_hi = c - (c - a)
    a_lo = a - a_hi
    c = _SPLITTER * b
    b_hi = c - (c - b)
    b_lo = b - b_hi
    return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def _add_round_to_odd(a, b):
    """``a + b`` rounded to odd: if inexact, the neighbour with an odd last bit."""
    s, err = _two_sum(a, b)
    inexact_even = (err != 0) & ((s.view(np.int64) & 1) == 0)
    toward = np.where(err > 0, np.inf, -np.inf)
    return np.where(inexact_even, np.nextafter(s, toward), s)


def _fma(a, b, c):
    """Correctly rounded fused multiply-add ``a * b + c`` (one rounding).

    Boldo & Melquiond's emulation ("Emulation of FMA and correctly rounded
    sums: proved algorithms using rounding to odd", IEEE TC 2008): the exact
    product ``uh + ul`` and the exact sum ``th + tl = c + uh`` are recombined
    as ``RN(th + RO(tl + ul))``.  Exact for finite inputs whose product and
    partial terms neither overflow (|a|, |b| below ~1e300) nor underflow.
    """
    a, b, c = np.broadcast_arrays(
        np.asarray(a, dtype=np.float64),
        np.asarray(b, dtype=np.float64),
        np.asarray(c, dtype=np.float64),
    )
    uh, ul = _two_prod(a, b)
    th, tl = _two_sum(c, uh)
    return th + _add_round_to_odd(np.asarray(tl), np.asarray(ul))


def _torch_lerp(start, end, weight):
    """``torch.lerp(start, end, weight)`` for a Python-float ``weight``.

    ATen picks between two algebraically equal formulas by ``|weight| < 0.5``,
    each a fused multiply-add on CPU:
    ``fma(weight, end - start, start)`` for small weights and
    ``fma(weight - 1, end - start, end)`` otherwise.
    """
    if abs(weight) < 0.5:
        return _fma(weight, end - start, start)
    return _fma(weight - 1.0, end - start, end)


# ---------------------------------------------------------------------------
# torch.optim (single-tensor code path: the default for CPU tensors)
# ---------------------------------------------------------------------------


def torch_adam(grads, x0, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, amsgrad=False):
    r"""``torch.optim.Adam`` (weight_decay=0, maximize=False, capturable=False).

    Defaults: lr=1e-3, betas=(0.9, 0.999), eps=1e-8, amsgrad=False.
    State: m_0 = v_0 = 0 (and \hat v^{max}_0 = 0 for AMSGrad), t from 1.

        m_t   = lerp(m_{t-1}, g_t, \rho),  \rho = 1 - \beta_1
              = fma(\rho, g_t - m_{t-1}, m_{t-1})        if \rho < 0.5
              = fma(\rho - 1, g_t - m_{t-1}, g_t)        otherwise
        v_t   = fma((1 - \beta_2) g_t, g_t, \beta_2 v_{t-1})
        c_1   = 1 - \beta_1^t,  c_2 = 1 - \beta_2^t        # Python floats
        \alpha_t = lr / c_1
        w_t   = v_t                         (amsgrad=False)
        w_t   = \max(w_{t-1}, v_t)          (amsgrad=True; max of RAW v, w_0 = 0)
        D_t   = \sqrt{w_t} / c_2^{0.5} + \epsilon        # eps OUTSIDE sqrt,
                                                       # AFTER bias correction
        x_t   = x_{t-1} + ((-\alpha_t) m_t) / D_t

    ``c_2^{0.5}`` is the Python power ``c_2 ** 0.5``, not ``math.sqrt``;
    ``fma(a, b, c)`` is ``a * b + c`` with a single rounding.
    """
    beta1, beta2 = float(betas[0]), float(betas[1])
    g, x, out = _prepare(grads, x0)
    m = np.zeros_like(x)
    v = np.zeros_like(x)
    v_max = np.zeros_like(x)
    for t in range(1, g.shape[0] + 1):
        gt = g[t - 1]
        m = _torch_lerp(m, gt, 1.0 - beta1)
        v = _fma((1.0 - beta2) * gt, gt, v * beta2)
        step = float(t)
        bias_correction1 = 1.0 - beta1**step
        bias_correction2 = 1.0 - beta2**step
        step_size = lr / bias_correction1
        bias_correction2_sqrt = bias_correction2**0.5
        if amsgrad:
            v_max = np.maximum(v_max, v)
            denom = np.sqrt(v_max) / bias_correction2_sqrt + eps
        else:
            denom = np.sqrt(v) / bias_correction2_sqrt + eps
        x = x + ((-step_size) * m) / denom
        out[t - 1] = x
    return out


def torch_adagrad(grads, x0, lr=1e-2, lr_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
    r"""``torch.optim.Adagrad`` (weight_decay=0, dense gradients).

    Defaults: lr=1e-2, lr_decay=0, initial_accumulator_value=0, eps=1e-10.
    State: s_0 = initial_accumulator_value (every coordinate), t from 1.

        s_t        = fma(g_t, g_t, s_{t-1})                    # = s_{t-1} + g_t^2
        \eta_t     = lr / (1 + (t - 1) \cdot lr\_decay)        # Python float
        x_t        = x_{t-1} + ((-\eta_t) g_t) / (\sqrt{s_t} + \epsilon)

    eps is OUTSIDE the square root; no bias correction.
    """
    g, x, out = _prepare(grads, x0)
    s = np.full_like(x, initial_accumulator_value)
    for t in range(1, g.shape[0] + 1):
        gt = g[t - 1]
        s = _fma(gt, gt, s)
        clr = lr / (1 + (float(t) - 1) * lr_decay)
        x = x + ((-clr) * gt) / (np.sqrt(s) + eps)
        out[t - 1] = x
    return out


def torch_adamax(grads, x0, lr=2e-3, betas=(0.9, 0.999), eps=1e-8):
    r"""``torch.optim.Adamax`` (weight_decay=0, maximize=False, capturable=False).

    Defaults: lr=2e-3, betas=(0.9, 0.999), eps=1e-8.
    State: m_0 = u_0 = 0, t from 1.

        m_t   = lerp(m_{t-1}, g_t, 1 - \beta_1)          # as in torch_adam
        u_t   = \max(\beta_2 u_{t-1}, |g_t| + \epsilon)   # eps added to |g| INSIDE the max
        \alpha_t = lr / (1 - \beta_1^t)                     # Python float
        x_t   = x_{t-1} + ((-\alpha_t) m_t) / u_t

    Only the first moment is bias-corrected; u_t >= eps > 0 always.
    """
    beta1, beta2 = float(betas[0]), float(betas[1])
    g, x, out = _prepare(grads, x0)
    m = np.zeros_like(x)
    u = np.zeros_like(x)
    for t in range(1, g.shape[0] + 1):
        gt = g[t - 1]
        m = _torch_lerp(m, gt, 1.0 - beta1)
        u = np.maximum(u * beta2, np.abs(gt) + eps)
        clr = lr / (1.0 - beta1 ** float(t))
        x = x + ((-clr) * m) / u
        out[t - 1] = x
    return out


def torch_rmsprop(grads, x0, lr=1e-2, alpha=0.99, eps=1e-8):
    r"""``torch.optim.RMSprop`` (centered=False, momentum=0, weight_decay=0).

    Defaults: lr=1e-2, alpha=0.99, eps=1e-8.
    State: v_0 = 0.

        v_t = fma((1 - \alpha) g_t, g_t, \alpha v_{t-1})
        x_t = x_{t-1} + ((-lr) g_t) / (\sqrt{v_t} + \epsilon)

    eps is OUTSIDE the square root; no bias correction (the step counter is
    not used by this code path).
    """
    alpha = float(alpha)
    g, x, out = _prepare(grads, x0)
    v = np.zeros_like(x)
    for t in range(g.shape[0]):
        gt = g[t]
        v = _fma((1.0 - alpha) * gt, gt, v * alpha)
        x = x + ((-lr) * gt) / (np.sqrt(v) + eps)
        out[t] = x
    return out


def torch_sgd(grads, x0, lr=1e-3):
    r"""``torch.optim.SGD`` (momentum=0, dampening=0, weight_decay=0).

    Default: lr=1e-3.

        x_t = fma(-lr, g_t, x_{t-1})
    """
    g, x, out = _prepare(grads, x0)
    for t in range(g.shape[0]):
        x = _fma(-lr, g[t], x)
        out[t] = x
    return out


# ---------------------------------------------------------------------------
# optax (every alias is chain(scale_by_..., scale_by_learning_rate(lr)); the
# last stage multiplies by the Python float -lr, then apply_updates adds)
# ---------------------------------------------------------------------------


def _optax_bias_correction(moment, decay, count):
    """``optax.tree.bias_correction``: ``moment / (1 - decay**count)``.

    The power is XLA's ``pow`` on float64 (agrees with C ``pow``); XLA then
    turns the division by the broadcast scalar into a multiplication by its
    reciprocal, which is what is reproduced here.
    """
    return moment * (1.0 / (1.0 - float(decay) ** float(count)))


def _optax_rsqrt(value):
    """``jax.lax.rsqrt`` (XLA may differ from this by one unit in the last place)."""
    return 1.0 / np.sqrt(value)


def optax_adam(grads, x0, learning_rate, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0):
    r"""``optax.adam`` (nesterov=False, mu_dtype=None).

    Defaults: b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0; learning_rate required.
    State: \mu_0 = \nu_0 = 0, count from 1.

        \mu_t    = (1 - b_1) g_t + b_1 \mu_{t-1}
        \nu_t    = (1 - b_2) (g_t g_t) + b_2 \nu_{t-1}
        \hat\mu_t = \mu_t \cdot (1 / (1 - b_1^t)),  \hat\nu_t = \nu_t \cdot (1 / (1 - b_2^t))
        u_t      = \hat\mu_t / (\sqrt{\hat\nu_t + eps\_root} + \epsilon)
        x_t      = x_{t-1} + (-lr) u_t

    eps_root is INSIDE and eps OUTSIDE the square root, both AFTER bias
    correction; the bias correction divides the moments (unlike torch, which
    folds it into the step size and the denominator).
    """
    b1, b2 = float(b1), float(b2)
    g, x, out = _prepare(grads, x0)
    mu = np.zeros_like(x)
    nu = np.zeros_like(x)
    for t in range(1, g.shape[0] + 1):
        gt = g[t - 1]
        mu = (1.0 - b1) * gt + b1 * mu
        nu = (1.0 - b2) * (gt * gt) + b2 * nu
        mu_hat = _optax_bias_correction(mu, b1, t)
        nu_hat = _optax_bias_correction(nu, b2, t)
        update = mu_hat / (np.sqrt(nu_hat + eps_root) + eps)
        x = x + (-learning_rate) * update
        out[t - 1] = x
    return out


def optax_amsgrad(grads, x0, learning_rate, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0):
    r"""``optax.amsgrad`` (bias_correction_mu=True, bias_correction_nu=True).

    Defaults: b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0; learning_rate required.
    State: \mu_0 = \nu_0 = \nu^{max}_0 = 0, count from 1.

        \mu_t, \nu_t, \hat\mu_t, \hat\nu_t   as in :func:`optax_adam`
        \nu^{max}_t = \max(\nu^{max}_{t-1}, \hat\nu_t)   # max of BIAS-CORRECTED \hat\nu
        u_t         = \hat\mu_t / (\sqrt{\nu^{max}_t + eps\_root} + \epsilon)
        x_t         = x_{t-1} + (-lr) u_t

    torch's Adam(amsgrad=True) instead takes the max of the raw v and divides
    by sqrt(1 - b2^t) afterwards, so the two AMSGrads are different algorithms.
    """
    b1, b2 = float(b1), float(b2)
    g, x, out = _prepare(grads, x0)
    mu = np.zeros_like(x)
    nu = np.zeros_like(x)
    nu_max = np.zeros_like(x)
    for t in range(1, g.shape[0] + 1):
        gt = g[t - 1]
        mu = (1.0 - b1) * gt + b1 * mu
        nu = (1.0 - b2) * (gt * gt) + b2 * nu
        mu_hat = _optax_bias_correction(mu, b1, t)
        nu_hat = _optax_bias_correction(nu, b2, t)
        nu_max = np.maximum(nu_max, nu_hat)
        update = mu_hat / (np.sqrt(nu_max + eps_root) + eps)
        x = x + (-learning_rate) * update
        out[t - 1] = x
    return out


def optax_adagrad(grads, x0, learning_rate, initial_accumulator_value=0.1, eps=1e-7):
    r"""``optax.adagrad`` (``scale_by_rss``).

    Defaults: initial_accumulator_value=0.1 (NOT 0 as in torch), eps=1e-7;
    learning_rate required.  State: s_0 = initial_accumulator_value.

        s_t = g_t g_t + s_{t-1}
        u_t = g_t \cdot rsqrt(s_t + \epsilon)   if s_t > 0,  else 0
        x_t = x_{t-1} + (-lr) u_t

    eps is INSIDE the square root; the update is exactly 0 wherever s_t == 0
    (possible only with initial_accumulator_value=0).
    """
    g, x, out = _prepare(grads, x0)
    s = np.full_like(x, initial_accumulator_value)
    for t in range(g.shape[0]):
        gt = g[t]
        s = gt * gt + s
        with np.errstate(divide="ignore"):
            inv = np.where(s > 0, _optax_rsqrt(s + eps), 0.0)
        x = x + (-learning_rate) * (inv * gt)
        out[t] = x
    return out


def optax_adamax(grads, x0, learning_rate, b1=0.9, b2=0.999, eps=1e-8):
    r"""``optax.adamax`` (``scale_by_adamax``).

    Defaults: b1=0.9, b2=0.999, eps=1e-8; learning_rate required.
    State: \mu_0 = \nu_0 = 0, count from 1.

        \mu_t    = (1 - b_1) g_t + b_1 \mu_{t-1}
        \nu_t    = \max(|g_t| + \epsilon, b_2 \nu_{t-1})  # eps added to |g| INSIDE the max
        \hat\mu_t = \mu_t \cdot (1 / (1 - b_1^t))
        u_t      = \hat\mu_t / \nu_t
        x_t      = x_{t-1} + (-lr) u_t

    Same recursion as torch's Adamax; only the rounding order differs.
    """
    b1, b2 = float(b1), float(b2)
    g, x, out = _prepare(grads, x0)
    mu = np.zeros_like(x)
    nu = np.zeros_like(x)
    for t in range(1, g.shape[0] + 1):
        gt = g[t - 1]
        mu = (1.0 - b1) * gt + b1 * mu
        nu = np.maximum(np.abs(gt) + eps, b2 * nu)
        update = _optax_bias_correction(mu, b1, t) / nu
        x = x + (-learning_rate) * update
        out[t - 1] = x
    return out


def optax_rmsprop(
    grads,
    x0,
    learning_rate,
    decay=0.9,
    eps=1e-8,
    initial_scale=0.0,
    eps_in_sqrt=True,
    bias_correction=False,
):
    r"""``optax.rmsprop`` (centered=False, momentum=None, ``scale_by_rms``).

    Defaults: decay=0.9 (torch: alpha=0.99), eps=1e-8, initial_scale=0.0,
    eps_in_sqrt=True, bias_correction=False; learning_rate required.
    State: \nu_0 = initial_scale, count from 1 (only used for bias correction).

        \nu_t  = (1 - decay) (g_t g_t) + decay \nu_{t-1}
        \hat\nu_t = \nu_t \cdot (1 / (1 - decay^t))   if bias_correction else \nu_t
        S_t    = rsqrt(\hat\nu_t + \epsilon)          if eps_in_sqrt  (eps INSIDE)
        S_t    = 1 / (\sqrt{\hat\nu_t} + \epsilon)    otherwise       (eps OUTSIDE)
        x_t    = x_{t-1} + (-lr) (S_t g_t)

    With eps_in_sqrt=False, bias_correction=False, initial_scale=0 this is
    mathematically torch's RMSprop (decay = alpha), but rounded differently.
    """
    decay = float(decay)
    g, x, out = _prepare(grads, x0)
    nu = np.full_like(x, initial_scale)
    for t in range(1, g.shape[0] + 1):
        gt = g[t - 1]
        nu = (1.0 - decay) * (gt * gt) + decay * nu
        nu_hat = _optax_bias_correction(nu, decay, t) if bias_correction else nu
        if eps_in_sqrt:
            scaling = _optax_rsqrt(nu_hat + eps)
        else:
            scaling = 1.0 / (np.sqrt(nu_hat) + eps)
        x = x + (-learning_rate) * (scaling * gt)
        out[t - 1] = x
    return out


def optax_sgd(grads, x0, learning_rate):
    r"""``optax.sgd`` (momentum=None).

    learning_rate required.

        x_t = x_{t-1} + (-lr) g_t
    """
    g, x, out = _prepare(grads, x0)
    for t in range(g.shape[0]):
        x = x + (-learning_rate) * g[t]
        out[t] = x
    return out
