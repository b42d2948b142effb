"""The CUDA C printer prints every rule × sequence step as C that nvcc compiles.

The printer on its own: every step body, with monitors, compiled with ``nvcc``
where it is installed (no GPU needed). The whole kernels built from these bodies
are compiled (NVRTC, nvcc) and run on the host in ``test_cuda_backend.py`` and
``test_backends_agree.py``.
"""

from __future__ import annotations

import functools
import shutil
import subprocess

import pytest
import sympy as sp

from octk.backends.printers import CudaPrinter, KernelPrintError
from octk.backends.program import lower
from octk.bounds import bound_monitors
from octk.monitors import count, first
from octk.rules import SPECS, rule
from octk.rules.anatomy import NotInProgram
from octk.sequences import sequence
from octk.symbols import t

SEQUENCES = ["reddi-thm1", "sparse", "adaptive-sign", "uniform"]


def device_function(name: str, prog) -> str:
    steps = [*prog.assignments, *prog.post]
    stats = [e for _, e in prog.stats]
    inputs, assigned = [], set()
    for target, expr in [*steps, *((None, e) for e in stats)]:
        for s in sorted(expr.free_symbols, key=str):  # read before written: an input
            if s not in assigned and s not in inputs:
                inputs.append(s)
        if target is not None:
            assigned.add(target)
    names = {s: f"v_{s.name}" for s in [*inputs, *assigned]}
    pr = CudaPrinter(names)
    params = ", ".join(
        ("long long " if s.name in ("t", "i") else "double ") + names[s] for s in inputs
    )
    lines = [f"__device__ double {name}({params}) {{"]
    declared = {s for s in inputs}
    x = sp.Symbol("x", real=True)
    for target, expr in steps:
        if target == x:  # x̂_{t+1}: x stays the played x_t for the accumulators
            lines.append(f"    double v_xhat = {pr.doprint(expr)};")
            continue
        decl = "" if target in declared else "double "
        declared.add(target)
        lines.append(f"    {decl}{names[target]} = {pr.doprint(expr)};")
    for k, (name, expr) in enumerate(prog.stats):  # accumulators: statistics and monitors
        acc = names.get(sp.Symbol(name, real=True))
        if acc is not None and sp.Symbol(name, real=True) in inputs:
            lines.append(f"    {acc} = {pr.doprint(expr)};")
        else:
            lines.append(f"    double stat{k} = {pr.doprint(expr)}; (void)stat{k};")
    lines.append("    return v_xhat;")
    lines.append("}")
    return "\n".join(lines)


def _has_effective_step(r) -> bool:
    try:
        r.inverse_effective_step()
    except NotInProgram:  # Lion's sign step, AdaShift's first n steps: no 1/η_t
        return False
    return True


def _real_power(r) -> bool:
    """Whether ``r``'s program raises to a power of hyperparameters (Padam's v̂^p)."""
    return any(
        p.exp.free_symbols and not p.exp.has(t) for _, e in r.program for p in e.atoms(sp.Pow)
    )


@functools.cache
def all_steps() -> dict[str, str]:
    """Every rule × preset × sequence, with the monitors the bounds read (sums, maxima,
    last values, Γ counts and first times) as accumulators, where the rule has an
    effective step η_t: rule name -> its device functions."""
    parts: dict[str, list[str]] = {}
    for name, spec in SPECS.items():
        for preset in spec.presets:
            r = rule(name, preset)
            eta = _has_effective_step(r)
            mons = (
                *(bound_monitors(r) if eta else ()),
                count("n_neg_g", "g < 0"),
                first("t_pos", "x > 0"),
            )
            for k, seq in enumerate(SEQUENCES):
                # the first sequence also with the weight 1/η_t of the weighted projections
                prog = lower(r, sequence(seq), mons, weights=eta and k == 0)
                parts.setdefault(name, []).append(
                    device_function(f"step_{name}_{preset}_{k}", prog)
                )
    return {name: "\n\n".join(p) for name, p in parts.items()}


def test_cuda_printer_output_is_plain_c_expressions():
    steps = all_steps()
    for name, src in steps.items():
        assert "Piecewise" not in src and "Max(" not in src, name
        # pow only where the program has a power of hyperparameters (Padam's v̂^p)
        assert ("pow(" in src) == _real_power(rule(name)), name
    src = "\n\n".join(steps.values())
    assert "fmax(" in src and "sqrt(" in src and "?" in src


def test_cuda_printer_refuses_inexact_powers():
    x = sp.Symbol("x")
    with pytest.raises(KernelPrintError, match="cannot print the power"):
        CudaPrinter({x: "x"}).doprint(x ** sp.Rational(1, 3))


@pytest.mark.slow  # runs nvcc
@pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc (CUDA toolkit) not installed")
def test_printed_steps_compile_with_nvcc(tmp_path):
    cu = tmp_path / "steps.cu"
    cu.write_text("#include <math.h>\n\n" + "\n\n".join(all_steps().values()) + "\n")
    out = subprocess.run(
        ["nvcc", "-c", "-o", str(tmp_path / "steps.o"), str(cu)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
