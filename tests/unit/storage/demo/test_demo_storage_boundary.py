"""storage/demo/ serves the demo; production storage never imports it."""

from __future__ import annotations

import ast
from pathlib import Path

STORAGE = Path(__file__).resolve().parents[4] / "registry_desk" / "storage"


def test_no_production_storage_module_imports_storage_demo():
    offenders = []
    scanned = sorted(STORAGE.rglob("*.py"))
    assert len(scanned) > 10
    for path in scanned:
        if "demo" in path.relative_to(STORAGE).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            if any(
                n == "registry_desk.storage.demo" or n.startswith("registry_desk.storage.demo.")
                for n in names
            ):
                offenders.append(path.relative_to(STORAGE).as_posix())
    assert offenders == []
