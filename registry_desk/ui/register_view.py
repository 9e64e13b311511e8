"""The register page (登记簿) of one unit: header, restriction badges, current rights, facts, history."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from registry_desk.domain.codes import AdvanceNoticeKind, RightType
from registry_desk.registration.register import RightView, UnitRegister
from registry_desk.ui.models import CertificatesModel, KeyValueModel, RightsModel


def _table(model: RightsModel | KeyValueModel | CertificatesModel, name: str, parent: QWidget) -> QTableView:
    view = QTableView(parent)
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(True)
    view.verticalHeader().hide()
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    # The last column (particulars, a value, a paper serial) takes the rest of the width and wraps, so the
    # clerk never scrolls sideways to read a mortgage amount.
    header.setSectionResizeMode(model.columnCount() - 1, QHeaderView.ResizeMode.Stretch)
    return view


class RegisterView(QWidget):
    """Shows a UnitRegister. Restrictions are never only in a table: each current one also gets a badge
    beside the unit number, so a clerk cannot miss a 查封 while talking to the applicant."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.register: UnitRegister | None = None

        self.unit_label = QLabel(self)
        self.unit_label.setObjectName("unitNumber")
        self.unit_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.location_label = QLabel(self)
        self.location_label.setObjectName("unitLocation")
        self.location_label.setWordWrap(True)
        self.location_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.badge_row = QHBoxLayout()
        self.badge_row.setSpacing(6)
        self.badges: list[QLabel] = []

        head = QVBoxLayout()
        top = QHBoxLayout()
        top.addWidget(self.unit_label)
        top.addLayout(self.badge_row)
        top.addStretch(1)
        head.addLayout(top)
        head.addWidget(self.location_label)

        self.owners_model = RightsModel(self)
        self.restrictions_model = RightsModel(self)
        self.history_model = RightsModel(self, history=True)
        self.facts_model = KeyValueModel(self)
        self.certificates_model = CertificatesModel(self)

        current = QWidget(self)
        current_layout = QVBoxLayout(current)
        current_layout.addWidget(QLabel(self.tr("所有权"), current, objectName="sectionTitle"))
        self.owners_table = _table(self.owners_model, "ownersTable", current)
        current_layout.addWidget(self.owners_table, 2)
        current_layout.addWidget(
            QLabel(self.tr("抵押、预告、查封等限制"), current, objectName="sectionTitle")
        )
        self.no_restrictions_label = QLabel(
            self.tr("无抵押、预告、查封等限制。"), current, objectName="noRestrictions"
        )
        current_layout.addWidget(self.no_restrictions_label)
        self.restrictions_table = _table(self.restrictions_model, "restrictionsTable", current)
        current_layout.addWidget(self.restrictions_table, 3)

        self.facts_table = _table(self.facts_model, "factsTable", self)
        self.history_table = _table(self.history_model, "historyTable", self)
        self.certificates_table = _table(self.certificates_model, "certificatesTable", self)
        self.open_cases_list = QListWidget(self)
        self.open_cases_list.setObjectName("openCases")

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("registerTabs")
        self.tabs.addTab(current, self.tr("现势权利"))
        self.tabs.addTab(self.facts_table, self.tr("单元信息"))
        self.tabs.addTab(self.history_table, self.tr("历史"))
        self.tabs.addTab(self.certificates_table, self.tr("证书证明"))
        self.tabs.addTab(self.open_cases_list, self.tr("在办业务"))

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.tabs, 1)

    def show_register(self, register: UnitRegister) -> None:
        self.register = register
        self.unit_label.setText(self.tr("不动产单元号：{number}").format(number=register.unit_number))
        self.location_label.setText(self.tr("坐落：{location}").format(location=register.location))
        self.owners_model.set_rows(register.owners)
        self.restrictions_model.set_rows(register.restrictions)
        self.history_model.set_rows(register.history)
        self.facts_model.set_rows(register.facts)
        self.certificates_model.set_rows(register.certificates)
        self.open_cases_list.clear()
        self.open_cases_list.addItems(list(register.open_cases))
        self.no_restrictions_label.setVisible(not register.restrictions)
        self.restrictions_table.setVisible(bool(register.restrictions))
        self.tabs.setTabText(2, self.tr("历史（{n}）").format(n=len(register.history)))
        self.tabs.setTabText(3, self.tr("证书证明（{n}）").format(n=len(register.certificates)))
        self.tabs.setTabText(4, self.tr("在办业务（{n}）").format(n=len(register.open_cases)))
        self._show_badges(register)
        self.tabs.setCurrentIndex(0)

    def _badge_text(self, right: RightView) -> tuple[str, str]:
        """Short badge word and its style class; the seizure gets the loudest one."""
        if right.right_type is RightType.SEIZURE:
            return self.tr("查封"), "seizure"
        if right.right_type is RightType.MORTGAGE:
            return self.tr("抵押"), "restriction"
        if right.right_type is RightType.ADVANCE_NOTICE:
            if (
                right.label == AdvanceNoticeKind.PRESALE_MORTGAGE.label
                or right.label == AdvanceNoticeKind.OTHER_MORTGAGE.label
            ):
                return self.tr("抵押预告"), "restriction"
            return self.tr("预告"), "restriction"
        if right.right_type is RightType.OBJECTION:
            return self.tr("异议"), "restriction"
        return right.label, "restriction"

    def _show_badges(self, register: UnitRegister) -> None:
        for badge in self.badges:
            self.badge_row.removeWidget(badge)
            badge.deleteLater()
        self.badges = []
        words: list[tuple[str, str]] = []
        for right in register.restrictions:
            word = self._badge_text(right)
            if word not in words:
                words.append(word)
        if register.open_cases:
            words.append((self.tr("在办业务{n}件").format(n=len(register.open_cases)), "pending"))
        for text, kind in words:
            badge = QLabel(text, self)
            badge.setObjectName("badge")
            badge.setProperty("kind", kind)
            self.badge_row.addWidget(badge)
            self.badges.append(badge)

    def badge_texts(self) -> list[str]:
        return [b.text() for b in self.badges]
