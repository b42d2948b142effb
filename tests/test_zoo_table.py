"""The committed zoo table (docs/zoo-audit, made by ``octk audit --zoo``): every cell that
says a rule fails names a certificate file, and ``octk certify`` re-checks it without
trusting the run that wrote it; a tampered certificate is rejected."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from octk.cli import main

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "docs" / "zoo-audit"


def _certificates(fails_only: bool) -> list[Path]:
    rows = json.loads((TABLE / "zoo.json").read_text())["rows"]
    out = []
    for row in rows:
        cells = [row["counterexamples"]] if fails_only else [row["counterexamples"], row["worst"]]
        for cell in cells:
            if fails_only and not cell.startswith("fails"):
                continue
            out += [TABLE / m for m in re.findall(r"\]\(([^)]+\.json)\)", cell)]
    return out


def test_every_fails_cell_carries_a_certificate():
    rows = json.loads((TABLE / "zoo.json").read_text())["rows"]
    fails = [r for r in rows if r["counterexamples"].startswith("fails")]
    assert fails, "the table records at least one certified failure"
    for r in fails:
        assert re.search(r"\]\([^)]+certificate\.json\)", r["counterexamples"]), r["rule"]
    assert len(_certificates(fails_only=True)) == len(fails)


@pytest.mark.parametrize("path", _certificates(fails_only=True), ids=lambda p: p.parent.name)
def test_the_fails_certificates_recheck(path):
    res = CliRunner().invoke(main, ["certify", str(path)])
    assert res.exit_code == 0 and "holds" in res.output, res.output


def test_a_tampered_zoo_certificate_is_rejected(tmp_path):
    path = _certificates(fails_only=True)[0]
    text = path.read_text()
    # raise the stated lower bound a thousandfold: the exact re-run no longer reaches it
    bumped = re.sub(r'"lower_bound": "(\d+)/(\d+)"', r'"lower_bound": "\g<1>000/\2"', text)
    assert bumped != text
    bad = tmp_path / "tampered.json"
    bad.write_text(bumped)
    res = CliRunner().invoke(main, ["certify", str(bad)])
    assert res.exit_code != 0, res.output
