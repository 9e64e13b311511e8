"""The layering of the house, as pyproject.toml's [tool.importlinter] contracts state it, holds: an import
against it (a feature reaching up into the UI, the UI reaching down into storage, Qt or a PDF library
where it does not belong) fails the suite."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import venv_tool

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contracts_are_kept():
    lint_imports = venv_tool("lint-imports")
    if lint_imports is None:
        pytest.skip(
            "import-linter is not installed (it comes with the test extras: pip install -e '.[test]')"
        )
    done = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False, timeout=300
    )
    assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout and "broken" not in done.stdout.replace("0 broken", "")


def test_the_package_has_the_rooms_the_readme_draws():
    package = ROOT / "registry_desk"
    for room in (
        "domain",
        "kernel",
        "storage",
        "documents",
        "registration",
        "exemptions",
        "payments",
        "kiosk",
        "operations",
        "demo",
        "ui",
        "commands",
    ):
        assert (package / room / "__init__.py").is_file(), room
    assert not (package / "services").exists(), "services/ was re-laid into the feature packages"


def test_the_lower_floors_type_check():
    # domain, kernel and storage, as [tool.mypy] in pyproject.toml names them.
    mypy = venv_tool("mypy")
    if mypy is None:
        pytest.skip("mypy is not installed (it comes with the test extras: pip install -e '.[test]')")
    done = subprocess.run([str(mypy)], cwd=ROOT, capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-2000:]
    assert "Success" in done.stdout
