"""The GUI proof of the three exemptions: in the clerk window the only inputs are choosing the unit and the business
type and the applicants' signatures on the pad; every field is prefilled with its source, the bank's contracts
arrive sealed, the certificate is pulled as an e-certificate, and every issued document verifies offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractSpinBox, QLineEdit, QPlainTextEdit, QTableWidget, QTextEdit
from sqlalchemy import select

from registry_desk.config import Settings
from registry_desk.documents.verification import check_document
from registry_desk.domain.codes import CaseStatus, Role
from registry_desk.registration import payment_status, queries
from registry_desk.exemptions import service as exemptions
from registry_desk.registration import issuing
from registry_desk.kernel.context import Actor
from registry_desk.demo.demo_data import load_demo
from registry_desk.storage.database import Database
from registry_desk.storage.tables import Attachment
from registry_desk.ui.case_detail import CaseDetailDialog
from registry_desk.ui.intake.dialog import IntakeDialog
from registry_desk.ui.intake.fields import SourceLabel
from registry_desk.ui.intake.parties import PartyTable
from registry_desk.ui.materials_panel import MaterialsPanel
from registry_desk.ui.tasks import TaskRunner
from tests.gui.test_signature_pad import ZIGZAG, write
from tests.integration.test_application_form import buyers_take_ownership, presale_unit
from tests.integration.test_ecert_on_recording import _singly_mortgaged_unit

REGISTRAR = Actor(None, "reg01", "登簿员乙", Role.REGISTRAR)
CASHIER = Actor(None, "cash01", "收费员丙", Role.CASHIER)
_EDITORS = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox, QTableWidget)


class TypingCounter(QObject):
    """Counts every key press that would put text into a field (an editor or one of its inner widgets)."""

    def __init__(self) -> None:
        super().__init__()
        self.typed: list[tuple[str, str]] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            text = event.text()
            widget = watched
            while widget is not None and not isinstance(widget, _EDITORS):
                widget = widget.parent()
            if text and text.isprintable() and widget is not None:
                self.typed.append((widget.objectName() or type(widget).__name__, text))
        return False


@pytest.fixture
def counter(qapp):
    spy = TypingCounter()
    qapp.installEventFilter(spy)
    yield spy
    qapp.removeEventFilter(spy)


@pytest.fixture
def demo(sqlite_db: Database, clerk: Actor, tmp_path: Path) -> tuple[Database, Actor, Settings]:
    load_demo(sqlite_db)
    settings = Settings(tmp_path / "data", sqlite_db.url)
    (tmp_path / "data").mkdir()
    yield sqlite_db, clerk, settings
    issuing.forget_centre_kits()


def _intake(qtbot, db, clerk, settings, unit: str, business: str) -> IntakeDialog:
    """Choosing the unit (from the register page) and the type: the clerk's first two inputs."""
    from registry_desk.ui.bus import ChangeBus
    from registry_desk.ui.tasks import TaskRunner

    bus = ChangeBus()
    dialog = IntakeDialog(db, clerk, settings, unit, TaskRunner(None, bus), bus)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.set_business_type(business)
    qtbot.mouseClick(dialog.prefill_button, Qt.MouseButton.LeftButton)  # 从登记簿预填: a click, not typing
    return dialog


def _assert_every_field_prefilled_with_its_source(dialog: IntakeDialog) -> None:
    table = dialog.party_table
    assert table.rowCount() >= 1
    for row in range(table.rowCount()):
        for column in (PartyTable.NAME, PartyTable.ID_NUMBER):
            assert table.text(row, column), f"第{row + 1}行第{column}列为空"
            assert table.item(row, column).toolTip().startswith(("来自", "默认"))
        assert table.text(row, PartyTable.SOURCE)
    assert dialog.problems() == []
    for label in dialog.findChildren(SourceLabel):
        if label.isVisibleTo(dialog):
            assert label.text() and label.toolTip() == label.text()


def _accept(qtbot, dialog: IntakeDialog) -> tuple[str, bytes]:
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.receipt_preview is not None, timeout=20_000)
    assert dialog.summary is not None
    return dialog.summary.case_number, dialog.receipt_preview.pdf_bytes


def _prefill_event(db: Database, number: str) -> dict:
    from registry_desk.storage.tables import AuditEvent

    with db.unit_of_work(write=False) as uow:
        (after,) = uow.session.scalars(
            select(AuditEvent.after).where(
                AuditEvent.record == number, AuditEvent.action == "case.prefill_accepted"
            )
        ).all()
    return after


def _panel(qtbot, db, clerk, settings, number: str) -> MaterialsPanel:
    from registry_desk.ui.tasks import TaskRunner

    panel = MaterialsPanel(db, clerk, settings, number, TaskRunner(None), demo=True)
    qtbot.addWidget(panel)
    panel.show()
    return panel


def _click_on(qtbot, panel: MaterialsPanel, code: str | None, button, expected: dict[str, str]) -> None:
    if code is not None:
        panel.select(code)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: all(panel.status_of(c) == s for c, s in expected.items()), timeout=30_000)


def _record_as_registrar(qtbot, db, settings, number: str) -> None:
    """登簿 and publish, as the registrar's 登簿 button does (case_detail.record → record_and_publish).

    Called through the service: the detail dialog's history view cannot yet show the e-certificate
    issuing event publish writes (case_history expects a list under "certificates"; reported)."""
    detail = CaseDetailDialog(db, REGISTRAR, settings, number, TaskRunner(None))
    qtbot.addWidget(detail)
    assert "record" in detail.visible_actions()
    detail.close()
    done = exemptions.record_and_publish(db, REGISTRAR, number, settings=settings)
    assert done.published, done.publish_error


def test_first_mortgage_with_only_unit_type_and_signatures(qtbot, demo, counter):
    db, clerk, settings = demo
    unit = presale_unit(db)
    buyers_take_ownership(db, unit)  # the buyers own the flat now (done through the services)
    counter.typed.clear()

    dialog = _intake(qtbot, db, clerk, settings, unit, "mortgage_first")
    _assert_every_field_prefilled_with_its_source(dialog)
    assert dialog.mortgage_box.amount.text()
    number, receipt = _accept(qtbot, dialog)
    # The audit trail says where every accepted field came from, and that the clerk changed none.
    event = _prefill_event(db, number)
    assert event["corrections"] == []
    assert event["fields"]["mortgage.amount"]["source"].startswith("来自")
    assert all(field["source"] for field in event["fields"].values())

    panel = _panel(qtbot, db, clerk, settings, number)
    _click_on(
        qtbot, panel, None, panel.bank_button, {"mortgage_contract": "sealed", "loan_contract": "sealed"}
    )
    _click_on(qtbot, panel, "title_certificate", panel.pull_button, {"title_certificate": "ecert"})
    _click_on(qtbot, panel, "identity", panel.pull_button, {"identity": "ecert"})
    assert panel.status_text("title_certificate") == "电子证照已核验"
    assert panel.status_text("mortgage_contract") == "电子签章件已核验"
    # The pulled e-certificate shows in the preview.
    panel.select("title_certificate")
    qtbot.waitUntil(lambda: panel.preview_pages >= 1, timeout=10_000)

    # The applicants sign on the pad: the third and last kind of input.
    qtbot.mouseClick(panel.sign_button, Qt.MouseButton.LeftButton)
    pads = panel.signature_dialog
    assert pads is not None
    for box in pads.boxes:
        if box.required:
            write(box.pad, ZIGZAG)
    qtbot.mouseClick(pads.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.status_of("application") == "sealed", timeout=30_000)
    assert [m.name for m in queries.get_case(db, clerk, number).missing_materials] == []
    assert counter.typed == []  # not one character typed into any field, and no paper

    payment_status.confirm_payment(db, CASHIER, number)  # the cashier's window, not the clerk's
    _record_as_registrar(qtbot, db, settings, number)

    summary = queries.get_case(db, clerk, number)
    assert summary.status is CaseStatus.RECORDED and summary.certificate_numbers
    trust = issuing.centre_kit(settings).trust
    documents = {"受理凭证": receipt}
    for cert_number in summary.certificate_numbers:
        documents[cert_number] = issuing.certificate_pdf(db, clerk, cert_number, settings=settings)
    with db.unit_of_work(write=False) as uow:
        documents["申请书"] = uow.session.scalar(
            select(Attachment.content).where(Attachment.kind == "application_form")
        )
    for name, pdf in documents.items():
        report = check_document(pdf, trust)
        assert report.ok, (name, report.problems)
    # The new 证明 went into the e-certificate store on recording.
    store = exemptions.ecert_store(settings)
    assert store.find(number=summary.certificate_numbers[0])[0].is_current


def test_cancellation_with_zero_typing_and_zero_paper(qtbot, demo, counter):
    db, clerk, settings = demo
    unit, proof = _singly_mortgaged_unit(db)
    counter.typed.clear()

    dialog = _intake(qtbot, db, clerk, settings, unit, "mortgage_cancel")
    _assert_every_field_prefilled_with_its_source(dialog)
    number, receipt = _accept(qtbot, dialog)

    panel = _panel(qtbot, db, clerk, settings, number)
    _click_on(qtbot, panel, None, panel.bank_button, {"application": "sealed", "extinction_proof": "sealed"})
    _click_on(qtbot, panel, "proof_certificate", panel.pull_button, {"proof_certificate": "ecert"})
    _click_on(qtbot, panel, "identity", panel.pull_button, {"identity": "ecert"})
    statuses = {m.code: m.status for m in panel.materials.materials}
    assert "paper" not in statuses.values() and "missing" not in statuses.values()
    assert counter.typed == []

    _record_as_registrar(qtbot, db, settings, number)
    assert queries.get_case(db, clerk, number).status is CaseStatus.ISSUED
    trust = issuing.centre_kit(settings).trust
    assert check_document(receipt, trust).ok
    # The cancelled mortgage's e-certificate is 注销 in the store now.
    [record] = exemptions.ecert_store(settings).find(number=proof)
    assert not record.is_current


def test_a_prefilled_value_the_clerk_changes_on_the_form_is_audited_as_a_correction(qtbot, demo):
    db, clerk, settings = demo
    unit, _proof = _singly_mortgaged_unit(db)
    dialog = _intake(qtbot, db, clerk, settings, unit, "mortgage_cancel")
    table = dialog.party_table
    old_phone = table.text(0, PartyTable.PHONE)
    old_source = dialog.prefilled.sources["parties[0].phone"].text
    table.item(0, PartyTable.PHONE).setText("0955-7016666")  # the bank's new number, told at the counter
    number, _receipt = _accept(qtbot, dialog)

    event = _prefill_event(db, number)
    assert event["corrections"] == [
        {"field": "parties[0].phone", "old_value": old_phone, "new_value": "0955-7016666",
         "overridden_source": old_source},
    ]  # fmt: skip
    assert event["fields"]["parties[0].phone"]["value"] == "0955-7016666"
    assert event["fields"]["parties[0].name"]["source"].startswith("来自")
