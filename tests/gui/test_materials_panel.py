"""The materials panel shows each material's status (未提交, 纸质件, 电子证照, 电子签章件) and refuses a tampered
e-certificate with its reason, leaving the material missing."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from registry_desk.config import Settings
from registry_desk.exemptions import service as exemptions
from registry_desk.registration import issuing
from registry_desk.demo.demo_data import load_demo
from registry_desk.registration.prefill import accept_prefilled, prefill
from registry_desk.ui.materials_panel import MaterialsPanel
from registry_desk.ui.tasks import TaskRunner
from tests.integration.test_ecert_on_recording import _singly_mortgaged_unit


def test_each_status_shows_and_a_tampered_e_certificate_is_refused_with_its_reason(
    qtbot, sqlite_db, clerk, tmp_path: Path
):
    load_demo(sqlite_db)
    settings = Settings(tmp_path / "data", sqlite_db.url)
    unit, _proof = _singly_mortgaged_unit(sqlite_db)
    number = accept_prefilled(
        sqlite_db, clerk, prefill(sqlite_db, clerk, "mortgage_cancel", unit)
    ).case_number
    store = exemptions.ecert_store(settings)
    exemptions.backfill_unit(sqlite_db, settings, store, unit)
    [proof] = [r for r in store.find(unit_number=unit) if r.kind.value == "registration_proof"]
    path = store.folder / "pdf" / f"{proof.ecert_id}.pdf"
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0x01
    path.write_bytes(bytes(data))

    panel = MaterialsPanel(sqlite_db, clerk, settings, number, TaskRunner(None), store=store, demo=True)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.status_text("proof_certificate") == "未提交"

    panel.select("proof_certificate")
    with qtbot.waitSignal(panel.message_shown, timeout=20_000) as shown:
        qtbot.mouseClick(panel.pull_button, Qt.MouseButton.LeftButton)
    text, is_error = shown.args
    assert is_error and "摘要不符" in text and proof.ecert_id in text
    assert panel.message.text() == text
    assert panel.status_of("proof_certificate") == "missing"

    panel.select("identity")
    qtbot.mouseClick(panel.paper_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.status_text("identity") == "已收纸质件", timeout=10_000)
    qtbot.mouseClick(panel.bank_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.status_text("extinction_proof") == "电子签章件已核验", timeout=30_000)
    assert panel.status_text("application") == "电子签章件已核验"  # the bank alone applies and seals it
    # A sealed file previews in the panel.
    panel.select("extinction_proof")
    qtbot.waitUntil(lambda: panel.preview_pages == 1, timeout=10_000)
    issuing.forget_centre_kits()
