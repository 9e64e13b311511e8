"""The README's first command as a newcomer meets it: the real entry point on a fresh data directory opens
the login window at once, loads the Zhongwei demo register, and leaves demo accounts to sign in with."""

import json
import os
import subprocess
import sys

from pypdf import PdfReader

from registry_desk.config import Settings
from registry_desk.registration import issuing
from registry_desk.exemptions.bank_contracts import CONTRACT_DATA_FILE, read_bank_contract
from registry_desk.demo.demo_accounts import read_demo_accounts
from registry_desk.storage.database import Database


def _run(data_dir, mode):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", REGISTRY_DESK_EXIT_AFTER_STARTUP=mode)
    env.pop("REGISTRY_DESK_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "registry_desk", "--data-dir", str(data_dir)],
        env=env,
        capture_output=True,
        timeout=300,
    )


def test_first_launch_opens_on_the_demo_register(tmp_path):
    done = _run(tmp_path, "ready")  # until the database is open and signing in is possible
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    assert b"Traceback" not in done.stderr
    db = Database(f"sqlite:///{tmp_path / 'registry.sqlite3'}")
    try:
        with db.engine.connect() as conn:
            units = conn.exec_driver_sql("SELECT count(*) FROM units").scalar()
            cases = conn.exec_driver_sql("SELECT count(*) FROM cases").scalar()
    finally:
        db.dispose()
    assert units >= 300 and cases > 0, "a newcomer sees a living counter"
    accounts = read_demo_accounts(tmp_path)
    assert {"clerk1", "registrar1", "cashier1", "admin", "kiosk1"} <= set(accounts)
    # Two banks' sealed mortgage contracts wait for F6, each readable for the unit it names.
    settings = Settings(data_dir=tmp_path, database_url="sqlite://")
    trust = issuing.centre_kit(settings).trust
    contracts = sorted((tmp_path / "bank_inbox").glob("*.pdf"))
    assert len(contracts) == 2
    for path in contracts:
        unit = json.loads(PdfReader(path).attachments[CONTRACT_DATA_FILE][0])["unit_number"]
        number = read_bank_contract(path.read_bytes(), trust, unit_number=unit).data.contract_no
        assert path.name == f"{unit}_{number}.pdf"
    # the second morning: the same directory opens without loading anything again
    again = _run(tmp_path, "ready")
    assert again.returncode == 0, again.stderr.decode(errors="replace")[-2000:]
