"""A rule of your own in Python: ``--rule examples/rules/my_rule.py:NAME``.

``NAME`` is a :class:`octk.rules.Rule` or a function that returns one. Both below are
built with :func:`octk.rules.define`, whose expressions are parsed without evaluating
anything; the module itself is code, and importing it runs it.

    octk run --rule examples/rules/my_rule.py:clipped_adam --sequence reddi-thm1:C=3 --steps 1e4
    octk verify --rule examples/rules/my_rule.py:ADAM_BY_HAND
"""

from octk.rules import define

#: Adam (Kingma & Ba 2015, Algorithm 1) written by hand: the same program as
#: ``octk.rules.rule("adam")``, so ``octk verify --rule`` gives it Adam's claims.
ADAM_BY_HAND = define(
    "adam-by-hand",
    title="Adam, written by hand (K&B Algorithm 1)",
    source="Kingma & Ba 2015, Algorithm 1",
    hyperparameters={
        "alpha": {"default": 1e-3, "range": "(0, inf)", "doc": "step size α"},
        "beta1": {"default": 0.9, "range": "[0, 1)", "doc": "first-moment decay β1"},
        "beta2": {"default": 0.999, "range": "[0, 1)", "doc": "second-moment decay β2"},
        "eps": {"default": 1e-8, "range": "[0, inf)", "doc": "ε"},
    },
    state={"m": 0, "v": 0},
    step=[
        ("m", "beta1*m + (1 - beta1)*g"),
        ("mhat", "m/(1 - beta1**t)"),
        ("v", "beta2*v + (1 - beta2)*g**2"),
        ("vhat", "v/(1 - beta2**t)"),
        ("delta", "alpha*mhat/(sqrt(vhat) + eps)"),
        ("x", "x - delta"),
    ],
    guard="sqrt(vhat) + eps > 0",
)


def clipped_adam(clip: float = 1.0):
    r"""Adam whose normalised step is clipped to [−c, c]:
    δ_t = α·max(−c, min(c, m̂_t/(√v̂_t + ε))), so |δ_t| ≤ α c on every sequence."""
    return define(
        "clipped-adam",
        title=f"Adam with its step clipped to α·[-c, c] (c = {clip:g})",
        source="an example of octk's rule files",
        hyperparameters={
            "alpha": {"default": 1e-3, "range": "(0, inf)"},
            "beta1": {"default": 0.9, "range": "[0, 1)"},
            "beta2": {"default": 0.999, "range": "[0, 1)"},
            "eps": {"default": 1e-8, "range": "[0, inf)"},
            "c": {"default": clip, "range": "(0, inf)", "doc": "the clip of m̂/(√v̂ + ε)"},
        },
        state={"m": 0, "v": 0},
        step={
            "m": "beta1*m + (1 - beta1)*g",
            "v": "beta2*v + (1 - beta2)*g**2",
            "u": "(m/(1 - beta1**t))/(sqrt(v/(1 - beta2**t)) + eps)",
            "x": "x - alpha*max(-c, min(c, u))",
        },
        guard="sqrt(v) + eps > 0",
    )
