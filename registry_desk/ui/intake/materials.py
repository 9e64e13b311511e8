"""The intake's 申请材料: the materials the business type asks for (an agent brings the 授权委托书), ticked as
their paper copies are received, and the 一次性告知 of what is still missing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from registry_desk.domain.cases import MATERIAL_MISSING, MATERIAL_PAPER
from registry_desk.ui.intake.parties import PartyTable


class MaterialsSection:
    """The dialog's 申请材料 box and its behaviour (a part of IntakeDialog: the list follows the dialog's
    business type, notice kind and parties)."""

    def _build_materials(self) -> QGroupBox:
        self.materials_table = QTableWidget(0, 3, self)
        self.materials_table.setObjectName("materialsTable")
        self.materials_table.setHorizontalHeaderLabels(
            [self.tr("材料（勾选＝已收纸质件）"), self.tr("必需"), self.tr("可替代纸质件")]
        )
        self.materials_table.verticalHeader().hide()
        self.materials_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.materials_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.materials_table.horizontalHeader().setStretchLastSection(True)
        self.all_received_button = QPushButton(self.tr("全部已收（Ctrl+M）"), self)
        self.notice_once_label = QLabel(self)
        self.notice_once_label.setObjectName("missingMaterials")
        self.notice_once_label.setWordWrap(True)
        materials_box = QGroupBox(self.tr("申请材料"), self)
        materials_layout = QVBoxLayout(materials_box)
        materials_layout.addWidget(self.materials_table)
        materials_bottom = QHBoxLayout()
        materials_bottom.addWidget(self.notice_once_label, 1)
        materials_bottom.addWidget(self.all_received_button)
        materials_layout.addLayout(materials_bottom)
        return materials_box

    def _has_agent(self) -> bool:
        t = self.party_table
        return any(t.text(r, PartyTable.AGENT_NAME) for r in range(t.rowCount()))

    def _rebuild_materials(self) -> None:
        kept = self.received_materials()
        self.materials_table.blockSignals(True)
        try:
            specs = [
                m
                for m in self.business.materials
                if m.applies(has_agent=self._has_agent(), notice_kind=self.notice_kind)
            ]
            self.materials_table.setRowCount(len(specs))
            for row, spec in enumerate(specs):
                item = QTableWidgetItem(spec.name)
                item.setData(Qt.ItemDataRole.UserRole, spec.code)
                item.setFlags(
                    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable
                )
                item.setCheckState(Qt.CheckState.Checked if spec.code in kept else Qt.CheckState.Unchecked)
                self.materials_table.setItem(row, 0, item)
                self.materials_table.setItem(
                    row, 1, QTableWidgetItem(self.tr("是") if spec.required else self.tr("否"))
                )
                alternatives = [
                    text
                    for ok, text in (
                        (spec.ecert_ok, self.tr("电子证照")),
                        (spec.sealed_ok, self.tr("电子签章件")),
                    )
                    if ok
                ]
                self.materials_table.setItem(row, 2, QTableWidgetItem("、".join(alternatives)))
        finally:
            self.materials_table.blockSignals(False)
        self._revalidate()

    def received_materials(self) -> set[str]:
        t = self.materials_table
        return {
            str(item.data(Qt.ItemDataRole.UserRole))
            for r in range(t.rowCount())
            if (item := t.item(r, 0)) is not None and item.checkState() == Qt.CheckState.Checked
        }

    def mark_all_received(self) -> None:
        t = self.materials_table
        t.blockSignals(True)
        for r in range(t.rowCount()):
            item = t.item(r, 0)
            if item is not None:
                item.setCheckState(Qt.CheckState.Checked)
        t.blockSignals(False)
        self._revalidate()

    def _materials(self) -> dict[str, str]:
        received = self.received_materials()
        t = self.materials_table
        codes = [
            str(item.data(Qt.ItemDataRole.UserRole)) for r in range(t.rowCount()) if (item := t.item(r, 0))
        ]
        return {code: MATERIAL_PAPER if code in received else MATERIAL_MISSING for code in codes}

    def _check_material(self, code: str) -> None:
        t = self.materials_table
        for r in range(t.rowCount()):
            item = t.item(r, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == code:
                item.setCheckState(Qt.CheckState.Checked)
