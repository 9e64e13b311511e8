"""The tree has no undefined name, unused import or variable, or syntax error (ruff's pyflakes rules, as
configured in pyproject.toml): each is a bug or dead code, and the suite is where they are caught."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import venv_tool

ROOT = Path(__file__).resolve().parents[2]


def test_ruff_finds_nothing():
    ruff = venv_tool("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (it comes with the test extras: pip install -e '.[test]')")
    done = subprocess.run(
        [str(ruff), "check", "--no-cache", "--output-format", "concise", "registry_desk", "tests", "seeds"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_tree_is_formatted():
    # `ruff format` was applied once to the whole tree; a change that is not formatted fails here.
    ruff = venv_tool("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (it comes with the test extras: pip install -e '.[test]')")
    done = subprocess.run(
        [str(ruff), "format", "--check", "--no-cache", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, "run `ruff format .`:\n" + done.stdout + done.stderr
