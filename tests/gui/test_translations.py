"""Every user-visible string of the window has an English translation, and the .ts matches the sources."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from registry_desk.resources_path import resource
from tests.conftest import venv_tool

TS = resource("translations", "registry_desk_en.ts")
QM = resource("translations", "registry_desk_en.qm")
ROOT = Path(__file__).resolve().parents[2]


def _messages(path: Path) -> dict[tuple[str, str], ET.Element]:
    tree = ET.parse(path)
    return {
        (context.findtext("name") or "", message.findtext("source") or ""): message
        for context in tree.iter("context")
        for message in context.iter("message")
        if message.find("translation") is not None
        and message.find("translation").get("type") != "vanished"
        and message.find("translation").get("type") != "obsolete"
    }


def test_every_string_has_an_english_translation():
    untranslated = [
        source
        for (_ctx, source), message in _messages(TS).items()
        if message.find("translation").get("type") == "unfinished" or not message.findtext("translation")
    ]
    assert untranslated == []
    assert QM.is_file() and QM.stat().st_size > 0


def test_ts_file_lists_exactly_the_strings_in_the_sources(tmp_path: Path):
    lupdate = venv_tool("pyside6-lupdate")
    if lupdate is None:
        pytest.skip("pyside6-lupdate is not installed")
    fresh = tmp_path / "fresh.ts"
    sources = [
        ROOT / "registry_desk" / "app.py",
        *sorted((ROOT / "registry_desk" / "ui").glob("*.py")),
        *sorted((ROOT / "registry_desk" / "ui" / "intake").glob("*.py")),
        *sorted((ROOT / "registry_desk" / "ui" / "kiosk").glob("*.py")),
    ]
    subprocess.run(
        [
            str(lupdate),
            *map(str, sources),
            "-ts",
            str(fresh),
            "-source-language",
            "zh_CN",
            "-target-language",
            "en",
        ],
        check=True,
        capture_output=True,
    )
    assert set(_messages(fresh)) == set(_messages(TS)), (
        "run pyside6-lupdate and translate (resources/translations/README.md)"
    )
