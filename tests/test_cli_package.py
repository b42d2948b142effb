"""The CLI package: choices read from the registries, ``check --list-bounds`` alone,
``--parallel/--serial`` (the Numba backend's ``parallel``), ``--debug``, and the backend
options behind them."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from octk.cli import main


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_check_list_bounds_needs_no_other_option():
    from octk.bounds import bound_names

    res = invoke("check", "--list-bounds")
    assert res.exit_code == 0, res.output
    listed = [line.split()[0] for line in res.stdout.splitlines()]
    assert listed == list(bound_names())
    missing = invoke("check", "--steps", "3")
    assert missing.exit_code == 2 and "Missing option '--rule'" in missing.stderr


def test_choices_come_from_the_registries(monkeypatch):
    """A new registry entry is accepted and shown in --help without touching the CLI."""
    from octk import backends
    from octk.cli.options import SETTING_OPTIONS
    from octk.errors import UnknownNameError

    backend_type = SETTING_OPTIONS["backend"][1]["type"]
    with pytest.raises(UnknownNameError, match="unknown backend 'reference-copy'"):
        backend_type.convert("reference-copy", None, None)
    monkeypatch.setitem(backends.BACKENDS, "reference-copy", "a second oracle (test)")
    assert backend_type.convert("reference-copy", None, None) == "reference-copy"
    assert "reference-copy" in invoke("run", "--help").stdout
    assert "reference-copy" in invoke("list", "--backends").stdout


@pytest.mark.parametrize(
    ("option", "registry"),
    [
        ("--rule", "octk.rules:SPECS"),
        ("--preset", "octk.rules:PRESETS"),
        ("--loss", "octk.sequences:LOSSES"),
        ("--domain", "octk.domains:DOMAINS"),
        ("--backend", "octk.backends:BACKENDS"),
    ],
)
def test_help_lists_every_registry_entry(option, registry):
    import importlib

    module, name = registry.split(":")
    names = list(getattr(importlib.import_module(module), name))
    help_text = invoke("run", "--help").stdout
    options = help_text[help_text.index("Options:") :]
    text = "".join(options.split())  # click may break at a hyphen
    start = text.index(option)
    part = text[start : start + 300]
    for n in names:
        assert n in part, (option, n)


def test_param_help_and_hints_come_from_the_rule_registry():
    from octk.cli.params import hyperparameter_names, rule_option_names

    text = "".join(invoke("run", "--help").stdout.split())
    for name in (*hyperparameter_names(), *rule_option_names()):
        assert name in text
    res = invoke("run", "--rule", "ogd", "--param", "beta1=0.5", "--sequence", "reddi-thm1",
                 "--steps", 3)  # fmt: skip
    assert res.exit_code == 2 and "rule 'ogd' with options" in res.stderr
    assert "has no hyperparameter 'beta1' (it has alpha)" in res.stderr


def test_check_help_names_each_rules_own_bound():
    text = "".join(invoke("check", "--help").stdout.split())  # click may break at a hyphen
    for pair in ("adamkb-thm4.1", "amsgradrkk-thm4", "ogdzinkevich-ogd"):
        assert pair in text


def test_unknown_names_suggest_the_closest():
    res = invoke("run", "--rule", "adam", "--sequence", "reddi-thm1", "--steps", 3,
                 "--domain", "bal:1")  # fmt: skip
    assert res.exit_code == 2
    assert res.stderr.startswith("octk: error: unknown domain 'bal'") and "'ball'" in res.stderr
    res = invoke("run", "--rule", "adam", "--sequence", "redi-thm1", "--steps", 3)
    assert res.exit_code == 2 and "Did you mean 'reddi-thm1'" in res.stderr
    res = invoke("reproduce", "reddi2017")
    assert res.exit_code == 2 and "Did you mean 'reddi2018'" in res.stderr


@pytest.mark.parametrize(("flag", "parallel"), [(None, "False"), ("--parallel", "True"),
                                                ("--serial", "False")])  # fmt: skip
def test_emit_source_shows_the_kernel_the_run_compiles(flag, parallel):
    """One configuration of one coordinate is one chunk: the serial kernel by default; its
    m and v are free of x, so it runs the time-blocked groups layout (numba_layouts)."""
    args = ["run", "--rule", "adam", "--sequence", "reddi-thm1", "--emit-source"]
    res = invoke(*args, *([flag] if flag else []))
    assert res.exit_code == 0, res.output
    assert f"@njit(cache=True, parallel={parallel}," in res.stdout
    loop = "prange" if parallel == "True" else "range"
    assert f"for c in {loop}(CH0.shape[0]):" in res.stdout
    assert "# layout: groups (time-blocked);" in res.stdout


def test_emit_source_of_a_wide_run_is_parallel():
    res = invoke("run", "--rule", "adam", "--sequence", "reddi-thm1", "--d", 300, "--emit-source")
    assert "parallel=True" in res.stdout


def test_serial_on_a_backend_without_that_option_is_one_line():
    res = invoke("run", "--rule", "adam", "--sequence", "reddi-thm1", "--steps", 3,
                 "--backend", "reference", "--serial")  # fmt: skip
    assert res.exit_code == 2
    assert res.stderr.strip() == (
        "octk: error: backend 'reference' has no option 'parallel' (it takes none)"
    )


def test_debug_shows_the_traceback_of_an_internal_error(monkeypatch):
    import octk.cli.run as run_module

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(run_module, "split_params", broken)
    args = ["run", "--rule", "adam", "--sequence", "reddi-thm1", "--steps", 3]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1
    assert res.stderr.strip() == (
        "octk: error: internal error: RuntimeError: boom (octk --debug shows the traceback)"
    )
    res = CliRunner().invoke(main, ["--debug", *args])
    assert isinstance(res.exception, RuntimeError) and str(res.exception) == "boom"


def test_backend_objects_and_options():
    from octk.backends import get_backend
    from octk.backends.numba_backend import CHUNK, NumbaBackend

    serial = get_backend("numba", parallel=False)
    assert isinstance(serial, NumbaBackend) and serial.parallel is False
    assert get_backend("numba", parallel=False) is serial  # built once per options
    assert get_backend(serial) is serial
    auto = NumbaBackend()
    assert not auto.parallel_for(CHUNK) and auto.parallel_for(CHUNK + 1)
    assert NumbaBackend(parallel=True).parallel_for(1)
    assert not NumbaBackend(parallel=False).parallel_for(10 * CHUNK)
    with pytest.raises(ValueError, match="backend 'numba' has no option 'threads'"):
        get_backend("numba", threads=2)


def test_simulate_takes_a_backend_object():
    import octk
    from octk.backends.reference import ReferenceBackend

    kw = dict(steps=30, params={"alpha": 0.1, "beta1": 0.0, "beta2": 0.1})
    by_object = octk.simulate("adam", "reddi-thm1:C=3", backend=ReferenceBackend(), **kw)
    by_name = octk.simulate("adam", "reddi-thm1:C=3", backend="reference", **kw)
    assert by_object.backend == "reference"
    assert (by_object.x == by_name.x).all()
