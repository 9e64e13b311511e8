"""The kiosk window driven as a citizen would: scan the receipt, key in the ID, see progress, pay by QR, print
the certificate to PDF; idle clears everything; five wrong IDs lock; Esc and close do nothing; only an
administrator leaves. Also the paper stock tab and the Qt printing path."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from sqlalchemy import delete, select

from registry_desk.documents.verification import document_text, qr_texts_in
from registry_desk.domain.codes import CaseStatus, Role
from registry_desk.registration import issuing
from registry_desk.operations import users
from registry_desk.kernel.context import SYSTEM
from registry_desk.kiosk.identify import KioskPolicy
from registry_desk.storage.kiosk.tables import KioskPickupCode
from registry_desk.storage.tables import AuditEvent, Case, Certificate
from registry_desk.ui.kiosk.printing import DirectoryOutput, QtPrinterOutput
from registry_desk.ui.kiosk.window import HOME, IDENTITY, PAY, RESULT, STATUS, KioskWindow
from registry_desk.ui.paper_stock_view import PaperStockView
from tests.integration.test_case_helpers import CLERK, bad_check
from tests.integration.test_kiosk_helpers import (
    ADMIN,
    BUYER,
    KIOSK,
    load_paper,
    make_ready,
    open_case,
    pay_side,
)


@pytest.fixture
def case(sqlite_db, tmp_path):
    return open_case(sqlite_db, tmp_path)


@pytest.fixture
def make_window(qtbot, sqlite_db, case, tmp_path):
    made: list[KioskWindow] = []

    def make(**policy) -> KioskWindow:
        window = KioskWindow(
            sqlite_db,
            KIOSK,
            case.settings,
            channel=case.channel,
            deliver=DirectoryOutput(tmp_path / "printed"),
            demo=True,
            policy=KioskPolicy(**policy),
            poll_ms=30,
        )
        qtbot.addWidget(window)
        window.show_kiosk()
        made.append(window)
        return window

    yield make
    for window in made:
        window._admin_allowed = True  # let the test's own teardown close it
        window.close()


def _key(window: KioskWindow, keypad, qtbot, text: str) -> None:
    for ch in text:
        qtbot.mouseClick(keypad.findChild(QPushButton, f"key_{ch}"), Qt.MouseButton.LeftButton)


def _click(qtbot, window: KioskWindow, name: str) -> None:
    button = window.findChild(QPushButton, name)
    assert button is not None and button.isVisible(), name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _identify(qtbot, window: KioskWindow, case_number: str, id_number: str, code: str) -> None:
    if window.current_page == HOME:  # after a refusal the identity screen stays, back at the ID step
        qtbot.keyClicks(window, case_number)  # the scanner types the receipt QR and Enter
        qtbot.keyClick(window, Qt.Key.Key_Return)
    assert window.current_page == IDENTITY, window.home_message.text()
    assert "身份证号码" in window.id_title.text()
    _key(window, window.id_keypad, qtbot, id_number)
    _click(qtbot, window, "idSubmit")
    assert "取件码" in window.id_title.text()
    _key(window, window.id_keypad, qtbot, code)
    _click(qtbot, window, "idSubmit")


def _all_text(window: KioskWindow) -> str:
    return "\n".join(label.text() for label in window.findChildren(QLabel)) + window.case_entry.text()


def test_the_whole_kiosk_flow_scan_identify_pay_then_print(qtbot, sqlite_db, case, make_window, tmp_path):
    receipt = issuing.acceptance_receipt_pdf(sqlite_db, CLERK, case.case_number, settings=case.settings)
    (scanned,) = qr_texts_in(receipt)
    window = make_window()
    assert window.windowFlags() & Qt.WindowType.FramelessWindowHint
    assert window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert window.geometry() == window.screen().geometry()

    qtbot.keyClicks(window, scanned)
    qtbot.keyClick(window, Qt.Key.Key_Return)
    assert window.current_page == IDENTITY and case.case_number in window.id_case.text()
    _key(window, window.id_keypad, qtbot, BUYER[1])
    assert BUYER[1][:6] not in window.id_display.text() and "18/18" in window.id_display.text()
    _click(qtbot, window, "idSubmit")
    # Then the pickup code from the buyer's own receipt, as masked as the ID number.
    assert window.current_page == IDENTITY and "请输入受理凭证上的8位取件码" in window.id_title.text()
    code = case.codes[BUYER[1]]
    _key(window, window.id_keypad, qtbot, code)
    assert code not in _all_text(window) and "8/8" in window.id_display.text()
    _click(qtbot, window, "idSubmit")

    assert window.current_page == STATUS
    assert "赵*" in window.status_who.text() and BUYER[0] not in _all_text(window)
    assert "<u>● 待缴费</u>" in window.status_steps.text()
    assert "2026-03-05" in window.status_due.text()  # accepted Monday 2 March, 3 working days

    _click(qtbot, window, "payButton")
    assert window.current_page == PAY and not window.pay_qr.pixmap().isNull()
    assert "契税" in window.pay_lines.text() and "合计 10080.00 元" in window.pay_lines.text()
    _click(qtbot, window, "simulatePay")
    qtbot.waitUntil(lambda: "缴费成功" in window.pay_status.text(), timeout=10_000)
    assert "登记费电子票据" in window.pay_receipts.text() and "电子完税凭证" in window.pay_receipts.text()
    assert window.pay_qr.pixmap().isNull()

    # Meanwhile the seller pays at the bank, the registrar records and prepares the certificate, paper is loaded.
    pay_side(sqlite_db, case, "seller")
    make_ready(sqlite_db, case)
    load_paper(sqlite_db)
    _click(qtbot, window, "payBack")
    assert "<u>● 可打印/已缮证</u>" in window.status_steps.text()
    (button,) = [
        b for b in window.findChildren(QPushButton) if b.objectName().startswith("print:") and b.isVisible()
    ]
    number = button.objectName().removeprefix("print:")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "打印完成" in window.result_message.text(), timeout=15_000)
    assert window.current_page == RESULT and "NX2026000001" in window.result_message.text()

    (printed,) = (tmp_path / "printed").glob("*.pdf")
    assert "NX2026000001" in printed.name and "NX2026000001" in document_text(printed.read_bytes())
    with sqlite_db.unit_of_work(write=False) as uow:
        status = uow.session.scalar(select(Case.status).where(Case.case_number == case.case_number))
        serial, receiver = uow.session.execute(
            select(Certificate.paper_serial, Certificate.receiver_name).where(Certificate.number == number)
        ).one()
    assert status is CaseStatus.ISSUED and serial == "NX2026000001" and receiver == BUYER[0]

    _click(qtbot, window, "resultBack")
    assert "<span class='done'>✔ 已发证</span>" in window.status_steps.text()
    assert not [
        b for b in window.findChildren(QPushButton) if b.objectName().startswith("print:") and b.isVisible()
    ]


def test_idle_returns_home_and_leaves_nothing_of_the_citizen(qtbot, case, make_window):
    window = make_window(idle_seconds=0.4)
    _identify(qtbot, window, case.case_number, BUYER[1], case.codes[BUYER[1]])
    assert window.current_page == STATUS and "赵*" in _all_text(window)
    _click(qtbot, window, "payButton")
    qtbot.waitUntil(lambda: window.current_page == HOME, timeout=5_000)
    text = _all_text(window)
    assert "赵*" not in text and case.case_number not in text and "契税" not in text
    assert window.pay_qr.pixmap().isNull() and window._who is None and window._status is None
    assert not window.poll_timer.isActive()


def test_five_wrong_ids_lock_the_case_also_for_a_restarted_kiosk(qtbot, sqlite_db, case, make_window):
    window = make_window()
    wrong = bad_check(BUYER[1])
    for attempt in range(5):
        _identify(qtbot, window, case.case_number, wrong, case.codes[BUYER[1]])
        assert window.current_page == IDENTITY
    assert "已暂时锁定" in window.id_message.text()
    restarted = make_window()
    qtbot.keyClicks(restarted, case.case_number)
    qtbot.keyClick(restarted, Qt.Key.Key_Return)
    assert restarted.current_page == HOME and "已暂时锁定" in restarted.home_message.text()
    with sqlite_db.unit_of_work(write=False) as uow:
        actions = list(
            uow.session.scalars(select(AuditEvent.action).where(AuditEvent.record == case.case_number))
        )
    assert actions.count("kiosk.identify_failed") == 5 and actions.count("kiosk.locked") == 1


def test_a_wrong_pickup_code_is_refused_and_the_screen_asks_for_the_id_again(qtbot, case, make_window):
    window = make_window()
    right = case.codes[BUYER[1]]
    wrong = "".join(str((int(d) + 1) % 10) for d in right)
    _identify(qtbot, window, case.case_number, BUYER[1], wrong)
    assert window.current_page == IDENTITY and window._who is None
    assert "证件号码或取件码" in window.id_message.text() and "还可再试 4 次" in window.id_message.text()
    assert "身份证号码" in window.id_title.text() and "0/18" in window.id_display.text()
    _identify(qtbot, window, case.case_number, BUYER[1], right)
    assert window.current_page == STATUS and "赵*" in window.status_who.text()


def test_a_case_without_pickup_codes_is_sent_to_the_window_at_the_first_screen(
    qtbot, sqlite_db, case, make_window
):
    with sqlite_db.unit_of_work() as uow:
        uow.session.execute(delete(KioskPickupCode).where(KioskPickupCode.case_id == case.case_id))
        uow.commit()
    window = make_window()
    qtbot.keyClicks(window, case.case_number)
    qtbot.keyClick(window, Qt.Key.Key_Return)
    assert window.current_page == HOME and "尚未发放取件码" in window.home_message.text()
    assert "到窗口办理" in window.home_message.text()


def test_esc_and_close_are_ignored_and_only_an_administrator_leaves(qtbot, sqlite_db, make_window):
    users.create_user(sqlite_db, SYSTEM, "admin", "管理员", Role.ADMIN, "admin-pass-1")
    window = make_window()
    qtbot.keyClicks(window, "2026")
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.case_entry.text() == "2026"
    window.close()
    assert window.isVisible()
    assert not window.request_exit("admin", "wrong-password")
    assert window.isVisible() and "用户名或密码错误" in window.home_message.text()
    with qtbot.waitSignal(window.exited):
        assert window.request_exit("admin", "admin-pass-1")
    assert not window.isVisible()


def test_the_paper_stock_view_loads_a_range_and_warns_when_low(qtbot, sqlite_db):
    view = PaperStockView(sqlite_db, ADMIN)
    qtbot.addWidget(view)
    assert view.warning.isHidden() is False and "已用完" in view.warning.text()
    view.first.setText("NX2026000001")
    view.last.setText("NX2026000040")
    qtbot.mouseClick(view.load_button, Qt.MouseButton.LeftButton)
    assert "共 40 张" in view.message.text()
    assert view.table.rowCount() == 1 and view.table.item(0, 5).text() == "40"
    assert "仅剩 40 张" in view.warning.text()  # below the default line of 50
    view.threshold.setValue(10)
    qtbot.mouseClick(view.threshold_button, Qt.MouseButton.LeftButton)
    assert view.warning.isHidden()
    view.first.setText("NX2026000030")
    view.last.setText("NX2026000060")
    qtbot.mouseClick(view.load_button, Qt.MouseButton.LeftButton)
    assert "重叠" in view.message.text() and view.table.rowCount() == 1


def test_qt_printing_renders_every_page_through_qprinter(tmp_path, sqlite_db, case):
    pdf = issuing.acceptance_receipt_pdf(sqlite_db, CLERK, case.case_number, settings=case.settings)
    target = tmp_path / "qprinter.pdf"
    where = QtPrinterOutput(output_file=target, dpi=72)(pdf, "受理凭证")
    assert Path(where) == target and target.read_bytes().startswith(b"%PDF") and target.stat().st_size > 5_000
