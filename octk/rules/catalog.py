"""The named rules, their options and presets, and the registry that lists them.

Each named rule is a setting of :func:`octk.rules.adaptive.adaptive`. Its
*options* are the variants a user may switch (bias correction, where ε sits,
the step-size schedule, ...); its *presets* fix options and default
hyperparameters to reproduce a paper (``paper``, the default) or a library
(``torch``, ``optax``) exactly. The update equations of every preset are shown
by ``octk list --rules -v`` and in each rule's docstring.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from octk.errors import check_choice, unknown_name
from octk.rules.adaptive import (
    BETA1_SCHEDULES,
    SCHEDULES,
    adaptive,
)
from octk.rules.rule import Rule

BOOL = (True, False)


@dataclass(frozen=True)
class Preset:
    """Options and hyperparameter defaults that reproduce one source's equations."""

    source: str
    options: dict = field(default_factory=dict)
    defaults: dict = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class RuleSpec:
    """A named rule: what it is, which options it exposes, and its presets.

    ``builder`` makes the :class:`Rule` from the chosen options (passed as keyword
    arguments, after ``fixed`` and ``to_adaptive``) and the common arguments ``name``,
    ``title``, ``source``, ``defaults``, ``preset`` and ``options``: by default
    :func:`~octk.rules.adaptive.adaptive`, of which the core rules are settings; a rule
    of the zoo (:mod:`octk.rules.zoo`) brings its own. ``citation`` names the paper whose
    algorithm the ``paper`` preset transcribes; ``zoo`` marks the published Adam fixes
    (:func:`zoo_names`).
    """

    name: str
    summary: str
    options: dict[str, tuple]  # option -> allowed values (first = the paper's)
    presets: dict[str, Preset]
    fixed: dict = field(default_factory=dict)  # builder arguments this rule always uses
    to_adaptive: Callable[[dict], dict] = lambda o: o
    builder: Callable[..., Rule] = adaptive
    citation: str = ""
    zoo: bool = False

    def build(self, preset: str = "paper", **options) -> Rule:
        if preset not in self.presets:
            raise unknown_name(f"preset of rule {self.name!r}", preset, self.presets)
        p = self.presets[preset]
        chosen = {k: v[0] for k, v in self.options.items()}
        chosen.update(p.options)
        for k, v in options.items():
            if k not in self.options:
                raise unknown_name(f"option of rule {self.name!r}", k, self.options)
            chosen[k] = check_choice(k, _coerce(v, self.options[k]), self.options[k])
        defaults = {**FALLBACK_DEFAULTS, **self.presets["paper"].defaults, **p.defaults}
        variant = ", ".join(
            f"{k}={v}" for k, v in chosen.items() if v != self.options[k][0] and k not in p.options
        )
        title = f"{self.summary.split(':')[0]} [{preset}]" + (f" ({variant})" if variant else "")
        kwargs = dict(self.fixed)
        kwargs.update(self.to_adaptive(dict(chosen)))
        return self.builder(
            name=self.name,
            title=title,
            source=p.source,
            defaults=defaults,
            preset=preset,
            options=chosen,
            **kwargs,
        )


def _coerce(value, allowed):
    """Map the strings a command line gives ('true', '0', '10') onto an option's allowed
    values (booleans, integers)."""
    if isinstance(value, str) and all(isinstance(a, bool) for a in allowed):
        low = value.strip().lower()
        if low in ("true", "1", "yes", "on"):
            return True
        if low in ("false", "0", "no", "off"):
            return False
    if isinstance(value, str) and all(type(a) is int for a in allowed):
        try:
            return int(value.strip())
        except ValueError:
            return value
    return value


def _amsgrad_args(o: dict) -> dict:
    o = dict(o)
    o["amsgrad"] = o.pop("max_over")
    return o


# values of hyperparameters that a variant may switch on but no preset names:
# no decay of α_t, no ε, AdaGrad's accumulator from 0, K&B's "typical" λ.
FALLBACK_DEFAULTS = {"lr_decay": 0.0, "eps": 0.0, "v0": 0.0, "lam": 1 - 1e-8}

_ADAM_DEFAULTS = {"alpha": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "lam": 1 - 1e-8}

SPECS: dict[str, RuleSpec] = {}


def _register(spec: RuleSpec) -> RuleSpec:
    SPECS[spec.name] = spec
    return spec


_register(
    RuleSpec(
        name="adam",
        summary="Adam: bias-corrected EMA moments, step α m̂_t/(√v̂_t + ε)",
        options={
            "schedule": SCHEDULES,
            "beta1_schedule": BETA1_SCHEDULES,
            "bias_correction_m": BOOL,
            "bias_correction_v": BOOL,
            "eps_mode": ("outside", "inside", "hat", "none"),
        },
        presets={
            "paper": Preset("Kingma & Ba 2015, Algorithm 1", defaults=dict(_ADAM_DEFAULTS)),
            "torch": Preset(
                "torch.optim.Adam (amsgrad=False)",
                options={"schedule": "constant", "eps_mode": "outside"},
                note="x -= (lr/(1-β1^t)) m / (√v/√(1-β2^t) + ε)",
            ),
            "optax": Preset(
                "optax.adam (eps_root=0)",
                options={"schedule": "constant", "eps_mode": "outside"},
                note="x -= lr m̂/(√v̂ + ε); optax has no default learning rate, octk uses 1e-3",
            ),
        },
        fixed={"first_moment": "ema", "second_moment": "ema", "amsgrad": "off"},
    )
)

_register(
    RuleSpec(
        name="amsgrad",
        summary="AMSGrad: Adam's moments with a running max of v, no bias correction, α/√t",
        options={
            "schedule": ("sqrt", "constant", "inverse"),
            "beta1_schedule": BETA1_SCHEDULES,
            "max_over": ("v", "vhat"),
            "bias_correction_m": (False, True),
            "bias_correction_v": (False, True),
            "eps_mode": ("none", "outside", "inside"),
        },
        presets={
            "paper": Preset(
                "Reddi, Kale & Kumar 2018, Algorithm 2",
                defaults={**_ADAM_DEFAULTS, "eps": 0.0},
            ),
            "torch": Preset(
                "torch.optim.Adam (amsgrad=True)",
                options={
                    "schedule": "constant",
                    "max_over": "v",
                    "bias_correction_m": True,
                    "bias_correction_v": True,
                    "eps_mode": "outside",
                },
                defaults={"eps": 1e-8},
                note="max over the raw v, then divided by √(1-β2^t); m bias-corrected; ε outside",
            ),
            "optax": Preset(
                "optax.amsgrad",
                options={
                    "schedule": "constant",
                    "max_over": "vhat",
                    "bias_correction_m": True,
                    "bias_correction_v": True,
                    "eps_mode": "outside",
                },
                defaults={"eps": 1e-8},
                note="bias-corrects first, then the max over v̂; ε outside",
            ),
        },
        fixed={"first_moment": "ema", "second_moment": "ema"},
        to_adaptive=_amsgrad_args,
    )
)

_register(
    RuleSpec(
        name="adagrad",
        summary="AdaGrad (diagonal): step α g_t/(ε + √(v0 + Σ_{s≤t} g_s²))",
        options={"schedule": SCHEDULES, "eps_mode": ("outside", "inside")},
        presets={
            "paper": Preset(
                "Duchi, Hazan & Singer 2011 (diagonal, δ = eps)",
                defaults={"alpha": 0.01, "eps": 0.0, "v0": 0.0, "lr_decay": 0.0},
            ),
            "torch": Preset(
                "torch.optim.Adagrad",
                options={"schedule": "inverse", "eps_mode": "outside"},
                defaults={"alpha": 0.01, "eps": 1e-10, "v0": 0.0, "lr_decay": 0.0},
                note="clr = lr/(1+(t-1) lr_decay); x -= clr g/(√acc + ε)",
            ),
            "optax": Preset(
                "optax.adagrad",
                options={"schedule": "constant", "eps_mode": "inside"},
                defaults={"alpha": 0.01, "eps": 1e-7, "v0": 0.1},
                note="acc starts at 0.1; x -= lr g/√(acc + ε)",
            ),
        },
        fixed={"first_moment": "none", "second_moment": "sum"},
    )
)

_register(
    RuleSpec(
        name="ogd",
        summary="Online (projected) gradient descent: step α_t g_t, α_t = α/√t",
        options={"schedule": ("sqrt", "constant", "inverse")},
        presets={
            "paper": Preset(
                "Zinkevich 2003 (η_t = α/√t)", defaults={"alpha": 1.0, "lr_decay": 0.0}
            ),
            "torch": Preset(
                "torch.optim.SGD (momentum=0)",
                options={"schedule": "constant"},
                defaults={"alpha": 1e-3},
                note="x -= lr g",
            ),
            "optax": Preset(
                "optax.sgd (momentum=None)",
                options={"schedule": "constant"},
                defaults={"alpha": 1e-3},
                note="x -= lr g; optax has no default learning rate, octk uses 1e-3",
            ),
        },
        fixed={"first_moment": "none", "second_moment": "none", "eps_mode": "none"},
    )
)

_register(
    RuleSpec(
        name="rmsprop",
        summary="RMSProp: Adam with β1 = 0 and no bias correction, step α g_t/(√v_t + ε)",
        options={
            "schedule": SCHEDULES,
            "bias_correction_v": (False, True),
            "eps_mode": ("outside", "inside"),
        },
        presets={
            "paper": Preset(
                "Tieleman & Hinton 2012, as read by RKK (Adam with β1 = 0, no bias correction)",
                defaults={"alpha": 1e-3, "beta2": 0.9, "eps": 1e-8, "lr_decay": 0.0},
            ),
            "torch": Preset(
                "torch.optim.RMSprop (centered=False, momentum=0)",
                options={"schedule": "constant", "eps_mode": "outside", "bias_correction_v": False},
                defaults={"alpha": 1e-2, "beta2": 0.99, "eps": 1e-8},
                note="torch's alpha is β2 here: v = α v + (1-α) g²; x -= lr g/(√v + ε)",
            ),
            "optax": Preset(
                "optax.rmsprop (centered=False, momentum=None, eps_in_sqrt=True)",
                options={"schedule": "constant", "eps_mode": "inside", "bias_correction_v": False},
                defaults={"alpha": 1e-3, "beta2": 0.9, "eps": 1e-8},
                note="optax's decay is β2; x -= lr g/√(v + ε)",
            ),
        },
        fixed={"first_moment": "none", "second_moment": "ema", "amsgrad": "off"},
    )
)

_register(
    RuleSpec(
        name="adamax",
        summary="AdaMax: u_t = max(β2 u_{t−1}, |g_t|), step (α/(1−β1^t)) m_t/u_t",
        options={
            "schedule": SCHEDULES,
            "bias_correction_m": BOOL,
            "eps_mode": ("none", "outside"),
            "max_eps": ("off", "abs"),
        },
        presets={
            "paper": Preset(
                "Kingma & Ba 2015, Algorithm 2 (step 0 while u_t = 0)",
                defaults={"alpha": 2e-3, "beta1": 0.9, "beta2": 0.999, "eps": 0.0, "lr_decay": 0.0},
            ),
            "torch": Preset(
                "torch.optim.Adamax",
                options={"schedule": "constant", "eps_mode": "none", "max_eps": "abs"},
                defaults={"eps": 1e-8},
                note="u = max(β2 u, |g| + ε); x -= (lr/(1-β1^t)) m/u",
            ),
            "optax": Preset(
                "optax.adamax",
                options={"schedule": "constant", "eps_mode": "none", "max_eps": "abs"},
                defaults={"eps": 1e-8},
                note="u = max(|g| + ε, β2 u) (ε inside the max, as torch); x -= lr m̂/u",
            ),
        },
        fixed={"first_moment": "ema", "second_moment": "max", "beta1_schedule": "constant"},
    )
)

_register(
    RuleSpec(
        name="adamnc",
        summary="AdamNC: β2,t = 1 − 1/t (v_t the running mean of g²), no max, α/√t",
        options={
            "schedule": ("sqrt", "constant", "inverse"),
            "beta1_schedule": BETA1_SCHEDULES,
            "bias_correction_m": (False, True),
            "eps_mode": ("none", "outside", "inside"),
        },
        presets={
            "paper": Preset(
                "Reddi, Kale & Kumar 2018, §5.1 (algorithm text unverified)",
                defaults={
                    "alpha": 1e-3,
                    "beta1": 0.9,
                    "eps": 0.0,
                    "lam": 1 - 1e-8,
                    "lr_decay": 0.0,
                },
            ),
        },
        fixed={"first_moment": "ema", "second_moment": "mean"},
    )
)

PRESETS = ("paper", "torch", "optax")


def rule(name: str, preset: str = "paper", **options) -> Rule:
    """The rule ``name`` under ``preset``, with ``options`` switched from the preset's.

    >>> rule("adam").preset
    'paper'
    >>> rule("amsgrad", preset="torch").options["max_over"]
    'v'
    """
    if name not in SPECS:
        raise unknown_name("rule", name, SPECS)
    return SPECS[name].build(preset, **options)


def rule_names() -> tuple[str, ...]:
    return tuple(SPECS)


def zoo_names() -> tuple[str, ...]:
    """The registered rules of the zoo of published Adam fixes (:mod:`octk.rules.zoo`),
    in registry order; each has a ``paper`` preset and a ``citation``.

    >>> "yogi" in zoo_names() and "adam" not in zoo_names()
    True
    """
    return tuple(name for name, spec in SPECS.items() if spec.zoo)


def citation(name: str) -> str:
    """The paper whose algorithm rule ``name``'s ``paper`` preset transcribes."""
    if name not in SPECS:
        raise unknown_name("rule", name, SPECS)
    spec = SPECS[name]
    return spec.citation or spec.presets["paper"].source


def presets_of(name: str) -> tuple[str, ...]:
    if name not in SPECS:
        raise unknown_name("rule", name, SPECS)
    return tuple(SPECS[name].presets)


def _rule_function(spec: RuleSpec):
    """A public builder ``octk.rules.<name>(preset="paper", **options)`` whose docstring
    shows every preset's program, rendered from the SymPy rule itself: as unicode math
    (``help()`` in a terminal); the documentation renders the LaTeX form, kept in the
    builder's ``latex_doc`` (see ``docs/conf.py``)."""

    def build(preset: str = "paper", **options) -> Rule:
        return spec.build(preset, **options)

    def doc(math) -> str:
        lines = [spec.summary, ""]
        lines.append("Options (first value = the paper's):")
        for k, vals in spec.options.items():
            lines.append(f"    {k}: {', '.join(repr(v) for v in vals)}")
        lines.append("")
        for pname, p in spec.presets.items():
            r = spec.build(pname)
            lines.append(
                f"Preset ``{pname}`` -- {p.source}. Defaults: "
                + ", ".join(f"{h.name}={h.default:g}" for h in r.hyperparameters)
            )
            if p.note:
                lines.append(f"    {p.note}")
            lines += ["", *math(r), ""]
        return "\n".join(lines)

    build.__doc__ = doc(lambda r: ["::", "", *("    " + ln for ln in r.pretty().splitlines())])
    build.latex_doc = doc(lambda r: [".. math::", "", "    " + r.latex()])  # type: ignore[attr-defined]
    build.__name__ = build.__qualname__ = spec.name
    return build


def _register_zoo() -> None:
    """Register the published Adam fixes of :mod:`octk.rules.zoo` (each module builds a
    :class:`RuleSpec` with its own builder; imported here, after the core rules, so that
    the zoo may use :class:`Preset` and :class:`RuleSpec`)."""
    from octk.rules.zoo import ZOO_SPECS

    for spec in ZOO_SPECS:
        _register(spec)


_register_zoo()


#: the public builders ``octk.rules.adam``, ``octk.rules.yogi``, ...: one per rule of
#: :data:`SPECS`, core rules and the zoo alike
BUILDERS = tuple(SPECS)


def __getattr__(name: str) -> Callable[..., Rule]:
    """The builder ``name`` of :data:`BUILDERS`, made on first use (PEP 562): rendering
    every preset's program into its docstring takes SymPy's pretty printer a large part
    of a second, which ``import octk`` should not pay."""
    if name not in BUILDERS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    builder = _rule_function(SPECS[name])
    globals()[name] = builder
    return builder
