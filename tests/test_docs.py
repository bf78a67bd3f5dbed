"""The docs that are generated stay generated, and the code stays lint-clean (both checked in CI
through the test command)."""
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT


def test_cli_reference_matches_the_help():
    """docs/cli.md is `compare --help` of every command (cog -r docs/cli.md regenerates it)."""
    from cogapp import Cog

    status = Cog().main(["cog", "--check", "-I", str(ROOT), str(ROOT / "docs" / "cli.md")])
    assert status == 0, "docs/cli.md is out of date: run cog -r docs/cli.md"


def test_ruff_is_clean():
    ruff = shutil.which("ruff") or str(ROOT / ".venv" / "bin" / "ruff")
    if not shutil.which(ruff):
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    r = subprocess.run([ruff, "check", "--no-cache", str(ROOT)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stdout[-3000:]


def test_readme_stays_the_front_door():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 150, f"README.md has {len(lines)} lines: move reference text to docs/"
    assert sys.version_info >= (3, 10)


def test_readme_says_how_the_bare_compare_of_its_examples_is_found():
    """The set-up installs into .venv and does not activate it; the examples call `compare`."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    bare = [line for line in text.splitlines() if line.startswith("$ compare ")]
    assert bare, "README has no example commands any more: drop this test"
    assert "python3 -m venv .venv" in text
    assert "source .venv/bin/activate" in text or ". .venv/bin/activate" in text, \
        "README's examples call `compare`, which the set-up leaves at .venv/bin/compare, off the PATH"
