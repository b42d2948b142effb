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


def _readme_commands(marker: str) -> list[list[str]]:
    """The README's ``octk ...`` command lines that mention ``marker`` (continuations
    joined), as argument lists."""
    import shlex

    text = (ROOT / "README.md").read_text(encoding="utf-8").replace("\\\n", " ")
    return [
        shlex.split(line.strip())[1:]
        for line in text.splitlines()
        if line.strip().startswith("octk ") and marker in line
    ]


def test_the_readme_examples_with_the_shipped_gradients_run_as_written(monkeypatch):
    from click.testing import CliRunner

    from octk.cli import main

    monkeypatch.chdir(ROOT)
    commands = _readme_commands("examples/grads.npy")
    assert len(commands) == 2
    for args in commands:
        res = CliRunner().invoke(main, args, catch_exceptions=False)
        assert res.exit_code == 0, res.output
        line = next(ln for ln in res.stdout.splitlines() if "R_T/T" in ln)
        assert "nan" not in line and "inf" not in line, line


def test_every_module_is_in_the_api_reference(tmp_path, monkeypatch):
    import importlib.util
    import pkgutil

    spec = importlib.util.spec_from_file_location("apigen", ROOT / "docs" / "apigen.py")
    apigen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(apigen)
    modules = {"octk", "proofs"}
    for name in ("octk", "proofs"):
        pkg = importlib.import_module(name)
        modules |= {m.name for m in pkgutil.walk_packages(pkg.__path__, name + ".")}
    assigned = apigen.assign()
    assert all(assigned.values())  # no empty page
    assert sorted(m for mods in assigned.values() for m in mods) == sorted(modules)
    assert "octk.rules.anatomy" in assigned["rules"] and "octk.cli.run" in assigned["cli"]
    assert "octk.simulate" in assigned["run"] and "proofs.claim" in assigned["proofs"]
    apigen.write(tmp_path)
    pages = {p.stem: p.read_text() for p in tmp_path.glob("*.md")}
    assert ".. automodule:: octk.results.files\n```" in pages["run"]
    assert ".. automodule:: octk.results\n   :no-members:" in pages["run"]  # a package
