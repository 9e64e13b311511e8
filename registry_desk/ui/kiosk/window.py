"""The kiosk window: scan or key in the case number, prove identity, see progress, pay, print, leave nothing behind.

Full screen and on top, with no frame to close; Esc and window-close are ignored; only an administrator's
username and password end kiosk mode. Any touch or key restarts the idle timer; when it runs out (60 s by
default) everything of the citizen is cleared and the home screen returns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from registry_desk.config import Settings
from registry_desk.domain.codes import CaseStatus
from registry_desk.domain.errors import DomainError
from registry_desk.payments.channel import CHINA_TZ
from registry_desk.resources_path import resource
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.kiosk.identify import Identified, KioskPolicy, admin_exit, check_case, identify
from registry_desk.kiosk.payment import PaymentState, refresh_payment, simulate_scan_payment
from registry_desk.kiosk.printing import PrintOutcome, print_certificate
from registry_desk.kiosk.progress import KioskStatus, case_status
from registry_desk.kiosk.query import statement_pdf
from registry_desk.ui.kiosk.keypad import BACKSPACE, CLEAR, Keypad
from registry_desk.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from registry_desk.storage.database import Database

HOME, IDENTITY, STATUS, PAY, RESULT = range(5)
CASE_DIGITS = 12
ID_LENGTH = 18
CODE_LENGTH = 8  # the 取件码 on the applicant's own 受理凭证 (registration/pickup.py)
_INPUT_EVENTS = {
    QEvent.Type.MouseButtonPress,
    QEvent.Type.KeyPress,
    QEvent.Type.TouchBegin,
    QEvent.Type.TouchUpdate,
    QEvent.Type.Wheel,
}


class IdleWatcher(QObject):
    """Installed on the application: every touch, click or key restarts one single-shot timer."""

    def __init__(self, timer: QTimer) -> None:
        super().__init__(timer)
        self._timer = timer

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS:
            self._timer.start()
        return False


class AdminExitDialog(QDialog):
    """Asks for an administrator's username and password (a keyboard is plugged in for this)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("adminExitDialog")
        self.setWindowTitle(self.tr("管理员退出自助模式"))
        self.username = QLineEdit(self)
        self.username.setObjectName("adminUsername")
        self.password = QLineEdit(self)
        self.password.setObjectName("adminPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel(self)
        self.error.setObjectName("adminError")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("管理员用户名"), self.username)
        form.addRow(self.tr("密码"), self.password)
        buttons = QDialogButtonBox(self)
        buttons.addButton(self.tr("退出自助模式"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)


def _label(parent: QWidget, name: str, *, title: bool = False) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if title:
        label.setProperty("role", "title")
    return label


def _button(parent: QWidget, name: str, text: str) -> QPushButton:
    button = QPushButton(text, parent)
    button.setObjectName(name)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys (a scanner) keep going to the window
    return button


class KioskWindow(QWidget):
    """One window, five screens (home, identity, status, pay, result). `deliver` prints a PDF (see printing.py);
    `channel` is the payment channel polled while a QR is shown; `demo` adds the 模拟扫码支付 button."""

    exited = Signal()

    def __init__(
        self,
        db: Database,
        actor: Actor,
        settings: Settings,
        *,
        channel: Any,
        deliver: Callable[[bytes, str], str],
        demo: bool = False,
        policy: KioskPolicy | None = None,
        poll_ms: int = 2000,
        clock: Callable[[], datetime] = utc_now,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.actor, self.settings = db, actor, settings
        self.channel, self.deliver, self.demo = channel, deliver, demo
        self.policy = policy or KioskPolicy()
        self.clock = clock
        self.setObjectName("kioskWindow")
        self.setWindowTitle(self.tr("不动产登记自助服务"))
        self.setWindowFlags(
            Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint | Qt.WindowType.Window
        )
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        qss = resource("styles", "kiosk.qss")
        if qss.is_file():
            self.setStyleSheet(qss.read_text(encoding="utf-8"))

        self._admin_allowed = False
        self._session = 0  # bumped on every reset: late results of a previous citizen are dropped
        self._case_typed = ""
        self._id_typed = ""
        self._code_typed = ""
        self._id_entered: str | None = None  # the ID number while the pickup code is asked
        self._case_number: str | None = None
        self._who: Identified | None = None
        self._status: KioskStatus | None = None
        self._payment: PaymentState | None = None
        self._printing: str | None = None
        self.runner = TaskRunner(self)

        self.pages = QStackedWidget(self)
        self.pages.setObjectName("kioskPages")
        for build in (
            self._build_home,
            self._build_identity,
            self._build_status,
            self._build_pay,
            self._build_result,
        ):
            self.pages.addWidget(build())
        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        header = _label(self, "kioskHeader", title=True)
        header.setText(self.tr("不动产登记自助服务 · 自助打证"))
        top.addWidget(header, 1)
        self.admin_button = _button(self, "adminButton", self.tr("管理员"))
        self.admin_button.setProperty("role", "quiet")
        self.admin_button.clicked.connect(self._ask_admin_exit)
        top.addWidget(self.admin_button)
        outer.addLayout(top)
        outer.addWidget(self.pages, 1)

        self.idle_timer = QTimer(self)
        self.idle_timer.setObjectName("idleTimer")
        self.idle_timer.setSingleShot(True)
        self.idle_timer.setInterval(max(1, int(self.policy.idle_seconds * 1000)))
        self.idle_timer.timeout.connect(self._on_idle)
        self._idle_watcher = IdleWatcher(self.idle_timer)
        QApplication.instance().installEventFilter(self._idle_watcher)
        self.idle_timer.start()

        self._paper_job = False  # a certificate or statement is being printed
        self.poll_timer = QTimer(self)
        self.poll_timer.setObjectName("pollTimer")
        self.poll_timer.setInterval(poll_ms)
        self.poll_timer.timeout.connect(self._poll_payment)
        self.reset()

    # -- screens ------------------------------------------------------------------------------------------

    def _build_home(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("homePage")
        self.home_title = _label(page, "homeTitle", title=True)
        self.home_title.setText(self.tr("请扫描受理凭证上的二维码，或输入业务号"))
        self.case_entry = QLineEdit(page)
        self.case_entry.setObjectName("caseEntry")
        self.case_entry.setReadOnly(True)
        self.case_entry.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.case_entry.setPlaceholderText(self.tr("12位业务号"))
        self.home_message = _label(page, "homeMessage")
        self.case_keypad = Keypad(parent=page)
        self.case_keypad.setObjectName("caseKeypad")
        self.case_keypad.pressed.connect(self._case_key)
        self.case_submit = _button(page, "caseSubmit", self.tr("下一步"))
        self.case_submit.clicked.connect(self._submit_case)
        layout = QVBoxLayout(page)
        layout.addWidget(self.home_title)
        layout.addWidget(self.case_entry)
        layout.addWidget(self.home_message)
        layout.addWidget(self.case_keypad, 1)
        layout.addWidget(self.case_submit)
        return page

    def _build_identity(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("idPage")
        # Two steps on one screen: the ID number, then the pickup code from the citizen's own receipt.
        self.id_title = title = _label(page, "idTitle", title=True)
        title.setText(self.tr("请输入申请人的身份证号码"))
        self.id_case = _label(page, "idCase")
        self.id_display = _label(page, "idDisplay")
        self.id_message = _label(page, "idMessage")
        self.id_keypad = Keypad(with_x=True, parent=page)
        self.id_keypad.setObjectName("idKeypad")
        self.id_keypad.pressed.connect(self._id_key)
        self.id_submit = _button(page, "idSubmit", self.tr("核验身份"))
        self.id_submit.clicked.connect(self._submit_id)
        back = _button(page, "idBack", self.tr("返回首页"))
        back.clicked.connect(self.reset)
        layout = QVBoxLayout(page)
        for widget in (title, self.id_case, self.id_display, self.id_message):
            layout.addWidget(widget)
        layout.addWidget(self.id_keypad, 1)
        row = QHBoxLayout()
        row.addWidget(back)
        row.addWidget(self.id_submit)
        layout.addLayout(row)
        return page

    def _build_status(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("statusPage")
        self.status_title = _label(page, "statusTitle", title=True)
        self.status_who = _label(page, "statusWho")
        self.status_steps = _label(page, "statusSteps")
        self.status_steps.setTextFormat(Qt.TextFormat.RichText)
        self.status_explain = _label(page, "statusExplain")
        self.status_due = _label(page, "statusDue")
        self.status_message = _label(page, "statusMessage")
        self.pay_button = _button(page, "payButton", self.tr("缴纳税费"))
        self.pay_button.clicked.connect(self._show_pay)
        self.print_box = QVBoxLayout()
        self.statement_button = _button(page, "statementButton", self.tr("打印不动产登记资料查询结果"))
        self.statement_button.clicked.connect(self._print_statement)
        done = _button(page, "statusDone", self.tr("办理完毕，退出"))
        done.clicked.connect(self.reset)
        layout = QVBoxLayout(page)
        for widget in (
            self.status_title,
            self.status_who,
            self.status_steps,
            self.status_explain,
            self.status_due,
        ):
            layout.addWidget(widget)
        layout.addLayout(self.print_box)
        for widget in (self.pay_button, self.statement_button, self.status_message):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(done)
        return page

    def _build_pay(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("payPage")
        title = _label(page, "payTitle", title=True)
        title.setText(self.tr("请用手机银行或支付应用扫码缴纳税费"))
        self.pay_qr = QLabel(page)
        self.pay_qr.setObjectName("payQr")
        self.pay_qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pay_lines = _label(page, "payLines")
        self.pay_status = _label(page, "payStatus")
        self.pay_receipts = _label(page, "payReceipts")
        self.simulate_button = _button(page, "simulatePay", self.tr("模拟扫码支付"))
        self.simulate_button.clicked.connect(self._simulate_pay)
        back = _button(page, "payBack", self.tr("返回办理进度"))
        back.clicked.connect(self._back_to_status)
        layout = QVBoxLayout(page)
        layout.addWidget(title)
        row = QHBoxLayout()
        row.addWidget(self.pay_qr)
        row.addWidget(self.pay_lines, 1)
        layout.addLayout(row, 1)
        for widget in (self.pay_status, self.pay_receipts, self.simulate_button, back):
            layout.addWidget(widget)
        return page

    def _build_result(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("resultPage")
        self.result_message = _label(page, "resultMessage", title=True)
        self.retry_button = _button(page, "retryButton", self.tr("重新打印（使用下一张证书纸）"))
        self.retry_button.clicked.connect(self._retry_print)
        back = _button(page, "resultBack", self.tr("返回办理进度"))
        back.clicked.connect(self._back_to_status)
        done = _button(page, "resultDone", self.tr("办理完毕，退出"))
        done.clicked.connect(self.reset)
        layout = QVBoxLayout(page)
        layout.addWidget(self.result_message, 1)
        for widget in (self.retry_button, back, done):
            layout.addWidget(widget)
        return page

    # -- showing ------------------------------------------------------------------------------------------

    def show_kiosk(self) -> None:
        """Covers the whole display; without a window manager showFullScreen alone does not resize."""
        screen = self.screen() or QApplication.primaryScreen()
        if screen is not None:
            self.setGeometry(screen.geometry())
        self.showFullScreen()
        self.activateWindow()
        self.setFocus()

    @property
    def current_page(self) -> int:
        return self.pages.currentIndex()

    def reset(self) -> None:
        """Home screen, and nothing of the last citizen left in any widget, model or cache."""
        self._session += 1
        self.poll_timer.stop()
        self._case_typed = self._id_typed = self._code_typed = ""
        self._id_entered = None
        self._case_number = None
        self._who = self._status = self._payment = None
        self._printing = None
        self.case_entry.clear()
        for label in self.findChildren(QLabel):
            if label.objectName() not in ("kioskHeader", "homeTitle", "idTitle", "payTitle"):
                label.clear()
        self.pay_qr.setPixmap(QPixmap())
        self._clear_print_buttons()
        self.retry_button.hide()
        self.pages.setCurrentIndex(HOME)
        self.idle_timer.start()

    def _on_idle(self) -> None:
        # A sheet being printed finishes first (its result is shown, then the timer runs again); a payment
        # poll in the background does not hold the screen: the citizen has walked away.
        if self._paper_job:
            self.idle_timer.start()
            return
        if self.current_page != HOME or self._case_typed:
            self.reset()

    def _message(self, error: BaseException) -> None:
        if not isinstance(error, DomainError):
            raise error
        target = {
            HOME: self.home_message,
            IDENTITY: self.id_message,
            STATUS: self.status_message,
            PAY: self.pay_status,
            RESULT: self.result_message,
        }[self.current_page]
        target.setText(str(error))

    # -- keys: a scanner types like a keyboard ------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape:
            event.accept()  # kiosk mode: Esc does nothing
            return
        page = self.current_page
        if page not in (HOME, IDENTITY):
            event.accept()
            return
        handler = self._case_key if page == HOME else self._id_key
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            (self._submit_case if page == HOME else self._submit_id)()
        elif key == Qt.Key.Key_Backspace:
            handler(BACKSPACE)
        elif event.text() and (event.text().isdigit() or event.text().upper() == "X"):
            handler(event.text().upper())
        event.accept()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._admin_allowed:
            QApplication.instance().removeEventFilter(self._idle_watcher)
            self.idle_timer.stop()
            self.poll_timer.stop()
            event.accept()
            self.exited.emit()
        else:
            event.ignore()

    # -- home: the case number ----------------------------------------------------------------------------

    def _case_key(self, key: str) -> None:
        self.home_message.clear()
        if key == BACKSPACE:
            self._case_typed = self._case_typed[:-1]
        elif key == CLEAR:
            self._case_typed = ""
        elif key.isdigit() and len(self._case_typed) < CASE_DIGITS:
            self._case_typed += key
        self.case_entry.setText(self._case_typed)

    def _submit_case(self) -> None:
        try:
            number = check_case(self.db, self.actor, self._case_typed, now=self.clock())
        except DomainError as error:
            self._message(error)
            return
        self._case_number = number
        self._ask_id()
        self.id_case.setText(self.tr("业务号：{number}").format(number=number))
        self._show_id_typed()
        self.pages.setCurrentIndex(IDENTITY)

    # -- identity -----------------------------------------------------------------------------------------

    def _ask_id(self) -> None:
        self._id_typed = self._code_typed = ""
        self._id_entered = None
        self.id_title.setText(self.tr("请输入申请人的身份证号码"))
        self.id_submit.setText(self.tr("下一步"))

    def _id_key(self, key: str) -> None:
        self.id_message.clear()
        if self._id_entered is not None:
            self._code_key(key)
            return
        if key == BACKSPACE:
            self._id_typed = self._id_typed[:-1]
        elif key == CLEAR:
            self._id_typed = ""
        elif len(self._id_typed) < ID_LENGTH and (
            key.isdigit() or (key == "X" and len(self._id_typed) == ID_LENGTH - 1)
        ):
            self._id_typed += key
        self._show_id_typed()

    def _code_key(self, key: str) -> None:
        if key == BACKSPACE:
            self._code_typed = self._code_typed[:-1]
        elif key == CLEAR:
            self._code_typed = ""
        elif key.isdigit() and len(self._code_typed) < CODE_LENGTH:
            self._code_typed += key
        self._show_id_typed()

    def _show_id_typed(self) -> None:
        # Bystanders see how many characters were typed, never the number itself.
        if self._id_entered is not None:
            self.id_display.setText(
                self.tr("已输入 {count}/{total} 位：{mask}").format(
                    count=len(self._code_typed), total=CODE_LENGTH, mask="●" * len(self._code_typed)
                )
            )
            return
        self.id_display.setText(
            self.tr("已输入 {count}/18 位：{mask}").format(
                count=len(self._id_typed), mask="●" * len(self._id_typed)
            )
        )

    def _submit_id(self) -> None:
        assert self._case_number is not None
        if self._id_entered is None:
            # First step done: keep the ID number (never shown) and ask for the pickup code.
            self._id_entered, self._id_typed = self._id_typed, ""
            self._code_typed = ""
            self.id_title.setText(self.tr("请输入受理凭证上的8位取件码"))
            self.id_message.setText(
                self.tr("取件码印在您本人的受理凭证“取件码”一栏，仅限本人使用；补打过凭证的，以最新一份为准")
            )
            self.id_submit.setText(self.tr("核验身份"))
            self._show_id_typed()
            return
        typed, code = self._id_entered, self._code_typed
        self._ask_id()
        self._show_id_typed()
        try:
            self._who = identify(
                self.db,
                self.actor,
                self._case_number,
                typed,
                code,
                settings=self.settings,
                policy=self.policy,
                now=self.clock(),
            )
        except DomainError as error:
            self._message(error)
            return
        self._refresh_status()

    # -- status -------------------------------------------------------------------------------------------

    def _step_labels(self, issues_certificate: bool = True) -> dict[CaseStatus, str]:
        return {
            CaseStatus.ACCEPTED: self.tr("已受理"),
            CaseStatus.AWAITING_PAYMENT: self.tr("待缴费"),
            CaseStatus.IN_REVIEW: self.tr("审核中"),
            CaseStatus.RECORDED: self.tr("已登簿"),
            CaseStatus.CERTIFICATE_READY: self.tr("可打印/已缮证"),
            CaseStatus.ISSUED: self.tr("已发证") if issues_certificate else self.tr("已办结"),
        }

    def _explanation(self, status: KioskStatus) -> str:
        due = f"{status.due_date:%Y-%m-%d}"
        texts = {
            CaseStatus.ACCEPTED: self.tr("您的申请已受理。"),
            CaseStatus.AWAITING_PAYMENT: self.tr("您的申请已受理，正在等待缴纳税费；各方缴清后进入审核。"),
            CaseStatus.IN_REVIEW: self.tr(
                "税费已缴清（或本业务无需缴费），登记机构正在审核，承诺在 {due} 前办结。"
            ),
            CaseStatus.RECORDED: self.tr("已记载于不动产登记簿，正在缮制证书，承诺在 {due} 前办结。"),
            CaseStatus.CERTIFICATE_READY: self.tr("证书（证明）已缮制完成，持证人可在本机打印领取。"),
            CaseStatus.ISSUED: self.tr("证书（证明）已发放，业务已办结。")
            if status.issues_certificate
            else self.tr("已记载于不动产登记簿，业务已办结（本业务不发证书或证明）。"),
            CaseStatus.NOT_ACCEPTED: self.tr("申请未予受理，请到窗口了解原因。"),
            CaseStatus.WITHDRAWN: self.tr("申请已撤回。"),
            CaseStatus.REFUSED: self.tr("申请未予登记（已驳回），请到窗口了解原因。"),
        }
        return texts[status.status].format(due=due)

    def _refresh_status(self) -> None:
        assert self._who is not None
        try:
            status = case_status(self.db, self.actor, self._who)
        except DomainError as error:
            self._message(error)
            return
        self._status = status
        who = self._who
        self.status_title.setText(
            self.tr("业务号 {number} · {business}").format(
                number=status.case_number, business=status.business_label
            )
        )
        self.status_who.setText(
            self.tr("{role}：{name}（{id}）").format(
                role=who.role_label, name=who.name_masked, id=who.id_masked
            )
        )
        labels = self._step_labels(status.issues_certificate)
        parts = []
        path = status.steps
        reached = path.index(status.status) if status.status in path else -1
        for index, step in enumerate(path):
            if index < reached or (index == reached and step is CaseStatus.ISSUED):
                parts.append(f"<span class='done'>✔ {labels[step]}</span>")
            elif index == reached:
                parts.append(f"<b><u>● {labels[step]}</u></b>")
            else:
                parts.append(f"<span class='todo'>○ {labels[step]}</span>")
        self.status_steps.setText(" → ".join(parts))
        self.status_explain.setText(self._explanation(status))
        self.status_due.setText(
            self.tr("受理日期 {accepted}　承诺办结日期 {due}").format(
                accepted=f"{status.accepted_on:%Y-%m-%d}", due=f"{status.due_date:%Y-%m-%d}"
            )
        )
        self.pay_button.setVisible(bool(status.unpaid_orders))
        self.statement_button.setVisible(status.owns_units)
        self._clear_print_buttons()
        for cert in status.certificates:
            if cert.can_print:
                button = _button(
                    self,
                    f"print:{cert.number}",
                    self.tr("打印{kind} {number}").format(kind=cert.kind_label, number=cert.number),
                )
                button.clicked.connect(lambda _c=False, n=cert.number: self._start_print(n))
                self.print_box.addWidget(button)
            elif status.status in (CaseStatus.CERTIFICATE_READY, CaseStatus.ISSUED):
                note = _label(self, "printNote")
                note.setText(f"{cert.kind_label} {cert.number}：{cert.reason}")
                self.print_box.addWidget(note)
        self.pages.setCurrentIndex(STATUS)

    def _clear_print_buttons(self) -> None:
        while self.print_box.count():
            item = self.print_box.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()

    def _back_to_status(self) -> None:
        self.poll_timer.stop()
        self.pay_qr.setPixmap(QPixmap())
        self._refresh_status()

    # -- paying -------------------------------------------------------------------------------------------

    def _show_pay(self) -> None:
        assert self._status is not None and self._status.unpaid_orders
        order = self._status.unpaid_orders[0]
        from registry_desk.documents.qr import qr_png

        pixmap = QPixmap()
        pixmap.loadFromData(qr_png(order.payload or order.order_no, box_size=8))
        self.pay_qr.setPixmap(pixmap)
        lines = [
            self.tr("缴款单 {order}（{kind}）").format(order=order.order_no, kind=order.order_type_label)
        ]
        lines += [f"{line.item}　{line.amount} 元" for line in order.lines]
        lines.append(self.tr("合计 {amount} 元").format(amount=order.amount))
        lines.append(
            self.tr("请在 {time} 前完成支付").format(time=f"{order.expires_at.astimezone(CHINA_TZ):%H:%M}")
        )
        self.pay_lines.setText("\n".join(lines))
        self.pay_status.setText(self.tr("等待支付…"))
        self.pay_receipts.clear()
        self.simulate_button.setVisible(self.demo)
        self.simulate_button.setEnabled(True)
        self._pay_payload = order.payload
        self.pages.setCurrentIndex(PAY)
        self.poll_timer.start()

    def _simulate_pay(self) -> None:
        try:
            simulate_scan_payment(self.actor, self.channel, self._pay_payload or "", now=self.clock())
        except DomainError as error:
            self._message(error)
            return
        self.simulate_button.setEnabled(False)
        self._poll_payment()

    def _poll_payment(self) -> None:
        if self.runner.busy or self._who is None:
            return
        who, session = self._who, self._session
        self.runner.run(
            lambda: refresh_payment(
                self.db, self.actor, who, self.channel, settings=self.settings, now=self.clock()
            ),
            lambda state: self._payment_polled(session, state),
            lambda error: self._late(session, error),
        )

    def _payment_polled(self, session: int, state: PaymentState) -> None:
        if session != self._session or self.current_page != PAY:
            return
        self._payment = state
        if not state.settled:
            return
        self.poll_timer.stop()
        self.pay_qr.setPixmap(QPixmap())
        self.simulate_button.hide()
        self.pay_status.setText(self.tr("缴费成功，税费已入账。电子票据如下："))
        self.pay_receipts.setText(
            "\n".join(f"{r.kind_label}　{r.number}　{r.amount} 元" for r in state.receipts)
        )

    def _late(self, session: int, error: BaseException) -> None:
        if session == self._session:
            self._message(error)

    # -- printing -----------------------------------------------------------------------------------------

    def _start_print(self, number: str) -> None:
        if self.runner.busy or self._who is None:
            return
        who, session = self._who, self._session
        self._printing = number
        self.retry_button.hide()
        self.result_message.setText(self.tr("正在打印，请稍候…"))
        self.pages.setCurrentIndex(RESULT)
        self._run_paper_job(
            lambda: print_certificate(self.db, self.actor, who, number, self.deliver, settings=self.settings),
            lambda outcome: self._printed(session, outcome),
            lambda error: self._late(session, error),
        )

    def _run_paper_job(self, work, done, failed) -> None:  # type: ignore[no-untyped-def]
        """A print or statement: the idle reset waits for it, whatever its outcome."""
        self._paper_job = True

        def finished(result):  # type: ignore[no-untyped-def]
            self._paper_job = False
            done(result)

        def broke(error):  # type: ignore[no-untyped-def]
            self._paper_job = False
            failed(error)

        self.runner.run(work, finished, broke)

    def _printed(self, session: int, outcome: PrintOutcome) -> None:
        if session != self._session:
            return
        if outcome.ok:
            self.result_message.setText(
                self.tr("打印完成，请取走您的证书。\n证号：{number}\n印刷序列号：{serial}").format(
                    number=outcome.certificate_number, serial=outcome.serial
                )
            )
        elif outcome.retry_allowed:
            self.result_message.setText(
                self.tr("打印失败，印刷序列号 {serial} 的证书纸已作废。可以再试一次。").format(
                    serial=outcome.serial
                )
            )
            self.retry_button.show()
        else:
            self.result_message.setText(
                self.tr(
                    "打印再次失败，印刷序列号 {serial} 的证书纸已作废。请到窗口由工作人员为您办理。"
                ).format(serial=outcome.serial)
            )

    def _retry_print(self) -> None:
        if self._printing:
            self._start_print(self._printing)

    def _print_statement(self) -> None:
        if self.runner.busy or self._who is None:
            return
        who, session = self._who, self._session
        self.retry_button.hide()
        self.result_message.setText(self.tr("正在打印查询结果，请稍候…"))
        self.pages.setCurrentIndex(RESULT)

        def work() -> str:
            pdf = statement_pdf(self.db, self.actor, who, settings=self.settings)
            return self.deliver(pdf, f"查询结果_{who.case_number}")

        self._run_paper_job(
            work, lambda _where: self._statement_done(session), lambda error: self._late(session, error)
        )

    def _statement_done(self, session: int) -> None:
        if session == self._session:
            self.result_message.setText(self.tr("查询结果已打印，请取走。"))

    # -- leaving kiosk mode -------------------------------------------------------------------------------

    def request_exit(self, username: str, password: str) -> bool:
        """Closes the kiosk when an administrator's password checks out; otherwise says why and stays."""
        try:
            admin_exit(self.db, self.actor, username, password, now=self.clock())
        except DomainError as error:
            self._message(error)
            return False
        self._admin_allowed = True
        self.close()
        return True

    def _ask_admin_exit(self) -> None:
        dialog = AdminExitDialog(self)
        while dialog.exec() == QDialog.DialogCode.Accepted:
            if self.request_exit(dialog.username.text(), dialog.password.text()):
                return
            dialog.error.setText(self.home_message.text())
            dialog.password.clear()
