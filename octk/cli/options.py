"""What the commands share: option types whose choices come from octk's registries, the
options of a simulation setting (``run`` and ``check``), and parsing of option values.

Choice lists are never written here: :class:`Registered` and :class:`RegistryChoice` read
their registry (rules, presets, sequences, losses, domains, backends, bounds) when a
value is checked, completed or shown in ``--help``, so a new entry appears by itself.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

import click
import numpy as np

from octk.errors import OctkError, ParameterError, check_int, check_real, unknown_name

F = TypeVar("F", bound=Callable[..., Any])
Help = str | Callable[[], str]

PROGRESS_STEPS = 1_000_000  # runs at least this long show a progress bar by default


# --------------------------------------------------------------------------- registries
def rule_names() -> list[str]:
    from octk.rules import SPECS

    return list(SPECS)


def preset_names() -> list[str]:
    from octk.rules import PRESETS

    return list(PRESETS)


def sequence_names() -> list[str]:
    from octk.sequences import SEQUENCES

    return list(SEQUENCES)


def loss_names() -> list[str]:
    from octk.sequences import LOSSES

    return list(LOSSES)


def domain_names() -> list[str]:
    from octk.domains import DOMAINS

    return list(DOMAINS)


def backend_names() -> list[str]:
    from octk.backends import BACKENDS

    return list(BACKENDS)


def bound_names() -> list[str]:
    from octk.bounds import bound_names as names

    return list(names())


class Registered(click.ParamType):
    """A name from a registry, read when the value is checked: an unknown name raises
    octk's own :func:`~octk.errors.unknown_name` error (the known names and the closest
    one). ``spec=True`` accepts ``NAME:ARGS`` (``reddi-thm1:C=3``), checking NAME only."""

    def __init__(self, kind: str, names: Callable[[], Iterable[str]], *, spec: bool = False):
        self.kind = kind
        self.names = names
        self.spec = spec
        self.name = kind

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str) or (ctx is not None and ctx.resilient_parsing):
            return value  # already converted, or shell completion in progress
        head = value.partition(":")[0].strip() if self.spec else value
        known = list(self.names())
        if head not in known:
            raise unknown_name(self.kind, head, known)
        return value

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[Any]:
        from click.shell_completion import CompletionItem

        return [CompletionItem(n) for n in self.names() if n.startswith(incomplete)]


class RuleArgument(Registered):
    """``--rule``: a registry name, or a rule of the user's own (``PATH.toml``,
    ``PATH.py:NAME``), which :func:`octk.rules.resolve` loads when the command builds
    the rule (its errors name the file, line and symbol)."""

    def __init__(self) -> None:
        super().__init__("rule", rule_names)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from octk.rules.files import FILE_FORMS, is_rule_file

        if isinstance(value, str) and is_rule_file(value):
            return value
        try:
            return super().convert(value, param, ctx)
        except OctkError as e:
            raise type(e)(f"{e} A rule of your own: {FILE_FORMS}.") from None


def rule_help(prefix: str = "Optimizer: ") -> Callable[[], str]:
    """The help of ``--rule``: the registry's names, and the forms of a user's rule."""
    return listed(
        prefix, rule_names, " (octk list), or a rule of your own: PATH.toml or PATH.py:NAME."
    )


class RegistryChoice(click.Choice):
    """:class:`click.Choice` over a registry read when needed (click's own messages)."""

    def __init__(self, names: Callable[[], Iterable[str]]):
        self._names = names
        super().__init__((), case_sensitive=True)

    @property  # type: ignore[override]
    def choices(self) -> Sequence[str]:
        return tuple(self._names())

    @choices.setter
    def choices(self, value: Sequence[str]) -> None:
        """click.Choice sets this in ``__init__``; the registry is the list instead."""


class LazyHelpOption(click.Option):
    """An option whose help may be a function, called only when ``--help`` is shown (so
    that a list drawn from a registry stays current without importing it at start)."""

    def __init__(
        self, param_decls: Sequence[str] | None = None, help: Help | None = None, **attrs: Any
    ):
        self._help_fn = help if callable(help) else None
        super().__init__(param_decls, help=None if callable(help) else help, **attrs)

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        if self._help_fn is not None:
            self.help = self._help_fn()
        return super().get_help_record(ctx)


def option(*decls: str, **attrs: Any) -> Callable[[F], F]:
    """``click.option`` with :class:`LazyHelpOption` (``help`` may be a function)."""
    return click.option(*decls, cls=LazyHelpOption, **attrs)


def listed(prefix: str, names: Callable[[], Iterable[str]], suffix: str = "") -> Callable[[], str]:
    """A help text ``prefix`` + the registry's names + ``suffix``, made when shown."""
    return lambda: f"{prefix}{', '.join(names())}{suffix}"


def path_option(flag: str, help: str) -> Callable[[F], F]:
    """An option naming a file to write (``PATH``)."""
    return click.option(
        flag, type=click.Path(dir_okay=False, path_type=Path), metavar="PATH", help=help
    )


def parallel_option() -> Callable[[F], F]:
    """``--parallel/--serial``: the Numba backend's ``parallel`` parameter."""
    return click.option(
        "--parallel/--serial",
        "parallel",
        default=None,
        help="Numba backend: a kernel running configurations on all cores (prange) or a "
        "serial one (compiles faster). Default: parallel when the run spans more than one "
        "chunk of 256 lanes (configurations × coordinates).",
    )


def backend_options(parallel: bool | None) -> dict[str, Any]:
    """The keyword arguments of :func:`octk.backends.get_backend` the options asked for."""
    return {} if parallel is None else {"parallel": parallel}


def dtype_option() -> Callable[[F], F]:
    """``--dtype float64|float32``: the precision the kernel computes in."""
    from octk.backends import DTYPES

    return click.option(
        "--dtype",
        default=DTYPES[0],
        show_default=True,
        type=click.Choice(DTYPES),
        help="Precision of the simulation: float32 runs on the numba, cupy and cuda-host "
        "backends; float64 everywhere.",
    )


def chosen_backend(name: str, parallel: bool | None, *, work: int, dtype: str) -> Any:
    """The backend object a run of ``work`` lane-steps (C·d·T) uses: ``name`` itself, or
    for ``auto`` :func:`octk.backends.resolve_backend`'s choice for that size and
    ``dtype``, built with ``--parallel/--serial`` (the Numba backend's; for ``auto`` they
    apply where it picks numba). An unavailable backend, a dtype it lacks and an option it
    does not take fail here, before any work."""
    from octk.backends import check_dtype, get_backend, resolve_backend

    resolved = resolve_backend(name, work=work, dtype=dtype)
    options = backend_options(parallel)
    if name == "auto" and resolved != "numba":
        options = {}
    be = get_backend(resolved, **options)
    check_dtype(be, dtype)
    return be


# --------------------------------------------------------------------------- parsing
def floats(name: str, text: str) -> list[float]:
    """A comma- (or semicolon-) separated list of real numbers, each checked."""
    parts = [p for p in text.replace(";", ",").split(",") if p.strip()]
    if not parts:
        raise ParameterError(f"{name} must be a comma-separated list of numbers; got {text!r}")
    return [check_real(name, p.strip()) for p in parts]


# --------------------------------------------------------------------------- the setting
# The options `run` and `check` share: their declarations and attributes; each
# command gives its own help text (None: the one here) and order.
SETTING_OPTIONS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "rule": (
        ("--rule", "rule_name"),
        dict(required=True, metavar="NAME|FILE", type=RuleArgument()),
    ),
    "preset": (
        ("--preset",),
        dict(
            default="paper",
            show_default=True,
            type=RegistryChoice(preset_names),
            help=listed("Whose equations: ", preset_names, "."),
        ),
    ),
    "param": (("--param", "params"), dict(multiple=True, metavar="NAME=VALUE")),
    "sequence": (
        ("--sequence", "seq_spec"),
        dict(
            required=True,
            metavar="NAME[:k=v,...]",
            type=Registered("sequence", sequence_names, spec=True),
        ),
    ),
    "loss": (
        ("--loss",),
        dict(
            default=None,
            type=RegistryChoice(loss_names),
            help="Loss family of the signal (default: the sequence's own; linear for all but "
            "zhang2022, whose loss is linear-quadratic-tail).",
        ),
    ),
    "domain": (
        ("--domain", "domain_spec"),
        dict(
            default="box:-1,1",
            show_default=True,
            metavar="SPEC",
            type=Registered("domain", domain_names, spec=True),
            help=listed("Feasible set F: ", domain_names, " (octk list --domains)."),
        ),
    ),
    "steps": (("--steps",), dict(metavar="T")),
    "x0": (("--x0", "x0_text"), dict(default="0", show_default=True, metavar="V1,V2,...")),
    "d": (("--d", "dim"), dict(default=None, metavar="D")),
    "seed": (("--seed",), dict(default="0", show_default=True, metavar="S")),
    "backend": (
        ("--backend",),
        dict(
            default="auto",
            show_default=True,
            metavar="NAME",
            type=Registered("backend", backend_names),
        ),
    ),
}


@dataclass(frozen=True)
class Setting:
    """The values of the options in :data:`SETTING_OPTIONS`, as given on the command line."""

    rule_name: str
    preset: str
    params: tuple[str, ...]
    seq_spec: str
    loss: str | None
    domain_spec: str
    steps: str | None
    x0_text: str
    dim: str | None
    seed: str
    backend: str

    def sequence_and_domain(self) -> tuple[Any, Any]:
        """The loss sequence and the feasible set named by ``--sequence``, ``--loss``
        and ``--domain``."""
        from octk.domains import domain as make_domain
        from octk.sequences import sequence as make_sequence

        return make_sequence(self.seq_spec, loss=self.loss), make_domain(self.domain_spec)

    def work(self, sequence: Any, domain: Any, configs: int = 1) -> int:
        """The lane-steps C·d·T of the run (``auto``'s size): d as :func:`octk.simulate`
        finds it (``--d``, ``--x0``, the data, the domain; else 1)."""
        sim = self.simulation_args()
        dims = [sim["d"], np.size(sim["x0"]) if np.ndim(sim["x0"]) else None]
        dims += [sequence.dim, domain.dim()]
        d = max([v for v in dims if v is not None] or [1])
        return int(configs) * int(d) * sim["steps"]

    def simulation_args(self) -> dict[str, Any]:
        """``--steps``, ``--x0``, ``--d`` and ``--seed`` checked, as the keyword arguments
        ``steps``, ``x0``, ``d`` and ``seed`` of :func:`octk.simulate.simulate`."""
        T = check_int("steps", self.steps, lo=1)
        x0 = floats("x0", self.x0_text)
        return dict(
            steps=T,
            x0=x0[0] if len(x0) == 1 else np.asarray(x0),
            d=None if self.dim is None else check_int("d", self.dim, lo=1),
            seed=check_int("seed", self.seed, lo=0),
        )


def setting_options(steps_required: bool = False, **helps: Help | None) -> Callable[[F], F]:
    """A decorator that adds every option of :data:`SETTING_OPTIONS` to a command, in the
    order of ``helps``, each with its help text there (None: the shared one), and passes
    their values to the command as its first argument, one :class:`Setting`."""
    if set(helps) != set(SETTING_OPTIONS):
        raise TypeError(f"setting_options needs a help for each of {', '.join(SETTING_OPTIONS)}")

    def apply(command: F) -> F:
        @functools.wraps(command)
        def with_setting(**values: Any) -> Any:
            setting = Setting(**{f.name: values.pop(f.name) for f in fields(Setting)})
            return command(setting, **values)

        decorated: Callable[..., Any] = with_setting
        for key, text in reversed(helps.items()):
            decls, attrs = SETTING_OPTIONS[key]
            attrs = {**attrs, "help": text or attrs["help"]}
            if key == "steps" and steps_required:
                attrs["required"] = True
            decorated = option(*decls, **attrs)(decorated)
        return decorated  # type: ignore[return-value]

    return apply


__all__ = [
    "PROGRESS_STEPS",
    "SETTING_OPTIONS",
    "LazyHelpOption",
    "Registered",
    "RegistryChoice",
    "RuleArgument",
    "Setting",
    "backend_options",
    "chosen_backend",
    "dtype_option",
    "floats",
    "listed",
    "option",
    "parallel_option",
    "path_option",
    "rule_help",
    "setting_options",
]
