"""Compile-check generated CUDA kernels without a GPU: NVRTC to PTX, or nvcc.

NVRTC (the ``cuda-bindings`` and ``nvidia-cuda-nvrtc`` wheels: ``pip install
'octk[cuda-check]'``) compiles CUDA C++ to PTX with no device and no driver; it is
the compiler CuPy's ``RawModule`` calls, so a kernel that passes here compiles
there. ``nvcc`` (the CUDA toolkit) is used where it is on PATH. Both run with
``--fmad=false``, the flag the ``cupy`` backend compiles with.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from octk.backends.cupy_backend import NVRTC_OPTIONS
from octk.errors import BackendUnavailableError

ARCH = "compute_90"  # Hopper (H100, H200): the GPUs octk's device check runs on


def nvrtc_error() -> str | None:
    """Why NVRTC cannot be used here (one line), or None."""
    try:
        from cuda.bindings import nvrtc

        err, _, _ = nvrtc.nvrtcVersion()
    except Exception as e:  # not installed, or no libnvrtc found
        return f"NVRTC unavailable ({type(e).__name__}: {e}); pip install 'octk[cuda-check]'"
    if err != nvrtc.nvrtcResult.NVRTC_SUCCESS:
        return f"NVRTC unavailable ({err})"
    return None


def nvrtc_ptx(source: str, *, arch: str = ARCH, name: str = "octk_kernel.cu") -> str:
    """The PTX of ``source`` compiled by NVRTC; RuntimeError with the log on failure."""
    why = nvrtc_error()
    if why is not None:
        raise BackendUnavailableError(why)
    from cuda.bindings import nvrtc

    ok = nvrtc.nvrtcResult.NVRTC_SUCCESS
    err, prog = nvrtc.nvrtcCreateProgram(source.encode(), name.encode(), 0, [], [])
    if err != ok:
        raise RuntimeError(f"nvrtcCreateProgram: {err}")
    try:
        opts = [f"--gpu-architecture={arch}".encode(), *(o.encode() for o in NVRTC_OPTIONS)]
        (status,) = nvrtc.nvrtcCompileProgram(prog, len(opts), opts)
        _, size = nvrtc.nvrtcGetProgramLogSize(prog)
        log = b" " * size
        nvrtc.nvrtcGetProgramLog(prog, log)
        if status != ok:
            raise RuntimeError(f"NVRTC could not compile {name}:\n{log.decode(errors='replace')}")
        _, size = nvrtc.nvrtcGetPTXSize(prog)
        ptx = b" " * size
        nvrtc.nvrtcGetPTX(prog, ptx)
        return ptx.rstrip(b"\0").decode()
    finally:
        nvrtc.nvrtcDestroyProgram(prog)


def nvcc_ptx(sources: list[str], *, arch: str = "sm_90") -> None:
    """Compile each of ``sources`` to PTX with nvcc (one call, one file each: no host
    pass, no device needed); RuntimeError with its output on failure."""
    nvcc = shutil.which("nvcc")
    if nvcc is None:
        raise BackendUnavailableError("nvcc (the CUDA toolkit) is not on PATH")
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for k, src in enumerate(sources):
            files.append(Path(tmp) / f"octk_kernel_{k}.cu")
            files[-1].write_text(src)
        cmd = [nvcc, "-ptx", f"-arch={arch}", "--fmad=false", "-std=c++14", *map(str, files)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=tmp)
    if out.returncode != 0:
        raise RuntimeError(f"nvcc could not compile a kernel:\n{out.stderr[-4000:]}")


def ptxas_report(source: str, *, arch: str = "sm_90") -> dict[str, dict[str, int]]:
    """Registers, stack frame and spill bytes of each kernel of ``source`` (nvcc -Xptxas -v)."""
    nvcc = shutil.which("nvcc")
    if nvcc is None:
        raise BackendUnavailableError("nvcc (the CUDA toolkit) is not on PATH")
    with tempfile.TemporaryDirectory() as tmp:
        cu = Path(tmp) / "octk_kernel.cu"
        cu.write_text(source)
        cmd = [nvcc, "-cubin", f"-arch={arch}", "--fmad=false", "-std=c++14", "-Xptxas", "-v"]
        out = subprocess.run([*cmd, str(cu)], capture_output=True, text=True, check=False, cwd=tmp)
    if out.returncode != 0:
        raise RuntimeError(f"nvcc could not compile the kernel:\n{out.stderr[-4000:]}")
    report: dict[str, dict[str, int]] = {}
    name = None
    for line in out.stderr.splitlines():
        if m := re.search(r"Compiling entry function '(\w+)'", line):
            name = m.group(1)
            report[name] = {}
        elif name and (m := re.search(r"(\d+) bytes stack frame, (\d+) bytes spill stores", line)):
            report[name].update(stack=int(m.group(1)), spill=int(m.group(2)))
        elif name and (m := re.search(r"Used (\d+) registers", line)):
            report[name]["registers"] = int(m.group(1))
    return report


__all__ = ["ARCH", "nvcc_ptx", "nvrtc_error", "nvrtc_ptx", "ptxas_report"]
