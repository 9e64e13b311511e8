"""The suite never touches the operator's register: with REGISTRY_DESK_DATABASE_URL naming a real file (as the
README tells a hall machine to set it), tests that resolve settings the way the application does leave that
file as it was."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from registry_desk import config

# Resolve settings as the application does (config.resolve): before the fixture existed, these wrote units,
# cases, certificates and audit events into the database the environment named.
READERS_OF_SETTINGS = ["tests/unit/commands/test_documents_cli.py", "tests/integration/test_bootstrap.py"]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_no_operator_setting_reaches_a_test(no_operator_environment: Path):
    leaked = {k for k in os.environ if k.startswith("REGISTRY_DESK_")} - {config.ENV_DATA_DIR}
    assert leaked == set()
    settings = config.resolve()
    assert settings.data_dir == no_operator_environment
    assert settings.database_url == f"sqlite:///{no_operator_environment / 'registry.sqlite3'}"


def test_the_operators_register_is_left_untouched(tmp_path: Path):
    register = tmp_path / "hall" / "registry.sqlite3"
    register.parent.mkdir()
    with sqlite3.connect(register) as conn:
        conn.execute("CREATE TABLE kept (note TEXT)")
        conn.execute("INSERT INTO kept VALUES ('the hall register')")
    before = _digest(register), register.stat().st_mtime_ns
    operator_dir = tmp_path / "hall-data"
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "REGISTRY_DESK_DATABASE_URL": f"sqlite:///{register}",
        "REGISTRY_DESK_DATA_DIR": str(operator_dir),
        "QT_QPA_PLATFORM": "offscreen",
    }
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *READERS_OF_SETTINGS],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout
    assert (_digest(register), register.stat().st_mtime_ns) == before
    assert not operator_dir.exists()
