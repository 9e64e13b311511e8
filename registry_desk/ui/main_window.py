"""The clerk's main window: one search box, the results, the register page of a unit (受理 from there), and the case
list opening each case's detail."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from registry_desk.config import Settings
from registry_desk.domain.cases import CaseRow
from registry_desk.domain.codes import Role
from registry_desk.domain.errors import DomainError
from registry_desk.registration import queries
from registry_desk.domain import clock
from registry_desk.registration import claims
from registry_desk.registration import register
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.config import redact_url
from registry_desk.ui.bus import ChangeBus
from registry_desk.ui.case_detail import CaseDetailDialog
from registry_desk.ui.case_list import CaseListView
from registry_desk.ui.cashier_view import CashierView
from registry_desk.ui.dashboard_view import DashboardView
from registry_desk.ui.dialogs import show_domain_error
from registry_desk.ui.intake.dialog import IntakeDialog
from registry_desk.ui.live import LiveUpdates
from registry_desk.ui.models import SearchResultsModel
from registry_desk.ui.paper_stock_view import PaperStockView
from registry_desk.ui.register_view import RegisterView
from registry_desk.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from registry_desk.storage.database import Database

from registry_desk.ui import APPLICATION, ORGANISATION  # re-exported for callers

_GEOMETRY_KEY = "main_window/geometry"
_STATE_KEY = "main_window/state"
SEARCH_LIMIT = 50
CASE_LIST_RECENT_DAYS = 30  # the case list: open cases and those accepted or finished in these days


PAYMENT_POLL_MS = 10_000  # 税费同缴: how often a window asks the channel about open orders


class _TypeToSearch(QObject):
    """A barcode scanner types wherever the focus is: printable keys on a list or the register page go
    to the search box instead, so scanning a certificate number works without clicking first."""

    def __init__(self, search_box: QLineEdit) -> None:
        super().__init__(search_box)
        self._box = search_box

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        text = event.text()
        blocked = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        if not text or not text.isprintable() or text.isspace() or event.modifiers() & blocked:
            return False
        self._box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._box.setText(text)
        return True


class MainWindow(QMainWindow):
    PAGE_RESULTS = 0
    PAGE_REGISTER = 1

    def __init__(self, db: Database, actor: Actor, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.settings = settings
        self.bus = ChangeBus(self)
        self.tasks = TaskRunner(self, self.bus)
        self.setObjectName("mainWindow")
        self.setWindowTitle(
            self.tr("不动产登记一窗受理 — 中卫市 — {name}（{role}）").format(
                name=actor.display_name, role=actor.role.label
            )
        )

        self._build_search_bar()
        results_page = self._build_results_page()
        register_page = self._build_register_page()
        self.pages = QStackedWidget(self)
        self.pages.addWidget(results_page)
        self.pages.addWidget(register_page)
        self._build_search_and_case_tabs()
        self._start_payment_polling()
        self._build_counter_tabs()
        self.intake: IntakeDialog | None = None
        self.case_details: dict[str, CaseDetailDialog] = {}

        self._build_status_bar()
        self._install_shortcuts()
        self._wire_signals()
        self.case_list.refresh()
        self.case_list.start_auto_refresh()
        self._start_live_updates()
        self._restore_geometry()
        self.search_box.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- building the window ------------------------------------------------------------------------------
    def _build_search_bar(self) -> None:
        # The one search box lives in a toolbar so that it stays put whatever the page below shows.
        self.search_box = QLineEdit(self)
        self.search_box.setObjectName("searchBox")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setPlaceholderText(
            self.tr("不动产单元号、证书证明号、身份证号或统一社会信用代码、姓名、坐落（Ctrl+F）")
        )
        self.search_button = QPushButton(self.tr("查询"), self)
        self.search_button.setObjectName("searchButton")
        toolbar = QToolBar(self.tr("查询"), self)
        toolbar.setObjectName("searchBar")
        toolbar.setMovable(False)
        toolbar.addWidget(QLabel(self.tr("查询："), self))
        toolbar.addWidget(self.search_box)
        toolbar.addWidget(self.search_button)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)

    def _build_results_page(self) -> QWidget:
        self.results_model = SearchResultsModel(self)
        self.results_view = QTableView(self)
        self.results_view.setObjectName("resultsView")
        self.results_view.setModel(self.results_model)
        self.results_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results_view.verticalHeader().hide()
        self.results_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.results_view.horizontalHeader().setStretchLastSection(True)
        self.results_message = QLabel(
            self.tr("在上方输入单元号、证号、证件号码、姓名或坐落，按回车查询。"), self
        )
        self.results_message.setObjectName("hint")
        self.results_message.setWordWrap(True)
        results_page = QWidget(self)
        results_layout = QVBoxLayout(results_page)
        results_layout.addWidget(self.results_message)
        results_layout.addWidget(self.results_view, 1)
        return results_page

    def _build_register_page(self) -> QWidget:
        self.register_view = RegisterView(self)
        self.back_button = QPushButton(self.tr("← 返回结果（Alt+←）"), self)
        self.back_button.setObjectName("backButton")
        self.intake_button = QPushButton(self.tr("受理业务（Ctrl+N）"), self)
        self.intake_button.setObjectName("intakeButton")
        self.intake_button.setVisible(self.actor.role in (Role.CLERK, Role.ADMIN))
        register_page = QWidget(self)
        register_layout = QVBoxLayout(register_page)
        bar = QHBoxLayout()
        bar.addWidget(self.back_button)
        bar.addStretch(1)
        bar.addWidget(self.intake_button)
        register_layout.addLayout(bar)
        register_layout.addWidget(self.register_view, 1)
        return register_page

    def _build_search_and_case_tabs(self) -> None:
        """The register search, the case list and (for those who see figures) the dashboard."""
        self.case_list = CaseListView(loader=self.load_cases, parent=self)
        self.case_list.set_recent_days(CASE_LIST_RECENT_DAYS)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("mainTabs")
        self.setCentralWidget(self.tabs)
        self.add_tab(self.pages, self.tr("登记簿查询"))
        self.add_tab(self.case_list, self.tr("业务列表"))
        self.dashboard: DashboardView | None = None
        if self.actor.role in (Role.CLERK, Role.REGISTRAR, Role.CASHIER, Role.ADMIN):
            self.dashboard = DashboardView(self.db, self.actor, self)
            self.add_tab(self.dashboard, self.tr("统计看板"))

    def _start_payment_polling(self) -> None:
        # 税费同缴: one collecting channel for the window; every window polls its open orders on a timer,
        # on its own runner so that a poll never makes the window look busy.
        from registry_desk.payments import service as payment_flow

        self.channel = payment_flow.channel_for(self.settings)
        self.poll_tasks = TaskRunner(self, self.bus)
        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(PAYMENT_POLL_MS)
        self.poll_timer.timeout.connect(self.poll_payments)
        self.poll_timer.start()

    def _build_counter_tabs(self) -> None:
        """The cashier's tab and the blank certificate paper's, for the roles that work them."""
        self.cashier: CashierView | None = None
        if self.actor.role in (Role.CASHIER, Role.ADMIN):
            self.cashier = CashierView(
                self.db, self.actor, self.settings, self.tasks, self.bus, self.channel, self
            )
            self.add_tab(self.cashier, self.tr("收费对账"))
        self.paper_stock: PaperStockView | None = None
        if self.actor.role in (Role.CLERK, Role.REGISTRAR, Role.ADMIN):
            self.paper_stock = PaperStockView(self.db, self.actor, self)
            self.add_tab(self.paper_stock, self.tr("空白证书纸"))

    def _build_status_bar(self) -> None:
        self.status_database = QLabel(
            self.tr("数据库：{url}").format(url=redact_url(self.settings.database_url)), self
        )
        window = f" · {self.actor.window}" if self.actor.window else ""
        self.status_user = QLabel(
            self.tr("当前用户：{name}（{role}）").format(
                name=self.actor.display_name, role=self.actor.role.label
            )
            + window,
            self,
        )
        self.statusBar().addWidget(self.status_database, 1)
        self.statusBar().addPermanentWidget(self.status_user)

    def _install_shortcuts(self) -> None:
        """Typing anywhere reaches the search box; the window's keys; the tab order of the search bar."""
        type_to_search = _TypeToSearch(self.search_box)
        for widget in (
            self.results_view,
            self.register_view.tabs,
            *self.register_view.findChildren(QTableView),
        ):
            widget.installEventFilter(type_to_search)

        for keys in (QKeySequence.StandardKey.Find, QKeySequence(Qt.Key.Key_F3)):
            QShortcut(keys, self, self.focus_search)
        QShortcut(QKeySequence(Qt.Modifier.ALT | Qt.Key.Key_Left), self, self.go_back)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.clear_search)
        QShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_N), self, self.open_intake)

        self.setTabOrder(self.search_box, self.search_button)
        self.setTabOrder(self.search_button, self.results_view)

    def _wire_signals(self) -> None:
        self.search_box.returnPressed.connect(self.run_search)
        self.search_button.clicked.connect(self.run_search)
        self.results_view.activated.connect(lambda index: self.open_hit(index.row()))
        self.back_button.clicked.connect(self.go_back)
        self.intake_button.clicked.connect(self.open_intake)
        self.case_list.case_activated.connect(self.open_case)
        self.bus.changed.connect(self.refresh)
        self.bus.changed.connect(self.case_list.refresh)

    def _start_live_updates(self) -> None:
        # Other windows' changes reach this one's bus within about a second (ui/live.py), and the cases
        # they have open are marked 处理中 here; this window's open cases are kept claimed by a heartbeat.
        self.case_list.claims_loader = self._claims_by_others
        self.live = LiveUpdates(self.db, self.bus, self)
        self.live.start()
        self.claim_timer = QTimer(self)
        self.claim_timer.timeout.connect(self._renew_claims)
        self.claim_timer.start(int(claims.HEARTBEAT.total_seconds() * 1000))

    def finish_pending_publishing(self) -> None:
        """E-certificates of cases recorded but not yet published (a crash between the two steps) are
        finished in the background when a registrar's window opens; the outcome goes to the status bar."""
        if self.actor.role not in (Role.REGISTRAR, Role.ADMIN):
            return
        from registry_desk.exemptions import service as exemptions

        def work() -> dict[str, str | None]:
            return exemptions.publish_pending(
                self.db, self.settings, exemptions.ecert_store(self.settings), limit=50
            )

        def done(outcome: dict[str, str | None]) -> None:
            failed = [number for number, error in outcome.items() if error]
            if outcome:
                self.statusBar().showMessage(
                    self.tr("补发电子证照：完成 {done} 件，失败 {failed} 件").format(
                        done=len(outcome) - len(failed), failed=len(failed)
                    ),
                    15000,
                )

        def failed(error: BaseException) -> None:
            self.statusBar().showMessage(self.tr("补发电子证照未完成：{error}").format(error=error), 15000)

        self.tasks.run(work, done, failed)

    def poll_payments(self) -> None:
        """Asks the channel about open orders; settled ones move their cases and get their receipts."""
        if self.poll_tasks.busy:
            return
        from registry_desk.payments import service as payment_flow

        db, channel, settings = self.db, self.channel, self.settings

        def work() -> int:
            tools = payment_flow.receipt_tools(settings)
            return payment_flow.poll_and_issue(db, channel, tools).report.count("settled")

        def done(settled: int) -> None:
            if settled:
                self.bus.notify("case")

        def failed(error: BaseException) -> None:
            # A channel that does not answer is tried again at the next tick; the status bar says so.
            self.statusBar().showMessage(self.tr("收款渠道查询失败：{error}").format(error=error), 10_000)

        self.poll_tasks.run(work, done, failed)

    def add_tab(self, widget: QWidget, title: str) -> int:
        """Another view (the cashier's, a materials panel) joins the window as a tab; returns its index."""
        return self.tabs.addTab(widget, title)

    # -- cases --------------------------------------------------------------------------------------------
    def load_cases(self) -> list[CaseRow]:
        # Re-read on every change and every 30 s: the open cases and the last weeks', not every case ever.
        return queries.list_cases(
            self.db, self.actor, today=clock.local_date(utc_now()), recent_days=CASE_LIST_RECENT_DAYS
        )

    def open_intake(self) -> IntakeDialog | None:
        """受理 for the unit on the register page (Ctrl+N there)."""
        shown = self.register_view.register
        if shown is None or self.pages.currentIndex() != self.PAGE_REGISTER or self.tabs.currentIndex() != 0:
            self.statusBar().showMessage(self.tr("请先查询并打开要受理的不动产单元，再按 Ctrl+N。"), 5000)
            return None
        if self.actor.role not in (Role.CLERK, Role.ADMIN):
            self.statusBar().showMessage(self.tr("受理业务仅限受理人员。"), 5000)
            return None
        try:
            dialog = IntakeDialog(
                self.db, self.actor, self.settings, shown.unit_number, self.tasks, self.bus, self
            )
        except DomainError as error:
            show_domain_error(self, error, self.tr("无法受理"))
            return None
        dialog.case_accepted.connect(
            lambda summary: self.statusBar().showMessage(
                self.tr("已受理：业务号 {number}").format(number=summary.case_number), 10000
            )
        )
        self.intake = dialog
        dialog.show()
        return dialog

    def open_case(self, case_number: str) -> CaseDetailDialog | None:
        existing = self.case_details.get(case_number)
        if existing is not None and existing.isVisible():
            existing.raise_()
            existing.activateWindow()
            return existing
        dialog = CaseDetailDialog(self.db, self.actor, self.settings, case_number, self.tasks, self.bus, self)
        self.case_details[case_number] = dialog
        self.bus.changed.connect(dialog.reload)
        dialog.finished.connect(lambda _result: self._forget_case(case_number, dialog))
        self._claim(lambda: claims.claim(self.db, self.actor, case_number))
        dialog.show()
        return dialog

    def _forget_case(self, case_number: str, dialog: CaseDetailDialog) -> None:
        self.bus.changed.disconnect(dialog.reload)
        if self.case_details.get(case_number) is dialog:
            del self.case_details[case_number]
            self._claim(lambda: claims.release(self.db, self.actor, case_number))

    def _claim(self, work: Callable[[], object]) -> None:
        # The 处理中 marker is a courtesy to the other windows: failing to set it must not stop the work.
        try:
            work()
        except DomainError:
            pass

    def _claims_by_others(self) -> dict[str, str]:
        return {n: c.label for n, c in claims.active_claims(self.db).items() if not c.is_held_by(self.actor)}

    def _renew_claims(self) -> None:
        for number in list(self.case_details):
            self._claim(lambda number=number: claims.touch(self.db, self.actor, number))

    # -- search -------------------------------------------------------------------------------------------
    def focus_search(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def clear_search(self) -> None:
        self.search_box.clear()
        self.focus_search()

    def run_search(self) -> None:
        query = self.search_box.text().strip()
        if not query:
            return
        try:
            hits = register.search(self.db, self.actor, query, limit=SEARCH_LIMIT)
        except DomainError as error:
            self.results_model.set_hits([])
            self.show_results(str(error), error=True)
            return
        self.results_model.set_hits(hits)
        # The next scan or typed query should replace this one, not append to it.
        self.search_box.selectAll()
        if len(hits) == 1 and (hits[0].unit_number or hits[0].kind == "case"):
            self.open_hit(0)  # a unit's register page, or a case's detail for a 业务号
            return
        if not hits:
            self.show_results(
                self.tr("没有找到与“{query}”相符的单元、证书、业务或权利人。").format(query=query), error=True
            )
            return
        if len(hits) >= SEARCH_LIMIT:
            message = self.tr("只显示前 {n} 条结果，请输入更具体的内容；选中一条按回车打开登记簿。")
        else:
            message = self.tr("找到 {n} 条结果：选中一条按回车打开登记簿。")
        self.show_results(message.format(n=len(hits)))
        self.results_view.selectRow(0)
        self.results_view.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_results(self, message: str, *, error: bool = False) -> None:
        self.results_message.setText(message)
        self.results_message.setProperty("error", error)
        self.results_message.style().unpolish(self.results_message)
        self.results_message.style().polish(self.results_message)
        self.tabs.setCurrentIndex(0)
        self.pages.setCurrentIndex(self.PAGE_RESULTS)

    def open_hit(self, row: int) -> None:
        if 0 <= row < self.results_model.rowCount():
            hit = self.results_model.hit(row)
            if hit.kind == "case":
                self.open_case(hit.title)  # the 业务号: its detail, as from the case list
                return
            if hit.unit_number:
                self.open_unit(hit.unit_number)

    def open_unit(self, unit_number: str) -> None:
        try:
            page = register.unit_register(self.db, self.actor, unit_number)
        except DomainError as error:
            show_domain_error(self, error, self.tr("无法打开登记簿"))
            return
        self.register_view.show_register(page)
        self.tabs.setCurrentIndex(0)
        self.pages.setCurrentIndex(self.PAGE_REGISTER)
        self.register_view.tabs.setFocus(Qt.FocusReason.OtherFocusReason)

    def go_back(self) -> None:
        if self.pages.currentIndex() == self.PAGE_REGISTER:
            self.pages.setCurrentIndex(self.PAGE_RESULTS)
            if self.results_model.rowCount():
                self.results_view.setFocus(Qt.FocusReason.OtherFocusReason)
            else:
                self.focus_search()

    def refresh(self, _what: str = "*") -> None:
        """Re-reads the unit on show after any change (a case recorded, a seizure lifted ...)."""
        shown = self.register_view.register
        if shown is not None and self.pages.currentIndex() == self.PAGE_REGISTER:
            try:
                self.register_view.show_register(
                    register.unit_register(self.db, self.actor, shown.unit_number)
                )
            except DomainError as error:
                show_domain_error(self, error)

    # -- geometry -----------------------------------------------------------------------------------------
    @staticmethod
    def _qsettings() -> QSettings:
        return QSettings(ORGANISATION, APPLICATION)

    def _restore_geometry(self) -> None:
        stored = self._qsettings().value(_GEOMETRY_KEY)
        if stored is None or not self.restoreGeometry(stored):
            self.resize(1180, 760)
        state = self._qsettings().value(_STATE_KEY)
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.poll_timer.stop()
        self.claim_timer.stop()
        self.live.stop()
        self._claim(lambda: claims.release_all(self.db, self.actor))
        store = self._qsettings()
        store.setValue(_GEOMETRY_KEY, self.saveGeometry())
        store.setValue(_STATE_KEY, self.saveState())
        store.sync()
        super().closeEvent(event)
