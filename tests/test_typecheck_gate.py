"""``.ci/typecheck``: the gate that keeps the strict packages free of mypy errors and the
error count elsewhere from growing (judged here on made-up mypy output)."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).parents[1]


def _gate():
    loader = importlib.machinery.SourceFileLoader("typecheck_gate", str(ROOT / ".ci/typecheck"))
    spec = importlib.util.spec_from_loader("typecheck_gate", loader)
    assert spec is not None
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


gate = _gate()
BASELINE = {"strict": ["octk/cli"], "total": 2, "files": {"octk/a.py": 2}}
OTHER = "octk/a.py:3: error: Incompatible types  [assignment]"


def test_strict_paths_must_be_clean():
    passed, report = gate.judge(["octk/cli/run.py:5:1: error: Missing return  [return]"], BASELINE)
    assert not passed and "1 errors in strict paths" in report[-1]
    assert gate.is_strict("octk/cli/run.py", ["octk/cli"])
    assert not gate.is_strict("octk/client.py", ["octk/cli"])


def test_count_elsewhere_may_only_go_down():
    assert gate.judge([OTHER, OTHER], BASELINE)[0]
    passed, report = gate.judge([OTHER], BASELINE)
    assert passed and "fewer than recorded" in report[-1]
    passed, report = gate.judge([OTHER, OTHER, "proofs/b.py:1: error: x  [misc]"], BASELINE)
    assert not passed and "  grew in proofs/b.py: 0 -> 1" in report
    assert gate.judge(["octk/a.py:3: note: See https://mypy.rtfd.io"], BASELINE)[0]


def test_the_committed_baseline_names_the_cli_strict():
    baseline = json.loads((ROOT / ".ci/mypy-baseline.json").read_text())
    assert "octk/cli" in baseline["strict"]
    assert baseline["total"] == sum(baseline["files"].values())
