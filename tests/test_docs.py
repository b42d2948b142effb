"""The documentation's theory page is what octk cites: every "theory §N" in the code,
the notebooks and the README names a section of docs/theory.md, and nothing cites
a theory file outside the documentation. (The site itself is built with warnings as
errors in .ci/run.)"""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CITE = re.compile(r"theory §(\d+)")


def _tracked() -> list[Path]:
    try:
        out = subprocess.run(
            ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    keep = (".py", ".md", ".ipynb", ".toml")
    return [ROOT / p for p in out.splitlines() if p.endswith(keep) and (ROOT / p).is_file()]


def test_every_theory_citation_names_a_section_of_the_theory_page():
    sections = set(re.findall(r"^## §(\d+) ", (ROOT / "docs" / "theory.md").read_text(), re.M))
    assert sections == {str(n) for n in range(1, 9)}
    cited: dict[str, set[str]] = {}
    for path in _tracked():
        for n in CITE.findall(path.read_text(encoding="utf-8")):
            cited.setdefault(n, set()).add(str(path.relative_to(ROOT)))
    assert {"4", "7"} <= set(cited)  # the proofs cite these
    missing = {n: sorted(files)[:3] for n, files in cited.items() if n not in sections}
    assert not missing, f"cited sections not on the theory page: {missing}"


def test_nothing_cites_a_theory_file_outside_the_docs():
    notes = re.compile("THEORY")
    here = Path(__file__).resolve()
    found = [
        str(p.relative_to(ROOT))
        for p in _tracked()
        if p.resolve() != here and notes.search(p.read_text(encoding="utf-8"))
    ]
    assert not found
